//! POS orders from the command line, as an operator runs it: a dry run prints the BigCommerce
//! bodies and sends nothing, a run carries each sale once, the list shows both totals, a bad
//! setting is refused, and retrying with nothing failed says so. Afterwards no shopper's email,
//! name or address, and no token, is anywhere in the database files or the output.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{connect_both, text, tillbridge};
use tillbridge_emulator::shopify::{MailingAddress, PosLine, PosSale};
use tillbridge_emulator::{EmulateOptions, SeedSpec};

#[tokio::test(flavor = "multi_thread")]
async fn pos_orders_preview_then_carry_once_and_list_with_both_totals() {
    let stores = tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 30, locations: 1, ..SeedSpec::default() },
        ..EmulateOptions::default()
    })
    .await
    .unwrap();
    let c = stores.credentials.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let sh = stores.shopify.clone();
    let outputs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| tillbridge(&path, args, "");
        connect_both(&path, &c);
        let catalog = run(&["sync", "--full"]);
        assert!(catalog.status.success(), "the catalog sync matches the products: {}", text(&catalog.stderr));
        let location = run(&["locations", "--json"]);
        let view: serde_json::Value = serde_json::from_slice(&location.stdout).unwrap();
        let shop = view["shopify"][0]["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
        // Gift cards sold at the till: custom lines that need no matched variant.
        for _ in 0..2 {
            let card = PosLine {
                gift_card: true,
                price: Some("12.50".parse().unwrap()),
                title: Some("Gift card".into()),
                quantity: 1,
                ..PosLine::default()
            };
            sh.ring_up(&PosSale { location_id: shop, lines: vec![card], ..PosSale::default() }).unwrap();
        }
        // A shopper whose email, name and address must never be stored.
        let address = MailingAddress {
            first_name: Some("Zed".into()),
            last_name: Some("Probewright".into()),
            address1: Some("77 Probewright Lane".into()),
            city: Some("Probeville".into()),
            country_code: Some("US".into()),
            zip: Some("02110".into()),
            ..MailingAddress::default()
        };
        let card = PosLine {
            gift_card: true,
            price: Some("20.00".parse().unwrap()),
            title: Some("Gift card".into()),
            quantity: 1,
            ..PosLine::default()
        };
        sh.ring_up(&PosSale {
            location_id: shop,
            lines: vec![card],
            customer_email: Some("zed.probewright@example.com".into()),
            billing_address: Some(address),
            ..PosSale::default()
        })
        .unwrap();
        let customers = run(&["orders", "settings", "--create-customers", "yes", "--carry-from", "2020-01-01"]);
        assert!(customers.status.success(), "new shoppers become customers: {}", text(&customers.stderr));
        let bad = run(&["orders", "settings", "--currencies", "dollars"]);
        let preview = run(&["sync", "--orders", "--dry-run"]);
        let real = run(&["sync", "--orders"]);
        let again = run(&["sync", "--orders"]);
        let listed = run(&["orders"]);
        let retry = run(&["orders", "retry", "--all"]);
        let mut stored = Vec::new();
        for entry in std::fs::read_dir(&path).unwrap() {
            let file = entry.unwrap().path();
            if file.file_name().is_some_and(|n| n.to_string_lossy().starts_with("t.db")) {
                stored.extend(std::fs::read(&file).unwrap());
            }
        }
        (bad, preview, real, again, listed, retry, stored)
    })
    .await
    .unwrap();
    let (bad, preview, real, again, listed, retry, stored) = outputs;
    let stored = String::from_utf8_lossy(&stored).to_lowercase();
    let printed: String = [&bad, &preview, &real, &again, &listed, &retry]
        .iter()
        .map(|o| format!("{}{}", text(&o.stdout), text(&o.stderr)))
        .collect::<String>()
        .to_lowercase();
    for probe in ["zed.probewright@example.com", "probewright", "probeville"] {
        assert!(!stored.contains(probe), "the database file and its WAL hold no {probe:?}");
        assert!(!printed.contains(probe), "nor does anything printed or logged: {probe:?}");
    }
    for token in [&stores.credentials.bigcommerce.access_token, &stores.credentials.shopify.access_token] {
        assert!(!stored.contains(&token.to_lowercase()), "no token is in the database");
    }

    assert!(!bad.status.success(), "a currency that is not a code is refused");
    assert!(
        text(&bad.stderr).contains("three-letter codes"),
        "and the refusal says what is wanted: {}",
        text(&bad.stderr)
    );
    let out = text(&preview.stdout);
    assert!(preview.status.success(), "the preview runs: {}", text(&preview.stderr));
    assert!(out.contains("dry run: nothing was sent"), "a dry run says it sent nothing: {out}");
    assert!(out.contains("POST /v2/orders"), "and prints the bodies it would send: {out}");
    assert!(out.contains("\"total_inc_tax\": \"12.5000\""), "with Shopify's total: {out}");
    assert!(real.status.success(), "the run carries them: {}\n{}", text(&real.stderr), text(&real.stdout));
    assert!(text(&real.stdout).contains("3 carried, 0 failed"), "every sale: {}", text(&real.stdout));
    assert!(text(&again.stdout).contains("3 already carried, 0 queued"), "and only once: {}", text(&again.stdout));
    let list = text(&listed.stdout);
    assert!(list.contains("3 carried"), "the list counts them: {list}");
    assert!(list.contains("Shopify 12.50 / BigCommerce 12.50"), "with both totals side by side: {list}");
    assert!(!retry.status.success(), "nothing failed, so nothing is retried");
    assert!(text(&retry.stderr).contains("no POS order job has failed"), "{}", text(&retry.stderr));
}
