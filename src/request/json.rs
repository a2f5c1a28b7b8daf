//! Walking a `serde_json::Value` with precise error paths.
//!
//! Every accessor names where it looked (`messages[0].content[1]`) and what it found, so a
//! bad body reads as "messages[0].content[1]: expected an object with `type`, found a
//! number". Numbers are read through `Value::as_u64` / `as_f64` (the crate enables
//! serde_json's `arbitrary_precision`, under which typed number deserialization is fragile).

use serde_json::{Map, Value};

use super::BodyError;

/// The JSON kind of a value, with its article, for error messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `path.key`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

pub fn err(path: &str, reason: impl Into<String>) -> BodyError {
    BodyError {
        path: path.to_string(),
        reason: reason.into(),
    }
}

fn expected(path: &str, what: &str, found: &Value) -> BodyError {
    err(path, format!("expected {what}, found {}", kind(found)))
}

/// The value as an object.
pub fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, BodyError> {
    v.as_object().ok_or_else(|| expected(path, "an object", v))
}

/// The value as an array.
pub fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, BodyError> {
    v.as_array().ok_or_else(|| expected(path, "an array", v))
}

/// The value as a string.
pub fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, BodyError> {
    v.as_str().ok_or_else(|| expected(path, "a string", v))
}

/// An optional field (absent or `null` is `None`).
pub fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

/// An optional string field.
pub fn opt_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, BodyError> {
    field(map, key)
        .map(|v| string(v, &join(path, key)))
        .transpose()
}

/// A required string field.
pub fn req_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, BodyError> {
    opt_str(map, key, path)?.ok_or_else(|| err(path, format!("missing `{key}`")))
}

/// An optional array field.
pub fn opt_array<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Vec<Value>>, BodyError> {
    field(map, key)
        .map(|v| array(v, &join(path, key)))
        .transpose()
}

/// An optional object field.
pub fn opt_object<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, BodyError> {
    field(map, key)
        .map(|v| object(v, &join(path, key)))
        .transpose()
}

/// An optional non-negative integer field (`512` or `512.0`).
pub fn opt_u64(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<u64>, BodyError> {
    let Some(v) = field(map, key) else {
        return Ok(None);
    };
    let p = join(path, key);
    if let Some(n) = v.as_u64() {
        return Ok(Some(n));
    }
    match v.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Ok(Some(f as u64)),
        Some(_) => Err(err(
            &p,
            format!("expected a non-negative integer, found {v}"),
        )),
        None => Err(expected(&p, "a non-negative integer", v)),
    }
}

/// The first of several optional integer fields that is present.
pub fn first_u64(
    map: &Map<String, Value>,
    keys: &[&str],
    path: &str,
) -> Result<Option<u64>, BodyError> {
    for k in keys {
        if let Some(n) = opt_u64(map, k, path)? {
            return Ok(Some(n));
        }
    }
    Ok(None)
}

/// Compact JSON text of a value, as a model sees a tool definition or tool input.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
