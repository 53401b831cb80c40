//! The engine API. Every front end (Tauri commands, `tillbridge serve`, the CLI) is a thin adapter
//! over [`App`]; no front end holds logic of its own.

mod app;
pub mod catalog;
mod clients;
mod clock;
mod connect;
mod csv;
mod doctor;
mod error;
mod mapping;
mod paths;
mod product_sync;
mod progress;
mod snapshot;
mod writes;

pub use app::{App, Config, ConnectionView, DatabaseView, Health, SecretStoreView, Status};
pub use clock::{Clock, SystemClock};
pub use connect::{ConnectBigCommerce, ConnectShopify, Connector, HttpConnector};
pub use doctor::{Check, CheckState, DoctorReport};
pub use error::{ApiError, ErrorCode, ErrorKind};
pub use mapping::{ConfirmRequest, IgnoreRequest, MappingQuery, MappingView, PairRequest};
pub use paths::{default_db_path, default_log_dir};
pub use product_sync::{CatalogPlan, PRODUCT_WRITE_JOB, PreviewQuery, PreviewView, SyncRequest, plan_catalogs};
pub use progress::{SyncPhase, SyncProgress, SyncSummary, WritePace, estimate_seconds_left};
pub use tillbridge_domain::Scope;
pub use tillbridge_domain::matching::MatchRules;
pub use tillbridge_domain::sync::{Owner, Ownership};
pub use tillbridge_secrets::SecretStoreSpec;
pub use tillbridge_store::MappingClassCounts;

/// The version of this build, shown in the UI and returned by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
