//! Training an [`Assistant`] from intents and FAQ rows, and its stored
//! form: magic `SMAS`, a little-endian format version, then postcard.

use shopmind_core::model::{Fit, ModelInfo, Predict};
use shopmind_core::record::{FaqEntry, IntentExample};

use crate::AssistantError;
use crate::dialog::Assistant;
use crate::faq::FaqIndex;
use crate::intent::{IntentModel, IntentParams, Prediction};

const MAGIC: [u8; 4] = *b"SMAS";
/// Version of the stored form; an artifact of another version is refused.
pub const FORMAT_VERSION: u32 = 1;

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
    /// The stored form.
    pub fn to_bytes(&self) -> Result<Vec<u8>, AssistantError> {
        let mut out = MAGIC.to_vec();
        out.extend(FORMAT_VERSION.to_le_bytes());
        let body = postcard::to_allocvec(self)
            .map_err(|e| AssistantError::Artifact(format!("cannot encode the assistant: {e}")))?;
        out.extend(body);
        Ok(out)
    }

    /// Reads what [`Self::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Assistant, AssistantError> {
        let Some((head, body)) = bytes.split_at_checked(8) else {
            return Err(AssistantError::Artifact(
                "truncated assistant artifact".into(),
            ));
        };
        if head[..4] != MAGIC {
            return Err(AssistantError::Artifact(
                "not a shopmind assistant artifact".into(),
            ));
        }
        let version = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if version != FORMAT_VERSION {
            return Err(AssistantError::Artifact(format!(
                "assistant format version {version}, this build reads {FORMAT_VERSION}: retrain it"
            )));
        }
        postcard::from_bytes(body)
            .map_err(|e| AssistantError::Artifact(format!("corrupt assistant artifact: {e}")))
    }
}

impl ModelInfo for Assistant {
    fn algorithm(&self) -> &'static str {
        "lexical"
    }
    fn format_version(&self) -> u32 {
        FORMAT_VERSION
    }
}

impl Fit<[IntentExample]> for IntentParams {
    type Model = IntentModel;
    type Error = AssistantError;
    fn fit(&self, data: &[IntentExample]) -> Result<IntentModel, AssistantError> {
        IntentModel::fit(data, self)
    }
}

impl Predict<str> for IntentModel {
    type Output = Prediction;
    type Error = std::convert::Infallible;
    fn predict(&self, text: &str) -> Result<Prediction, Self::Error> {
        Ok(self.classify(text))
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
        assert!(Assistant::from_bytes(b"XXXX\x01\0\0\0").is_err());
        let mut old = bytes.clone();
        old[4] = 9;
        assert!(Assistant::from_bytes(&old).is_err());
        assert!(Assistant::from_bytes(&bytes[..bytes.len() - 3]).is_err());
    }
}
