//! CloudTrail through Athena: the generated SQL against golden files, and the real SDK
//! against the moto server (`scripts/test.sh` starts it), whose Athena returns results
//! seeded with POST `/moto-api/static/athena/query-results` (moto runs no SQL). The results
//! come back through StartQueryExecution, GetQueryExecution polling and GetQueryResults,
//! header row included, and are mapped to call aggregates and control-plane events.
//!
//! moto keeps one queue of seeded results per account and Region, so each test owns a
//! Region. Regenerate the golden SQL only for an intended change:
//! `BEDROCK_METER_BLESS=1 cargo test --test cloudtrail_athena`.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use bedrock_meter::aws::athena::{Athena, QuerySpec};
use bedrock_meter::aws::{Aws, AwsOptions};
use bedrock_meter::records::PrincipalType;
use bedrock_meter::sources::cloudtrail::athena::{
    self, AthenaRun, CloudTrailTable, ColumnName, TableName,
};
use jiff::Timestamp;

fn table(partition: Option<&str>) -> CloudTrailTable {
    CloudTrailTable {
        table: TableName::parse("cloudtrail.bedrock_trail").unwrap(),
        since: "2026-01-05T00:00:00Z".parse().unwrap(),
        until: "2026-01-07T00:00:00Z".parse().unwrap(),
        day_partition: partition.map(|p| ColumnName::parse(p).unwrap()),
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/athena")
        .join(name);
    if std::env::var_os("BEDROCK_METER_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden file {} is missing ({e})", path.display()));
    assert_eq!(actual, want, "{} differs", path.display());
}

#[test]
fn the_sql_matches_the_golden_files() {
    golden(
        "governance.sql",
        &athena::governance_sql(&table(Some("timestamp"))).unwrap(),
    );
    golden(
        "control_plane.sql",
        &athena::control_plane_sql(&table(Some("timestamp"))).unwrap(),
    );
    // Without a partition column, the same query minus the partition predicate.
    let plain = athena::governance_sql(&table(None)).unwrap();
    let parted = athena::governance_sql(&table(Some("timestamp"))).unwrap();
    assert_eq!(
        parted.replace(
            "\n    AND \"timestamp\" BETWEEN '2026/01/05' AND '2026/01/07'",
            ""
        ),
        plain
    );
}

/// POSTs JSON to the moto server's control API.
fn moto_post(path: &str, body: &serde_json::Value) {
    let endpoint = support::endpoint();
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let body = body.to_string();
    let mut s = TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 20"), "{answer}");
}

/// Seeds one result table (header row first, as Athena returns SELECT results).
fn seed(region: &str, columns: &[&str], rows: &[Vec<Option<&str>>]) {
    let datum = |v: &Option<&str>| match v {
        Some(s) => serde_json::json!({ "VarCharValue": s }),
        None => serde_json::json!({}),
    };
    let mut all = vec![serde_json::json!({
        "Data": columns.iter().map(|c| serde_json::json!({"VarCharValue": c})).collect::<Vec<_>>()
    })];
    all.extend(
        rows.iter()
            .map(|r| serde_json::json!({ "Data": r.iter().map(datum).collect::<Vec<_>>() })),
    );
    let info: Vec<serde_json::Value> = columns
        .iter()
        .map(|c| serde_json::json!({"Name": c, "Label": c, "Type": "varchar", "Nullable": "UNKNOWN"}))
        .collect();
    moto_post(
        "/moto-api/static/athena/query-results",
        &serde_json::json!({
            "account_id": "123456789012",
            "region": region,
            "results": [{ "rows": all, "column_info": info }],
        }),
    );
}

async fn athena(region: &str) -> Athena {
    let aws = Aws::load(&AwsOptions {
        max_attempts: 2,
        endpoint_url: Some(support::endpoint()),
        ..AwsOptions::default()
    })
    .await;
    Athena::new(&aws, region)
}

fn run() -> AthenaRun {
    AthenaRun {
        output_location: Some("s3://bedrock-meter-athena-results/queries/".into()),
        database: Some("cloudtrail".into()),
        ..AthenaRun::default()
    }
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

#[test]
fn query_results_become_call_aggregates() {
    let region = "eu-north-1";
    let sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    seed(
        region,
        AGGREGATE_COLUMNS,
        &[
            vec![
                Some("2026-01-05"),
                Some("us-east-1"),
                Some("arn:aws:sts::111122223333:assumed-role/BedrockApp/worker-7"),
                Some("AssumedRole"),
                Some("111122223333"),
                None,
                Some("arn:aws:iam::111122223333:role/apps/BedrockApp"),
                Some(sonnet),
                Some("InvokeModel"),
                None,
                Some("1200"),
                Some("300"),
                Some("2026-01-05T00:01:02.000Z"),
                Some("2026-01-05T23:59:00.500Z"),
                Some("[\"10.0.0.1\",\"10.0.0.2\"]"),
                Some("[\"Boto3/1.35.0 md/Botocore#1.35.0\",\"=HYPERLINK(\\\"x\\\")\"]"),
            ],
            vec![
                Some("2026-01-06"),
                Some("us-west-2"),
                Some("arn:aws:iam::111122223333:user/alice"),
                Some("IAMUser"),
                Some("111122223333"),
                None,
                None,
                Some("amazon.nova-lite-v1:0"),
                Some("Converse"),
                Some("AccessDenied"),
                Some("4"),
                Some("0"),
                Some("2026-01-06T10:00:00.000Z"),
                Some("2026-01-06T10:05:00.000Z"),
                None,
                Some("[]"),
            ],
            vec![
                Some("2026-01-06"),
                Some("us-west-2"),
                None,
                Some("AWSService"),
                None,
                Some("bedrock.amazonaws.com"),
                None,
                None,
                Some("InvokeModel"),
                None,
                Some("many"),
                Some("0"),
                Some("2026-01-06T10:00:00.000Z"),
                Some("2026-01-06T10:05:00.000Z"),
                None,
                None,
            ],
        ],
    );
    let rt = support::runtime();
    let mapped = rt
        .block_on(async { athena::governance(&athena(region).await, &table(None), &run()).await })
        .unwrap();
    // The header row was dropped: one bad row, the third data row, named by column.
    assert_eq!(mapped.bad_rows.len(), 1, "{:?}", mapped.bad_rows);
    let bad = &mapped.bad_rows[0];
    assert_eq!((bad.row, bad.column.as_str()), (3, "calls"));
    assert_eq!(bad.value.as_deref(), Some("many"));
    assert_eq!(mapped.items.len(), 2);

    let a = &mapped.items[0];
    assert_eq!(a.day.to_string(), "2026-01-05");
    assert_eq!(a.region, "us-east-1");
    assert_eq!(
        a.principal.key,
        "arn:aws:sts::111122223333:assumed-role/BedrockApp/worker-7"
    );
    assert_eq!(a.principal.kind, PrincipalType::AssumedRole);
    assert_eq!(a.principal.session.as_deref(), Some("worker-7"));
    assert_eq!(
        a.principal.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/apps/BedrockApp")
    );
    assert_eq!(a.model_id.as_deref(), Some(sonnet));
    assert_eq!((a.calls, a.rerouted_calls), (1200, 300));
    assert_eq!(a.error_code, None);
    assert_eq!(
        a.first_seen,
        "2026-01-05T00:01:02Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(
        a.last_seen,
        "2026-01-05T23:59:00.5Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(a.source_ips, ["10.0.0.1", "10.0.0.2"]);
    // Untrusted text is kept raw in records (exporters neutralise it).
    assert_eq!(a.user_agents[1], "=HYPERLINK(\"x\")");

    let b = &mapped.items[1];
    assert_eq!(b.principal.kind, PrincipalType::IamUser);
    assert_eq!(b.principal.account.as_deref(), Some("111122223333"));
    assert_eq!(b.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(b.event_name, "Converse");
    assert!(b.source_ips.is_empty() && b.user_agents.is_empty());

    // Strict mode stops at the bad row.
    seed(region, AGGREGATE_COLUMNS, &[vec![Some("2026-01-05"); 16]]);
    let strict = AthenaRun {
        strict: true,
        ..run()
    };
    let err = rt
        .block_on(async { athena::governance(&athena(region).await, &table(None), &strict).await })
        .unwrap_err()
        .to_string();
    assert!(err.contains("Athena result row 1, column"), "{err}");
}

#[test]
fn control_plane_rows_keep_the_raw_fields() {
    let region = "ca-west-1";
    let columns = [
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
    seed(
        region,
        &columns,
        &[vec![
            Some("2026-01-05T09:10:11Z"),
            Some("6f1c2b8e-0000-4000-8000-000000000001"),
            Some("DeleteModelInvocationLoggingConfiguration"),
            Some("us-east-1"),
            Some("AssumedRole"),
            Some("arn:aws:sts::111122223333:assumed-role/Admin/mallory"),
            Some("111122223333"),
            Some("AROAEXAMPLE:mallory"),
            None,
            Some("arn:aws:iam::111122223333:role/Admin"),
            Some("203.0.113.9"),
            Some("aws-cli/2.15.0"),
            None,
            None,
            None,
            None,
        ]],
    );
    let rt = support::runtime();
    let (mapped, raw) = rt.block_on(async {
        let a = athena(region).await;
        let mapped = athena::control_plane(&a, &table(Some("timestamp")), &run())
            .await
            .unwrap();
        // The query engine is used as is: an unseeded query returns an empty table.
        let raw = a
            .run_query(&QuerySpec {
                sql: "SELECT 1".into(),
                ..QuerySpec::default()
            })
            .await
            .unwrap();
        (mapped, raw)
    });
    assert!(mapped.bad_rows.is_empty(), "{:?}", mapped.bad_rows);
    assert!(!mapped.truncated);
    assert_eq!(mapped.items.len(), 1);
    let e = &mapped.items[0];
    assert_eq!(e.event_name, "DeleteModelInvocationLoggingConfiguration");
    assert_eq!(e.event_time, "2026-01-05T09:10:11Z");
    assert_eq!(e.principal.session.as_deref(), Some("mallory"));
    assert_eq!(e.principal_id.as_deref(), Some("AROAEXAMPLE:mallory"));
    assert_eq!(e.source_ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(e.request_parameters, None);
    assert!(raw.rows.is_empty() && raw.columns.is_empty());
    assert!(raw.polls >= 1 && raw.pages == 1);
}

/// A local Athena (JSON 1.1) for what moto cannot do: failed queries and paged results.
/// `fail`: GetQueryExecution says FAILED; else the results come in two pages.
fn athena_responder(fail: bool) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(20).flatten() {
            let mut reader = BufReader::new(&stream);
            let (mut target, mut length) = (String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("x-amz-target:") {
                    target = line[line.len() - v.len()..].trim().to_string();
                }
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let row = |v: &[&str]| serde_json::json!({"Data": v.iter().map(|s| serde_json::json!({"VarCharValue": s})).collect::<Vec<_>>()});
            let answer = match target.as_str() {
                "AmazonAthena.StartQueryExecution" => {
                    serde_json::json!({"QueryExecutionId": "q-1"})
                }
                "AmazonAthena.GetQueryExecution" => {
                    let status = if fail {
                        serde_json::json!({"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.cloudtrail.nope does not exist"})
                    } else {
                        serde_json::json!({"State": "SUCCEEDED"})
                    };
                    serde_json::json!({"QueryExecution": {"QueryExecutionId": "q-1", "Status": status}})
                }
                _ if req["NextToken"].is_null() => serde_json::json!({
                    "ResultSet": {
                        "Rows": [row(&["a", "b"]), row(&["1", "2"])],
                        "ResultSetMetadata": {"ColumnInfo": [{"Name": "a", "Type": "varchar"}, {"Name": "b", "Type": "varchar"}]}
                    },
                    "NextToken": "page-2"
                }),
                _ => serde_json::json!({
                    "ResultSet": {
                        "Rows": [row(&["a", "b"]), row(&["3", "4"])],
                        "ResultSetMetadata": {"ColumnInfo": [{"Name": "a", "Type": "varchar"}, {"Name": "b", "Type": "varchar"}]}
                    }
                }),
            };
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    endpoint
}

async fn athena_at(endpoint: String) -> Athena {
    let aws = Aws::load(&AwsOptions {
        max_attempts: 1,
        endpoint_url: Some(endpoint),
        ..AwsOptions::default()
    })
    .await;
    Athena::new(&aws, "us-east-1")
}

#[test]
fn a_failed_query_says_why_and_later_pages_keep_their_first_row() {
    let rt = support::runtime();
    let spec = QuerySpec {
        sql: "SELECT a, b FROM nope".into(),
        ..QuerySpec::default()
    };
    let err = rt
        .block_on(async {
            athena_at(athena_responder(true))
                .await
                .run_query(&spec)
                .await
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("FAILED: TABLE_NOT_FOUND"), "{err}");
    let ok = rt
        .block_on(async {
            athena_at(athena_responder(false))
                .await
                .run_query(&spec)
                .await
        })
        .unwrap();
    assert_eq!(ok.columns, ["a", "b"]);
    // Only the first page's header is dropped; a later page's rows are all data, even
    // one that happens to repeat the column names.
    let rows: Vec<Vec<String>> = ok
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.clone().unwrap()).collect())
        .collect();
    assert_eq!(rows, [["1", "2"], ["a", "b"], ["3", "4"]]);
    assert_eq!(ok.pages, 2);
}
