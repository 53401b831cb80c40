//! The runtime across processes, as an operator meets it: `serve` and a CLI sync on one database
//! never send the same write twice, and `tillbridge run` stops cleanly on Ctrl-C.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{command, connect_both, text, tillbridge};
use tillbridge_domain::work::Lane;
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::{EmulateOptions, FaultConfig, RunningStores, SeedSpec};
use tillbridge_store::{JobState, Store};

/// Seeded stores on a Shopify Plus bucket, so the write phase is short.
async fn stores(variants: usize) -> RunningStores {
    let defaults = EmulateOptions::default();
    let shopify = ShopifyConfig { bucket_size: 10_000.0, restore_rate: 1_000.0, ..defaults.shopify.clone() };
    tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants, ..SeedSpec::default() },
        shopify,
        ..defaults
    })
    .await
    .unwrap()
}

fn connect(dir: &Path, s: &RunningStores) {
    connect_both(dir, &s.credentials);
}

/// Starts `args` and waits for its first stdout line, so the caller knows it is up.
fn start_and_wait_for_line(dir: &Path, args: &[&str]) -> (Child, String) {
    let mut child =
        command(dir, args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // The rest is drained, so the process never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (child, line)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([name, &child.id().to_string()]).status().unwrap();
    assert!(status.success(), "kill {name} reaches the process");
}

/// Write requests the stores received: BigCommerce's non-GETs and Shopify's mutations.
fn writes_received(s: &RunningStores) -> u64 {
    let bc: u64 =
        s.bigcommerce.requests().snapshot().iter().filter(|r| !r.route.starts_with("GET ")).map(|r| r.count).sum();
    let sh: u64 = s.shopify.requests().snapshot().iter().filter(|r| r.route.ends_with("Update")).map(|r| r.count).sum();
    bc + sh
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_and_a_cli_sync_on_one_database_never_send_the_same_write_twice() {
    let s = stores(400).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    connect(&path, &s);
    s.bigcommerce.requests().reset();
    s.shopify.requests().reset();

    let sync = tokio::task::spawn_blocking({
        let path = path.clone();
        move || {
            // Both start together: the server's lanes and the CLI's compete for the same queue.
            let (mut server, line) = start_and_wait_for_line(&path, &["serve", "--addr", "127.0.0.1:0"]);
            assert!(line.contains("http://127.0.0.1:"), "serve is up: {line}");
            let sync = tillbridge(&path, &["sync", "--full", "--show", "0"], "");
            signal(&server, "-TERM");
            server.wait().unwrap();
            sync
        }
    })
    .await
    .unwrap();
    assert!(sync.status.success(), "the CLI sync finishes: {}\n{}", text(&sync.stdout), text(&sync.stderr));

    let (store, _) = Store::open(&path.join("t.db"), chrono::Utc::now()).unwrap();
    let (total, done) = store.jobs_in_states(&[JobState::Done], None, 0, 100_000).unwrap();
    assert!(total > 0, "the sync wrote something, so the race was real");
    let mut requests = HashSet::new();
    for job in &done {
        assert_eq!(job.attempts, 1, "job {} ({}) went out more than once", job.id, job.entity_key);
        for attempt in store.job_timeline(job.id).unwrap() {
            requests.insert((job.lane == Lane::Shopify, attempt.request_id));
        }
    }
    assert_eq!(
        writes_received(&s),
        requests.len() as u64,
        "every write request the stores received is one recorded attempt: none was sent by both processes"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tillbridge_run_stops_within_five_seconds_of_ctrl_c_and_leaves_no_job_running() {
    let s = stores(400).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    connect(&path, &s);
    // Queue a full sync's writes without sending them: paused, the sync plans and stops.
    assert!(tillbridge(&path, &["pause"], "").status.success());
    let planned = tillbridge(&path, &["sync", "--full", "--show", "0"], "");
    assert!(text(&planned.stdout).contains("changes"), "the sync planned: {}", text(&planned.stderr));
    assert!(tillbridge(&path, &["resume"], "").status.success());
    // Slow answers, so a request is in flight when Ctrl-C comes.
    s.shopify.faults().set(FaultConfig { latency_ms: 400, ..Default::default() }).unwrap();
    s.bigcommerce.faults().set(FaultConfig { latency_ms: 400, ..Default::default() }).unwrap();
    let before = writes_received(&s);

    let stopped = tokio::task::spawn_blocking({
        let path = path.clone();
        let s_writes = move || writes_received(&s);
        move || {
            let (mut run, line) = start_and_wait_for_line(&path, &["run"]);
            assert!(line.contains("Tillbridge is running"), "run says it is up: {line}");
            let deadline = Instant::now() + Duration::from_secs(30);
            while s_writes() == before && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            assert!(s_writes() > before, "the runtime is sending the queued writes");
            let asked = Instant::now();
            signal(&run, "-INT");
            let status = run.wait().unwrap();
            (asked.elapsed(), status)
        }
    })
    .await
    .unwrap();
    let (took, status) = stopped;
    assert!(status.success(), "Ctrl-C is a clean exit: {status:?}");
    assert!(took < Duration::from_secs(5), "it stops within five seconds, took {took:?}");

    let (store, _) = Store::open(&path.join("t.db"), chrono::Utc::now()).unwrap();
    let counts = store.job_counts(None).unwrap();
    assert_eq!(counts.running, 0, "no job is left running: {counts:?}");
    assert!(counts.pending > 0, "and the writes not yet sent wait for the next start: {counts:?}");
}
