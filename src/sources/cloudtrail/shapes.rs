//! The shapes a trail file's records come in, as serde visitors: the top-level value
//! (`{"Records": [...]}`, `[...]`, `{"Events": [...]}`, a single record), the records array,
//! and LookupEvents' events whose record is a JSON string. Each record is handed to
//! [`FileCtx::record`] as soon as it is read, so the parse never holds more than one.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

use super::event::{EventError, Parsed, RawEvent, not_an_object};
use super::files::TimeRange;
use super::lenient::{Fields, KeySeed, NUMBER_KEY, Obj, Scalar, read_field};
use super::stats::{Position, Problem, TrailStats};
use crate::records::CallRecord;

/// Whether an error says another top-level value follows the first.
fn trailing(e: &serde_json::Error) -> bool {
    e.classify() == Category::Syntax && e.to_string().starts_with("trailing characters")
}

/// The state of one file while its records stream by.
pub(super) struct FileCtx<'r> {
    pub strict: bool,
    pub range: TimeRange,
    pub seen_ids: &'r mut HashSet<Box<str>>,
    pub stats: &'r mut TrailStats,
    pub name: &'r str,
    pub out: &'r mut Vec<CallRecord>,
    /// Records met in this file.
    pub index: u64,
    /// Whether the file had a records shape.
    pub found: bool,
    /// Why the file's shape was not one of records.
    pub shape: Option<String>,
    /// Strict mode's first problem (the parse is unwound with a placeholder error).
    pub stop: Option<Problem>,
}

impl FileCtx<'_> {
    /// Parses every top-level value of a file (several: JSON Lines, concatenated files).
    pub fn parse<'de, R: serde_json::de::Read<'de>>(
        &mut self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        loop {
            TopSeed(self).deserialize(&mut *de)?;
            match de.end() {
                Ok(()) => return Ok(()),
                Err(e) if trailing(&e) => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes one record's outcome; `false` when strict mode must stop.
    fn record(&mut self, outcome: Result<Parsed, EventError>, event_id: Option<String>) -> bool {
        self.index += 1;
        let stats = &mut *self.stats;
        stats.records += 1;
        match outcome {
            Ok(Parsed::Skipped(_)) => stats.skipped += 1,
            Ok(Parsed::Call(call)) => {
                if !self.range.contains(call.time) {
                    stats.out_of_range += 1;
                } else if !self.seen_ids.insert(call.event_id.as_str().into()) {
                    stats.duplicates += 1;
                } else {
                    stats.kept += 1;
                    self.out.push(*call);
                }
            }
            Err(e) => {
                stats.bad_records += 1;
                let problem = Problem {
                    file: self.name.to_string(),
                    position: Position::Record(self.index),
                    what: e.to_string(),
                    event_id,
                };
                if self.strict {
                    self.stop = Some(problem);
                    return false;
                }
                stats.keep(problem);
            }
        }
        true
    }

    fn raw(&mut self, raw: Obj<RawEvent<'_>>) -> bool {
        match raw {
            Obj::Map(raw) => {
                let id = raw.event_id_hint();
                self.record(raw.into_call(), id)
            }
            other => self.record(Err(not_an_object(&other)), None),
        }
    }
}

fn stopped<E: de::Error>() -> E {
    E::custom("stopped at the first bad record (strict)")
}

/// The top-level value of a file.
struct TopSeed<'a, 'r>(&'a mut FileCtx<'r>);

/// Top-level keys: 1 `Records`, 2 `Events`, `RECORD_KEYS + k` the record field `k`.
const RECORD_KEYS: u8 = 2;

fn top_key(name: &str) -> u8 {
    match name {
        "Records" => 1,
        "Events" => 2,
        _ => match RawEvent::key(name) {
            0 => 0,
            k => k + RECORD_KEYS,
        },
    }
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.0.found = true;
        records(self.0, seq, Kind::Records)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let file = self.0;
        let mut single: Option<RawEvent<'de>> = None;
        while let Some(key) = map.next_key_seed(KeySeed(top_key))? {
            match key {
                1 | 2 => {
                    let kind = if key == 1 {
                        Kind::Records
                    } else {
                        Kind::Events
                    };
                    map.next_value_seed(ArraySeed(file, kind))?;
                }
                NUMBER_KEY => {
                    map.next_value::<IgnoredAny>()?;
                    file.shape = Some("not CloudTrail records: the file is a number".into());
                }
                0 => {
                    map.next_value::<IgnoredAny>()?;
                }
                k => read_field(single.get_or_insert_default(), k - RECORD_KEYS, &mut map)?,
            }
        }
        if let Some(raw) = single {
            file.found = true;
            if !file.raw(Obj::Map(raw)) {
                return Err(stopped());
            }
        }
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is a string".into());
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is a boolean".into());
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is a number".into());
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is a number".into());
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is a number".into());
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.shape = Some("not CloudTrail records: the file is null".into());
        Ok(())
    }
}

/// What the elements of an array are.
#[derive(Clone, Copy)]
enum Kind {
    /// Records.
    Records,
    /// LookupEvents events (the record is the string `CloudTrailEvent`).
    Events,
}

/// The value of `Records` or `Events`.
struct ArraySeed<'a, 'r>(&'a mut FileCtx<'r>, Kind);

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ArraySeed<'_, '_> {
    fn not_an_array<E>(self, found: &str) -> Result<(), E> {
        let key = match self.1 {
            Kind::Records => "Records",
            Kind::Events => "Events",
        };
        self.0.shape = Some(format!("`{key}` is {found}, not an array"));
        Ok(())
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        records(self.0, seq, self.1)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut kind = "an object";
        if let Some(k) = map.next_key_seed(KeySeed(|_| 0))? {
            if k == NUMBER_KEY {
                kind = "a number";
            }
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        }
        self.not_an_array(kind)
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_an_array("a string")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_an_array("a boolean")
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_an_array("null")
    }
}

/// Streams the elements of a records array.
fn records<'de, A: SeqAccess<'de>>(
    file: &mut FileCtx,
    mut seq: A,
    kind: Kind,
) -> Result<(), A::Error> {
    file.found = true;
    loop {
        let more = match kind {
            Kind::Records => match seq.next_element::<Obj<RawEvent<'de>>>()? {
                Some(raw) => file.raw(raw),
                None => return Ok(()),
            },
            Kind::Events => match seq.next_element::<Obj<LookupEvent<'de>>>()? {
                Some(event) => lookup_event(file, event),
                None => return Ok(()),
            },
        };
        if !more {
            return Err(stopped());
        }
    }
}

/// One element of a LookupEvents response's `Events`.
#[derive(Debug, Default)]
struct LookupEvent<'de> {
    cloudtrail_event: Scalar<'de>,
    event_id: Scalar<'de>,
}

impl<'de> Fields<'de> for LookupEvent<'de> {
    fn key(name: &str) -> u8 {
        match name {
            "CloudTrailEvent" => 1,
            "EventId" => 2,
            _ => 0,
        }
    }
    fn field<A: MapAccess<'de>>(&mut self, key: u8, map: &mut A) -> Result<(), A::Error> {
        match key {
            1 => self.cloudtrail_event = map.next_value()?,
            _ => self.event_id = map.next_value()?,
        }
        Ok(())
    }
}

fn lookup_event(file: &mut FileCtx, event: Obj<LookupEvent>) -> bool {
    let event = match event {
        Obj::Map(e) => e,
        other => return file.record(Err(not_an_object(&other)), None),
    };
    let id = event.event_id.text("").ok().flatten().map(str::to_string);
    let text = match event.cloudtrail_event.required("CloudTrailEvent") {
        Ok(t) => t,
        Err(e) => return file.record(Err(e), id),
    };
    match serde_json::from_str::<Obj<RawEvent>>(text) {
        Ok(Obj::Map(raw)) => {
            let id = raw.event_id_hint().or(id);
            let outcome = raw.into_call().map_err(|e| EventError {
                field: format!("CloudTrailEvent.{}", e.field),
                problem: e.problem,
            });
            file.record(outcome, id)
        }
        Ok(other) => {
            let mut e = not_an_object(&other);
            e.field = "CloudTrailEvent".into();
            file.record(Err(e), id)
        }
        Err(e) => file.record(
            Err(EventError::new("CloudTrailEvent", format!("not JSON: {e}"))),
            id,
        ),
    }
}
