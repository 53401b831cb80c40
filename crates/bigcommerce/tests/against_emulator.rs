//! The BigCommerce client against the emulated store: paging, pacing, recovery, lost responses,
//! partial batches, and the token staying secret.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use tillbridge_bigcommerce::models::{BillingAddress, NewOrder, NewOrderLine, VariantUpdate};
use tillbridge_bigcommerce::{BcConnection, BcError, BigCommerceClient, ProductQuery};
use tillbridge_emulator::bigcommerce::{BcConfig, BigCommerceEmulator};
use tillbridge_emulator::net::ServerHandle;
use tillbridge_emulator::{FaultConfig, SeedSpec, generate};
use tillbridge_secrets::Secret;
use tillbridge_transport::{Backoff, ClientParts, MemoryAudit, Outcome, SeededJitter, SystemWallClock};

const TOKEN: &str = "bc-test-token-7f3a9c2e5d1b";

struct Rig {
    emulator: BigCommerceEmulator,
    _server: ServerHandle,
    client: BigCommerceClient,
    audit: MemoryAudit,
}

async fn rig(variants: usize, config: BcConfig) -> Rig {
    let world = generate(&SeedSpec { variants, ..SeedSpec::default() });
    let emulator = BigCommerceEmulator::new(&world, BcConfig { access_token: TOKEN.into(), ..config });
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let audit = MemoryAudit::default();
    let parts = ClientParts {
        audit: Arc::new(audit.clone()),
        jitter: Arc::new(SeededJitter::new(9)),
        clock: Arc::new(SystemWallClock),
        backoff: Backoff { base: Duration::from_millis(20), cap: Duration::from_millis(200), max_attempts: 8 },
        timeout: Duration::from_secs(10),
        waits: std::sync::Arc::new(tillbridge_transport::UnwatchedWaits),
    };
    let conn = BcConnection {
        api_url: BigCommerceEmulator::api_url(server.addr),
        store_hash: emulator.store_hash().to_string(),
        token: Secret::new(TOKEN.into()),
    };
    let client = BigCommerceClient::new(&conn, parts).unwrap().correlated("test");
    Rig { emulator, _server: server, client, audit }
}

fn fast_window(quota: u32, window_ms: u64) -> BcConfig {
    BcConfig { quota, window: Duration::from_millis(window_ms), ..BcConfig::default() }
}

#[tokio::test]
async fn reads_every_one_of_10000_variants_exactly_once() {
    let r = rig(10_000, BcConfig::default()).await;
    let pages: Vec<_> =
        r.client.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let mut seen = HashSet::new();
    let mut total = 0;
    for v in pages.iter().flatten().flat_map(|p| &p.variants) {
        total += 1;
        assert!(seen.insert(v.id), "variant {} was read twice: paging must not overlap", v.id);
    }
    assert!(total >= 10_000, "every variant of the store is read (got {total})");
    assert_eq!(pages.len(), r.audit.entries().len(), "one request per page, nothing repeated");
}

#[tokio::test]
async fn twenty_tasks_share_one_quota_without_a_single_429() {
    let r = rig(200, fast_window(150, 1_500)).await;
    let client = r.client.clone();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..30 {
                    c.locations().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let requests = r.emulator.requests();
    assert_eq!(requests.total(), 600, "all 600 calls reached the store");
    assert_eq!(requests.with_outcome("429"), 0, "the shared governor kept every task inside the quota");
}

#[tokio::test]
async fn recovers_from_a_429_storm_without_sending_before_the_reset() {
    let r = rig(200, BcConfig::default()).await;
    r.client.locations().await.unwrap(); // learn the quota
    r.emulator.faults().set(FaultConfig { rate_limit_storm_ms: 1_200, ..Default::default() }).unwrap();
    let started = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let c = r.client.clone();
            tokio::spawn(async move { c.locations().await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every call succeeds once the storm has passed");
    }
    assert!(started.elapsed() >= Duration::from_millis(1_150), "nothing succeeded during the storm");
    let refused = r.emulator.requests().with_outcome("429");
    assert!(refused >= 1, "the storm was met");
    // One probe meets the storm; everyone then waits for the advertised reset instead of retrying into it.
    assert!(
        refused <= 5,
        "at most one refusal per task already on its way, got {refused}: nothing is sent before the reset"
    );
}

#[tokio::test]
async fn recovers_from_a_20_percent_rate_of_server_errors() {
    let r = rig(500, BcConfig::default()).await;
    r.emulator.faults().set(FaultConfig { error_rate: 0.2, ..Default::default() }).unwrap();
    for _ in 0..40 {
        r.client.locations().await.expect("retries carry every read through injected 5xx");
    }
    let failed = r.audit.entries().iter().filter(|e| e.outcome == Outcome::RetryableError).count();
    assert!(failed > 0, "errors were injected and retried ({failed})");
}

fn order(external_id: &str) -> NewOrder {
    NewOrder {
        customer_id: 0,
        status_id: 11,
        channel_id: 1,
        external_source: "POS (Shopify)".into(),
        external_order_id: external_id.into(),
        billing_address: BillingAddress {
            first_name: "Walk-in".into(),
            last_name: "Customer".into(),
            street_1: "1 Harbour St".into(),
            city: "Portsmouth".into(),
            state: "Hampshire".into(),
            zip: "PO1 2AB".into(),
            country: "United Kingdom".into(),
            country_iso2: "GB".into(),
            email: "walk-in@example.com".into(),
        },
        products: vec![NewOrderLine::Custom {
            name: "Gift wrap".into(),
            sku: "WRAP".into(),
            quantity: 1,
            price_inc_tax: Decimal::new(500, 2),
            price_ex_tax: Decimal::new(417, 2),
        }],
        discount_amount: Decimal::ZERO,
        subtotal_ex_tax: Decimal::new(417, 2),
        subtotal_inc_tax: Decimal::new(500, 2),
        shipping_cost_ex_tax: Decimal::ZERO,
        shipping_cost_inc_tax: Decimal::ZERO,
        total_ex_tax: Decimal::new(417, 2),
        total_inc_tax: Decimal::new(500, 2),
        payment_method: "cash".into(),
        staff_notes: None,
    }
}

#[tokio::test]
async fn a_lost_order_response_never_becomes_two_orders() {
    let r = rig(100, BcConfig::default()).await;
    r.emulator
        .faults()
        .set(FaultConfig {
            drop_after_commit: 1,
            target: Some("POST /stores/{store_hash}/v2/orders".into()),
            ..Default::default()
        })
        .unwrap();
    let created =
        r.client.create_order(&order("gid://shopify/Order/5001")).await.expect("the create succeeds from our side");
    let again = r.client.create_order(&order("gid://shopify/Order/5001")).await.unwrap();
    assert_eq!(created.id, again.id, "asking twice for the same POS order returns the same BigCommerce order");
    let orders = r.emulator.orders_snapshot();
    let matching = orders
        .as_array()
        .or_else(|| orders.get("orders").and_then(|o| o.as_array()))
        .unwrap()
        .iter()
        .filter(|o| o["external_order_id"] == "gid://shopify/Order/5001")
        .count();
    assert_eq!(matching, 1, "exactly one order exists although the first response was lost");
}

#[tokio::test]
async fn a_bad_item_in_a_batch_is_reported_and_the_rest_applied() {
    let r = rig(100, BcConfig::default()).await;
    let page: Vec<_> =
        r.client.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let variants: Vec<_> = page.iter().flatten().flat_map(|p| p.variants.clone()).take(3).collect();
    let taken_sku = variants[0].sku.clone();
    let updates = vec![
        VariantUpdate { id: variants[1].id, price: Some(Decimal::new(1234, 2)), ..Default::default() },
        // A SKU another variant already has: BigCommerce refuses this one item.
        VariantUpdate { id: variants[2].id, sku: Some(taken_sku), ..Default::default() },
    ];
    let outcome = r.client.update_variants(&updates).await.unwrap();
    assert_eq!(outcome.applied, vec![variants[1].id], "the good item is applied");
    assert!(outcome.failed.contains_key(&variants[2].id), "the bad item is named: {:?}", outcome.failed);
    let after: Vec<_> = r
        .client
        .products(ProductQuery { ids: vec![variants[1].product_id], include_variants: true, ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    let v = after.iter().flatten().flat_map(|p| &p.variants).find(|v| v.id == variants[1].id).unwrap();
    assert_eq!(v.price, Some(Decimal::new(1234, 2)), "and the store really has the new price");
}

/// Collects tracing output so the test can grep it for the token.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_appears_in_no_audit_row_log_line_or_error() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || sink.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let r = rig(100, BcConfig::default()).await;
    r.emulator.faults().set(FaultConfig { error_rate: 0.3, ..Default::default() }).unwrap();
    let _ = r.client.locations().await;
    let _ = r.client.create_order(&order("gid://shopify/Order/77")).await;
    // A wrong token, so an error message is produced too.
    let wrong = BigCommerceClient::new(
        &BcConnection {
            api_url: BigCommerceClient::base_url_for_tests(&r.client),
            store_hash: r.emulator.store_hash().into(),
            token: Secret::new(format!("{TOKEN}-wrong")),
        },
        ClientParts {
            audit: Arc::new(r.audit.clone()),
            jitter: Arc::new(SeededJitter::new(1)),
            clock: Arc::new(SystemWallClock),
            backoff: Backoff::default(),
            timeout: Duration::from_secs(5),
            waits: std::sync::Arc::new(tillbridge_transport::UnwatchedWaits),
        },
    )
    .unwrap();
    let err = wrong.locations().await.unwrap_err();
    assert_eq!(err, BcError::Unauthorized, "a wrong token is named as such");

    let audit_text = format!("{:?}", r.audit.entries());
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for (what, text) in [("audit log", &audit_text), ("tracing output", &logs), ("error message", &err.to_string())] {
        assert!(!text.contains(TOKEN), "the token leaked into the {what}");
    }
    assert!(!r.audit.entries().is_empty(), "calls were audited");
}

fn drop_once(r: &Rig, route: &str) {
    r.emulator
        .faults()
        .set(FaultConfig { drop_after_commit: 1, target: Some(route.into()), ..Default::default() })
        .unwrap();
}

#[tokio::test]
async fn a_lost_customer_batch_response_creates_no_duplicates() {
    use tillbridge_bigcommerce::models::NewCustomer;
    let r = rig(100, BcConfig::default()).await;
    let people: Vec<NewCustomer> = (0..12)
        .map(|i| NewCustomer {
            email: format!("pos.buyer{i}@example.com"),
            first_name: "Pos".into(),
            last_name: format!("Buyer{i}"),
        })
        .collect();
    drop_once(&r, "POST /stores/{store_hash}/v3/customers");
    let created = r.client.create_customers(&people).await.expect("the batch completes despite the lost response");
    let emails: Vec<String> = people.iter().map(|p| p.email.clone()).collect();
    let stored = r.client.customers_by_email(&emails).await.unwrap();
    assert_eq!(stored.len(), 12, "each customer exists once in the store");
    let unique: HashSet<i64> = created.iter().map(|c| c.id).collect();
    assert_eq!(unique.len(), 12, "and is reported once, whether created now or found after the lost response");
}

#[tokio::test]
async fn a_relative_adjustment_is_never_resent_blindly() {
    use tillbridge_bigcommerce::models::InventoryAdjustment;
    let r = rig(100, BcConfig::default()).await;
    let page: Vec<_> =
        r.client.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let variant = page.iter().flatten().find(|p| p.inventory_tracking == "variant").unwrap().variants[0].clone();
    let item = InventoryAdjustment::of_variant(1, variant.id, 5);
    let stock = |r: &Rig| {
        let snapshot = r.emulator.stock_snapshot();
        serde_json::to_string(&snapshot).unwrap()
    };
    let before = stock(&r);
    drop_once(&r, "POST /stores/{store_hash}/v3/inventory/adjustments/relative");
    let err = r.client.adjust_stock(&[item], "test").await.unwrap_err();
    assert!(
        matches!(err, BcError::OutcomeUnknown { .. }),
        "a lost relative write is reported as unknown, not retried: {err}"
    );
    assert_ne!(stock(&r), before, "the store did apply it once");
    let relative_posts: u64 = r
        .emulator
        .requests()
        .snapshot()
        .iter()
        .filter(|c| c.route.contains("adjustments/relative"))
        .map(|c| c.count)
        .sum();
    assert_eq!(relative_posts, 1, "and the client sent it exactly once");
}

#[tokio::test]
async fn the_store_profile_gives_the_stores_time_zone() {
    let r = rig(10, BcConfig { time_zone: Some("Europe/Berlin".into()), ..BcConfig::default() }).await;
    let info = r.client.store_information().await.unwrap();
    assert_eq!(info.time_zone(), Some("Europe/Berlin"), "GET /v2/store names the zone by its IANA name");
    let tz = info.timezone.unwrap();
    assert_eq!(
        (tz.raw_offset, tz.dst_offset, tz.dst_correction),
        (Some(3_600), Some(7_200), Some(true)),
        "with the offsets in seconds, as the spec's Timezone gives them"
    );
    let unset = rig(10, BcConfig { time_zone: None, ..BcConfig::default() }).await;
    assert_eq!(
        unset.client.store_information().await.unwrap().time_zone(),
        None,
        "a profile without a timezone reads as no zone, not as an error"
    );
}
