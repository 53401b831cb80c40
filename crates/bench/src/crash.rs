//! `bench crash`: `tillbridge sync --full` killed with SIGKILL at random moments and rerun at once,
//! against a twin pair of emulated stores that runs the same sync uninterrupted.
//!
//! What it shows: a rerun starts at once (a dead process's run and leases are taken over, not
//! waited out), resumes the write phase instead of planning it again, and the queue's work keys
//! keep the stores from receiving the same write twice; the database stays intact and no job is
//! left stuck. Reads are counted apart: a read cut short by a kill is read again by design.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    let exe = std::env::current_exe().map_err(|e| failed("cannot find the tillbridge executable", e))?;
    let log = std::fs::File::create(stderr).map_err(|e| failed("cannot create a log file", e))?;
    let mut secrets = std::ffi::OsString::from("file:");
    secrets.push(&pair.secrets);
    Command::new(exe)
        .arg("--db")
        .arg(&pair.db)
        .arg("--secret-store")
        .arg(secrets)
        .args(["sync", "--full", "--show", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| failed("cannot start tillbridge sync", e))
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

/// Waits for `child` up to `kill_after` (then kills it with SIGKILL), or without limit.
async fn wait_or_kill(child: &mut Child, kill_after: Option<Duration>, stderr: &Path) -> Result<Ended, ApiError> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| failed("cannot watch tillbridge sync", e))? {
            let text = std::fs::read_to_string(stderr).unwrap_or_default();
            return Ok(Ended::Exited { success: status.success(), refused: text.contains("another sync") });
        }
        if kill_after.is_some_and(|limit| started.elapsed() >= limit) {
            // `Child::kill` is SIGKILL on Unix: no destructor, no shutdown, as a power cut.
            child.kill().map_err(|e| failed("cannot kill tillbridge sync", e))?;
            child.wait().map_err(|e| failed("cannot reap tillbridge sync", e))?;
            return Ok(Ended::Killed);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `tillbridge sync --full` on `pair` until it finishes by itself, rerunning it while it is
/// refused; returns how long it took, and how long after `since` the run that was not refused started.
async fn sync_to_the_end(pair: &Pair, stderr: &Path, since: Instant) -> Result<(Duration, Duration), ApiError> {
    let started = Instant::now();
    loop {
        let spawned = Instant::now();
        let mut child = spawn_sync(pair, stderr)?;
        match wait_or_kill(&mut child, None, stderr).await? {
            Ended::Exited { refused: true, .. } => tokio::time::sleep(Duration::from_millis(100)).await,
            Ended::Exited { success, .. } => {
                if !success {
                    tracing::warn!(log = %std::fs::read_to_string(stderr).unwrap_or_default(), "a sync ended with failures");
                }
                return Ok((started.elapsed(), spawned.saturating_duration_since(since)));
            }
            Ended::Killed => unreachable!("no kill was asked for"),
        }
    }
}

#[allow(clippy::print_stdout)]
pub async fn crash(spec: SeedSpec, kills: u32) -> Result<(), ApiError> {
    let dir = tempfile::tempdir().map_err(|e| failed("cannot make a temporary folder", e))?;
    let log = dir.path().join("sync.stderr");
    let twin = pair(&spec, dir.path(), "twin").await?;
    let interrupted = pair(&spec, dir.path(), "interrupted").await?;
    println!(
        "two identical pairs of emulated stores: BigCommerce {} variants, Shopify {} variants",
        twin.stores.bigcommerce_variants, twin.stores.shopify_variants
    );

    let (uninterrupted_s, _) = sync_to_the_end(&twin, &log, Instant::now()).await?;
    let alone = counted(&twin.stores);
    println!(
        "uninterrupted full sync: {:.1} s, {} write requests, {} read requests",
        uninterrupted_s.as_secs_f64(),
        alone.writes,
        alone.reads
    );

    // Kill moments fall anywhere within an uninterrupted sync's length, so kills land in every phase.
    let mut rng = Rng::new(spec.seed ^ 0x6b69_6c6c);
    let mut killed = 0u32;
    let mut in_write_phase = 0u32;
    let mut refusals = 0u32;
    let mut max_rerun_wait = Duration::ZERO;
    let mut pending_kill: Option<Instant> = None;
    let series = Instant::now();
    while killed < kills {
        let spawned = Instant::now();
        let writes_before = counted(&interrupted.stores).writes;
        let mut child = spawn_sync(&interrupted, &log)?;
        let after = Duration::from_secs_f64(rng.unit() * uninterrupted_s.as_secs_f64());
        let ended = wait_or_kill(&mut child, Some(after), &log).await?;
        match ended {
            Ended::Exited { refused: true, .. } => {
                refusals += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            Ended::Exited { .. } => {}
            Ended::Killed => {
                killed += 1;
                if counted(&interrupted.stores).writes > writes_before {
                    in_write_phase += 1;
                }
            }
        }
        // This run was not refused: its wait is from the kill before it to its start.
        if let Some(kill) = pending_kill.take() {
            max_rerun_wait = max_rerun_wait.max(spawned.saturating_duration_since(kill));
        }
        if matches!(ended, Ended::Killed) {
            pending_kill = Some(Instant::now());
        }
    }
    let (_, final_start) = sync_to_the_end(&interrupted, &log, pending_kill.unwrap_or_else(Instant::now)).await?;
    max_rerun_wait = max_rerun_wait.max(final_start);
    let series_s = series.elapsed().as_secs_f64();
    let broken = counted(&interrupted.stores);
    println!(
        "interrupted: {killed} kills ({in_write_phase} while writing), {refusals} reruns refused, {series_s:.1} s in all; {} write requests, {} read requests",
        broken.writes, broken.reads
    );

    let (store, _) =
        Store::open(&interrupted.db, chrono::Utc::now()).map_err(|e| failed("cannot open the database", e))?;
    let problems = store.integrity_check().map_err(|e| failed("cannot check the database", e))?;
    let jobs = store.job_counts(None).map_err(|e| failed("cannot count the jobs", e))?;
    drop(store);
    let stuck = jobs.pending + jobs.running;
    // Whether the interrupted stores ended aligned: a preview of another full sync plans nothing.
    let app = App::open(Config {
        db_path: interrupted.db.clone(),
        secrets: SecretStoreSpec::File(interrupted.secrets.clone()),
    })
    .await?;
    let runtime = app.start_runtime(RuntimeOptions::one_shot());
    let preview = app.sync_run(SyncRequest { mode: Scope::Full, dry_run: true }).await?;
    runtime.shutdown(Duration::from_secs(3)).await;
    let left = preview.summary.map_or(u64::MAX, |s| s.changes as u64);
    println!(
        "after the last rerun: {} jobs done, {} failed or dead, {stuck} stuck; a full preview plans {left} changes; integrity {}",
        jobs.done,
        jobs.failed + jobs.dead,
        if problems.is_empty() { "ok".to_string() } else { problems.join("; ") }
    );

    let ratio = if alone.writes == 0 { 1.0 } else { broken.writes as f64 / alone.writes as f64 };
    println!(
        "{}",
        json!({
            "kills": killed,
            "kills_while_writing": in_write_phase,
            "requests": broken.writes,
            "uninterrupted_requests": alone.writes,
            "ratio": round_to(ratio, 4),
            "read_requests": broken.reads,
            "uninterrupted_read_requests": alone.reads,
            "max_rerun_wait_s": round_to(max_rerun_wait.as_secs_f64(), 3),
            "refused_reruns": refusals,
            "stuck": stuck,
            "changes_left": left,
            "integrity": if problems.is_empty() { "ok".to_string() } else { problems.join("; ") },
        })
    );
    Ok(())
}
