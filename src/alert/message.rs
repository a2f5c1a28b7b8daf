//! The words of an alert: one line of text (Slack's `text`, the SNS message, stdout) and a
//! JSON document with the same facts as fields. Messages carry what was measured — budget,
//! period, spend, forecast, threshold, top models and principals — and no links: the tool
//! knows no console URL that is certain to be right for the reader's account.
//!
//! Model IDs and principals come from AWS records and are untrusted: the JSON carries them
//! raw (JSON escapes them); the text goes through [`crate::export::sanitize::for_terminal`]
//! so a principal name cannot inject terminal escapes into a console reading stdout.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::evaluate::{Evaluation, Kind};
use crate::export::sanitize::for_terminal;
use crate::money;

/// One alert, ready for any channel.
#[derive(Debug, Clone)]
pub struct Message {
    /// SNS subject (at most 100 characters).
    pub subject: String,
    pub text: String,
    pub json: Value,
}

fn usd(d: Decimal) -> String {
    money::usd(d)
}

fn list(items: &[(String, Decimal)]) -> String {
    items
        .iter()
        .map(|(k, v)| format!("{} {}", for_terminal(k), usd(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message of the alert `kind` at `threshold`% for evaluation `e`.
pub fn build(e: &Evaluation, kind: Kind, threshold: u32, covers: &[u32]) -> Message {
    let b = &e.budget;
    let period = e.period.key();
    let name = for_terminal(&b.name);
    let what = match kind {
        Kind::Actual => format!("has reached {threshold}% of its budget"),
        Kind::Forecast => {
            format!("is forecast to reach {threshold}% of its budget by the end of the period")
        }
    };
    let mut text = format!(
        "Bedrock budget \"{name}\" ({} {period}, {}) {what}: spent {} of {} ({}%)",
        b.period.as_str(),
        b.timezone,
        usd(e.spent),
        usd(b.amount_usd),
        e.percent(),
    );
    if let (Some(f), Some(fp)) = (e.forecast, e.forecast_percent()) {
        text.push_str(&format!("; forecast {} ({fp}%) at period end", usd(f)));
    }
    if !e.top_models.is_empty() {
        text.push_str(&format!(". Top models: {}", list(&e.top_models)));
    }
    if !e.top_principals.is_empty() {
        text.push_str(&format!(". Top principals: {}", list(&e.top_principals)));
    }
    if e.unpriced_series_days > 0 {
        text.push_str(&format!(
            ". {} series-day(s) could not be priced: spend is a lower bound",
            e.unpriced_series_days
        ));
    }
    text.push('.');
    let subject: String = format!(
        "bedrock-meter: {name} {} {threshold}% ({period})",
        kind.as_str()
    )
    .chars()
    .take(100)
    .collect();
    let pairs = |v: &[(String, Decimal)]| -> Vec<Value> {
        v.iter()
            .map(|(k, c)| json!({"name": k, "cost_usd": money::display(*c).to_string()}))
            .collect()
    };
    let json = json!({
        "text": text,
        "budget": b.name,
        "period": b.period.as_str(),
        "period_key": period,
        "period_start": e.period.start.timestamp().to_string(),
        "period_end": e.period.end.timestamp().to_string(),
        "timezone": b.timezone,
        "evaluated_at": e.at.to_string(),
        "kind": kind.as_str(),
        "threshold_percent": threshold,
        "covers_percent": covers,
        "amount_usd": money::display(b.amount_usd).to_string(),
        "spent_usd": money::display(e.spent).to_string(),
        "percent": e.percent().to_string(),
        "forecast_usd": e.forecast.map(|f| money::display(f).to_string()),
        "top_models": pairs(&e.top_models),
        "top_principals": pairs(&e.top_principals),
        "unpriced_series_days": e.unpriced_series_days,
        "source": "bedrock-meter",
    });
    Message {
        subject,
        text,
        json,
    }
}
