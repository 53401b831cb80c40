//! The demo a newcomer's first command opens: both emulated stores, seeded with the mess real
//! stores have, and Tillbridge connected to them through the same `connect` path a real store
//! takes. Demo tokens stay in memory and the demo keeps its own database, so trying Tillbridge
//! never touches the keychain or a real installation's data.

use std::path::{Path, PathBuf};

use tillbridge_emulator::{Credentials, EmulateOptions, RunningStores, SeedSpec};
use tillbridge_engine::{
    ApiError, App, Config, ConnectBigCommerce, ConnectShopify, Scope, SecretStoreSpec, SyncRequest,
};
use tillbridge_secrets::Secret;

/// The size and shape of the seeded stores, as `tillbridge demo`, `tillbridge emulate` and
/// `tillbridge-desktop --demo` take them.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// The generator's seed: the same seed gives the same stores.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How many BigCommerce variants to create (Shopify gets about as many).
    #[arg(long, default_value_t = 2_000)]
    pub variants: usize,
    /// How many locations each store has.
    #[arg(long, default_value_t = 2)]
    pub locations: usize,
}

impl DemoArgs {
    pub fn spec(&self) -> SeedSpec {
        SeedSpec { seed: self.seed, variants: self.variants, locations: self.locations, ..SeedSpec::default() }
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub emulate: EmulateOptions,
    /// Recreated on every start: the emulated stores are new each time, and so are their ids.
    pub db_path: PathBuf,
}

#[derive(Debug)]
pub struct Demo {
    pub app: App,
    /// Dropping it stops the emulated stores.
    pub stores: RunningStores,
}

/// The demo database next to the real one: `demo.db` in the per-user data folder.
pub fn default_demo_db() -> Result<PathBuf, ApiError> {
    Ok(tillbridge_engine::default_db_path()?.with_file_name("demo.db"))
}

pub async fn open(opts: DemoOptions) -> Result<Demo, ApiError> {
    let stores = tillbridge_emulator::start(opts.emulate)
        .await
        .map_err(|e| ApiError::invalid(format!("cannot start the emulated stores: {e}")))?;
    remove_database(&opts.db_path)?;
    let app = App::open(Config { db_path: opts.db_path, secrets: SecretStoreSpec::Memory }).await?;
    connect(&app, &stores.credentials).await?;
    tracing::info!(
        bigcommerce_variants = stores.bigcommerce_variants,
        shopify_variants = stores.shopify_variants,
        "demo stores seeded and connected"
    );
    // A preview reads both catalogs and matches them without writing, so the Mapping screen opens
    // on the seeded mess for the operator to review before any sync changes a store.
    let preview = app.sync_run(SyncRequest::new(Scope::Full, true)).await?;
    if let Some(error) = preview.error {
        tracing::warn!(%error, "the demo's first preview failed; the Mapping screen stays empty until a sync runs");
    }
    Ok(Demo { app, stores })
}

/// Connects `app` to emulated stores through the ordinary connect path (each token proven first).
pub async fn connect(app: &App, c: &Credentials) -> Result<(), ApiError> {
    app.connect_bigcommerce(ConnectBigCommerce {
        api_url: c.bigcommerce.api_url.clone(),
        store_hash: c.bigcommerce.store_hash.clone(),
        token: Secret::new(c.bigcommerce.access_token.clone()),
    })
    .await?;
    app.connect_shopify(ConnectShopify {
        shop_url: c.shopify.shop_url.clone(),
        api_version: Some(c.shopify.api_version.clone()),
        token: Secret::new(c.shopify.access_token.clone()),
    })
    .await?;
    Ok(())
}

fn remove_database(path: &Path) -> Result<(), ApiError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ApiError::invalid(format!("cannot reset the demo database {}: {e}", path.display())));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_connects_both_emulated_stores() {
        let dir = tempfile::tempdir().unwrap();
        let opts = DemoOptions {
            emulate: EmulateOptions {
                seed: SeedSpec { variants: 60, ..SeedSpec::default() },
                ..EmulateOptions::default()
            },
            db_path: dir.path().join("demo.db"),
        };
        let demo = open(opts.clone()).await.unwrap();
        let status = demo.app.status().await.unwrap();
        let connected: Vec<_> = status.connections.iter().map(|c| (c.system.as_str(), c.has_secret)).collect();
        assert_eq!(connected, vec![("bigcommerce", true), ("shopify", true)], "both stores connected, tokens held");
        assert!(
            status.connections.iter().all(|c| c.verified_at.is_some()),
            "each connection was proven with a live call"
        );
        drop(demo);

        let again = open(opts).await.unwrap();
        assert_eq!(
            again.app.connections().await.unwrap().len(),
            2,
            "a second start replaces the old demo, not adds to it"
        );
    }
}
