//! Privacy requests and webhooks from the command line, as a merchant answering a request by hand
//! runs them: a customer named neither by email nor by id is refused, an export prints what is
//! stored, a shop's redaction needs --yes and then forgets the Shopify connection, and a webhook
//! secret is read from standard input, never from the arguments.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{connect_both, text, tillbridge};
use tillbridge_emulator::{EmulateOptions, SeedSpec};

#[tokio::test(flavor = "multi_thread")]
async fn privacy_requests_by_hand_say_what_they_did_and_redact_shop_needs_yes() {
    let stores = tillbridge_emulator::start(EmulateOptions {
        seed: SeedSpec { variants: 10, ..SeedSpec::default() },
        ..EmulateOptions::default()
    })
    .await
    .unwrap();
    let c = stores.credentials.clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str], stdin: &str| tillbridge(&path, args, stdin);
        connect_both(&path, &c);
        (
            run(&["privacy", "redact-customer", "not a customer"], ""),
            run(&["privacy", "export-customer", "jane@example.com"], ""),
            run(&["privacy", "redact-customer", "gid://shopify/Customer/42"], ""),
            run(&["privacy", "redact-shop"], ""),
            run(&["privacy", "redact-shop", "--yes"], ""),
            run(&["connections"], ""),
            run(&["webhooks", "secret", "shopify"], "shpss_from_stdin\n"),
            run(&["webhooks"], ""),
        )
    })
    .await
    .unwrap();
    let (unnamed, export, redact, unconfirmed, shop, connections, secret, webhooks) = out;

    assert!(!unnamed.status.success(), "a customer must be named by email or id");
    assert!(text(&unnamed.stderr).contains("by email"), "and the error says how: {}", text(&unnamed.stderr));
    assert!(export.status.success(), "{}", text(&export.stderr));
    let data: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(data["customer_links"], serde_json::json!([]), "nothing is stored about this customer");
    assert!(redact.status.success(), "{}", text(&redact.stderr));
    assert!(text(&redact.stdout).contains("nothing was stored"), "{}", text(&redact.stdout));
    assert!(!unconfirmed.status.success(), "a shop's redaction is never done by accident");
    assert!(text(&unconfirmed.stderr).contains("--yes"), "{}", text(&unconfirmed.stderr));
    assert!(shop.status.success(), "{}", text(&shop.stderr));
    assert!(text(&shop.stdout).contains("shopify_token"), "the token is forgotten: {}", text(&shop.stdout));
    let listed = text(&connections.stdout);
    assert!(!listed.contains("shopify"), "Shopify is no longer connected: {listed}");
    assert!(listed.contains("bigcommerce"), "BigCommerce stays connected: {listed}");
    assert!(secret.status.success(), "{}", text(&secret.stderr));
    assert!(!text(&secret.stdout).contains("shpss_from_stdin"), "the secret is never echoed");
    assert!(text(&webhooks.stdout).contains("No webhooks are registered"), "{}", text(&webhooks.stdout));
}
