//! Serde shapes that accept a value of *any* JSON type and remember what it was.
//!
//! A trail file is read as one stream: a serde error inside a record would end the whole
//! file. So record fields never fail to deserialize on a wrong type; they keep the type they
//! found ([`Scalar::Wrong`], [`Obj::Wrong`]) and the record's conversion reports the field by
//! name. Only broken JSON syntax (which no parser can resynchronise after) fails the stream.
//!
//! Strings are `Cow`: borrowed when the input is a string in memory (`from_str`, LookupEvents'
//! `CloudTrailEvent`), owned when it is streamed. Keys are matched without allocating.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::event::EventError;

/// The key under which serde_json (feature `arbitrary_precision`, on in this crate) hands
/// a number to `deserialize_any` as a one-entry map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A key code meaning "this map is a number in disguise" (see [`NUMBER_TOKEN`]).
pub(crate) const NUMBER_KEY: u8 = u8::MAX;

/// A leaf value: a string is expected, anything is accepted.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Scalar<'de> {
    /// The key was not in the record.
    #[default]
    Absent,
    Null,
    Str(Cow<'de, str>),
    Bool(bool),
    /// Any other type, by its name (`"a number"`, `"an object"`, `"an array"`).
    Wrong(&'static str),
}

impl<'de> Scalar<'de> {
    /// The trimmed text, `None` if absent, null or empty; an error naming `field` for any
    /// other type.
    pub fn text(&self, field: &str) -> Result<Option<&str>, EventError> {
        match self {
            Scalar::Absent | Scalar::Null => Ok(None),
            Scalar::Str(s) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            other => Err(EventError::wrong_type(field, "a string", other.kind())),
        }
    }

    /// Like [`Scalar::text`], but owned.
    pub fn string(&self, field: &str) -> Result<Option<String>, EventError> {
        Ok(self.text(field)?.map(str::to_string))
    }

    /// The text, which must be there.
    pub fn required(&self, field: &str) -> Result<&str, EventError> {
        self.text(field)?
            .ok_or_else(|| EventError::new(field, "missing (or empty)"))
    }

    /// A boolean, given as JSON `true`/`false` or as the strings `"true"`/`"false"`.
    pub fn flag(&self, field: &str) -> Result<Option<bool>, EventError> {
        match self {
            Scalar::Absent | Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(*b)),
            Scalar::Str(s) => match s.trim() {
                "true" | "True" | "TRUE" => Ok(Some(true)),
                "false" | "False" | "FALSE" => Ok(Some(false)),
                "" => Ok(None),
                other => Err(EventError::new(
                    field,
                    format!("expected true or false, found the string {other:?}"),
                )),
            },
            other => Err(EventError::wrong_type(field, "a boolean", other.kind())),
        }
    }

    /// The JSON type found, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Absent => "nothing",
            Scalar::Null => "null",
            Scalar::Str(_) => "a string",
            Scalar::Bool(_) => "a boolean",
            Scalar::Wrong(kind) => kind,
        }
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Wrong("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Wrong("a number"))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Wrong("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let kind = map_kind(&mut map)?;
        Ok(Scalar::Wrong(kind))
    }
}

/// Consumes a map and says whether it was an object or a number in disguise.
fn map_kind<'de, A: MapAccess<'de>>(map: &mut A) -> Result<&'static str, A::Error> {
    let mut kind = "an object";
    let mut first = true;
    while let Some(key) = map.next_key_seed(KeySeed(|_| 0))? {
        if first && key == NUMBER_KEY {
            kind = "a number";
        }
        first = false;
        map.next_value::<IgnoredAny>()?;
    }
    Ok(kind)
}

/// The fields of a JSON object this parser reads; other keys are skipped.
pub trait Fields<'de>: Default {
    /// The code of a key this object reads (0: a key to skip; never [`NUMBER_KEY`]).
    fn key(name: &str) -> u8;
    /// Reads the value of the key with code `key` (not 0) from `map`.
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error>;
}

/// Reads an object's keys into `fields` (the map's first key already read, if any).
pub fn read_fields<'de, T: Fields<'de>, A: MapAccess<'de>>(
    fields: &mut T,
    map: &mut A,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(KeySeed(T::key))? {
        read_field(fields, key, map)?;
    }
    Ok(())
}

/// Reads the value of one key (code `key`) into `fields`, or skips it.
pub fn read_field<'de, T: Fields<'de>, A: MapAccess<'de>>(
    fields: &mut T,
    key: u8,
    map: &mut A,
) -> Result<(), A::Error> {
    if key == 0 || key == NUMBER_KEY {
        map.next_value::<IgnoredAny>()?;
        Ok(())
    } else {
        fields.field(key, map)
    }
}

/// An object value: `T` when it is an object, its type otherwise.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Obj<T> {
    #[default]
    Absent,
    Null,
    Map(T),
    Wrong(&'static str),
}

impl<T> Obj<T> {
    /// The object, `None` if absent or null; an error naming `field` for any other type.
    pub fn get(&self, field: &str) -> Result<Option<&T>, EventError> {
        match self {
            Obj::Absent | Obj::Null => Ok(None),
            Obj::Map(t) => Ok(Some(t)),
            Obj::Wrong(kind) => Err(EventError::wrong_type(field, "an object", kind)),
        }
    }
}

impl<'de, T: Fields<'de>> de::Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Fields<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = T::default();
        let Some(first) = map.next_key_seed(KeySeed(T::key))? else {
            return Ok(Obj::Map(fields));
        };
        if first == NUMBER_KEY {
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Obj::Wrong("a number"));
        }
        read_field(&mut fields, first, &mut map)?;
        read_fields(&mut fields, &mut map)?;
        Ok(Obj::Map(fields))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Obj::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Obj::Null)
    }
    fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a string"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Obj::Wrong("a number"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj::Wrong("an array"))
    }
}

/// Deserializes a key to its code with a matcher, without allocating.
#[derive(Clone, Copy)]
pub struct KeySeed(pub fn(&str) -> u8);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = u8;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u8, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = u8;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> Result<u8, E> {
        if v == NUMBER_TOKEN {
            Ok(NUMBER_KEY)
        } else {
            Ok((self.0)(v))
        }
    }
}

/// JSON written compactly into a string, at most `limit` bytes kept (the rest is read and
/// dropped, so a huge value costs no memory here).
#[derive(Debug)]
pub struct Compact {
    pub text: String,
    pub limit: usize,
    pub cut: bool,
}

impl Compact {
    pub fn new(limit: usize) -> Compact {
        Compact {
            text: String::new(),
            limit,
            cut: false,
        }
    }

    /// Appends raw JSON text, dropping what goes over the limit.
    pub fn push(&mut self, s: &str) {
        if self.cut {
            return;
        }
        let room = self.limit.saturating_sub(self.text.len());
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            self.text.push_str(&s[..s.floor_char_boundary(room)]);
            self.cut = true;
        }
    }

    /// Appends a JSON string literal.
    pub fn push_string(&mut self, s: &str) {
        self.push("\"");
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.push(&s[start..i]);
            if escape.is_empty() {
                self.push(&format!("\\u{b:04x}"));
            } else {
                self.push(escape);
            }
            start = i + 1;
            if self.cut {
                return;
            }
        }
        self.push(&s[start..]);
        self.push("\"");
    }

    /// The text, with `…` marking a cut.
    pub fn finish(mut self) -> String {
        if self.cut {
            let keep = self.text.floor_char_boundary(self.limit.saturating_sub(3));
            self.text.truncate(keep);
            self.text.push('…');
        }
        self.text
    }
}

/// Writes any JSON value into a [`Compact`], after a separator (`""` or `","`).
pub struct Transcode<'a>(pub &'a mut Compact, pub &'static str);

impl<'de> DeserializeSeed<'de> for Transcode<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.push(self.1);
        d.deserialize_any(Transcode(self.0, ""))
    }
}

impl<'de> Visitor<'de> for Transcode<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push_string(v);
        Ok(())
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.push(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push(&v.to_string());
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.push(&v.to_string());
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.push(&v.to_string());
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.push("null");
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.0.push("null");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push("[");
        let mut separator = "";
        while seq
            .next_element_seed(Transcode(self.0, separator))?
            .is_some()
        {
            separator = ",";
        }
        self.0.push("]");
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut first = true;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if first && key == NUMBER_TOKEN {
                let number: Cow<'de, str> = map.next_value()?;
                self.0.push(&number);
                return Ok(());
            }
            self.0.push(if first { "{" } else { "," });
            first = false;
            self.0.push_string(&key);
            self.0.push(":");
            map.next_value_seed(Transcode(self.0, ""))?;
        }
        self.0.push(if first { "{}" } else { "}" });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(json: &str, limit: usize) -> String {
        let mut c = Compact::new(limit);
        let mut de = serde_json::Deserializer::from_str(json);
        Transcode(&mut c, "").deserialize(&mut de).unwrap();
        c.finish()
    }

    #[test]
    fn scalars_keep_the_type_they_found() {
        let s: Scalar = serde_json::from_str(r#""  x  ""#).unwrap();
        assert_eq!(s.text("f").unwrap(), Some("x"));
        assert!(matches!(s, Scalar::Str(Cow::Borrowed(_))));
        for (json, kind) in [
            ("5", "a number"),
            ("-1.5e3", "a number"),
            ("[1]", "an array"),
            (r#"{"a":1}"#, "an object"),
            ("{}", "an object"),
            ("true", "a boolean"),
        ] {
            let s: Scalar = serde_json::from_str(json).unwrap();
            assert_eq!(s.kind(), kind, "{json}");
            if kind != "a boolean" {
                let err = s.text("eventTime").unwrap_err().to_string();
                assert!(err.contains("eventTime") && err.contains(kind), "{err}");
            }
        }
        let s: Scalar = serde_json::from_str("null").unwrap();
        assert_eq!(s.text("f").unwrap(), None);
    }

    #[test]
    fn flags_accept_booleans_and_their_strings() {
        let f = |j: &str| serde_json::from_str::<Scalar>(j).unwrap().flag("readOnly");
        assert_eq!(f("true").unwrap(), Some(true));
        assert_eq!(f(r#""false""#).unwrap(), Some(false));
        assert!(
            f(r#""maybe""#)
                .unwrap_err()
                .to_string()
                .contains("readOnly")
        );
        assert!(f("1").is_err());
    }

    #[test]
    fn compact_json_is_compact_escaped_and_cut_on_a_char_boundary() {
        assert_eq!(
            compact(
                r#"{ "a" : [1, 2.5, true, null, "q\"\n\u0001"], "b": {}, "c": [] }"#,
                300
            ),
            r#"{"a":[1,2.5,true,null,"q\"\n\u0001"],"b":{},"c":[]}"#
        );
        let long = format!(r#"{{"k":"{}"}}"#, "é".repeat(400));
        let cut = compact(&long, 300);
        assert!(cut.len() <= 300, "{}", cut.len());
        assert!(cut.ends_with('…'));
        assert!(cut.starts_with(r#"{"k":"éé"#));
    }
}
