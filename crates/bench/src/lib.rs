//! Benchmarks against the emulated stores. Each prints what it measured and ends with one JSON
//! line, so a person and a script can both read it.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod crash;
mod faults;
mod inventory;
mod orders;

pub use inventory::{inventory, stock_plan_child};
pub use orders::orders;

pub use crash::crash;
pub use faults::faults;

use futures_util::{StreamExt, TryStreamExt};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tillbridge_bigcommerce::{BcConnection, BigCommerceClient, ProductQuery};
use tillbridge_domain::catalog::{bigcommerce_barcode, bigcommerce_prices, shopify_price_fields, shopify_prices};
use tillbridge_domain::matching::{Decisions, MatchRules};
use tillbridge_emulator::bigcommerce::BcConfig;
use tillbridge_emulator::requests::RequestLog;
use tillbridge_emulator::rng::Rng;
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::world::TruthClass;
use tillbridge_emulator::{EmulateOptions, RunningStores, SeedSpec, World};
use tillbridge_engine::{
    ApiError, App, Config, MappingQuery, Owner, Ownership, PreviewQuery, Scope, SecretStoreSpec, SyncPhase,
    SyncRequest, SyncSummary,
};
use tillbridge_secrets::Secret;
use tillbridge_shopify::ops::bulk::{BULK_VARIANTS_WITH_STOCK, BulkRunner};
use tillbridge_shopify::{ShopifyClient, ShopifyConnection};
use tillbridge_store::{BcVariantRow, MappingClass, MappingRecordRow, ShVariantRow, SyncChangeRow};
use tillbridge_transport::{Backoff, ClientParts, MemoryAudit, SeededJitter, SystemWallClock};

fn parts(audit: &MemoryAudit) -> ClientParts {
    ClientParts {
        audit: Arc::new(audit.clone()),
        jitter: Arc::new(SeededJitter::new(1)),
        clock: Arc::new(SystemWallClock),
        backoff: Backoff::default(),
        timeout: Duration::from_secs(120),
        waits: std::sync::Arc::new(tillbridge_transport::UnwatchedWaits),
    }
}

/// `tillbridge ARGS` on the database `db` with tokens in the file `secrets`, in a child process of
/// this very executable, its stderr in `log`: the process a benchmark kills.
fn spawn_tillbridge(db: &Path, secrets: &Path, args: &[&str], log: &Path) -> Result<std::process::Child, ApiError> {
    let exe = std::env::current_exe().map_err(|e| failed("cannot find the tillbridge executable", e))?;
    let log = std::fs::File::create(log).map_err(|e| failed("cannot create a log file", e))?;
    let mut store = std::ffi::OsString::from("file:");
    store.push(secrets);
    std::process::Command::new(exe)
        .arg("--db")
        .arg(db)
        .arg("--secret-store")
        .arg(store)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::from(log))
        .spawn()
        .map_err(|e| failed("cannot start tillbridge", e))
}

/// A BigCommerce client of the emulated store's own, as another app would hold: a benchmark reads
/// or writes through it without going through Tillbridge.
fn merchant_bigcommerce(
    c: &tillbridge_emulator::stores::BigCommerceCredentials,
    audit: &MemoryAudit,
) -> Result<BigCommerceClient, ApiError> {
    BigCommerceClient::new(
        &BcConnection {
            api_url: c.api_url.clone(),
            store_hash: c.store_hash.clone(),
            token: Secret::new(c.access_token.clone()),
        },
        parts(audit),
    )
    .map_err(|e| failed("BigCommerce client", e))
}

/// The Shopify variants (by number) the catalog sync matched, sorted: what a sale can sell as a
/// catalog line.
fn matched_variants(app: &App) -> Result<Vec<u64>, ApiError> {
    let rows = app.store().shopify_variants().map_err(|e| failed("reading the Shopify variants", e))?;
    let gids: Vec<String> = rows.into_iter().map(|r| r.variant_id).collect();
    let matched =
        app.store().matched_bigcommerce_variants(&gids).map_err(|e| failed("reading the matched variants", e))?;
    let mut out: Vec<u64> = matched.keys().filter_map(|g| gid_number(g)).collect();
    out.sort_unstable();
    Ok(out)
}

/// The first Shopify location's number.
async fn first_location(app: &App) -> Result<u64, ApiError> {
    app.locations()
        .await?
        .shopify
        .first()
        .and_then(|l| gid_number(&l.id))
        .ok_or_else(|| ApiError::internal("the Shopify store has no location"))
}

/// The nearest-rank percentile `p` (0–100) of `sorted`; NaN when empty.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn failed(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("{what}: {e}"))
}

#[allow(clippy::print_stdout)]
pub fn seed(spec: &SeedSpec) {
    let started = Instant::now();
    let world = tillbridge_emulator::generate(spec);
    let seconds = started.elapsed().as_secs_f64();
    let counts = world.truth.counts();
    println!(
        "seeded {} BigCommerce and {} Shopify variants in {seconds:.3} s",
        world.bigcommerce_variant_count(),
        world.shopify_variant_count()
    );
    println!(
        "ground truth: {} matched, {} ambiguous, {} conflict, {} unmatched",
        counts.matched, counts.ambiguous, counts.conflict, counts.unmatched
    );
    println!(
        "{}",
        json!({
            "bigcommerce_variants": world.bigcommerce_variant_count(),
            "shopify_variants": world.shopify_variant_count(),
            "seed_s": (seconds * 1000.0).round() / 1000.0,
        })
    );
}

/// Reads both catalogs, with stock at every location, at Standard-plan limits, and compares the
/// wall time with the least time the quotas allow.
#[allow(clippy::print_stdout)]
pub async fn read(spec: SeedSpec) -> Result<(), ApiError> {
    let stores = tillbridge_emulator::start(EmulateOptions { seed: spec, ..EmulateOptions::default() })
        .await
        .map_err(|e| failed("cannot start the emulated stores", e))?;
    let c = &stores.credentials;
    let bc_config = &EmulateOptions::default().bigcommerce;
    let sh_config = &EmulateOptions::default().shopify;
    println!(
        "stores: BigCommerce {} variants, Shopify {} variants, {} locations; limits: {} requests / {:?}, {} points / {} per s",
        stores.bigcommerce_variants,
        stores.shopify_variants,
        stores.locations,
        bc_config.quota,
        bc_config.window,
        sh_config.bucket_size,
        sh_config.restore_rate
    );
    let audit = MemoryAudit::default();
    let bc = merchant_bigcommerce(&c.bigcommerce, &audit)?.correlated("bench-read");
    let sh = ShopifyClient::new(
        &ShopifyConnection {
            shop_url: c.shopify.shop_url.clone(),
            api_version: c.shopify.api_version.clone(),
            token: Secret::new(c.shopify.access_token.clone()),
        },
        parts(&audit),
    )
    .map_err(|e| failed("Shopify client", e))?
    .correlated("bench-read");

    let started = Instant::now();
    // The three reads share nothing but the wall clock: run them together.
    let catalog = async {
        let mut variants = 0usize;
        let mut pages = std::pin::pin!(bc.products(ProductQuery { include_variants: true, ..Default::default() }));
        while let Some(page) = pages.next().await {
            variants += page?.iter().map(|p| p.variants.len()).sum::<usize>();
        }
        Ok::<_, tillbridge_bigcommerce::BcError>(variants)
    };
    let stock = async {
        let pages: Vec<_> = bc.inventory_items(&[]).try_collect().await?;
        Ok::<_, tillbridge_bigcommerce::BcError>(pages.iter().flatten().map(|i| i.locations.len()).sum::<usize>())
    };
    let runner = BulkRunner::new(&sh);
    let shopify = async {
        let id = runner.start(BULK_VARIANTS_WITH_STOCK).await?;
        let done = runner.wait(&id).await?;
        let mut variants = 0usize;
        let mut levels = 0usize;
        let mut objects = std::pin::pin!(runner.objects(&done));
        while let Some(object) = objects.next().await {
            let object = object?;
            variants += 1;
            levels += object.children.iter().map(|item| item.children.len().max(1)).sum::<usize>();
        }
        Ok::<_, tillbridge_shopify::ShopifyError>((variants, levels))
    };
    let (catalog, stock, shopify) = tokio::join!(catalog, stock, shopify);
    let wall_s = started.elapsed().as_secs_f64();
    let bc_variants = catalog.map_err(|e| failed("reading the BigCommerce catalog", e))?;
    let bc_levels = stock.map_err(|e| failed("reading BigCommerce stock", e))?;
    let (sh_variants, sh_levels) = shopify.map_err(|e| failed("reading the Shopify export", e))?;

    let bc_requests = stores.bigcommerce.requests().total();
    let rate_limited =
        stores.bigcommerce.requests().with_outcome("429") + stores.shopify.requests().with_outcome("THROTTLED");
    let points = sh.points_spent();
    let (bc_floor, sh_floor) = quota_floors(bc_requests, points, bc_config, sh_config);
    let floor_s = bc_floor.max(sh_floor);
    let bulk = runner.requests();

    println!(
        "BigCommerce: {bc_variants} variants and {bc_levels} stock levels in {bc_requests} requests (floor {bc_floor:.1} s)"
    );
    println!(
        "Shopify: {sh_variants} variants and {sh_levels} stock levels; bulk {} start, {} polls, {} download; {points:.0} points (floor {sh_floor:.1} s)",
        bulk.starts, bulk.polls, bulk.downloads
    );
    println!(
        "wall {wall_s:.2} s against a floor of {floor_s:.1} s (target ≤ {:.1} s); rate-limited answers: {rate_limited}",
        1.1 * floor_s + 2.0
    );
    println!(
        "{}",
        json!({
            "bigcommerce_requests": bc_requests,
            "shopify_points": points.round() as u64,
            "floor_s": (floor_s * 100.0).round() / 100.0,
            "wall_s": (wall_s * 100.0).round() / 100.0,
            "rate_limited": rate_limited,
        })
    );
    Ok(())
}

/// User plus system CPU time of this process, from /proc (Linux); None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // The kernel reports in USER_HZ, which is 100 on every Linux architecture Tillbridge targets.
    Some(ticks / 100.0)
}

/// A `VmRSS`/`VmHWM` line of /proc/self/status, in MB.
fn memory_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Matches two seeded catalogs with the pure matcher and reports its CPU time and memory.
#[allow(clippy::print_stdout)]
pub fn matching(spec: &SeedSpec) {
    let world = tillbridge_emulator::generate(spec);
    let (bc, sh) = world.matcher_inputs();
    drop(world);
    let rss_before = memory_mb("VmRSS:");
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let plan = tillbridge_domain::matching::match_catalogs(
        &bc,
        &sh,
        &tillbridge_domain::matching::Decisions::default(),
        &tillbridge_domain::matching::MatchRules::default(),
    );
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let peak = memory_mb("VmHWM:");
    let c = plan.counts();
    println!(
        "matched {} BigCommerce and {} Shopify variants: {} matched, {} ambiguous, {} conflict, {} unmatched",
        bc.len(),
        sh.len(),
        c.matched,
        c.ambiguous,
        c.conflict,
        c.unmatched
    );
    println!(
        "matching took {wall_s:.3} s wall, {} CPU; process RSS {} before matching, peak {} (the peak includes the inputs)",
        cpu_s.map_or("n/a".into(), |s| format!("{s:.2} s")),
        rss_before.map_or("n/a".into(), |m| format!("{m:.0} MB")),
        peak.map_or("n/a".into(), |m| format!("{m:.0} MB")),
    );
    println!(
        "{}",
        json!({
            "variants": bc.len() + sh.len(),
            "match_wall_s": (wall_s * 1000.0).round() / 1000.0,
            "match_cpu_s": cpu_s.map(|s| (s * 100.0).round() / 100.0),
            "rss_before_mb": rss_before.map(f64::round),
            "peak_rss_mb": peak.map(f64::round),
        })
    );
}

/// The least time the Standard-plan limits allow for `bc_requests` BigCommerce requests and
/// `points` Shopify points, both spent from full quotas: (BigCommerce floor, Shopify floor).
fn quota_floors(bc_requests: u64, points: f64, bc: &BcConfig, sh: &ShopifyConfig) -> (f64, f64) {
    let quota = f64::from(bc.quota);
    // The first window's quota is spent at once; each further `quota` requests waits a window.
    let bc_floor = ((bc_requests as f64 - 1.0).max(0.0) / quota).floor() * bc.window.as_secs_f64();
    let sh_floor = (points - sh.bucket_size).max(0.0) / sh.restore_rate;
    (bc_floor, sh_floor)
}

/// Waits until both stores' quotas are full again, as the floors assume: a whole BigCommerce
/// window passes (the next request opens a new one) and the Shopify bucket refills; and at least
/// `at_least`.
#[allow(clippy::print_stdout)]
async fn wait_for_full_quotas(bc: &BcConfig, sh: &ShopifyConfig, at_least: Duration) {
    let refill = bc.window.max(Duration::from_secs_f64(sh.bucket_size / sh.restore_rate)).max(at_least);
    println!("waiting {:.0} s for both quotas to refill", refill.as_secs_f64());
    tokio::time::sleep(refill).await;
}

/// Standard-plan stores with an app connected to them and the catalog matched by a full sync:
/// where the stock and orders benchmarks start.
struct MatchedBench {
    stores: RunningStores,
    bc_config: BcConfig,
    sh_config: ShopifyConfig,
    app: App,
    runtime: tillbridge_engine::RuntimeHandle,
    /// Holds the database; removed when the benchmark ends.
    _dir: tempfile::TempDir,
}

#[allow(clippy::print_stdout)]
async fn matched_bench(spec: SeedSpec, what: &str) -> Result<MatchedBench, ApiError> {
    let (stores, bc_config, sh_config) = standard_stores(spec).await?;
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let app = connected_app(dir.path(), &stores).await?;
    let runtime = app.start_runtime(tillbridge_engine::RuntimeOptions::one_shot());
    let started = Instant::now();
    let catalog = full_sync(&app, false).await?;
    println!(
        "catalog full sync (matches the {what}): {} changes in {:.1} s",
        catalog.changes,
        started.elapsed().as_secs_f64()
    );
    Ok(MatchedBench { stores, bc_config, sh_config, app, runtime, _dir: dir })
}

/// Seeded stores at Standard-plan limits, said with their sizes and limits.
#[allow(clippy::print_stdout)]
async fn standard_stores(spec: SeedSpec) -> Result<(RunningStores, BcConfig, ShopifyConfig), ApiError> {
    let stores = tillbridge_emulator::start(EmulateOptions { seed: spec, ..EmulateOptions::default() })
        .await
        .map_err(|e| failed("cannot start the emulated stores", e))?;
    let bc_config = EmulateOptions::default().bigcommerce;
    let sh_config = EmulateOptions::default().shopify;
    println!(
        "stores: BigCommerce {} variants, Shopify {} variants, {} locations; limits: {} requests / {:?}, {} points / {} per s",
        stores.bigcommerce_variants,
        stores.shopify_variants,
        stores.locations,
        bc_config.quota,
        bc_config.window,
        sh_config.bucket_size,
        sh_config.restore_rate
    );
    Ok((stores, bc_config, sh_config))
}

/// An app on a fresh database in `dir`, tokens in memory, connected to both stores.
async fn connected_app(dir: &Path, stores: &RunningStores) -> Result<App, ApiError> {
    let app = App::open(Config { db_path: dir.join("bench.db"), secrets: SecretStoreSpec::Memory }).await?;
    tillbridge_demo::connect(&app, &stores.credentials).await?;
    Ok(app)
}

fn round_to(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// The size the planning half of `bench catalog` measures, whatever size the sync half runs at.
const PLAN_VARIANTS: usize = 100_000;

/// Who owns which field during `bench catalog`: BigCommerce the catalog, Shopify the barcodes, so
/// the measured sync writes to both stores.
fn bench_ownership() -> Ownership {
    Ownership {
        title: Owner::BigCommerce,
        price: Owner::BigCommerce,
        sale_price: Owner::BigCommerce,
        barcode: Owner::Shopify,
        sku: Owner::BigCommerce,
    }
}

/// A new BigCommerce price on one matched pair, which must reach Shopify.
#[derive(Debug)]
struct PriceEdit {
    bigcommerce_variant_id: i64,
    shopify_variant_id: String,
    shopify_product_id: String,
    price: Decimal,
}

/// A new Shopify barcode on one matched pair, which must reach BigCommerce.
#[derive(Debug)]
struct BarcodeEdit {
    bigcommerce_variant_id: i64,
    shopify_variant_id: String,
    barcode: String,
}

#[derive(Debug, Default)]
struct Edits {
    prices: Vec<PriceEdit>,
    barcodes: Vec<BarcodeEdit>,
}

impl Edits {
    fn shopify_products(&self) -> usize {
        self.prices.iter().map(|e| e.shopify_product_id.as_str()).collect::<HashSet<_>>().len()
    }
}

/// The GS1 check digit for `body` (every digit but the last).
fn gtin_check_digit(body: &str) -> u32 {
    let sum: u32 =
        body.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10
}

/// A valid EAN-13 in the GS1 in-store range (prefix 2), which no seeded barcode uses, so a
/// relabelled variant never takes another's barcode.
fn in_store_ean13(n: usize) -> String {
    let body = format!("2{:011}", 10_000_000 + n);
    format!("{body}{}", gtin_check_digit(&body))
}

/// The numeric id at the end of a Shopify GID.
fn gid_number(gid: &str) -> Option<u64> {
    gid.rsplit('/').next()?.parse().ok()
}

/// Shuffles in place with the seeded generator the emulator uses, so a seed picks the same items.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// Every record of the stored mapping, or those of one class, in the mapping's order.
async fn mapping_records(app: &App, class: Option<&str>) -> Result<Vec<MappingRecordRow>, ApiError> {
    let mut records = Vec::new();
    loop {
        let page = app
            .mapping(MappingQuery {
                class: class.map(String::from),
                offset: Some(records.len() as u32),
                limit: Some(500),
                ..Default::default()
            })
            .await?;
        let done = page.rows.is_empty();
        records.extend(page.rows);
        if done || records.len() as u64 >= page.total {
            return Ok(records);
        }
    }
}

/// The (BigCommerce variant, Shopify variant) pair a record holds, if it holds both sides.
fn pair_of(record: &MappingRecordRow) -> Option<(i64, String)> {
    Some((record.bigcommerce.as_ref()?.variant_id, record.shopify.as_ref()?.variant_id.clone()))
}

/// Every change the latest sync run planned.
async fn planned_changes(app: &App) -> Result<Vec<SyncChangeRow>, ApiError> {
    let mut changes = Vec::new();
    loop {
        let page = app
            .sync_preview(PreviewQuery { run_id: None, offset: Some(changes.len() as u32), limit: Some(1000) })
            .await?;
        let done = page.changes.is_empty();
        changes.extend(page.changes);
        if done || changes.len() as u64 >= page.total {
            return Ok(changes);
        }
    }
}

/// Runs a full sync to its end; a sync that fails is the benchmark's failure.
async fn full_sync(app: &App, dry_run: bool) -> Result<SyncSummary, ApiError> {
    // The benchmark measures the writes, not a person's review: seeded price gaps are written.
    let request = SyncRequest { accept_price_changes: !dry_run, ..SyncRequest::new(Scope::Full, dry_run) };
    let progress = app.sync_run(request).await?;
    match (progress.phase, progress.summary) {
        (SyncPhase::Done, Some(summary)) => Ok(summary),
        _ => Err(ApiError::internal(format!(
            "the full sync{} did not finish: {}",
            if dry_run { " preview" } else { "" },
            progress.error.unwrap_or_else(|| "no reason given".into())
        ))),
    }
}

fn kinds(summary: &SyncSummary) -> String {
    if summary.by_kind.is_empty() {
        return "none".into();
    }
    summary
        .by_kind
        .iter()
        .map(|k| format!("{} {} {}", k.changes, serde_plain(&k.field), serde_plain(&k.direction).replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A unit enum's serde name ("sale_price", "bigcommerce_to_shopify").
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// Picks `share` of the exact-SKU pairs, from the seed, and decides their new values: the first
/// half a BigCommerce price one to ten units higher (above any sale price, so it can be stored on
/// Shopify), the rest a new Shopify barcode. Exact-SKU pairs only, so a new barcode cannot remove
/// the key that paired them.
fn choose_edits(
    mut pairs: Vec<(i64, String)>,
    bc_rows: &[BcVariantRow],
    sh_rows: &[ShVariantRow],
    share: f64,
    seed: u64,
) -> Result<Edits, ApiError> {
    let bc_by_id: HashMap<i64, &BcVariantRow> = bc_rows.iter().map(|r| (r.variant_id, r)).collect();
    let sh_by_id: HashMap<&str, &ShVariantRow> = sh_rows.iter().map(|r| (r.variant_id.as_str(), r)).collect();
    pairs.sort();
    let mut rng = Rng::new(seed ^ 0xCA7A_1065);
    shuffle(&mut pairs, &mut rng);
    let count = ((pairs.len() as f64) * share).round() as usize;
    let mut edits = Edits::default();
    for (i, (bc_id, sh_id)) in pairs.into_iter().take(count).enumerate() {
        let (Some(bc), Some(sh)) = (bc_by_id.get(&bc_id), sh_by_id.get(sh_id.as_str())) else {
            return Err(ApiError::internal(format!(
                "matched pair {bc_id} / {sh_id} is missing from the stored snapshot"
            )));
        };
        if i < count.div_ceil(2) {
            let (price, _) = bigcommerce_prices(bc.product_price, bc.price, bc.sale_price);
            edits.prices.push(PriceEdit {
                bigcommerce_variant_id: bc_id,
                shopify_variant_id: sh_id,
                shopify_product_id: sh.product_id.clone(),
                price: price + Decimal::new(100 * (1 + rng.below(10) as i64), 2),
            });
        } else {
            edits.barcodes.push(BarcodeEdit {
                bigcommerce_variant_id: bc_id,
                shopify_variant_id: sh_id,
                barcode: in_store_ean13(i),
            });
        }
    }
    Ok(edits)
}

/// Makes the edits inside the emulators, as merchants would in the stores' own admin, so they cost
/// no request and no quota.
fn apply_edits(stores: &RunningStores, edits: &Edits) -> Result<(), ApiError> {
    for e in &edits.prices {
        if !stores.bigcommerce.set_variant_price(e.bigcommerce_variant_id, e.price) {
            return Err(ApiError::internal(format!(
                "BigCommerce variant {} is not in the store",
                e.bigcommerce_variant_id
            )));
        }
    }
    for e in &edits.barcodes {
        let applied =
            gid_number(&e.shopify_variant_id).is_some_and(|id| stores.shopify.set_variant_barcode(id, &e.barcode));
        if !applied {
            return Err(ApiError::internal(format!("Shopify variant {} is not in the store", e.shopify_variant_id)));
        }
    }
    Ok(())
}

/// What went wrong with the edits after the measured sync: each must have reached the other store,
/// its pair must still be matched, and a full preview must plan nothing more for it. Reads the
/// snapshot and mapping the preview just stored. Returns (problems, changes the preview planned on
/// the edited fields).
async fn check_edits(app: &App, edits: &Edits, preview: &[SyncChangeRow]) -> Result<(Vec<String>, usize), ApiError> {
    let mut problems = Vec::new();
    let records = mapping_records(app, None).await?;
    let matched: HashSet<(i64, String)> =
        records.iter().filter(|r| r.class == MappingClass::Matched).filter_map(pair_of).collect();
    // What became of a pair that is no longer matched, by its BigCommerce variant.
    let record_of: HashMap<i64, &MappingRecordRow> =
        records.iter().filter_map(|r| Some((r.bigcommerce.as_ref()?.variant_id, r))).collect();
    let unpaired = |bc_id: i64| {
        record_of.get(&bc_id).map_or("in no record".into(), |r| format!("{}: {}", serde_plain(&r.class), r.reason))
    };
    let bc_rows: HashMap<i64, BcVariantRow> = app
        .store()
        .bigcommerce_variants()
        .map_err(|e| failed("reading the snapshot", e))?
        .into_iter()
        .map(|r| (r.variant_id, r))
        .collect();
    let sh_rows: HashMap<String, ShVariantRow> = app
        .store()
        .shopify_variants()
        .map_err(|e| failed("reading the snapshot", e))?
        .into_iter()
        .map(|r| (r.variant_id.clone(), r))
        .collect();
    let price_ids: HashSet<i64> = edits.prices.iter().map(|e| e.bigcommerce_variant_id).collect();
    let barcode_ids: HashSet<i64> = edits.barcodes.iter().map(|e| e.bigcommerce_variant_id).collect();
    let left_on_edited = preview
        .iter()
        .filter(|c| {
            (price_ids.contains(&c.bigcommerce_variant_id) && matches!(c.field.as_str(), "price" | "sale_price"))
                || (barcode_ids.contains(&c.bigcommerce_variant_id) && c.field == "barcode")
        })
        .count();
    if left_on_edited > 0 {
        problems.push(format!("the preview after the sync still plans {left_on_edited} changes on the edited fields"));
    }
    for e in &edits.prices {
        if !matched.contains(&(e.bigcommerce_variant_id, e.shopify_variant_id.clone())) {
            problems.push(format!(
                "pair {} / {} is no longer matched after its BigCommerce price changed ({})",
                e.bigcommerce_variant_id,
                e.shopify_variant_id,
                unpaired(e.bigcommerce_variant_id)
            ));
        }
        let on_shopify = sh_rows.get(&e.shopify_variant_id).map(|r| shopify_prices(r.price, r.compare_at_price).0);
        if on_shopify != Some(e.price) {
            problems.push(format!(
                "Shopify variant {} has price {on_shopify:?}, not the new BigCommerce price {}",
                e.shopify_variant_id, e.price
            ));
        }
    }
    for e in &edits.barcodes {
        if !matched.contains(&(e.bigcommerce_variant_id, e.shopify_variant_id.clone())) {
            problems.push(format!(
                "pair {} / {} is no longer matched after its Shopify barcode changed ({})",
                e.bigcommerce_variant_id,
                e.shopify_variant_id,
                unpaired(e.bigcommerce_variant_id)
            ));
        }
        let on_bigcommerce = bc_rows.get(&e.bigcommerce_variant_id).map(|r| bigcommerce_barcode(&r.upc, &r.gtin));
        if on_bigcommerce.as_deref() != Some(e.barcode.as_str()) {
            problems.push(format!(
                "BigCommerce variant {} has barcode {on_bigcommerce:?}, not the new Shopify barcode {}",
                e.bigcommerce_variant_id, e.barcode
            ));
        }
    }
    Ok((problems, left_on_edited))
}

/// The requests one emulator counted, by route and outcome, printed under `store`; returns the total.
#[allow(clippy::print_stdout)]
fn print_routes(store: &str, log: &RequestLog) -> u64 {
    let routes = log.snapshot();
    for r in &routes {
        println!("  {store:<11} {:<62} {:<9} {:>6}", r.route, r.outcome, r.count);
    }
    routes.iter().map(|r| r.count).sum()
}

/// A full product sync on aligned stores after `share` of the matched variants changed, half on
/// each side: requests against the least the APIs allow, wall time against the least the rate
/// limits allow, and whether every change arrived. Then the pure plan's CPU and memory at
/// 100,000 variants, measured in a child process that holds nothing else.
#[allow(clippy::print_stdout)]
pub async fn catalog(spec: SeedSpec, share: f64) -> Result<(), ApiError> {
    if !(share > 0.0 && share <= 1.0) {
        return Err(ApiError::invalid(format!("--changed must be a share above 0 and at most 1, not {share}")));
    }
    let seed = spec.seed;
    let (stores, bc_config, sh_config) = standard_stores(spec).await?;
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let app = connected_app(dir.path(), &stores).await?;
    app.set_ownership(bench_ownership()).await?;
    // The lanes send the writes; the scheduler stays off so nothing but the measured syncs runs.
    let _runtime = app.start_runtime(tillbridge_engine::RuntimeOptions::one_shot());

    let started = Instant::now();
    let baseline = full_sync(&app, false).await?;
    println!(
        "baseline full sync: {} changes, {} writes applied, {} failed, in {:.1} s ({})",
        baseline.changes,
        baseline.written,
        baseline.failed,
        started.elapsed().as_secs_f64(),
        kinds(&baseline)
    );
    // A preview re-reads both stores: it shows what the baseline left unaligned (which the measured
    // sync would write again) and stores the mapping and snapshot the edits are chosen from.
    let residue = full_sync(&app, true).await?;
    println!("preview after the baseline: {} changes ({})", residue.changes, kinds(&residue));

    let bc_rows = app.store().bigcommerce_variants().map_err(|e| failed("reading the snapshot", e))?;
    let sh_rows = app.store().shopify_variants().map_err(|e| failed("reading the snapshot", e))?;
    let bc_products = bc_rows.iter().map(|r| r.product_id).collect::<HashSet<_>>().len() as u64;
    let exact_sku_pairs = mapping_records(&app, Some("matched"))
        .await?
        .iter()
        .filter(|r| r.key.as_deref() == Some("sku"))
        .filter_map(pair_of)
        .collect();
    let edits = choose_edits(exact_sku_pairs, &bc_rows, &sh_rows, share, seed)?;
    drop((bc_rows, sh_rows));
    apply_edits(&stores, &edits)?;
    let shopify_products = edits.shopify_products() as u64;
    println!(
        "edited in the stores: {} BigCommerce prices (on {shopify_products} Shopify products), {} Shopify barcodes",
        edits.prices.len(),
        edits.barcodes.len()
    );

    wait_for_full_quotas(&bc_config, &sh_config, Duration::ZERO).await;
    stores.bigcommerce.requests().reset();
    stores.shopify.requests().reset();
    let points_before = stores.shopify.points_spent();
    let started = Instant::now();
    let measured = full_sync(&app, false).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let points = stores.shopify.points_spent() - points_before;
    println!(
        "measured full sync: {} changes, {} writes applied, {} failed, in {wall_s:.2} s ({})",
        measured.changes,
        measured.written,
        measured.failed,
        kinds(&measured)
    );
    println!("requests by endpoint:");
    let bc_requests = print_routes("BigCommerce", stores.bigcommerce.requests());
    let sh_requests = print_routes("Shopify", stores.shopify.requests());
    let requests = bc_requests + sh_requests;
    let rate_limited =
        stores.bigcommerce.requests().with_outcome("429") + stores.shopify.requests().with_outcome("THROTTLED");

    let bulk_read = 3;
    let min_requests = bc_products.div_ceil(250)
        + bulk_read
        + shopify_products
        + (edits.barcodes.len() as u64).div_ceil(tillbridge_domain::catalog::BIGCOMMERCE_VARIANTS_PER_WRITE as u64);
    let ratio = requests as f64 / min_requests as f64;
    let (bc_floor, sh_floor) = quota_floors(bc_requests, points, &bc_config, &sh_config);
    let floor_s = bc_floor.max(sh_floor);
    let wall_target_s = 1.15 * floor_s + 5.0;
    println!(
        "requests: {requests} ({bc_requests} BigCommerce, {sh_requests} Shopify; {rate_limited} rate-limited) against a least of {min_requests} \
         = ⌈{bc_products} products / 250⌉ + {bulk_read} bulk + {shopify_products} Shopify products + ⌈{} BigCommerce variants / 50⌉: \
         ratio {ratio:.3} (target ≤ 1.05{})",
        edits.barcodes.len(),
        if ratio <= 1.05 { ", met" } else { ", MISSED" }
    );
    println!(
        "wall {wall_s:.2} s against a floor of {floor_s:.1} s (BigCommerce {bc_floor:.1} s, Shopify {points:.0} points {sh_floor:.1} s): \
         target ≤ {wall_target_s:.1} s{}",
        if wall_s <= wall_target_s { ", met" } else { ", MISSED" }
    );

    let after = full_sync(&app, true).await?;
    let preview = planned_changes(&app).await?;
    let (problems, left_on_edited) = check_edits(&app, &edits, &preview).await?;
    println!(
        "preview after the measured sync: {} changes ({}), {left_on_edited} of them on the edited fields",
        after.changes,
        kinds(&after)
    );
    if problems.is_empty() {
        println!(
            "verified: every new price reached Shopify and every new barcode reached BigCommerce, and every pair is still matched"
        );
    } else {
        println!("NOT CORRECT: {} problems with the edits, for example:", problems.len());
        for p in problems.iter().take(10) {
            println!("  {p}");
        }
    }
    drop(app);
    drop(stores);

    let plan = plan_in_child(seed).await?;
    println!(
        "plan at {} variants ({} + {}): {} changes in {} writes; {:.3} s CPU (target ≤ 1), peak RSS {:.0} MB (target ≤ 250; {:.0} MB held before planning)",
        PLAN_VARIANTS,
        plan.bigcommerce_variants,
        plan.shopify_variants,
        plan.changes,
        plan.writes,
        plan.plan_cpu_s,
        plan.peak_rss_mb,
        plan.rss_before_mb
    );
    println!(
        "{}",
        json!({
            "requests": requests,
            "min_requests": min_requests,
            "wall_s": round_to(wall_s, 2),
            "floor_s": round_to(floor_s, 2),
            "plan_cpu_s_100k": round_to(plan.plan_cpu_s, 3),
            "plan_peak_rss_mb_100k": plan.peak_rss_mb.round(),
        })
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::internal(format!(
            "the measured sync did not carry every edit ({} problems; see above)",
            problems.len()
        )))
    }
}

/// What `bench plan-child` measured, as its last line says it.
#[derive(Debug, Serialize, Deserialize)]
struct PlanReport {
    bigcommerce_variants: usize,
    shopify_variants: usize,
    matched: usize,
    changes: usize,
    writes: usize,
    plan_wall_s: f64,
    plan_cpu_s: f64,
    /// What the process held when planning began: the inputs, and the runtime.
    rss_before_mb: f64,
    peak_rss_mb: f64,
    /// False when the kernel would not reset the peak after reading, so it includes the reading.
    peak_from_planning: bool,
}

/// Snapshot rows as a full read of the seeded stores would store them.
fn snapshot_rows(world: &World) -> (Vec<BcVariantRow>, Vec<ShVariantRow>) {
    let bc = world
        .bigcommerce
        .products
        .iter()
        .flat_map(|p| {
            p.variants.iter().map(move |v| BcVariantRow {
                variant_id: v.id,
                product_id: p.id,
                sku: v.sku.clone(),
                upc: v.upc.clone(),
                gtin: v.gtin.clone(),
                product_price: p.price,
                price: v.price,
                sale_price: v.sale_price,
                title: p.name.clone(),
                options: v.option_values.iter().map(|o| (o.option_display_name.clone(), o.label.clone())).collect(),
                date_modified: Some(p.date_modified),
            })
        })
        .collect();
    let sh = world
        .shopify
        .products
        .iter()
        .flat_map(|p| {
            p.variants.iter().map(move |v| ShVariantRow {
                variant_id: format!("gid://shopify/ProductVariant/{}", v.id),
                product_id: format!("gid://shopify/Product/{}", p.id),
                inventory_item_id: format!("gid://shopify/InventoryItem/{}", v.inventory_item_id),
                sku: v.sku.clone(),
                barcode: v.barcode.clone(),
                price: v.price,
                compare_at_price: v.compare_at_price,
                title: p.title.clone(),
                options: v.selected_options.clone(),
                updated_at: Some(v.updated_at),
            })
        })
        .collect();
    (bc, sh)
}

/// Brings the Shopify side of every truly matched pair to what a full sync under the default
/// ownership leaves (BigCommerce's SKU, barcode and prices), then raises the BigCommerce price of
/// `share` of those pairs: the steady state of a store in use, with work for the plan.
fn steady_state(world: &World, bc: &mut [BcVariantRow], sh: &mut [ShVariantRow], share: f64, seed: u64) {
    let bc_at: HashMap<i64, usize> = bc.iter().enumerate().map(|(i, r)| (r.variant_id, i)).collect();
    let sh_at: HashMap<u64, usize> =
        sh.iter().enumerate().filter_map(|(i, r)| Some((gid_number(&r.variant_id)?, i))).collect();
    let mut pairs: Vec<(usize, usize)> = world
        .truth
        .records
        .iter()
        .filter(|r| r.class == TruthClass::Matched)
        .filter_map(|r| Some((*bc_at.get(&r.bigcommerce?.1)?, *sh_at.get(&r.shopify?.1)?)))
        .collect();
    for &(b, s) in &pairs {
        let owner = &bc[b];
        let (regular, sale) = bigcommerce_prices(owner.product_price, owner.price, owner.sale_price);
        let (price, compare_at) = shopify_price_fields(regular, sale);
        let target = &mut sh[s];
        target.sku = owner.sku.clone();
        target.barcode = bigcommerce_barcode(&owner.upc, &owner.gtin);
        target.price = price;
        target.compare_at_price = compare_at;
    }
    let mut rng = Rng::new(seed ^ 0x91A4_0100);
    shuffle(&mut pairs, &mut rng);
    let count = ((pairs.len() as f64) * share).round() as usize;
    for &(b, _) in pairs.iter().take(count) {
        let row = &mut bc[b];
        let (regular, _) = bigcommerce_prices(row.product_price, row.price, row.sale_price);
        row.price = Some(regular + Decimal::ONE);
    }
}

fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), ApiError> {
    let file = std::fs::File::create(path).map_err(|e| failed(&format!("cannot create {}", path.display()), e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut out, rows).map_err(|e| failed(&format!("cannot write {}", path.display()), e))?;
    out.flush().map_err(|e| failed(&format!("cannot write {}", path.display()), e))
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, ApiError> {
    let file = std::fs::File::open(path).map_err(|e| failed(&format!("cannot open {}", path.display()), e))?;
    serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| failed(&format!("{} does not hold snapshot rows", path.display()), e))
}

/// Writes seeded snapshot rows at [`PLAN_VARIANTS`] to a temporary folder and has a fresh
/// process of this executable plan them, so the measured CPU and memory are the plan's alone,
/// not the generator's or the emulators'.
#[allow(clippy::print_stdout)]
async fn plan_in_child(seed: u64) -> Result<PlanReport, ApiError> {
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let bc_path = dir.path().join("bigcommerce.json");
    let sh_path = dir.path().join("shopify.json");
    {
        let world = tillbridge_emulator::generate(&SeedSpec { seed, variants: PLAN_VARIANTS, ..SeedSpec::default() });
        let (mut bc, mut sh) = snapshot_rows(&world);
        steady_state(&world, &mut bc, &mut sh, 0.05, seed);
        write_rows(&bc_path, &bc)?;
        write_rows(&sh_path, &sh)?;
    }
    let exe = std::env::current_exe().map_err(|e| failed("cannot find this executable", e))?;
    let mut command = std::process::Command::new(exe);
    command.args(["bench", "plan-child", "--bigcommerce"]).arg(&bc_path).arg("--shopify").arg(&sh_path);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| failed("the planning child was lost", e))?
        .map_err(|e| failed("cannot start the planning child", e))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(ApiError::internal(format!(
            "the planning child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let mut lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines.pop().unwrap_or_default();
    for line in lines {
        println!("  child: {line}");
    }
    serde_json::from_str(last)
        .map_err(|e| failed(&format!("the planning child's last line is not its report ({last:?})"), e))
}

/// Linux can reset a process's peak RSS (`VmHWM`) by writing 5 to `clear_refs`; false elsewhere.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// What running a plan cost this process: CPU time, and memory before and at its peak.
struct PlanCost {
    wall_s: f64,
    cpu_s: f64,
    rss_before_mb: f64,
    peak_rss_mb: f64,
    /// False when the kernel would not reset the peak, so it includes what came before.
    peak_from_planning: bool,
}

/// Runs `plan` and measures it from /proc: the peak memory is reset first, so it is what the plan
/// needs on top of its inputs.
fn measure_plan<T>(plan: impl FnOnce() -> T) -> Result<(T, PlanCost), ApiError> {
    let peak_from_planning = reset_peak_rss();
    let rss_before = memory_mb("VmRSS:");
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let planned = plan();
    let wall_s = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let peak = memory_mb("VmHWM:");
    let (Some(cpu_s), Some(rss_before_mb), Some(peak_rss_mb)) = (cpu, rss_before, peak) else {
        return Err(ApiError::internal("the plan's CPU time and memory are read from /proc, which only Linux has"));
    };
    Ok((planned, PlanCost { wall_s, cpu_s, rss_before_mb, peak_rss_mb, peak_from_planning }))
}

/// `bench plan-child`: plans two catalogs of snapshot rows, as a full sync does, and reports the
/// plan's CPU time and peak memory. Started by `bench catalog` in a process of its own.
#[allow(clippy::print_stdout)]
pub fn plan_child(bigcommerce: &Path, shopify: &Path) -> Result<(), ApiError> {
    let bc: Vec<BcVariantRow> = read_rows(bigcommerce)?;
    let sh: Vec<ShVariantRow> = read_rows(shopify)?;
    // The reader's buffers are gone; from here the peak is what planning needs on top of its inputs.
    let (plan, cost) = measure_plan(|| {
        tillbridge_engine::plan_catalogs(
            &bc,
            &sh,
            &bc,
            &sh,
            &Decisions::default(),
            &MatchRules::default(),
            &Ownership::default(),
            Scope::Full,
        )
    })?;
    let PlanCost { wall_s: plan_wall_s, cpu_s: plan_cpu_s, rss_before_mb, peak_rss_mb, peak_from_planning } = cost;
    let report = PlanReport {
        bigcommerce_variants: bc.len(),
        shopify_variants: sh.len(),
        matched: plan.matched.counts().matched,
        changes: plan.sync.changes.len(),
        writes: plan.sync.writes.len(),
        plan_wall_s: round_to(plan_wall_s, 3),
        plan_cpu_s: round_to(plan_cpu_s, 3),
        rss_before_mb: round_to(rss_before_mb, 1),
        peak_rss_mb: round_to(peak_rss_mb, 1),
        peak_from_planning,
    };
    println!(
        "planned {} + {} variants: {} matched, {} changes in {} writes; {:.3} s wall, {:.2} s CPU; RSS {:.0} MB before, peak {:.0} MB{}",
        report.bigcommerce_variants,
        report.shopify_variants,
        report.matched,
        report.changes,
        report.writes,
        report.plan_wall_s,
        report.plan_cpu_s,
        report.rss_before_mb,
        report.peak_rss_mb,
        if peak_from_planning { "" } else { " (including reading the files)" }
    );
    println!("{}", serde_json::to_string(&report).map_err(|e| failed("encoding the report", e))?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relabelled_barcodes_are_valid_ean13s_outside_the_seeded_range() {
        for n in [0, 7, 4_999] {
            let barcode = in_store_ean13(n);
            let gtin = tillbridge_domain::gtin::normalize(&barcode);
            assert!(
                gtin.is_ok_and(|g| g.check_digit_ok),
                "{barcode} must read as a GTIN with a good check digit, or the edit would not be a real relabel"
            );
            assert!(barcode.len() == 13 && barcode.starts_with('2'), "{barcode} must stay in the in-store range");
        }
        assert_ne!(in_store_ean13(1), in_store_ean13(2), "each edit gets a barcode of its own");
    }

    #[test]
    fn the_floor_counts_whole_windows_after_the_first_and_points_beyond_the_bucket() {
        let (bc, sh) = (BcConfig::default(), ShopifyConfig::default());
        assert_eq!(quota_floors(150, 0.0, &bc, &sh), (0.0, 0.0), "one window's quota and a full bucket cost no wait");
        assert_eq!(quota_floors(151, 0.0, &bc, &sh).0, 30.0, "the 151st request waits for the next window");
        assert_eq!(quota_floors(0, 2_500.0, &bc, &sh).1, 5.0, "500 points beyond the bucket refill in 5 s");
    }
}
