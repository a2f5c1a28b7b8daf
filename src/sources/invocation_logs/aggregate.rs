//! Invocation records → daily [`UsageRecord`]s, one per day (in the reporting time zone) ×
//! Region called × model ID × principal × tag set (the whole `requestMetadata` map).
//!
//! Successful calls count as invocations and bring their tokens and images; failed calls
//! (an `errorCode`, or a stream that ended in an error) bring no tokens (nothing is priced
//! for them) and are counted by kind: `ThrottlingException` in `throttles`; the service's or
//! the model's failures (`InternalServerException`, `ServiceUnavailableException`,
//! `ModelErrorException`, `ModelTimeoutException`, `ModelStreamErrorException`,
//! `ModelNotReadyException`) in `server_errors`; any other code (`ValidationException`,
//! `AccessDenied`, `ResourceNotFoundException`, …: the caller's) in `client_errors`.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::record::InvocationRecord;
use crate::records::{Source, UsageRecord};

/// What kind of failure an error code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Throttle,
    Server,
    Client,
}

/// Classifies an error code (case-insensitive, with or without the `Exception` suffix).
pub fn classify(code: &str) -> Failure {
    let lower = code.trim().to_ascii_lowercase();
    let bare = lower.strip_suffix("exception").unwrap_or(&lower);
    match bare {
        "throttling" | "toomanyrequests" => Failure::Throttle,
        "internalserver"
        | "internalfailure"
        | "serviceunavailable"
        | "modelerror"
        | "modeltimeout"
        | "modelstreamerror"
        | "modelnotready"
        | "internalservererror" => Failure::Server,
        _ => Failure::Client,
    }
}

type Key = (Date, String, String, String, BTreeMap<String, String>);

/// Sums records into usage records (source [`Source::InvocationLogs`]), sorted by day,
/// Region, model, principal, then tags.
pub fn aggregate(records: &[InvocationRecord], tz: &TimeZone) -> Vec<UsageRecord> {
    let mut groups: HashMap<Key, UsageRecord> = HashMap::new();
    for r in records {
        let day = r.time.to_zoned(tz.clone()).date();
        let key: Key = (
            day,
            r.region.clone(),
            r.model_id.clone(),
            r.principal.key.clone(),
            r.tags.clone(),
        );
        let usage = groups.entry(key).or_insert_with(|| {
            let mut u = UsageRecord::new(day, r.region.clone(), r.model_id.clone());
            u.principal = Some(r.principal.key.clone());
            u.tags = r.tags.clone();
            u.source = Source::InvocationLogs;
            u
        });
        add(usage, r);
    }
    let mut out: Vec<(Key, UsageRecord)> = groups.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, u)| u).collect()
}

fn add(u: &mut UsageRecord, r: &InvocationRecord) {
    match r.error_code.as_deref().map(classify) {
        Some(Failure::Throttle) => u.throttles += 1,
        Some(Failure::Server) => u.server_errors += 1,
        Some(Failure::Client) => u.client_errors += 1,
        None => {
            u.invocations += 1;
            u.input_tokens += r.input_tokens;
            u.output_tokens += r.output_tokens;
            u.cache_read_tokens += r.cache_read_tokens;
            u.cache_write_tokens += r.cache_write_tokens();
            u.cache_write_1h_tokens += r.cache_write_1h_tokens;
            u.images += r.images.as_ref().map_or(0, |i| i.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Principal;

    fn record(time: &str, who: &str, model: &str) -> InvocationRecord {
        InvocationRecord {
            time: time.parse().unwrap(),
            account: Some("111122223333".into()),
            region: "us-east-1".into(),
            principal: Principal::from_arn(who),
            operation: Some("InvokeModel".into()),
            model_id: model.into(),
            request_id: None,
            input_tokens: 10,
            output_tokens: 5,
            cache_read_tokens: 100,
            cache_write_5m_tokens: 20,
            cache_write_1h_tokens: 30,
            images: None,
            inference_region: None,
            tags: BTreeMap::new(),
            error_code: None,
            bodies_in_s3: false,
            streamed: false,
        }
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    const BOB: &str = "arn:aws:iam::111122223333:user/bob";

    #[test]
    fn calls_sum_per_day_region_model_principal_and_tags() {
        let mut tagged = record("2025-03-11T10:00:00Z", ALICE, "m");
        tagged.tags.insert("team".into(), "search".into());
        let records = vec![
            record("2025-03-11T00:00:00Z", ALICE, "m"),
            record("2025-03-11T23:59:59Z", ALICE, "m"),
            record("2025-03-11T12:00:00Z", BOB, "m"),
            record("2025-03-11T12:00:00Z", ALICE, "other"),
            record("2025-03-12T00:00:00Z", ALICE, "m"),
            tagged,
        ];
        let rows = aggregate(&records, &TimeZone::UTC);
        assert_eq!(rows.len(), 5);
        let first = &rows[0];
        assert_eq!(first.day.to_string(), "2025-03-11");
        assert_eq!(first.principal.as_deref(), Some(ALICE));
        assert_eq!(first.model_id, "m");
        assert!(first.tags.is_empty());
        assert_eq!(first.invocations, 2);
        assert_eq!((first.input_tokens, first.output_tokens), (20, 10));
        assert_eq!(first.cache_read_tokens, 200);
        assert_eq!(first.cache_write_tokens, 100);
        assert_eq!(first.cache_write_1h_tokens, 60);
        assert_eq!(first.source, Source::InvocationLogs);
        assert_eq!(rows[1].tags.get("team").map(String::as_str), Some("search"));
        assert_eq!(rows[1].invocations, 1);
    }

    #[test]
    fn days_follow_the_time_zone() {
        let records = vec![
            record("2025-03-11T02:00:00Z", ALICE, "m"),
            record("2025-03-11T20:00:00Z", ALICE, "m"),
        ];
        let tz = TimeZone::get("America/New_York").unwrap();
        let rows = aggregate(&records, &tz);
        let days: Vec<String> = rows.iter().map(|r| r.day.to_string()).collect();
        assert_eq!(days, ["2025-03-10", "2025-03-11"]);
    }

    #[test]
    fn failed_calls_are_counted_by_kind_and_bring_no_tokens() {
        let mut records = Vec::new();
        for code in [
            "ThrottlingException",
            "ValidationException",
            "AccessDenied",
            "ModelErrorException",
            "InternalServerException",
            "ServiceUnavailable",
            "ModelTimeoutException",
        ] {
            let mut r = record("2025-03-11T00:00:00Z", ALICE, "m");
            r.error_code = Some(code.into());
            records.push(r);
        }
        let mut image = record("2025-03-11T00:00:00Z", ALICE, "m");
        image.images = Some(super::super::record::Images {
            count: 3,
            size: Some("1024x1024".into()),
            quality: Some("premium".into()),
        });
        records.push(image);
        let rows = aggregate(&records, &TimeZone::UTC);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.throttles, r.client_errors, r.server_errors), (1, 2, 4));
        assert_eq!(r.invocations, 1);
        assert_eq!(r.input_tokens, 10, "only the successful call's tokens");
        assert_eq!(r.images, 3);
    }

    #[test]
    fn error_codes_classify_with_or_without_the_suffix() {
        assert_eq!(classify("throttling"), Failure::Throttle);
        assert_eq!(classify("ModelTimeout"), Failure::Server);
        assert_eq!(classify("ResourceNotFoundException"), Failure::Client);
        assert_eq!(classify("SomethingNew"), Failure::Client);
    }
}
