//! `--engine logs-insights`: aggregate inside CloudWatch instead of downloading every
//! record. A Logs Insights query sums the invocation logs' token counts per day × Region ×
//! model × caller (and the `requestMetadata` keys asked for with `--by tag:KEY`); a second
//! query counts failed calls (`errorCode` present) per day × Region × model × caller × code.
//! The usage query leaves failed calls out, so `calls` counts the calls that ran.
//!
//! Insights flattens each JSON record into dotted field names (`input.inputTokenCount`,
//! `requestMetadata.team`); names with characters other than letters, digits and `_` are
//! quoted with backticks. A sum over records that lack a field (older records have no cache
//! counts) is absent from the row, which means 0. `bin(1d)` comes back as
//! `YYYY-MM-DD 00:00:00.000` (UTC).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::aws::AwsError;
use crate::aws::logs::{InsightsResultRow, Logs, Polling};

/// One day × Region × model × caller (× tags) of the usage query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsRow {
    pub day: Date,
    pub region: String,
    pub model_id: String,
    pub principal_arn: String,
    /// `requestMetadata` values by key (empty string when a record had none).
    pub tags: BTreeMap<String, String>,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

/// One day × Region × model × caller × error code of the error query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    pub day: Date,
    pub region: String,
    pub model_id: String,
    pub principal_arn: String,
    pub error_code: String,
    pub errors: u64,
}

/// A `requestMetadata` key usable in a query: 1 to 64 letters, digits, `_`, `-`, `.`, `:`.
pub fn check_tag_key(key: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag key {key:?} cannot be queried: use 1 to 64 letters, digits, '_', '-', '.' or ':'"
        ))
    }
}

/// A field name as Insights wants it (backticks around names with other characters).
fn field(name: &str) -> String {
    if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'@')
        && !name.contains("..")
    {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// The result column of a tag key.
pub fn tag_column(key: &str) -> String {
    format!(
        "tag_{}",
        key.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    )
}

/// The usage query, one clause per line.
pub fn usage_query(tag_keys: &[String]) -> Result<String, String> {
    tag_keys.iter().try_for_each(|k| check_tag_key(k))?;
    let tag_fields: Vec<String> = tag_keys
        .iter()
        .map(|k| field(&format!("requestMetadata.{k}")))
        .collect();
    let mut fields = vec![
        "@timestamp",
        "region",
        "modelId",
        "identity.arn",
        "input.inputTokenCount",
        "output.outputTokenCount",
        "input.cacheReadInputTokenCount",
        "input.cacheWriteInputTokenCount",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<_>>();
    fields.extend(tag_fields.iter().cloned());
    let mut by = vec![
        "bin(1d) as day".to_string(),
        "region".into(),
        "modelId".into(),
        "identity.arn".into(),
    ];
    by.extend(
        tag_keys
            .iter()
            .zip(&tag_fields)
            .map(|(k, f)| format!("{f} as {}", tag_column(k))),
    );
    Ok(format!(
        "fields {}\n\
         | filter schemaType = \"ModelInvocationLog\"\n\
         | filter not ispresent(errorCode)\n\
         | stats count(*) as calls, sum(input.inputTokenCount) as input_tokens, sum(output.outputTokenCount) as output_tokens, sum(input.cacheReadInputTokenCount) as cache_read, sum(input.cacheWriteInputTokenCount) as cache_write by {}\n",
        fields.join(", "),
        by.join(", ")
    ))
}

/// The error query: failed calls per day × Region × model × caller × code.
pub fn error_query() -> String {
    "fields @timestamp, region, modelId, identity.arn, errorCode\n\
     | filter schemaType = \"ModelInvocationLog\"\n\
     | filter ispresent(errorCode)\n\
     | stats count(*) as errors by bin(1d) as day, region, modelId, identity.arn, errorCode\n"
        .to_string()
}

/// What was wrong with a result row: its position, the field, why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Logs Insights result row {row}: field {field}: {why}")]
pub struct RowError {
    /// 1-based.
    pub row: usize,
    pub field: String,
    pub why: String,
}

struct Fields<'a> {
    row: usize,
    map: BTreeMap<&'a str, &'a str>,
}

impl<'a> Fields<'a> {
    fn new(row: usize, fields: &'a InsightsResultRow) -> Fields<'a> {
        Fields {
            row,
            map: fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    fn err(&self, field: &str, why: impl Into<String>) -> RowError {
        RowError {
            row: self.row,
            field: field.to_string(),
            why: why.into(),
        }
    }

    fn text(&self, name: &str) -> Result<String, RowError> {
        match self.map.get(name) {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(self.err(name, "missing")),
        }
    }

    fn day(&self) -> Result<Date, RowError> {
        let v = self.text("day")?;
        v.get(..10)
            .and_then(|d| d.parse::<Date>().ok())
            .ok_or_else(|| self.err("day", format!("{v:?} is not a date")))
    }

    /// A count; absent means 0 when `optional` (a sum over records without the field).
    fn count(&self, name: &str, optional: bool) -> Result<u64, RowError> {
        let Some(v) = self.map.get(name).filter(|v| !v.is_empty()) else {
            return if optional {
                Ok(0)
            } else {
                Err(self.err(name, "missing"))
            };
        };
        let whole = v.strip_suffix(".0").unwrap_or(v);
        whole
            .parse::<u64>()
            .map_err(|_| self.err(name, format!("{v:?} is not a whole non-negative number")))
    }
}

/// Maps the usage query's rows.
pub fn usage_row(
    row: usize,
    fields: &InsightsResultRow,
    tag_keys: &[String],
) -> Result<InsightsRow, RowError> {
    let f = Fields::new(row, fields);
    Ok(InsightsRow {
        day: f.day()?,
        region: f.text("region")?,
        model_id: f.text("modelId")?,
        principal_arn: f.text("identity.arn")?,
        tags: tag_keys
            .iter()
            .map(|k| {
                let v = f.map.get(tag_column(k).as_str()).copied().unwrap_or("");
                (k.clone(), v.to_string())
            })
            .collect(),
        calls: f.count("calls", false)?,
        input_tokens: f.count("input_tokens", true)?,
        output_tokens: f.count("output_tokens", true)?,
        cache_read: f.count("cache_read", true)?,
        cache_write: f.count("cache_write", true)?,
    })
}

/// Maps the error query's rows.
pub fn error_row(row: usize, fields: &InsightsResultRow) -> Result<ErrorRow, RowError> {
    let f = Fields::new(row, fields);
    Ok(ErrorRow {
        day: f.day()?,
        region: f.text("region")?,
        model_id: f.text("modelId")?,
        principal_arn: f.text("identity.arn")?,
        error_code: f.text("errorCode")?,
        errors: f.count("errors", false)?,
    })
}

/// Both queries' rows; rows that could not be mapped are reported, the rest kept.
#[derive(Debug, Clone, Default)]
pub struct InsightsOutput {
    pub rows: Vec<InsightsRow>,
    pub errors: Vec<ErrorRow>,
    pub problems: Vec<RowError>,
    /// GetQueryResults calls, both queries.
    pub polls: u32,
}

/// Runs both queries over `groups` for `[since, until)` and maps their rows. In `strict`
/// mode the first bad row is an error.
pub async fn run(
    logs: &Logs,
    groups: &[String],
    since: Timestamp,
    until: Timestamp,
    tag_keys: &[String],
    polling: Polling,
    strict: bool,
) -> Result<InsightsOutput, AwsError> {
    if since >= until {
        return Err(AwsError::Invalid(format!(
            "empty time range: {since} is not before {until}"
        )));
    }
    let usage = usage_query(tag_keys).map_err(AwsError::Invalid)?;
    // Insights' end time is inclusive, in whole seconds.
    let (start, end) = (since.as_second(), until.as_second() - 1);
    let usage_id = logs.start_query(groups, start, end, &usage).await?;
    let error_id = logs.start_query(groups, start, end, &error_query()).await?;
    let (usage_rows, p1) = logs.get_query_results(&usage_id, polling).await?;
    let (error_rows, p2) = logs.get_query_results(&error_id, polling).await?;
    let mut out = InsightsOutput {
        polls: p1 + p2,
        ..InsightsOutput::default()
    };
    let bad = |e: RowError, out: &mut InsightsOutput| {
        if strict {
            Err(AwsError::Invalid(e.to_string()))
        } else {
            out.problems.push(e);
            Ok(())
        }
    };
    for (i, r) in usage_rows.iter().enumerate() {
        match usage_row(i + 1, r, tag_keys) {
            Ok(row) => out.rows.push(row),
            Err(e) => bad(e, &mut out)?,
        }
    }
    for (i, r) in error_rows.iter().enumerate() {
        match error_row(i + 1, r) {
            Ok(row) => out.errors.push(row),
            Err(e) => bad(e, &mut out)?,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn golden(name: &str) -> String {
        let path = format!(
            "{}/tests/golden/insights/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_chargeback_query_matches_its_golden_text() {
        let q = usage_query(&["team".to_string(), "cost-centre".to_string()]).unwrap();
        assert_eq!(q, golden("chargeback.txt"));
        assert_eq!(error_query(), golden("errors.txt"));
        let e = usage_query(&["bad key|".to_string()]).unwrap_err();
        assert!(e.contains("bad key|"), "{e}");
    }

    fn row(pairs: &[(&str, &str)]) -> InsightsResultRow {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_map_to_plain_structs() {
        let tags = vec!["team".to_string()];
        let r = usage_row(
            1,
            &row(&[
                ("day", "2026-01-05 00:00:00.000"),
                ("region", "us-east-1"),
                ("modelId", "amazon.nova-lite-v1:0"),
                ("identity.arn", "arn:aws:iam::111122223333:role/app"),
                ("tag_team", "search"),
                ("calls", "12"),
                ("input_tokens", "3400"),
                ("output_tokens", "560.0"),
            ]),
            &tags,
        )
        .unwrap();
        assert_eq!(r.day.to_string(), "2026-01-05");
        assert_eq!(r.tags["team"], "search");
        assert_eq!((r.calls, r.input_tokens, r.output_tokens), (12, 3400, 560));
        // Sums over records without cache counts are absent: zero.
        assert_eq!((r.cache_read, r.cache_write), (0, 0));
        let e = error_row(
            3,
            &row(&[
                ("day", "2026-01-05 00:00:00.000"),
                ("region", "us-east-1"),
                ("modelId", "m"),
                ("identity.arn", "arn"),
                ("errorCode", "ThrottlingException"),
                ("errors", "4"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (e.error_code.as_str(), e.errors),
            ("ThrottlingException", 4)
        );
    }

    #[test]
    fn bad_rows_name_the_row_and_field() {
        let base = [
            ("day", "2026-01-05 00:00:00.000"),
            ("region", "us-east-1"),
            ("modelId", "m"),
            ("identity.arn", "arn"),
            ("calls", "1"),
        ];
        for (field, value, why) in [
            ("calls", "-1", "not a whole"),
            ("day", "yesterday", "not a date"),
            ("input_tokens", "1.5", "not a whole"),
            ("region", "", "missing"),
        ] {
            let mut r = row(&base);
            r.retain(|(k, _)| k != field);
            r.push((field.to_string(), value.to_string()));
            let e = usage_row(7, &r, &[]).unwrap_err();
            assert_eq!((e.row, e.field.as_str()), (7, field));
            assert!(e.to_string().contains(why), "{e}");
            assert!(
                e.to_string()
                    .starts_with("Logs Insights result row 7: field ")
            );
        }
    }

    proptest! {
        #[test]
        fn mapping_never_panics(pairs in proptest::collection::vec(
            (prop_oneof![Just("day".to_string()), Just("calls".to_string()), Just("region".to_string()),
                Just("modelId".to_string()), Just("identity.arn".to_string()), Just("cache_read".to_string()), "\\PC{0,8}"],
             "\\PC{0,24}"), 0..10)) {
            let r: InsightsResultRow = pairs;
            match usage_row(1, &r, &["team".to_string()]) {
                Ok(m) => prop_assert!(!m.region.is_empty()),
                Err(e) => prop_assert_eq!(e.row, 1),
            }
            let _ = error_row(1, &r);
        }
    }
}
