//! The engine API. Every front end (Tauri commands, `tillbridge serve`, the CLI) is a thin adapter
//! over [`App`]; no front end holds logic of its own.

mod app;
pub mod catalog;
mod clock;
mod connect;
mod doctor;
mod error;
mod paths;

pub use app::{App, Config, ConnectionView, DatabaseView, Health, SecretStoreView, Status};
pub use clock::{Clock, SystemClock};
pub use connect::{ConnectBigCommerce, ConnectShopify, Connector, HttpConnector};
pub use doctor::{Check, CheckState, DoctorReport};
pub use error::{ApiError, ErrorCode, ErrorKind};
pub use paths::{default_db_path, default_log_dir};
pub use tillbridge_secrets::SecretStoreSpec;

/// The version of this build, shown in the UI and returned by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
