//! Evaluating one budget: its spend in the current period so far, the forecast, the
//! thresholds crossed, and which alerts are due given the state file.
//!
//! Spend is the sum of priced usage records in the budget's scope over the local days from
//! the period's first day to the day of the evaluation instant (`--at`), that day included
//! as far as the source has it. Usage that could not be priced is not counted as $0: it is
//! counted in `unpriced_series_days` and the status says the spend is a lower bound.
//!
//! Several thresholds crossed at once give one alert, for the highest; the lower ones are
//! recorded as covered by it. A forecast alert is only due for a threshold that actual
//! spend has not crossed yet.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::budgets::Budget;
use super::forecast::{self, History};
use super::period::Period;
use super::state::{self, State};
use crate::report::Priced;

/// Actual spend or the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Actual,
    Forecast,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Actual => "actual",
            Kind::Forecast => "forecast",
        }
    }
}

/// The highest threshold of one kind crossed now.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    pub kind: Kind,
    pub threshold: u32,
    /// Every crossed threshold of this kind (the alert covers them all), ascending.
    pub covers: Vec<u32>,
}

impl Crossing {
    pub fn key(&self, budget: &str, period: &str) -> String {
        state::key(budget, period, self.kind.as_str(), self.threshold)
    }
}

/// One budget as of one instant.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub budget: Budget,
    pub period: Period,
    pub at: Timestamp,
    pub spent: Decimal,
    pub forecast: Option<Decimal>,
    /// Spend per local day of the period up to the evaluation day.
    pub daily: Vec<(Date, Decimal)>,
    /// Series-days in scope that could not be (fully) priced.
    pub unpriced_series_days: usize,
    /// Costliest models (catalog ID, else the raw series) and principals, top 3.
    pub top_models: Vec<(String, Decimal)>,
    pub top_principals: Vec<(String, Decimal)>,
    pub crossings: Vec<Crossing>,
}

/// An alert to deliver: a crossing and the channels that do not have it yet.
#[derive(Debug, Clone)]
pub struct Due {
    pub crossing: Crossing,
    pub channels: Vec<String>,
}

fn percent_of(x: Decimal, amount: Decimal) -> Decimal {
    (x * Decimal::ONE_HUNDRED / amount).round_dp(1)
}

impl Evaluation {
    pub fn percent(&self) -> Decimal {
        percent_of(self.spent, self.budget.amount_usd)
    }

    pub fn forecast_percent(&self) -> Option<Decimal> {
        self.forecast.map(|f| percent_of(f, self.budget.amount_usd))
    }

    /// `ok`, `over 80%`, `forecast over 100%`, with `(lower bound: N unpriced)` appended.
    pub fn status(&self) -> String {
        let actual = self.crossings.iter().find(|c| c.kind == Kind::Actual);
        let fc = self.crossings.iter().find(|c| c.kind == Kind::Forecast);
        let mut s = match (actual, fc) {
            (Some(a), Some(f)) => format!("over {}%, forecast over {}%", a.threshold, f.threshold),
            (Some(a), None) => format!("over {}%", a.threshold),
            (None, Some(f)) => format!("forecast over {}%", f.threshold),
            (None, None) => "ok".to_string(),
        };
        if self.unpriced_series_days > 0 {
            s.push_str(&format!(
                " (lower bound: {} series-day(s) unpriced)",
                self.unpriced_series_days
            ));
        }
        s
    }

    /// The alerts due: crossings whose key some channel of the budget has not received.
    pub fn due(&self, state: &State) -> Vec<Due> {
        let period = self.period.key();
        self.crossings
            .iter()
            .filter_map(|c| {
                let key = c.key(&self.budget.name, &period);
                let channels: Vec<String> = self
                    .budget
                    .channels
                    .iter()
                    .filter(|ch| !state.delivered(&key, ch))
                    .cloned()
                    .collect();
                (!channels.is_empty()).then(|| Due {
                    crossing: c.clone(),
                    channels,
                })
            })
            .collect()
    }
}

/// Evaluates `budget` as of `at` over `priced` records (any days; those outside the
/// period or the scope are ignored).
pub fn evaluate(
    budget: &Budget,
    priced: &[Priced],
    at: Timestamp,
) -> Result<Evaluation, jiff::Error> {
    let period = Period::containing(budget.period, at, &budget.tz)?;
    let today = at.to_zoned(budget.tz.clone()).date();
    let first = period.first_day();
    let mut by_day: BTreeMap<Date, Decimal> = BTreeMap::new();
    let mut models: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut principals: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut unpriced = 0;
    for p in priced {
        let r = &p.record;
        if r.day < first || r.day > today {
            continue;
        }
        let s = &budget.scope;
        if !s.matches_region(&r.region)
            || !s.matches_model(&r.model_id, p.resolved_model.as_deref())
            || !s.matches_caller(r.principal.as_deref(), &r.tags)
        {
            continue;
        }
        if !p.unpriced.is_empty() {
            unpriced += 1;
        }
        let cost = p.costs.total.unwrap_or_default();
        *by_day.entry(r.day).or_default() += cost;
        let m = p
            .resolved_model
            .clone()
            .unwrap_or_else(|| r.model_id.clone());
        *models.entry(m).or_default() += cost;
        if let Some(pr) = &r.principal {
            *principals.entry(pr.clone()).or_default() += cost;
        }
    }
    let mut daily = Vec::new();
    let mut d = first;
    while d <= today && d < period.end_day() {
        daily.push((d, by_day.get(&d).copied().unwrap_or_default()));
        d = d.tomorrow()?;
    }
    let spent: Decimal = daily.iter().map(|(_, x)| *x).sum();
    let complete: Vec<Decimal> = daily
        .iter()
        .filter(|(d, _)| *d < today)
        .map(|(_, x)| *x)
        .collect();
    let today_spend = daily
        .last()
        .filter(|(d, _)| *d == today)
        .map(|(_, x)| *x)
        .unwrap_or_default();
    let forecast = if budget.forecast_thresholds.is_empty() {
        None
    } else {
        forecast::forecast(&History {
            kind: budget.period,
            complete_days: &complete,
            today: today_spend,
            days_after_today: period.days() - daily.len() as i64,
            elapsed: period.elapsed_fraction(at),
        })
    };
    let amount = budget.amount_usd;
    let crossed = |x: Decimal, ts: &[u32]| -> Vec<u32> {
        ts.iter()
            .copied()
            .filter(|t| x * Decimal::ONE_HUNDRED >= amount * Decimal::from(*t))
            .collect()
    };
    let mut crossings = Vec::new();
    let actual = crossed(spent, &budget.thresholds);
    if let Some(&top) = actual.last() {
        crossings.push(Crossing {
            kind: Kind::Actual,
            threshold: top,
            covers: actual.clone(),
        });
    }
    if let Some(f) = forecast {
        let fc: Vec<u32> = crossed(f, &budget.forecast_thresholds)
            .into_iter()
            .filter(|t| spent * Decimal::ONE_HUNDRED < amount * Decimal::from(*t))
            .collect();
        if let Some(&top) = fc.last() {
            crossings.push(Crossing {
                kind: Kind::Forecast,
                threshold: top,
                covers: fc.clone(),
            });
        }
    }
    let top = |m: BTreeMap<String, Decimal>| {
        let mut v: Vec<(String, Decimal)> = m.into_iter().filter(|(_, c)| !c.is_zero()).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(3);
        v
    };
    Ok(Evaluation {
        budget: budget.clone(),
        period,
        at,
        spent,
        forecast,
        daily,
        unpriced_series_days: unpriced,
        top_models: top(models),
        top_principals: top(principals),
        crossings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::budgets::parse;
    use crate::catalog::Catalog;
    use crate::records::UsageRecord;
    use crate::report::price;
    use crate::resolve::{Aliases, Resolver};
    use jiff::civil::date;

    const FILE: &str = r#"
[channels.a]
type = "stdout"
[channels.b]
type = "stdout"
[[budget]]
name = "lite"
period = "month"
amount_usd = 300
forecast = true
channels = ["a", "b"]
models = ["amazon.nova-lite*"]
"#;

    /// Nova Lite in us-east-1: $0.06 per 1M input tokens, so 50M tokens are $3; `usd`
    /// (a multiple of 3) dollars on `day`.
    fn spend(catalog: &Catalog, day: Date, usd: u64) -> Priced {
        let mut r = UsageRecord::new(day, "us-east-1", "amazon.nova-lite-v1:0");
        r.invocations = 1;
        r.input_tokens = usd / 3 * 50_000_000;
        let p = price(&r, &Resolver::new(catalog, Aliases::default()), None);
        assert_eq!(p.costs.total, Some(Decimal::from(usd)));
        p
    }

    #[test]
    fn crossings_cover_lower_thresholds_and_state_suppresses_repeats() {
        let catalog = Catalog::load(None).unwrap();
        let f = parse("b.toml", FILE, &catalog).unwrap();
        let b = &f.budgets[0];
        let mut priced: Vec<Priced> = (1..=5)
            .map(|d| spend(&catalog, date(2026, 11, d), 30))
            .collect();
        // Out of scope: another model, and a day of the previous month.
        let mut other = UsageRecord::new(date(2026, 11, 2), "us-east-1", "amazon.nova-pro-v1:0");
        other.input_tokens = 100_000_000;
        priced.push(price(
            &other,
            &Resolver::new(&catalog, Aliases::default()),
            None,
        ));
        priced.push(spend(&catalog, date(2026, 10, 31), 90));
        let at: Timestamp = "2026-11-05T20:00:00Z".parse().unwrap();
        let e = evaluate(b, &priced, at).unwrap();
        assert_eq!(e.spent, Decimal::from(150));
        // 120 + max(30, 30) + 30 × 25 = 900.
        assert_eq!(e.forecast, Some(Decimal::from(900)));
        assert_eq!(e.crossings.len(), 2);
        assert_eq!(
            e.crossings[0],
            Crossing {
                kind: Kind::Actual,
                threshold: 50,
                covers: vec![50]
            }
        );
        assert_eq!(e.crossings[1].kind, Kind::Forecast);
        assert_eq!(e.status(), "over 50%, forecast over 100%");
        let mut st = State::default();
        let due = e.due(&st);
        assert_eq!(due.len(), 2);
        // Channel a got the actual alert, b failed: only b is due next time.
        st.record(
            &due[0].crossing.key("lite", "2026-11"),
            "a",
            "now",
            "end",
            "150",
        );
        let again = e.due(&st);
        assert_eq!(again[0].channels, vec!["b".to_string()]);
        // A jump past 80% and 100% at once: one alert for 100 covering all three.
        priced.push(spend(&catalog, date(2026, 11, 5), 180));
        let e = evaluate(b, &priced, at).unwrap();
        assert_eq!(
            e.crossings,
            vec![Crossing {
                kind: Kind::Actual,
                threshold: 100,
                covers: vec![50, 80, 100]
            }]
        );
        // The next month re-arms: nothing spent yet.
        let dec: Timestamp = "2026-12-01T01:00:00Z".parse().unwrap();
        let e = evaluate(b, &priced, dec).unwrap();
        assert_eq!(e.period.key(), "2026-12");
        assert!(e.crossings.is_empty() && e.spent.is_zero());
    }
}
