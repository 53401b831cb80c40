//! `tillbridge sync` as an operator runs it: connect both stores, preview a full sync with a CSV of
//! the diff, and be told to run a full sync before the first delta.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{connect_both, text, tillbridge};
use tillbridge_emulator::{EmulateOptions, SeedSpec};

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_diff_writes_the_csv_and_a_delta_asks_for_a_full_sync_first() {
    let stores = tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 200, ..SeedSpec::default() },
        ..EmulateOptions::default()
    })
    .await
    .unwrap();
    let c = stores.credentials.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let csv = path.join("diff.csv");
    let (preview, delta) = tokio::task::spawn_blocking(move || {
        connect_both(&path, &c);
        let preview =
            tillbridge(&path, &["sync", "--full", "--dry-run", "--show", "5", "--csv", csv.to_str().unwrap()], "");
        let delta = tillbridge(&path, &["sync"], "");
        (preview, delta)
    })
    .await
    .unwrap();

    let out = text(&preview.stdout);
    assert!(preview.status.success(), "the preview succeeds: {}\n{out}", text(&preview.stderr));
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("Full sync preview (nothing was written): "), "the first line says what ran: {out}");
    let changes: usize = first.trim_end_matches(" changes.").rsplit(' ').next().unwrap().parse().unwrap();
    assert!(changes > 5, "the seeded mess leaves changes to preview: {out}");
    assert!(
        out.contains("… and ") && out.contains("--csv FILE"),
        "only --show changes are listed, and the rest pointed to: {out}"
    );
    let written = std::fs::read_to_string(dir.path().join("diff.csv")).unwrap();
    assert_eq!(written.lines().count(), changes + 1, "the CSV holds a header and every change");
    assert!(
        written.starts_with("bigcommerce_variant_id,shopify_variant_id,sku,title,field,direction,old,new"),
        "with the documented columns"
    );

    assert!(!delta.status.success(), "a delta before any full sync cannot know what changed");
    assert!(text(&delta.stderr).contains("run a full sync first"), "and says what to do: {}", text(&delta.stderr));
}
