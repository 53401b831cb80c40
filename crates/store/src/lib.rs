//! Tillbridge's local store: one SQLite file per installation.
//!
//! Every write runs under `BEGIN IMMEDIATE` with `synchronous=FULL`: a transfer that was
//! acknowledged to a store must survive a power cut, or the next run would repeat it.
//!
//! The modules `catalog`, `mapping` and `sync_runs` (and [`enqueue_in`]) also offer their operations as
//! free functions on a transaction, so the engine can compose several in one [`Store::write`]: a plan's
//! jobs land together with the read that produced them, or not at all.

mod audit;
mod baseline;
pub mod catalog;
mod columns;
mod connections;
mod error;
mod jobs;
pub mod mapping;
mod migrations;
mod open;
mod settings;
pub mod sync_runs;
mod time;

pub use audit::{AuditEntry, AuditRecord, Direction, EndpointTemplate, Outcome};
pub use baseline::{SyncCursors, save_baseline};
pub use catalog::{BcVariantRow, NewRead, ReadRecord, ReadScope, ShVariantRow};
pub use connections::{ConnectionRecord, NewConnection};
pub use error::StoreError;
pub use jobs::{Enqueued, Job, JobState, NewJob, Retry, enqueue_in};
pub use mapping::{
    Decision, DecisionKind, DecisionRecord, MappingBigCommerceSide, MappingClass, MappingClassCounts, MappingFilter,
    MappingPage, MappingRecordRow, MappingShopifySide,
};
pub use migrations::{MIGRATIONS, Migration, SCHEMA_VERSION};
pub use open::{Opened, Store};
pub use sync_runs::{SyncChangeKindCount, SyncChangeRow, SyncMode, SyncRunEnd, SyncRunRecord};
pub use time::{format_time, parse_time};

use serde::{Deserialize, Serialize};

/// The two commerce systems Tillbridge talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    Shopify,
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            System::BigCommerce => "bigcommerce",
            System::Shopify => "shopify",
        }
    }

    pub fn parse(s: &str) -> Option<System> {
        match s {
            "bigcommerce" => Some(System::BigCommerce),
            "shopify" => Some(System::Shopify),
            _ => None,
        }
    }
}

impl std::fmt::Display for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            System::BigCommerce => "BigCommerce",
            System::Shopify => "Shopify",
        })
    }
}
