//! `report reconcile`: what bedrock-meter estimated (from CloudWatch metrics or invocation
//! logs) against what AWS billed (Cost Explorer), per day × Region × model × dimension.
//!
//! Each bill line's usage type is mapped back to model × Region × mode × dimension with
//! the Price List join of [`crate::catalog::pricelist::billed`]; each priced usage record
//! is split into the same dimensions. The two sides are compared in dollars and in
//! quantities (tokens, images), and each row gets a [`Status`]:
//!
//! - `ok`: the estimate is within the tolerance (percent of the billed amount);
//! - `over` / `under`: the estimate is above / below the bill by more than that;
//! - `billed-only`: billed, but nothing a meter of requests can see (provisioned throughput
//!   hours, training, storage, Custom Model Import, batch jobs), or no usage was read for it;
//! - `metrics-only`: usage was read but nothing was billed for it;
//! - `unmapped usage type`: a usage type the join cannot read, listed in full;
//! - `not final yet`: the day ended less than 48 hours ago or Cost Explorer marks it
//!   `Estimated`: the bill may still grow.
//!
//! Credits, discounts, refunds and tax are not usage: they are totalled apart.

pub mod document;
pub mod quantity;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::catalog::pricelist::billed::billed_usage;
use crate::catalog::pricelist::tables::Tables;
use crate::catalog::{Dimension, Mode};
use crate::records::{Bill, BillLine, Source};
use crate::report::Priced;

/// How one row compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Ok,
    Over,
    Under,
    BilledOnly,
    MetricsOnly,
    Unmapped,
    NotFinal,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::Over,
        Status::Under,
        Status::BilledOnly,
        Status::MetricsOnly,
        Status::Unmapped,
        Status::NotFinal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Over => "over",
            Status::Under => "under",
            Status::BilledOnly => "billed-only",
            Status::MetricsOnly => "metrics-only",
            Status::Unmapped => "unmapped usage type",
            Status::NotFinal => "not final yet",
        }
    }
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct Options {
    pub since: Date,
    pub until: Date,
    /// `ok` within this many percent of the billed amount.
    pub tolerance_pct: Decimal,
    /// Days on or after this one are not final yet (today − 2 days, UTC).
    pub final_before: Date,
    /// Where the estimate's usage came from.
    pub source: Source,
}

/// One compared (or one-sided) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub day: Date,
    pub region: String,
    /// The catalog model ID; empty for an unmapped usage type.
    pub model: String,
    /// `input-tokens`, `output-tokens`, `cache-read`, `cache-write`, `image`, or (billed
    /// only) the mode and dimension of what was billed.
    pub dimension: String,
    /// The bill's usage types summed into this row (untrusted text).
    pub usage_types: Vec<String>,
    /// Billed dollars; `None` when nothing was billed.
    pub billed: Option<Decimal>,
    /// Estimated dollars; `None` when nothing was read or it is unpriced.
    pub estimated: Option<Decimal>,
    /// `estimated − billed`, when both are known.
    pub difference: Option<Decimal>,
    /// `difference / billed × 100`, rounded to 2 places.
    pub percent: Option<Decimal>,
    /// Billed quantity in tokens (or images); `None` when its unit is unknown.
    pub billed_quantity: Option<Decimal>,
    /// The quantity as Cost Explorer reported it, with its unit (`12.5 Units`).
    pub billed_quantity_raw: String,
    pub estimated_quantity: Option<Decimal>,
    pub quantity_difference: Option<Decimal>,
    pub status: Status,
    /// Why the row has its status.
    pub detail: String,
}

/// Totals of one day, or of the range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Every usage line billed (mapped or not).
    pub billed: Decimal,
    /// Every priced estimate.
    pub estimated: Decimal,
    /// Of which on rows billed and estimated (`ok`/`over`/`under`, and not-final rows
    /// with both sides).
    pub compared_billed: Decimal,
    pub compared_estimated: Decimal,
    pub billed_only: Decimal,
    pub unmapped: Decimal,
    pub metrics_only: Decimal,
    /// Credits, discounts, refunds, tax (negative for credits).
    pub adjustments: Decimal,
    /// Series-days or dimensions whose estimate is unpriced (left out of `estimated`).
    pub unpriced: u64,
}

impl Totals {
    /// What was paid: usage plus adjustments.
    pub fn net_billed(&self) -> Decimal {
        self.billed + self.adjustments
    }

    fn add_row(&mut self, r: &Row) {
        let b = r.billed.unwrap_or_default();
        let e = r.estimated.unwrap_or_default();
        self.billed += b;
        self.estimated += e;
        match r.status {
            Status::BilledOnly => self.billed_only += b,
            Status::Unmapped => self.unmapped += b,
            Status::MetricsOnly => self.metrics_only += e,
            _ => {}
        }
        if r.billed.is_some() && r.estimated.is_some() {
            self.compared_billed += b;
            self.compared_estimated += e;
        }
    }
}

/// One adjustment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub day: Date,
    pub service: String,
    /// `Credit`, `Discount`, `Refund`, `Tax`… (untrusted text).
    pub record_type: String,
    pub amount: Decimal,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub since: Date,
    pub until: Date,
    pub tolerance_pct: Decimal,
    pub source: Source,
    pub services: Vec<String>,
    pub rows: Vec<Row>,
    pub days: BTreeMap<Date, Totals>,
    pub total: Totals,
    pub adjustments: Vec<Adjustment>,
    /// Adjustments per record type over the range.
    pub adjustments_by_type: BTreeMap<String, Decimal>,
    pub counts: BTreeMap<Status, u64>,
    pub notes: Vec<String>,
}

/// The dimensions a request meter sees, as the estimate splits them.
const METERED: [&str; 5] = [
    "input-tokens",
    "output-tokens",
    "cache-read",
    "cache-write",
    "image",
];

fn metered(d: Dimension) -> Option<&'static str> {
    Some(match d {
        Dimension::InputTokens => METERED[0],
        Dimension::OutputTokens => METERED[1],
        Dimension::CacheRead => METERED[2],
        Dimension::CacheWrite5m | Dimension::CacheWrite1h => METERED[3],
        Dimension::Image => METERED[4],
        _ => return None,
    })
}

/// Words of usage types Bedrock bills for what no request meter sees.
const BILLED_ONLY_WORDS: [(&str, &str); 9] = [
    ("provisioned", "provisioned throughput"),
    ("modelunit", "provisioned throughput (model units)"),
    ("reserved", "reserved capacity"),
    ("customization", "model customization"),
    ("training", "model customization (training)"),
    ("storage", "custom-model storage"),
    ("custommodel", "Custom Model Import"),
    ("import", "Custom Model Import"),
    ("cmu", "Custom Model Import"),
];

fn billed_only_kind(usage_type: &str) -> Option<&'static str> {
    let squashed: String = usage_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    BILLED_ONLY_WORDS
        .iter()
        .find(|(w, _)| squashed.contains(w))
        .map(|(_, kind)| *kind)
}

type Key = (Date, String, String, String);

#[derive(Default)]
struct Side {
    cost: Decimal,
    cost_unknown: bool,
    quantity: Decimal,
    quantity_unknown: bool,
    usage_types: BTreeSet<String>,
    raw: Vec<String>,
    unpriced: BTreeSet<String>,
}

/// Compares `bill` with the priced usage records `priced`.
pub fn reconcile(
    bill: &Bill,
    priced: &[Priced],
    tables: &Tables,
    opts: &Options,
) -> Reconciliation {
    let mut billed: BTreeMap<Key, Side> = BTreeMap::new();
    let mut rows = Vec::new();
    let estimated_days: BTreeSet<Date> = bill.estimated_days.iter().copied().collect();
    for l in &bill.usage {
        if l.day < opts.since || l.day >= opts.until {
            continue;
        }
        match billed_usage(tables, &l.service, &l.key) {
            Ok(b) => match (
                b.mode.is_per_request() && b.mode != Mode::Batch,
                metered(b.dimension),
            ) {
                (true, Some(dim)) => {
                    let side = billed
                        .entry((l.day, b.region.clone(), b.model_id.clone(), dim.to_string()))
                        .or_default();
                    side.cost += l.cost;
                    match quantity::scale(&l.quantity_unit, b.marketplace) {
                        Some(s) => side.quantity += l.quantity * s,
                        None => side.quantity_unknown = true,
                    }
                    side.usage_types.insert(l.key.clone());
                    side.raw.push(raw(l));
                }
                _ => rows.push(one_sided(
                    l,
                    &b.region,
                    &b.model_id,
                    &format!("{}/{}", b.mode, b.dimension),
                    Status::BilledOnly,
                    if b.mode == Mode::Batch {
                        "batch inference: CloudWatch's request metrics do not count batch jobs"
                            .to_string()
                    } else {
                        format!("{} {}: no request meter sees it", b.mode, b.dimension)
                    },
                )),
            },
            Err(e) => {
                let region = crate::catalog::pricelist::usage_type::parse(&l.key)
                    .ok()
                    .and_then(|u| tables.region_of(&u.prefix).map(str::to_string))
                    .or_else(|| {
                        l.key
                            .split_once('-')
                            .and_then(|(p, _)| tables.region_of(p).map(str::to_string))
                    })
                    .unwrap_or_default();
                match billed_only_kind(&l.key) {
                    Some(kind) => rows.push(one_sided(
                        l,
                        &region,
                        &segment_model(tables, &l.key).unwrap_or_default(),
                        kind,
                        Status::BilledOnly,
                        format!("{kind} (service `{}`): no request meter sees it", l.service),
                    )),
                    None => rows.push(one_sided(
                        l,
                        &region,
                        "",
                        "",
                        Status::Unmapped,
                        format!("{e} (service `{}`)", l.service),
                    )),
                }
            }
        }
    }
    let mut estimated: BTreeMap<Key, Side> = BTreeMap::new();
    for p in priced {
        let r = &p.record;
        if r.day < opts.since || r.day >= opts.until {
            continue;
        }
        let model = p
            .resolved_model
            .clone()
            .unwrap_or_else(|| r.model_id.clone());
        let c = &p.costs;
        let parts = [
            (METERED[0], c.input, r.input_tokens),
            (METERED[1], c.output, r.output_tokens),
            (METERED[2], c.cache_read, r.cache_read_tokens),
            (METERED[3], c.cache_write, r.cache_write_tokens),
            (METERED[4], c.image, r.images),
        ];
        for (dim, cost, qty) in parts {
            if qty == 0 && cost.unwrap_or_default().is_zero() {
                continue;
            }
            let side = estimated
                .entry((r.day, r.region.clone(), model.clone(), dim.to_string()))
                .or_default();
            side.quantity += Decimal::from(qty);
            side.usage_types.insert(r.model_id.clone());
            match cost {
                Some(v) if p.resolved_model.is_some() => side.cost += v,
                _ => {
                    side.cost_unknown = true;
                    side.unpriced.insert(if p.unpriced.is_empty() {
                        "unpriced".to_string()
                    } else {
                        p.unpriced.join(", ")
                    });
                }
            }
        }
    }
    let keys: BTreeSet<Key> = billed.keys().chain(estimated.keys()).cloned().collect();
    for k in keys {
        rows.push(compare(&k, billed.get(&k), estimated.get(&k), opts));
    }
    let mut unpriced_count = 0;
    for r in &mut rows {
        if r.estimated.is_none() && r.detail.contains("unpriced") {
            unpriced_count += 1;
        }
        if r.status != Status::Unmapped
            && (r.day >= opts.final_before || estimated_days.contains(&r.day))
        {
            let why = if estimated_days.contains(&r.day) {
                "Cost Explorer marks the day Estimated"
            } else {
                "the day ended less than 48 hours ago"
            };
            r.detail = format!("{why}; would be {}: {}", r.status.as_str(), r.detail);
            r.status = Status::NotFinal;
        }
    }
    rows.sort_by(|a, b| {
        (a.day, &a.region, &a.model, &a.dimension, &a.usage_types).cmp(&(
            b.day,
            &b.region,
            &b.model,
            &b.dimension,
            &b.usage_types,
        ))
    });
    let mut days: BTreeMap<Date, Totals> = BTreeMap::new();
    let mut total = Totals::default();
    let mut counts = BTreeMap::new();
    for r in &rows {
        days.entry(r.day).or_default().add_row(r);
        total.add_row(r);
        *counts.entry(r.status).or_insert(0) += 1;
    }
    total.unpriced = unpriced_count;
    let mut adjustments = Vec::new();
    let mut adjustments_by_type = BTreeMap::new();
    for a in &bill.adjustments {
        if a.day < opts.since || a.day >= opts.until {
            continue;
        }
        days.entry(a.day).or_default().adjustments += a.cost;
        total.adjustments += a.cost;
        *adjustments_by_type
            .entry(a.key.clone())
            .or_insert(Decimal::ZERO) += a.cost;
        adjustments.push(Adjustment {
            day: a.day,
            service: a.service.clone(),
            record_type: a.key.clone(),
            amount: a.cost,
        });
    }
    let mut notes = Vec::new();
    if !bill.bad_lines.is_empty() {
        notes.push(format!(
            "{} Cost Explorer line(s) could not be read and are not in the rows:",
            bill.bad_lines.len()
        ));
        notes.extend(bill.bad_lines.iter().cloned());
    }
    if total.unpriced > 0 {
        notes.push(format!(
            "{} row(s) have an unpriced estimate: left empty, not $0, and out of the estimated totals",
            total.unpriced
        ));
    }
    if rows
        .iter()
        .any(|r| r.billed.is_some() && r.billed_quantity.is_none() && r.status != Status::Unmapped)
    {
        notes.push("some billed quantities are in a unit Cost Explorer names too loosely to convert (shown as billed, not compared)".to_string());
    }
    if rows
        .iter()
        .any(|r| r.usage_types.iter().any(|u| u.contains("MP:")))
    {
        notes.push("Marketplace (… Amazon Bedrock Edition) quantities in `Units` are read as millions of tokens, the unit of their Price List descriptions".to_string());
    }
    Reconciliation {
        since: opts.since,
        until: opts.until,
        tolerance_pct: opts.tolerance_pct,
        source: opts.source,
        services: bill.services.clone(),
        rows,
        days,
        total,
        adjustments,
        adjustments_by_type,
        counts,
        notes,
    }
}

/// The model a usage type names by its leading segment (`USE1-NovaLite-Provisioned…` →
/// Nova Lite), when the join table knows one.
fn segment_model(tables: &Tables, usage_type: &str) -> Option<String> {
    let (_, rest) = usage_type.split_once('-')?;
    let parts: Vec<&str> = rest.split('-').collect();
    (1..parts.len())
        .rev()
        .find_map(|n| tables.by_segment(&parts[..n].join("-")))
        .map(|e| e.model_id.clone())
}

fn raw(l: &BillLine) -> String {
    format!("{} {}", l.quantity.normalize(), l.quantity_unit)
}

fn one_sided(
    l: &BillLine,
    region: &str,
    model: &str,
    dimension: &str,
    status: Status,
    detail: String,
) -> Row {
    Row {
        day: l.day,
        region: region.to_string(),
        model: model.to_string(),
        dimension: dimension.to_string(),
        usage_types: vec![l.key.clone()],
        billed: Some(l.cost),
        estimated: None,
        difference: None,
        percent: None,
        billed_quantity: None,
        billed_quantity_raw: raw(l),
        estimated_quantity: None,
        quantity_difference: None,
        status,
        detail,
    }
}

fn percent(diff: Decimal, base: Decimal) -> Option<Decimal> {
    (!base.is_zero()).then(|| (diff / base * Decimal::from(100)).round_dp(2))
}

fn compare(k: &Key, b: Option<&Side>, e: Option<&Side>, opts: &Options) -> Row {
    let (day, region, model, dimension) = k.clone();
    let billed = b.map(|s| s.cost);
    let estimated = e.filter(|s| !s.cost_unknown).map(|s| s.cost);
    let billed_quantity = b.filter(|s| !s.quantity_unknown).map(|s| s.quantity);
    let estimated_quantity = e.map(|s| s.quantity);
    let difference = billed.zip(estimated).map(|(b, e)| e - b);
    let pct = difference.zip(billed).and_then(|(d, b)| percent(d, b));
    let quantity_difference = billed_quantity.zip(estimated_quantity).map(|(b, e)| e - b);
    let qty_pct = quantity_difference
        .zip(billed_quantity)
        .and_then(|(d, b)| percent(d, b));
    let mut usage_types: Vec<String> = b
        .map(|s| s.usage_types.iter().cloned().collect())
        .unwrap_or_default();
    let series: Vec<String> = e
        .map(|s| s.usage_types.iter().cloned().collect())
        .unwrap_or_default();
    usage_types.sort();
    let within = |p: Option<Decimal>, d: Option<Decimal>| match (p, d) {
        (Some(p), _) => p.abs() <= opts.tolerance_pct,
        (None, Some(d)) => d.is_zero(),
        _ => false,
    };
    let source = match opts.source {
        Source::InvocationLogs => "invocation logs",
        _ => "CloudWatch",
    };
    let (status, detail) = match (b, e) {
        (Some(_), None) => (
            Status::BilledOnly,
            format!("billed, but {source} shows no usage of this model in this Region that day"),
        ),
        (None, Some(s)) => (
            Status::MetricsOnly,
            format!(
                "{source} usage ({}) with no bill line{}",
                series.join(", "),
                if s.cost_unknown {
                    "; estimate unpriced"
                } else {
                    ""
                }
            ),
        ),
        (Some(_), Some(s)) if s.cost_unknown => {
            // No estimate in dollars: judge by quantity.
            let unp: Vec<String> = s.unpriced.iter().cloned().collect();
            let status = match quantity_difference {
                _ if within(qty_pct, quantity_difference) => Status::Ok,
                Some(d) if d > Decimal::ZERO => Status::Over,
                Some(_) => Status::Under,
                None => Status::Under,
            };
            (
                status,
                format!("estimate unpriced ({}); status by quantity", unp.join("; ")),
            )
        }
        (Some(_), Some(_)) => {
            let status = if within(pct, difference) {
                Status::Ok
            } else if difference.unwrap_or_default() > Decimal::ZERO {
                Status::Over
            } else {
                Status::Under
            };
            let mut detail = format!("series {}", series.join(", "));
            if !within(qty_pct, quantity_difference) && billed_quantity.is_some() {
                detail.push_str(&format!(
                    "; quantities differ by {}%",
                    qty_pct.map(|p| p.to_string()).unwrap_or_else(|| "?".into())
                ));
            }
            (status, detail)
        }
        (None, None) => unreachable!("a key comes from one side at least"),
    };
    Row {
        day,
        region,
        model,
        dimension,
        usage_types,
        billed,
        estimated,
        difference,
        percent: pct,
        billed_quantity,
        billed_quantity_raw: b.map(|s| s.raw.join(" + ")).unwrap_or_default(),
        estimated_quantity,
        quantity_difference,
        status,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::UsageRecord;
    use crate::report::Costs;
    use jiff::civil::date;
    use std::str::FromStr;

    const MICRO: &str = "amazon.nova-micro-v1:0";

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn line(day: Date, ut: &str, cost: &str, qty: &str) -> BillLine {
        BillLine {
            day,
            service: "Amazon Bedrock".into(),
            key: ut.into(),
            cost: dec(cost),
            quantity: dec(qty),
            quantity_unit: "1K tokens".into(),
            estimated: false,
        }
    }

    fn priced(day: Date, model: &str, input_tokens: u64, cost: Option<&str>) -> Priced {
        let mut r = UsageRecord::new(day, "us-east-1", model);
        r.input_tokens = input_tokens;
        Priced {
            record: r,
            resolved_model: cost.map(|_| model.to_string()),
            costs: Costs {
                input: cost.map(dec),
                total: cost.map(dec),
                ..Costs::default()
            },
            unpriced: if cost.is_none() {
                vec!["unknown model".into()]
            } else {
                vec![]
            },
            warnings: vec![],
        }
    }

    fn opts(final_before: Date) -> Options {
        Options {
            since: date(2026, 3, 1),
            until: date(2026, 3, 10),
            tolerance_pct: Decimal::ONE,
            final_before,
            source: Source::CloudWatch,
        }
    }

    fn run(bill: Vec<BillLine>, priced: Vec<Priced>, final_before: Date) -> Reconciliation {
        let bill = Bill {
            usage: bill,
            ..Bill::default()
        };
        reconcile(&bill, &priced, &Tables::embedded(), &opts(final_before))
    }

    #[test]
    fn the_tolerance_is_inclusive_and_a_hair_more_is_over() {
        let d = date(2026, 3, 2);
        let ut = "USE1-NovaMicro-input-tokens";
        let r = run(
            vec![line(d, ut, "1.00", "1000")],
            vec![priced(d, MICRO, 1_000_000, Some("1.01"))],
            date(2026, 4, 1),
        );
        assert_eq!(r.rows[0].status, Status::Ok);
        assert_eq!(r.rows[0].percent, Some(dec("1")));
        let r = run(
            vec![line(d, ut, "1.00", "1000")],
            vec![priced(d, MICRO, 1_000_000, Some("1.0101"))],
            date(2026, 4, 1),
        );
        assert_eq!(r.rows[0].status, Status::Over);
        assert_eq!(r.rows[0].difference, Some(dec("0.0101")));
    }

    #[test]
    fn days_of_the_last_48_hours_are_not_final_and_say_what_they_would_be() {
        let (d1, d2) = (date(2026, 3, 2), date(2026, 3, 3));
        let ut = "USE1-NovaMicro-input-tokens";
        let r = run(
            vec![line(d1, ut, "1", "1000"), line(d2, ut, "1", "1000")],
            vec![
                priced(d1, MICRO, 1_000_000, Some("1")),
                priced(d2, MICRO, 1_000_000, Some("2")),
            ],
            d2,
        );
        assert_eq!(r.rows[0].status, Status::Ok);
        assert_eq!(r.rows[1].status, Status::NotFinal);
        assert!(
            r.rows[1].detail.contains("48 hours"),
            "{}",
            r.rows[1].detail
        );
        assert!(
            r.rows[1].detail.contains("would be over"),
            "{}",
            r.rows[1].detail
        );
    }

    #[test]
    fn batch_lines_are_billed_only_and_unpriced_estimates_are_never_zero() {
        let d = date(2026, 3, 2);
        let r = run(
            vec![line(d, "USE1-NovaMicro-input-tokens-batch", "0.5", "1000")],
            vec![priced(d, "acme.unknown-v1", 1_000, None)],
            date(2026, 4, 1),
        );
        let batch = r.rows.iter().find(|r| r.billed.is_some()).unwrap();
        assert_eq!(batch.status, Status::BilledOnly);
        assert!(batch.detail.contains("batch"), "{}", batch.detail);
        let unknown = r.rows.iter().find(|r| r.billed.is_none()).unwrap();
        assert_eq!(unknown.status, Status::MetricsOnly);
        assert_eq!(unknown.estimated, None);
        assert!(unknown.detail.contains("unpriced"), "{}", unknown.detail);
        assert_eq!(r.total.estimated, Decimal::ZERO);
        assert_eq!(r.total.billed_only, dec("0.5"));
    }
}
