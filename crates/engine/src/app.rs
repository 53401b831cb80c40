use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tillbridge_secrets::{SecretStore, SecretStoreKind, SecretStoreSpec};
use tillbridge_store::{Opened, Store, System};

use crate::clock::{Clock, SystemClock};
use crate::{ApiError, VERSION};

/// How to open the engine: which database file and which secret store.
#[derive(Debug, Clone)]
pub struct Config {
    pub db_path: PathBuf,
    pub secrets: SecretStoreSpec,
}

impl Config {
    /// The configuration the front ends' `--db` and `--secret-store` flags describe; absent flags
    /// mean the per-user database and the OS keychain.
    pub fn from_flags(db: Option<PathBuf>, secret_store: Option<&str>) -> Result<Config, ApiError> {
        let db_path = match db {
            Some(p) => p,
            None => crate::default_db_path()?,
        };
        let secrets: SecretStoreSpec = secret_store.unwrap_or("keychain").parse().map_err(ApiError::from)?;
        Ok(Config { db_path, secrets })
    }
}

/// The engine, built once per process and shared by every front end.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) secrets: Arc<dyn SecretStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) opened: Opened,
    pub(crate) connector: Arc<dyn crate::connect::Connector>,
    /// The runtime's state: this process's lease identity, the lanes' wake-ups, each capability's
    /// progress, and the channel to the runtime loop when one runs here.
    pub(crate) runtime: Arc<crate::runtime::Runtime>,
    /// The stores' clients, built once per connection so every request to a store spends the same
    /// rate-limit governor.
    pub(crate) clients: Arc<tokio::sync::Mutex<Option<crate::clients::CachedClients>>>,
    /// What the stores' clients wait on, for the runs' progress.
    pub(crate) waits: crate::progress::StoreWaits,
    /// The key components of the snapshot the mapping was last matched from whole, so a decision
    /// re-matches only the variants it reaches.
    pub(crate) matched_snapshot: Arc<std::sync::Mutex<Option<crate::mapping::MatchedSnapshot>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Health {
    pub version: String,
    pub schema_version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DatabaseView {
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SecretStoreView {
    pub kind: SecretStoreKind,
    pub description: String,
    pub ok: bool,
    pub problem: Option<String>,
}

/// A connection as the UI shows it: identity, and whether its token is where it should be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ConnectionView {
    pub system: System,
    pub name: String,
    pub store_ref: String,
    pub api_url: String,
    pub api_version: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub has_secret: bool,
    /// The store's IANA time zone, as its connection check read it; none when it gave none.
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Status {
    pub version: String,
    pub schema_version: u32,
    pub database: DatabaseView,
    pub secret_store: SecretStoreView,
    pub connections: Vec<ConnectionView>,
    /// Each store's health, from its latest requests.
    pub health: Vec<crate::runtime::health::StoreHealth>,
    /// The kill switch: outgoing writes are paused.
    pub paused: bool,
    /// Jobs waiting for a person (dead) or for their next attempt (failed).
    pub failed_jobs: u64,
    /// The zone the screens show times in: BigCommerce's, else Shopify's, else this computer's.
    pub time_zone: crate::StoreTimeZone,
}

impl App {
    /// Opens the database (migrating it, after copying it aside) and the secret store.
    pub async fn open(config: Config) -> Result<App, ApiError> {
        App::open_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`App::open`], on `clock`: a benchmark that delivers webhooks a day late.
    pub async fn open_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<App, ApiError> {
        let now = clock.now();
        let (store, opened, secrets) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            let (store, opened) = Store::open(&config.db_path, now)?;
            let secrets = config.secrets.open()?;
            Ok((store, opened, secrets))
        })
        .await??;
        // Opening touches no job: work another live process holds stays its own, and what dead
        // processes left is taken back by the runtime's heartbeat, which can tell the two apart.
        Ok(App::from_parts(store, secrets, clock, opened))
    }

    /// Assembles an engine from parts; tests pass an in-memory store, memory secrets and a fixed clock.
    pub fn from_parts(store: Store, secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>, opened: Opened) -> App {
        // Two engines in one process (tests) need distinct lease identities: a count of the engines
        // built here, mixed with the clock so a restarted process does not reuse an identity.
        static ENGINES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let instance = (clock.now().timestamp_nanos_opt().unwrap_or_default() as u64) << 8
            | ENGINES.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0xff;
        if let Some(backup) = &opened.backup {
            tracing::info!(backup = %backup.display(), from = opened.from_version, to = opened.to_version, "database upgraded");
        }
        App {
            store,
            secrets,
            waits: crate::progress::StoreWaits::new(clock.clone()),
            clock,
            opened,
            connector: Arc::new(crate::connect::HttpConnector),
            runtime: Arc::new(crate::runtime::Runtime::new(instance)),
            clients: Arc::default(),
            matched_snapshot: Arc::default(),
        }
    }

    /// The same engine reaching stores through `connector` (tests use in-memory stores).
    pub fn with_connector(mut self, connector: Arc<dyn crate::connect::Connector>) -> App {
        self.connector = connector;
        self
    }

    /// What the last open did to the database file (for the CLI to report a backup).
    pub fn opened(&self) -> &Opened {
        &self.opened
    }

    /// A line for the operator when opening upgraded the database, naming the copy kept aside.
    pub fn upgrade_note(&self) -> Option<String> {
        self.opened.backup.as_ref().map(|backup| {
            format!(
                "note: upgraded the database from schema {} to {}; the previous file is kept at {}",
                self.opened.from_version,
                self.opened.to_version,
                backup.display()
            )
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Randomness for backoff delays, seeded from the clock.
    pub(crate) fn jitter(&self) -> Arc<dyn tillbridge_transport::Jitter> {
        let seed = self.now().timestamp_nanos_opt().unwrap_or_default() as u64;
        Arc::new(tillbridge_transport::SeededJitter::new(seed))
    }

    /// Runs blocking work (SQLite, the keychain) off the async threads.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || f(&app)).await?
    }

    pub async fn health(&self) -> Result<Health, ApiError> {
        self.blocking(|app| Ok(Health { version: VERSION.to_string(), schema_version: app.store.schema_version()? }))
            .await
    }

    pub async fn status(&self) -> Result<Status, ApiError> {
        self.blocking(|app| {
            let probe = app.secrets.probe();
            let secret_store = SecretStoreView {
                kind: app.secrets.kind(),
                description: app.secrets.describe(),
                ok: probe.is_ok(),
                problem: probe.err().map(|e| e.to_string()),
            };
            let connections = app.connection_views(secret_store.ok)?;
            Ok(Status {
                version: VERSION.to_string(),
                schema_version: app.store.schema_version()?,
                database: DatabaseView {
                    path: app.store.path().map_or_else(|| "(in memory)".to_string(), |p| p.display().to_string()),
                },
                time_zone: crate::time_zone::resolve(&connections),
                connections,
                secret_store,
                health: app.store_health()?,
                paused: app.paused_now()?,
                failed_jobs: {
                    let counts = app.store.job_counts(None)?;
                    counts.failed + counts.dead
                },
            })
        })
        .await
    }

    pub async fn connections(&self) -> Result<Vec<ConnectionView>, ApiError> {
        self.blocking(|app| app.connection_views(true)).await
    }

    /// `secrets_usable` false skips the lookups: they would each fail the same way the probe did.
    pub(crate) fn connection_views(&self, secrets_usable: bool) -> Result<Vec<ConnectionView>, ApiError> {
        self.store
            .connections()?
            .into_iter()
            .map(|c| {
                let has_secret =
                    secrets_usable && matches!(self.secrets.get(&c.secret_ref), Ok(Some(s)) if !s.is_empty());
                let time_zone = self.kept_time_zone(c.system, &c.store_ref);
                Ok(ConnectionView {
                    system: c.system,
                    name: c.name,
                    store_ref: c.store_ref,
                    api_url: c.api_url,
                    api_version: c.api_version,
                    verified_at: c.verified_at,
                    has_secret,
                    time_zone,
                })
            })
            .collect()
    }
}
