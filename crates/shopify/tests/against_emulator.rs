//! The Shopify client against the emulated shop: paging, pacing by query cost, recovery from
//! throttle storms and 5xx, a lost write response, typed refusals, the bulk export, POS orders
//! and refunds, and the token staying secret.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tillbridge_emulator::World;
use tillbridge_emulator::net::ServerHandle;
use tillbridge_emulator::shopify::{GRAPHQL_ROUTE, ShopifyConfig, ShopifyEmulator};
use tillbridge_emulator::world::{
    BcWorld, SeedCustomer, ShLevel, ShLocation, ShOption, ShProduct, ShVariant, ShopifyWorld,
};
use tillbridge_emulator::{FaultConfig, SeedSpec, generate};
use tillbridge_secrets::Secret;
use tillbridge_shopify::gid::*;
use tillbridge_shopify::models::{
    DiscountTarget, FinancialStatus, FulfillmentStatus, InventoryLevel, RestockType, TransactionKind,
};
use tillbridge_shopify::ops::{catalog, customers, inventory, orders};
use tillbridge_shopify::*;
use tillbridge_transport::{Backoff, MemoryAudit, Outcome, SeededJitter, SystemWallClock};

const TOKEN: &str = "shpat_tillbridge_test_9d2c4e7a1b6f3085";
const STORE: u64 = 70_001;
const WAREHOUSE: u64 = 70_002;

struct Rig {
    emulator: ShopifyEmulator,
    server: ServerHandle,
    client: ShopifyClient,
    audit: MemoryAudit,
    http: reqwest::Client,
}

fn parts(audit: &MemoryAudit) -> ClientParts {
    ClientParts {
        audit: Arc::new(audit.clone()),
        jitter: Arc::new(SeededJitter::new(9)),
        clock: Arc::new(SystemWallClock),
        backoff: Backoff { base: Duration::from_millis(20), cap: Duration::from_millis(200), max_attempts: 8 },
        timeout: Duration::from_secs(10),
        waits: std::sync::Arc::new(tillbridge_transport::UnwatchedWaits),
    }
}

async fn rig(world: &World, config: ShopifyConfig) -> Rig {
    let emulator = ShopifyEmulator::new(world, ShopifyConfig { access_token: TOKEN.into(), ..config });
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let audit = MemoryAudit::default();
    let conn = ShopifyConnection {
        shop_url: format!("http://{}", server.addr),
        api_version: DEFAULT_API_VERSION.into(),
        token: Secret::new(TOKEN.into()),
    };
    let client = ShopifyClient::new(&conn, parts(&audit)).unwrap().correlated("test");
    Rig { emulator, server, client, audit, http: reqwest::Client::new() }
}

/// A shop whose bucket never gets in the way, for tests about something else.
fn roomy() -> ShopifyConfig {
    ShopifyConfig { bucket_size: 1_000_000.0, restore_rate: 1_000_000.0, ..ShopifyConfig::default() }
}

impl Rig {
    async fn admin(&self, path: &str) -> Value {
        self.http.get(format!("http://{}{path}", self.server.addr)).send().await.unwrap().json().await.unwrap()
    }

    async fn admin_post(&self, path: &str, body: Value) -> Value {
        let res = self.http.post(format!("http://{}{path}", self.server.addr)).json(&body).send().await.unwrap();
        assert!(res.status().is_success(), "the emulator's admin API accepts {path}");
        res.json().await.unwrap()
    }

    async fn set_throttle(&self, bucket_size: f64, restore_rate: f64) {
        let res = self
            .http
            .put(format!("http://{}/__admin/throttle", self.server.addr))
            .json(&json!({"bucket_size": bucket_size, "restore_rate": restore_rate}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "the emulator takes new bucket limits");
    }

    /// The true `available` of an item at a location, read around the API.
    async fn true_available(&self, item: &InventoryItemId, location: &LocationId) -> Option<i64> {
        let stock = self.admin("/__admin/stock").await;
        stock["levels"].as_array()?.iter().find(|r| {
            r["inventory_item_id"].as_u64() == item.number() && r["location_id"].as_u64() == location.number()
        })?["available"]
            .as_i64()
    }

    fn sends_of(&self, operation: &str) -> u64 {
        self.emulator
            .requests()
            .snapshot()
            .iter()
            .filter(|c| c.route == format!("graphql {operation}"))
            .map(|c| c.count)
            .sum()
    }
}

fn variant(id: u64, product_id: u64, title: &str, sku: &str, price: &str, levels: Vec<ShLevel>) -> ShVariant {
    ShVariant {
        id,
        product_id,
        title: title.into(),
        sku: sku.into(),
        barcode: String::new(),
        price: price.parse().unwrap(),
        compare_at_price: None,
        selected_options: vec![("Size".into(), title.into())],
        inventory_item_id: id + 500_000,
        levels,
        updated_at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
    }
}

fn level(location_id: u64, available: i64) -> ShLevel {
    ShLevel { location_id, available, committed: 0, on_hand: available }
}

/// A till and a warehouse; a tee in three sizes (the large one stocked only at the warehouse)
/// and one customer.
fn small_world() -> World {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap();
    let tee = ShProduct {
        id: 1001,
        title: "Harbour Tee".into(),
        handle: "harbour-tee".into(),
        vendor: "Tillbridge".into(),
        options: vec![ShOption { name: "Size".into(), values: vec!["S".into(), "M".into(), "L".into()] }],
        variants: vec![
            variant(2001, 1001, "S", "TEE-S", "25.00", vec![level(STORE, 10), level(WAREHOUSE, 40)]),
            variant(2002, 1001, "M", "TEE-M", "25.00", vec![level(STORE, 8)]),
            variant(2003, 1001, "L", "TEE-L", "27.50", vec![level(WAREHOUSE, 5)]),
        ],
        created_at: t0,
        updated_at: t0,
    };
    World {
        bigcommerce: BcWorld { locations: vec![], products: vec![] },
        shopify: ShopifyWorld {
            locations: vec![
                ShLocation { id: STORE, name: "Harbour Street Store".into() },
                ShLocation { id: WAREHOUSE, name: "Back Warehouse".into() },
            ],
            products: vec![tee],
        },
        customers: vec![SeedCustomer {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            on_bigcommerce: true,
            on_shopify: true,
        }],
        truth: Default::default(),
    }
}

fn item(variant: u64) -> InventoryItemId {
    InventoryItemId::from_number(variant + 500_000)
}

fn set_available(
    item: &InventoryItemId,
    location: &LocationId,
    quantity: i64,
    change_from: Option<i64>,
) -> SetQuantities {
    SetQuantities {
        name: SettableQuantity::Available,
        reason: InventoryReason::Correction,
        reference_document_uri: Some("gid://tillbridge/Job/1".into()),
        quantities: vec![QuantitySet { item_id: item.clone(), location_id: location.clone(), quantity, change_from }],
    }
}

#[tokio::test]
async fn reads_every_one_of_10000_variants_exactly_once() {
    let world = generate(&SeedSpec { variants: 10_000, ..SeedSpec::default() });
    let expected: HashSet<u64> = world.shopify.products.iter().flat_map(|p| p.variants.iter().map(|v| v.id)).collect();
    let r = rig(&world, roomy()).await;
    let started = Instant::now();
    let pages: Vec<Vec<_>> = r.client.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    let took = started.elapsed();
    let mut seen = HashSet::new();
    for v in pages.iter().flatten() {
        assert!(seen.insert(v.id.number().unwrap()), "variant {} was read twice: pages must not overlap", v.id);
    }
    assert!(expected.len() >= 10_000, "the seeded shop holds at least 10,000 variants ({})", expected.len());
    assert_eq!(seen, expected, "every variant of the shop is read, and nothing else");
    assert_eq!(pages.len(), r.audit.entries().len(), "one request per page, nothing repeated");
    assert!(pages[..pages.len() - 1].iter().all(|p| p.len() == 200), "every page but the last is full");
    eprintln!("read {} variants in {} pages in {took:?}", seen.len(), pages.len());
}

#[tokio::test]
async fn a_delta_read_returns_only_variants_changed_since_the_cursor() {
    let r = rig(&small_world(), roomy()).await;
    let all: Vec<Vec<_>> = r.client.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    assert_eq!(all.concat().len(), 3, "three sizes in the shop");
    let tee_s = all.concat().into_iter().find(|v| v.sku.as_deref() == Some("TEE-S")).unwrap();
    assert_eq!(tee_s.product.title, "Harbour Tee", "the product comes with the variant");
    assert_eq!(tee_s.selected_options[0].value, "S", "and its options");

    let before_change = Utc::now() - chrono::Duration::seconds(1);
    let update = VariantUpdate { price: Some(Decimal::new(2750, 2)), ..VariantUpdate::new(tee_s.id.clone()) };
    let outcome = r.client.update_variants(&tee_s.product.id, &[update]).await.unwrap();
    let updated = outcome.applied().expect("a valid price is applied");
    assert_eq!(updated[0].price, Decimal::new(2750, 2), "the answer carries the new price");

    let delta: Vec<Vec<_>> = r
        .client
        .product_variants(VariantQuery { updated_since: Some(before_change), product: None })
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = delta.concat().into_iter().map(|v| v.id).collect();
    assert_eq!(ids, vec![tee_s.id.clone()], "only the changed variant is in the delta");

    let negative = VariantUpdate { price: Some(Decimal::new(-1, 0)), ..VariantUpdate::new(tee_s.id.clone()) };
    let refused = r.client.update_variants(&tee_s.product.id, &[negative]).await.unwrap();
    assert!(
        matches!(refused, WriteOutcome::Refused(_)),
        "a negative price is refused with reasons, not an error: {refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_tasks_share_a_small_bucket_without_a_single_throttle() {
    let r = rig(&small_world(), ShopifyConfig::default()).await;
    r.set_throttle(100.0, 50.0).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let c = r.client.clone();
            tokio::spawn(async move {
                for n in 0..6 {
                    if (i + n) % 2 == 0 {
                        c.verify().await.unwrap();
                    } else {
                        c.inventory_level(&item(2001), &LocationId::from_number(STORE)).await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let took = started.elapsed();
    let requests = r.emulator.requests();
    assert_eq!(requests.total(), 120, "all 120 calls reached the shop, none twice");
    assert_eq!(requests.with_outcome("THROTTLED"), 0, "the shared governor kept every task inside the bucket");
    // 120 calls × 3 points = 360 from a bucket of 100 refilling at 50/s: at least 5.2 s of waiting.
    assert!(took >= Duration::from_millis(4_500), "the calls really exceeded the bucket and were paced ({took:?})");
    eprintln!("120 calls of 3 points through a 100-point bucket at 50/s in {took:?}, 0 throttled");
}

#[tokio::test]
async fn recovers_from_a_throttle_storm_under_server_errors_without_sending_before_the_restore() {
    let r = rig(&small_world(), ShopifyConfig::default()).await;
    let _: Vec<Vec<_>> = r.client.locations().try_collect().await.unwrap(); // learn the bucket and the cost
    let storm = Duration::from_millis(1_500);
    r.emulator
        .faults()
        .set(FaultConfig { rate_limit_storm_ms: storm.as_millis() as u64, error_rate: 0.2, ..Default::default() })
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let c = r.client.clone();
            tokio::spawn(async move {
                let mut reads = Vec::new();
                for _ in 0..5 {
                    reads.push(c.locations().try_collect::<Vec<_>>().await?);
                }
                Ok::<_, ShopifyError>(reads)
            })
        })
        .collect();
    for t in tasks {
        let reads = t.await.unwrap().expect("every call succeeds once the storm has passed");
        assert!(reads.iter().all(|pages| pages.concat().len() == 2), "and returns the shop's two locations");
    }
    let took = started.elapsed();
    assert!(took >= storm, "nothing succeeded during the storm ({took:?})");
    let throttled = r.emulator.requests().with_outcome("THROTTLED");
    assert!(throttled >= 1, "the storm was met");
    // The storm advertises an empty bucket restoring at 100/s and a locations page costs 52, so
    // after the five calls already on their way, the shared governor can let at most one call
    // out per 0.52 s of storm. (5xx answers carry no bucket report and let nothing out early.)
    let bound = 5 + (storm.as_secs_f64() * 100.0 / 52.0).ceil() as u64 + 1;
    assert!(
        throttled <= bound,
        "{throttled} THROTTLED answers: something was sent before the advertised restore (bound {bound})"
    );
    let errors = r.audit.entries().iter().filter(|e| e.outcome == Outcome::RetryableError).count();
    assert!(errors > 0, "5xx answers were injected and retried ({errors})");
    eprintln!(
        "storm of {storm:?} with 20% 5xx: {throttled} THROTTLED (bound {bound}), {errors} retried errors, done in {took:?}"
    );
}

#[tokio::test]
async fn a_lost_response_to_a_stock_write_is_resent_with_its_key_and_applied_once() {
    let r = rig(&small_world(), roomy()).await;
    let (tee_s, store) = (item(2001), LocationId::from_number(STORE));
    let before = r.client.inventory_level(&tee_s, &store).await.unwrap().unwrap().quantities.available().unwrap();
    assert_eq!(before, 10, "the fixture's starting stock");

    r.emulator
        .faults()
        .set(FaultConfig { drop_after_commit: 1, target: Some(GRAPHQL_ROUTE.into()), ..Default::default() })
        .unwrap();
    let key = IdempotencyKey::for_job("stock:store:TEE-S", "set-available");
    let outcome = r.client.set_quantities(&set_available(&tee_s, &store, 15, Some(before)), &key).await.unwrap();
    assert!(
        matches!(outcome, WriteOutcome::Applied(_)),
        "the resend is answered from Shopify's record, not refused as stale: {outcome:?}"
    );
    assert_eq!(r.sends_of("TillbridgeInventorySetQuantities"), 2, "the write was sent twice: once lost, once answered");
    assert_eq!(r.true_available(&tee_s, &store).await, Some(15), "and applied once: 10 → 15");

    // A relative change shows a double application directly: +3 twice would give 21.
    r.emulator
        .faults()
        .set(FaultConfig { drop_after_commit: 1, target: Some(GRAPHQL_ROUTE.into()), ..Default::default() })
        .unwrap();
    let adjust = AdjustQuantities {
        name: models::QuantityName::Available,
        reason: InventoryReason::Received,
        reference_document_uri: None,
        changes: vec![QuantityChange {
            item_id: tee_s.clone(),
            location_id: store.clone(),
            delta: 3,
            change_from: Some(15),
            ledger_document_uri: None,
        }],
    };
    let key = IdempotencyKey::for_job("stock:store:TEE-S", "receive-3");
    let outcome = r.client.adjust_quantities(&adjust, &key).await.unwrap();
    assert!(matches!(outcome, WriteOutcome::Applied(_)), "the adjustment is applied: {outcome:?}");
    assert_eq!(r.true_available(&tee_s, &store).await, Some(18), "15 + 3 once, not twice");
    let lost = r
        .audit
        .entries()
        .iter()
        .filter(|e| e.endpoint.as_str().contains("Adjust") && e.outcome == Outcome::RetryableError)
        .count();
    assert_eq!(lost, 1, "the lost answer is in the audit log as a retryable failure");
}

#[tokio::test]
async fn refusals_come_back_typed_and_an_unstocked_item_can_be_activated() {
    let r = rig(&small_world(), roomy()).await;
    let (tee_s, store) = (item(2001), LocationId::from_number(STORE));
    let stale = r
        .client
        .set_quantities(&set_available(&tee_s, &store, 4, Some(9)), &IdempotencyKey::for_job("job-stale", "set"))
        .await
        .unwrap();
    assert!(
        stale.is_refused_with(&UserErrorCode::ChangeFromQuantityStale),
        "a stale expectation is the typed CAS refusal: {stale:?}"
    );
    let WriteOutcome::Refused(errors) = &stale else { unreachable!() };
    assert_eq!(errors[0].class(), tillbridge_transport::ErrorClass::Retryable, "a fresh read makes the write possible");
    assert_eq!(r.true_available(&tee_s, &store).await, Some(10), "nothing was written");

    let (tee_l, store_l) = (item(2003), LocationId::from_number(STORE));
    let unstocked = r
        .client
        .set_quantities(&set_available(&tee_l, &store_l, 2, Some(0)), &IdempotencyKey::for_job("job-l", "set"))
        .await
        .unwrap();
    assert!(
        unstocked.is_refused_with(&UserErrorCode::ItemNotStockedAtLocation),
        "the large tee is not stocked at the store: {unstocked:?}"
    );
    assert_eq!(r.client.inventory_level(&tee_l, &store_l).await.unwrap(), None, "no level there yet");
    let activated = r.client.activate_inventory(&tee_l, &store_l).await.unwrap();
    let level: InventoryLevel = activated.applied().expect("activation is applied");
    assert_eq!(level.quantities.available(), Some(0), "a new level starts empty");
    let retried = r
        .client
        .set_quantities(&set_available(&tee_l, &store_l, 2, Some(0)), &IdempotencyKey::for_job("job-l", "set#2"))
        .await
        .unwrap();
    assert!(matches!(retried, WriteOutcome::Applied(_)), "after activation the write goes through: {retried:?}");

    let reused = r
        .client
        .set_quantities(&set_available(&tee_l, &store_l, 3, Some(2)), &IdempotencyKey::for_job("job-l", "set#2"))
        .await
        .unwrap();
    assert!(
        reused.is_refused_with(&UserErrorCode::IdempotencyKeyParameterMismatch),
        "a key reused for another write is named as such: {reused:?}"
    );
}

#[tokio::test]
async fn stock_reads_by_location_and_by_item_agree() {
    let r = rig(&small_world(), roomy()).await;
    let store = LocationId::from_number(STORE);
    let at_store: Vec<Vec<_>> = r.client.inventory_levels_at(&store).try_collect().await.unwrap();
    let at_store = at_store.concat();
    let mut by_item = r.client.inventory_levels_for_items(&[item(2001), item(2002), item(2003)]).await.unwrap();
    by_item.retain(|l| l.location_id == store);
    let key = |l: &InventoryLevel| (l.item_id.clone(), l.quantities.clone());
    let mut a: Vec<_> = at_store.iter().map(key).collect();
    let mut b: Vec<_> = by_item.iter().map(key).collect();
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(a.len(), 2, "the small and medium tees are stocked at the store");
    assert_eq!(a, b, "both reads see the same quantities");
    let s = &at_store.iter().find(|l| l.item_id == item(2001)).unwrap().quantities;
    assert_eq!(
        (s.available(), s.committed(), s.on_hand()),
        (Some(10), Some(0), Some(10)),
        "available, committed and on_hand by name"
    );
    let missing = r.client.inventory_levels_at(&LocationId::from_number(99)).try_collect::<Vec<_>>().await;
    assert!(
        matches!(missing, Err(ShopifyError::Missing { .. })),
        "a deleted location is an error that says so, not an empty shop: {missing:?}"
    );
}

#[tokio::test]
async fn the_bulk_export_rebuilds_every_product_with_its_variants_once() {
    let world = generate(&SeedSpec { variants: 3_000, ..SeedSpec::default() });
    let r = rig(&world, roomy()).await;
    let runner = BulkRunner::new(&r.client).with_schedule(PollSchedule {
        first: Duration::from_millis(20),
        longest: Duration::from_millis(100),
        give_up_after: Duration::from_secs(60),
    });
    let started = Instant::now();
    let products: Vec<models::ProductWithVariants> = runner.products_with_variants().try_collect().await.unwrap();
    let took = started.elapsed();

    let expected: HashMap<u64, (u64, usize)> =
        world.shopify.products.iter().flat_map(|p| p.variants.iter().map(move |v| (v.id, (p.id, 1)))).collect();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    for p in &products {
        for v in &p.variants {
            let previous = seen.insert(v.id.number().unwrap(), p.id.number().unwrap());
            assert!(previous.is_none(), "variant {} came out twice", v.id);
            assert_eq!(v.product.id, p.id, "a variant carries the product it was rebuilt under");
        }
    }
    assert_eq!(seen.len(), expected.len(), "every variant of the shop came out");
    for (variant, product) in &seen {
        assert_eq!(expected.get(variant).map(|e| e.0), Some(*product), "variant {variant} sits under its own product");
    }
    assert_eq!(products.len(), world.shopify.products.len(), "every product came out once");
    let counts = runner.requests();
    assert_eq!((counts.starts, counts.downloads), (1, 1), "one start and one download: {counts:?}");
    assert!(counts.polls >= 1, "it polled until the export completed: {counts:?}");
    eprintln!(
        "bulk export of {} products / {} variants in {took:?} with {} requests ({counts:?})",
        products.len(),
        seen.len(),
        counts.total()
    );
}

#[tokio::test]
async fn pos_orders_read_back_with_lines_taxes_payments_and_refunds() {
    let r = rig(&small_world(), roomy()).await;
    let sale = r
        .admin_post(
            "/__admin/pos/sale",
            json!({
                "location_id": STORE,
                "lines": [{"sku": "TEE-S", "quantity": 2, "discount": "5.00"}],
                "customer_email": "ada@example.com",
                "gateway": "cash",
                "tax_rate": "0.08"
            }),
        )
        .await;
    assert!(sale["order"]["id"].is_number() || sale["order"]["id"].is_string(), "the till rang up a sale: {sale}");
    let since = Utc::now() - chrono::Duration::minutes(5);
    let pages: Vec<Vec<_>> = r.client.pos_orders(Some(since)).try_collect().await.unwrap();
    let orders = pages.concat();
    assert_eq!(orders.len(), 1, "the one POS sale");
    let o = &orders[0];
    assert_eq!(o.source_name.as_deref(), Some("pos"), "it is a POS order");
    assert_eq!(
        o.retail_location.as_ref().map(|l| l.id.clone()),
        Some(LocationId::from_number(STORE)),
        "rung up at the store"
    );
    assert_eq!(
        o.customer.as_ref().and_then(|c| c.email.as_deref()),
        Some("ada@example.com"),
        "for the customer with that email"
    );
    assert_eq!(o.financial_status, Some(FinancialStatus::Paid), "paid at the counter");
    assert_eq!(o.total, Decimal::new(4860, 2), "2 × 25.00 − 5.00 + 8% tax = 48.60, exactly");
    let line = &o.line_items[0];
    assert_eq!(
        (line.sku.as_deref(), line.quantity, line.variant_id.clone()),
        (Some("TEE-S"), 2, Some(VariantId::from_number(2001))),
        "the sold variant"
    );
    assert_eq!(line.tax_lines[0].rate, Some(Decimal::new(8, 2)), "the tax rate as an exact decimal");
    assert_eq!(line.discount_allocations[0].amount, Decimal::new(500, 2), "the discount on the line");
    let sale_tx = o.transactions.iter().find(|t| t.kind == TransactionKind::Sale).expect("a sale transaction");
    assert_eq!(
        (sale_tx.gateway.as_deref(), sale_tx.amount),
        (Some("cash"), Decimal::new(4860, 2)),
        "paid in cash, in full"
    );
    assert!(o.complete, "a small order is read whole on the page");
    assert_eq!(o.fulfillment_status, Some(FulfillmentStatus::Fulfilled), "collected at the counter");
    assert_eq!(o.presentment_currency, o.currency, "shown at the till in the shop's currency");
    assert_eq!(o.presentment_total, o.total, "so the presented total is the shop total");
    assert_eq!(
        line.discount_allocations[0].target,
        DiscountTarget::Explicit,
        "a cashier's line discount is aimed at that line, not spread over the order"
    );
    assert!(!line.gift_card, "a tee is not a gift card");
    let address = o.retail_location.as_ref().and_then(|l| l.address.clone());
    assert!(
        address.as_ref().is_some_and(|a| a.city.is_some() && a.country_code.is_some()),
        "the store's address, which a guest order is billed to: {address:?}"
    );

    let refund = NewRefund {
        order_id: o.id.clone(),
        note: Some("returned one".into()),
        lines: vec![RefundLineInput {
            line_item_id: line.id.clone(),
            quantity: 1,
            restock_type: RestockType::Return,
            location_id: Some(LocationId::from_number(STORE)),
        }],
        money: vec![RefundMoney {
            amount: Decimal::new(2430, 2),
            gateway: "cash".into(),
            parent_id: Some(sale_tx.id.clone()),
        }],
    };
    let key = IdempotencyKey::for_job("refund:order-1:1", "refund");
    r.emulator
        .faults()
        .set(FaultConfig { drop_after_commit: 1, target: Some(GRAPHQL_ROUTE.into()), ..Default::default() })
        .unwrap();
    let made = r.client.create_refund(&refund, &key).await.unwrap().applied().expect("the refund is made");
    let again = r
        .client
        .create_refund(&refund, &key)
        .await
        .unwrap()
        .applied()
        .expect("asking again with the key answers from the record");
    assert_eq!(made.id, again.id, "the same refund both times, although the first answer was lost");
    assert_eq!(made.lines[0].restock_type, RestockType::Return, "the goods went back to stock");
    let order = r.client.order(&o.id).await.unwrap().expect("the order by id");
    assert_eq!(order.refunds.len(), 1, "exactly one refund exists");
    assert_eq!(order.total_refunded, Decimal::new(2430, 2), "for the amount refunded");
    assert_eq!(r.client.order(&OrderId::from_number(1)).await.unwrap(), None, "an unknown order is None, not an error");

    let found = r.client.customers_by_email("ADA@example.com").await.unwrap();
    assert_eq!(found.len(), 1, "the customer is found by email without regard to case");
    assert_eq!(found[0].first_name.as_deref(), Some("Ada"), "with their name");
    assert!(
        r.client.customers_by_email("nobody@example.com").await.unwrap().is_empty(),
        "an unknown email finds no one"
    );
}

#[tokio::test]
async fn webhook_subscriptions_are_created_and_deleted() {
    let r = rig(&small_world(), roomy()).await;
    let made = r.client.subscribe_webhook(WebhookTopic::OrdersCreate, "https://hooks.example/shopify").await.unwrap();
    let sub = made.applied().expect("the subscription is created");
    assert_eq!(sub.topic, WebhookTopic::OrdersCreate, "for the topic asked");
    let twice = r.client.subscribe_webhook(WebhookTopic::OrdersCreate, "https://hooks.example/shopify").await.unwrap();
    assert!(
        matches!(twice, WriteOutcome::Refused(_)),
        "Shopify refuses the same address twice; the caller reads that as already subscribed"
    );
    let deleted = r.client.delete_webhook(&sub.id).await.unwrap();
    assert_eq!(deleted.applied(), Some(sub.id.clone()), "the subscription is deleted");
    assert_eq!(
        r.admin("/__admin/webhooks").await["subscriptions"].as_array().map(Vec::len),
        Some(0),
        "and gone from the shop"
    );
}

#[tokio::test]
async fn static_cost_estimates_never_under_reserve() {
    let r = rig(&small_world(), roomy()).await;
    let samples: Vec<(&Operation, Value)> = vec![
        (&VERIFY, json!({})),
        (&catalog::PRODUCT_VARIANTS, json!({})),
        (&inventory::LOCATIONS, json!({})),
        (&inventory::INVENTORY_LEVELS_AT_LOCATION, json!({"locationId": LocationId::from_number(STORE)})),
        (
            &inventory::INVENTORY_LEVELS_FOR_ITEMS,
            json!({"ids": [item(2001), item(2002), item(2003), item(2001), item(2002)]}),
        ),
        (&inventory::INVENTORY_LEVEL, json!({"itemId": item(2001), "locationId": LocationId::from_number(STORE)})),
        (&orders::POS_ORDERS, json!({"query": "source_name:pos"})),
        (&orders::ORDER, json!({"id": OrderId::from_number(1)})),
        (&customers::CUSTOMERS_BY_EMAIL, json!({"query": "email:\"ada@example.com\""})),
    ];
    for (op, variables) in samples {
        let body: Value = r
            .http
            .post(format!("http://{}/admin/api/{DEFAULT_API_VERSION}/graphql.json", r.server.addr))
            .header("X-Shopify-Access-Token", TOKEN)
            .json(&json!({"query": op.document, "operationName": op.name, "variables": variables}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get("errors").is_none(), "{} runs on the emulated shop: {body}", op.name);
        let requested = body["extensions"]["cost"]["requestedQueryCost"].as_u64().unwrap();
        assert!(
            requested <= u64::from(op.estimated_cost),
            "{} costs {requested}, more than the {} reserved for it",
            op.name,
            op.estimated_cost
        );
        // `nodes(ids:)` is reserved as if Shopify priced every id (its docs do not settle it); the
        // emulator prices the list once, so only that estimate may sit far above.
        if op.name != inventory::INVENTORY_LEVELS_FOR_ITEMS.name {
            assert!(
                requested * 2 >= u64::from(op.estimated_cost),
                "{}: the estimate {} is far above the real {requested}; fix the arithmetic",
                op.name,
                op.estimated_cost
            );
        }
    }
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

    let r = rig(&small_world(), roomy()).await;
    r.emulator.faults().set(FaultConfig { error_rate: 0.3, ..Default::default() }).unwrap();
    let _ = r.client.locations().try_collect::<Vec<_>>().await;
    let _ = r
        .client
        .set_quantities(
            &set_available(&item(2001), &LocationId::from_number(STORE), 3, Some(1)),
            &IdempotencyKey::for_job("j", "w"),
        )
        .await;
    r.emulator.faults().set(FaultConfig { drop_after_commit: 1, ..Default::default() }).unwrap();
    let _ = r.client.verify().await;
    r.emulator.faults().set(FaultConfig::default()).unwrap();
    let runner = BulkRunner::new(&r.client).with_schedule(PollSchedule {
        first: Duration::from_millis(20),
        longest: Duration::from_millis(50),
        give_up_after: Duration::from_secs(30),
    });
    let _ = runner.products_with_variants().try_collect::<Vec<_>>().await;

    let wrong = ShopifyClient::new(
        &ShopifyConnection {
            shop_url: format!("http://{}", r.server.addr),
            api_version: DEFAULT_API_VERSION.into(),
            token: Secret::new(format!("{TOKEN}-wrong")),
        },
        parts(&r.audit),
    )
    .unwrap();
    let err = wrong.verify().await.unwrap_err();
    assert_eq!(err, ShopifyError::Unauthorized, "a wrong token is named as such");
    let unreachable = ShopifyClient::new(
        &ShopifyConnection {
            shop_url: "http://127.0.0.1:9".into(),
            api_version: DEFAULT_API_VERSION.into(),
            token: Secret::new(TOKEN.into()),
        },
        ClientParts {
            backoff: Backoff { base: Duration::from_millis(1), cap: Duration::from_millis(2), max_attempts: 2 },
            ..parts(&r.audit)
        },
    )
    .unwrap();
    let network = unreachable.verify().await.unwrap_err();
    assert_eq!(network.class(), tillbridge_transport::ErrorClass::Retryable, "an unreachable shop is worth retrying");

    let audit_text = format!("{:?}", r.audit.entries());
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let client_debug = format!("{:?}", r.client);
    for (what, text) in [
        ("audit log", &audit_text),
        ("tracing output", &logs),
        ("error message", &err.to_string()),
        ("network error", &network.to_string()),
        ("client debug", &client_debug),
    ] {
        assert!(!text.contains(TOKEN), "the token leaked into the {what}");
    }
    assert!(
        logs.contains("resending the same request"),
        "the lost answer was logged, so the check above looked at real lines"
    );
    assert!(
        r.audit.entries().iter().any(|e| e.endpoint.as_str() == "GET bulk result file"),
        "the bulk download is audited too"
    );
}

#[tokio::test]
async fn the_connection_check_names_the_shop_and_its_time_zone() {
    let r = rig(&small_world(), ShopifyConfig { time_zone: "Pacific/Auckland".into(), ..roomy() }).await;
    let shop = r.client.verify().await.unwrap();
    assert_eq!(
        shop.iana_timezone.as_deref(),
        Some("Pacific/Auckland"),
        "the verify query reads shop {{ ianaTimezone }} in the same request, so the zone costs nothing"
    );
    assert!(shop.myshopify_domain.ends_with(".myshopify.com"), "and still names the shop: {shop:?}");
}
