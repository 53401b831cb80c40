//! The emulated BigCommerce store: the REST paths, shapes, limits, errors, webhooks and side
//! effects the sync relies on, served on loopback.
//!
//! API routes live under `/stores/{store_hash}/v3/...` and `/stores/{store_hash}/v2/...` and need
//! `X-Auth-Token`; the loopback-only admin API lives under `/__admin/...` and needs nothing.

mod admin;
mod catalog;
mod channels;
mod customers;
mod gate;
mod hooks;
mod info;
mod inventory;
mod orders;
mod refunds;
mod store;
mod wire;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use chrono::Utc;

use crate::faults::Faults;
use crate::net::{self, ServerHandle};
use crate::requests::RequestLog;
use crate::rng::Rng;
use crate::webhook::{RetrySchedule, WebhookSender};
use store::{Event, Store};

#[derive(Debug, Clone)]
pub struct BcConfig {
    pub store_hash: String,
    pub access_token: String,
    /// Requests per window, shared by every client of the store (Standard and Plus: 150).
    pub quota: u32,
    pub window: Duration,
    /// The store setting "adjust stock when an order is placed".
    pub decrement_stock_on_order: bool,
    /// Standard Webhooks signing secret, "whsec_<base64 of the key>".
    pub webhook_secret: String,
    pub fault_seed: u64,
    pub webhook_retry: RetrySchedule,
    /// The store's time zone (`GET /v2/store`'s `timezone.name`); none leaves `timezone` out.
    pub time_zone: Option<String>,
}

impl Default for BcConfig {
    fn default() -> BcConfig {
        BcConfig {
            store_hash: "tbdemo01".into(),
            access_token: "tbdemo-bc-access-token-0001".into(),
            quota: 150,
            window: Duration::from_secs(30),
            decrement_stock_on_order: true,
            // base64("tillbridge-demo-client-secret")
            webhook_secret: "whsec_dGlsbGJyaWRnZS1kZW1vLWNsaWVudC1zZWNyZXQ=".into(),
            fault_seed: 7,
            // BigCommerce retries after 60 s, 180 s, … 86400 s (about 48 h); the same shape,
            // sixty times faster.
            webhook_retry: RetrySchedule {
                delays: [60u64, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400]
                    .iter()
                    .map(|s| Duration::from_millis(s * 1000 / 60))
                    .collect(),
            },
            time_zone: Some(crate::DEMO_TIME_ZONE.into()),
        }
    }
}

impl BcConfig {
    /// The app's client secret: the key of the Standard Webhooks signatures, which
    /// `webhook_secret` carries base64-encoded after `whsec_`.
    pub fn client_secret(&self) -> String {
        use base64::Engine;
        let encoded = self.webhook_secret.strip_prefix("whsec_").unwrap_or(&self.webhook_secret);
        match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => encoded.to_string(),
        }
    }
}

/// The settings the admin API can change while the store runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub decrement_stock_on_order: bool,
    pub quota: u32,
    pub window: Duration,
}

pub(crate) struct Shared {
    pub config: BcConfig,
    settings: Mutex<Settings>,
    store: Mutex<Store>,
    limiter: Mutex<gate::RateWindow>,
    rng: Mutex<Rng>,
    /// Orders with a refund being processed; a second refund on the same order is refused.
    refunds_in_flight: Mutex<HashSet<i64>>,
    pub faults: Arc<Faults>,
    pub requests: RequestLog,
    pub webhooks: WebhookSender,
    /// The numeric store id webhook payloads carry, derived from the hash so it is stable.
    pub store_id: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }
    pub fn settings(&self) -> MutexGuard<'_, Settings> {
        lock(&self.settings)
    }
    pub fn limiter(&self) -> MutexGuard<'_, gate::RateWindow> {
        lock(&self.limiter)
    }
    pub fn rng(&self) -> MutexGuard<'_, Rng> {
        lock(&self.rng)
    }
    pub fn refunds_in_flight(&self) -> MutexGuard<'_, HashSet<i64>> {
        lock(&self.refunds_in_flight)
    }

    /// A UUID-shaped id, as the Inventory API's `transaction_id`.
    pub fn uuid(&self) -> String {
        let mut rng = self.rng();
        let (a, b) = (rng.next_u64(), rng.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// Sends each event to every active subscription whose scope covers it.
    pub fn emit(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let subscriptions: Vec<store::Hook> = self.store().hooks.values().filter(|h| h.is_active).cloned().collect();
        for event in dedupe(events) {
            for hook in subscriptions.iter().filter(|h| hooks::scope_covers(&h.scope, &event.scope)) {
                let delivery = hooks::delivery(self, hook, &event, Utc::now());
                self.webhooks.send(delivery);
            }
        }
    }
}

/// One request may touch the same product several times; it fires each event once.
fn dedupe(events: Vec<Event>) -> Vec<Event> {
    let mut seen = HashSet::new();
    events.into_iter().filter(|e| seen.insert((e.scope.clone(), e.data.to_string()))).collect()
}

/// An emulated BigCommerce store. Cheap to clone; clones share the same store.
#[derive(Clone)]
pub struct BigCommerceEmulator {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for BigCommerceEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BigCommerceEmulator")
            .field("store_hash", &self.shared.config.store_hash)
            .finish_non_exhaustive()
    }
}

impl BigCommerceEmulator {
    pub fn new(world: &crate::World, config: BcConfig) -> BigCommerceEmulator {
        let faults = Arc::new(Faults::new(config.fault_seed));
        let webhooks = WebhookSender::new(faults.clone(), config.webhook_retry.clone());
        let store_id = (1_000_000_000u64
            + config.store_hash.bytes().fold(0u64, |h, b| (h * 131 + b as u64) % 900_000_000))
        .to_string();
        let shared = Shared {
            settings: Mutex::new(Settings {
                decrement_stock_on_order: config.decrement_stock_on_order,
                quota: config.quota,
                window: config.window,
            }),
            store: Mutex::new(Store::load(world, Utc::now())),
            limiter: Mutex::new(gate::RateWindow::new()),
            rng: Mutex::new(Rng::new(config.fault_seed ^ 0x5EED_B1C0)),
            refunds_in_flight: Mutex::new(HashSet::new()),
            faults,
            requests: RequestLog::default(),
            webhooks,
            store_id,
            config,
        };
        BigCommerceEmulator { shared: Arc::new(shared) }
    }

    /// The API (rate limited, counted, fault-injected) and the admin API (none of those).
    pub fn router(&self) -> Router {
        let s = self.shared.clone();
        let v3 = "/stores/{store_hash}/v3";
        let v2 = "/stores/{store_hash}/v2";
        let api = Router::new()
            .route(&format!("{v3}/catalog/products"), get(catalog::list_products).put(catalog::update_products))
            .route(
                &format!("{v3}/catalog/products/{{product_id}}"),
                get(catalog::get_product).put(catalog::update_product),
            )
            .route(&format!("{v3}/catalog/products/{{product_id}}/variants"), get(catalog::list_product_variants))
            .route(&format!("{v3}/catalog/variants"), get(catalog::list_variants).put(catalog::update_variants))
            .route(
                &format!("{v3}/inventory/locations"),
                get(inventory::list_locations).post(inventory::create_locations),
            )
            .route(&format!("{v3}/inventory/locations/{{location_id}}/items"), get(inventory::location_items))
            .route(&format!("{v3}/inventory/items"), get(inventory::list_items))
            .route(&format!("{v3}/inventory/adjustments/absolute"), put(inventory::adjust_absolute))
            .route(&format!("{v3}/inventory/adjustments/relative"), post(inventory::adjust_relative))
            .route(&format!("{v2}/store"), get(info::store_information))
            .route(&format!("{v2}/orders"), get(orders::list_orders).post(orders::create_order))
            .route(&format!("{v2}/orders/count"), get(orders::count_orders))
            .route(&format!("{v2}/orders/{{order_id}}"), get(orders::get_order).put(orders::update_order))
            .route(&format!("{v2}/orders/{{order_id}}/products"), get(orders::order_products))
            .route(&format!("{v2}/order_statuses"), get(orders::order_statuses))
            .route(&format!("{v3}/orders/{{order_id}}/payment_actions/refund_quotes"), post(refunds::create_quote))
            .route(
                &format!("{v3}/orders/{{order_id}}/payment_actions/refunds"),
                get(refunds::list_for_order).post(refunds::create_refund),
            )
            .route(&format!("{v3}/orders/payment_actions/refunds"), get(refunds::list_all))
            .route(&format!("{v3}/orders/payment_actions/refunds/{{refund_id}}"), get(refunds::get_one))
            .route(
                &format!("{v3}/customers"),
                get(customers::list_customers).post(customers::create_customers).put(customers::update_customers),
            )
            .route(
                &format!("{v3}/customers/subscribers"),
                get(customers::list_subscribers).post(customers::create_subscriber),
            )
            .route(&format!("{v3}/channels"), get(channels::list_channels).post(channels::create_channel))
            .route(&format!("{v3}/channels/{{channel_id}}"), get(channels::get_channel))
            .route(&format!("{v3}/hooks"), get(hooks::list_hooks).post(hooks::create_hook))
            .route(
                &format!("{v3}/hooks/{{webhook_id}}"),
                get(hooks::get_hook).put(hooks::update_hook).delete(hooks::delete_hook),
            )
            .route_layer(from_fn_with_state(s.faults.clone(), gate::faults))
            .route_layer(from_fn_with_state(s.clone(), gate::gate))
            .with_state(s.clone());
        api.merge(admin::router(s)).fallback(admin::no_such_endpoint)
    }

    /// Serves the emulator on `addr` (port 0 picks a free one; see `ServerHandle::addr`).
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<ServerHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        net::serve(listener, self.router())
    }

    /// The base URL a client is configured with; it appends `/stores/{hash}/v3/...` itself.
    pub fn api_url(addr: SocketAddr) -> String {
        format!("http://{addr}")
    }

    pub fn store_hash(&self) -> &str {
        &self.shared.config.store_hash
    }

    pub fn access_token(&self) -> &str {
        &self.shared.config.access_token
    }

    pub fn webhook_secret(&self) -> &str {
        &self.shared.config.webhook_secret
    }

    pub fn faults(&self) -> Arc<Faults> {
        self.shared.faults.clone()
    }

    pub fn requests(&self) -> &RequestLog {
        &self.shared.requests
    }

    pub fn webhook_log(&self) -> Vec<crate::webhook::DeliveryRecord> {
        self.shared.webhooks.log()
    }

    /// Sets a variant's own price in place, as a merchant's edit in the control panel would be,
    /// without an API request: benchmarks change the catalog this way so their setup is neither
    /// counted nor rate limited. The product's `date_modified` moves; no webhook fires. False when
    /// there is no such variant.
    pub fn set_variant_price(&self, variant_id: i64, price: rust_decimal::Decimal) -> bool {
        let mut store = self.shared.store();
        let Some(variant) = store.variants.get_mut(&variant_id) else { return false };
        variant.price = Some(price);
        let product_id = variant.product_id;
        if let Some(product) = store.products.get_mut(&product_id) {
            product.date_modified = Utc::now();
        }
        true
    }

    /// Deletes a variant, as a merchant doing so in the control panel would: it leaves its product
    /// and the catalog, and orders can no longer name it. False when there is no such variant.
    pub fn delete_variant(&self, variant_id: i64) -> bool {
        let mut store = self.shared.store();
        let Some(variant) = store.variants.remove(&variant_id) else { return false };
        if let Some(product) = store.products.get_mut(&variant.product_id) {
            product.variant_ids.retain(|v| *v != variant_id);
            product.date_modified = Utc::now();
        }
        for ids in store.variant_skus.values_mut() {
            ids.retain(|v| *v != variant_id);
        }
        true
    }

    /// Turns a hook on or off, as BigCommerce does after a hook's deliveries keep failing. False
    /// when there is no such hook.
    pub fn set_hook_active(&self, hook_id: i64, active: bool) -> bool {
        let mut store = self.shared.store();
        let Some(hook) = store.hooks.get_mut(&hook_id) else { return false };
        hook.is_active = active;
        true
    }

    /// Requests that arrived before the reset time a 429 had given (see `gate::EARLY_GRACE`).
    pub fn early_requests(&self) -> u64 {
        self.shared.limiter().early_requests()
    }

    /// How many hooks the store holds.
    pub fn hook_count(&self) -> usize {
        self.shared.store().hooks.len()
    }

    /// True sellable stock (`available_to_sell`, no staleness) of one variant at one location,
    /// for a benchmark that watches a change arrive without spending the API quota it measures.
    pub fn sellable(&self, variant_id: i64, location_id: i64) -> Option<i64> {
        let store = self.shared.store();
        store.variants.get(&variant_id).and_then(|v| v.cell(location_id)).map(|c| c.on_hand - c.safety_stock)
    }

    /// True stock of every variant at every location (no staleness): the admin view, as JSON.
    pub fn stock_snapshot(&self) -> serde_json::Value {
        admin::stock_json(&self.shared.store(), None)
    }

    /// True orders with their lines and refunds: the admin view, as JSON.
    pub fn orders_snapshot(&self) -> serde_json::Value {
        admin::orders_json(&self.shared.store())
    }
}
