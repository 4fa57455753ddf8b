//! Strict JSON at the boundary. serde's derived structs also accept a JSON
//! array (fields by position), so `"contact": []` or a top-level array would
//! slip through as a default; these helpers accept objects only.

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Parses a body that must be one JSON object.
pub fn from_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(serde_json::Error::custom("expected a JSON object"));
    }
    serde_json::from_slice(bytes)
}

fn convert<T: DeserializeOwned, E: Error>(map: Map<String, Value>) -> Result<T, E> {
    serde_json::from_value(Value::Object(map)).map_err(E::custom)
}

/// For `#[serde(default, deserialize_with = "wire::object")]` on an
/// `Option<T>` field: an object or `null`, nothing else.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Option::<Map<String, Value>>::deserialize(d)?
        .map(convert)
        .transpose()
}

/// For a `Vec<T>` field whose items must each be an object.
pub fn objects<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Vec::<Map<String, Value>>::deserialize(d)?
        .into_iter()
        .map(convert)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default)]
        a: u8,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default, deserialize_with = "object")]
        inner: Option<Inner>,
        #[serde(default, deserialize_with = "objects")]
        list: Vec<Inner>,
    }

    #[test]
    fn arrays_never_stand_in_for_objects() {
        let ok = from_object::<Outer>(br#"{"inner":{"a":1},"list":[{"a":2}]}"#).unwrap();
        assert_eq!(
            (ok.inner, ok.list),
            (Some(Inner { a: 1 }), vec![Inner { a: 2 }])
        );
        assert!(from_object::<Outer>(br#" {"inner":null}"#)
            .unwrap()
            .inner
            .is_none());
        for bad in [
            &b"[]"[..],
            br#"[{"a":1}]"#,
            br#"{"inner":[]}"#,
            br#"{"inner":[1]}"#,
            br#"{"list":[[2]]}"#,
            br#"{"inner":{"b":1}}"#,
            b"",
            b"  ",
        ] {
            assert!(
                from_object::<Outer>(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
