//! Money as a terminal table shows it: to a sensible precision. Amounts of a dollar or more
//! to the cent (`$1234.57`, no thousands separators: the figures stay greppable); smaller ones to three significant
//! digits, at least two decimals (`$0.000599` for 0.00059875, `$0.50`). Only the table does
//! this: CSV, JSON, Markdown and HTML keep the exact value (a table's rounded rows need not
//! add up to its rounded total exactly).

use rust_decimal::{Decimal, RoundingStrategy};

/// The amount rounded for a terminal table, with `$` (and `-` before it when negative).
pub fn brief_usd(d: Decimal) -> String {
    let a = d.abs();
    let rounded = if a >= Decimal::ONE || a.is_zero() {
        a.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    } else {
        // Decimal places for three significant digits: 0.00059875 has its first digit at
        // the 4th place, so 6 places.
        let mut first = 0u32;
        let mut x = a;
        while x < Decimal::ONE && first < 28 {
            x *= Decimal::TEN;
            first += 1;
        }
        a.round_dp_with_strategy((first + 2).min(28), RoundingStrategy::MidpointAwayFromZero)
    };
    let mut r = rounded.normalize();
    if r.scale() < 2 {
        r.rescale(2);
    }
    let sign = if d.is_sign_negative() && !r.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> String {
        brief_usd(s.parse().unwrap())
    }

    #[test]
    fn sensible_precision() {
        assert_eq!(b("0.00059875"), "$0.000599");
        assert_eq!(b("0.5"), "$0.50");
        assert_eq!(b("0.123456"), "$0.123");
        assert_eq!(b("0.0375"), "$0.0375");
        assert_eq!(b("1234.5678"), "$1234.57");
        assert_eq!(b("1000000"), "$1000000.00");
        assert_eq!(b("3"), "$3.00");
        assert_eq!(b("0"), "$0.00");
        assert_eq!(b("-0.25"), "-$0.25");
        assert_eq!(b("-12.345"), "-$12.35");
        assert_eq!(b("0.9996"), "$1.00");
    }
}
