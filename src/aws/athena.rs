//! Amazon Athena: run one SQL query and read its result table, as plain data.
//!
//! A query runs asynchronously: StartQueryExecution returns an id; GetQueryExecution is
//! polled (200 ms, doubling up to 2 s) until the query SUCCEEDED, FAILED or was CANCELLED
//! (a failure carries Athena's `StateChangeReason`); GetQueryResults then pages through the
//! table. For SELECT queries the first row of the first page repeats the column names:
//! it is dropped, so [`QueryResult::rows`] holds data only.
//!
//! IAM actions: `athena:StartQueryExecution`, `athena:GetQueryExecution`,
//! `athena:GetQueryResults`; Athena itself also needs `s3:GetObject`/`s3:ListBucket` on the
//! trail bucket, `s3:PutObject` on the output location and `glue:GetTable` on the table.

use std::time::Duration;

use aws_sdk_athena::Client;
use aws_sdk_athena::config::Region;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration, Row};

use super::config::{Aws, Service};
use super::error::{AwsError, CallSite, from_sdk};

pub const SERVICE: Service = Service {
    name: "Athena",
    env: "ATHENA",
    host: "athena",
};

/// First wait between two GetQueryExecution polls; doubled after each up to [`MAX_POLL`].
pub const FIRST_POLL: Duration = Duration::from_millis(200);
pub const MAX_POLL: Duration = Duration::from_secs(2);

/// Where and how to run a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuerySpec {
    pub sql: String,
    /// `None`: the `primary` workgroup (Athena's default).
    pub workgroup: Option<String>,
    /// `s3://…/` for result files; `None` when the workgroup sets one.
    pub output_location: Option<String>,
    /// The Glue database of unqualified table names.
    pub database: Option<String>,
}

/// A query's result table: column names and rows of nullable text (Athena returns every
/// value as text; `None` is SQL NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryResult {
    pub query_execution_id: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    /// GetQueryExecution polls and GetQueryResults pages, for tests and summaries.
    pub polls: u64,
    pub pages: u64,
}

/// Athena of one Region.
pub struct Athena {
    client: Client,
    region: String,
    endpoint: String,
    attempts: u32,
}

impl Athena {
    pub fn new(aws: &Aws, region: &str) -> Athena {
        let conf = aws_sdk_athena::config::Builder::from(&aws.config)
            .region(Region::new(region.to_string()))
            .build();
        Athena {
            client: Client::from_conf(conf),
            region: region.to_string(),
            endpoint: aws.endpoint(SERVICE, region),
            attempts: aws.max_attempts,
        }
    }

    fn site(&self, action: &'static str) -> CallSite<'_> {
        CallSite {
            service: SERVICE.name,
            action,
            region: &self.region,
            endpoint: &self.endpoint,
            attempts: self.attempts,
        }
    }

    /// Runs `spec.sql` to completion and returns its whole result table.
    pub async fn run_query(&self, spec: &QuerySpec) -> Result<QueryResult, AwsError> {
        let id = self.start(spec).await?;
        let polls = self.wait(&id).await?;
        let mut result = self.results(&id).await?;
        result.polls = polls;
        Ok(result)
    }

    async fn start(&self, spec: &QuerySpec) -> Result<String, AwsError> {
        let site = self.site("athena:StartQueryExecution");
        let mut req = self.client.start_query_execution().query_string(&spec.sql);
        if let Some(w) = &spec.workgroup {
            req = req.work_group(w);
        }
        if let Some(o) = &spec.output_location {
            req =
                req.result_configuration(ResultConfiguration::builder().output_location(o).build());
        }
        if let Some(d) = &spec.database {
            req = req.query_execution_context(QueryExecutionContext::builder().database(d).build());
        }
        let resp = req.send().await.map_err(|e| from_sdk(e, &site))?;
        resp.query_execution_id()
            .map(str::to_string)
            .ok_or_else(|| AwsError::Other {
                action: site.action.to_string(),
                region: self.region.clone(),
                detail: "Athena returned no QueryExecutionId".to_string(),
            })
    }

    /// Polls until the query ends; returns the number of polls.
    async fn wait(&self, id: &str) -> Result<u64, AwsError> {
        let site = self.site("athena:GetQueryExecution");
        let mut delay = FIRST_POLL;
        let mut polls = 0;
        loop {
            let resp = self
                .client
                .get_query_execution()
                .query_execution_id(id)
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            polls += 1;
            let status = resp.query_execution().and_then(|q| q.status());
            let reason = status
                .and_then(|s| s.state_change_reason())
                .unwrap_or("no reason given");
            match status.and_then(|s| s.state()) {
                Some(QueryExecutionState::Succeeded) => return Ok(polls),
                Some(QueryExecutionState::Failed) => {
                    return Err(AwsError::Other {
                        action: "athena:StartQueryExecution".to_string(),
                        region: self.region.clone(),
                        detail: format!("Athena query {id} FAILED: {reason}"),
                    });
                }
                Some(QueryExecutionState::Cancelled) => {
                    return Err(AwsError::Other {
                        action: "athena:StartQueryExecution".to_string(),
                        region: self.region.clone(),
                        detail: format!("Athena query {id} was CANCELLED: {reason}"),
                    });
                }
                _ => {}
            }
            tokio::time::sleep(delay).await;
            delay = next_delay(delay);
        }
    }

    async fn results(&self, id: &str) -> Result<QueryResult, AwsError> {
        let site = self.site("athena:GetQueryResults");
        let mut out = QueryResult {
            query_execution_id: id.to_string(),
            ..QueryResult::default()
        };
        let mut token: Option<String> = None;
        loop {
            let resp = self
                .client
                .get_query_results()
                .query_execution_id(id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| from_sdk(e, &site))?;
            let first_page = out.pages == 0;
            out.pages += 1;
            let set = resp.result_set();
            if first_page {
                out.columns = set
                    .and_then(|s| s.result_set_metadata())
                    .map(|m| {
                        m.column_info()
                            .iter()
                            .map(|c| c.name().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
            }
            let rows = set.map(|s| s.rows()).unwrap_or_default();
            let skip =
                usize::from(first_page && rows.first().is_some_and(|r| is_header(r, &out.columns)));
            out.rows.extend(rows.iter().skip(skip).map(plain_row));
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }
}

/// The next poll delay: doubled, at most [`MAX_POLL`].
fn next_delay(d: Duration) -> Duration {
    (d * 2).min(MAX_POLL)
}

fn plain_row(r: &Row) -> Vec<Option<String>> {
    r.data()
        .iter()
        .map(|d| d.var_char_value().map(str::to_string))
        .collect()
}

/// Whether `r` is the header row a SELECT's first page starts with: its values are the
/// column names. (A query without column metadata has no header to drop.)
fn is_header(r: &Row, columns: &[String]) -> bool {
    !columns.is_empty()
        && r.data().len() == columns.len()
        && r.data()
            .iter()
            .zip(columns)
            .all(|(d, c)| d.var_char_value() == Some(c.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_athena::types::Datum;

    fn row(values: &[Option<&str>]) -> Row {
        let mut b = Row::builder();
        for v in values {
            let mut d = Datum::builder();
            if let Some(v) = v {
                d = d.var_char_value(*v);
            }
            b = b.data(d.build());
        }
        b.build()
    }

    #[test]
    fn polls_back_off_from_200_ms_to_2_s() {
        let mut d = FIRST_POLL;
        let mut seen = vec![d];
        for _ in 0..6 {
            d = next_delay(d);
            seen.push(d);
        }
        let ms: Vec<u128> = seen.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [200, 400, 800, 1600, 2000, 2000, 2000]);
    }

    #[test]
    fn the_header_row_is_recognised_and_nulls_kept() {
        let cols = vec!["day".to_string(), "calls".to_string()];
        assert!(is_header(&row(&[Some("day"), Some("calls")]), &cols));
        assert!(!is_header(&row(&[Some("2026-01-05"), Some("3")]), &cols));
        assert!(!is_header(&row(&[Some("day")]), &cols));
        assert!(!is_header(&row(&[]), &[]));
        assert_eq!(
            plain_row(&row(&[Some("x"), None])),
            vec![Some("x".to_string()), None]
        );
    }
}
