//! The runtime's vocabulary: which store a job's requests go to, which capability owns it, and
//! how urgent it is. Every capability's jobs share one queue and one lane per store.

use serde::{Deserialize, Serialize};

use crate::catalog::CatalogWrite;
use crate::orders::PosOrderWork;
use crate::stock::StockWrite;

/// The store a job's requests go to. Each store has one lane, which runs its due jobs in order and
/// spends that store's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
pub enum Lane {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    #[serde(rename = "shopify")]
    Shopify,
}

impl Lane {
    pub const ALL: [Lane; 2] = [Lane::BigCommerce, Lane::Shopify];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::BigCommerce => "bigcommerce",
            Lane::Shopify => "shopify",
        }
    }

    pub fn parse(s: &str) -> Option<Lane> {
        match s {
            "bigcommerce" => Some(Lane::BigCommerce),
            "shopify" => Some(Lane::Shopify),
            _ => None,
        }
    }
}

/// A sync capability. Each has its own runs, lease and progress, so one never waits behind another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Catalog,
    Stock,
    Orders,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Catalog, Capability::Stock, Capability::Orders];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Catalog => "catalog",
            Capability::Stock => "stock",
            Capability::Orders => "orders",
        }
    }

    pub fn parse(s: &str) -> Option<Capability> {
        match s {
            "catalog" => Some(Capability::Catalog),
            "stock" => Some(Capability::Stock),
            "orders" => Some(Capability::Orders),
            _ => None,
        }
    }

    /// Which of a lane's due jobs goes first: a sale waiting to become an order matters more than
    /// a stock level, and a stock level more than a product field.
    pub fn priority(self) -> i64 {
        match self {
            Capability::Orders => 30,
            Capability::Stock => 20,
            Capability::Catalog => 10,
        }
    }
}

/// A job's payload, typed per kind. The queue stores it as JSON; lanes read it back as this enum,
/// so a payload that does not parse is refused by name instead of being half-read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "work", rename_all = "snake_case")]
pub enum Work {
    CatalogWrite(CatalogWrite),
    StockWrite(StockWrite),
    PosOrder(PosOrderWork),
}

impl Work {
    /// The serde tag, stored in the job's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Work::CatalogWrite(_) => "catalog_write",
            Work::StockWrite(_) => "stock_write",
            Work::PosOrder(_) => "pos_order",
        }
    }

    pub fn capability(&self) -> Capability {
        match self {
            Work::CatalogWrite(_) => Capability::Catalog,
            Work::StockWrite(_) => Capability::Stock,
            Work::PosOrder(_) => Capability::Orders,
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            Work::CatalogWrite(w) => w.lane(),
            Work::StockWrite(w) => w.lane(),
            Work::PosOrder(w) => w.lane(),
        }
    }

    /// What the job changes; see the capability's own `entity_key`.
    pub fn entity_key(&self) -> String {
        match self {
            Work::CatalogWrite(w) => w.entity_key(),
            Work::StockWrite(w) => w.entity_key(),
            Work::PosOrder(w) => w.entity_key(),
        }
    }

    /// The job in plain words, for a person.
    pub fn describe(&self) -> String {
        match self {
            Work::CatalogWrite(w) => w.describe(),
            Work::StockWrite(w) => w.describe(),
            Work::PosOrder(w) => w.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_column_is_the_serde_tag() {
        let work = Work::CatalogWrite(CatalogWrite::ShopifyTitle {
            product_id: "gid://shopify/Product/1".into(),
            title: "Tee".into(),
        });
        let json = serde_json::to_value(&work).unwrap_or_default();
        assert_eq!(json["kind"], work.kind(), "the stored kind names the payload's variant");
        assert_eq!(serde_json::from_value::<Work>(json).ok(), Some(work), "a payload reads back as it was");
    }

    #[test]
    fn stored_names_are_the_serde_names() {
        for lane in Lane::ALL {
            assert_eq!(serde_json::to_value(lane).unwrap_or_default(), lane.as_str(), "{lane:?} is spelled alike");
            assert_eq!(Lane::parse(lane.as_str()), Some(lane), "{lane:?} reads back");
        }
        for c in Capability::ALL {
            assert_eq!(serde_json::to_value(c).unwrap_or_default(), c.as_str(), "{c:?} is spelled alike");
            assert_eq!(Capability::parse(c.as_str()), Some(c), "{c:?} reads back");
        }
    }
}
