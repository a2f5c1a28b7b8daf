//! CloudTrail through Athena: the events stay in S3 and Athena aggregates them, for accounts
//! whose trails are too large to download.
//!
//! The queries target the **standard CloudTrail table** of the Athena user guide (columns
//! `eventtime` as an ISO string, `eventsource`, `eventname`, `awsregion`, `sourceipaddress`,
//! `useragent`, `errorcode`, `errormessage`, `requestparameters` and `additionaleventdata`
//! as JSON strings, `useridentity` as a struct, `eventid`), optionally partitioned by a day
//! column holding `YYYY/MM/DD` (partition projection's `timestamp`).
//! - [`governance_sql`]: one row per day × Region × principal × model × operation × error,
//!   with call counts, rerouted calls, first and last call, and up to 50 source IPs and
//!   user agents, mapped to [`CallAggregate`]s by [`aggregates`];
//! - [`control_plane_sql`]: the few control-plane events (not invocations, not `Get*` or
//!   `List*` except model-access probes) with the raw fields of a call record, mapped to
//!   [`ControlPlaneEvent`]s.
//!
//! Nothing a user types reaches the SQL as text: table and column names must be
//! `[A-Za-z0-9_.]` and are double-quoted, times are formatted here from [`Timestamp`]s.
//! Rows whose `eventtime` Athena cannot parse are not dropped: they come back with no day
//! and are reported as bad rows (naming the row and column), never silently lost.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::aws::AwsError;
use crate::aws::athena::{Athena, QueryResult, QuerySpec};
use crate::records::call::{CallAggregate, INVOCATION_EVENTS};
use crate::records::{Principal, PrincipalType};

/// Source IPs and user agents kept per aggregate row.
pub const DISTINCT_CAP: usize = 50;

/// Control-plane events returned at most (a query that hits it says so).
pub const CONTROL_PLANE_LIMIT: usize = 10_000;

/// What went wrong querying CloudTrail through Athena.
#[derive(Debug, thiserror::Error)]
pub enum AthenaSourceError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// A name that cannot be put into SQL safely.
    #[error("{0}")]
    Invalid(String),
    #[error(
        "the Athena result has no column {column:?} (it has: {have}); is the table the standard CloudTrail table?"
    )]
    MissingColumn { column: String, have: String },
    #[error(transparent)]
    Row(#[from] RowError),
}

/// A bad value in a result row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Athena result row {row}, column {column}: {problem} (value: {value:?})")]
pub struct RowError {
    /// 1-based, counting data rows (the header is not a row).
    pub row: usize,
    pub column: String,
    pub value: Option<String>,
    pub problem: String,
}

/// A table name, checked: `[A-Za-z0-9_]` parts joined by single dots (`db.table`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName(Vec<String>);

impl TableName {
    pub fn parse(s: &str) -> Result<TableName, AthenaSourceError> {
        let parts: Vec<String> = s.split('.').map(str::to_string).collect();
        let ok = parts.len() <= 3 && parts.iter().all(|p| is_identifier(p));
        if !ok {
            return Err(AthenaSourceError::Invalid(format!(
                "not a table name: {s:?}; use TABLE or DATABASE.TABLE of letters, digits and '_'"
            )));
        }
        Ok(TableName(parts))
    }

    /// Each part double-quoted: `"db"."table"`.
    pub fn quoted(&self) -> String {
        self.0
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// A column name, checked: `[A-Za-z0-9_]` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnName(String);

impl ColumnName {
    pub fn parse(s: &str) -> Result<ColumnName, AthenaSourceError> {
        if is_identifier(s) {
            Ok(ColumnName(s.to_string()))
        } else {
            Err(AthenaSourceError::Invalid(format!(
                "not a column name: {s:?}; use letters, digits and '_'"
            )))
        }
    }

    /// Double-quoted (`"timestamp"` is a reserved word).
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The table and range a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudTrailTable {
    pub table: TableName,
    /// Start of the range (inclusive).
    pub since: Timestamp,
    /// End of the range (exclusive).
    pub until: Timestamp,
    /// The day partition column (values `YYYY/MM/DD`, the S3 folder's date), if the table
    /// is partitioned: the query then reads only the range's folders, plus one day after
    /// (files of day D hold events of late D-1, see [`super::trail_s3`]).
    pub day_partition: Option<ColumnName>,
}

impl CloudTrailTable {
    fn check(&self) -> Result<(), AthenaSourceError> {
        if self.since >= self.until {
            return Err(AthenaSourceError::Invalid(format!(
                "empty time range: {} is not before {}",
                self.since, self.until
            )));
        }
        Ok(())
    }

    /// The filters every query shares, on the table itself.
    fn source_filter(&self) -> Result<String, AthenaSourceError> {
        let mut sql = "eventsource = 'bedrock.amazonaws.com'".to_string();
        if let Some(col) = &self.day_partition {
            let days = super::trail_s3::folder_days(self.since, self.until)?;
            let (first, last) = (days[0], days[days.len() - 1]);
            sql.push_str(&format!(
                "\n    AND {} BETWEEN '{}' AND '{}'",
                col.quoted(),
                first.strftime("%Y/%m/%d"),
                last.strftime("%Y/%m/%d")
            ));
        }
        Ok(sql)
    }

    /// The time filter on the parsed `ts`; unparsable times (`ts IS NULL`) pass, to be
    /// reported.
    fn time_filter(&self) -> String {
        format!(
            "ts IS NULL\n   OR (ts >= from_iso8601_timestamp('{}') AND ts < from_iso8601_timestamp('{}'))",
            iso(self.since),
            iso(self.until)
        )
    }
}

/// `2026-01-05T00:00:00Z`: only digits, dashes, colons, `T` and `Z` reach the SQL.
fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `eventtime` parsed: ISO 8601 (`…Z`, with or without fractions), or the space-separated
/// form some records show; NULL when Athena cannot parse it.
const PARSED_TIME: &str = "try(from_iso8601_timestamp(replace(eventtime, ' ', 'T'))) AS ts";

/// The governance query: Bedrock calls aggregated by day (UTC), Region, principal, model,
/// operation and error code.
pub fn governance_sql(t: &CloudTrailTable) -> Result<String, AthenaSourceError> {
    t.check()?;
    Ok(format!(
        "-- bedrock-meter: Bedrock calls by day, Region, principal, model, operation and error
WITH events AS (
  SELECT
    {PARSED_TIME},
    awsregion,
    useridentity,
    json_extract_scalar(requestparameters, '$.modelId') AS model_id,
    eventname,
    errorcode,
    json_extract_scalar(additionaleventdata, '$.inferenceRegion') AS inference_region,
    sourceipaddress,
    useragent
  FROM {table}
  WHERE {source}
)
SELECT
  date_format(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS day,
  awsregion AS region,
  useridentity.arn AS principal_arn,
  useridentity.type AS principal_type,
  useridentity.accountid AS principal_account,
  useridentity.invokedby AS invoked_by,
  useridentity.sessioncontext.sessionissuer.arn AS session_issuer_arn,
  model_id,
  eventname AS event_name,
  errorcode AS error_code,
  count(*) AS calls,
  count_if(inference_region IS NOT NULL AND inference_region <> '' AND inference_region <> awsregion) AS rerouted_calls,
  to_iso8601(min(ts) AT TIME ZONE 'UTC') AS first_seen,
  to_iso8601(max(ts) AT TIME ZONE 'UTC') AS last_seen,
  json_format(CAST(slice(array_sort(filter(array_agg(DISTINCT sourceipaddress), v -> v IS NOT NULL)), 1, {cap}) AS JSON)) AS source_ips,
  json_format(CAST(slice(array_sort(filter(array_agg(DISTINCT useragent), v -> v IS NOT NULL)), 1, {cap}) AS JSON)) AS user_agents
FROM events
WHERE {time}
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
ORDER BY 1, 2, 3, 8, 9, 10
",
        table = t.table.quoted(),
        source = t.source_filter()?,
        time = t.time_filter(),
        cap = DISTINCT_CAP,
    ))
}

/// Reads kept by the control-plane query although they are `Get*`: probing which models an
/// account may use is a known first step of stolen-key abuse ("LLMjacking").
pub const PROBING_READS: &[&str] = &["GetFoundationModelAvailability"];

/// The control-plane query: Bedrock events that are not model invocations and not reads
/// (`Get*`, `List*`, except [`PROBING_READS`]), one row each with the raw fields of a call
/// record.
pub fn control_plane_sql(t: &CloudTrailTable) -> Result<String, AthenaSourceError> {
    t.check()?;
    let invocations = INVOCATION_EVENTS
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let probes = PROBING_READS
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!(
        "-- bedrock-meter: Bedrock control-plane events (not invocations, not Get*/List* but model-access probes)
WITH events AS (
  SELECT
    {PARSED_TIME},
    *
  FROM {table}
  WHERE {source}
    AND eventname NOT IN ({invocations})
    AND (eventname IN ({probes}) OR (eventname NOT LIKE 'Get%' AND eventname NOT LIKE 'List%'))
)
SELECT
  eventtime AS event_time,
  eventid AS event_id,
  eventname AS event_name,
  awsregion AS region,
  useridentity.type AS principal_type,
  useridentity.arn AS principal_arn,
  useridentity.accountid AS principal_account,
  useridentity.principalid AS principal_id,
  useridentity.invokedby AS invoked_by,
  useridentity.sessioncontext.sessionissuer.arn AS session_issuer_arn,
  sourceipaddress AS source_ip,
  useragent AS user_agent,
  errorcode AS error_code,
  errormessage AS error_message,
  requestparameters AS request_parameters,
  json_extract_scalar(additionaleventdata, '$.inferenceRegion') AS inference_region
FROM events
WHERE {time}
ORDER BY eventtime, eventid
LIMIT {limit}
",
        table = t.table.quoted(),
        source = t.source_filter()?,
        time = t.time_filter(),
        limit = CONTROL_PLANE_LIMIT,
    ))
}

/// Where Athena runs the queries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AthenaRun {
    pub workgroup: Option<String>,
    /// `s3://…/` for result files, unless the workgroup sets one.
    pub output_location: Option<String>,
    /// The Glue database of an unqualified table name.
    pub database: Option<String>,
    /// Stop at the first bad row instead of counting and reporting bad rows.
    pub strict: bool,
}

impl AthenaRun {
    fn spec(&self, sql: String) -> QuerySpec {
        QuerySpec {
            sql,
            workgroup: self.workgroup.clone(),
            output_location: self.output_location.clone(),
            database: self.database.clone(),
        }
    }
}

/// Mapped rows and the rows that could not be mapped (each named by row and column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapped<T> {
    pub items: Vec<T>,
    pub bad_rows: Vec<RowError>,
    /// The query hit its row limit: there may be more.
    pub truncated: bool,
}

/// Runs [`governance_sql`] and maps the result.
pub async fn governance(
    athena: &Athena,
    table: &CloudTrailTable,
    run: &AthenaRun,
) -> Result<Mapped<CallAggregate>, AthenaSourceError> {
    let result = athena.run_query(&run.spec(governance_sql(table)?)).await?;
    aggregates(&result, run.strict)
}

/// Runs [`control_plane_sql`] and maps the result.
pub async fn control_plane(
    athena: &Athena,
    table: &CloudTrailTable,
    run: &AthenaRun,
) -> Result<Mapped<ControlPlaneEvent>, AthenaSourceError> {
    let result = athena
        .run_query(&run.spec(control_plane_sql(table)?))
        .await?;
    control_plane_events(&result, run.strict)
}

/// The columns of a result, found by name.
struct Columns<'a> {
    names: &'a [String],
    index: Vec<usize>,
}

impl<'a> Columns<'a> {
    fn find(result: &'a QueryResult, wanted: &[&str]) -> Result<Columns<'a>, AthenaSourceError> {
        let index = wanted
            .iter()
            .map(|w| {
                result
                    .columns
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(w))
                    .ok_or_else(|| AthenaSourceError::MissingColumn {
                        column: w.to_string(),
                        have: result.columns.join(", "),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Columns {
            names: &result.columns,
            index,
        })
    }
}

/// One row being read: values by wanted-column position, errors naming row and column.
struct RowReader<'a> {
    row: usize,
    values: &'a [Option<String>],
    cols: &'a Columns<'a>,
}

impl<'a> RowReader<'a> {
    fn raw(&self, col: usize) -> Option<&'a str> {
        self.values
            .get(self.cols.index[col])
            .and_then(|v| v.as_deref())
    }

    /// The value, `None` for NULL or an empty string.
    fn opt(&self, col: usize) -> Option<String> {
        self.raw(col).filter(|s| !s.is_empty()).map(str::to_string)
    }

    fn error(&self, col: usize, problem: &str) -> RowError {
        RowError {
            row: self.row,
            column: self.cols.names[self.cols.index[col]].clone(),
            value: self.raw(col).map(str::to_string),
            problem: problem.to_string(),
        }
    }

    fn required(&self, col: usize) -> Result<String, RowError> {
        self.opt(col)
            .ok_or_else(|| self.error(col, "missing value"))
    }

    fn count(&self, col: usize) -> Result<u64, RowError> {
        self.raw(col)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| self.error(col, "not a count"))
    }

    fn time(&self, col: usize) -> Result<Timestamp, RowError> {
        self.raw(col)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| self.error(col, "not an ISO 8601 time"))
    }

    /// A JSON array of strings (`json_format` of an array); NULL is empty.
    fn strings(&self, col: usize) -> Result<Vec<String>, RowError> {
        match self.raw(col) {
            None | Some("") => Ok(Vec::new()),
            Some(s) => serde_json::from_str::<Vec<Option<String>>>(s)
                .map(|v| v.into_iter().flatten().collect())
                .map_err(|_| self.error(col, "not a JSON array of strings")),
        }
    }
}

/// The principal of a row: the ARN (normalised by [`Principal::from_arn`]) typed by
/// `useridentity.type`, or the service that invoked for AWS services, else unknown.
fn principal(
    arn: Option<String>,
    kind: Option<String>,
    account: Option<String>,
    invoked_by: Option<String>,
    issuer: Option<String>,
) -> Principal {
    let kind = kind.map(|k| PrincipalType::parse(&k));
    let mut p = match (&arn, &kind, &invoked_by) {
        (Some(arn), _, _) => Principal::from_arn(arn),
        (None, Some(PrincipalType::AwsService), Some(svc)) => Principal::service(svc),
        _ => Principal::unknown(),
    };
    if let Some(k) = kind {
        p.kind = k;
    }
    if p.account.is_none() {
        p.account = account;
    }
    if let Some(issuer) = issuer
        && p.kind == PrincipalType::AssumedRole
    {
        // The session issuer's ARN keeps the role's path, which the session ARN drops.
        p.role_arn = Some(issuer);
    }
    p
}

/// Collects mapped rows, or stops at the first bad one in strict mode.
fn collect_rows<T>(
    result: &QueryResult,
    cols: &Columns<'_>,
    strict: bool,
    map: impl Fn(&RowReader<'_>) -> Result<T, RowError>,
) -> Result<Mapped<T>, AthenaSourceError> {
    let mut out = Mapped {
        items: Vec::new(),
        bad_rows: Vec::new(),
        truncated: false,
    };
    for (i, values) in result.rows.iter().enumerate() {
        let reader = RowReader {
            row: i + 1,
            values,
            cols,
        };
        match map(&reader) {
            Ok(item) => out.items.push(item),
            Err(e) if strict => return Err(e.into()),
            Err(e) => out.bad_rows.push(e),
        }
    }
    Ok(out)
}

const AGGREGATE_COLUMNS: &[&str] = &[
    "day",
    "region",
    "principal_arn",
    "principal_type",
    "principal_account",
    "invoked_by",
    "session_issuer_arn",
    "model_id",
    "event_name",
    "error_code",
    "calls",
    "rerouted_calls",
    "first_seen",
    "last_seen",
    "source_ips",
    "user_agents",
];

/// Maps the rows of [`governance_sql`] to call aggregates.
pub fn aggregates(
    result: &QueryResult,
    strict: bool,
) -> Result<Mapped<CallAggregate>, AthenaSourceError> {
    let cols = Columns::find(result, AGGREGATE_COLUMNS)?;
    collect_rows(result, &cols, strict, |r| {
        let day = match r.raw(0) {
            None | Some("") => {
                return Err(r.error(0, "no day: Athena could not parse these calls' eventtime"));
            }
            Some(s) => s
                .trim()
                .parse::<Date>()
                .map_err(|_| r.error(0, "not a date (YYYY-MM-DD)"))?,
        };
        Ok(CallAggregate {
            day,
            region: r.required(1)?,
            principal: principal(r.opt(2), r.opt(3), r.opt(4), r.opt(5), r.opt(6)),
            model_id: r.opt(7),
            event_name: r.required(8)?,
            error_code: r.opt(9),
            calls: r.count(10)?,
            rerouted_calls: r.count(11)?,
            first_seen: r.time(12)?,
            last_seen: r.time(13)?,
            source_ips: r.strings(14)?,
            user_agents: r.strings(15)?,
        })
    })
}

/// One control-plane event as the query returns it: raw text, untrusted, for the
/// CloudTrail parser to turn into a call record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlaneEvent {
    /// `eventtime` as stored (formats vary).
    pub event_time: String,
    pub event_id: String,
    pub event_name: String,
    pub region: String,
    pub principal: Principal,
    pub principal_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// `requestparameters`, the JSON string.
    pub request_parameters: Option<String>,
    pub inference_region: Option<String>,
}

const CONTROL_PLANE_COLUMNS: &[&str] = &[
    "event_time",
    "event_id",
    "event_name",
    "region",
    "principal_type",
    "principal_arn",
    "principal_account",
    "principal_id",
    "invoked_by",
    "session_issuer_arn",
    "source_ip",
    "user_agent",
    "error_code",
    "error_message",
    "request_parameters",
    "inference_region",
];

/// Maps the rows of [`control_plane_sql`].
pub fn control_plane_events(
    result: &QueryResult,
    strict: bool,
) -> Result<Mapped<ControlPlaneEvent>, AthenaSourceError> {
    let cols = Columns::find(result, CONTROL_PLANE_COLUMNS)?;
    let mut out = collect_rows(result, &cols, strict, |r| {
        Ok(ControlPlaneEvent {
            event_time: r.required(0)?,
            event_id: r.required(1)?,
            event_name: r.required(2)?,
            region: r.required(3)?,
            principal: principal(r.opt(5), r.opt(4), r.opt(6), r.opt(8), r.opt(9)),
            principal_id: r.opt(7),
            source_ip: r.opt(10),
            user_agent: r.opt(11),
            error_code: r.opt(12),
            error_message: r.opt(13),
            request_parameters: r.opt(14),
            inference_region: r.opt(15),
        })
    })?;
    out.truncated = result.rows.len() >= CONTROL_PLANE_LIMIT;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(partition: Option<&str>) -> CloudTrailTable {
        CloudTrailTable {
            table: TableName::parse("trails.bedrock_events").unwrap(),
            since: "2026-01-05T00:00:00Z".parse().unwrap(),
            until: "2026-01-07T00:00:00Z".parse().unwrap(),
            day_partition: partition.map(|p| ColumnName::parse(p).unwrap()),
        }
    }

    #[test]
    fn names_that_could_inject_sql_are_refused() {
        for bad in [
            "",
            "a..b",
            ".a",
            "t; DROP TABLE x",
            "t\"",
            "db.t--",
            "a.b.c.d",
            "tä",
        ] {
            assert!(TableName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            TableName::parse("db.t_1").unwrap().quoted(),
            "\"db\".\"t_1\""
        );
        assert!(ColumnName::parse("timestamp").is_ok());
        assert!(ColumnName::parse("a.b").is_err());
    }

    #[test]
    fn the_partition_predicate_is_optional_and_covers_the_day_after() {
        let plain = governance_sql(&table(None)).unwrap();
        assert!(!plain.contains("BETWEEN"));
        let parted = governance_sql(&table(Some("timestamp"))).unwrap();
        assert!(
            parted.contains("AND \"timestamp\" BETWEEN '2026/01/05' AND '2026/01/07'"),
            "{parted}"
        );
        let mut empty = table(None);
        empty.until = empty.since;
        assert!(governance_sql(&empty).is_err());
        assert!(control_plane_sql(&empty).is_err());
    }

    fn result(rows: Vec<Vec<Option<&str>>>) -> QueryResult {
        QueryResult {
            columns: AGGREGATE_COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(|v| v.map(str::to_string)).collect())
                .collect(),
            ..QueryResult::default()
        }
    }

    fn good_row() -> Vec<Option<&'static str>> {
        vec![
            Some("2026-01-05"),
            Some("us-east-1"),
            Some("arn:aws:sts::111122223333:assumed-role/App/worker-1"),
            Some("AssumedRole"),
            Some("111122223333"),
            None,
            Some("arn:aws:iam::111122223333:role/teams/App"),
            Some("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            Some("InvokeModel"),
            None,
            Some("12"),
            Some("3"),
            Some("2026-01-05T08:00:00.000Z"),
            Some("2026-01-05T20:30:00.000Z"),
            Some("[\"10.0.0.1\",\"10.0.0.2\"]"),
            Some("[\"Boto3/1.35.0\"]"),
        ]
    }

    #[test]
    fn bad_values_name_the_row_and_column_and_the_rest_is_kept() {
        let mut bad = good_row();
        bad[10] = Some("twelve");
        let mut no_day = good_row();
        no_day[0] = None;
        let r = result(vec![good_row(), bad, no_day]);
        let m = aggregates(&r, false).unwrap();
        assert_eq!(m.items.len(), 1);
        assert_eq!(
            m.items[0].principal.role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/teams/App")
        );
        assert_eq!(m.bad_rows.len(), 2);
        assert_eq!(m.bad_rows[0].row, 2);
        assert_eq!(m.bad_rows[0].column, "calls");
        let msg = m.bad_rows[0].to_string();
        assert!(
            msg.contains("row 2, column calls") && msg.contains("twelve"),
            "{msg}"
        );
        assert!(m.bad_rows[1].problem.contains("eventtime"));
        let strict = aggregates(&r, true).unwrap_err().to_string();
        assert!(strict.contains("row 2, column calls"), "{strict}");
    }

    #[test]
    fn a_missing_column_is_named() {
        let mut r = result(vec![good_row()]);
        r.columns.retain(|c| c != "rerouted_calls");
        let e = aggregates(&r, false).unwrap_err().to_string();
        assert!(e.contains("\"rerouted_calls\""), "{e}");
    }

    #[test]
    fn service_principals_and_unknown_callers() {
        let svc = principal(
            None,
            Some("AWSService".into()),
            None,
            Some("bedrock.amazonaws.com".into()),
            None,
        );
        assert_eq!(svc.key, "bedrock.amazonaws.com");
        assert_eq!(svc.kind, PrincipalType::AwsService);
        let none = principal(None, None, Some("111122223333".into()), None, None);
        assert_eq!(none.key, "unknown");
        assert_eq!(none.account.as_deref(), Some("111122223333"));
        let user = principal(
            Some("arn:aws:iam::111122223333:user/alice".into()),
            Some("IAMUser".into()),
            None,
            None,
            None,
        );
        assert_eq!(user.kind, PrincipalType::IamUser);
        assert_eq!(user.account.as_deref(), Some("111122223333"));
    }

    proptest! {
        /// Any text in any cell: mapping never panics, and every failure names a row in
        /// range and one of the query's columns.
        #[test]
        fn mapping_arbitrary_cells_never_panics(
            cells in proptest::collection::vec(proptest::option::of("\\PC{0,12}"), 16),
            mutate in 0usize..16,
            strict in any::<bool>(),
        ) {
            let mut row: Vec<Option<String>> = good_row().into_iter().map(|v| v.map(str::to_string)).collect();
            row[mutate] = cells[mutate].clone();
            let all_random: Vec<Option<String>> = cells.clone();
            let r = QueryResult {
                columns: AGGREGATE_COLUMNS.iter().map(|c| c.to_string()).collect(),
                rows: vec![row, all_random, vec![None; 3]],
                ..QueryResult::default()
            };
            match aggregates(&r, strict) {
                Ok(m) => {
                    prop_assert_eq!(m.items.len() + m.bad_rows.len(), 3);
                    for e in &m.bad_rows {
                        prop_assert!((1..=3).contains(&e.row));
                        prop_assert!(AGGREGATE_COLUMNS.contains(&e.column.as_str()));
                    }
                }
                Err(AthenaSourceError::Row(e)) => {
                    prop_assert!(strict);
                    prop_assert!(AGGREGATE_COLUMNS.contains(&e.column.as_str()));
                }
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
        }
    }
}
