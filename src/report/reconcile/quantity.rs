//! Cost Explorer's usage quantities in tokens (or images).
//!
//! Cost Explorer reports `UsageQuantity` in the unit of the usage type's price, which it
//! names only loosely: `1K tokens`, `1M tokens`, `Tokens`, `Images`, and for models sold
//! through AWS Marketplace usually just `Units`, where one unit is the unit of the Price
//! List description — a million tokens for every token rate Bedrock's Marketplace products
//! publish today. A unit this cannot read is not guessed: the quantity is shown as billed
//! and not compared.

use rust_decimal::Decimal;

/// How many tokens (or images) one `unit` stands for; `None` when unknown.
pub fn scale(unit: &str, marketplace: bool) -> Option<Decimal> {
    let u = unit.trim().to_ascii_lowercase();
    let words: Vec<&str> = u
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if words.is_empty() {
        return None;
    }
    if has("million") || has("1m") || has("m") || has("mtokens") {
        return Some(Decimal::from(1_000_000));
    }
    if has("1k") || has("1000") || has("thousand") || has("k") || has("ktokens") {
        return Some(Decimal::from(1_000));
    }
    if words == ["units"] || words == ["unit"] {
        return marketplace.then(|| Decimal::from(1_000_000));
    }
    if words.iter().all(|w| {
        matches!(
            *w,
            "tokens" | "token" | "count" | "images" | "image" | "requests"
        )
    }) {
        return Some(Decimal::ONE);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_read_or_left_unknown() {
        assert_eq!(scale("1K tokens", false), Some(Decimal::from(1000)));
        assert_eq!(scale("1000 Tokens", false), Some(Decimal::from(1000)));
        assert_eq!(scale("1M tokens", false), Some(Decimal::from(1_000_000)));
        assert_eq!(
            scale("Million Input Tokens", true),
            Some(Decimal::from(1_000_000))
        );
        assert_eq!(scale("Units", true), Some(Decimal::from(1_000_000)));
        assert_eq!(scale("Units", false), None);
        assert_eq!(scale("Tokens", false), Some(Decimal::ONE));
        assert_eq!(scale("Images", false), Some(Decimal::ONE));
        assert_eq!(scale("", false), None);
        assert_eq!(scale("Hrs", false), None);
    }
}
