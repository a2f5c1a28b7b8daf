//! Cost Explorer's text amounts → exact [`BillLine`]s.
//!
//! Amounts arrive as decimal text (`"0.0000350000"`, sometimes in exponent form
//! `"1.2E-7"`); days as `YYYY-MM-DD`. A line whose day or amount cannot be read is not
//! dropped silently: it is listed in [`Bill::bad_lines`], naming the query, the day, the
//! usage (or record) type and the field, and the rest is read.

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::aws::costexplorer::{CostData, CostLine};
use crate::records::{Bill, BillLine};

/// Reads every line of `data`.
pub fn bill(data: &CostData) -> Bill {
    let mut bill = Bill {
        services: data.services.clone(),
        ..Bill::default()
    };
    for (query, lines, out) in [
        ("usage", &data.usage, &mut bill.usage),
        ("adjustments", &data.adjustments, &mut bill.adjustments),
    ] {
        for (i, l) in lines.iter().enumerate() {
            match line(l) {
                Ok(b) => out.push(b),
                Err(e) => bill
                    .bad_lines
                    .push(format!("Cost Explorer {query} line {}: {e}", i + 1)),
            }
        }
    }
    for d in &data.estimated_days {
        if let Ok(day) = Date::from_str(d) {
            bill.estimated_days.push(day);
        }
    }
    bill
}

/// Reads one line, or says which field is wrong.
pub fn line(l: &CostLine) -> Result<BillLine, String> {
    let what = format!("day `{}`, service `{}`, `{}`", l.day, l.service, l.key);
    let day = Date::from_str(&l.day)
        .map_err(|e| format!("{what}: TimePeriod.Start is not a date: {e}"))?;
    let cost = amount(&l.cost).map_err(|e| format!("{what}: UnblendedCost {e}"))?;
    if !l.cost_unit.is_empty() && !l.cost_unit.eq_ignore_ascii_case("USD") {
        return Err(format!(
            "{what}: UnblendedCost is in `{}`, not USD",
            l.cost_unit
        ));
    }
    let quantity = amount(&l.quantity).map_err(|e| format!("{what}: UsageQuantity {e}"))?;
    Ok(BillLine {
        day,
        service: l.service.clone(),
        key: l.key.clone(),
        cost,
        quantity,
        quantity_unit: l.quantity_unit.clone(),
        estimated: l.estimated,
    })
}

/// An exact amount; empty text is zero (Cost Explorer omits metrics without usage).
fn amount(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Decimal::ZERO);
    }
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map(|d| d.normalize())
        .map_err(|_| format!("amount `{t}` is not a decimal number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cl(day: &str, cost: &str, qty: &str) -> CostLine {
        CostLine {
            day: day.into(),
            estimated: false,
            service: "Amazon Bedrock".into(),
            key: "USE1-NovaMicro-input-tokens".into(),
            cost: cost.into(),
            cost_unit: "USD".into(),
            quantity: qty.into(),
            quantity_unit: "Units".into(),
        }
    }

    #[test]
    fn amounts_are_exact_and_exponents_are_read() {
        let b = line(&cl("2026-03-02", "0.0000350000", "1.2E-7")).unwrap();
        assert_eq!(b.cost, Decimal::from_str("0.000035").unwrap());
        assert_eq!(b.quantity, Decimal::from_str("0.00000012").unwrap());
        assert_eq!(b.day, jiff::civil::date(2026, 3, 2));
    }

    #[test]
    fn a_bad_line_is_listed_with_its_position_and_field_and_the_rest_kept() {
        let data = CostData {
            usage: vec![
                cl("2026-03-02", "1.5", "10"),
                cl("2026-03-02", "1,5", "10"),
                cl("03/02/2026", "1", "1"),
            ],
            ..CostData::default()
        };
        let b = bill(&data);
        assert_eq!(b.usage.len(), 1);
        assert_eq!(b.bad_lines.len(), 2);
        assert!(
            b.bad_lines[0].contains("usage line 2"),
            "{}",
            b.bad_lines[0]
        );
        assert!(
            b.bad_lines[0].contains("UnblendedCost"),
            "{}",
            b.bad_lines[0]
        );
        assert!(b.bad_lines[0].contains("USE1-NovaMicro-input-tokens"));
        assert!(
            b.bad_lines[1].contains("TimePeriod.Start"),
            "{}",
            b.bad_lines[1]
        );
    }

    proptest! {
        #[test]
        fn generated_and_mutated_lines_never_panic_and_errors_name_the_field(
            day in prop_oneof![Just("2026-03-02".to_string()), ".{0,12}"],
            cost in prop_oneof!["[0-9]{1,6}\\.[0-9]{0,10}", ".{0,14}"],
            qty in prop_oneof!["[0-9]{1,6}(\\.[0-9]{1,4})?([eE]-?[0-9])?", ".{0,14}"],
        ) {
            let l = cl(&day, &cost, &qty);
            match line(&l) {
                Ok(b) => prop_assert_eq!(b.key, l.key),
                Err(e) => {
                    prop_assert!(e.contains("day `"), "{}", e);
                    prop_assert!(
                        e.contains("TimePeriod.Start") || e.contains("UnblendedCost") || e.contains("UsageQuantity"),
                        "{}", e
                    );
                }
            }
        }
    }
}
