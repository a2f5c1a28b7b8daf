//! Which price row bills a given quantity: the pricing rules, in one place.
//!
//! Rows keep their history: a price change is a new row with a later `effective` date, and
//! lookups use the row in effect on the date asked (`as_of`), so a report over past days
//! prices each day at the rate of that day.

use std::cmp::Reverse;

use jiff::civil::Date;

use super::model::{Model, Price};
use super::types::{Dimension, Mode, Quality, Resolution, Scope};

/// Where and when a request ran, and how it was routed.
#[derive(Debug, Clone, Copy)]
pub struct RateContext<'a> {
    pub region: &'a str,
    /// Route of the request: `Global` for `global.` profiles, `Geo` for geographic profiles
    /// and bare IDs. Rows with `Scope::Any` serve every route.
    pub scope: Scope,
    /// A customized copy of the model: only rows marked `custom` match.
    pub custom: bool,
    /// Prices in effect on this date.
    pub as_of: Date,
}

/// What is being billed.
#[derive(Debug, Clone, Copy)]
pub struct RateQuery {
    pub mode: Mode,
    pub dimension: Dimension,
    /// The long-context threshold in force for this request (see
    /// [`Model::long_context_threshold`]); `None` selects the standard rows.
    pub long_context: Option<u64>,
    /// Image rows: requested size and quality.
    pub image: Option<(Resolution, Quality)>,
}

impl RateQuery {
    pub fn new(mode: Mode, dimension: Dimension) -> Self {
        RateQuery {
            mode,
            dimension,
            long_context: None,
            image: None,
        }
    }
}

fn scope_fits(row: Scope, wanted: Scope) -> bool {
    row == Scope::Any || row == wanted
}

impl Model {
    /// Rows of `mode` usable in this context.
    fn rows<'s, 'c>(
        &'s self,
        ctx: &RateContext<'c>,
        mode: Mode,
    ) -> impl Iterator<Item = &'s Price> + use<'s, 'c> {
        let ctx = *ctx;
        self.prices.iter().filter(move |p| {
            p.mode == mode
                && p.custom == ctx.custom
                && p.effective <= ctx.as_of
                && p.applies_in(ctx.region)
                && scope_fits(p.scope, ctx.scope)
        })
    }

    /// Whether a row of `mode` billing `dimension` applies in this context.
    pub fn rows_of(&self, ctx: &RateContext<'_>, mode: Mode, dimension: Dimension) -> bool {
        self.rows(ctx, mode).any(|p| p.dimension == dimension)
    }

    /// Whether any row of `mode` applies in this context.
    pub fn has_mode(&self, ctx: &RateContext<'_>, mode: Mode) -> bool {
        self.rows(ctx, mode).next().is_some()
    }

    /// The long-context threshold a request with `input_tokens` (cache reads and writes
    /// included) crosses, if the model has long-context rates: the largest threshold below
    /// the input size. Bedrock then bills the *whole* request at the long-context rates.
    ///
    /// The threshold is looked up across all per-request modes: a mode without long-context
    /// rows (say, batch) then has no rate for such a request and reports it unpriced rather
    /// than billing it at the standard rate.
    pub fn long_context_threshold(&self, ctx: &RateContext<'_>, input_tokens: u64) -> Option<u64> {
        Mode::ALL
            .iter()
            .filter(|m| m.is_per_request())
            .flat_map(|m| self.rows(ctx, *m))
            .filter_map(|p| p.above_input_tokens)
            .filter(|t| input_tokens > *t)
            .max()
    }

    /// The row that bills `q`, or `None` when it is unpriced. A row for the exact route beats
    /// a row for every route; image rows pick the smallest size tier that holds the image;
    /// among equals the latest effective row wins.
    pub fn rate(&self, ctx: &RateContext<'_>, q: &RateQuery) -> Option<&Price> {
        self.rows(ctx, q.mode)
            .filter(|p| p.dimension == q.dimension && p.above_input_tokens == q.long_context)
            .filter(|p| match (q.dimension, q.image) {
                (Dimension::Image, Some((size, quality))) => {
                    p.quality == Some(quality)
                        && p.resolution.is_some_and(|r| r.pixels() >= size.pixels())
                }
                (Dimension::Image, None) => false,
                _ => true,
            })
            .min_by_key(|p| {
                (
                    p.scope == Scope::Any,
                    p.resolution.map(|r| r.pixels()),
                    Reverse(p.effective),
                )
            })
    }
}
