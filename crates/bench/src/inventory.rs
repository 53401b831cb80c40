//! `bench inventory`: stock per location on Standard-plan emulated stores. A full alignment of
//! every matched item at every location (requests against the least the APIs allow, wall time
//! against the least the rate limits allow), then POS sales at random moments with the runtime
//! polling at its default interval (how long each takes to reach BigCommerce), then the planner's
//! CPU time and peak memory at 100,000 variants × 3 locations in a process of its own.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;
use tillbridge_domain::stock::{
    Buffer, CellInput, CellKey, Ledger, Level, Owner, PairPolicy, SameWindow, SidePair, plan_cell,
};
use tillbridge_emulator::SeedSpec;
use tillbridge_emulator::rng::Rng;
use tillbridge_emulator::shopify::{PosLine, PosSale};
use tillbridge_engine::{
    ApiError, LocationRules, MapLocationsRequest, RuntimeOptions, SameWindow as Rule, StockOwner, StockSyncRequest,
};

use super::{
    MatchedBench, PlanCost, failed, matched_bench, measure_plan, percentile, print_routes, quota_floors, round_to,
    wait_for_full_quotas,
};

/// The planner is measured at this many variants per location.
const PLAN_VARIANTS: usize = 100_000;
const PLAN_LOCATIONS: usize = 3;

/// What `bench stock-plan-child` measured.
#[derive(Debug, Serialize, Deserialize)]
struct StockPlanReport {
    cells: usize,
    writes: usize,
    plan_cpu_s: f64,
    rss_before_mb: f64,
    peak_rss_mb: f64,
}

/// BigCommerce's sellable stock of a variant at a location, from the emulator's own state (no
/// API call, so watching does not spend the quota being measured).
fn bigcommerce_sellable(stores: &tillbridge_emulator::RunningStores, variant: i64, location: i64) -> Option<i64> {
    stores.bigcommerce.sellable(variant, location)
}

#[allow(clippy::print_stdout)]
pub async fn inventory(spec: SeedSpec, sales: usize) -> Result<(), ApiError> {
    let seed = spec.seed;
    let world = tillbridge_emulator::generate(&spec);
    let MatchedBench { stores, bc_config, sh_config, app, runtime, _dir } = matched_bench(spec, "items").await?;

    let live = app.locations().await?;
    let mut pairs = Vec::new();
    for bc in &live.bigcommerce {
        let Some(shop) = live.shopify.iter().find(|l| l.name == bc.name) else { continue };
        let bigcommerce_location_id = bc.id.parse().map_err(|e| failed("a BigCommerce location id", e))?;
        pairs.push(
            app.map_locations(MapLocationsRequest {
                bigcommerce_location_id,
                shopify_location_id: shop.id.clone(),
                rules: LocationRules { owner: StockOwner::Both, same_window: Rule::Merge, hold_back: 0, cap: None },
            })
            .await?,
        );
    }
    println!("paired {} locations by name", pairs.len());

    // The measured alignment starts on full quotas, as the floor assumes.
    wait_for_full_quotas(&bc_config, &sh_config, Duration::ZERO).await;
    stores.bigcommerce.requests().reset();
    stores.shopify.requests().reset();
    let points_before = stores.shopify.points_spent();
    let started = Instant::now();
    let aligned = app.stock_sync(StockSyncRequest { full: true, ..StockSyncRequest::default() }).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let points = stores.shopify.points_spent() - points_before;
    let c = &aligned.counts;
    println!(
        "full alignment: {} cells, {} writes ({} written, {} failed), {} first alignments, {} oversold, in {wall_s:.2} s",
        c.cells, c.writes, aligned.written, aligned.failed, c.first_alignments, c.oversold
    );
    if aligned.failed > 0 {
        let failed_jobs =
            app.failed_jobs(tillbridge_engine::FailedQuery { limit: Some(5), ..Default::default() }).await?;
        for job in &failed_jobs.jobs {
            println!("  failed: {}", job.sentence);
        }
    }
    println!("requests by endpoint:");
    let bc_requests = print_routes("BigCommerce", stores.bigcommerce.requests());
    let sh_requests = print_routes("Shopify", stores.shopify.requests());
    let requests = bc_requests + sh_requests;

    // The least: every level read once at the largest page each API allows, and the writes packed
    // 250 a call on Shopify (plus one activation per item not yet stocked) and 2,000 a call per
    // location on BigCommerce.
    let paired_shopify: HashSet<u64> =
        pairs.iter().filter_map(|p| p.shopify_location_id.rsplit('/').next()?.parse().ok()).collect();
    let mut levels_at: HashMap<u64, u64> = HashMap::new();
    for v in world.shopify.products.iter().flat_map(|p| &p.variants) {
        for l in v.levels.iter().filter(|l| paired_shopify.contains(&l.location_id)) {
            *levels_at.entry(l.location_id).or_default() += 1;
        }
    }
    let shopify_reads: u64 = levels_at.values().map(|n| n.div_ceil(250).max(1)).sum();
    // Plus one look at the orders changed since the last cycle, which later polls compare with to
    // know whether BigCommerce's stock can have moved.
    let bigcommerce_reads = (stores.bigcommerce_variants as u64).div_ceil(1_000).max(1) + 1;
    let mut writes_least = 0;
    let mut shopify_writes = 0;
    for w in &aligned.writes_by_store {
        match w.store {
            tillbridge_domain::stock::Side::Shopify => {
                shopify_writes += w.writes;
                writes_least += w.activations;
            }
            tillbridge_domain::stock::Side::BigCommerce => {
                writes_least += (w.writes - w.activations).div_ceil(2_000) + w.activations.div_ceil(2_000)
            }
        }
    }
    writes_least += shopify_writes.div_ceil(250);
    let min_requests = bigcommerce_reads + shopify_reads + writes_least;
    let ratio = requests as f64 / min_requests as f64;
    let (bc_floor, sh_floor) = quota_floors(bc_requests, points, &bc_config, &sh_config);
    let floor_s = bc_floor.max(sh_floor);
    let wall_target_s = 1.15 * floor_s + 5.0;
    println!(
        "requests: {requests} ({bc_requests} BigCommerce, {sh_requests} Shopify) against a least of {min_requests} \
         ({bigcommerce_reads} BigCommerce reads (one of orders) + {shopify_reads} Shopify reads + {writes_least} writes): ratio {ratio:.3} (target ≤ 1.05{})",
        if ratio <= 1.05 { ", met" } else { ", MISSED" }
    );
    println!(
        "wall {wall_s:.2} s against a floor of {floor_s:.1} s (BigCommerce {bc_floor:.1} s, Shopify {points:.0} points {sh_floor:.1} s): \
         target ≤ {wall_target_s:.1} s{}",
        if wall_s <= wall_target_s { ", met" } else { ", MISSED" }
    );
    // Both stores, read from the emulators' own state (a full preview would spend another
    // alignment's worth of quota): under `both`, BigCommerce shows Shopify's stock, or 0 for an
    // oversell.
    let synced_items = app.store().stock_items().map_err(|e| failed("reading the synced items", e))?;
    let mut out_of_step = 0;
    for pair in &pairs {
        let Some(location) = pair.shopify_location_id.rsplit('/').next().and_then(|n| n.parse::<u64>().ok()) else {
            continue;
        };
        for item in &synced_items {
            let Some(number) = item.shopify_item_id.rsplit('/').next().and_then(|n| n.parse::<u64>().ok()) else {
                continue;
            };
            let shop = stores.shopify.available(number, location);
            let bc = stores.bigcommerce.sellable(item.bigcommerce_variant_id, pair.bigcommerce_location_id);
            if let (Some(shop), Some(bc)) = (shop, bc)
                && bc != shop.max(0)
            {
                out_of_step += 1;
            }
        }
    }
    println!(
        "after the alignment, {out_of_step} cells differ between the stores{}",
        if out_of_step == 0 { ": every cell is in step" } else { ": NOT in step" }
    );

    // Propagation: the runtime polls at its default interval while POS sales happen at random
    // moments, each at a different item and location.
    runtime.shutdown(Duration::from_secs(5)).await;
    let poll = tillbridge_engine::runtime::STOCK_POLL;
    let _polling = app.start_runtime(RuntimeOptions { stock_poll: Some(poll), ..RuntimeOptions::one_shot() });
    // Propagation is measured in the steady state: the first poll after an alignment re-reads
    // every Shopify level the alignment wrote (a changed-since read cannot tell our changes from
    // others), which happens once after setup. How long that settling took is printed apart.
    let settling = Instant::now();
    let settled_after = settle(&app, poll).await?;
    println!(
        "settling: the polls after the alignment took {:.1} s to settle every cursor ({settled_after} samples saw a poll under way)",
        settling.elapsed().as_secs_f64()
    );
    let sales_started = chrono::Utc::now();
    let mut rng = Rng::new(seed ^ 0x5a1e);
    let mut candidates: Vec<(u64, u64, i64, i64)> = Vec::new();
    let bc_of_shopify: HashMap<u64, i64> = pairs
        .iter()
        .filter_map(|p| Some((p.shopify_location_id.rsplit('/').next()?.parse().ok()?, p.bigcommerce_location_id)))
        .collect();
    let synced: HashMap<String, i64> = app
        .store()
        .stock_items()
        .map_err(|e| failed("reading the synced items", e))?
        .into_iter()
        .map(|i| (i.shopify_item_id, i.bigcommerce_variant_id))
        .collect();
    for v in world.shopify.products.iter().flat_map(|p| &p.variants) {
        let Some(&bc_variant) = synced.get(&format!("gid://shopify/InventoryItem/{}", v.inventory_item_id)) else {
            continue;
        };
        for l in &v.levels {
            if let Some(&bc_location) = bc_of_shopify.get(&l.location_id) {
                candidates.push((v.id, l.location_id, bc_variant, bc_location));
            }
        }
    }
    super::shuffle(&mut candidates, &mut rng);
    candidates
        .retain(|&(_, _, variant, location)| bigcommerce_sellable(&stores, variant, location).is_some_and(|q| q >= 1));
    candidates.truncate(sales);
    println!(
        "{} POS sales at random moments (mean gap 1.5 s), polling every {} s; watching BigCommerce for each",
        candidates.len(),
        poll.as_secs()
    );
    let mut pending: Vec<(Instant, i64, i64, i64)> = Vec::new();
    let mut latencies: Vec<f64> = Vec::new();
    let watch = |pending: &mut Vec<(Instant, i64, i64, i64)>, latencies: &mut Vec<f64>| {
        pending.retain(|&(at, variant, location, target)| {
            let reached = bigcommerce_sellable(&stores, variant, location).is_some_and(|q| q <= target);
            if reached {
                latencies.push(at.elapsed().as_secs_f64());
            }
            !reached
        });
    };
    for &(shopify_variant, shopify_location, bc_variant, bc_location) in &candidates {
        let gap = Duration::from_secs_f64(rng.unit() * 3.0);
        let until = Instant::now() + gap;
        while Instant::now() < until {
            watch(&mut pending, &mut latencies);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = bigcommerce_sellable(&stores, bc_variant, bc_location).unwrap_or(0);
        let sale = PosSale {
            location_id: shopify_location,
            lines: vec![PosLine { variant_id: Some(shopify_variant), quantity: 1, ..PosLine::default() }],
            ..PosSale::default()
        };
        stores.shopify.ring_up(&sale).map_err(|e| failed("a POS sale", e))?;
        pending.push((Instant::now(), bc_variant, bc_location, before - 1));
    }
    let deadline = Instant::now() + poll * 3;
    while !pending.is_empty() && Instant::now() < deadline {
        watch(&mut pending, &mut latencies);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let durations = poll_durations(&app, sales_started).await?;
    println!(
        "polls during the sales: {} with work, each from start to its writes settled: p50 {:.2} s, max {:.2} s",
        durations.len(),
        percentile(&durations, 50.0),
        durations.last().copied().unwrap_or(f64::NAN)
    );
    print_slowest_poll(&app, sales_started).await?;
    latencies.sort_by(f64::total_cmp);
    let (p50_s, p99_s) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
    let p99_target = poll.as_secs_f64() + 2.0;
    println!(
        "propagation of {} sales ({} never arrived): p50 {p50_s:.2} s, p99 {p99_s:.2} s, max {:.2} s (target p99 ≤ {p99_target:.0} s{})",
        latencies.len(),
        pending.len(),
        latencies.last().copied().unwrap_or(f64::NAN),
        if pending.is_empty() && p99_s <= p99_target { ", met" } else { ", MISSED" }
    );
    drop(app);
    drop(stores);

    let plan = stock_plan_in_child().await?;
    println!(
        "stock plan at {PLAN_VARIANTS} variants × {PLAN_LOCATIONS} locations ({} cells, {} writes): {:.3} s CPU (target ≤ 1), peak RSS {:.0} MB (target ≤ 300; {:.0} MB held before planning)",
        plan.cells, plan.writes, plan.plan_cpu_s, plan.peak_rss_mb, plan.rss_before_mb
    );
    println!(
        "{}",
        json!({
            "requests": requests,
            "min_requests": min_requests,
            "wall_s": round_to(wall_s, 2),
            "floor_s": round_to(floor_s, 2),
            "p50_s": round_to(p50_s, 2),
            "p99_s": round_to(p99_s, 2),
            "plan_cpu_s_100k": round_to(plan.plan_cpu_s, 3),
            "plan_peak_rss_mb_100k": plan.peak_rss_mb.round(),
        })
    );
    if pending.is_empty() && out_of_step == 0 {
        Ok(())
    } else {
        Err(ApiError::internal(format!(
            "{} sales never reached BigCommerce and {out_of_step} cells were left out of step",
            pending.len()
        )))
    }
}

fn is_poll(r: &tillbridge_engine::RunView) -> bool {
    r.capability == tillbridge_engine::Capability::Stock && r.trigger == tillbridge_engine::Trigger::Scheduled
}

/// Waits until the polls have settled after the alignment: every paired location's Shopify cursor
/// is sealed (a read begun an overlap after the cursor moved found nothing newer, so reads start
/// after the alignment's last second) and no poll is under way. Returns how
/// many polls it saw under way meanwhile.
async fn settle(app: &tillbridge_engine::App, poll: Duration) -> Result<usize, ApiError> {
    let query = || tillbridge_engine::RunsQuery {
        capability: Some(tillbridge_engine::Capability::Stock),
        ..Default::default()
    };
    let deadline = Instant::now() + Duration::from_secs(1_800);
    let pairs = app.store().location_pairs().map_err(|e| failed("reading the location pairs", e))?;
    let mut seen = 0;
    loop {
        tokio::time::sleep(poll / 3).await;
        let runs = app.runs(query()).await?;
        let running = runs.runs.iter().any(|r| is_poll(r) && r.finished_at.is_none());
        seen += usize::from(running);
        let settled = pairs.iter().all(|p| {
            let at = |key: &str| -> Option<chrono::DateTime<chrono::Utc>> {
                app.store().setting(&format!("stock.{key}.shopify.{}", p.shopify_location_id)).ok().flatten()
            };
            at("cursor").is_some() && at("cursor_sealed") == at("cursor")
        });
        if settled && !running {
            return Ok(seen);
        }
        if Instant::now() > deadline {
            return Err(ApiError::internal("the stock polls did not settle within 30 minutes of the alignment"));
        }
    }
}

/// Prints the requests the slowest poll since `since` made, each with its start offset from the
/// poll's start and its duration: a gap between them is time spent waiting (pacing, the lanes) or
/// working, which tells a slow poll's cause apart.
#[allow(clippy::print_stdout)] // a benchmark prints its figures
async fn print_slowest_poll(
    app: &tillbridge_engine::App,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    let polls = polls_since(app, since).await?;
    let Some(slowest) = polls.iter().filter(|r| r.finished_at.is_some()).max_by_key(|r| r.duration_ms.unwrap_or(0))
    else {
        return Ok(());
    };
    let end = slowest.finished_at.unwrap_or(slowest.started_at);
    let audit = app.store().recent_audit(5_000, None).map_err(|e| failed("reading the audit log", e))?;
    let mut during: Vec<_> = audit
        .iter()
        .filter(|a| a.direction == tillbridge_transport::Direction::Outbound)
        .filter(|a| {
            let sent = a.at - chrono::Duration::milliseconds(a.duration_ms as i64);
            a.at >= slowest.started_at && sent <= end
        })
        .collect();
    during.sort_by_key(|a| a.id);
    println!(
        "slowest poll (run {}, {:.2} s): {} requests, by offset from its start",
        slowest.id,
        slowest.duration_ms.unwrap_or(0) as f64 / 1_000.0,
        during.len()
    );
    for a in during {
        let sent = a.at - chrono::Duration::milliseconds(a.duration_ms as i64);
        println!(
            "  +{:>7.2} s {:>6} ms  {:<11} {} {} {} {:?}{} [{}]",
            (sent - slowest.started_at).num_milliseconds() as f64 / 1_000.0,
            a.duration_ms,
            a.system.as_str(),
            a.method,
            a.endpoint,
            a.status.map_or("-".to_string(), |s| s.to_string()),
            a.outcome,
            a.budget_left.map_or(String::new(), |b| format!(" budget {b}")),
            a.correlation_id
        );
    }
    Ok(())
}

/// The stock polls that started since `since` (quiet ones are forgotten: these had work).
async fn polls_since(
    app: &tillbridge_engine::App,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<tillbridge_engine::RunView>, ApiError> {
    let runs = app
        .runs(tillbridge_engine::RunsQuery {
            capability: Some(tillbridge_engine::Capability::Stock),
            limit: Some(500),
            ..Default::default()
        })
        .await?;
    Ok(runs.runs.into_iter().filter(|r| is_poll(r) && r.started_at >= since).collect())
}

/// How long each poll with work took since `since`, sorted.
async fn poll_durations(
    app: &tillbridge_engine::App,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<f64>, ApiError> {
    let mut out: Vec<f64> =
        polls_since(app, since).await?.iter().filter_map(|r| r.duration_ms.map(|ms| ms as f64 / 1_000.0)).collect();
    out.sort_by(f64::total_cmp);
    Ok(out)
}

async fn stock_plan_in_child() -> Result<StockPlanReport, ApiError> {
    let exe = std::env::current_exe().map_err(|e| failed("cannot find this executable", e))?;
    let mut command = std::process::Command::new(exe);
    command.args(["bench", "stock-plan-child"]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| failed("the planning child was lost", e))?
        .map_err(|e| failed("cannot start the planning child", e))?;
    if !output.status.success() {
        return Err(ApiError::internal(format!(
            "the planning child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default();
    serde_json::from_str(last)
        .map_err(|e| failed(&format!("the planning child's last line is not its report ({last:?})"), e))
}

/// `bench stock-plan-child`: plans 100,000 variants at 3 locations (converged bases, 5 % of the
/// cells changed on one side or the other, a few on both) and reports the plan's CPU time and
/// peak memory. Started by `bench inventory` in a process of its own.
#[allow(clippy::print_stdout)]
pub fn stock_plan_child() -> Result<(), ApiError> {
    let mut rng = Rng::new(7);
    let now = chrono::DateTime::<chrono::Utc>::default();
    let policy = PairPolicy { owner: Owner::Both, same_window: SameWindow::Merge, buffer: Buffer::default() };
    let mut inputs = Vec::with_capacity(PLAN_VARIANTS * PLAN_LOCATIONS);
    for location in 0..PLAN_LOCATIONS as i64 {
        for variant in 0..PLAN_VARIANTS as i64 {
            let base = rng.below(40) as i64;
            let (mut bc, mut shop) = (base, base);
            if rng.chance(0.05) {
                match rng.below(3) {
                    0 => bc -= 1 + rng.below(3) as i64,
                    1 => shop -= 1 + rng.below(3) as i64,
                    _ => {
                        bc -= 1;
                        shop -= 1;
                    }
                }
            }
            inputs.push(CellInput {
                key: CellKey {
                    pair: location + 1,
                    bigcommerce_location: location + 1,
                    shopify_location: format!("gid://shopify/Location/{}", 70_000_001 + location),
                    bigcommerce_product: variant / 4 + 1,
                    bigcommerce_variant: variant + 1,
                    shopify_item: format!("gid://shopify/InventoryItem/{}", 500_000 + variant),
                    label: format!("TB-{variant:06}"),
                },
                policy,
                ledger: Ledger { base: Some(SidePair::new(base, base)), revision: 3, ..Ledger::default() },
                seen: SidePair::new(Level::Stocked(bc), Level::Stocked(shop)),
                in_flight: false,
                open_conflict: false,
            });
        }
    }
    let (plans, cost) = measure_plan(|| inputs.iter().map(|i| plan_cell(i, now)).collect::<Vec<_>>())?;
    let PlanCost { cpu_s: plan_cpu_s, rss_before_mb, peak_rss_mb, peak_from_planning, .. } = cost;
    let report = StockPlanReport {
        cells: plans.len(),
        writes: plans.iter().map(|p| p.writes.len()).sum(),
        plan_cpu_s: round_to(plan_cpu_s, 3),
        rss_before_mb: round_to(rss_before_mb, 1),
        peak_rss_mb: round_to(peak_rss_mb, 1),
    };
    println!(
        "planned {} cells: {} writes, {:.3} s CPU, RSS {:.0} MB before, peak {:.0} MB{}",
        report.cells,
        report.writes,
        report.plan_cpu_s,
        report.rss_before_mb,
        report.peak_rss_mb,
        if peak_from_planning { "" } else { " (including building the inputs)" }
    );
    println!("{}", serde_json::to_string(&report).map_err(|e| failed("encoding the report", e))?);
    Ok(())
}
