//! Training an [`Assistant`] from intents and FAQ rows, and its stored
//! form: the artifact envelope of `shopmind_core::artifact`.

use shopmind_core::artifact;
use shopmind_core::model::ModelKind;
use shopmind_core::record::{FaqEntry, IntentExample};

use crate::AssistantError;
use crate::dialog::Assistant;
use crate::faq::FaqIndex;
use crate::intent::{IntentModel, IntentParams};

/// Version of the stored form; an artifact of another version is refused.
/// Version 2 is the first in the artifact envelope (version 1, magic
/// `SMAS`, is refused with "retrain").
pub const FORMAT_VERSION: u32 = 2;

/// Trains the intent model and indexes the FAQ. FAQ questions that carry
/// an intent label are added to the intent examples, so a shop's FAQ
/// teaches the classifier its phrasings too.
pub fn train(
    intents: &[IntentExample],
    faq: &[FaqEntry],
    params: &IntentParams,
) -> Result<Assistant, AssistantError> {
    let mut examples = intents.to_vec();
    examples.extend(faq.iter().filter_map(|f| {
        f.intent
            .as_ref()
            .filter(|i| !i.is_empty())
            .map(|i| IntentExample {
                text: f.question.clone(),
                intent: i.clone(),
            })
    }));
    Ok(Assistant {
        intents: IntentModel::fit(&examples, params)?,
        faq: FaqIndex::build(faq),
    })
}

impl Assistant {
    /// The stored form: the artifact envelope (`shopmind_core::artifact`,
    /// kind `assistant`, [`FORMAT_VERSION`]) around the postcard body.
    pub fn to_bytes(&self) -> Result<Vec<u8>, AssistantError> {
        Ok(artifact::encode(
            ModelKind::Assistant,
            FORMAT_VERSION,
            self,
        )?)
    }

    /// Reads what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Assistant, AssistantError> {
        Ok(artifact::decode(
            ModelKind::Assistant,
            FORMAT_VERSION,
            bytes,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let ex = |t: &str, i: &str| IntentExample {
            text: t.into(),
            intent: i.into(),
        };
        let faq = [FaqEntry {
            question: "How do I return an item?".into(),
            answer: "Within 30 days.".into(),
            intent: Some("returns".into()),
        }];
        let a = train(
            &[
                ex("where is my parcel", "track"),
                ex("track my package", "track"),
            ],
            &faq,
            &IntentParams::default(),
        )
        .expect("train");
        assert_eq!(a.intents.labels(), ["returns", "track"]);
        let bytes = a.to_bytes().expect("encode");
        let b = Assistant::from_bytes(&bytes).expect("decode");
        assert_eq!(
            b.intents.classify("where is my parcel"),
            a.intents.classify("where is my parcel")
        );
        assert!(Assistant::from_bytes(&bytes[..6]).is_err());
        assert!(Assistant::from_bytes(b"XXXX\x01\0\0\0\0").is_err());
        let mut old = bytes.clone();
        old[5] = 9;
        assert!(Assistant::from_bytes(&old).is_err());
        let mut pre_envelope = b"SMAS\x01\0\0\0".to_vec();
        pre_envelope.extend(&bytes[9..]);
        let e = Assistant::from_bytes(&pre_envelope)
            .unwrap_err()
            .to_string();
        assert!(e.contains("retrain"), "{e}");
        assert!(Assistant::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }
}
