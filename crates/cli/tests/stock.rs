//! Stock from the command line, as an operator runs it: list both stores' locations, pair two,
//! be refused a second pair for the same location, preview and run a stock cycle, look an item
//! up, and be told clearly when a conflict id or choice is wrong.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{connect_both, text, tillbridge};
use tillbridge_emulator::{EmulateOptions, SeedSpec};

#[tokio::test(flavor = "multi_thread")]
async fn locations_are_paired_once_and_a_stock_cycle_previews_then_aligns() {
    let stores = tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 60, locations: 2, ..SeedSpec::default() },
        ..EmulateOptions::default()
    })
    .await
    .unwrap();
    let c = stores.credentials.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let outputs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| tillbridge(&path, args, "");
        connect_both(&path, &c);
        let before_catalog = run(&["sync", "--inventory"]);
        let catalog = run(&["sync", "--full"]);
        assert!(catalog.status.success(), "the catalog sync matches the products: {}", text(&catalog.stderr));
        let listed = run(&["locations", "--json"]);
        let view: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
        let shopify_first = view["shopify"][0]["id"].as_str().unwrap().to_string();
        let number = shopify_first.rsplit('/').next().unwrap().to_string();
        let mapped = run(&["locations", "map", "1", &number, "--owner", "both"]);
        let twice = run(&["locations", "map", "1", &shopify_first, "--owner", "both"]);
        let bad_owner = run(&["locations", "map", "2", &shopify_first, "--owner", "everyone"]);
        let preview = run(&["sync", "--inventory", "--dry-run"]);
        let real = run(&["sync", "--inventory"]);
        let again = run(&["sync", "--inventory"]);
        let conflicts = run(&["conflicts"]);
        let unknown = run(&["conflicts", "resolve", "99", "--keep", "sum"]);
        let no_drift_yet = run(&["drift"]);
        let validation = run(&["sync", "--inventory", "--full"]);
        let drift = run(&["drift"]);
        let csv_path = path.join("drift.csv");
        let csv = run(&["drift", "--csv", csv_path.to_str().unwrap()]);
        let csv_text = std::fs::read_to_string(&csv_path).unwrap_or_default();
        let drift_outputs = (no_drift_yet, validation, drift, csv, csv_text);
        (before_catalog, mapped, twice, bad_owner, preview, real, again, conflicts, unknown, drift_outputs)
    })
    .await
    .unwrap();
    let (before_catalog, mapped, twice, bad_owner, preview, real, again, conflicts, unknown, drift_outputs) = outputs;
    let (no_drift_yet, validation, drift, csv, csv_text) = drift_outputs;

    assert!(!before_catalog.status.success(), "stock needs paired locations first");
    assert!(
        text(&before_catalog.stderr).contains("tillbridge locations map"),
        "and says how to pair them: {}",
        text(&before_catalog.stderr)
    );
    assert!(mapped.status.success(), "a location pairs by its Shopify number: {}", text(&mapped.stderr));
    assert!(
        text(&mapped.stdout).contains("owner both"),
        "the pair is printed with its rules: {}",
        text(&mapped.stdout)
    );
    assert!(!twice.status.success(), "BigCommerce location 1 cannot be in two pairs");
    assert!(text(&twice.stderr).contains("already in pair"), "the refusal names the pair: {}", text(&twice.stderr));
    assert!(!bad_owner.status.success(), "an unknown owner is refused");
    assert!(text(&bad_owner.stderr).contains("--owner everyone is not a choice"), "{}", text(&bad_owner.stderr));

    let out = text(&preview.stdout);
    assert!(preview.status.success(), "the preview runs: {}", text(&preview.stderr));
    assert!(out.contains("would write"), "a dry run says what it would write: {out}");
    assert!(out.contains("first alignment"), "and why: every cell is aligned for the first time: {out}");
    assert!(real.status.success(), "the cycle runs: {}\n{}", text(&real.stderr), text(&real.stdout));
    let again = text(&again.stdout);
    assert!(again.contains(" planned 0 writes"), "after the alignment nothing is left to write: {again}");
    assert!(text(&conflicts.stdout).contains("No stock conflict"), "merge raises no conflict");
    assert!(!unknown.status.success(), "an unknown conflict is an error");
    assert!(text(&unknown.stderr).contains("no stock conflict 99"), "{}", text(&unknown.stderr));

    assert!(
        text(&no_drift_yet.stdout).contains("No stock validation has run yet"),
        "before a full check there is no drift report: {}",
        text(&no_drift_yet.stdout)
    );
    assert!(
        text(&validation.stdout).contains("Validation: 0 cells had drifted"),
        "a full check is a validation, and the stores were in step: {}",
        text(&validation.stdout)
    );
    assert!(text(&drift.stdout).contains("0 of "), "the report counts the cells checked: {}", text(&drift.stdout));
    assert!(csv.status.success(), "the CSV is written: {}", text(&csv.stderr));
    assert!(csv_text.starts_with("checked_at,location,sku"), "with its header: {csv_text}");
}
