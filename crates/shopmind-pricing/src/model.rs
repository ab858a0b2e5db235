//! A trained pricing model as the registry stores it: every item's
//! elasticity, its uncertainty and its base demand, from one estimation run.

use serde::{Deserialize, Serialize};
use shopmind_core::artifact::{self, ArtifactError};
use shopmind_core::model::ModelKind;

use crate::elasticity::Elasticity;

/// Format version of the [`PricingModel`] body in the artifact envelope
/// (2: the first in the envelope; version 1 was JSON and is refused with
/// "retrain").
pub const FORMAT: u32 = 2;

/// Elasticities of every item, sorted by item id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricingModel {
    elasticities: Vec<Elasticity>,
}

impl PricingModel {
    /// A model over `elasticities` (sorted here by item id).
    pub fn new(mut elasticities: Vec<Elasticity>) -> PricingModel {
        elasticities.sort_by(|a, b| a.item_id.cmp(&b.item_id));
        PricingModel { elasticities }
    }

    /// The item's demand response, if the model knows it.
    pub fn get(&self, item_id: &str) -> Option<&Elasticity> {
        self.elasticities
            .binary_search_by(|e| e.item_id.as_str().cmp(item_id))
            .ok()
            .map(|i| &self.elasticities[i])
    }

    /// Every item's demand response.
    pub fn elasticities(&self) -> &[Elasticity] {
        &self.elasticities
    }

    /// The stored form: the artifact envelope (`shopmind_core::artifact`,
    /// kind `pricing`, [`FORMAT`]) around the postcard body, so that NaN
    /// and infinite values round-trip.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ArtifactError> {
        artifact::encode(ModelKind::Pricing, FORMAT, self)
    }

    /// Reads the stored form; refuses another kind or format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<PricingModel, ArtifactError> {
        artifact::decode(ModelKind::Pricing, FORMAT, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elasticity::ElasticityFlag;

    fn e(id: &str, v: f64) -> Elasticity {
        Elasticity {
            item_id: id.into(),
            elasticity: v,
            std_error: 0.1,
            own: Some((v, 0.1)),
            flag: ElasticityFlag::Estimated,
            base_units: 3.0,
            reference_price: 9.99,
            stores: Vec::new(),
        }
    }

    #[test]
    fn round_trips_and_finds_items() {
        let m = PricingModel::new(vec![e("b", -2.0), e("a", -1.0)]);
        let back = PricingModel::from_bytes(&m.to_bytes().unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.get("a").unwrap().elasticity, -1.0);
        assert!(back.get("c").is_none());
        assert!(PricingModel::from_bytes(b"garbage").is_err());
        let mut nan = e("n", f64::NAN);
        nan.std_error = f64::INFINITY;
        let back =
            PricingModel::from_bytes(&PricingModel::new(vec![nan]).to_bytes().unwrap()).unwrap();
        assert!(back.get("n").unwrap().elasticity.is_nan());
        assert_eq!(back.get("n").unwrap().std_error, f64::INFINITY);
        let json = br#"{"format":1,"elasticities":[]}"#;
        let err = PricingModel::from_bytes(json).unwrap_err().to_string();
        assert!(err.contains("retrain"), "{err}");
    }
}
