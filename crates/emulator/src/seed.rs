//! The deterministic generator of a messy pair of stores (work in progress: the interface is fixed).

use chrono::{DateTime, TimeZone, Utc};

use crate::World;

#[derive(Debug, Clone)]
pub struct SeedSpec {
    pub seed: u64,
    /// Roughly how many BigCommerce variants to create.
    pub variants: usize,
    pub variants_per_product: usize,
    pub locations: usize,
    /// The time "now" for the seeded data; dates are spread before it.
    pub epoch: DateTime<Utc>,
}

impl Default for SeedSpec {
    fn default() -> SeedSpec {
        SeedSpec {
            seed: 42,
            variants: 500,
            variants_per_product: 3,
            locations: 2,
            epoch: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).single().unwrap_or_default(),
        }
    }
}

pub fn generate(_spec: &SeedSpec) -> World {
    World {
        bigcommerce: crate::world::BcWorld { locations: vec![], products: vec![] },
        shopify: crate::world::ShopifyWorld { locations: vec![], products: vec![] },
        customers: vec![],
        truth: Default::default(),
    }
}
