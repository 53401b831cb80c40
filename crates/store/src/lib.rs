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
pub mod orders;
mod overview;
mod settings;
pub mod stock;
pub mod sync_runs;
mod time;
pub mod webhooks;

pub use audit::AuditRecord;
pub use baseline::{SyncCursors, save_baseline};
pub use catalog::{BcVariantRow, NewRead, ReadRecord, ShVariantRow};
pub use connections::{ConnectionRecord, NewConnection};
pub use error::StoreError;
pub use jobs::{
    AttemptOutcome, AttemptRecord, AttemptRequest, Enqueued, Job, JobCounts, JobState, NewJob, Settlement, enqueue_in,
    supersede_entities_in, supersede_unplanned_in,
};
pub use mapping::{
    DecidedAbout, Decision, DecisionKind, DecisionRecord, MappingBigCommerceSide, MappingClass, MappingClassCounts,
    MappingFilter, MappingOrder, MappingPage, MappingRecordRow, MappingShopifySide,
};
pub use migrations::{MIGRATIONS, Migration, SCHEMA_VERSION};
pub use open::{Opened, Store};
pub use orders::{
    OrderLink, OrderLinkCounts, OrderLinkState, OrderLinkUpdate, RefundLink, RefundLinkState, RefundLinkUpdate,
};
pub use overview::{OrdersHour, QueueTotals, QuotaHour, hour_start};
pub use rusqlite::Transaction;
pub use stock::{
    CellId, CellUpdate, DriftRecord, LocationPairRecord, NewLocationPair, StockCellRecord, StockConflictRecord,
    StockItem, VALIDATIONS_KEPT, ValidationRecord, land_in, raise_conflict_in, record_validation_in, save_cell_plan_in,
    stock_cell_in,
};
pub use sync_runs::{NewRun, RunStart, SyncChangeKindCount, SyncChangeRow, SyncRunEnd, SyncRunRecord, Trigger};
pub use tillbridge_domain::Scope;
pub use tillbridge_transport::{AuditEntry, Direction, EndpointTemplate, Outcome, System};
pub use time::{format_time, parse_time};
pub use webhooks::{
    INBOX_KEPT_DAYS, InboxEntry, InboxRecord, Removed, customer_data_in, record_delivery_in, record_privacy_in,
    redact_customer_in, redact_shop_in,
};
