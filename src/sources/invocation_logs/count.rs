//! A token count as a lenient serde shape: any JSON type is accepted, a non-count is
//! remembered by its type so the record's conversion can name the field (see
//! [`crate::sources::cloudtrail::lenient`] for why fields never fail to deserialize).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::sources::cloudtrail::EventError;
use crate::sources::cloudtrail::lenient::{KeySeed, NUMBER_KEY};

/// A count (tokens, images, pixels): a non-negative whole JSON number is expected.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The key was not in the object.
    #[default]
    Absent,
    Null,
    Value(u64),
    /// Anything else, described (`"a string"`, `"a negative number"`, …).
    Wrong(&'static str),
}

impl Count {
    /// The count, `None` if absent or null; an error naming `field` for anything else.
    pub fn get(self, field: &str) -> Result<Option<u64>, EventError> {
        match self {
            Count::Absent | Count::Null => Ok(None),
            Count::Value(n) => Ok(Some(n)),
            Count::Wrong(kind) => Err(EventError::wrong_type(field, "a count", kind)),
        }
    }

    /// Whether the key was there (even with a wrong value).
    pub fn present(self) -> bool {
        !matches!(self, Count::Absent)
    }

    /// Replaces `self` by `later` when `later` was present (later stream chunks win).
    pub fn take_later(&mut self, later: Count) {
        if later.present() {
            *self = later;
        }
    }
}

/// Reads a number's text (serde_json's `arbitrary_precision` hands numbers over as text).
fn from_text(text: &str) -> Count {
    if let Ok(n) = text.parse::<u64>() {
        return Count::Value(n);
    }
    match text.parse::<f64>() {
        Ok(f) if f < 0.0 => Count::Wrong("a negative number"),
        Ok(f) if f.fract() == 0.0 && f <= 9.0e15 => Count::Value(f as u64),
        Ok(f) if f.fract() == 0.0 => Count::Wrong("a number too large"),
        _ => Count::Wrong("a fractional number"),
    }
}

impl<'de> de::Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CountVisitor)
    }
}

struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = Count;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Count, E> {
        Ok(Count::Value(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Count, E> {
        Ok(u64::try_from(v).map_or(Count::Wrong("a negative number"), Count::Value))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Count, E> {
        Ok(from_text(&v.to_string()))
    }
    fn visit_str<E>(self, _: &str) -> Result<Count, E> {
        Ok(Count::Wrong("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Count, E> {
        Ok(Count::Wrong("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Count, E> {
        Ok(Count::Null)
    }
    fn visit_none<E>(self) -> Result<Count, E> {
        Ok(Count::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Count::Wrong("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
        let Some(first) = map.next_key_seed(KeySeed(|_| 0))? else {
            return Ok(Count::Wrong("an object"));
        };
        let count = if first == NUMBER_KEY {
            let text: Cow<'de, str> = map.next_value()?;
            from_text(&text)
        } else {
            map.next_value::<IgnoredAny>()?;
            Count::Wrong("an object")
        };
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_whole_numbers_and_name_everything_else() {
        let c = |j: &str| serde_json::from_str::<Count>(j).unwrap();
        assert_eq!(c("0"), Count::Value(0));
        assert_eq!(c("18446744073709551615"), Count::Value(u64::MAX));
        assert_eq!(c("12.0"), Count::Value(12));
        assert_eq!(c("null"), Count::Null);
        for (json, kind) in [
            ("-1", "a negative number"),
            ("1.5", "a fractional number"),
            ("1e300", "a number too large"),
            (r#""7""#, "a string"),
            ("true", "a boolean"),
            ("[1]", "an array"),
            (r#"{"a":1}"#, "an object"),
            ("{}", "an object"),
        ] {
            let err = c(json).get("input.inputTokenCount").unwrap_err();
            assert_eq!(err.field, "input.inputTokenCount");
            assert!(err.problem.contains(kind), "{json}: {err}");
        }
    }

    #[test]
    fn later_present_counts_replace_earlier_ones() {
        let mut c = Count::Value(3);
        c.take_later(Count::Absent);
        assert_eq!(c, Count::Value(3));
        c.take_later(Count::Value(9));
        assert_eq!(c, Count::Value(9));
    }
}
