//! `--apportion-cost`: who spent it, without invocation logs. CloudWatch's priced usage of
//! each (day, Region, model series), split over principals by [`crate::report::apportion`],
//! is added to the governance rows whose keys it matches. The cost is labelled an
//! *apportioned estimate* everywhere it appears (column name, JSON `cost_basis`, notes).
//!
//! A CloudWatch series matches a row's model when it is the same string, or a
//! `MODEL+flex` / `MODEL+priority` tier series of it (CloudTrail records the model ID without
//! the tier suffix). Rows grouped by event or error cannot carry a cost (a cost belongs to
//! successful invocations, not to an operation or an error code).

use rust_decimal::Decimal;

use super::GovernanceReport;
use super::keys::GovKey;
use super::rows::GovRow;
use crate::money;
use crate::report::Priced;
use crate::report::apportion::UNATTRIBUTED;

const ALL: &str = "all";

/// Whether `--by` allows an apportioned cost column.
pub fn check_keys(by: &[GovKey]) -> Result<(), String> {
    if by.contains(&GovKey::Event) || by.contains(&GovKey::Error) {
        return Err(
            "--apportion-cost cannot be combined with --by event or error: costs belong to successful model calls, not to an operation or error code"
                .to_string(),
        );
    }
    Ok(())
}

fn base(series: &str) -> &str {
    series.split_once('+').map(|(b, _)| b).unwrap_or(series)
}

fn matches(row: &GovRow, part: &Priced) -> bool {
    let r = &part.record;
    let principal = r.principal.as_deref().unwrap_or("");
    (row.principal == ALL || row.principal == principal)
        && (row.model_id == ALL || row.model_id == r.model_id || row.model_id == base(&r.model_id))
        && (row.region == ALL || row.region == r.region)
        && (row.day == r.day.to_string() || (row.day.contains("..") && !row.day.is_empty()))
}

/// Adds each apportioned part's cost to the row it belongs to; returns the notes.
pub fn attach(report: &mut GovernanceReport, parts: &[Priced]) -> Vec<String> {
    report.apportioned = true;
    let mut unattributed = Decimal::ZERO;
    let mut unmatched = Decimal::ZERO;
    let mut unpriced = 0usize;
    let mut whole = Decimal::ZERO;
    for part in parts {
        if !part.unpriced.is_empty() {
            unpriced += 1;
        }
        let Some(total) = part.costs.total else {
            continue;
        };
        whole += total;
        if part.record.principal.as_deref() == Some(UNATTRIBUTED) {
            unattributed += total;
            continue;
        }
        match report.rows.iter_mut().find(|row| matches(row, part)) {
            Some(row) => *row.apportioned_cost_usd.get_or_insert(Decimal::ZERO) += total,
            None => unmatched += total,
        }
    }
    let mut notes = vec![format!(
        "apportioned_cost_usd is an estimate: CloudWatch's cost of each series-day ({} in all) split over principals by their successful CloudTrail calls; exact per-principal cost needs model-invocation logs",
        money::usd(whole)
    )];
    if unattributed > Decimal::ZERO {
        notes.push(format!(
            "{} of CloudWatch cost had no successful CloudTrail call on the same day, Region and model series (unattributed)",
            money::usd(unattributed)
        ));
    }
    if unmatched > Decimal::ZERO {
        notes.push(format!(
            "{} of apportioned cost matched no row of this report",
            money::usd(unmatched)
        ));
    }
    if unpriced > 0 {
        notes.push(format!(
            "{unpriced} apportioned series-day part(s) are not fully priced: their unknown costs are left out, never counted as $0"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::UsageRecord;
    use crate::report::Costs;
    use jiff::civil::date;
    use std::collections::BTreeMap;

    fn row(principal: &str, model: &str) -> GovRow {
        let t: jiff::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        GovRow {
            principal: principal.into(),
            principal_type: "IAMUser".into(),
            account: "1".into(),
            model_id: model.into(),
            resolved_model: String::new(),
            region: ALL.into(),
            day: "2026-03-01..2026-03-31".into(),
            event: ALL.into(),
            error: ALL.into(),
            operations: BTreeMap::new(),
            calls: 1,
            invoke_calls: 1,
            errors: BTreeMap::new(),
            error_calls: 0,
            error_share_pct: Decimal::ZERO,
            source_ip_count: 0,
            source_ips: vec![],
            user_agent_count: 0,
            user_agents: vec![],
            regions: vec![],
            rerouted_calls: 0,
            first_seen: t,
            last_seen: t,
            apportioned_cost_usd: None,
        }
    }

    fn part(principal: &str, model: &str, total: Option<&str>) -> Priced {
        let mut record = UsageRecord::new(date(2026, 3, 2), "us-east-1", model);
        record.principal = Some(principal.into());
        let t = total.map(|t| t.parse::<Decimal>().unwrap());
        Priced {
            record,
            resolved_model: None,
            costs: Costs {
                total: t,
                ..Costs::default()
            },
            unpriced: if t.is_none() {
                vec!["x".into()]
            } else {
                vec![]
            },
            warnings: vec![],
        }
    }

    #[test]
    fn parts_land_on_their_rows_and_the_rest_is_explained() {
        let mut rep = crate::report::governance::governance(
            &[],
            &[],
            &crate::resolve::Resolver::new(
                &crate::catalog::Catalog::load(None).unwrap(),
                Default::default(),
            ),
            &crate::report::governance::GovernanceOptions::new(date(2026, 3, 1), date(2026, 4, 1)),
        );
        rep.rows = vec![row("a", "m"), row("b", "m"), row("c", "m")];
        let notes = attach(
            &mut rep,
            &[
                part("a", "m", Some("1.50")),
                part("a", "m+priority", Some("0.25")),
                part("b", "m", Some("2")),
                part("b", "m", None),
                part(UNATTRIBUTED, "m", Some("0.10")),
                part("zz", "m", Some("0.05")),
            ],
        );
        assert_eq!(
            rep.rows[0].apportioned_cost_usd,
            Some("1.75".parse().unwrap())
        );
        assert_eq!(rep.rows[1].apportioned_cost_usd, Some("2".parse().unwrap()));
        // No part for c: unknown, not $0.
        assert_eq!(rep.rows[2].apportioned_cost_usd, None);
        assert!(
            notes[0].contains("estimate") && notes[0].contains("$3.90"),
            "{notes:?}"
        );
        assert!(notes[1].contains("$0.10"));
        assert!(notes[2].contains("$0.05"));
        assert!(notes[3].contains("1 apportioned"));
        assert!(check_keys(&[GovKey::Principal, GovKey::Event]).is_err());
        assert!(check_keys(&[GovKey::Principal, GovKey::Day]).is_ok());
    }
}
