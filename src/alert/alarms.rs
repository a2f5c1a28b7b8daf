//! CloudWatch evaluates the budget itself: each budget whose scope CloudWatch can see
//! becomes metric-math alarms over the `AWS/Bedrock` token metrics, one expression that
//! turns token sums into dollars with the catalog's prices per model series:
//!
//! ```text
//! (FILL(m1,0)*0.06 + FILL(m2,0)*0.24 + …)/1000000      USD over the alarm's period
//! ```
//!
//! where `mN` is the daily `Sum` of one token metric of one series and each coefficient is
//! that series' price per 1M tokens in the alarm's Region (cross-Region profiles at the
//! price of the Region that recorded them, as in reports).
//!
//! **Limits, and what they force.** A metric-math alarm reads at most 10 metrics
//! (a hard limit), and an alarm's evaluation range (period × evaluation periods) is at most
//! 7 days, and it is a sliding window: no alarm can sum a calendar month. So:
//! - a `day` budget alarms when the spend of the last 24 hours (one 86 400 s period)
//!   reaches the amount — a rolling day, not the calendar day of its time zone;
//! - a `month` budget alarms on the **daily pro-rata**: the last 24 hours' spend reaching
//!   amount × 12 / 365 (the budget's share of an average day), i.e. a burn rate that would
//!   overspend the month if it held. It says nothing about the month's total: `alert check`
//!   does that.
//! - a scope with more than 10 token metrics is split into several alarms (`-part2`, …),
//!   each watching a subset of the series against the whole threshold: none of them sees the
//!   sum, and the notes say so. Narrow the scope (models, Regions) to stay in one alarm.
//!
//! Series that cannot be priced are left out and named in the notes (never a silent $0);
//! long-context rates (whole requests above 200k input tokens) cannot be told apart in
//! metrics and are priced at the base rate; image series are not included.

use rust_decimal::Decimal;

use super::budgets::{Budget, ChannelKind};
use super::period::PeriodKind;
use crate::aws::cloudwatch::{AlarmDefinition, AlarmMetric, AlarmQuery};
use crate::records::UsageRecord;
use crate::report::price;
use crate::resolve::Resolver;
use crate::sources::cloudwatch::discover::SeriesMetric;
use crate::sources::cloudwatch::metrics::{Field, NAMESPACE};

/// A metric-math alarm reads at most this many metrics (CloudWatch hard limit).
pub const MAX_METRICS_PER_ALARM: usize = 10;
/// The alarm period: one day, the longest CloudWatch metric period that fits the spend of
/// a day in one data point.
pub const PERIOD_SECS: i32 = 86_400;
/// Alarm names start with this, so `DescribeAlarms` finds ours.
pub const NAME_PREFIX: &str = "bedrock-meter-";

/// The alarms of one budget in one Region, and what the user must know about them.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    pub alarms: Vec<AlarmDefinition>,
    pub notes: Vec<String>,
}

/// One token metric of one series with its price per 1M tokens.
#[derive(Debug, Clone)]
struct Term {
    series: String,
    metric_name: String,
    dimensions: Vec<(String, String)>,
    per_million: Decimal,
}

/// The dollar threshold of a budget's alarm: the amount (day), or its share of an average
/// day (month).
pub fn daily_threshold(budget: &Budget) -> Decimal {
    match budget.period {
        PeriodKind::Day => budget.amount_usd,
        PeriodKind::Month => {
            (budget.amount_usd * Decimal::from(12) / Decimal::from(365)).round_dp(2)
        }
    }
}

fn per_million(
    resolver: &Resolver<'_>,
    region: &str,
    model_id: &str,
    field: Field,
    day: jiff::civil::Date,
) -> Result<Decimal, String> {
    let mut r = UsageRecord::new(day, region, model_id);
    r.invocations = 1;
    match field {
        Field::InputTokens => r.input_tokens = 1_000_000,
        Field::OutputTokens => r.output_tokens = 1_000_000,
        Field::CacheReadTokens => r.cache_read_tokens = 1_000_000,
        Field::CacheWriteTokens => r.cache_write_tokens = 1_000_000,
        _ => return Err("not a token metric".into()),
    }
    let p = price(&r, resolver, Some(day));
    if !p.unpriced.is_empty() {
        return Err(p.status());
    }
    p.costs.total.ok_or_else(|| "no price".to_string())
}

/// A safe alarm-name fragment of a budget name.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Plans the alarms of `budget` in `region` from the series CloudWatch lists there.
pub fn plan(
    budget: &Budget,
    channels: &std::collections::BTreeMap<String, super::budgets::Channel>,
    region: &str,
    series: &[SeriesMetric],
    resolver: &Resolver<'_>,
    day: jiff::civil::Date,
) -> Planned {
    let mut out = Planned::default();
    let mut terms: Vec<Term> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for m in series {
        if !matches!(
            m.field,
            Field::InputTokens
                | Field::OutputTokens
                | Field::CacheReadTokens
                | Field::CacheWriteTokens
        ) || m.dimensions.len() != 1
        {
            continue;
        }
        let resolved = resolver
            .resolve(&m.model_id)
            .ok()
            .map(|r| r.model.id.clone());
        if !budget.scope.matches_model(&m.model_id, resolved.as_deref()) {
            continue;
        }
        match per_million(resolver, region, &m.model_id, m.field, day) {
            Ok(p) if p.is_zero() => {}
            Ok(p) => terms.push(Term {
                series: m.model_id.clone(),
                metric_name: m.metric_name.clone(),
                dimensions: m.dimensions.clone(),
                per_million: p,
            }),
            Err(why) => skipped.push(format!("{} {} ({why})", m.model_id, m.metric_name)),
        }
    }
    if !skipped.is_empty() {
        out.notes.push(format!(
            "budget `{}` in {region}: left out of the alarm, no price: {}",
            budget.name,
            skipped.join("; ")
        ));
    }
    if terms.is_empty() {
        out.notes.push(format!(
            "budget `{}` in {region}: CloudWatch lists no priced token metric in scope (ListMetrics shows series with data in the last two weeks): no alarm",
            budget.name
        ));
        return out;
    }
    // Keep each series' metrics in one alarm where possible: sort by series.
    terms.sort_by(|a, b| {
        a.series
            .cmp(&b.series)
            .then(a.metric_name.cmp(&b.metric_name))
    });
    let chunks: Vec<&[Term]> = terms.chunks(MAX_METRICS_PER_ALARM).collect();
    let threshold = daily_threshold(budget);
    let actions: Vec<String> = budget
        .channels
        .iter()
        .filter_map(|c| match channels.get(c).map(|c| &c.kind) {
            Some(ChannelKind::Sns { topic_arn }) => Some(topic_arn.clone()),
            _ => None,
        })
        .collect();
    if actions.is_empty() {
        out.notes.push(format!(
            "budget `{}` has no SNS channel: its alarms have no action (add a channel of type \"sns\")",
            budget.name
        ));
    }
    if chunks.len() > 1 {
        out.notes.push(format!(
            "budget `{}` in {region}: {} token metrics exceed CloudWatch's 10 metrics per alarm: split into {} alarms, each against the whole threshold; no alarm sees the sum. Narrow `models` or `regions` for one alarm",
            budget.name,
            terms.len(),
            chunks.len()
        ));
    }
    let what = match budget.period {
        PeriodKind::Day => format!(
            "spend of the last 24 hours reaches the day budget {}",
            crate::money::usd(threshold)
        ),
        PeriodKind::Month => format!(
            "spend of the last 24 hours reaches {} — the daily pro-rata (amount × 12/365) of the month budget {}",
            crate::money::usd(threshold),
            crate::money::usd(budget.amount_usd)
        ),
    };
    for (i, chunk) in chunks.iter().enumerate() {
        let mut queries = Vec::new();
        let mut parts = Vec::new();
        for (j, t) in chunk.iter().enumerate() {
            let id = format!("m{}", j + 1);
            parts.push(format!("FILL({id},0)*{}", t.per_million.normalize()));
            queries.push(AlarmQuery {
                id: id.clone(),
                metric: Some(AlarmMetric {
                    namespace: NAMESPACE.to_string(),
                    metric_name: t.metric_name.clone(),
                    dimensions: t.dimensions.clone(),
                    period_secs: PERIOD_SECS,
                    stat: "Sum".to_string(),
                }),
                expression: None,
                label: Some(format!("{} {}", t.series, t.metric_name)),
                return_data: false,
            });
        }
        queries.push(AlarmQuery {
            id: "spend".into(),
            metric: None,
            expression: Some(format!("({})/1000000", parts.join("+"))),
            label: Some("Bedrock spend (USD)".into()),
            return_data: true,
        });
        let mut name = format!("{NAME_PREFIX}{}-{region}", slug(&budget.name));
        if chunks.len() > 1 {
            name.push_str(&format!("-part{}", i + 1));
        }
        let series: std::collections::BTreeSet<&str> =
            chunk.iter().map(|t| t.series.as_str()).collect();
        out.alarms.push(AlarmDefinition {
            name,
            description: format!(
                "bedrock-meter budget `{}` ({} {} USD): alarms when the {what}. Prices as of {day}; series: {}",
                budget.name,
                budget.period.as_str(),
                budget.amount_usd,
                series.into_iter().collect::<Vec<_>>().join(", ")
            )
            .chars()
            .take(1024)
            .collect(),
            comparison: "GreaterThanOrEqualToThreshold".into(),
            threshold: threshold.try_into().unwrap_or(0.0),
            evaluation_periods: 1,
            treat_missing_data: "notBreaching".into(),
            alarm_actions: actions.clone(),
            queries,
        });
    }
    out
}

fn yaml_str(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::Value::String(s.to_string()).to_string()
}

/// The alarms as a CloudFormation template (YAML).
pub fn cloudformation(alarms: &[AlarmDefinition]) -> String {
    let mut y = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: \"Bedrock budget alarms generated by bedrock-meter alert alarms\"\nResources:\n",
    );
    for (i, a) in alarms.iter().enumerate() {
        y.push_str(&format!(
            "  BudgetAlarm{}:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n",
            i + 1
        ));
        y.push_str(&format!("      AlarmName: {}\n", yaml_str(&a.name)));
        y.push_str(&format!(
            "      AlarmDescription: {}\n",
            yaml_str(&a.description)
        ));
        y.push_str(&format!("      ComparisonOperator: {}\n", a.comparison));
        y.push_str(&format!("      Threshold: {}\n", a.threshold));
        y.push_str(&format!(
            "      EvaluationPeriods: {}\n",
            a.evaluation_periods
        ));
        y.push_str(&format!(
            "      TreatMissingData: {}\n",
            a.treat_missing_data
        ));
        if !a.alarm_actions.is_empty() {
            y.push_str("      AlarmActions:\n");
            for act in &a.alarm_actions {
                y.push_str(&format!("        - {}\n", yaml_str(act)));
            }
        }
        y.push_str("      Metrics:\n");
        for q in &a.queries {
            y.push_str(&format!("        - Id: {}\n", q.id));
            if let Some(l) = &q.label {
                y.push_str(&format!("          Label: {}\n", yaml_str(l)));
            }
            if let Some(e) = &q.expression {
                y.push_str(&format!("          Expression: {}\n", yaml_str(e)));
            }
            if let Some(AlarmMetric {
                namespace: ns,
                metric_name: name,
                dimensions: dims,
                period_secs: period,
                stat,
            }) = &q.metric
            {
                y.push_str(&format!(
                    "          MetricStat:\n            Metric:\n              Namespace: {}\n              MetricName: {}\n              Dimensions:\n",
                    yaml_str(ns),
                    yaml_str(name)
                ));
                for (n, v) in dims {
                    y.push_str(&format!(
                        "                - Name: {}\n                  Value: {}\n",
                        yaml_str(n),
                        yaml_str(v)
                    ));
                }
                y.push_str(&format!(
                    "            Period: {period}\n            Stat: {stat}\n"
                ));
            }
            y.push_str(&format!("          ReturnData: {}\n", q.return_data));
        }
    }
    y
}

/// The alarms as JSON, in PutMetricAlarm's input shape (`aws cloudwatch put-metric-alarm
/// --cli-input-json` takes each element).
pub fn json(alarms: &[AlarmDefinition]) -> serde_json::Value {
    serde_json::Value::Array(
        alarms
            .iter()
            .map(|a| {
                let metrics: Vec<serde_json::Value> = a
                    .queries
                    .iter()
                    .map(|q| {
                        let mut o = serde_json::json!({"Id": q.id, "ReturnData": q.return_data});
                        if let Some(l) = &q.label {
                            o["Label"] = l.clone().into();
                        }
                        if let Some(e) = &q.expression {
                            o["Expression"] = e.clone().into();
                        }
                        if let Some(AlarmMetric {
                            namespace: ns,
                            metric_name: name,
                            dimensions: dims,
                            period_secs: period,
                            stat,
                        }) = &q.metric
                        {
                            o["MetricStat"] = serde_json::json!({
                                "Metric": {
                                    "Namespace": ns,
                                    "MetricName": name,
                                    "Dimensions": dims.iter().map(|(n, v)| serde_json::json!({"Name": n, "Value": v})).collect::<Vec<_>>(),
                                },
                                "Period": period,
                                "Stat": stat,
                            });
                        }
                        o
                    })
                    .collect();
                serde_json::json!({
                    "AlarmName": a.name,
                    "AlarmDescription": a.description,
                    "ComparisonOperator": a.comparison,
                    "Threshold": a.threshold,
                    "EvaluationPeriods": a.evaluation_periods,
                    "TreatMissingData": a.treat_missing_data,
                    "AlarmActions": a.alarm_actions,
                    "Metrics": metrics,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::budgets::parse;
    use crate::catalog::Catalog;
    use crate::resolve::Aliases;

    fn metric(model: &str, name: &str, field: Field) -> SeriesMetric {
        SeriesMetric {
            model_id: model.into(),
            metric_name: name.into(),
            field,
            dimensions: vec![("ModelId".into(), model.into())],
        }
    }

    #[test]
    fn more_than_ten_metrics_split_and_say_so() {
        let catalog = Catalog::load(None).unwrap();
        let resolver = Resolver::new(&catalog, Aliases::default());
        let f = parse(
            "b.toml",
            "[channels.t]\ntype = \"sns\"\ntopic_arn = \"arn:aws:sns:us-east-1:123456789012:t\"\n[[budget]]\nname = \"all\"\nperiod = \"month\"\namount_usd = 365\nchannels = [\"t\"]\n",
            &catalog,
        )
        .unwrap();
        let models = [
            "amazon.nova-lite-v1:0",
            "amazon.nova-micro-v1:0",
            "amazon.nova-pro-v1:0",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "meta.llama3-1-8b-instruct-v1:0",
            "mistral.mistral-7b-instruct-v0:2",
        ];
        let series: Vec<SeriesMetric> = models
            .iter()
            .flat_map(|m| {
                [
                    metric(m, "InputTokenCount", Field::InputTokens),
                    metric(m, "OutputTokenCount", Field::OutputTokens),
                    metric(m, "Invocations", Field::Invocations),
                ]
            })
            .collect();
        let p = plan(
            &f.budgets[0],
            &f.channels,
            "us-east-1",
            &series,
            &resolver,
            jiff::civil::date(2026, 11, 1),
        );
        assert_eq!(p.alarms.len(), 2, "{:?}", p.notes);
        assert!(p.alarms.iter().all(|a| a.queries.len() <= 11));
        assert_eq!(p.alarms[0].threshold, 12.0);
        assert_eq!(
            p.alarms[0].alarm_actions,
            vec!["arn:aws:sns:us-east-1:123456789012:t".to_string()]
        );
        assert!(
            p.notes.iter().any(|n| n.contains("split into 2 alarms")),
            "{:?}",
            p.notes
        );
        let yaml = cloudformation(&p.alarms);
        assert!(
            yaml.contains("Type: AWS::CloudWatch::Alarm") && yaml.contains("FILL(m1,0)*"),
            "{yaml}"
        );
    }
}
