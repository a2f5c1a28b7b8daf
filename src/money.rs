//! Exact money arithmetic helpers. Prices and costs are `rust_decimal::Decimal`, never floats.

use rust_decimal::Decimal;

/// A cost rounded for display: trailing zeros dropped, but at least two decimals
/// (`1.5` → `1.50`, `0.000125` stays `0.000125`). The value itself is unchanged.
pub fn display(d: Decimal) -> Decimal {
    let mut n = d.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    n
}

/// `$1.50`, `-$0.25`.
pub fn usd(d: Decimal) -> String {
    let v = display(d);
    if v.is_sign_negative() {
        format!("-${}", v.abs())
    } else {
        format!("${v}")
    }
}

/// Serializes a decimal as an exact JSON number (serde_json's arbitrary precision).
pub fn serialize_number<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    rust_decimal::serde::arbitrary_precision::serialize(&display(*d), s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn display_keeps_two_decimals_and_exact_tails() {
        assert_eq!(
            display(Decimal::from_str("1.5000").unwrap()).to_string(),
            "1.50"
        );
        assert_eq!(
            display(Decimal::from_str("0.000125").unwrap()).to_string(),
            "0.000125"
        );
        assert_eq!(display(Decimal::from(3)).to_string(), "3.00");
        assert_eq!(usd(Decimal::from_str("-0.25").unwrap()), "-$0.25");
    }
}
