//! Stock per location end to end against the emulated stores, three locations and seeded drift:
//! the first cycle aligns every cell, a POS sale reaches BigCommerce at its location, an online
//! order reaches Shopify, sales of the last units on both sides merge (or wait for a person under
//! `manual`), a stale BigCommerce read is not an echo, and bad input changes nothing.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use tillbridge_bigcommerce::BigCommerceClient;
use tillbridge_bigcommerce::models::{BillingAddress, InventoryAdjustment, NewOrder, NewOrderLine};
use tillbridge_domain::stock::{DriftAction, DriftReason, Owner, SameWindow};
use tillbridge_emulator::shopify::{PosLine, PosSale};
use tillbridge_emulator::{FaultConfig, RunningStores, SeedSpec};
use tillbridge_engine::stock::LocationPairView;
use tillbridge_engine::{
    App, Capability, ConflictsQuery, DriftQuery, ErrorKind, HomeQuery, LocationRules, LocationRulesRequest,
    MapLocationsRequest, MappingQuery, ResolveConflictRequest, RunResult, RunsQuery, RuntimeOptions, Scope,
    StockSyncReport, StockSyncRequest, SyncPhase, SyncRequest,
};
use tillbridge_shopify::gid::LocationId;
use tillbridge_shopify::{ShopifyClient, VariantQuery};
use tillbridge_store::{Direction, System};

use support::{ShiftedClock, connected_at, connected_with, merchant};

async fn stores() -> RunningStores {
    support::stores(SeedSpec { variants: 40, locations: 3, ..SeedSpec::default() }).await
}

/// An app connected to both stores, with the catalog matched and the three locations paired by
/// name under `same_window`.
async fn paired(s: &RunningStores, same_window: SameWindow) -> (App, Vec<LocationPairView>) {
    paired_with(s, same_window, RuntimeOptions::one_shot()).await
}

async fn paired_with(
    s: &RunningStores,
    same_window: SameWindow,
    options: RuntimeOptions,
) -> (App, Vec<LocationPairView>) {
    pair_all(connected_with(s, None, options).await, same_window).await
}

async fn pair_all(app: App, same_window: SameWindow) -> (App, Vec<LocationPairView>) {
    let p = app.sync_run(SyncRequest::new(Scope::Full, false)).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the catalog sync matches the products first: {:?}", p.error);
    let live = app.locations().await.unwrap();
    assert_eq!(live.bigcommerce.len(), 3, "the seed made three BigCommerce locations");
    let mut pairs = Vec::new();
    for bc in &live.bigcommerce {
        let shop = live.shopify.iter().find(|l| l.name == bc.name).expect("each location exists on both stores");
        let pair = app
            .map_locations(MapLocationsRequest {
                bigcommerce_location_id: bc.id.parse().unwrap(),
                shopify_location_id: shop.id.clone(),
                rules: LocationRules { owner: Owner::Both, same_window, hold_back: 0, cap: None },
            })
            .await
            .unwrap();
        pairs.push(pair);
    }
    (app, pairs)
}

async fn cycle(app: &App) -> StockSyncReport {
    app.stock_sync(StockSyncRequest::default()).await.unwrap()
}

/// What both stores hold now, per (BigCommerce variant, BigCommerce location) and
/// (Shopify item, Shopify location).
struct Shelf {
    bigcommerce: HashMap<(i64, i64), i64>,
    shopify: HashMap<(String, String), i64>,
}

async fn shelf(bc: &BigCommerceClient, sh: &ShopifyClient, pairs: &[LocationPairView]) -> Shelf {
    let mut bigcommerce = HashMap::new();
    let pages: Vec<_> = bc.inventory_items(&[]).try_collect().await.unwrap();
    for item in pages.into_iter().flatten() {
        for at in item.locations {
            bigcommerce.insert((item.identity.variant_id, at.location_id), at.available_to_sell);
        }
    }
    let mut shopify = HashMap::new();
    for pair in pairs {
        let pages: Vec<_> =
            sh.inventory_levels_at(&LocationId(pair.shopify_location_id.clone())).try_collect().await.unwrap();
        for level in pages.into_iter().flatten() {
            shopify.insert((level.item_id.0, level.location_id.0), level.quantities.available().unwrap_or(0));
        }
    }
    Shelf { bigcommerce, shopify }
}

/// A synced item: its BigCommerce product and variant, its Shopify variant number and item.
#[derive(Debug, Clone)]
struct Item {
    product: i64,
    variant: i64,
    shopify_variant: u64,
    shopify_item: String,
}

/// The synced items, from the first cycle's report (every cell gets a first-alignment note).
async fn items(first: &StockSyncReport, sh: &ShopifyClient) -> Vec<Item> {
    let variants: Vec<_> = sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    let by_item: HashMap<String, u64> =
        variants.into_iter().flatten().map(|v| (v.inventory_item_id.0.clone(), v.id.number().unwrap())).collect();
    let mut out: Vec<Item> = Vec::new();
    for cell in &first.cells {
        if !out.iter().any(|i| i.variant == cell.bigcommerce_variant_id) {
            out.push(Item {
                product: cell.bigcommerce_product_id,
                variant: cell.bigcommerce_variant_id,
                shopify_variant: by_item[&cell.shopify_item_id],
                shopify_item: cell.shopify_item_id.clone(),
            });
        }
    }
    out
}

fn shopify_number(pair: &LocationPairView) -> u64 {
    LocationId(pair.shopify_location_id.clone()).number().unwrap()
}

fn pos_sale(pair: &LocationPairView, item: &Item, quantity: i64) -> PosSale {
    PosSale {
        location_id: shopify_number(pair),
        lines: vec![PosLine { variant_id: Some(item.shopify_variant), quantity, ..PosLine::default() }],
        ..PosSale::default()
    }
}

fn online_order(item: &Item, quantity: i64) -> NewOrder {
    NewOrder {
        customer_id: 0,
        status_id: 11,
        channel_id: 1,
        external_source: "web".into(),
        external_order_id: format!("web-{}-{quantity}", item.variant),
        billing_address: BillingAddress {
            first_name: "Ada".into(),
            last_name: "Shopper".into(),
            street_1: "1 Main St".into(),
            city: "Springfield".into(),
            state: "Oregon".into(),
            zip: "97477".into(),
            country: "United States".into(),
            country_iso2: "US".into(),
            email: "ada@example.com".into(),
        },
        products: vec![NewOrderLine::Catalog {
            product_id: item.product,
            variant_id: item.variant,
            quantity,
            price_inc_tax: Decimal::new(1000, 2),
            price_ex_tax: Decimal::new(1000, 2),
        }],
        discount_amount: Decimal::ZERO,
        subtotal_ex_tax: Decimal::new(1000, 2) * Decimal::from(quantity),
        subtotal_inc_tax: Decimal::new(1000, 2) * Decimal::from(quantity),
        shipping_cost_ex_tax: Decimal::ZERO,
        shipping_cost_inc_tax: Decimal::ZERO,
        total_ex_tax: Decimal::new(1000, 2) * Decimal::from(quantity),
        total_inc_tax: Decimal::new(1000, 2) * Decimal::from(quantity),
        payment_method: "card".into(),
        staff_notes: None,
    }
}

fn both(shelf: &Shelf, pair: &LocationPairView, item: &Item) -> (i64, i64) {
    (
        shelf.bigcommerce.get(&(item.variant, pair.bigcommerce_location_id)).copied().unwrap_or(0),
        shelf.shopify.get(&(item.shopify_item.clone(), pair.shopify_location_id.clone())).copied().unwrap_or(0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_on_either_side_reach_the_other_at_their_location_and_nothing_echoes() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Merge).await;

    let first = cycle(&app).await;
    assert!(first.counts.first_alignments > 0, "the first cycle aligns every cell: {:?}", first.counts);
    assert_eq!(first.failed, 0, "no write of the alignment failed");
    let items = items(&first, &sh).await;
    assert!(items.len() >= 10, "enough matched items to test with: {}", items.len());
    let aligned = shelf(&bc, &sh, &pairs).await;
    for pair in &pairs {
        for item in &items {
            let (b, s) = both(&aligned, pair, item);
            assert_eq!(b, s, "{item:?} at {} is aligned", pair.name);
        }
    }
    let reads = |label: &str| {
        s.shopify
            .requests()
            .snapshot()
            .iter()
            .filter(|c| c.route == format!("graphql {label}"))
            .map(|c| c.count)
            .sum::<u64>()
    };
    let whole_before = reads("TillbridgeInventoryLevelsAtLocation");
    let again = cycle(&app).await;
    assert_eq!(again.counts.writes, 0, "our own writes are not changes to carry back: {:?}", again.cells);
    assert_eq!(
        reads("TillbridgeInventoryLevelsAtLocation"),
        whole_before,
        "once every item has been seen, a cycle reads no Shopify location whole"
    );
    assert_eq!(
        reads("TillbridgeInventoryLevelsChangedAtLocation"),
        3,
        "it reads what changed since the last cycle, once per location"
    );
    // That read found the alignment's writes, the newest changes. The next starts one overlap
    // before them and finds nothing newer, which settles each location's cursor: later quiet
    // cycles start at it instead of re-reading the alignment's writes every time.
    assert_eq!(cycle(&app).await.counts.writes, 0);
    for pair in &pairs {
        let at = |key: &str| -> Option<chrono::DateTime<chrono::Utc>> {
            app.store().setting(&format!("stock.{key}.shopify.{}", pair.shopify_location_id)).unwrap()
        };
        assert!(at("cursor").is_some(), "{} has a cursor", pair.name);
        assert_eq!(at("cursor_settled"), at("cursor"), "{}'s cursor is settled after a quiet read", pair.name);
    }

    // A POS sale at the second location reaches BigCommerce at that location only.
    let (a, item) = (&pairs[1], &items[0]);
    let (before, _) = both(&aligned, a, item);
    s.shopify.ring_up(&pos_sale(a, item, 1)).unwrap();
    let carried = cycle(&app).await;
    assert_eq!(carried.counts.writes, 1, "one write: BigCommerce at that location: {:?}", carried.cells);
    let after = shelf(&bc, &sh, &pairs).await;
    assert_eq!(both(&after, a, item), (before - 1, before - 1), "the sale is on both stores at {}", a.name);
    for other in pairs.iter().filter(|p| p.id != a.id) {
        assert_eq!(both(&after, other, item), both(&aligned, other, item), "{} is untouched", other.name);
    }

    // An online order on BigCommerce takes stock at its default location; it reaches Shopify there.
    let web = pairs.iter().find(|p| p.bigcommerce_location_id == 1).expect("BigCommerce's default location is paired");
    let web_item = &items[1];
    let (web_before, _) = both(&after, web, web_item);
    bc.create_order(&online_order(web_item, 2)).await.unwrap();
    cycle(&app).await;
    let after_order = shelf(&bc, &sh, &pairs).await;
    assert_eq!(
        both(&after_order, web, web_item),
        (web_before - 2, web_before - 2),
        "the online order's two units leave Shopify too"
    );
    let quiet = cycle(&app).await;
    assert_eq!(quiet.counts.writes, 0, "and nothing bounces back");

    // Resync one location: only its cells are read and planned; the other waits for the next cycle.
    s.shopify.ring_up(&pos_sale(&pairs[0], item, 1)).unwrap();
    s.shopify.ring_up(&pos_sale(&pairs[2], item, 1)).unwrap();
    let one =
        app.stock_sync(StockSyncRequest { pair_id: Some(pairs[0].id), ..StockSyncRequest::default() }).await.unwrap();
    assert_eq!(one.counts.cells * 3, first.counts.cells, "one location of three is looked at");
    assert_eq!(one.counts.writes, 1, "its sale is carried");
    let rest = cycle(&app).await;
    assert_eq!(rest.counts.writes, 1, "the other location's sale was left for the full cycle, not dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_units_sold_on_both_sides_merge_or_wait_for_a_person() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Manual).await;
    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    let pair = &pairs[0];
    let aligned = shelf(&bc, &sh, &pairs).await;
    let item = items.iter().find(|i| both(&aligned, pair, i).0 >= 2).expect("an item with two units or more");
    let (units, _) = both(&aligned, pair, item);

    // The last units: Shopify sells all of them at the till, BigCommerce one online.
    s.shopify.ring_up(&pos_sale(pair, item, units)).unwrap();
    let web = pairs.iter().find(|p| p.bigcommerce_location_id == 1).unwrap();
    assert_eq!(web.id, pair.id, "the online order takes stock at the same location");
    bc.create_order(&online_order(item, 1)).await.unwrap();

    let raised = cycle(&app).await;
    assert_eq!(raised.counts.conflicts, 1, "both sides changed under manual: {:?}", raised.cells);
    let open = app.stock_conflicts(ConflictsQuery::default()).await.unwrap();
    assert_eq!(open.len(), 1, "one conflict waits");
    let conflict = &open[0];
    assert_eq!(conflict.sum, -1, "all the units and one more were sold: the sum is an oversell of one");
    let held = cycle(&app).await;
    assert_eq!(held.counts.writes, 0, "nothing is written while a person decides");

    // Bad input is refused with a clear error and settles nothing.
    for bad in ["-1", "2.5", "lots"] {
        let e =
            app.resolve_stock_conflict(ResolveConflictRequest { id: conflict.id, keep: bad.into() }).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{bad:?} is refused: {}", e.message);
    }
    assert_eq!(app.stock_conflicts(ConflictsQuery::default()).await.unwrap().len(), 1, "the conflict is still open");

    let settled =
        app.resolve_stock_conflict(ResolveConflictRequest { id: conflict.id, keep: "sum".into() }).await.unwrap();
    assert_eq!(settled.stock, Some(-1), "the decision is kept");
    cycle(&app).await;
    let after = shelf(&bc, &sh, &pairs).await;
    let (b, shop) = both(&after, pair, item);
    assert_eq!(shop, -1, "Shopify shows the oversell: both sales counted");
    assert_eq!(b, 0, "BigCommerce cannot go below its safety stock, so it stops at zero");
    let settled_cycle = cycle(&app).await;
    assert_eq!(settled_cycle.counts.conflicts, 0, "no new conflict is raised for a decided item");
    assert_eq!(settled_cycle.counts.writes, 0, "and the item is in step: 0 is what -1 looks like on BigCommerce");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_bigcommerce_read_is_not_an_echo() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Merge).await;
    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    let (pair, item) = (&pairs[2], &items[3]);
    let aligned = shelf(&bc, &sh, &pairs).await;
    let (before, _) = both(&aligned, pair, item);

    // BigCommerce now answers reads with its stock as of three seconds ago.
    let faults = s.bigcommerce.faults();
    faults.set(FaultConfig { stale_read_ms: 3_000, ..faults.config() }).unwrap();
    s.shopify.ring_up(&pos_sale(pair, item, 1)).unwrap();
    let carried = cycle(&app).await;
    assert_eq!(carried.counts.writes, 1, "the sale goes to BigCommerce");
    let stale = cycle(&app).await;
    assert_eq!(
        stale.counts.writes, 0,
        "BigCommerce still shows the stock from before our write; that is not a +1 to send to Shopify: {:?}",
        stale.cells
    );
    assert!(
        stale.cells.iter().any(|c| c.notes.iter().any(|n| n.contains("still showed the value from before our write"))),
        "the read was stale, and the report says so: {:?}",
        stale.cells
    );
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let settled = cycle(&app).await;
    assert_eq!(settled.counts.writes, 0, "once BigCommerce catches up, the cell is in step");
    faults.set(FaultConfig { stale_read_ms: 0, ..faults.config() }).unwrap();
    let after = shelf(&bc, &sh, &pairs).await;
    assert_eq!(both(&after, pair, item), (before - 1, before - 1), "one sale, counted once on each side");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_location_pair_is_checked_before_it_is_made() {
    let s = stores().await;
    let (app, pairs) = paired(&s, SameWindow::Merge).await;
    let rules = LocationRules { owner: Owner::Both, same_window: SameWindow::Merge, hold_back: 0, cap: None };
    let twice = app
        .map_locations(MapLocationsRequest {
            bigcommerce_location_id: pairs[0].bigcommerce_location_id,
            shopify_location_id: pairs[1].shopify_location_id.clone(),
            rules,
        })
        .await
        .unwrap_err();
    assert_eq!(twice.kind, ErrorKind::Conflict, "a location is paired once: {}", twice.message);
    assert!(twice.message.contains(&format!("pair {}", pairs[0].id)), "the refusal names the pair: {}", twice.message);
    let unknown = app
        .map_locations(MapLocationsRequest {
            bigcommerce_location_id: 999,
            shopify_location_id: pairs[0].shopify_location_id.clone(),
            rules,
        })
        .await
        .unwrap_err();
    assert!(unknown.message.contains("BigCommerce has no location 999"), "an unknown location: {}", unknown.message);
    let owner_wins = LocationRules { owner: Owner::Both, same_window: SameWindow::OwnerWins, hold_back: 0, cap: None };
    let e = app.set_location_rules(LocationRulesRequest { id: pairs[0].id, rules: owner_wins }).await.unwrap_err();
    assert!(e.message.contains("owner-wins needs an owner"), "a rule that cannot apply: {}", e.message);
    assert_eq!(app.locations().await.unwrap().pairs.len(), 3, "nothing was added or changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runtime_polls_stock_and_a_sale_arrives_without_anyone_asking() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let poll = Duration::from_millis(400);
    let options = RuntimeOptions { stock_poll: Some(poll), ..RuntimeOptions::one_shot() };
    let (app, pairs) = paired_with(&s, SameWindow::Merge, options).await;
    // The first polls align every cell; then the polls find nothing to do.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let first = loop {
        let report =
            app.stock_sync(StockSyncRequest { dry_run: true, full: true, ..StockSyncRequest::default() }).await;
        if let Ok(r) = report
            && r.counts.first_alignments == 0
            && r.counts.writes == 0
        {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "the polls align the stock by themselves");
        tokio::time::sleep(poll).await;
    };
    assert!(first.counts.cells > 0, "there are cells to keep in step");
    tokio::time::sleep(poll * 4).await;
    let runs = app.runs(RunsQuery::default()).await.unwrap();
    let scheduled = |r: &&tillbridge_engine::RunView| {
        r.capability == tillbridge_engine::Capability::Stock && r.trigger == tillbridge_engine::Trigger::Scheduled
    };
    assert!(
        runs.runs.iter().filter(scheduled).all(|r| r.changes > 0),
        "a poll that found nothing to do leaves no run behind: {:?}",
        runs.runs.iter().filter(scheduled).map(|r| (r.id, r.changes)).collect::<Vec<_>>()
    );

    let aligned = shelf(&bc, &sh, &pairs).await;
    let pair = &pairs[1];
    let variants: Vec<_> = sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    let shopify_variant: HashMap<String, u64> =
        variants.into_iter().flatten().map(|v| (v.inventory_item_id.0, v.id.number().unwrap())).collect();
    let synced = app.store().stock_items().unwrap();
    let item = synced
        .iter()
        .find(|i| {
            aligned.bigcommerce.get(&(i.bigcommerce_variant_id, pair.bigcommerce_location_id)).is_some_and(|q| *q >= 1)
        })
        .expect("a synced item with stock at the location");
    let (variant, bc_variant) = (shopify_variant[&item.shopify_item_id], item.bigcommerce_variant_id);
    let before = aligned.bigcommerce[&(bc_variant, pair.bigcommerce_location_id)];
    s.shopify
        .ring_up(&PosSale {
            location_id: shopify_number(pair),
            lines: vec![PosLine { variant_id: Some(variant), quantity: 1, ..PosLine::default() }],
            ..PosSale::default()
        })
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if s.bigcommerce.sellable(bc_variant, pair.bigcommerce_location_id) == Some(before - 1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the sale reaches BigCommerce through the polls alone");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let runs = app.runs(RunsQuery::default()).await.unwrap();
    assert!(runs.runs.iter().filter(scheduled).any(|r| r.written > 0), "the poll that carried it is in Runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bigcommerce_adjustment_whose_answer_is_lost_is_read_back_not_sent_twice() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Merge).await;
    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    let (pair, item) = (&pairs[0], &items[2]);
    let (before, _) = both(&shelf(&bc, &sh, &pairs).await, pair, item);

    // BigCommerce applies the next adjustment, then the connection drops before its answer.
    let faults = s.bigcommerce.faults();
    faults
        .set(FaultConfig {
            drop_after_commit: 1,
            target: Some("inventory/adjustments/relative".into()),
            ..faults.config()
        })
        .unwrap();
    s.shopify.ring_up(&pos_sale(pair, item, 1)).unwrap();
    let carried = cycle(&app).await;
    assert_eq!(carried.failed, 0, "the lost answer is settled by reading the stock back, not failed");
    assert_eq!(
        both(&shelf(&bc, &sh, &pairs).await, pair, item),
        (before - 1, before - 1),
        "the sale is on BigCommerce once: the adjustment was not sent a second time"
    );
    let quiet = cycle(&app).await;
    assert_eq!(quiet.counts.writes, 0, "the landing was recorded, so nothing is owed or carried back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_units_sold_on_both_sides_under_merge_count_both_sales() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Merge).await;
    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    let pair = pairs.iter().find(|p| p.bigcommerce_location_id == 1).expect("the online orders' location is paired");
    let aligned = shelf(&bc, &sh, &pairs).await;
    let item = items.iter().find(|i| both(&aligned, pair, i).0 >= 2).expect("an item with two units or more");
    let (units, _) = both(&aligned, pair, item);

    // The till sells every unit while the web store sells one more: one unit is oversold.
    s.shopify.ring_up(&pos_sale(pair, item, units)).unwrap();
    bc.create_order(&online_order(item, 1)).await.unwrap();
    let merged = cycle(&app).await;
    assert_eq!(merged.counts.conflicts, 0, "merge applies both changes without asking");
    assert!(merged.counts.oversold >= 1, "and reports the oversell");
    assert_eq!(
        both(&shelf(&bc, &sh, &pairs).await, pair, item),
        (0, -1),
        "both sales count: Shopify shows the unit owed, BigCommerce (which cannot go below 0) shows none"
    );
    assert_eq!(cycle(&app).await.counts.writes, 0, "and the cell is in step");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_wait_quietly_until_the_catalog_has_matched_items() {
    let s = stores().await;
    let poll = Duration::from_millis(200);
    let app = connected_with(&s, None, RuntimeOptions { stock_poll: Some(poll), ..RuntimeOptions::one_shot() }).await;
    let live = app.locations().await.unwrap();
    let bc = &live.bigcommerce[0];
    let shop = live.shopify.iter().find(|l| l.name == bc.name).unwrap();
    app.map_locations(MapLocationsRequest {
        bigcommerce_location_id: bc.id.parse().unwrap(),
        shopify_location_id: shop.id.clone(),
        rules: LocationRules { owner: Owner::Both, same_window: SameWindow::Merge, hold_back: 0, cap: None },
    })
    .await
    .unwrap();
    tokio::time::sleep(poll * 6).await;
    let runs = app.runs(RunsQuery::default()).await.unwrap();
    assert!(
        runs.runs.iter().all(|r| r.capability != tillbridge_engine::Capability::Stock),
        "with a pair but no matched item, polls start no run (each would fail): {:?}",
        runs.runs.iter().map(|r| (r.id, r.capability, r.result)).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_read_bigcommerce_whole_only_when_its_stock_may_have_moved() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let clock = std::sync::Arc::new(ShiftedClock::default());
    let app = connected_at(&s, None, RuntimeOptions::one_shot(), clock.clone()).await;
    let p = app.sync_run(SyncRequest::new(Scope::Full, false)).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the catalog is matched first: {:?}", p.error);
    let (app, pairs) = pair_all(app, SameWindow::Merge).await;
    let inventory_reads = || {
        s.bigcommerce
            .requests()
            .snapshot()
            .iter()
            .filter(|c| c.route.ends_with("/v3/inventory/items"))
            .map(|c| c.count)
            .sum::<u64>()
    };
    let poll = || async { app.stock_poll_now().await.unwrap() };
    let after_catch_up = chrono::Duration::seconds(61);
    // Time passes for Shopify too: a sale rung up after the jump is stamped after it, as the
    // engine's cursors expect of a real store.
    let advance = |by: chrono::Duration| {
        clock.advance(by);
        s.shopify.advance_clock(by);
    };

    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    advance(after_catch_up);
    let confirming = poll().await;
    assert!(
        confirming.bigcommerce_read.starts_with("read whole"),
        "the alignment's own writes are confirmed by a read once their echo window is over: {}",
        confirming.bigcommerce_read
    );
    assert_eq!(confirming.counts.writes, 0, "and they were echoes, not changes");

    let reads = inventory_reads();
    let quiet = poll().await;
    assert!(quiet.bigcommerce_read.starts_with("not read"), "nothing moved: {}", quiet.bigcommerce_read);
    assert_eq!(inventory_reads(), reads, "a quiet poll costs one orders request, not a read of every item");

    // An edit made in BigCommerce's control panel leaves no order: the periodic scan finds it.
    let web = pairs.iter().find(|p| p.bigcommerce_location_id == 1).expect("the default location is paired");
    let edited = &items[2];
    let aligned = shelf(&bc, &sh, &pairs).await;
    let (edit_before, _) = both(&aligned, web, edited);
    bc.adjust_stock(&[InventoryAdjustment::of_variant(1, edited.variant, 3)], "counted").await.unwrap();
    let unseen = poll().await;
    assert_eq!(unseen.counts.writes, 0, "between scans an edit without an order waits: {}", unseen.bigcommerce_read);
    advance(tillbridge_domain::stock::watch::SCAN_EVERY);
    let scan = poll().await;
    assert!(scan.bigcommerce_read.contains("periodic scan"), "{}", scan.bigcommerce_read);
    assert_eq!(scan.counts.writes, 1, "the scan carries the edit to Shopify: {:?}", scan.cells);

    // An online order moves the orders: the next poll reads BigCommerce and carries it.
    let sold = &items[1];
    let before_order = shelf(&bc, &sh, &pairs).await;
    let (web_before, _) = both(&before_order, web, sold);
    bc.create_order(&online_order(sold, 2)).await.unwrap();
    let moved = poll().await;
    assert!(moved.bigcommerce_read.contains("an order changed"), "{}", moved.bigcommerce_read);
    assert_eq!(moved.counts.writes, 1, "the order's units leave Shopify: {:?}", moved.cells);

    // A POS sale is carried to BigCommerce by a poll that does not read BigCommerce: its stock
    // stands as last read, and the write is relative to it.
    advance(after_catch_up);
    poll().await;
    let pos = &items[0];
    let before_sale = shelf(&bc, &sh, &pairs).await;
    let (pos_before, _) = both(&before_sale, web, pos);
    s.shopify.ring_up(&pos_sale(web, pos, 1)).unwrap();
    let carried = poll().await;
    assert!(carried.bigcommerce_read.starts_with("not read"), "{}", carried.bigcommerce_read);
    assert_eq!(carried.counts.writes, 1, "the sale reaches BigCommerce: {:?}", carried.cells);
    let end = shelf(&bc, &sh, &pairs).await;
    assert_eq!(both(&end, web, edited), (edit_before + 3, edit_before + 3), "the counted edit is on both stores");
    assert_eq!(both(&end, web, sold), (web_before - 2, web_before - 2), "the online order is on both stores");
    assert_eq!(both(&end, web, pos), (pos_before - 1, pos_before - 1), "the POS sale is on both stores");
}

/// Shopify stamps `updatedAt` in whole seconds and its search compares whole seconds, so a poll
/// reading from its cursor re-reads every level of the cursor's own second: after an alignment,
/// thousands. Once a read begun an overlap after the cursor moved finds nothing newer, reads start
/// at the next second, and a sale made after that still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_cursor_is_sealed_an_overlap_later_and_later_sales_still_arrive() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let clock = std::sync::Arc::new(ShiftedClock::default());
    let app = connected_at(&s, None, RuntimeOptions::one_shot(), clock.clone()).await;
    let (app, pairs) = pair_all(app, SameWindow::Merge).await;
    let advance = |by: chrono::Duration| {
        clock.advance(by);
        s.shopify.advance_clock(by);
    };
    let first = cycle(&app).await;
    let items = items(&first, &sh).await;
    let web = pairs.iter().find(|p| p.bigcommerce_location_id == 1).expect("the default location is paired");
    let at = |name: &str| -> Option<chrono::DateTime<chrono::Utc>> {
        app.store().setting(&format!("stock.{name}.shopify.{}", web.shopify_location_id)).unwrap()
    };
    let poll = || async { app.stock_poll_now().await.unwrap() };
    let points = |f: f64| s.shopify.points_spent() - f;

    // The first poll moves the cursor to the alignment's own writes; the next finds nothing newer.
    for _ in 0..3 {
        poll().await;
    }
    assert!(at("cursor").is_some() && at("cursor_settled") == at("cursor"), "quiet polls settle the cursor");
    assert_ne!(at("cursor_sealed"), at("cursor"), "a read begun within the overlap of the move does not seal it");
    let before = s.shopify.points_spent();
    poll().await;
    let settled_cost = points(before);

    advance(chrono::Duration::seconds(61));
    poll().await;
    assert_eq!(at("cursor_sealed"), at("cursor"), "a quiet read an overlap after the move seals the cursor");
    let before = s.shopify.points_spent();
    let quiet = poll().await;
    let sealed_cost = points(before);
    assert_eq!(quiet.counts.writes, 0, "nothing moved: {:?}", quiet.cells);
    assert!(
        sealed_cost < settled_cost,
        "a sealed read no longer returns the levels of the cursor's second: {sealed_cost} points against {settled_cost}"
    );

    let before_sale = shelf(&bc, &sh, &pairs).await;
    let (on_bigcommerce, _) = both(&before_sale, web, &items[0]);
    s.shopify.ring_up(&pos_sale(web, &items[0], 1)).unwrap();
    let carried = poll().await;
    assert_eq!(carried.counts.writes, 1, "the sale after the seal is read and carried: {:?}", carried.cells);
    let after = shelf(&bc, &sh, &pairs).await;
    assert_eq!(both(&after, web, &items[0]).0, on_bigcommerce - 1, "BigCommerce lost the unit sold at the till");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validation_reports_drift_with_its_likely_reason_and_exports_it() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Merge).await;
    let first = cycle(&app).await;
    assert_eq!(first.validation_id, None, "a delta cycle is not a validation");
    let items = items(&first, &sh).await;
    let none = app.stock_drift(DriftQuery::default()).await.unwrap();
    assert!(none.shown.is_none() && none.rows.is_empty(), "no validation yet");

    let web = pairs.iter().find(|p| p.bigcommerce_location_id == 1).unwrap();
    let aligned = shelf(&bc, &sh, &pairs).await;
    // Counted in BigCommerce's control panel: no order records it.
    bc.adjust_stock(&[InventoryAdjustment::of_variant(1, items[0].variant, 4)], "counted").await.unwrap();
    // More sold at the till than Shopify held: it goes below zero.
    let (_, held) = both(&aligned, web, &items[1]);
    s.shopify.ring_up(&pos_sale(web, &items[1], held + 2)).unwrap();

    let check = app.stock_sync(StockSyncRequest { full: true, ..StockSyncRequest::default() }).await.unwrap();
    assert_eq!(check.drifted, 2, "two cells drifted: {:?}", check.cells);
    let report = app.stock_drift(DriftQuery::default()).await.unwrap();
    assert_eq!(report.shown.as_ref().map(|v| v.id), check.validation_id, "the latest validation is shown");
    let reason = |variant: i64| report.rows.iter().find(|r| r.bigcommerce_variant_id == variant).map(|r| r.reason);
    assert_eq!(reason(items[0].variant), Some(DriftReason::OutsideChange), "{:?}", report.rows);
    assert_eq!(reason(items[1].variant), Some(DriftReason::Negative), "{:?}", report.rows);
    let counted = report.rows.iter().find(|r| r.bigcommerce_variant_id == items[0].variant).unwrap();
    assert_eq!(
        counted.seen_bigcommerce - counted.base_bigcommerce,
        4,
        "the report shows how far BigCommerce moved from the base"
    );
    assert!(report.rows.iter().all(|r| r.action == DriftAction::Carried), "under merge the validation carries both");
    assert_eq!(report.rows[0].location, web.name, "the location is named");

    let csv = app.stock_drift_csv(DriftQuery::default()).await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and one line per drifted cell: {csv}");
    assert!(lines[0].starts_with("checked_at,location,sku"), "{}", lines[0]);
    assert!(csv.contains("outside_change") && csv.contains("negative"), "{csv}");

    let again = app.stock_sync(StockSyncRequest { full: true, ..StockSyncRequest::default() }).await.unwrap();
    assert_eq!(again.drifted, 0, "the validation carried the drift: nothing is left to find");
    let report = app.stock_drift(DriftQuery::default()).await.unwrap();
    assert_eq!(
        report.validations.iter().map(|v| v.drifted).collect::<Vec<_>>(),
        vec![0, 2],
        "every validation is kept, newest first, even one that found nothing"
    );
    let older = app.stock_drift(DriftQuery { validation_id: check.validation_id }).await.unwrap();
    assert_eq!(older.rows.len(), 2, "an older validation's drift can still be looked at");
    let missing = app.stock_drift(DriftQuery { validation_id: Some(9_999) }).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{}", missing.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_counts_what_the_screens_count_and_the_charts_see_the_requests() {
    let s = stores().await;
    let (bc, sh) = merchant(&s);
    let (app, pairs) = paired(&s, SameWindow::Manual).await;
    let since = app.now();
    let first = cycle(&app).await;
    assert!(first.written > 0, "the seeded drift gives the alignment writes to count");
    let items = items(&first, &sh).await;
    let pair = &pairs[0];
    let aligned = shelf(&bc, &sh, &pairs).await;
    let item = items.iter().find(|i| both(&aligned, pair, i).0 >= 2).expect("an item with two units or more");
    s.shopify.ring_up(&pos_sale(pair, item, 1)).unwrap();
    bc.create_order(&online_order(item, 1)).await.unwrap();
    assert_eq!(cycle(&app).await.counts.conflicts, 1, "both sides sold under manual: a conflict for a person");

    let home = app.home(HomeQuery { since: Some(since) }).await.unwrap();
    assert_eq!(home.since, since, "the figures count from the visit the screen gave");
    let mapping = app.mapping(MappingQuery::default()).await.unwrap().counts;
    assert_eq!(
        (home.review.unmatched, home.review.conflict, home.review.ambiguous),
        (mapping.unmatched, mapping.conflict, mapping.ambiguous),
        "the review counts are the Mapping screen's tabs"
    );
    let open = app.stock_conflicts(ConflictsQuery::default()).await.unwrap();
    assert_eq!(home.review.stock_conflicts, open.len() as u64, "the stock conflicts are the Conflicts screen's");
    assert_eq!(home.stock_moved, first.written, "every stock write since the visit landed in the alignment");
    assert_eq!(home.queue.written, first.written, "no other job landed since the visit");
    assert_eq!((home.queue.failed, home.queue.waiting), (0, 0), "nothing failed and nothing waits");
    let stock = home.runs.iter().find(|r| r.capability == Capability::Stock).unwrap();
    let last = stock.last.as_ref().expect("the stock cycles ran");
    assert_eq!(last.changes, 0, "the last stock run is the one that raised the conflict and wrote nothing");
    assert!(stock.next_at.is_some(), "paired locations have a next whole check");
    let catalog = home.runs.iter().find(|r| r.capability == Capability::Catalog).unwrap();
    assert!(catalog.last.as_ref().is_some_and(|r| r.result == RunResult::Done), "the catalog sync is shown as done");
    assert!(catalog.next_at.is_none(), "no morning sync is scheduled, and the cadence says so: {}", catalog.cadence);
    assert_eq!(home.health.len(), 2, "each store's health is read from its requests");

    let later = app.home(HomeQuery { since: Some(app.now()) }).await.unwrap();
    assert_eq!((later.stock_moved, later.queue.written), (0, 0), "nothing has landed since a visit made now");

    let charts = app.charts().await.unwrap();
    let audited = app.store().recent_audit(10_000, None).unwrap();
    for system in [System::BigCommerce, System::Shopify] {
        let charted: u64 = charts.quota.iter().filter(|q| q.system == system).map(|q| q.requests).sum();
        let sent = audited.iter().filter(|a| a.system == system && a.direction == Direction::Outbound).count();
        assert_eq!(charted, sent as u64, "the quota chart counts every request sent to {system:?}");
    }
    let runs = app.runs(RunsQuery::default()).await.unwrap();
    let finished = runs.runs.iter().filter(|r| !r.dry_run && r.finished_at.is_some()).count();
    assert_eq!(charts.history.len(), finished, "the history charts every finished run that wrote");
    assert!(
        charts.history.windows(2).all(|w| w[0].run_id < w[1].run_id),
        "the history runs oldest first, as a chart's x axis does"
    );
    assert_eq!(charts.hours, 24, "the hourly series cover a day");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_cycle_that_fails_alerts_once_and_a_manual_one_not_at_all() {
    let s = stores().await;
    let app = connected_with(&s, None, RuntimeOptions::one_shot()).await;
    let mut alerts = app.alerts();
    // No location is paired: every cycle fails, as a poll of a store that stays down would.
    app.stock_poll_now().await.unwrap_err();
    let alert = alerts.try_recv().expect("the first failed poll alerts");
    assert_eq!(alert.capability, Capability::Stock);
    assert!(alert.body.contains("no locations are paired"), "the alert says why, in the run's words: {}", alert.body);
    app.stock_poll_now().await.unwrap_err();
    app.stock_sync(StockSyncRequest::default()).await.unwrap_err();
    assert!(alerts.try_recv().is_err(), "the same outage alerts once, and a person's own run never");
}
