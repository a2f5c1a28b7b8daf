//! Pricing one usage record: resolve its raw `ModelId` series, then price its counts with
//! [`crate::estimate`] at the prices in effect on the record's day.
//!
//! A plain series is priced on demand; a `MODEL+flex` / `MODEL+priority` series in its tier.
//! Cross-Region profiles are priced at the rates of the Region whose CloudWatch recorded
//! them (the Region called), with the geo premium where the catalog has one. A series that
//! does not resolve, or a dimension without a rate, is *unpriced*: its cost is left empty
//! and flagged, never shown as $0.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::catalog::{Dimension, Mode};
use crate::estimate::{CacheTtl, ModeSelection, Usage, estimate};
use crate::records::UsageRecord;
use crate::resolve::{ResolveError, Resolver};

/// Cost per billed dimension. `None`: the amount is unknown (unpriced), not zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Costs {
    pub input: Option<Decimal>,
    pub output: Option<Decimal>,
    pub cache_read: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub image: Option<Decimal>,
    /// Sum of the known dimensions; `None` when none is known.
    pub total: Option<Decimal>,
}

impl Costs {
    /// Every dimension known and zero: a priced series without billable usage.
    fn zero() -> Self {
        let z = Some(Decimal::ZERO);
        Costs {
            input: z,
            output: z,
            cache_read: z,
            cache_write: z,
            image: z,
            total: z,
        }
    }

    fn column(&mut self, d: Dimension) -> &mut Option<Decimal> {
        match d {
            Dimension::InputTokens => &mut self.input,
            Dimension::OutputTokens => &mut self.output,
            Dimension::CacheRead => &mut self.cache_read,
            Dimension::CacheWrite5m | Dimension::CacheWrite1h => &mut self.cache_write,
            _ => &mut self.image,
        }
    }

    fn parts(&self) -> [Option<Decimal>; 5] {
        [
            self.input,
            self.output,
            self.cache_read,
            self.cache_write,
            self.image,
        ]
    }

    fn sum_parts(&mut self) {
        let known: Vec<Decimal> = self.parts().into_iter().flatten().collect();
        self.total = (!known.is_empty()).then(|| known.into_iter().sum());
    }
}

/// A record with its price.
#[derive(Debug, Clone)]
pub struct Priced {
    pub record: UsageRecord,
    /// The catalog model the series resolved to.
    pub resolved_model: Option<String>,
    pub costs: Costs,
    /// What could not be priced: `unknown model`, `on-demand`, `on-demand/cache-write-5m`…
    /// Empty when the record is fully priced.
    pub unpriced: Vec<String>,
    /// Explanations for the report's notes (resolution errors, estimate warnings).
    pub warnings: Vec<String>,
}

impl Priced {
    /// `ok`, or `unpriced: …` naming what has no price.
    pub fn status(&self) -> String {
        if self.unpriced.is_empty() {
            "ok".to_string()
        } else {
            format!("unpriced: {}", self.unpriced.join(", "))
        }
    }
}

fn unresolved(record: &UsageRecord, e: &ResolveError) -> Priced {
    let reason = match e {
        ResolveError::Unknown { .. } => "unknown model",
        ResolveError::NeedsAlias { .. } => "needs an alias (--aliases)",
        ResolveError::BadArn(_) => "malformed ARN",
        ResolveError::AliasLoop(_) => "alias loop",
    };
    Priced {
        record: record.clone(),
        resolved_model: None,
        costs: Costs::default(),
        unpriced: vec![reason.to_string()],
        warnings: vec![e.to_string()],
    }
}

/// Prices `record` at the prices in effect on its day (or on `as_of` when given).
pub fn price(record: &UsageRecord, resolver: &Resolver<'_>, as_of: Option<Date>) -> Priced {
    let resolved = match resolver.resolve(&record.model_id) {
        Ok(r) => r,
        Err(e) => return unresolved(record, &e),
    };
    let mode = resolved.tier.unwrap_or(Mode::OnDemand);
    let one_hour = record.cache_write_1h_tokens.min(record.cache_write_tokens);
    let usage = Usage {
        requests: record.invocations.max(1),
        input_tokens: record.input_tokens,
        output_tokens: record.output_tokens,
        cache_read_tokens: record.cache_read_tokens,
        cache_write_tokens: record.cache_write_tokens - one_hour,
        images: record.images,
        ..Usage::default()
    };
    let day = as_of.unwrap_or(record.day);
    let modes = ModeSelection::Only(vec![mode]);
    let mut est = estimate(&resolved, &record.region, day, &usage, &modes);
    if one_hour > 0 {
        // 1-hour cache writes have their own rate: price the same usage with the 1-hour
        // writes (so long-context rules judge the same requests) and take only that line.
        let hour = Usage {
            cache_write_tokens: one_hour,
            cache_ttl: CacheTtl::OneHour,
            ..usage.clone()
        };
        let h = estimate(&resolved, &record.region, day, &hour, &modes);
        if let (Some(m), Some(hm)) = (est.modes.iter_mut().find(|m| m.mode == mode), h.mode(mode)) {
            m.line_items.extend(
                hm.line_items
                    .iter()
                    .filter(|li| li.dimension == Dimension::CacheWrite1h)
                    .cloned(),
            );
        }
        for u in h.unpriced {
            if u.ends_with("cache-write-1h") && !est.unpriced.contains(&u) {
                est.unpriced.push(u);
            }
        }
    }
    let mut costs = Costs::zero();
    match est.mode(mode) {
        Some(m) => {
            for li in &m.line_items {
                let cell = costs.column(li.dimension);
                *cell = Some(cell.unwrap_or_default() + li.cost_usd);
            }
            for u in &est.unpriced {
                if let Some((_, dim)) = u.split_once('/')
                    && let Ok(d) = dim.parse::<Dimension>()
                {
                    *costs.column(d) = None;
                }
            }
        }
        // The mode has no rate here at all, or every dimension with usage is unpriced.
        None if !est.unpriced.is_empty() => costs = Costs::default(),
        None => {}
    }
    costs.sum_parts();
    Priced {
        record: record.clone(),
        resolved_model: Some(resolved.model.id.clone()),
        costs,
        unpriced: est.unpriced.clone(),
        warnings: est.warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::resolve::Aliases;
    use jiff::civil::date;

    fn record(model: &str, region: &str) -> UsageRecord {
        let mut r = UsageRecord::new(date(2026, 3, 2), region, model);
        r.invocations = 10;
        r.input_tokens = 1_000_000;
        r.output_tokens = 100_000;
        r
    }

    #[test]
    fn plain_series_are_on_demand_and_tier_series_their_tier() {
        let catalog = Catalog::load(None).unwrap();
        let resolver = Resolver::new(&catalog, Aliases::default());
        let on_demand = price(
            &record("openai.gpt-oss-120b-1:0", "us-east-1"),
            &resolver,
            None,
        );
        assert_eq!(on_demand.costs.total, Some("0.21".parse().unwrap()));
        let flex = price(
            &record("openai.gpt-oss-120b-1:0+flex", "us-east-1"),
            &resolver,
            None,
        );
        assert_eq!(flex.costs.total, Some("0.105".parse().unwrap()));
        assert_eq!(flex.status(), "ok");
    }

    #[test]
    fn what_has_no_price_is_empty_and_flagged() {
        let catalog = Catalog::load(None).unwrap();
        let resolver = Resolver::new(&catalog, Aliases::default());
        // Claude 3 Haiku has no cache rates: the cache-read cost is unknown.
        let mut r = record("anthropic.claude-3-haiku-20240307-v1:0", "us-east-1");
        r.cache_read_tokens = 5000;
        let p = price(&r, &resolver, None);
        assert_eq!(p.costs.cache_read, None);
        assert_eq!(p.costs.input, Some("0.25".parse().unwrap()));
        assert_eq!(p.unpriced, vec!["on-demand/cache-read"]);
        assert!(p.status().starts_with("unpriced:"));
        // A Region the catalog has no prices for: no cost at all.
        let p = price(
            &record("anthropic.claude-3-haiku-20240307-v1:0", "eu-west-1"),
            &resolver,
            None,
        );
        assert_eq!(p.costs, Costs::default());
        assert_eq!(p.unpriced, vec!["on-demand"]);
        // An opaque ARN without an alias.
        let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
        let p = price(&record(arn, "us-east-1"), &resolver, None);
        assert_eq!(p.status(), "unpriced: needs an alias (--aliases)");
        assert_eq!(p.costs.total, None);
    }

    #[test]
    fn one_hour_cache_writes_are_priced_at_the_one_hour_rate() {
        let catalog = Catalog::load(None).unwrap();
        let resolver = Resolver::new(&catalog, Aliases::default());
        let mut r = UsageRecord::new(
            date(2026, 3, 2),
            "us-east-1",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        );
        r.invocations = 10;
        r.cache_write_tokens = 1_000_000;
        r.cache_write_1h_tokens = 400_000;
        let p = price(&r, &resolver, None);
        // 600k at $3.75 (5 minutes) + 400k at $6.00 (1 hour) per 1M.
        assert_eq!(p.costs.cache_write, Some("4.65".parse().unwrap()));
        assert_eq!(p.status(), "ok");
        r.cache_write_1h_tokens = 0;
        let all_5m = price(&r, &resolver, None);
        assert_eq!(all_5m.costs.cache_write, Some("3.75".parse().unwrap()));
    }
}
