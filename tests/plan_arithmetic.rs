//! Planner arithmetic, checked against hand-computed values. Rates are written out here
//! (from the catalog's sources: bedrock-facts §6 and seed 002), not read back from the tool.

use std::path::Path;
use std::str::FromStr;

use bedrock_meter::catalog::{Catalog, Mode, SourceText, embedded_sources};
use bedrock_meter::plan::{self, Plan, PlanOption, WorkloadPlan};
use bedrock_meter::resolve::{Aliases, Resolver};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap().normalize()
}

fn plan_with(catalog: Catalog, toml: &str) -> Plan {
    let c: &'static Catalog = Box::leak(Box::new(catalog));
    let r = Resolver::new(c, Aliases::default());
    let src = SourceText {
        name: "w.toml".into(),
        text: toml.into(),
    };
    let file = plan::parse(&src, Path::new("."), &r, "2026-11-22".parse().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    plan::plan(&file)
}

fn plan_of(toml: &str) -> Plan {
    plan_with(Catalog::embedded().unwrap(), toml)
}

fn only(p: &Plan) -> &WorkloadPlan {
    assert_eq!(p.workloads.len(), 1);
    &p.workloads[0]
}

/// Cost of `option` in month `i` of the workload.
fn cost(w: &WorkloadPlan, i: usize, option: PlanOption) -> Decimal {
    w.months[i]
        .option(option)
        .unwrap_or_else(|| panic!("no {option} in month {i}: {:#?}", w.months[i]))
        .total_usd
        .normalize()
}

const PT6: PlanOption = PlanOption::Provisioned(Mode::Provisioned6Month);
const PT1: PlanOption = PlanOption::Provisioned(Mode::Provisioned1Month);
const PT0: PlanOption = PlanOption::Provisioned(Mode::ProvisionedNoCommit);

// Titan Text Express, us-east-1, from 2026-04-01: input $0.20 and output $0.60 per 1M tokens;
// provisioned per model-unit hour: no commitment $20.50, 1 month $18.40, 6 months $14.80.

#[test]
fn provisioned_wins_at_high_steady_volume() {
    // 1,440,000 requests a day, evenly spread: 1,000 a minute × (1,000 in + 200 out) tokens
    // = 1,200,000 tokens a minute: exactly one unit of 1,200,000.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "bulk"
model = "amazon.titan-text-express-v1"
requests_per_day = 1440000
input_tokens = 1000
output_tokens = 200
horizon_months = 1
[workload.provisioned]
tokens_per_minute_per_unit = 1200000
"#,
    );
    let w = only(&p);
    let m = &w.months[0];
    assert_eq!(m.requests, 1_440_000 * 31);
    assert_eq!(m.peak_tpm, 1_200_000);
    assert_eq!(m.model_units_needed, Some(1));
    // On demand: 44.64M requests × (1,000 × 0.20 + 200 × 0.60) / 1M = 44.64M × $0.00032.
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("14284.80"));
    // January: 744 hours.
    assert_eq!(cost(w, 0, PT6), d("11011.20")); // 744 × 14.80
    assert_eq!(cost(w, 0, PT1), d("13689.60")); // 744 × 18.40
    assert_eq!(cost(w, 0, PT0), d("15252")); // 744 × 20.50: dearer than on demand
    assert_eq!(m.cheapest, Some(PT6));
    assert_eq!(w.cheapest.as_ref().unwrap().option, PT6);
    let o = m.option(PT6).unwrap();
    assert_eq!(o.model_units, Some(1));
    assert_eq!(o.utilization.unwrap().normalize(), d("1"));

    // Break-even on the 6-month term: one unit-month $11,011.20 = d × 31 days × $0.00032,
    // d = 1,110,000 requests a day; one unit serves 1,440,000, so 77.08% utilization.
    let be = w
        .break_even
        .iter()
        .find(|b| b.term == Mode::Provisioned6Month)
        .unwrap();
    assert_eq!(be.requests_per_day, Some(1_110_000));
    assert_eq!(be.utilization.unwrap().normalize(), d("0.7708"));
    assert_eq!(be.unit_capacity_requests_per_day.normalize(), d("1440000"));
    assert_eq!(be.on_demand_per_request_usd.normalize(), d("0.00032"));
    // No commitment: 15,252 / (31 × 0.00032) = 1,537,500 a day, more than a unit serves.
    let nc = w
        .break_even
        .iter()
        .find(|b| b.term == Mode::ProvisionedNoCommit)
        .unwrap();
    assert_eq!(nc.requests_per_day, None);
}

#[test]
fn provisioned_loses_at_low_volume() {
    // 14,400 requests a day: 10 a minute × 1,200 tokens = 12,000 tokens a minute.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "small"
model = "amazon.titan-text-express-v1"
requests_per_day = 14400
input_tokens = 1000
output_tokens = 200
horizon_months = 1
[workload.provisioned]
tokens_per_minute_per_unit = 20000
terms = ["6-month"]
"#,
    );
    let w = only(&p);
    // 446,400 requests × $0.00032.
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("142.848"));
    assert_eq!(cost(w, 0, PT6), d("11011.20"));
    assert!(w.months[0].option(PT0).is_none(), "only the 6-month term");
    assert_eq!(w.months[0].cheapest, Some(PlanOption::OnDemand));
    assert_eq!(
        w.months[0]
            .option(PT6)
            .unwrap()
            .utilization
            .unwrap()
            .normalize(),
        d("0.6")
    );
    // A unit serves 20,000 × 1,440 / 1,200 = 24,000 requests a day; break-even would need
    // 1,110,000: provisioned never wins.
    let be = &w.break_even[0];
    assert_eq!(be.requests_per_day, None);
    assert_eq!(be.unit_capacity_requests_per_day.normalize(), d("24000"));
}

#[test]
fn peak_sizing_uses_the_daily_shape_and_p95() {
    // Busiest hour 12 of a shape summing to 26 (23 × 1 + 3): 26,000 a day puts 3,000
    // requests in that hour, 50 a minute, × p95 (1,500 + 300) = 90,000 tokens a minute:
    // 5 units of 20,000.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "shaped"
model = "amazon.titan-text-express-v1"
requests_per_day = 26000
daily_shape = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
input_tokens_p50 = 1000
input_tokens_p95 = 1500
output_tokens_p50 = 200
output_tokens_p95 = 300
horizon_months = 1
[workload.provisioned]
tokens_per_minute_per_unit = 20000
terms = ["1-month"]
"#,
    );
    let w = only(&p);
    assert_eq!(w.months[0].peak_tpm, 90_000);
    assert_eq!(w.months[0].model_units_needed, Some(5));
    // 5 units × 744 hours × $18.40.
    assert_eq!(cost(w, 0, PT1), d("68448"));
    // Cost uses the median: 806,000 requests × $0.00032.
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("257.92"));
}

// Claude 3 Haiku: input $0.25, output $1.25 per 1M tokens. 1,000 in + 100 out tokens cost
// $0.00025 + $0.000125 = $0.000375 a request.

#[test]
fn growth_compounds_monthly_over_three_months() {
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "growing"
model = "anthropic.claude-3-haiku-20240307-v1:0"
requests_per_day = 1000
input_tokens = 1000
output_tokens = 100
monthly_growth = 0.10
horizon_months = 3
"#,
    );
    let w = only(&p);
    let months: Vec<String> = w.months.iter().map(|m| m.month.to_string()).collect();
    assert_eq!(months, ["2027-01", "2027-02", "2027-03"]);
    // 1,000 × 31; 1,100 × 28; 1,210 × 31.
    let requests: Vec<u64> = w.months.iter().map(|m| m.requests).collect();
    assert_eq!(requests, [31_000, 30_800, 37_510]);
    assert_eq!(w.months[2].requests_per_day.normalize(), d("1210"));
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("11.625"));
    assert_eq!(cost(w, 1, PlanOption::OnDemand), d("11.55"));
    assert_eq!(cost(w, 2, PlanOption::OnDemand), d("14.06625"));
    let total = w.total(PlanOption::OnDemand).unwrap();
    assert!(total.complete);
    assert_eq!(total.total_usd.normalize(), d("37.24125"));
    assert_eq!(p.totals.on_demand_usd.normalize(), d("37.24125"));
    // Batch: half price on the same traffic is not an option without a batch share.
    assert!(w.months[0].option(PlanOption::BatchSplit).is_none());
}

#[test]
fn growth_rounds_requests_once_and_business_days_count_weekdays() {
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "office"
model = "anthropic.claude-3-haiku-20240307-v1:0"
requests_per_day = 1000
days = "business-days"
input_tokens = 1000
output_tokens = 100
monthly_growth = 0.05
horizon_months = 3
"#,
    );
    let w = only(&p);
    // Weekdays: January 2027 has 21, February 20, March 23.
    let days: Vec<u32> = w.months.iter().map(|m| m.traffic_days).collect();
    assert_eq!(days, [21, 20, 23]);
    // 1,000 × 21; 1,050 × 20; 1,102.5 × 23 = 25,357.5 → 25,358 (half away from zero).
    let requests: Vec<u64> = w.months.iter().map(|m| m.requests).collect();
    assert_eq!(requests, [21_000, 21_000, 25_358]);
    // Provisioned would still run every hour: hours follow calendar days.
    assert_eq!(w.months[0].hours, 744);
}

// Claude Haiku 4.5 through the global profile: input $1.00, output $5.00, cache write (5 min)
// $1.25, cache write (1 h) $2.00, cache read $0.10 per 1M tokens; batch $0.50 / $2.50.

const CACHED: &str = r#"
start = "2027-01"
[[workload]]
name = "chat"
model = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
requests_per_day = 1000
input_tokens = 3000
output_tokens = 200
cached_prefix_tokens = 2000
cache_hit_rate = 0.9
horizon_months = 1
"#;

#[test]
fn cache_savings() {
    let w = plan_of(CACHED);
    let w = only(&w);
    // 31,000 requests: 27,900 read the 2,000-token prefix, 3,100 write it.
    //   input 31,000 × 1,000 = 31M × $1.00 = $31.00
    //   read  27,900 × 2,000 = 55.8M × $0.10 = $5.58
    //   write  3,100 × 2,000 = 6.2M × $1.25 = $7.75
    //   output 31,000 × 200 = 6.2M × $5.00 = $31.00
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("75.33"));
    // Without the cache: 93M input × $1.00 + $31.00 = $124.00, so the cache saves $48.67.
    assert_eq!(
        w.months[0].cache_savings_usd.unwrap().normalize(),
        d("48.67")
    );
    assert_eq!(w.cache_savings_usd.unwrap().normalize(), d("48.67"));
    assert!(
        w.unpriced.iter().all(|u| !u.contains('/')),
        "{:?}",
        w.unpriced
    );

    // One-hour cache writes: 6.2M × $2.00 = $12.40 instead of $7.75.
    let one_hour = plan_of(&CACHED.replace(
        "cache_hit_rate = 0.9",
        "cache_hit_rate = 0.9\ncache_ttl = \"1h\"",
    ));
    assert_eq!(cost(only(&one_hour), 0, PlanOption::OnDemand), d("79.98"));

    // A 10% hit rate: 3,100 reads ($0.62) and 27,900 writes (55.8M × $1.25 = $69.75):
    // $132.37, $8.37 more than no cache at all.
    let low = plan_of(&CACHED.replace("cache_hit_rate = 0.9", "cache_hit_rate = 0.1"));
    let low = only(&low);
    assert_eq!(cost(low, 0, PlanOption::OnDemand), d("132.37"));
    assert_eq!(low.cache_savings_usd.unwrap().normalize(), d("-8.37"));
}

#[test]
fn batch_split_moves_the_batch_share_to_batch_rates() {
    // Nova Lite: on demand $0.06 in / $0.24 out, batch $0.03 / $0.12 per 1M tokens.
    // 2,000 in + 500 out: $0.00024 a request on demand, $0.00012 in batch.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "nightly"
model = "amazon.nova-lite-v1:0"
requests_per_day = 10000
days = "business-days"
input_tokens = 2000
output_tokens = 500
batch_share = 0.75
horizon_months = 1
"#,
    );
    let w = only(&p);
    // 21 weekdays × 10,000 = 210,000 requests: 157,500 in batch, 52,500 on demand.
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("50.40"));
    let split = w.months[0].option(PlanOption::BatchSplit).unwrap();
    assert_eq!(split.total_usd.normalize(), d("31.50")); // 12.60 + 18.90
    let parts: Vec<(Mode, u64, Decimal)> = split
        .parts
        .iter()
        .map(|p| (p.mode, p.requests, p.total_usd.normalize()))
        .collect();
    assert_eq!(
        parts,
        [
            (Mode::OnDemand, 52_500, d("12.60")),
            (Mode::Batch, 157_500, d("18.90"))
        ]
    );
    assert_eq!(w.months[0].cheapest, Some(PlanOption::BatchSplit));
    assert_eq!(w.cheapest.as_ref().unwrap().option, PlanOption::BatchSplit);
}

#[test]
fn batch_split_with_a_cache_prices_batch_uncached() {
    // Half of CACHED's 31,000 requests go to batch, which has no cache rates in the catalog.
    let p = plan_of(&CACHED.replace(
        "horizon_months = 1",
        "horizon_months = 1\nbatch_share = 0.5",
    ));
    let w = only(&p);
    let split = w.months[0].option(PlanOption::BatchSplit).unwrap();
    // On demand, 15,500 requests: 13,950 hits, 1,550 misses.
    //   input 15.5M × $1.00 = $15.50; read 27.9M × $0.10 = $2.79;
    //   write 3.1M × $1.25 = $3.875; output 3.1M × $5.00 = $15.50 → $37.665
    // Batch, 15,500 requests, uncached: 46.5M × $0.50 = $23.25 + 3.1M × $2.50 = $7.75 → $31.00
    assert_eq!(split.parts[0].total_usd.normalize(), d("37.665"));
    assert!(split.parts[0].cached);
    assert_eq!(split.parts[1].total_usd.normalize(), d("31"));
    assert!(!split.parts[1].cached);
    assert_eq!(split.total_usd.normalize(), d("68.665"));
    assert!(
        w.warnings
            .iter()
            .any(|x| x.contains("priced without the cache")),
        "{:?}",
        w.warnings
    );
}

#[test]
fn flex_and_priority_where_priced() {
    // gpt-oss-120b per 1M tokens: on demand 0.15 / 0.60, flex 0.075 / 0.30,
    // priority 0.2625 / 1.05. 31,000 requests of 1,000 in + 100 out.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "oss"
model = "openai.gpt-oss-120b-1:0"
requests_per_day = 1000
input_tokens = 1000
output_tokens = 100
horizon_months = 1
"#,
    );
    let w = only(&p);
    assert_eq!(cost(w, 0, PlanOption::OnDemand), d("6.51"));
    assert_eq!(cost(w, 0, PlanOption::Flex), d("3.255"));
    assert_eq!(cost(w, 0, PlanOption::Priority), d("11.3925"));
    assert_eq!(w.months[0].cheapest, Some(PlanOption::Flex));
    // No provisioned price for gpt-oss: listed as unpriced, never as $0.
    for term in [
        "provisioned-no-commit",
        "provisioned-1-month",
        "provisioned-6-month",
    ] {
        assert!(w.unpriced.iter().any(|u| u == term), "{:?}", w.unpriced);
    }
}

#[test]
fn unpriced_is_never_zero() {
    // Claude v1 has no price at all; Nova Lite has no cache-write rate.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "old"
model = "anthropic.claude-v1"
requests_per_day = 100
input_tokens = 1000
output_tokens = 100
horizon_months = 1

[[workload]]
name = "nova-cached"
model = "amazon.nova-lite-v1:0"
requests_per_day = 100
input_tokens = 3000
output_tokens = 100
cached_prefix_tokens = 2000
cache_hit_rate = 0.5
horizon_months = 1
"#,
    );
    let old = &p.workloads[0];
    assert!(old.months[0].options.is_empty());
    assert!(old.unpriced.iter().any(|u| u == "on-demand"));
    assert!(old.cheapest.is_none());
    let nova = &p.workloads[1];
    let od = nova.months[0].option(PlanOption::OnDemand).unwrap();
    assert!(!od.complete);
    assert_eq!(od.unpriced, ["on-demand/cache-write-5m"]);
    assert_eq!(nova.months[0].cheapest, None);
    assert!(!p.totals.complete);
}

#[test]
fn quota_warning_when_the_catalog_knows_the_quota() {
    let overlay = SourceText {
        name: "quota.toml".into(),
        text: "schema = 1\n[[models]]\nid = \"anthropic.claude-3-haiku-20240307-v1:0\"\ndefault_tpm_quota = 10000\n".into(),
    };
    let catalog = Catalog::build(&embedded_sources(), Some(&overlay))
        .into_result()
        .unwrap();
    // 14,400 a day evenly: 10 a minute × 1,100 tokens = 11,000 tokens a minute.
    let p = plan_with(
        catalog,
        r#"
start = "2027-01"
[[workload]]
name = "busy"
model = "anthropic.claude-3-haiku-20240307-v1:0"
requests_per_day = 14400
input_tokens = 1000
output_tokens = 100
horizon_months = 1
"#,
    );
    let w = only(&p);
    assert_eq!(w.peak_tpm, 11_000);
    assert_eq!(w.default_tpm_quota, Some(10_000));
    assert!(
        w.warnings
            .iter()
            .any(|x| x.contains("exceeds the default on-demand quota of 10000")),
        "{:?}",
        w.warnings
    );
    // Under the quota: no warning.
    let quiet = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "quiet"
model = "anthropic.claude-3-haiku-20240307-v1:0"
requests_per_day = 1440
input_tokens = 1000
output_tokens = 100
horizon_months = 1
"#,
    );
    assert!(only(&quiet).warnings.iter().all(|x| !x.contains("quota")));
}

#[test]
fn committed_units_are_held_when_traffic_falls() {
    // Traffic halves each month; a 6-month commitment keeps paying for month 1's 4 units.
    // 57,600 a day evenly: 40 a minute × 1,200 = 48,000 TPM → 4 units of 12,000, then 2, 1.
    let p = plan_of(
        r#"
start = "2027-01"
[[workload]]
name = "falling"
model = "amazon.titan-text-express-v1"
requests_per_day = 57600
input_tokens = 1000
output_tokens = 200
monthly_growth = -0.5
horizon_months = 3
[workload.provisioned]
tokens_per_minute_per_unit = 12000
terms = ["no-commit", "6-month"]
"#,
    );
    let w = only(&p);
    let needed: Vec<Option<u64>> = w.months.iter().map(|m| m.model_units_needed).collect();
    assert_eq!(needed, [Some(4), Some(2), Some(1)]);
    let held = |o: PlanOption| -> Vec<u64> {
        w.months
            .iter()
            .map(|m| m.option(o).unwrap().model_units.unwrap())
            .collect()
    };
    assert_eq!(held(PT0), [4, 2, 1]);
    assert_eq!(held(PT6), [4, 4, 4]);
    // February: 672 hours. 4 × 672 × $14.80 = $39,782.40; no commitment 2 × 672 × $20.50.
    assert_eq!(cost(w, 1, PT6), d("39782.40"));
    assert_eq!(cost(w, 1, PT0), d("27552"));
}
