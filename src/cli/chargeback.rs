//! `bedrock-meter report chargeback`: invocation logs → cost per principal or tag value.

use jiff::ToSpan;
use jiff::civil::Date;

use super::args::ChargebackArgs;
use super::report::read_logs;
use super::{Context, ExitError};
use crate::export::Format;
use crate::records::Source;
use crate::report::{self, DailyOptions, GroupBy, chargeback};
use crate::resolve::Resolver;

/// The month `YYYY-MM` as `[first day, first day of the next month)`.
fn month_range(s: &str) -> Result<(Date, Date), String> {
    let first: Date = format!("{}-01", s.trim())
        .parse()
        .map_err(|_| format!("--month `{s}` is not a month like 2026-11"))?;
    let next = first.checked_add(1.month()).map_err(|e| e.to_string())?;
    Ok((first, next))
}

pub fn run(ctx: &Context, args: &ChargebackArgs) -> anyhow::Result<i32> {
    let (since, until) = match (&args.month, args.since, args.until) {
        (Some(m), _, _) => month_range(m).map_err(ExitError::usage)?,
        (None, Some(s), Some(u)) => (s, u),
        _ => {
            return Err(ExitError::usage(
                "give the period: --month YYYY-MM, or --since DATE --until DATE",
            )
            .into());
        }
    };
    if since >= until {
        return Err(ExitError::usage(format!(
            "empty range: --since {since} is not before --until {until}"
        ))
        .into());
    }
    if !matches!(args.by, GroupBy::Principal | GroupBy::Tag(_)) {
        return Err(ExitError::usage(
            "report chargeback --by takes principal or tag:KEY (for day, region or model use report daily --logs … --by …)",
        )
        .into());
    }
    let timezone = jiff::tz::TimeZone::get(&args.timezone)
        .map_err(|e| ExitError::usage(format!("--timezone `{}`: {e}", args.timezone)))?;
    let tag_keys: Vec<String> = match &args.by {
        GroupBy::Tag(k) => vec![k.clone()],
        _ => Vec::new(),
    };
    let collected = read_logs(
        ctx,
        &args.source,
        &args.region,
        args.profile.clone(),
        args.max_attempts,
        since,
        until,
        &timezone,
        tag_keys,
    )?;
    let resolver = Resolver::new(&ctx.catalog, ctx.aliases.clone());
    let priced = report::price_all(&collected.records, &resolver, ctx.as_of_flag);
    let opts = DailyOptions {
        since,
        until,
        timezone: args.timezone.clone(),
        regions: collected.regions.clone(),
        by: vec![args.by.clone()],
        as_of: ctx.as_of_flag,
        source: Source::InvocationLogs,
    };
    let mut c = chargeback::chargeback(&priced, args.by.clone(), &opts);
    c.notes.extend(collected.notes.iter().cloned());
    c.notes.extend(ctx.catalog.staleness_note(super::today()));
    let totals_row = matches!(
        ctx.output.format,
        Format::Table | Format::Markdown | Format::Html
    );
    let mut doc = chargeback::document(&c, totals_row);
    if let serde_json::Value::Object(m) = &mut doc.json {
        m.insert("sources".into(), collected.sources.clone());
    }
    ctx.output.write(&doc)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_whole_calendar_months() {
        let (a, b) = month_range("2026-02").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-02-01".into(), "2026-03-01".into())
        );
        let (_, d) = month_range("2026-12").unwrap();
        assert_eq!(d.to_string(), "2027-01-01");
        assert!(month_range("2026-13").is_err());
        assert!(month_range("Nov").unwrap_err().contains("--month"));
    }
}
