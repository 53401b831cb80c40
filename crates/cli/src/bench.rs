//! Benchmarks against the emulated stores. Each prints what it measured and ends with one JSON
//! line, so a person and a script can both read it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use tillbridge_bigcommerce::{BcConnection, BigCommerceClient, ProductQuery};
use tillbridge_emulator::{EmulateOptions, SeedSpec};
use tillbridge_engine::ApiError;
use tillbridge_secrets::Secret;
use tillbridge_shopify::ops::bulk::{BULK_VARIANTS_WITH_STOCK, BulkRunner};
use tillbridge_shopify::{ShopifyClient, ShopifyConnection};
use tillbridge_transport::{Backoff, ClientParts, MemoryAudit, SeededJitter, SystemWallClock};

fn parts(audit: &MemoryAudit) -> ClientParts {
    ClientParts {
        audit: Arc::new(audit.clone()),
        jitter: Arc::new(SeededJitter::new(1)),
        clock: Arc::new(SystemWallClock),
        backoff: Backoff::default(),
        timeout: Duration::from_secs(120),
    }
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
    let bc = BigCommerceClient::new(
        &BcConnection {
            api_url: c.bigcommerce.api_url.clone(),
            store_hash: c.bigcommerce.store_hash.clone(),
            token: Secret::new(c.bigcommerce.access_token.clone()),
        },
        parts(&audit),
    )
    .map_err(|e| failed("BigCommerce client", e))?
    .correlated("bench-read");
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
    let quota = f64::from(bc_config.quota);
    let window_s = bc_config.window.as_secs_f64();
    // The first window's quota is spent at once; each further `quota` requests waits a window.
    let bc_floor = ((bc_requests as f64 - 1.0).max(0.0) / quota).floor() * window_s;
    let sh_floor = ((points - sh_config.bucket_size).max(0.0)) / sh_config.restore_rate;
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
