//! Registration against the emulated stores, which deliver signed webhooks for real: Tillbridge
//! registers its hooks and subscriptions pointing at a receiver running here (again is harmless),
//! a POS sale arrives as a signed delivery that wakes stock, `doctor` reports a hook BigCommerce
//! turned off and registering again turns it back on, and removing takes every hook away.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tillbridge_engine::webhooks::registration::{BIGCOMMERCE_SCOPES, RegisterRequest, SHOPIFY_TOPICS};
use tillbridge_engine::{App, CheckState, SystemClock, WebhookSource};
use tillbridge_secrets::{MemorySecretStore, Secret};
use tillbridge_store::{Opened, Store};

async fn connected(s: &tillbridge_emulator::RunningStores) -> App {
    let app = App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        Arc::new(MemorySecretStore::default()),
        Arc::new(SystemClock),
        Opened { from_version: 0, to_version: 0, backup: None },
    );
    let c = &s.credentials;
    tillbridge_demo::connect(&app, c).await.unwrap();
    app.set_webhook_secret(WebhookSource::Shopify, Secret::new(c.shopify.webhook_secret.clone())).await.unwrap();
    app.set_webhook_secret(WebhookSource::BigCommerce, Secret::new(c.bigcommerce.client_secret.clone())).await.unwrap();
    app
}

async fn wait_for(app: &App, what: &str, pred: impl Fn(&[tillbridge_store::InboxRecord]) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let inbox = app.store().inbox(100).unwrap();
        if pred(&inbox) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: the inbox holds {inbox:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_hooks_deliver_to_the_receiver_and_doctor_sees_one_turned_off() {
    let seed = tillbridge_emulator::SeedSpec { variants: 20, locations: 1, ..Default::default() };
    let world = tillbridge_emulator::generate(&seed);
    let stores =
        tillbridge_emulator::start(tillbridge_emulator::EmulateOptions { seed, ..Default::default() }).await.unwrap();
    let app = connected(&stores).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(tillbridge_webhooks::serve_webhooks(listener, app.clone(), stop.clone()));

    let refused = app.register_webhooks(RegisterRequest { public_url: "http://example.com".into() }).await;
    assert!(refused.unwrap_err().message.contains("https"), "a public address must be https");
    let r = app.register_webhooks(RegisterRequest { public_url: format!("{url}/") }).await.unwrap();
    assert_eq!(r.bigcommerce.len(), BIGCOMMERCE_SCOPES.len(), "one hook per scope");
    assert_eq!(r.shopify.len(), SHOPIFY_TOPICS.len(), "one subscription per topic");
    let again = app.register_webhooks(RegisterRequest { public_url: url.clone() }).await.unwrap();
    assert_eq!(again.bigcommerce, r.bigcommerce, "registering again keeps the same hooks");

    // A POS sale on Shopify: its stock level changes and the order is created.
    let variant = world.shopify.products[0].variants[0].id;
    let location = world.shopify.products[0].variants[0].levels[0].location_id;
    stores
        .shopify
        .ring_up(&tillbridge_emulator::shopify::PosSale {
            location_id: location,
            lines: vec![tillbridge_emulator::shopify::PosLine {
                variant_id: Some(variant),
                quantity: 1,
                ..Default::default()
            }],
            ..Default::default()
        })
        .unwrap();
    wait_for(&app, "the sale's stock delivery", |inbox| {
        inbox.iter().any(|d| d.source == "shopify" && d.topic == "inventory_levels/update" && d.woke == "stock")
    })
    .await;

    let doctor = app.doctor().await.unwrap();
    let hooks = doctor.checks.iter().find(|c| c.name == "webhooks").unwrap();
    assert_eq!(hooks.state, CheckState::Ok, "all registered hooks are on: {}", hooks.detail);

    // BigCommerce turns a hook off after its deliveries keep failing.
    let (scope, id) = r.bigcommerce.iter().next().unwrap();
    assert!(stores.bigcommerce.set_hook_active(*id, false));
    let doctor = app.doctor().await.unwrap();
    let hooks = doctor.checks.iter().find(|c| c.name == "webhooks").unwrap();
    assert_eq!(hooks.state, CheckState::Warn, "a turned-off hook is a warning, not a failure");
    assert!(hooks.detail.contains("deactivated") && hooks.detail.contains(scope.as_str()), "{}", hooks.detail);
    assert!(doctor.healthy, "polling carries everything meanwhile");
    app.register_webhooks(RegisterRequest { public_url: url.clone() }).await.unwrap();
    let doctor = app.doctor().await.unwrap();
    assert_eq!(
        doctor.checks.iter().find(|c| c.name == "webhooks").unwrap().state,
        CheckState::Ok,
        "registering again turns it back on"
    );

    let removed = app.remove_webhooks().await.unwrap();
    assert_eq!(removed.bigcommerce.len(), BIGCOMMERCE_SCOPES.len());
    assert_eq!(stores.bigcommerce.hook_count(), 0, "BigCommerce holds none of Tillbridge's hooks");
    assert!(app.webhook_registration().await.unwrap().is_none(), "and none is recorded");
    stop.cancel();
}
