//! `bench crash`: `tillbridge sync --full` killed with SIGKILL at random moments and rerun at once,
//! against a twin pair of emulated stores that runs the same sync uninterrupted.
//!
//! Every kill lands while the sync writes (after the stores have seen its first write, at a random
//! moment within an uninterrupted write phase). What it shows: a rerun starts at once (a dead
//! process's run and leases are taken over, not waited out), resumes the write phase instead of
//! planning it again, and a write in flight at the kill is checked, not sent twice; the database
//! stays intact and no job is left stuck. `requests` counts writes; reads are reported apart (a
//! resumed run reads only to check the writes in doubt).

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::json;
use tillbridge_emulator::requests::RequestLog;
use tillbridge_emulator::rng::Rng;
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::{EmulateOptions, RunningStores, SeedSpec};
use tillbridge_engine::{ApiError, App, Config, RuntimeOptions, Scope, SecretStoreSpec, SyncRequest};
use tillbridge_store::Store;

use crate::{bench_ownership, failed, round_to};

/// The Shopify operations that change the shop; everything else the sync sends is a read.
const SHOPIFY_WRITES: [&str; 2] = ["TillbridgeProductVariantsBulkUpdate", "TillbridgeProductTitleUpdate"];

/// Requests one pair of stores received, split into writes and reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counted {
    writes: u64,
    reads: u64,
}

fn count(log: &RequestLog, is_write: impl Fn(&str) -> bool) -> Counted {
    let mut c = Counted::default();
    for r in log.snapshot() {
        if is_write(&r.route) {
            c.writes += r.count;
        } else {
            c.reads += r.count;
        }
    }
    c
}

fn counted(stores: &RunningStores) -> Counted {
    let bc = count(stores.bigcommerce.requests(), |route| !route.starts_with("GET "));
    let sh = count(stores.shopify.requests(), |route| SHOPIFY_WRITES.iter().any(|w| route.ends_with(w)));
    Counted { writes: bc.writes + sh.writes, reads: bc.reads + sh.reads }
}

/// One pair of emulated stores and the Tillbridge database connected to it.
struct Pair {
    stores: RunningStores,
    db: PathBuf,
    secrets: PathBuf,
}

/// Emulated stores on a Shopify Plus bucket (so a sync's write phase lasts seconds, not minutes, and
/// many kills fit in one benchmark), and a database connected to them with tokens in a file.
async fn pair(spec: &SeedSpec, dir: &Path, name: &str) -> Result<Pair, ApiError> {
    let defaults = EmulateOptions::default();
    let shopify = ShopifyConfig { bucket_size: 10_000.0, restore_rate: 1_000.0, ..defaults.shopify.clone() };
    let stores = tillbridge_emulator::start(EmulateOptions { seed: spec.clone(), shopify, ..defaults })
        .await
        .map_err(|e| failed("cannot start the emulated stores", e))?;
    let db = dir.join(format!("{name}.db"));
    let secrets = dir.join(format!("{name}.secrets"));
    let app = App::open(Config { db_path: db.clone(), secrets: SecretStoreSpec::File(secrets.clone()) }).await?;
    tillbridge_demo::connect(&app, &stores.credentials).await?;
    app.set_ownership(bench_ownership()).await?;
    // The connections are saved; the children open the database on their own.
    drop(app);
    stores.bigcommerce.requests().reset();
    stores.shopify.requests().reset();
    Ok(Pair { stores, db, secrets })
}

/// `tillbridge sync --full` on `pair`, in a child process of this very executable.
fn spawn_sync(pair: &Pair, stderr: &Path) -> Result<Child, ApiError> {
    crate::spawn_tillbridge(
        &pair.db,
        &pair.secrets,
        &["sync", "--full", "--accept-price-changes", "--show", "0"],
        stderr,
    )
}

/// How a child ended.
enum Ended {
    /// Finished by itself; `refused` when it did not start because a sync looked alive.
    Exited {
        success: bool,
        refused: bool,
    },
    Killed,
}

/// When to kill a child: never, or a while after the stores received its first write.
#[derive(Clone, Copy)]
enum KillPlan {
    Never,
    AfterFirstWrite(Duration),
}

fn exited(child: &mut Child, stderr: &Path) -> Result<Option<Ended>, ApiError> {
    Ok(child.try_wait().map_err(|e| failed("cannot watch tillbridge sync", e))?.map(|status| {
        let text = std::fs::read_to_string(stderr).unwrap_or_default();
        Ended::Exited { success: status.success(), refused: text.contains("another sync") }
    }))
}

/// Waits for `child` to end, or kills it with SIGKILL as `plan` says. Returns how it ended and,
/// when the stores received a write from it, when the first one was seen.
async fn watch(
    child: &mut Child,
    pair: &Pair,
    plan: KillPlan,
    stderr: &Path,
) -> Result<(Ended, Option<Instant>), ApiError> {
    let writes_before = counted(&pair.stores).writes;
    let mut first_write = None;
    loop {
        if let Some(ended) = exited(child, stderr)? {
            return Ok((ended, first_write));
        }
        if first_write.is_none() && counted(&pair.stores).writes > writes_before {
            first_write = Some(Instant::now());
        }
        if let (KillPlan::AfterFirstWrite(after), Some(first)) = (plan, first_write)
            && first.elapsed() >= after
        {
            // `Child::kill` is SIGKILL on Unix: no destructor, no shutdown, as a power cut.
            child.kill().map_err(|e| failed("cannot kill tillbridge sync", e))?;
            child.wait().map_err(|e| failed("cannot reap tillbridge sync", e))?;
            return Ok((Ended::Killed, first_write));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Runs `tillbridge sync --full` on `pair` until it finishes by itself, rerunning it while it is
/// refused. Returns how long after `since` the run that was not refused started, and how long its
/// write phase lasted (first write seen to exit).
async fn sync_to_the_end(pair: &Pair, stderr: &Path, since: Instant) -> Result<(Duration, Duration), ApiError> {
    loop {
        let spawned = Instant::now();
        let mut child = spawn_sync(pair, stderr)?;
        match watch(&mut child, pair, KillPlan::Never, stderr).await? {
            (Ended::Exited { refused: true, .. }, _) => tokio::time::sleep(Duration::from_millis(100)).await,
            (Ended::Exited { success, .. }, first_write) => {
                if !success {
                    tracing::warn!(log = %std::fs::read_to_string(stderr).unwrap_or_default(), "a sync ended with failures");
                }
                let writing = first_write.map_or(Duration::ZERO, |t| t.elapsed());
                return Ok((spawned.saturating_duration_since(since), writing));
            }
            (Ended::Killed, _) => unreachable!("no kill was asked for"),
        }
    }
}

/// What one episode (a fresh pair of stores synced to the end through kills) left.
struct Episode {
    counted: Counted,
    problems: Vec<String>,
    stuck: u64,
    changes_left: u64,
}

/// Checks a finished episode's database and stores: SQLite's integrity check, jobs left queued or
/// running, and whether a preview of another full sync still plans anything.
async fn inspect(pair: &Pair) -> Result<Episode, ApiError> {
    let counted = counted(&pair.stores);
    let (store, _) = Store::open(&pair.db, chrono::Utc::now()).map_err(|e| failed("cannot open the database", e))?;
    let problems = store.integrity_check().map_err(|e| failed("cannot check the database", e))?;
    let jobs = store.job_counts(None).map_err(|e| failed("cannot count the jobs", e))?;
    drop(store);
    let app =
        App::open(Config { db_path: pair.db.clone(), secrets: SecretStoreSpec::File(pair.secrets.clone()) }).await?;
    let runtime = app.start_runtime(RuntimeOptions::one_shot());
    let preview = app.sync_run(SyncRequest::new(Scope::Full, true)).await?;
    runtime.shutdown(Duration::from_secs(3)).await;
    Ok(Episode {
        counted,
        problems,
        stuck: jobs.pending + jobs.running,
        changes_left: preview.summary.map_or(u64::MAX, |s| s.changes as u64),
    })
}

/// Kills `tillbridge sync --full` while it writes, at random moments, and reruns it at once, on
/// fresh pairs of seeded stores (one episode each, synced to the end) until `kills` kills are spent;
/// a twin pair runs the same sync once, uninterrupted, as the yardstick.
#[allow(clippy::print_stdout)]
pub async fn crash(spec: SeedSpec, kills: u32) -> Result<(), ApiError> {
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let log = dir.path().join("sync.stderr");
    let twin = pair(&spec, dir.path(), "twin").await?;
    println!(
        "stores: BigCommerce {} variants, Shopify {} variants, seeded alike for every pair",
        twin.stores.bigcommerce_variants, twin.stores.shopify_variants
    );
    let started = Instant::now();
    let (_, writing) = sync_to_the_end(&twin, &log, Instant::now()).await?;
    let alone = counted(&twin.stores);
    println!(
        "uninterrupted full sync: {:.1} s ({:.1} s writing), {} write requests, {} read requests",
        started.elapsed().as_secs_f64(),
        writing.as_secs_f64(),
        alone.writes,
        alone.reads
    );
    drop(twin);
    if alone.writes == 0 {
        return Err(ApiError::invalid(
            "these seeded stores need no write, so there is no write phase to kill; pick another --seed or more --variants",
        ));
    }

    let mut rng = Rng::new(spec.seed ^ 0x6b69_6c6c);
    let (mut killed, mut refusals, mut episodes) = (0u32, 0u32, 0u64);
    let mut max_rerun_wait = Duration::ZERO;
    let mut total = Counted::default();
    let (mut stuck, mut changes_left, mut problems) = (0u64, 0u64, Vec::new());
    let series = Instant::now();
    while killed < kills {
        let pair = pair(&spec, dir.path(), &format!("episode-{episodes}")).await?;
        let mut pending_kill: Option<Instant> = None;
        // Kill after the first write, within the uninterrupted sync's write phase, until a rerun
        // finishes by itself or the kills are spent.
        while killed < kills {
            let spawned = Instant::now();
            let mut child = spawn_sync(&pair, &log)?;
            let after = Duration::from_secs_f64(rng.unit() * writing.as_secs_f64());
            let (ended, _) = watch(&mut child, &pair, KillPlan::AfterFirstWrite(after), &log).await?;
            if let Ended::Exited { refused: true, .. } = ended {
                refusals += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            if let Some(kill) = pending_kill.take() {
                max_rerun_wait = max_rerun_wait.max(spawned.saturating_duration_since(kill));
            }
            match ended {
                Ended::Killed => {
                    killed += 1;
                    pending_kill = Some(Instant::now());
                }
                Ended::Exited { .. } => break,
            }
        }
        if let Some(kill) = pending_kill {
            let (wait, _) = sync_to_the_end(&pair, &log, kill).await?;
            max_rerun_wait = max_rerun_wait.max(wait);
        }
        let episode = inspect(&pair).await?;
        total.writes += episode.counted.writes;
        total.reads += episode.counted.reads;
        stuck += episode.stuck;
        changes_left += episode.changes_left;
        problems.extend(episode.problems);
        episodes += 1;
    }
    let uninterrupted = alone.writes * episodes;
    let ratio = if uninterrupted == 0 { 1.0 } else { total.writes as f64 / uninterrupted as f64 };
    let integrity = if problems.is_empty() { "ok".to_string() } else { problems.join("; ") };
    println!(
        "interrupted: {killed} kills while writing over {episodes} episodes, {refusals} reruns refused, {:.1} s in all; {} write requests against {uninterrupted} uninterrupted, {} read requests",
        series.elapsed().as_secs_f64(),
        total.writes,
        total.reads
    );
    println!(
        "after the last reruns: {stuck} jobs stuck; a full preview plans {changes_left} changes; integrity {integrity}"
    );
    println!(
        "{}",
        json!({
            "kills": killed,
            "episodes": episodes,
            "requests": total.writes,
            "uninterrupted_requests": uninterrupted,
            "ratio": round_to(ratio, 4),
            "read_requests": total.reads,
            "uninterrupted_read_requests": alone.reads * episodes,
            "max_rerun_wait_s": round_to(max_rerun_wait.as_secs_f64(), 3),
            "refused_reruns": refusals,
            "stuck": stuck,
            "changes_left": changes_left,
            "integrity": integrity,
        })
    );
    Ok(())
}
