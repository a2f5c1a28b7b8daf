//! The CloudWatch monitor and the daily report, through the library, against the moto
//! server (`scripts/test.sh` starts it): metrics seeded with PutMetricData come back as
//! per-day invocations, tokens and costs for several models, Regions and ModelId forms.
//! Expected costs are computed here from the published per-1M-token rates.

mod support;

use bedrock_meter::aws::AwsOptions;
use bedrock_meter::catalog::Catalog;
use bedrock_meter::records::Source;
use bedrock_meter::report::{self, DailyOptions, GroupBy, Row};
use bedrock_meter::resolve::{Aliases, Resolver};
use bedrock_meter::sources::cloudwatch::{self as monitor, MonitorConfig, fetch};
use jiff::civil::Date;
use rust_decimal::Decimal;
use support::{at, client, datum, plus, put, runtime, slot_start};

fn config(regions: &[&str], since: Date, until: Date) -> MonitorConfig {
    support::endpoint();
    MonitorConfig {
        aws: AwsOptions {
            max_attempts: 2,
            ..AwsOptions::default()
        },
        regions: regions.iter().map(|r| r.to_string()).collect(),
        since,
        until,
        timezone: jiff::tz::TimeZone::UTC,
        // moto computes no percentiles (it fails on them): covered by a unit test.
        percentiles: false,
        extra_series: Vec::new(),
        progress: false,
    }
}

fn daily(cfg: &MonitorConfig, by: &[GroupBy]) -> report::DailyReport {
    let collected = monitor::collect_blocking(cfg).expect("collect from moto");
    let catalog = Catalog::load(None).unwrap();
    let resolver = Resolver::new(&catalog, Aliases::default());
    report::daily(
        &collected.records,
        &resolver,
        &DailyOptions {
            since: cfg.since,
            until: cfg.until,
            timezone: "UTC".into(),
            regions: collected.regions.clone(),
            by: by.to_vec(),
            as_of: None,
            source: Source::CloudWatch,
        },
    )
}

/// `tokens × USD per 1M tokens`.
fn cost(tokens: u64, per_million: &str) -> Decimal {
    Decimal::from(tokens) * per_million.parse::<Decimal>().unwrap() / Decimal::from(1_000_000)
}

fn row<'r>(rows: &'r [Row], date: Date, region: &str, model: &str) -> &'r Row {
    rows.iter()
        .find(|r| r.date == date.to_string() && r.region == region && r.model_id == model)
        .unwrap_or_else(|| panic!("no row {date} {region} {model} in {rows:#?}"))
}

const HAIKU3: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET45_US: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const HAIKU35_ARN: &str = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0";
const SONNET45_GLOBAL: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const GPT_OSS_FLEX: &str = "openai.gpt-oss-120b-1:0+flex";
const LLAMA_ARN: &str =
    "arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-1-8b-instruct-v1:0";
const UNKNOWN: &str = "vendor.not-in-the-catalog-v9:0";

#[test]
fn daily_rows_price_every_model_region_and_id_form() {
    let d1 = slot_start(0);
    let d2 = plus(d1, 1);
    let rt = runtime();
    rt.block_on(async {
        let east = client("us-east-1");
        put(
            &east,
            vec![
                // Bare ID, two days, with latency and errors.
                datum(HAIKU3, "Invocations", at(d1, 0), 60.0),
                datum(HAIKU3, "Invocations", at(d1, 3), 40.0),
                datum(HAIKU3, "InputTokenCount", at(d1, 0), 2_000_000.0),
                datum(HAIKU3, "OutputTokenCount", at(d1, 0), 400_000.0),
                datum(HAIKU3, "InvocationLatency", at(d1, 0), 100.0),
                datum(HAIKU3, "InvocationLatency", at(d1, 1), 300.0),
                datum(HAIKU3, "InvocationClientErrors", at(d1, 0), 2.0),
                datum(HAIKU3, "InvocationServerErrors", at(d1, 0), 1.0),
                datum(HAIKU3, "InvocationThrottles", at(d1, 0), 4.0),
                datum(HAIKU3, "Invocations", at(d2, 0), 50.0),
                datum(HAIKU3, "InputTokenCount", at(d2, 0), 1_000_000.0),
                datum(HAIKU3, "OutputTokenCount", at(d2, 0), 200_000.0),
                // Geographic profile of a model with a geo premium, with prompt caching
                // (two spellings of the cache metric names).
                datum(SONNET45_US, "Invocations", at(d1, 0), 10.0),
                datum(SONNET45_US, "InputTokenCount", at(d1, 0), 100_000.0),
                datum(SONNET45_US, "OutputTokenCount", at(d1, 0), 20_000.0),
                datum(
                    SONNET45_US,
                    "CacheReadInputTokenCount",
                    at(d1, 0),
                    500_000.0,
                ),
                datum(SONNET45_US, "CacheWriteInputTokens", at(d1, 0), 40_000.0),
                // Inference-profile ARN.
                datum(HAIKU35_ARN, "Invocations", at(d1, 0), 20.0),
                datum(HAIKU35_ARN, "InputTokenCount", at(d1, 0), 1_000_000.0),
                datum(HAIKU35_ARN, "OutputTokenCount", at(d1, 0), 100_000.0),
                // A day outside the range must not leak in.
                datum(HAIKU3, "Invocations", at(plus(d1, 2), 0), 999.0),
            ],
        )
        .await;
        let west = client("us-west-2");
        put(
            &west,
            vec![
                datum(SONNET45_GLOBAL, "Invocations", at(d2, 0), 40.0),
                datum(SONNET45_GLOBAL, "InputTokenCount", at(d2, 0), 2_000_000.0),
                datum(SONNET45_GLOBAL, "OutputTokenCount", at(d2, 0), 100_000.0),
                datum(
                    SONNET45_GLOBAL,
                    "CacheReadInputTokenCount",
                    at(d2, 0),
                    1_000_000.0,
                ),
                datum(
                    SONNET45_GLOBAL,
                    "CacheWriteInputTokens",
                    at(d2, 0),
                    200_000.0,
                ),
                datum(GPT_OSS_FLEX, "Invocations", at(d1, 0), 30.0),
                datum(GPT_OSS_FLEX, "InputTokenCount", at(d1, 0), 4_000_000.0),
                datum(GPT_OSS_FLEX, "OutputTokenCount", at(d1, 0), 1_000_000.0),
                datum(LLAMA_ARN, "Invocations", at(d2, 0), 5.0),
                datum(LLAMA_ARN, "InputTokenCount", at(d2, 0), 500_000.0),
                datum(LLAMA_ARN, "OutputTokenCount", at(d2, 0), 500_000.0),
                datum(UNKNOWN, "Invocations", at(d1, 0), 3.0),
                datum(UNKNOWN, "InputTokenCount", at(d1, 0), 1_000.0),
            ],
        )
        .await;
    });

    let cfg = config(
        &["us-east-1", "us-west-2"],
        d1,
        d2.checked_add(jiff::Span::new().days(1)).unwrap(),
    );
    let rep = daily(&cfg, &GroupBy::ALL);
    let rows = &rep.rows;
    assert_eq!(rows.len(), 8, "{rows:#?}");

    // Claude 3 Haiku, bare ID: $0.25 / $1.25 per 1M.
    let h1 = row(rows, d1, "us-east-1", HAIKU3);
    assert_eq!(h1.resolved_model, HAIKU3);
    assert_eq!(
        (h1.invocations, h1.input_tokens, h1.output_tokens),
        (100, 2_000_000, 400_000)
    );
    assert_eq!(h1.costs.input, Some(cost(2_000_000, "0.25")));
    assert_eq!(h1.costs.output, Some(cost(400_000, "1.25")));
    assert_eq!(h1.costs.total, Some(Decimal::new(100, 2)));
    assert_eq!(h1.latency.avg_ms, Some(200.0));
    assert_eq!(
        (h1.client_errors, h1.server_errors, h1.throttles),
        (2, 1, 4)
    );
    assert_eq!(h1.status, "ok");
    let h2 = row(rows, d2, "us-east-1", HAIKU3);
    assert_eq!(h2.invocations, 50);
    assert_eq!(
        h2.costs.total,
        Some(cost(1_000_000, "0.25") + cost(200_000, "1.25"))
    );

    // Sonnet 4.5 through a `us.` profile: the geo rates, 10% over global.
    let s = row(rows, d1, "us-east-1", SONNET45_US);
    assert_eq!(
        (s.cache_read_tokens, s.cache_write_tokens),
        (500_000, 40_000)
    );
    assert_eq!(s.costs.input, Some(cost(100_000, "3.30")));
    assert_eq!(s.costs.output, Some(cost(20_000, "16.50")));
    assert_eq!(s.costs.cache_read, Some(cost(500_000, "0.33")));
    assert_eq!(s.costs.cache_write, Some(cost(40_000, "4.125")));
    assert_eq!(s.costs.total, Some(Decimal::new(990, 3)));

    // Claude 3.5 Haiku through an inference-profile ARN: $0.80 / $4.00.
    let a = row(rows, d1, "us-east-1", HAIKU35_ARN);
    assert_eq!(a.resolved_model, "anthropic.claude-3-5-haiku-20241022-v1:0");
    assert_eq!(
        a.costs.total,
        Some(cost(1_000_000, "0.80") + cost(100_000, "4.00"))
    );

    // Sonnet 4.5 `global.` profile in us-west-2: base rates.
    let g = row(rows, d2, "us-west-2", SONNET45_GLOBAL);
    assert_eq!(
        g.costs.total,
        Some(
            cost(2_000_000, "3.00")
                + cost(100_000, "15.00")
                + cost(1_000_000, "0.30")
                + cost(200_000, "3.75")
        )
    );
    assert_eq!(g.costs.total, Some(Decimal::new(855, 2)));

    // A `+flex` series is priced in the flex tier: $0.075 / $0.30.
    let f = row(rows, d1, "us-west-2", GPT_OSS_FLEX);
    assert_eq!(f.resolved_model, "openai.gpt-oss-120b-1:0");
    assert_eq!(
        f.costs.total,
        Some(cost(4_000_000, "0.075") + cost(1_000_000, "0.30"))
    );

    // Foundation-model ARN: Llama 3.1 8B, $0.22 / $0.22.
    let l = row(rows, d2, "us-west-2", LLAMA_ARN);
    assert_eq!(l.costs.total, Some(Decimal::new(22, 2)));

    // Unknown series: flagged, no cost at all (never $0).
    let u = row(rows, d1, "us-west-2", UNKNOWN);
    assert_eq!(u.invocations, 3);
    assert_eq!(u.costs.total, None);
    assert_eq!(u.costs.input, None);
    assert_eq!(u.status, "unpriced: unknown model");

    // Totals add the priced rows and say that one is unpriced.
    let priced_sum: Decimal = rows.iter().filter_map(|r| r.costs.total).sum();
    assert_eq!(rep.totals.costs.total, Some(priced_sum));
    assert_eq!(rep.totals.invocations, 100 + 50 + 10 + 20 + 40 + 30 + 5 + 3);
    assert!(
        rep.totals.status.contains("1 of 8"),
        "{}",
        rep.totals.status
    );

    // --by model sums over days and Regions.
    let by_model = daily(&cfg, &[GroupBy::Model]);
    let h = by_model.rows.iter().find(|r| r.model_id == HAIKU3).unwrap();
    assert_eq!(h.invocations, 150);
    assert_eq!(h.costs.total, Some(Decimal::new(150, 2)));
    assert_eq!(h.region, "all");
    // --by day,region: one row per day and Region.
    let by_day_region = daily(&cfg, &[GroupBy::Day, GroupBy::Region]);
    assert_eq!(by_day_region.rows.len(), 4);
    let east_d1 = by_day_region
        .rows
        .iter()
        .find(|r| r.date == d1.to_string() && r.region == "us-east-1")
        .unwrap();
    assert_eq!(east_d1.invocations, 130);
    assert_eq!(east_d1.costs.total, Some(Decimal::new(100 + 99 + 120, 2)));
}

/// GetMetricData calls = ceil(series × metrics / 500) per page, and ListMetrics pages are
/// followed (moto pages them at 500 too).
#[test]
fn get_metric_data_calls_are_queries_over_500_rounded_up() {
    let region = "eu-west-3";
    let d = slot_start(1);
    let series = 150;
    let metrics = [
        "Invocations",
        "InputTokenCount",
        "OutputTokenCount",
        "InvocationLatency",
    ];
    let rt = runtime();
    let listed = rt.block_on(async {
        let c = client(region);
        let mut data = Vec::new();
        for i in 0..series {
            for m in metrics {
                data.push(datum(
                    &format!("test.count-model-{i}"),
                    m,
                    at(d, 0),
                    1.0 + i as f64,
                ));
            }
        }
        put(&c, data).await;
        // What the Region holds now (a long-lived server may hold more than this test put).
        let mut n = 0;
        let mut token = None;
        loop {
            let r = c
                .list_metrics()
                .namespace("AWS/Bedrock")
                .set_next_token(token)
                .send()
                .await
                .unwrap();
            n += r.metrics().len();
            token = r.next_token().map(str::to_string);
            if token.is_none() {
                break n;
            }
        }
    });
    assert!(listed >= series * metrics.len());

    let mut cfg = config(&[region], d, plus(d, 1));
    let with_avg = monitor::collect_blocking(&cfg).unwrap();
    // One query per metric (latency: Average only).
    assert_eq!(with_avg.stats.queries as usize, listed);
    assert_eq!(
        with_avg.stats.get_metric_data_calls as usize,
        listed.div_ceil(500)
    );
    assert_eq!(with_avg.stats.get_metric_data_calls, 2);
    assert_eq!(
        with_avg.stats.list_metrics_calls as usize,
        listed.div_ceil(500)
    );
    assert_eq!(with_avg.records.len(), series);
    let r7 = with_avg
        .records
        .iter()
        .find(|r| r.model_id == "test.count-model-7")
        .unwrap();
    assert_eq!((r7.invocations, r7.input_tokens), (8, 8));
    assert_eq!(r7.latency.avg_ms, Some(8.0));

    // Percentiles add three queries per latency series: still ceil(queries / 500). moto
    // has no data for them on other days, so ask for a day without data.
    cfg.percentiles = true;
    cfg.since = plus(d, 1);
    cfg.until = plus(d, 2);
    let with_pct = monitor::collect_blocking(&cfg).unwrap();
    let latency_series = listed / metrics.len();
    assert_eq!(with_pct.stats.queries as usize, listed + 3 * latency_series);
    assert_eq!(
        with_pct.stats.get_metric_data_calls,
        fetch::calls_per_page(with_pct.stats.queries as usize) as u64
    );
    assert_eq!(with_pct.stats.get_metric_data_calls, 3); // 600 + 450 queries
    assert!(with_pct.records.is_empty());
}

#[test]
fn a_range_without_data_gives_an_empty_report() {
    let d = slot_start(2);
    let cfg = config(&["ap-northeast-1"], d, plus(d, 3));
    let rep = daily(&cfg, &GroupBy::ALL);
    assert!(rep.rows.is_empty());
    assert_eq!(rep.totals.costs.total, None);
    let doc = report::document(&rep, true);
    assert!(doc.table.rows.is_empty());
    assert!(doc.notes[0].contains("no Bedrock usage"), "{:?}", doc.notes);
}

/// Days start at midnight of `--timezone`: 02:00 UTC is still the evening before in New
/// York.
#[test]
fn days_follow_the_time_zone() {
    let d = slot_start(3);
    let model = "amazon.nova-micro-v1:0";
    runtime().block_on(async {
        let c = client("us-east-1");
        put(
            &c,
            vec![
                // 02:00 UTC on d+1 = 21:00 or 22:00 on d in New York.
                datum(model, "Invocations", at(plus(d, 1), -10), 7.0),
                // 18:00 UTC on d+1 = d+1 in New York.
                datum(model, "Invocations", at(plus(d, 1), 6), 5.0),
            ],
        )
        .await;
    });
    let mut cfg = config(&["us-east-1"], d, plus(d, 2));
    cfg.timezone = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let got = monitor::collect_blocking(&cfg).unwrap();
    let mine: Vec<(Date, u64)> = got
        .records
        .iter()
        .filter(|r| r.model_id == model)
        .map(|r| (r.day, r.invocations))
        .collect();
    assert_eq!(mine, vec![(d, 7), (plus(d, 1), 5)]);

    cfg.timezone = jiff::tz::TimeZone::UTC;
    let utc = monitor::collect_blocking(&cfg).unwrap();
    let mine: Vec<(Date, u64)> = utc
        .records
        .iter()
        .filter(|r| r.model_id == model)
        .map(|r| (r.day, r.invocations))
        .collect();
    assert_eq!(mine, vec![(plus(d, 1), 12)]);
}
