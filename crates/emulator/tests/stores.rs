//! `tillbridge emulate` prints the credentials of both stores as one JSON line; a client must be
//! able to reach and verify both stores from it alone.

use base64::Engine;
use serde_json::Value;
use tillbridge_emulator::{EmulateOptions, SeedSpec, start};

#[tokio::test]
async fn the_credentials_line_carries_what_a_webhook_receiver_needs_for_both_stores() {
    let stores =
        start(EmulateOptions { seed: SeedSpec { variants: 12, ..SeedSpec::default() }, ..EmulateOptions::default() })
            .await
            .unwrap_or_else(|e| panic!("the stores start on loopback: {e}"));
    let line: Value = serde_json::to_value(&stores.credentials).unwrap_or_default();
    let client_secret = line["bigcommerce"]["client_secret"].as_str().unwrap_or_default();
    assert!(!client_secret.is_empty(), "the BigCommerce app's client secret is on the line: {line}");
    let signing = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(client_secret));
    assert_eq!(
        signing,
        stores.bigcommerce.webhook_secret(),
        "Standard Webhooks libraries initialised with base64(client_secret) verify what the store signs"
    );
    assert!(
        line["shopify"]["webhook_secret"].as_str().is_some_and(|s| !s.is_empty()),
        "the Shopify app's secret (the HMAC key of its webhooks) stays on the line: {line}"
    );
}
