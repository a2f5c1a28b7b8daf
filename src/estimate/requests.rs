//! From request bodies to a [`Usage`]: counts each [`Request`] for a model (tokenizer +
//! chat template + images, see [`crate::request::template`]), applies the output
//! expectation and the prompt-cache hit rate, and adds records up.
//!
//! Output tokens have two values per request: the *ceiling* the body allows (`max_tokens`
//! and its provider spellings; the format's documented default, or the model's limit, when
//! absent) and the *expected* value that is priced: `--output-tokens N` per request,
//! `--output-ratio R` × input tokens, or else the ceiling itself.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{CacheTtl, Estimate, ModeSelection, Usage, estimate};
use crate::catalog::{Mode, Model, ModelKind, Quality, Resolution};
use crate::request::{BodyFormat, ImageGeneration, Part, Request, template};
use crate::resolve::Resolved;
use crate::tokenize::approx::{self, Calibration};
use crate::tokenize::{self, Engine, Tokenizer, UnknownFamily};

/// Output ceiling when neither the body nor the format gives one: the model's context
/// window, at most this.
pub const FALLBACK_MAX_OUTPUT: u64 = 4096;

/// The tokens of one request for one model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCount {
    /// Every input token: text, template overhead, images, and the cached prefix.
    pub input_tokens: u64,
    /// Tokens up to and including the last cache marker, if the body has one.
    pub cache_prefix_tokens: Option<u64>,
    /// Of `input_tokens`, those that stand for input images.
    pub image_tokens: u64,
    pub output_ceiling: u64,
    /// The body gave no output bound: the ceiling is a default.
    pub ceiling_defaulted: bool,
    /// Exact tokenizer, exact template, no image estimate.
    pub exact: bool,
    /// Billed images: generated (image models) or embedded (multimodal embedding models).
    pub images: u64,
    pub image_generation: Option<ImageGeneration>,
    /// Parts the body has that were not counted.
    pub uncounted: usize,
}

/// A family's counter, resolved once: the same counts as [`tokenize::count`] (exact
/// families with their engine; approximate ones through their base vocabulary × factor),
/// without looking the engine up again for every text of every record.
#[derive(Clone)]
pub struct TextCounter {
    family: String,
    tokenizer: Shared,
    calibration: Option<Calibration>,
    exact: bool,
}

/// The registry's engine, or a private copy of it.
#[derive(Clone)]
enum Shared {
    Registry(&'static dyn Tokenizer),
    Private(Arc<dyn Tokenizer>),
}

impl TextCounter {
    /// A counter with its own copy of the engine, for one worker thread. The fast engines'
    /// pre-tokenizing regexes keep a per-regex cache pool whose fast path serves only one
    /// thread; threads sharing one engine queue on it (measured: 2 workers took twice the
    /// CPU time of 1). Approximations keep the shared base engine.
    pub fn private_copy(&self, engine: Engine) -> TextCounter {
        let mut copy = self.clone();
        if self.calibration.is_none()
            && let Ok(t) = tokenize::build(&self.family, engine)
        {
            copy.tokenizer = Shared::Private(Arc::from(t));
        }
        copy
    }

    /// The counter of `family` with `engine` (exact families; approximations always count
    /// with their base vocabulary's fast engine, as [`tokenize::count`] does).
    pub fn new(family: &str, engine: Engine) -> Result<TextCounter, UnknownFamily> {
        if let Some(cal) = approx::calibration(family) {
            let base = match cal.base {
                approx::Base::ClaudeLegacy => "claude-legacy",
                approx::Base::Cl100k => "cl100k",
                approx::Base::O200k => "o200k",
            };
            return Ok(TextCounter {
                family: family.to_string(),
                tokenizer: Shared::Registry(tokenize::counter(base, Engine::Fast)?),
                calibration: Some(cal),
                exact: false,
            });
        }
        Ok(TextCounter {
            family: family.to_string(),
            tokenizer: Shared::Registry(tokenize::counter(family, engine)?),
            calibration: None,
            exact: tokenize::EXACT_FAMILIES.contains(&family),
        })
    }

    /// The counter for about `bytes` of text (see [`tokenize::engine_for`]).
    pub fn for_input(family: &str, bytes: usize) -> Result<TextCounter, UnknownFamily> {
        TextCounter::new(family, tokenize::engine_for(family, bytes))
    }

    pub fn family(&self) -> &str {
        &self.family
    }

    /// Tokens of plain text.
    pub fn count(&self, text: &str) -> u64 {
        let n = match &self.tokenizer {
            Shared::Registry(t) => t.count(text),
            Shared::Private(t) => t.count(text),
        };
        match &self.calibration {
            Some(cal) => cal.apply(n, approx::cjk_share(text)).0,
            None => n as u64,
        }
    }

    /// Counts `text`; raw prompts count their special-token strings as one token each.
    fn count_text(&self, text: &str, raw: bool) -> (u64, bool) {
        let specials = if raw {
            template::specials(&self.family)
        } else {
            &[]
        };
        if specials.is_empty() || !text.contains('<') {
            return (self.count(text), self.exact);
        }
        // One pass: at each `<`, a special token either starts there or not.
        let bytes = text.as_bytes();
        let (mut tokens, mut piece_start, mut at) = (0u64, 0usize, 0usize);
        while let Some(off) = memchr::memchr(b'<', &bytes[at..]) {
            let i = at + off;
            match specials.iter().find(|s| text[i..].starts_with(**s)) {
                Some(special) => {
                    if i > piece_start {
                        tokens += self.count(&text[piece_start..i]);
                    }
                    tokens += 1;
                    at = i + special.len();
                    piece_start = at;
                }
                None => at = i + 1,
            }
        }
        if piece_start < text.len() {
            tokens += self.count(&text[piece_start..]);
        }
        (tokens, self.exact)
    }
}

/// Counts a parsed request for `model`, choosing the engine by the request's size.
pub fn count_request(
    req: &Request,
    format: BodyFormat,
    model: &Model,
) -> Result<RequestCount, UnknownFamily> {
    let counter = TextCounter::for_input(&model.tokenizer, request_bytes(req))?;
    Ok(count_request_with(req, format, model, &counter))
}

/// Bytes of text in a request (for the engine choice).
fn request_bytes(req: &Request) -> usize {
    let texts = req
        .prompt
        .iter()
        .chain(&req.system)
        .chain(&req.tools)
        .chain(&req.documents)
        .chain(&req.embed_texts);
    texts.map(String::len).sum::<usize>()
        + req
            .messages
            .iter()
            .flat_map(|m| &m.parts)
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Image(_) => 0,
            })
            .sum::<usize>()
}

/// Counts a parsed request for `model` with a resolved counter of its family.
pub fn count_request_with(
    req: &Request,
    format: BodyFormat,
    model: &Model,
    counter: &TextCounter,
) -> RequestCount {
    let family = counter.family();
    let tpl = template::for_family(family);
    let mut c = RequestCount {
        exact: true,
        uncounted: req.notes.len(),
        ..RequestCount::default()
    };
    let mut total = 0u64;
    let mut item = 0usize;
    let mut add = |c: &mut RequestCount, total: &mut u64, n: u64, exact: bool| {
        *total += n;
        c.exact &= exact;
        item += 1;
        if req.cache_prefix_items == Some(item) {
            c.cache_prefix_tokens = Some(*total);
        }
    };
    if let Some(p) = &req.prompt {
        let (n, exact) = counter.count_text(p, true);
        total += n;
        c.exact &= exact;
    }
    for t in &req.embed_texts {
        let (n, exact) = counter.count_text(t, false);
        total += n;
        c.exact &= exact;
    }
    let chat = !req.messages.is_empty() || !req.system.is_empty() || !req.tools.is_empty();
    if chat {
        total += tpl.per_request;
        c.exact &= tpl.exact;
    }
    if !req.tools.is_empty() {
        total += tpl.tools_preamble;
    }
    for t in &req.tools {
        let (n, exact) = counter.count_text(t, false);
        add(&mut c, &mut total, n, exact);
    }
    if !req.system.is_empty() {
        total += tpl.per_message;
    }
    for s in &req.system {
        let (n, exact) = counter.count_text(s, false);
        add(&mut c, &mut total, n, exact);
    }
    for d in &req.documents {
        let (n, exact) = counter.count_text(d, false);
        add(&mut c, &mut total, n, exact);
    }
    for m in &req.messages {
        total += tpl.per_message;
        for part in &m.parts {
            match part {
                Part::Text(t) => {
                    let (n, exact) = counter.count_text(t, false);
                    add(&mut c, &mut total, n, exact);
                }
                Part::Image(img) => {
                    let n = template::image_tokens(family, img);
                    c.image_tokens += n;
                    add(&mut c, &mut total, n, false);
                }
            }
        }
    }
    if !req.messages.is_empty() {
        total += tpl.generation;
    }
    c.input_tokens = total;
    c.images = req.embed_images;
    if let Some(g) = req.image_generation {
        c.images = g.count;
        c.image_generation = Some(g);
    }
    let produces_text = model.kind == ModelKind::Text && req.image_generation.is_none();
    if produces_text {
        match req.max_output_tokens {
            Some(n) => c.output_ceiling = n,
            None => {
                c.ceiling_defaulted = true;
                c.output_ceiling = format.default_max_output().unwrap_or_else(|| {
                    model
                        .context_window
                        .unwrap_or(FALLBACK_MAX_OUTPUT)
                        .min(FALLBACK_MAX_OUTPUT)
                });
            }
        }
    }
    c
}

/// How the priced (expected) output is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutputExpectation {
    /// The body's ceiling.
    Ceiling,
    /// A fixed number of output tokens per request.
    PerRequest(u64),
    /// A multiple of the request's input tokens.
    Ratio(f64),
}

/// Options that turn counts into billed quantities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceOptions {
    pub output: OutputExpectation,
    /// Share of cache-prefix tokens read from the cache (the rest is written).
    pub cache_hit_rate: Option<f64>,
}

/// The billed quantities of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordUsage {
    /// Every input token, cached ones included.
    pub input_total: u64,
    /// Input billed at the normal rate (cache reads and writes excluded).
    pub input_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_ceiling: u64,
    pub output_expected: u64,
    pub images: u64,
}

/// Applies the options to a count.
pub fn record_usage(c: &RequestCount, model: &Model, opts: &PriceOptions) -> RecordUsage {
    let mut u = RecordUsage {
        input_total: c.input_tokens,
        input_tokens: c.input_tokens,
        output_ceiling: c.output_ceiling,
        images: c.images,
        ..RecordUsage::default()
    };
    if model.kind == ModelKind::Image {
        // Billed per image: the prompt's tokens are not billed.
        u.input_tokens = 0;
        return u;
    }
    if let (Some(h), Some(prefix)) = (opts.cache_hit_rate, c.cache_prefix_tokens) {
        let read = (prefix as f64 * h).round() as u64;
        u.cache_read_tokens = read.min(prefix);
        u.cache_write_tokens = prefix - u.cache_read_tokens;
        u.input_tokens = c.input_tokens - prefix;
    }
    if model.kind == ModelKind::Text {
        u.output_expected = match opts.output {
            OutputExpectation::Ceiling => c.output_ceiling,
            OutputExpectation::PerRequest(n) => n,
            OutputExpectation::Ratio(r) => (c.input_tokens as f64 * r).round() as u64,
        };
    }
    u
}

/// A bad record: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRecord {
    pub line: u64,
    pub reason: String,
}

/// How many bad records are kept for the report (all are counted).
pub const BAD_RECORDS_KEPT: usize = 20;

/// Sums over records.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub ok: u64,
    pub failed: u64,
    /// Blank lines, skipped (neither ok nor failed).
    pub empty: u64,
    pub input_total: u64,
    pub input_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub output_ceiling: u64,
    pub output_expected: u64,
    pub images: u64,
    pub image_tokens: u64,
    pub inexact: u64,
    pub ceilings_defaulted: u64,
    pub with_cache_marker: u64,
    pub uncounted_parts: u64,
    /// Size and quality of generated images, and whether records disagree on it.
    pub image_generation: Option<(Resolution, Quality)>,
    pub mixed_image_generation: bool,
    /// The first bad records, in input order.
    pub bad: Vec<BadRecord>,
}

impl Totals {
    /// Adds one counted record.
    pub fn add(&mut self, c: &RequestCount, u: &RecordUsage) {
        self.ok += 1;
        self.input_total += u.input_total;
        self.input_tokens += u.input_tokens;
        self.cache_read_tokens += u.cache_read_tokens;
        self.cache_write_tokens += u.cache_write_tokens;
        self.output_ceiling += u.output_ceiling;
        self.output_expected += u.output_expected;
        self.images += u.images;
        self.image_tokens += c.image_tokens;
        self.inexact += u64::from(!c.exact);
        self.ceilings_defaulted += u64::from(c.ceiling_defaulted);
        self.with_cache_marker += u64::from(c.cache_prefix_tokens.is_some());
        self.uncounted_parts += c.uncounted as u64;
        if let Some(g) = c.image_generation {
            self.note_image(Some((g.resolution(), g.quality)));
        }
    }

    fn note_image(&mut self, g: Option<(Resolution, Quality)>) {
        match (self.image_generation, g) {
            (_, None) => {}
            (None, Some(g)) => self.image_generation = Some(g),
            (Some(a), Some(b)) => self.mixed_image_generation |= a != b,
        }
    }

    /// Adds a bad record.
    pub fn fail(&mut self, line: u64, reason: String) {
        self.failed += 1;
        if self.bad.len() < BAD_RECORDS_KEPT {
            self.bad.push(BadRecord { line, reason });
        }
    }

    /// Adds the totals of a later part of the input.
    pub fn merge(&mut self, o: Totals) {
        self.ok += o.ok;
        self.failed += o.failed;
        self.empty += o.empty;
        self.input_total += o.input_total;
        self.input_tokens += o.input_tokens;
        self.cache_read_tokens += o.cache_read_tokens;
        self.cache_write_tokens += o.cache_write_tokens;
        self.output_ceiling += o.output_ceiling;
        self.output_expected += o.output_expected;
        self.images += o.images;
        self.image_tokens += o.image_tokens;
        self.inexact += o.inexact;
        self.ceilings_defaulted += o.ceilings_defaulted;
        self.with_cache_marker += o.with_cache_marker;
        self.uncounted_parts += o.uncounted_parts;
        self.note_image(o.image_generation);
        self.mixed_image_generation |= o.mixed_image_generation;
        for b in o.bad {
            if self.bad.len() < BAD_RECORDS_KEPT {
                self.bad.push(b);
            }
        }
    }

    /// The usage to price.
    pub fn usage(&self, cache_ttl: CacheTtl) -> Usage {
        Usage {
            requests: self.ok.max(1),
            input_tokens: self.input_tokens,
            output_tokens: self.output_expected,
            cache_read_tokens: self.cache_read_tokens,
            cache_write_tokens: self.cache_write_tokens,
            cache_ttl,
            images: self.images,
            image_resolution: self.image_generation.map(|g| g.0),
            image_quality: self.image_generation.map(|g| g.1),
        }
    }
}

/// Prices single records (for the per-record CSV) under a fixed list of modes.
pub struct RecordPricer<'a> {
    pub resolved: &'a Resolved<'a>,
    pub region: &'a str,
    pub as_of: jiff::civil::Date,
    pub modes: Vec<Mode>,
    pub cache_ttl: CacheTtl,
}

impl RecordPricer<'_> {
    /// The cost of one record under each mode (`None`: the mode is not priced).
    pub fn costs(&self, u: &RecordUsage, c: &RequestCount) -> Vec<Option<Decimal>> {
        let usage = Usage {
            requests: 1,
            input_tokens: u.input_tokens,
            output_tokens: u.output_expected,
            cache_read_tokens: u.cache_read_tokens,
            cache_write_tokens: u.cache_write_tokens,
            cache_ttl: self.cache_ttl,
            images: u.images,
            image_resolution: c.image_generation.map(|g| g.resolution()),
            image_quality: c.image_generation.map(|g| g.quality),
        };
        let est = estimate(
            self.resolved,
            self.region,
            self.as_of,
            &usage,
            &ModeSelection::Only(self.modes.clone()),
        );
        self.modes
            .iter()
            .map(|m| est.mode(*m).map(|mc| mc.total_usd))
            .collect()
    }
}

/// The modes an estimate prices (the per-record CSV's cost columns).
pub fn priced_modes(est: &Estimate) -> Vec<Mode> {
    est.modes.iter().map(|m| m.mode).collect()
}
