//! Load measurement of the governance report: N synthetic call records (default one
//! million) over a week, 500 principals, 12 model IDs, 3 Regions, with error bursts.
//! Not a test: it prints the numbers.
//!
//! ```sh
//! cargo run --release --example governance_load [-- CALLS]
//! ```

use std::time::Instant;

use bedrock_meter::catalog::Catalog;
use bedrock_meter::export::{Format, exporter};
use bedrock_meter::records::{CallRecord, ClientKind, Principal};
use bedrock_meter::report::governance::{self, GovKey, GovernanceOptions};
use bedrock_meter::resolve::{Aliases, Resolver};
use jiff::Timestamp;

const MODELS: [&str; 12] = [
    "anthropic.claude-3-haiku-20240307-v1:0",
    "us.anthropic.claude-3-haiku-20240307-v1:0",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "amazon.nova-lite-v1:0",
    "us.amazon.nova-pro-v1:0",
    "meta.llama3-8b-instruct-v1:0",
    "ai21.j2-ultra-v1",
    "mistral.mistral-7b-instruct-v0:2",
    "cohere.command-r-v1:0",
    "amazon.titan-embed-text-v2:0",
    "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
    "example.unknown-model-v1",
];
const EVENTS: [&str; 5] = [
    "InvokeModel",
    "Converse",
    "ConverseStream",
    "InvokeModelWithResponseStream",
    "GetFoundationModelAvailability",
];
const REGIONS: [&str; 3] = ["us-east-1", "us-west-2", "eu-west-1"];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number of calls"))
        .unwrap_or(1_000_000);
    let start = Timestamp::from_second(1_741_564_800).unwrap(); // 2025-03-10T00:00:00Z
    let principals: Vec<Principal> = (0..500)
        .map(|i| {
            Principal::from_arn(&format!(
                "arn:aws:sts::111122223333:assumed-role/app-{}/session-{i}",
                i % 40
            ))
        })
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let t = Instant::now();
    let calls: Vec<CallRecord> = (0..n)
        .map(|i| {
            let p = rng.below(principals.len() as u64) as usize;
            let error = match rng.below(100) {
                0..=2 => Some("AccessDenied".to_string()),
                3 => Some("ValidationException".to_string()),
                4..=6 => Some("ThrottlingException".to_string()),
                _ => None,
            };
            CallRecord {
                time: start
                    .checked_add(jiff::SignedDuration::from_secs(rng.below(7 * 86_400) as i64))
                    .unwrap(),
                region: REGIONS[rng.below(3) as usize].to_string(),
                event_name: EVENTS[rng.below(EVENTS.len() as u64) as usize].to_string(),
                model_id: Some(MODELS[rng.below(MODELS.len() as u64) as usize].to_string()),
                principal: principals[p].clone(),
                source_ip: Some(format!("198.51.{}.{}", p % 200, rng.below(4))),
                user_agent: Some(format!("Boto3/1.35.{} Python/3.12", p % 7)),
                client: ClientKind::Sdk,
                error_code: error,
                error_message: None,
                inference_region: (rng.below(10) == 0).then(|| "us-east-2".to_string()),
                request_id: None,
                event_id: format!("ev-{i}"),
                read_only: Some(true),
                parameters: None,
            }
        })
        .collect();
    println!("generated {n} calls in {:?}", t.elapsed());

    let catalog = Catalog::embedded().unwrap();
    let resolver = Resolver::new(&catalog, Aliases::default());
    let t = Instant::now();
    let aggs = governance::aggregate(&calls);
    println!("aggregate: {} aggregates in {:?}", aggs.len(), t.elapsed());

    let mut opts =
        GovernanceOptions::new("2025-03-10".parse().unwrap(), "2025-03-17".parse().unwrap());
    let baseline = &calls[..calls.len() / 10];
    for by in [
        GovKey::DEFAULT.to_vec(),
        vec![GovKey::Principal, GovKey::Day, GovKey::Region],
    ] {
        opts.by = by;
        let t = Instant::now();
        let report = governance::governance(&calls, baseline, &resolver, &opts);
        let took = t.elapsed();
        let t = Instant::now();
        let json = exporter(Format::Json)
            .export(&governance::document(&report, false))
            .unwrap();
        let csv = exporter(Format::Csv)
            .export(&governance::document(&report, false))
            .unwrap();
        println!(
            "governance --by {}: {} rows, {} findings, {} changes in {took:?}; JSON {} KiB + CSV {} KiB in {:?}",
            opts.by
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(","),
            report.rows.len(),
            report.findings.len(),
            report.changes.len(),
            json.len() / 1024,
            csv.len() / 1024,
            t.elapsed()
        );
    }
}
