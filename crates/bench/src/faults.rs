//! `bench faults` (run by `scripts/chaos`): the fault suite. It proves nothing is lost or done twice
//! when the process is killed, answers are lost after commit, stores answer 5xx or refuse with 429s
//! and THROTTLED, and webhooks come ten times over, out of order, late and across a restart. Each
//! count is taken against the emulators' own records (their ground truth), never against what
//! Tillbridge believes. Catalog syncs killed with SIGKILL are `bench crash`'s; `scripts/chaos` runs
//! both and adds them up.
//!
//! The last line is one JSON object: `kills`, `lost`, `duplicated`, `integrity_failures`,
//! `stuck_running`, `early_requests`, `secrets_found`, `pii_found`; all but `kills` must be 0.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde_json::json;
use sha2::Sha256;
use tillbridge_bigcommerce::models::{BillingAddress, NewCustomer, NewHook, NewOrder, NewOrderLine};
use tillbridge_emulator::rng::Rng;
use tillbridge_emulator::shopify::{PosLine, PosSale, ShopifyConfig};
use tillbridge_emulator::{EmulateOptions, FaultConfig, RunningStores, SeedSpec};
use tillbridge_engine::{
    ApiError, App, Config, LocationRules, MapLocationsRequest, OrdersConfig, OrdersSyncRequest, SameWindow,
    SecretStoreSpec, StockOwner, StockSyncRequest, WebhookSource,
};
use tillbridge_secrets::Secret;
use tillbridge_store::Store;
use tower::ServiceExt;

use crate::{failed, first_location, full_sync, gid_number, matched_variants, spawn_tillbridge};

/// Every figure the suite gathers; the JSON line is made from it.
#[derive(Debug, Default)]
struct Tally {
    kills: u64,
    lost: u64,
    duplicated: u64,
    integrity_failures: u64,
    stuck_running: u64,
    early_requests: u64,
    secrets_found: u64,
    pii_found: u64,
    /// The shoppers' emails the sales carried: none may be found on disk.
    emails: Vec<String>,
    /// Section → its figures, for the table.
    rows: Vec<(String, String)>,
}

impl Tally {
    /// What one series of kills left: its kills, the integrity checks that failed, the jobs still
    /// `running` after the final run, and the effects lost or made twice.
    fn killed(&mut self, kills: u32, integrity_failures: u64, running: u64, lost: u64, duplicated: u64) {
        self.kills += u64::from(kills);
        self.integrity_failures += integrity_failures;
        self.stuck_running += running;
        self.lost += lost;
        self.duplicated += duplicated;
    }

    #[allow(clippy::print_stdout)] // the table is the benchmark's output
    fn row(&mut self, section: &str, figures: String) {
        println!("{section:<40} {figures}");
        self.rows.push((section.into(), figures));
    }
}

/// Emulated stores on generous quotas (so many kills fit in one run), with no faults yet.
async fn fast_stores(spec: &SeedSpec) -> Result<RunningStores, ApiError> {
    let defaults = EmulateOptions::default();
    let shopify = ShopifyConfig { bucket_size: 10_000.0, restore_rate: 1_000.0, ..defaults.shopify.clone() };
    tillbridge_emulator::start(EmulateOptions { seed: spec.clone(), shopify, ..defaults })
        .await
        .map_err(|e| failed("cannot start the emulated stores", e))
}

/// A database in `dir` connected to `stores` (tokens in a private file the children read), its
/// catalog matched by a full sync.
struct Installation {
    db: PathBuf,
    secrets: PathBuf,
}

async fn install(dir: &Path, name: &str, stores: &RunningStores) -> Result<(Installation, App), ApiError> {
    let db = dir.join(format!("{name}.db"));
    let secrets = dir.join(format!("{name}.secrets"));
    let app = App::open(Config { db_path: db.clone(), secrets: SecretStoreSpec::File(secrets.clone()) }).await?;
    tillbridge_demo::connect(&app, &stores.credentials).await?;
    let runtime = app.start_runtime(tillbridge_engine::RuntimeOptions::one_shot());
    full_sync(&app, false).await?;
    runtime.shutdown(Duration::from_secs(5)).await;
    Ok((Installation { db, secrets }, app))
}

fn set_faults(stores: &RunningStores, config: FaultConfig) -> Result<(), ApiError> {
    stores.bigcommerce.faults().set(config.clone()).map_err(|e| failed("BigCommerce faults", e))?;
    stores.shopify.faults().set(config).map_err(|e| failed("Shopify faults", e))
}

/// Kills `child` with SIGKILL after `after`, unless it ends first. True when it was killed.
async fn kill_after(child: &mut Child, after: Duration) -> Result<bool, ApiError> {
    let deadline = Instant::now() + after;
    loop {
        if child.try_wait().map_err(|e| failed("cannot watch tillbridge", e))?.is_some() {
            return Ok(false);
        }
        if Instant::now() >= deadline {
            child.kill().map_err(|e| failed("cannot kill tillbridge", e))?;
            child.wait().map_err(|e| failed("cannot reap tillbridge", e))?;
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs `args` to its end (no kill), up to `tries` times until it succeeds.
async fn run_to_end(inst: &Installation, args: &[&str], log: &Path, tries: u32) -> Result<bool, ApiError> {
    for _ in 0..tries {
        let mut child = spawn_tillbridge(&inst.db, &inst.secrets, args, log)?;
        loop {
            if let Some(status) = child.try_wait().map_err(|e| failed("cannot watch tillbridge", e))? {
                if status.success() {
                    return Ok(true);
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(false)
}

/// SQLite's integrity check on a database no process holds, and its jobs left `running`.
fn inspect(db: &Path) -> Result<(Vec<String>, u64), ApiError> {
    let (store, _) = Store::open(db, Utc::now()).map_err(|e| failed("cannot open the database", e))?;
    let problems = store.integrity_check().map_err(|e| failed("cannot check the database", e))?;
    let running = store.job_counts(None).map_err(|e| failed("cannot count the jobs", e))?.running;
    Ok((problems, running))
}

/// A POS sale of one unit of each of `variants` at `location`.
fn sale(location: u64, variants: &[u64]) -> PosSale {
    PosSale {
        location_id: location,
        lines: variants.iter().map(|v| PosLine { variant_id: Some(*v), quantity: 1, ..PosLine::default() }).collect(),
        ..PosSale::default()
    }
}

/// BigCommerce orders per POS order (external id), from the emulator's own records.
fn orders_by_sale(stores: &RunningStores) -> HashMap<String, u64> {
    let mut per: HashMap<String, u64> = HashMap::new();
    let snapshot = stores.bigcommerce.orders_snapshot();
    for o in snapshot["orders"].as_array().into_iter().flatten() {
        if let Some(ext) = o["external_order_id"].as_str() {
            *per.entry(ext.to_string()).or_default() += 1;
        }
    }
    per
}

fn sale_gid(order: &serde_json::Value) -> Option<String> {
    order["id"].as_u64().map(|n| format!("gid://shopify/Order/{n}"))
}

/// (lost, duplicated) of `sales` against BigCommerce's orders.
fn count_orders(stores: &RunningStores, sales: &[String]) -> (u64, u64) {
    let per = orders_by_sale(stores);
    let lost = sales.iter().filter(|s| !per.contains_key(*s)).count() as u64;
    let duplicated = per.values().map(|n| n.saturating_sub(1)).sum();
    (lost, duplicated)
}

/// POS sales carried into BigCommerce by `sync --orders`, killed at random moments while a fifth
/// of the stores' answers are lost after commit.
async fn order_kills(spec: &SeedSpec, dir: &Path, kills: u32, rng: &mut Rng, t: &mut Tally) -> Result<(), ApiError> {
    let stores = fast_stores(spec).await?;
    let (inst, app) = install(dir, "orders", &stores).await?;
    let config = OrdersConfig {
        enabled: true,
        carry_from: Some(Utc::now() - chrono::Duration::days(1)),
        ..OrdersConfig::default()
    };
    app.set_orders_config(config).await?;
    let variants = matched_variants(&app)?;
    let location = first_location(&app).await?;
    drop(app);
    set_faults(&stores, FaultConfig { drop_after_commit_rate: 0.2, ..FaultConfig::default() })?;
    let log = dir.join("orders.stderr");
    let mut sales = Vec::new();
    let (mut killed, mut integrity) = (0u32, 0u64);
    while killed < kills {
        for _ in 0..3 {
            let picked = [*rng.pick(&variants), *rng.pick(&variants)];
            let email = format!("shopper{}@example.com", sales.len());
            let mut sold = sale(location, &picked);
            sold.customer_email = Some(email.clone());
            let order = stores.shopify.ring_up(&sold).map_err(|e| failed("a POS sale", e))?;
            sales.extend(sale_gid(&order));
            t.emails.push(email);
        }
        let mut child = spawn_tillbridge(&inst.db, &inst.secrets, &["sync", "--orders"], &log)?;
        if kill_after(&mut child, Duration::from_secs_f64(0.05 + rng.unit() * 1.5)).await? {
            killed += 1;
            integrity += u64::from(!inspect(&inst.db)?.0.is_empty());
        }
    }
    let drained = run_to_end(&inst, &["sync", "--orders"], &log, 5).await?;
    let (problems, running) = inspect(&inst.db)?;
    let (lost, duplicated) = count_orders(&stores, &sales);
    t.killed(killed, integrity + u64::from(!problems.is_empty()), running, lost, duplicated);
    t.row(
        "kill -9 during order drains",
        format!(
            "{killed} kills, {} sales, lost {lost}, duplicated {duplicated}, final drain {}, running jobs after {running}",
            sales.len(),
            if drained { "ok" } else { "FAILED" }
        ),
    );
    scan_folder(dir, &stores, t, "orders");
    Ok(())
}

/// Stock cycles (`sync --inventory`) killed at random moments while POS sales keep coming and a
/// fifth of the answers are lost after commit. Each sale must leave both stores one unit lower.
async fn stock_kills(spec: &SeedSpec, dir: &Path, kills: u32, rng: &mut Rng, t: &mut Tally) -> Result<(), ApiError> {
    let stores = fast_stores(spec).await?;
    let (inst, app) = install(dir, "stock", &stores).await?;
    let live = app.locations().await?;
    let bc = live.bigcommerce.first().ok_or_else(|| ApiError::internal("no BigCommerce location"))?;
    let shop = live.shopify.iter().find(|l| l.name == bc.name).or(live.shopify.first());
    let shop = shop.ok_or_else(|| ApiError::internal("no Shopify location"))?;
    let bc_location: i64 = bc.id.parse().map_err(|e| failed("a BigCommerce location id", e))?;
    let shop_location = gid_number(&shop.id).ok_or_else(|| ApiError::internal("a Shopify location id"))?;
    app.map_locations(MapLocationsRequest {
        bigcommerce_location_id: bc_location,
        shopify_location_id: shop.id.clone(),
        rules: LocationRules { owner: StockOwner::Both, same_window: SameWindow::Merge, hold_back: 0, cap: None },
    })
    .await?;
    let runtime = app.start_runtime(tillbridge_engine::RuntimeOptions::one_shot());
    app.stock_sync(StockSyncRequest::default()).await?;
    runtime.shutdown(Duration::from_secs(5)).await;
    // Items with room to sell from on both stores, by Shopify variant, with their aligned stock.
    let world = tillbridge_emulator::generate(spec);
    let items = app.store().stock_items().map_err(|e| failed("the synced items", e))?;
    let bc_of_item: HashMap<String, i64> =
        items.into_iter().map(|i| (i.shopify_item_id, i.bigcommerce_variant_id)).collect();
    let mut candidates: Vec<(u64, u64, i64, i64)> = Vec::new();
    for v in world.shopify.products.iter().flat_map(|p| &p.variants) {
        let Some(&bc_variant) = bc_of_item.get(&format!("gid://shopify/InventoryItem/{}", v.inventory_item_id)) else {
            continue;
        };
        let Some(aligned) = stores.bigcommerce.sellable(bc_variant, bc_location) else { continue };
        if aligned >= 8 && stores.shopify.available(v.inventory_item_id, shop_location) == Some(aligned) {
            candidates.push((v.id, v.inventory_item_id, bc_variant, aligned));
        }
    }
    candidates.truncate(12);
    if candidates.is_empty() {
        return Err(ApiError::internal("no item has stock to sell on both stores"));
    }
    drop(app);
    set_faults(&stores, FaultConfig { drop_after_commit_rate: 0.2, ..FaultConfig::default() })?;
    let log = dir.join("stock.stderr");
    let mut sold: BTreeMap<usize, i64> = BTreeMap::new();
    let (mut killed, mut integrity) = (0u32, 0u64);
    while killed < kills {
        let pick = rng.below(candidates.len() as u64) as usize;
        if sold.get(&pick).copied().unwrap_or(0) + 1 < candidates[pick].3 {
            stores.shopify.ring_up(&sale(shop_location, &[candidates[pick].0])).map_err(|e| failed("a POS sale", e))?;
            *sold.entry(pick).or_default() += 1;
        }
        let mut child = spawn_tillbridge(&inst.db, &inst.secrets, &["sync", "--inventory"], &log)?;
        if kill_after(&mut child, Duration::from_secs_f64(0.05 + rng.unit() * 1.0)).await? {
            killed += 1;
            integrity += u64::from(!inspect(&inst.db)?.0.is_empty());
        }
    }
    // The final cycles: BigCommerce may hold writes in its echo window, so a few are run.
    set_faults(&stores, FaultConfig::default())?;
    for _ in 0..4 {
        run_to_end(&inst, &["sync", "--inventory"], &log, 3).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (problems, running) = inspect(&inst.db)?;
    let (mut lost, mut duplicated) = (0u64, 0u64);
    for (i, (_, item, bc_variant, aligned)) in candidates.iter().enumerate() {
        let expected = aligned - sold.get(&i).copied().unwrap_or(0);
        for actual in
            [stores.bigcommerce.sellable(*bc_variant, bc_location), stores.shopify.available(*item, shop_location)]
        {
            let actual = actual.unwrap_or(i64::MIN);
            lost += u64::try_from(actual - expected).unwrap_or(0);
            duplicated += u64::try_from(expected - actual).unwrap_or(0);
        }
    }
    t.killed(killed, integrity + u64::from(!problems.is_empty()), running, lost, duplicated);
    t.row(
        "kill -9 during stock cycles",
        format!(
            "{killed} kills, {} units sold over {} items, units lost {lost}, counted twice {duplicated}, running jobs after {running}",
            sold.values().sum::<i64>(),
            candidates.len()
        ),
    );
    scan_folder(dir, &stores, t, "stock");
    Ok(())
}

/// base64(HMAC-SHA256(secret, message)).
fn sign(secret: &str, message: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// One webhook event: its source, id and body.
struct Event {
    shopify: bool,
    id: String,
    body: Vec<u8>,
}

fn delivery(e: &Event, now: chrono::DateTime<Utc>, late: bool) -> Request<Body> {
    if e.shopify {
        let triggered = if late { now - chrono::Duration::days(1) } else { now };
        Request::post("/webhooks/shopify")
            .header("x-shopify-topic", "inventory_levels/update")
            .header("x-shopify-event-id", &e.id)
            .header("x-shopify-triggered-at", triggered.to_rfc3339())
            .header("x-shopify-hmac-sha256", sign("storm-shopify", &e.body))
            .body(Body::from(e.body.clone()))
            .unwrap_or_default()
    } else {
        let ts = now.timestamp().to_string();
        let signed: Vec<u8> =
            format!("{}.{ts}.", e.id).into_bytes().into_iter().chain(e.body.iter().copied()).collect();
        Request::post("/webhooks/bigcommerce")
            .header("webhook-id", &e.id)
            .header("webhook-timestamp", ts)
            .header("webhook-signature", format!("v1,{}", sign("storm-bigcommerce", &signed)))
            .body(Body::from(e.body.clone()))
            .unwrap_or_default()
    }
}

/// A guest order with one custom line, carrying `external_order_id`.
fn lost_answer_order(external_order_id: &str) -> NewOrder {
    let price = Decimal::new(1250, 2);
    NewOrder {
        customer_id: 0,
        status_id: 11,
        channel_id: 1,
        external_source: "pos".into(),
        external_order_id: external_order_id.into(),
        billing_address: BillingAddress {
            first_name: "Guest".into(),
            last_name: "Counter".into(),
            street_1: "1 Main St".into(),
            city: "Springfield".into(),
            state: "Oregon".into(),
            zip: "97477".into(),
            country: "United States".into(),
            country_iso2: "US".into(),
            email: String::new(),
        },
        products: vec![NewOrderLine::Custom {
            name: "Gift wrap".into(),
            sku: "WRAP".into(),
            quantity: 1,
            price_inc_tax: price,
            price_ex_tax: price,
        }],
        discount_amount: Decimal::ZERO,
        subtotal_ex_tax: price,
        subtotal_inc_tax: price,
        shipping_cost_ex_tax: Decimal::ZERO,
        shipping_cost_inc_tax: Decimal::ZERO,
        total_ex_tax: price,
        total_inc_tax: price,
        payment_method: "cash".into(),
        staff_notes: None,
    }
}

async fn receiver_at(db: &Path, secrets: &Path, clock: Arc<dyn tillbridge_engine::Clock>) -> Result<App, ApiError> {
    let app = App::open_with_clock(
        Config { db_path: db.to_path_buf(), secrets: SecretStoreSpec::File(secrets.to_path_buf()) },
        clock,
    )
    .await?;
    app.set_webhook_secret(WebhookSource::Shopify, Secret::new("storm-shopify".into())).await?;
    app.set_webhook_secret(WebhookSource::BigCommerce, Secret::new("storm-bigcommerce".into())).await?;
    Ok(app)
}

/// A clock a day ahead: deliveries that come a day late.
#[derive(Debug)]
struct DayLater;

impl tillbridge_engine::Clock for DayLater {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now() + chrono::Duration::days(1)
    }
}

/// Every event delivered ten times, shuffled, a tenth of the copies a day late and half of them
/// after a restart: each must be recorded once.
async fn webhook_storm(dir: &Path, events: usize, rng: &mut Rng, t: &mut Tally) -> Result<(), ApiError> {
    let db = dir.join("storm.db");
    let secrets = dir.join("storm.secrets");
    let list: Vec<Event> = (0..events)
        .map(|i| {
            let shopify = i % 2 == 0;
            let body = if shopify {
                json!({"inventory_item_id": 1000 + i, "location_id": 7, "available": i, "updated_at": Utc::now().to_rfc3339()})
            } else {
                json!({"scope": "store/sku/inventory/updated", "store_id": "1", "data": {"type": "sku", "id": 500 + i}, "created_at": Utc::now().timestamp()})
            };
            Event { shopify, id: format!("event-{i}"), body: body.to_string().into_bytes() }
        })
        .collect();
    let mut copies: Vec<(usize, bool)> = (0..events).flat_map(|i| (0..10).map(move |c| (i, c == 9))).collect();
    crate::shuffle(&mut copies, rng);
    let (mut accepted, mut refused) = (0u64, 0u64);
    let mut answer_ms: Vec<f64> = Vec::with_capacity(copies.len());
    let half = copies.len() / 2;
    for (part, chunk) in [&copies[..half], &copies[half..]].into_iter().enumerate() {
        // The second half comes after a restart, and its late copies a day later by the clock.
        let clock: Arc<dyn tillbridge_engine::Clock> =
            if part == 0 { Arc::new(tillbridge_engine::SystemClock) } else { Arc::new(DayLater) };
        let app = receiver_at(&db, &secrets, clock).await?;
        for &(i, late) in chunk {
            let sent = Instant::now();
            let response = tillbridge_webhooks::router(app.clone())
                .oneshot(delivery(&list[i], app.now(), late))
                .await
                .map_err(|e| failed("a webhook delivery", e))?;
            answer_ms.push(sent.elapsed().as_secs_f64() * 1_000.0);
            if response.status() != StatusCode::OK {
                refused += 1;
                continue;
            }
            let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap_or_default();
            let answer: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            accepted += u64::from(answer["duplicate"] == json!(false));
        }
        drop(app);
    }
    let (store, _) = Store::open(&db, Utc::now()).map_err(|e| failed("cannot open the database", e))?;
    let recorded = store.inbox(10 * events as u32).map_err(|e| failed("the inbox", e))?.len() as u64;
    let lost = (events as u64).saturating_sub(recorded) + refused;
    let duplicated = accepted.saturating_sub(events as u64);
    answer_ms.sort_by(f64::total_cmp);
    let p99 = crate::percentile(&answer_ms, 99.0);
    t.lost += lost;
    t.duplicated += duplicated;
    t.row(
        "webhook duplicate storm",
        format!(
            "{events} events x 10 deliveries, shuffled, late and across a restart: {recorded} recorded, {accepted} taken as new, {refused} refused; answered in p99 {:.1} ms, max {:.1} ms (target 1 s)",
            p99,
            answer_ms.last().copied().unwrap_or(f64::NAN)
        ),
    );
    Ok(())
}

/// POS orders drained while a fifth of the answers are 5xx and some connections drop, through a
/// BigCommerce 429 storm and Shopify THROTTLED bursts.
async fn error_storms(spec: &SeedSpec, dir: &Path, rng: &mut Rng, t: &mut Tally) -> Result<(), ApiError> {
    let stores = fast_stores(spec).await?;
    let (_inst, app) = install(dir, "errors", &stores).await?;
    app.set_orders_config(OrdersConfig {
        enabled: true,
        carry_from: Some(Utc::now() - chrono::Duration::days(1)),
        ..OrdersConfig::default()
    })
    .await?;
    let variants = matched_variants(&app)?;
    let location = first_location(&app).await?;
    let mut sales = Vec::new();
    for _ in 0..30 {
        let order =
            stores.shopify.ring_up(&sale(location, &[*rng.pick(&variants)])).map_err(|e| failed("a sale", e))?;
        sales.extend(sale_gid(&order));
    }
    let noisy = FaultConfig { error_rate: 0.2, drop_after_commit_rate: 0.1, ..FaultConfig::default() };
    stores
        .bigcommerce
        .faults()
        .set(FaultConfig { rate_limit_storm_ms: 4_000, ..noisy.clone() })
        .map_err(|e| failed("BigCommerce faults", e))?;
    stores
        .shopify
        .faults()
        .set(FaultConfig { rate_limit_storm_ms: 2_000, ..noisy })
        .map_err(|e| failed("Shopify faults", e))?;
    let runtime = app.start_runtime(tillbridge_engine::RuntimeOptions::one_shot());
    let started = Instant::now();
    let mut cycles = 0;
    // Failed jobs are retried by the lanes after their backoff; cycles go on until all landed.
    while cycles < 20 && count_orders(&stores, &sales).0 > 0 {
        cycles += 1;
        if let Err(e) = app.orders_sync(OrdersSyncRequest::default()).await {
            tracing::debug!(error = %e, "an orders cycle failed under the storm; the next one goes on");
        }
        let _ = app.retry_orders(tillbridge_engine::RetryOrdersRequest { order: None }).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    runtime.shutdown(Duration::from_secs(5)).await;
    let (lost, duplicated) = count_orders(&stores, &sales);
    let early = stores.bigcommerce.early_requests();
    let answered = |log: &tillbridge_emulator::requests::RequestLog, outcome: &str| -> u64 {
        log.snapshot().iter().filter(|r| r.outcome == outcome).map(|r| r.count).sum()
    };
    let (refused_429, throttled, server_errors) = (
        answered(stores.bigcommerce.requests(), "429"),
        answered(stores.shopify.requests(), "THROTTLED"),
        answered(stores.bigcommerce.requests(), "500")
            + answered(stores.bigcommerce.requests(), "503")
            + answered(stores.shopify.requests(), "500")
            + answered(stores.shopify.requests(), "503"),
    );
    t.lost += lost;
    t.duplicated += duplicated;
    t.early_requests += early;
    t.row(
        "5xx, resets, 429 storm, THROTTLED",
        format!(
            "{} sales drained in {:.1} s over {cycles} cycles through {server_errors} 5xx, {refused_429} 429s and {throttled} THROTTLED: lost {lost}, duplicated {duplicated}, requests before a 429's reset {early}",
            sales.len(),
            started.elapsed().as_secs_f64()
        ),
    );
    scan_folder(dir, &stores, t, "errors");
    Ok(())
}

/// Each create whose answer is lost after BigCommerce committed it (order, customer, hook) leaves
/// exactly one remote object. (Refunds are covered the same way by the POS order tests.)
async fn lost_answers(spec: &SeedSpec, t: &mut Tally) -> Result<(), ApiError> {
    let stores = fast_stores(spec).await?;
    let audit = tillbridge_transport::MemoryAudit::default();
    let bc = crate::merchant_bigcommerce(&stores.credentials.bigcommerce, &audit)?;
    let drop_one =
        |route: &str| FaultConfig { drop_after_commit: 1, target: Some(route.into()), ..FaultConfig::default() };
    let mut made = Vec::new();

    stores
        .bigcommerce
        .faults()
        .set(drop_one("POST /stores/{store_hash}/v3/customers"))
        .map_err(|e| failed("faults", e))?;
    let email = "lost.answer@example.com".to_string();
    let customer = NewCustomer { email: email.clone(), first_name: "Lost".into(), last_name: "Answer".into() };
    let _ = bc.create_customers(std::slice::from_ref(&customer)).await;
    let customers = bc.customers_by_email(std::slice::from_ref(&email)).await.map_err(|e| failed("customers", e))?;
    made.push(("customer", customers.len()));

    stores.bigcommerce.faults().set(drop_one("POST /stores/{store_hash}/v3/hooks")).map_err(|e| failed("faults", e))?;
    let hook = NewHook {
        scope: "store/order/*".into(),
        destination: "https://tillbridge.example.com/webhooks/bigcommerce".into(),
        is_active: true,
        headers: BTreeMap::new(),
    };
    let _ = bc.create_hook(&hook).await;
    made.push(("hook", stores.bigcommerce.hook_count()));

    stores
        .bigcommerce
        .faults()
        .set(drop_one("POST /stores/{store_hash}/v2/orders"))
        .map_err(|e| failed("faults", e))?;
    let order = lost_answer_order("lost-answer-1");
    let _ = bc.create_order(&order).await;
    let per = orders_by_sale(&stores);
    made.push(("order", per.get("lost-answer-1").copied().unwrap_or(0) as usize));

    let (mut lost, mut duplicated) = (0u64, 0u64);
    for (_, n) in &made {
        lost += u64::from(*n == 0);
        duplicated += (*n as u64).saturating_sub(1);
    }
    t.lost += lost;
    t.duplicated += duplicated;
    t.row(
        "lost response after commit",
        made.iter().map(|(what, n)| format!("{what}: {n} made")).collect::<Vec<_>>().join(", "),
    );
    Ok(())
}

/// Greps every file under `dir` (databases, their WALs, the children's logs) for the stores'
/// tokens and secrets, and for the emails of the shoppers the sales carried. The secret store file
/// is left out: keeping the tokens is its job (the keychain, on a desktop).
fn scan_folder(dir: &Path, stores: &RunningStores, t: &mut Tally, section: &str) {
    let c = &stores.credentials;
    let secrets =
        [&c.bigcommerce.access_token, &c.bigcommerce.client_secret, &c.shopify.access_token, &c.shopify.webhook_secret];
    let emails = t.emails.clone();
    let files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "secrets"))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    let found = |needle: &str| -> u64 {
        if needle.is_empty() {
            return 0;
        }
        files.iter().filter(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes())).count() as u64
    };
    let secrets_found: u64 = secrets.iter().map(|s| found(s)).sum();
    let pii_found: u64 = emails.iter().map(|e| found(e)).sum();
    // The control: the secret store file does hold the tokens, so a scan that finds none elsewhere
    // is a scan that would have found them.
    let store_file = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "secrets") && p.to_string_lossy().contains(section));
    let control = store_file.and_then(|p| std::fs::read(p).ok()).map_or(0, |bytes| {
        [&c.bigcommerce.access_token, &c.shopify.access_token]
            .iter()
            .filter(|s| bytes.windows(s.len()).any(|w| w == s.as_bytes()))
            .count()
    });
    t.secrets_found += secrets_found;
    t.pii_found += pii_found;
    t.row(
        &format!("scan after {section}"),
        format!(
            "{} files (databases, WALs, logs): {secrets_found} tokens or secrets, {pii_found} shopper emails of {} (control: the secret store file holds {control} of 2 tokens)",
            files.len(),
            emails.len()
        ),
    );
}

#[allow(clippy::print_stdout)]
pub async fn faults(spec: SeedSpec, kills: u32, events: usize) -> Result<(), ApiError> {
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let mut rng = Rng::new(spec.seed ^ 0xfa_017);
    let mut t = Tally::default();
    let started = Instant::now();
    println!("fault suite: {} variants per store pair; {kills} kills, {events} webhook events", spec.variants);
    order_kills(&spec, dir.path(), kills.div_ceil(2), &mut rng, &mut t).await?;
    stock_kills(&spec, dir.path(), kills / 2, &mut rng, &mut t).await?;
    webhook_storm(dir.path(), events, &mut rng, &mut t).await?;
    error_storms(&spec, dir.path(), &mut rng, &mut t).await?;
    lost_answers(&spec, &mut t).await?;
    println!("fault suite done in {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "{}",
        json!({
            "kills": t.kills,
            "lost": t.lost,
            "duplicated": t.duplicated,
            "integrity_failures": t.integrity_failures,
            "stuck_running": t.stuck_running,
            "early_requests": t.early_requests,
            "secrets_found": t.secrets_found,
            "pii_found": t.pii_found,
        })
    );
    let bad = t.lost
        + t.duplicated
        + t.integrity_failures
        + t.stuck_running
        + t.early_requests
        + t.secrets_found
        + t.pii_found;
    if bad == 0 {
        Ok(())
    } else {
        Err(ApiError::internal(format!("the fault suite found {bad} problems; see the table")))
    }
}
