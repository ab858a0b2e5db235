//! A trained pricing model as the registry stores it: every item's
//! elasticity, its uncertainty and its base demand, from one estimation run.

use serde::{Deserialize, Serialize};

use crate::elasticity::Elasticity;

/// Format version of [`PricingModel::to_bytes`].
pub const FORMAT: u32 = 1;

/// Elasticities of every item, sorted by item id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricingModel {
    format: u32,
    elasticities: Vec<Elasticity>,
}

impl PricingModel {
    /// A model over `elasticities` (sorted here by item id).
    pub fn new(mut elasticities: Vec<Elasticity>) -> PricingModel {
        elasticities.sort_by(|a, b| a.item_id.cmp(&b.item_id));
        PricingModel {
            format: FORMAT,
            elasticities,
        }
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

    /// The stored form (JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads the stored form; refuses another format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<PricingModel, String> {
        let m: PricingModel =
            serde_json::from_slice(bytes).map_err(|e| format!("not a pricing model: {e}"))?;
        if m.format != FORMAT {
            return Err(format!(
                "pricing model format {} (this build reads {FORMAT})",
                m.format
            ));
        }
        Ok(m)
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
        let back = PricingModel::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.get("a").unwrap().elasticity, -1.0);
        assert!(back.get("c").is_none());
        assert!(PricingModel::from_bytes(b"garbage").is_err());
        let newer = String::from_utf8(m.to_bytes())
            .unwrap()
            .replace("\"format\":1", "\"format\":9");
        assert!(
            PricingModel::from_bytes(newer.as_bytes())
                .unwrap_err()
                .contains("format 9")
        );
    }
}
