//! What the engine's end-to-end tests share: seeded emulated stores, an app connected to both,
//! and the merchant's own clients for changes made outside Tillbridge.

// Each test file uses some of these.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tillbridge_bigcommerce::{BcConnection, BigCommerceClient};
use tillbridge_emulator::bigcommerce::BcConfig;
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::{EmulateOptions, RunningStores, SeedSpec};
use tillbridge_engine::{App, ConnectBigCommerce, ConnectShopify, Connector, RuntimeOptions, SystemClock};
use tillbridge_secrets::{MemorySecretStore, Secret};
use tillbridge_shopify::{ShopifyClient, ShopifyConnection};
use tillbridge_store::{Opened, Store};
use tillbridge_transport::{Backoff, ClientParts, MemoryAudit, SeededJitter, SystemWallClock};

/// Seeded stores on a Shopify Plus bucket: the checks below re-read the whole catalog after each
/// step, which on the Standard bucket would spend most of the test waiting for points.
pub async fn stores(seed: SeedSpec) -> RunningStores {
    stores_with(seed, BcConfig::default()).await
}

/// The same, with a BigCommerce store set up as `bigcommerce` says.
pub async fn stores_with(seed: SeedSpec, bigcommerce: BcConfig) -> RunningStores {
    let defaults = EmulateOptions::default();
    let shopify = ShopifyConfig { bucket_size: 10_000.0, restore_rate: 1_000.0, ..defaults.shopify.clone() };
    tillbridge_emulator::start(EmulateOptions { seed, shopify, bigcommerce, ..defaults }).await.unwrap()
}

pub async fn connected(s: &RunningStores, connector: Option<Arc<dyn Connector>>) -> App {
    connected_with(s, connector, RuntimeOptions::one_shot()).await
}

/// An app connected to both stores whose runtime runs with `options` (a stock poll, say).
pub async fn connected_with(s: &RunningStores, connector: Option<Arc<dyn Connector>>, options: RuntimeOptions) -> App {
    connected_at(s, connector, options, Arc::new(SystemClock)).await
}

/// The time now, moved on by hand: a test passes hours in a moment.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    ahead_ms: std::sync::atomic::AtomicI64,
}

impl ShiftedClock {
    pub fn advance(&self, by: chrono::Duration) {
        self.ahead_ms.fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl tillbridge_engine::Clock for ShiftedClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.ahead_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// As [`connected_with`], on `clock`.
pub async fn connected_at(
    s: &RunningStores,
    connector: Option<Arc<dyn Connector>>,
    options: RuntimeOptions,
    clock: Arc<dyn tillbridge_engine::Clock>,
) -> App {
    let mut app = App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        Arc::new(MemorySecretStore::default()),
        clock,
        Opened { from_version: 0, to_version: 3, backup: None },
    );
    if let Some(c) = connector {
        app = app.with_connector(c);
    }
    connect_both(&app, s).await;
    // The lanes send the writes; the handle is dropped, and the runtime lives as long as the test.
    app.start_runtime(options);
    app
}

pub async fn connect_both(app: &App, s: &RunningStores) {
    let c = &s.credentials;
    app.connect_bigcommerce(ConnectBigCommerce {
        api_url: c.bigcommerce.api_url.clone(),
        store_hash: c.bigcommerce.store_hash.clone(),
        token: Secret::new(c.bigcommerce.access_token.clone()),
    })
    .await
    .unwrap();
    app.connect_shopify(ConnectShopify {
        shop_url: c.shopify.shop_url.clone(),
        api_version: Some(c.shopify.api_version.clone()),
        token: Secret::new(c.shopify.access_token.clone()),
    })
    .await
    .unwrap();
}

pub fn parts() -> ClientParts {
    ClientParts {
        audit: Arc::new(MemoryAudit::default()),
        jitter: Arc::new(SeededJitter::new(7)),
        clock: Arc::new(SystemWallClock),
        backoff: Backoff::default(),
        timeout: Duration::from_secs(30),
        waits: std::sync::Arc::new(tillbridge_transport::UnwatchedWaits),
    }
}

/// The merchant's own access to the stores, for edits made outside Tillbridge.
pub fn merchant(s: &RunningStores) -> (BigCommerceClient, ShopifyClient) {
    let c = &s.credentials;
    let bc = BigCommerceClient::new(
        &BcConnection {
            api_url: c.bigcommerce.api_url.clone(),
            store_hash: c.bigcommerce.store_hash.clone(),
            token: Secret::new(c.bigcommerce.access_token.clone()),
        },
        parts(),
    )
    .unwrap();
    let sh = ShopifyClient::new(
        &ShopifyConnection {
            shop_url: c.shopify.shop_url.clone(),
            api_version: c.shopify.api_version.clone(),
            token: Secret::new(c.shopify.access_token.clone()),
        },
        parts(),
    )
    .unwrap();
    (bc, sh)
}
