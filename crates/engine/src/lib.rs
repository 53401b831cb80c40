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
mod home;
mod mapping;
mod onboarding;
pub mod orders;
mod panel;
mod paths;
pub mod privacy;
mod progress;
pub mod runtime;
mod snapshot;
pub mod stock;
mod time_zone;
pub mod webhooks;

pub use app::{App, Config, ConnectionView, DatabaseView, Health, SecretStoreView, Status};
pub use catalog::{CatalogPlan, PreviewQuery, PreviewView, SyncRequest, plan_catalogs};
pub use clock::{Clock, SystemClock};
pub use connect::{ConnectBigCommerce, ConnectShopify, Connector, HttpConnector};
pub use doctor::{Check, CheckState, DoctorReport};
pub use error::{ApiError, ErrorCode, ErrorKind, quoted};
pub use home::{CapabilityRuns, ChartsView, HistoryPoint, HomeQuery, HomeView, ReviewCounts};
pub use mapping::{
    ConfirmAllRequest, ConfirmRequest, IgnoreRequest, MappingChange, MappingQuery, MappingUndo, MappingView,
    PairRequest,
};
pub use onboarding::{OnboardingDismissRequest, OnboardingStepView, OnboardingView};
pub use orders::{
    ChooseOrderChannel, OrderChannel, OrderChannelsView, OrderPreview, OrderRef, OrderTimelineView, OrdersConfig,
    OrdersQuery, OrdersSyncReport, OrdersSyncRequest, OrdersView, ReconcileRequest, ReconcileView, RetryOrdersRequest,
};
pub use paths::{default_db_path, default_log_dir};
pub use privacy::{CustomerRef, PrivacyReport};
pub use progress::{StoreWait, SyncPhase, SyncProgress, SyncSummary, WritePace, estimate_seconds_left};
pub use runtime::alerts::RunAlert;
pub use runtime::health::{HealthState, StoreHealth};
pub use runtime::queue::{
    CancelRequest, CancelView, FailedJobView, FailedQuery, FailedView, JobTimelineView, QueueActionView, RetryRequest,
    SettledView, SkipRequest,
};
pub use runtime::runs::{RunResult, RunView, RunsQuery, RunsView};
pub use runtime::schedule::{PauseView, ScheduleRequest, ScheduleView};
pub use runtime::{RuntimeHandle, RuntimeOptions, ShutdownReport};
pub use stock::{
    ConflictsQuery, DriftQuery, DriftReport, DriftView, LocationPairView, LocationRules, LocationRulesRequest,
    LocationSuggestion, LocationsView, MapLocationsRequest, ResolveConflictRequest, StockCellView, StockConflictView,
    StockItemQuery, StockItemView, StockSyncReport, StockSyncRequest, StoreLocation, StoreWrites,
    UnmapLocationsRequest, ValidationView,
};
pub use tillbridge_domain::Scope;
pub use tillbridge_domain::catalog::GuardRails;
pub use tillbridge_domain::catalog::{Owner, Ownership};
pub use tillbridge_domain::matching::MatchRules;
pub use tillbridge_domain::onboarding::{OnboardingStep, StepState, SuggestedBy};
pub use tillbridge_domain::stock::{Owner as StockOwner, SameWindow};
pub use tillbridge_domain::webhooks::PrivacyTopic;
pub use tillbridge_domain::work::Capability;
pub use tillbridge_secrets::SecretStoreSpec;
pub use tillbridge_store::MappingClassCounts;
pub use tillbridge_store::{
    AttemptRecord, AttemptRequest, JobState, OrderLink, OrderLinkCounts, OrderLinkState, Trigger,
};
pub use time_zone::{StoreTimeZone, TimeZoneSource};
pub use webhooks::{InboundWebhook, Receipt, WebhookSecrets, WebhookSource};

/// Money as the engine reports it: exact decimals, never floats.
pub type Money = rust_decimal::Decimal;

/// The version of this build, shown in the UI and returned by `/api/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
