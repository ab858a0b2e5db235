//! The one envelope every stored model travels in.
//!
//! ```text
//! offset  size  field
//! 0       4     magic  b"SMAF"
//! 4       1     kind tag (ModelKind::tag)
//! 5       4     format version of that kind's body, little-endian u32
//! 9       ..    body: the model, postcard-encoded
//! ```
//!
//! postcard writes floats as their IEEE-754 bits, so NaN and infinities
//! round-trip (JSON would turn them into `null`). Decoding checks, in order:
//! length, magic, kind, version, then the body, and names the kind and both
//! versions when it refuses one. An encode failure is an error, never an
//! empty artifact.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::ModelKind;

/// First four bytes of every artifact.
pub const MAGIC: [u8; 4] = *b"SMAF";

/// Bytes before the body.
pub const HEADER_LEN: usize = 9;

/// Why an artifact could not be written or read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArtifactError {
    /// Fewer bytes than the header.
    #[error("truncated artifact: {len} bytes, the header alone is {HEADER_LEN}")]
    Truncated {
        /// Bytes given.
        len: usize,
    },
    /// The bytes are not a shopmind artifact (or one from before the
    /// envelope).
    #[error("not a shopmind model artifact{hint}")]
    Foreign {
        /// What it looks like, when that can be told.
        hint: &'static str,
    },
    /// An artifact of another kind.
    #[error("a {found} artifact where a {expected} model was expected")]
    WrongKind {
        /// Kind asked for.
        expected: ModelKind,
        /// Kind found (or its tag, when unknown to this build).
        found: String,
    },
    /// A format version this build does not read.
    #[error(
        "{kind} artifact format version {found}; this build reads version {reads}: retrain the {kind} model"
    )]
    Version {
        /// Kind.
        kind: ModelKind,
        /// Version found.
        found: u32,
        /// Version this build reads.
        reads: u32,
    },
    /// The body does not decode (cut short or damaged).
    #[error("corrupt {kind} artifact (format version {version}): {reason}")]
    Corrupt {
        /// Kind.
        kind: ModelKind,
        /// Version.
        version: u32,
        /// What the decoder said.
        reason: String,
    },
    /// The model could not be encoded.
    #[error("cannot encode the {kind} model: {reason}")]
    Encode {
        /// Kind.
        kind: ModelKind,
        /// What the encoder said.
        reason: String,
    },
}

/// Serializes a hash map in key order (`#[serde(serialize_with = …)]`), so
/// that an artifact holding one is the same bytes on every run: a
/// `HashMap`'s iteration order changes from process to process.
pub fn sorted<S, K, V, H>(map: &std::collections::HashMap<K, V, H>, s: S) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    K: Ord + Serialize,
    V: Serialize,
{
    let ordered: std::collections::BTreeMap<&K, &V> = map.iter().collect();
    ordered.serialize(s)
}

/// Writes `body` as a `kind` artifact of format `version`.
pub fn encode<T: Serialize>(
    kind: ModelKind,
    version: u32,
    body: &T,
) -> Result<Vec<u8>, ArtifactError> {
    let mut out = Vec::with_capacity(HEADER_LEN + 1024);
    out.extend(MAGIC);
    out.push(kind.tag());
    out.extend(version.to_le_bytes());
    postcard::to_extend(body, out).map_err(|e| ArtifactError::Encode {
        kind,
        reason: e.to_string(),
    })
}

/// The kind and format version in an artifact's header.
pub fn header(bytes: &[u8]) -> Result<(Result<ModelKind, u8>, u32), ArtifactError> {
    let Some(head) = bytes.get(..HEADER_LEN) else {
        return Err(match bytes.first() {
            Some(b'{') => foreign(bytes),
            _ if bytes.starts_with(&MAGIC[..bytes.len().min(4)]) => {
                ArtifactError::Truncated { len: bytes.len() }
            }
            _ => foreign(bytes),
        });
    };
    if head[..4] != MAGIC {
        return Err(foreign(bytes));
    }
    let kind = ModelKind::from_tag(head[4]).ok_or(head[4]);
    let version = u32::from_le_bytes([head[5], head[6], head[7], head[8]]);
    Ok((kind, version))
}

fn foreign(bytes: &[u8]) -> ArtifactError {
    let hint = if bytes.first() == Some(&b'{') {
        ": JSON, as pricing and forecast versions were stored before the envelope; retrain them"
    } else if bytes.starts_with(b"SMAS") {
        ": an assistant stored before the envelope; retrain it"
    } else {
        ""
    };
    ArtifactError::Foreign { hint }
}

/// Reads a `kind` artifact of format `version` written by [`encode`].
pub fn decode<T: DeserializeOwned>(
    kind: ModelKind,
    version: u32,
    bytes: &[u8],
) -> Result<T, ArtifactError> {
    let (found, found_version) = header(bytes)?;
    match found {
        Ok(k) if k == kind => {}
        Ok(k) => {
            return Err(ArtifactError::WrongKind {
                expected: kind,
                found: k.as_str().to_owned(),
            });
        }
        Err(tag) => {
            return Err(ArtifactError::WrongKind {
                expected: kind,
                found: format!("unknown-kind (tag {tag})"),
            });
        }
    }
    if found_version != version {
        return Err(ArtifactError::Version {
            kind,
            found: found_version,
            reads: version,
        });
    }
    let (value, rest) =
        postcard::take_from_bytes(&bytes[HEADER_LEN..]).map_err(|e| ArtifactError::Corrupt {
            kind,
            version,
            reason: e.to_string(),
        })?;
    if !rest.is_empty() {
        return Err(ArtifactError::Corrupt {
            kind,
            version,
            reason: format!("{} bytes after the model", rest.len()),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Body {
        name: String,
        values: Vec<f64>,
        flag: Option<u32>,
    }

    fn body() -> Body {
        Body {
            name: "x".into(),
            values: vec![1.5, f64::NAN, f64::INFINITY, -0.0],
            flag: Some(7),
        }
    }

    #[test]
    fn a_body_round_trips_with_nan_and_infinities_bit_for_bit() {
        let bytes = encode(ModelKind::Pricing, 3, &body()).unwrap();
        assert_eq!(bytes[..4], MAGIC);
        assert_eq!(bytes[4], ModelKind::Pricing.tag());
        assert_eq!(bytes[5..9], 3u32.to_le_bytes());
        let back: Body = decode(ModelKind::Pricing, 3, &bytes).unwrap();
        let bits = |b: &Body| b.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&body()));
        assert_eq!((back.name, back.flag), ("x".to_owned(), Some(7)));
    }

    #[test]
    fn wrong_kind_version_truncation_and_foreign_bytes_are_refused_by_name() {
        let bytes = encode(ModelKind::Forecast, 1, &body()).unwrap();
        let e = decode::<Body>(ModelKind::Pricing, 1, &bytes).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a forecast artifact where a pricing model was expected"
        );
        let e = decode::<Body>(ModelKind::Forecast, 2, &bytes).unwrap_err();
        assert_eq!(
            e.to_string(),
            "forecast artifact format version 1; this build reads version 2: retrain the forecast model"
        );
        for cut in [0, 3, 8] {
            let e = decode::<Body>(ModelKind::Forecast, 1, &bytes[..cut]).unwrap_err();
            assert!(matches!(e, ArtifactError::Truncated { .. }), "{cut}: {e}");
        }
        for cut in [9, 12, bytes.len() - 1] {
            let e = decode::<Body>(ModelKind::Forecast, 1, &bytes[..cut]).unwrap_err();
            assert!(matches!(e, ArtifactError::Corrupt { .. }), "{cut}: {e}");
            assert!(
                e.to_string().starts_with("corrupt forecast artifact"),
                "{e}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            decode::<Body>(ModelKind::Forecast, 1, &longer),
            Err(ArtifactError::Corrupt { .. })
        ));
        let e = decode::<Body>(ModelKind::Pricing, 1, br#"{"format":1,"elasticities":[]}"#)
            .unwrap_err();
        assert!(e.to_string().contains("retrain"), "{e}");
        let e = decode::<Body>(ModelKind::Pricing, 1, b"PK\x03\x04 a zip file").unwrap_err();
        assert_eq!(e.to_string(), "not a shopmind model artifact");
        let mut unknown = bytes;
        unknown[4] = 200;
        let e = decode::<Body>(ModelKind::Forecast, 1, &unknown).unwrap_err();
        assert!(e.to_string().contains("tag 200"), "{e}");
    }
}
