//! The kinds of model shopmind trains, registers and serves.
//!
//! [`ModelKind`] is the one list: the registry stores its [`ModelKind::as_str`]
//! name, the artifact envelope ([`crate::artifact`]) its tag, the HTTP API
//! and the CLI parse it from text. Adding a kind starts here (see
//! `docs/architecture.md`, "Adding a model kind").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of model: what it is trained on and what it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Recommendations from interaction events.
    Recommend,
    /// Price elasticities from sales.
    Pricing,
    /// Daily demand models from sales.
    Forecast,
    /// The customer-service assistant from intents and the FAQ.
    Assistant,
}

impl ModelKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Recommend,
        ModelKind::Pricing,
        ModelKind::Forecast,
        ModelKind::Assistant,
    ];

    /// The kind's name in the registry, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Recommend => "recommend",
            ModelKind::Pricing => "pricing",
            ModelKind::Forecast => "forecast",
            ModelKind::Assistant => "assistant",
        }
    }

    /// The kind's one-byte tag in an artifact envelope (never reused).
    pub fn tag(self) -> u8 {
        match self {
            ModelKind::Recommend => 1,
            ModelKind::Pricing => 2,
            ModelKind::Forecast => 3,
            ModelKind::Assistant => 4,
        }
    }

    /// The kind of an envelope tag.
    pub fn from_tag(tag: u8) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.tag() == tag)
    }

    /// Every kind's name, comma-separated (for error messages).
    pub fn names() -> String {
        ModelKind::ALL.map(ModelKind::as_str).join(", ")
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a model kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a model kind (kinds: {kinds})", kinds = ModelKind::names())]
pub struct UnknownKind(pub String);

impl FromStr for ModelKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags_round_trip_and_are_distinct() {
        for k in ModelKind::ALL {
            assert_eq!(k.as_str().parse::<ModelKind>(), Ok(k));
            assert_eq!(ModelKind::from_tag(k.tag()), Some(k));
        }
        let tags: std::collections::BTreeSet<u8> = ModelKind::ALL.map(ModelKind::tag).into();
        assert_eq!(tags.len(), ModelKind::ALL.len());
        assert_eq!(ModelKind::from_tag(0), None);
        let e = "Recommend".parse::<ModelKind>().unwrap_err();
        assert!(
            e.to_string()
                .contains("recommend, pricing, forecast, assistant"),
            "{e}"
        );
    }
}
