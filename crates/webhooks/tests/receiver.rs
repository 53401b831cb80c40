//! The webhook receiver against the real sample payloads in `../shared/samples/`, signed by a
//! textbook HMAC written here (not the code under test): a valid delivery is taken once, ten
//! copies of it (across a restart too) have one effect, and a bad signature, truncated JSON, a
//! body over the limit and a stale BigCommerce timestamp are refused with nothing recorded. A
//! `customers/redact` removes every trace of the customer from the data folder.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use sha2::{Digest, Sha256};
use tillbridge_engine::{App, SystemClock, WebhookSource};
use tillbridge_secrets::{MemorySecretStore, Secret};
use tillbridge_store::Store;
use tower::ServiceExt;

const SHOPIFY_SECRET: &str = "shpss_test_client_secret";
const BIGCOMMERCE_SECRET: &str = "bc_test_client_secret";

/// HMAC-SHA256 as RFC 2104 writes it: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with a 64-byte block.
fn textbook_hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(inner_hash.iter().copied()).collect();
    Sha256::digest(&outer).to_vec()
}

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: the shared samples are not at {} (they sit beside the repository)", dir.display());
        None
    }
}

fn sample(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

async fn app_at(db: &Path, secrets: Arc<MemorySecretStore>) -> App {
    let (store, opened) = Store::open(db, Utc::now()).unwrap();
    let app = App::from_parts(store, secrets, Arc::new(SystemClock), opened);
    app.set_webhook_secret(WebhookSource::Shopify, Secret::new(SHOPIFY_SECRET.into())).await.unwrap();
    app.set_webhook_secret(WebhookSource::BigCommerce, Secret::new(BIGCOMMERCE_SECRET.into())).await.unwrap();
    app
}

fn shopify_request(body: &[u8], topic: &str, event: &str, hmac: &str) -> Request<Body> {
    Request::post("/webhooks/shopify")
        .header("content-type", "application/json")
        .header("x-shopify-topic", topic)
        .header("x-shopify-shop-domain", "test-store-3f4j89jg.myshopify.com")
        .header("x-shopify-event-id", event)
        .header("x-shopify-webhook-id", format!("delivery-{event}"))
        .header("x-shopify-triggered-at", "2026-12-06T07:00:00.000Z")
        .header("x-shopify-hmac-sha256", hmac)
        .body(Body::from(body.to_vec()))
        .unwrap()
}

fn signed_shopify(body: &[u8], topic: &str, event: &str) -> Request<Body> {
    shopify_request(body, topic, event, &STANDARD.encode(textbook_hmac(SHOPIFY_SECRET.as_bytes(), body)))
}

fn signed_bigcommerce(body: &[u8], id: &str, timestamp: i64) -> Request<Body> {
    let signed: Vec<u8> = format!("{id}.{timestamp}.").into_bytes().into_iter().chain(body.iter().copied()).collect();
    let signature = format!("v1,{}", STANDARD.encode(textbook_hmac(BIGCOMMERCE_SECRET.as_bytes(), &signed)));
    Request::post("/webhooks/bigcommerce")
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", format!("v1,bm90LXRoaXMtb25l {signature}"))
        .body(Body::from(body.to_vec()))
        .unwrap()
}

async fn send(app: &App, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = tillbridge_webhooks::router(app.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn a_shopify_delivery_counts_once_however_often_it_comes_and_across_a_restart() {
    let Some(dir) = samples() else { return };
    let body = sample(&dir, "shopify/webhook_orders_paid_test_notification_2017.json");
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("tillbridge.db");
    let secrets = Arc::new(MemorySecretStore::default());
    let app = app_at(&db, secrets.clone()).await;

    let (status, answer) = send(&app, signed_shopify(&body, "orders/paid", "event-1")).await;
    assert_eq!(status, StatusCode::OK, "a correctly signed capture is taken: {answer}");
    assert_eq!(answer["duplicate"], false, "the first delivery of the event");
    for copy in 0..9 {
        let (status, answer) = send(&app, signed_shopify(&body, "orders/paid", "event-1")).await;
        assert_eq!((status, &answer["duplicate"]), (StatusCode::OK, &serde_json::json!(true)), "copy {copy}");
    }
    let inbox = app.store().inbox(50).unwrap();
    assert_eq!(inbox.len(), 1, "ten deliveries of one event are one entry: {inbox:?}");
    assert_eq!(inbox[0].woke, "orders", "an order hook wakes the orders poll");
    assert_eq!(inbox[0].resource.as_deref(), Some("order 820982911946154508"), "the order it names, by id");

    drop(app);
    let again = app_at(&db, secrets).await;
    let (_, answer) = send(&again, signed_shopify(&body, "orders/paid", "event-1")).await;
    assert_eq!(answer["duplicate"], true, "after a restart the event is still known");
    assert_eq!(again.store().inbox(50).unwrap().len(), 1, "and still one entry");
}

#[tokio::test]
async fn bad_signatures_broken_bodies_and_floods_are_refused_with_no_effect() {
    let Some(dir) = samples() else { return };
    let body = sample(&dir, "shopify/webhook_inventory_levels_update_test_notification_2020.json");
    let folder = tempfile::tempdir().unwrap();
    let app = app_at(&folder.path().join("t.db"), Arc::new(MemorySecretStore::default())).await;

    let forged = STANDARD.encode(textbook_hmac(b"someone else's secret", &body));
    let (status, answer) = send(&app, shopify_request(&body, "inventory_levels/update", "e-1", &forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong HMAC: {answer}");
    let (status, _) = send(&app, shopify_request(&body, "inventory_levels/update", "e-1", "not base64!")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an unreadable HMAC");

    let truncated = &body[..body.len() / 2];
    let (status, answer) = send(&app, signed_shopify(truncated, "inventory_levels/update", "e-2")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "signed, but truncated JSON: {answer}");
    assert_eq!(answer["code"], "malformed", "the answer says why in {{code, message}} form");

    let nobody = br#"{"shop_id": 954889, "customer": {}}"#;
    let (status, answer) = send(&app, signed_shopify(nobody, "customers/redact", "e-4")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a redaction that names no customer: {answer}");

    let flood = vec![b' '; 10 * 1024 * 1024];
    let (status, answer) = send(&app, signed_shopify(&flood, "inventory_levels/update", "e-3")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "a 10 MB body: {answer}");

    let bc = sample(&dir, "bigcommerce/webhook_store_sku_inventory_updated.json");
    let stale = Utc::now().timestamp() - 6 * 60;
    let (status, answer) = send(&app, signed_bigcommerce(&bc, "msg_old", stale)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a timestamp six minutes old is a replay: {answer}");
    let ahead = Utc::now().timestamp() + 6 * 60;
    let (status, _) = send(&app, signed_bigcommerce(&bc, "msg_future", ahead)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "so is one six minutes ahead");

    assert!(app.store().inbox(50).unwrap().is_empty(), "nothing refused was recorded");
}

#[tokio::test]
async fn a_bigcommerce_delivery_wakes_stock_once_and_checks_the_custom_header_it_was_registered_with() {
    let Some(dir) = samples() else { return };
    let folder = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let app = app_at(&folder.path().join("t.db"), secrets.clone()).await;
    let body = sample(&dir, "bigcommerce/webhook_store_sku_inventory_updated.json");
    let now = Utc::now().timestamp();

    let (status, answer) = send(&app, signed_bigcommerce(&body, "msg_1", now)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, answer) = send(&app, signed_bigcommerce(&body, "msg_1", now)).await;
    assert_eq!(answer["duplicate"], true, "BigCommerce's retry of the same delivery");
    let inbox = app.store().inbox(10).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!((inbox[0].woke.as_str(), inbox[0].resource.as_deref()), ("stock", Some("sku 461")));

    // Once Tillbridge has registered its hooks, each carries a custom header it chose.
    use tillbridge_secrets::SecretStore;
    secrets.set("tillbridge:webhooks:bigcommerce-header", &Secret::new("header-value".into())).unwrap();
    let (status, answer) = send(&app, signed_bigcommerce(&body, "msg_2", now)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed, but without the header: {answer}");
    let mut with_header = signed_bigcommerce(&body, "msg_3", now);
    with_header.headers_mut().insert("x-tillbridge-hook", "header-value".parse().unwrap());
    let (status, answer) = send(&app, with_header).await;
    assert_eq!(status, StatusCode::OK, "signed and with the header: {answer}");
}

/// Every file under `dir` (the database, its WAL and anything beside it) as bytes.
fn folder_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn holds(files: &[(PathBuf, Vec<u8>)], needle: &str) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(p, _)| p.clone())
        .collect()
}

#[tokio::test]
async fn customers_redact_leaves_no_trace_of_the_customer_in_the_data_folder() {
    let Some(dir) = samples() else { return };
    let body = sample(&dir, "shopify/webhook_customers_redact.json");
    let folder = tempfile::tempdir().unwrap();
    let app = app_at(&folder.path().join("tillbridge.db"), Arc::new(MemorySecretStore::default())).await;
    // The customer as Tillbridge keeps one: a link by Shopify id with a salted hash of the email.
    let salt = "f00dfeed";
    app.store().set_setting("orders.email_salt", &salt, Utc::now()).unwrap();
    let hash: String = Sha256::digest(format!("{salt}:john@example.com")).iter().map(|b| format!("{b:02x}")).collect();
    app.store().save_customer_link("gid://shopify/Customer/191167", 7001, Some(&hash), Utc::now()).unwrap();
    app.store().record_newsletter("gid://shopify/Customer/191167", Utc::now()).unwrap();
    app.store().save_customer_link("gid://shopify/Customer/5", 7002, Some("another-hash"), Utc::now()).unwrap();
    let before = folder_bytes(folder.path());
    assert!(!holds(&before, "Customer/191167").is_empty(), "the link is on disk before the request");

    let (status, answer) = send(&app, signed_shopify(&body, "customers/redact", "redact-1")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store().customer_link("gid://shopify/Customer/191167").unwrap(), None, "the link is gone");
    assert_eq!(app.store().customer_link("gid://shopify/Customer/5").unwrap(), Some(7002), "others stay");
    // Checkpoint so what SQLite keeps in its WAL is in the main file too, then look everywhere.
    app.store().checkpoint().unwrap();
    let after = folder_bytes(folder.path());
    for needle in ["191167", "john@example.com", &hash, "555-625-1199"] {
        assert!(holds(&after, needle).is_empty(), "{needle} is still in {:?}", holds(&after, needle));
    }
    let inbox = app.store().inbox(10).unwrap();
    assert_eq!((inbox[0].woke.as_str(), inbox[0].resource.as_deref()), ("privacy", None), "no id in the inbox");
}
