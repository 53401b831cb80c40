//! Product sync end to end against the emulated stores, seeded with the usual mess: the mapping
//! agrees with the seed's ground truth, the operator's links survive re-syncs, delta sync carries
//! an owner's change, and an edit on the non-owning side is reverted by a full sync only.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{connect_both, connected, merchant};

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, TryStreamExt};
use rust_decimal::Decimal;
use tillbridge_bigcommerce::{BcConnection, BigCommerceApi, BigCommerceClient, ProductQuery};
use tillbridge_emulator::{RunningStores, SeedSpec};
use tillbridge_engine::{
    App, Connector, FailedQuery, HttpConnector, IgnoreRequest, MappingQuery, PairRequest, RetryRequest, RuntimeOptions,
    Scope, SyncPhase, SyncProgress, SyncRequest,
};
use tillbridge_secrets::MemorySecretStore;
use tillbridge_shopify::gid::{InventoryItemId, LocationId, ProductId, VariantId};
use tillbridge_shopify::models::{
    InventoryAdjustment, InventoryLevel, Location, PosOrder, ProductWithVariants, Refund, Variant,
};
use tillbridge_shopify::{
    IdempotencyKey, NewRefund, SetQuantities, ShopIdentity, ShopifyApi, ShopifyClient, ShopifyConnection, ShopifyError,
    VariantQuery, VariantUpdate, WriteOutcome,
};
use tillbridge_store::{Opened, Store, System};
use tillbridge_transport::ClientParts;

async fn stores(variants: usize) -> RunningStores {
    support::stores(SeedSpec { variants, ..SeedSpec::default() }).await
}

async fn sync(app: &App, mode: Scope, dry_run: bool) -> SyncProgress {
    let p = app.sync_run(SyncRequest::new(mode, dry_run)).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the sync must finish, not fail: {:?}", p.error);
    p
}

fn changes(p: &SyncProgress) -> usize {
    p.summary.as_ref().map_or(0, |s| s.changes)
}

async fn page(app: &App, class: &str) -> tillbridge_engine::MappingView {
    app.mapping(MappingQuery { class: Some(class.into()), limit: Some(500), ..Default::default() }).await.unwrap()
}

/// A pair the matcher found by exact SKU, which has a price of its own on BigCommerce.
async fn a_plain_pair(app: &App, bc: &BigCommerceClient) -> (i64, String) {
    let products: Vec<_> =
        bc.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let matched = page(app, "matched").await;
    matched
        .rows
        .iter()
        .filter(|r| r.key.as_deref() == Some("sku"))
        .filter_map(|r| Some((r.bigcommerce.as_ref()?.variant_id, r.shopify.as_ref()?.variant_id.clone())))
        .find(|(id, _)| products.iter().flatten().flat_map(|p| &p.variants).any(|v| v.id == *id && v.price.is_some()))
        .expect("the seed has SKU-matched variants with their own price")
}

async fn shopify_variant(sh: &ShopifyClient, id: &str) -> Variant {
    let pages: Vec<Vec<Variant>> = sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    pages.into_iter().flatten().find(|v| v.id.0 == id).expect("the variant exists on Shopify")
}

/// Every BigCommerce variant's own price, read in one pass (the store allows 150 requests a window).
async fn bigcommerce_prices(bc: &BigCommerceClient) -> std::collections::HashMap<i64, Option<Decimal>> {
    let pages: Vec<_> =
        bc.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    pages.into_iter().flatten().flat_map(|p| p.variants).map(|v| (v.id, v.price)).collect()
}

async fn bigcommerce_price(bc: &BigCommerceClient, id: i64) -> Option<Decimal> {
    bigcommerce_prices(bc).await.get(&id).copied().flatten()
}

#[tokio::test]
async fn a_preview_counts_the_classes_the_seed_planted_and_writes_nothing() {
    let s = stores(400).await;
    let app = connected(&s, None).await;
    s.bigcommerce.requests().reset();
    s.shopify.requests().reset();
    let preview = sync(&app, Scope::Full, true).await;

    let counts = page(&app, "all").await.counts;
    assert_eq!(
        (counts.matched, counts.ambiguous, counts.conflict, counts.unmatched),
        (s.truth.matched as u64, s.truth.ambiguous as u64, s.truth.conflict as u64, s.truth.unmatched as u64),
        "the live read, through both clients and the snapshot tables, classifies exactly as the seed's ground truth says"
    );
    assert!(changes(&preview) > 0, "the seeded mess (SKU case, missing barcodes) leaves changes to preview");
    let writes: u64 = s
        .bigcommerce
        .requests()
        .snapshot()
        .iter()
        .chain(s.shopify.requests().snapshot().iter())
        .filter(|r| r.route.starts_with("PUT") || r.route.starts_with("POST /") || r.route.contains("Update"))
        .map(|r| r.count)
        .sum();
    assert_eq!(writes, 0, "a dry run reads and plans but sends no write to either store");

    let again = sync(&app, Scope::Full, true).await;
    assert_eq!(changes(&again), changes(&preview), "nothing was written, so a second preview shows the same changes");
    let diff = app.sync_preview(Default::default()).await.unwrap();
    assert_eq!(diff.total as usize, changes(&preview), "the diff holds every planned change");
    let csv = app.sync_preview_csv(None).await.unwrap();
    assert_eq!(csv.lines().count(), changes(&preview) + 1, "the CSV has a header and one line per change");
}

#[tokio::test]
async fn a_link_made_by_hand_survives_a_full_sync_and_later_previews() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    sync(&app, Scope::Full, true).await;
    let unmatched = page(&app, "unmatched").await;
    let bc_id = unmatched.rows.iter().find_map(|r| r.bigcommerce.as_ref()).expect("a BigCommerce singleton").variant_id;
    let sh_id = unmatched.rows.iter().find_map(|r| r.shopify.as_ref()).expect("a Shopify singleton").variant_id.clone();
    let before = page(&app, "all").await.counts;

    let after_link = app
        .mapping_link(PairRequest { bigcommerce_variant_id: bc_id, shopify_variant_id: sh_id.clone() })
        .await
        .unwrap()
        .counts;
    assert_eq!(after_link.matched, before.matched + 1, "the two singletons became one matched pair");
    assert_eq!(after_link.unmatched, before.unmatched - 2, "and left the unmatched list");

    // The link made the first preview stale; the fresh one may flag the pair's price gap.
    sync(&app, Scope::Full, true).await;
    let accepted = SyncRequest { accept_price_changes: true, ..SyncRequest::new(Scope::Full, false) };
    let p = app.sync_run(accepted).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the full sync must finish, not fail: {:?}", p.error);
    sync(&app, Scope::Full, true).await;
    let linked = page(&app, "matched")
        .await
        .rows
        .into_iter()
        .find(|r| r.bigcommerce.as_ref().is_some_and(|b| b.variant_id == bc_id));
    let linked =
        linked.expect("the linked BigCommerce variant is still in a matched pair after re-reading both stores");
    assert_eq!(linked.shopify.map(|s| s.variant_id), Some(sh_id), "paired with the Shopify variant the operator chose");
    assert!(linked.decided, "and marked as the operator's decision, which matching never overrides");
}

#[tokio::test]
async fn delta_sync_carries_a_bigcommerce_price_change_and_leaves_a_shopify_edit_for_full_sync() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    sync(&app, Scope::Full, false).await;
    assert_eq!(changes(&sync(&app, Scope::Full, true).await), 0, "after a full sync there is nothing left to align");

    // The merchant raises a price on BigCommerce, which owns prices by default.
    let (bc_id, sh_id) = a_plain_pair(&app, &bc).await;
    let new_price = bigcommerce_price(&bc, bc_id).await.unwrap() + Decimal::new(500, 2);
    bc.update_variants(&[tillbridge_bigcommerce::models::VariantUpdate {
        id: bc_id,
        price: Some(new_price),
        ..Default::default()
    }])
    .await
    .unwrap();
    let delta = sync(&app, Scope::Delta, false).await;
    let kinds = &delta.summary.as_ref().unwrap().by_kind;
    assert!(
        kinds.iter().any(|k| serde_json::to_value(k.field).unwrap() == "price" && k.changes == 1),
        "the delta found exactly one price change: {kinds:?}"
    );
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, new_price, "and the new price reached Shopify");

    // Someone edits the same price in Shopify, which does not own it.
    let edited = new_price + Decimal::new(1000, 2);
    let product = shopify_variant(&sh, &sh_id).await.product.id;
    let edit = [VariantUpdate { price: Some(edited), ..VariantUpdate::new(VariantId(sh_id.clone())) }];
    let outcome = sh.update_variants(&product, &edit).await.unwrap();
    assert!(matches!(outcome, WriteOutcome::Applied(_)), "the merchant's edit is accepted by Shopify");
    let delta = sync(&app, Scope::Delta, false).await;
    assert_eq!(
        changes(&delta),
        0,
        "a delta pushes only what the owner changed, so it never reverts the edit by accident"
    );
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, edited, "the Shopify edit is still there after the delta");
    assert_eq!(
        bigcommerce_price(&bc, bc_id).await,
        Some(new_price),
        "and it did not flow back to BigCommerce, which owns the price"
    );

    let full = sync(&app, Scope::Full, false).await;
    assert_eq!(changes(&full), 1, "the full sync compares everything and finds the one drifted price");
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, new_price, "and puts the owner's price back on Shopify");
}

/// Shopify as the emulator runs it, except that writes to one product fail with a 503 while `failing` is set.
#[derive(Debug)]
struct FlakyShopify {
    inner: Arc<dyn ShopifyApi>,
    product: ProductId,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

impl ShopifyApi for FlakyShopify {
    fn verify(&self) -> BoxFuture<'_, Result<ShopIdentity, ShopifyError>> {
        self.inner.verify()
    }
    fn locations(&self) -> BoxStream<'static, Result<Vec<Location>, ShopifyError>> {
        self.inner.locations()
    }
    fn product_variants(&self, q: VariantQuery) -> BoxStream<'static, Result<Vec<Variant>, ShopifyError>> {
        self.inner.product_variants(q)
    }
    fn products_with_variants(&self) -> BoxStream<'static, Result<ProductWithVariants, ShopifyError>> {
        self.inner.products_with_variants()
    }
    fn update_product_title<'a>(
        &'a self,
        product: &'a ProductId,
        title: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<String>, ShopifyError>> {
        self.inner.update_product_title(product, title)
    }
    fn update_variants<'a>(
        &'a self,
        product: &'a ProductId,
        updates: &'a [VariantUpdate],
    ) -> BoxFuture<'a, Result<WriteOutcome<Vec<Variant>>, ShopifyError>> {
        if *product == self.product && self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return async {
                Err(ShopifyError::Server {
                    status: 503,
                    operation: "TillbridgeProductVariantsBulkUpdate".into(),
                    attempts: 1,
                })
            }
            .boxed();
        }
        self.inner.update_variants(product, updates)
    }
    fn set_quantities<'a>(
        &'a self,
        input: &'a SetQuantities,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryAdjustment>, ShopifyError>> {
        self.inner.set_quantities(input, key)
    }
    fn inventory_levels_at(
        &self,
        location: &LocationId,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        self.inner.inventory_levels_at(location)
    }
    fn inventory_levels_changed_at(
        &self,
        location: &LocationId,
        since: chrono::DateTime<Utc>,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        self.inner.inventory_levels_changed_at(location, since)
    }
    fn inventory_levels_for_items<'a>(
        &'a self,
        items: &'a [InventoryItemId],
    ) -> BoxFuture<'a, Result<Vec<InventoryLevel>, ShopifyError>> {
        self.inner.inventory_levels_for_items(items)
    }
    fn activate_inventory<'a>(
        &'a self,
        item: &'a InventoryItemId,
        location: &'a LocationId,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryLevel>, ShopifyError>> {
        self.inner.activate_inventory(item, location)
    }
    fn pos_orders(
        &self,
        since: Option<chrono::DateTime<Utc>>,
    ) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>> {
        self.inner.pos_orders(since)
    }
    fn create_refund<'a>(
        &'a self,
        refund: &'a NewRefund,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<Refund>, ShopifyError>> {
        self.inner.create_refund(refund, key)
    }
}

#[derive(Debug)]
struct FlakyConnector {
    product: ProductId,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

impl Connector for FlakyConnector {
    fn bigcommerce(
        &self,
        conn: &BcConnection,
        parts: ClientParts,
    ) -> Result<Arc<dyn BigCommerceApi>, tillbridge_engine::ApiError> {
        HttpConnector.bigcommerce(conn, parts)
    }
    fn shopify(
        &self,
        conn: &ShopifyConnection,
        parts: ClientParts,
    ) -> Result<Arc<dyn ShopifyApi>, tillbridge_engine::ApiError> {
        Ok(Arc::new(FlakyShopify {
            inner: HttpConnector.shopify(conn, parts)?,
            product: self.product.clone(),
            failing: self.failing.clone(),
        }))
    }
}

#[tokio::test]
async fn a_write_that_fails_waits_in_the_retry_queue_with_its_reason_while_the_rest_go_through() {
    let s = stores(300).await;
    let probe = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    sync(&probe, Scope::Full, false).await;
    let (bc_id, sh_id) = a_plain_pair(&probe, &bc).await;
    let (other_bc, other_sh) = {
        let matched = page(&probe, "matched").await;
        let product = shopify_variant(&sh, &sh_id).await.product.id;
        let prices = bigcommerce_prices(&bc).await;
        matched
            .rows
            .iter()
            .filter(|r| r.key.as_deref() == Some("sku"))
            .filter_map(|r| Some((r.bigcommerce.as_ref()?, r.shopify.as_ref()?)))
            .find(|(b, h)| h.product_id != product.0 && prices.get(&b.variant_id).copied().flatten().is_some())
            .map(|(b, h)| (b.variant_id, h.variant_id.clone()))
            .expect("a second pair on another Shopify product")
    };
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let product = shopify_variant(&sh, &sh_id).await.product.id;
    let app = connected(&s, Some(Arc::new(FlakyConnector { product, failing: failing.clone() }))).await;
    sync(&app, Scope::Full, false).await;

    let mut prices = Vec::new();
    for id in [bc_id, other_bc] {
        let price = bigcommerce_price(&bc, id).await.unwrap() + Decimal::new(300, 2);
        bc.update_variants(&[tillbridge_bigcommerce::models::VariantUpdate {
            id,
            price: Some(price),
            ..Default::default()
        }])
        .await
        .unwrap();
        prices.push(price);
    }
    let run = sync(&app, Scope::Delta, false).await;
    let summary = run.summary.unwrap();
    assert_eq!(
        (summary.written, summary.failed),
        (1, 1),
        "one product's write failed and the other still went through"
    );
    assert_eq!(shopify_variant(&sh, &other_sh).await.price, prices[1], "the healthy write reached Shopify");
    let queued = app.failed_jobs(FailedQuery::default()).await.unwrap();
    assert_eq!(queued.total, 1, "the failed write waits in the retry queue, listed for a person");
    assert!(
        queued.jobs[0].message.as_deref().unwrap_or("").contains("503"),
        "with the store's own reason: {:?}",
        queued.jobs[0]
    );
    assert!(queued.jobs[0].sentence.starts_with("Shopify"), "said in plain words: {}", queued.jobs[0].sentence);

    failing.store(false, std::sync::atomic::Ordering::SeqCst);
    let retried = app.retry_jobs(RetryRequest { ids: vec![], all: true }).await.unwrap();
    assert_eq!(retried.ids.len(), 1, "Retry all takes the failed write");
    let settled = app.settle_jobs(retried.ids, Duration::from_secs(30)).await.unwrap();
    assert_eq!(settled.done, 1, "and the lanes send it without waiting for another sync");
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, prices[0], "and the price finally reaches Shopify");
    assert_eq!(app.failed_jobs(FailedQuery::default()).await.unwrap().total, 0, "nothing is left waiting");
}

#[tokio::test]
async fn changing_the_matching_rules_rematches_the_stored_snapshot() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    sync(&app, Scope::Full, true).await;
    let seeded = page(&app, "all").await.counts;

    let mut strict = app.matching_rules().await.unwrap();
    strict.sku.case_fold = false;
    strict.sku.trim = false;
    strict.sku.collapse_whitespace = false;
    let counts = app.set_matching_rules(strict).await.unwrap();
    assert!(
        counts.matched < seeded.matched,
        "without SKU normalization the seeded case and spacing differences no longer match ({} < {})",
        counts.matched,
        seeded.matched
    );

    let mut blank = tillbridge_engine::MatchRules::default();
    blank.synonyms.values.insert("XL".into(), " ".into());
    let refused = app.set_matching_rules(blank).await.expect_err("a synonym with an empty side is refused");
    assert!(refused.message.contains("\"XL\""), "the refusal names the row to fix: {}", refused.message);

    let mut twice = tillbridge_engine::MatchRules::default();
    twice.synonyms.values.insert("XXL ".into(), "xx-large".into());
    let refused = app.set_matching_rules(twice).await.expect_err("the same alias typed twice is refused");
    assert!(refused.message.contains("same alias"), "the refusal says why: {}", refused.message);

    let restored = app.set_matching_rules(tillbridge_engine::MatchRules::default()).await.unwrap();
    assert_eq!(restored, seeded, "the default rules give back the seed's classes, with no store read in between");
}

#[tokio::test]
async fn an_ignore_can_be_taken_back() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    sync(&app, Scope::Full, true).await;
    let before = page(&app, "all").await.counts;
    let sh_id = page(&app, "unmatched")
        .await
        .rows
        .iter()
        .find_map(|r| r.shopify.clone())
        .expect("a Shopify singleton")
        .variant_id;
    let request =
        || tillbridge_engine::IgnoreRequest { system: tillbridge_store::System::Shopify, variant_id: sh_id.clone() };

    let ignored = app.mapping_ignore(request()).await.unwrap().counts;
    assert_eq!(
        (ignored.ignored, ignored.unmatched),
        (before.ignored + 1, before.unmatched - 1),
        "the variant moved to ignored"
    );
    let back = app.mapping_unignore(request()).await.unwrap();
    assert_eq!(back, before, "taking the ignore back restores the matcher's own conclusion");
    let bad = app
        .mapping_unignore(tillbridge_engine::IgnoreRequest {
            system: tillbridge_store::System::Shopify,
            variant_id: "42".into(),
        })
        .await
        .expect_err("a Shopify id that is not a GID is refused");
    assert!(
        bad.message.contains("gid://shopify/ProductVariant/"),
        "the refusal shows the expected shape: {}",
        bad.message
    );
}

#[tokio::test]
async fn keeping_a_conflict_and_confirming_all_are_undone_exactly() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    sync(&app, Scope::Full, true).await;
    let before = page(&app, "all").await;

    let conflict = page(&app, "conflict").await.rows.into_iter().next().expect("the seed holds a conflict");
    let pair = PairRequest {
        bigcommerce_variant_id: conflict.bigcommerce.as_ref().unwrap().variant_id,
        shopify_variant_id: conflict.shopify.as_ref().unwrap().variant_id.clone(),
    };
    let kept = app.mapping_link(pair.clone()).await.unwrap();
    assert_eq!(kept.counts.conflict, before.counts.conflict - 1, "keeping the pair settles the conflict");
    assert_eq!(kept.undo.added.len(), 1, "keeping stores one link: {:?}", kept.undo);
    let undone = app.mapping_undo(kept.undo).await.unwrap();
    assert_eq!(undone.counts, before.counts, "undo gives back every class as it was");
    let again = page(&app, "conflict").await;
    assert!(
        again
            .rows
            .iter()
            .any(|r| r.bigcommerce.as_ref().map(|b| b.variant_id) == Some(pair.bigcommerce_variant_id) && !r.decided),
        "after undo the pair is an undecided conflict again"
    );

    // Unlinking an operator's link and undoing it restores the link, not merely the absence of an unlink.
    let linked = app.mapping_link(pair.clone()).await.unwrap();
    let unlinked = app.mapping_unlink(pair.clone()).await.unwrap();
    assert_eq!(unlinked.undo.removed.len(), 1, "the unlink replaced the link: {:?}", unlinked.undo);
    let relinked = app.mapping_undo(unlinked.undo).await.unwrap();
    assert_eq!(relinked.counts, linked.counts, "undoing the unlink brings the link back");
    app.mapping_undo(linked.undo).await.unwrap();

    let refused = app
        .mapping_confirm_all(tillbridge_engine::ConfirmAllRequest { q: None, expected: before.confirmable + 1 })
        .await
        .expect_err("a count other than the one shown is refused");
    assert!(refused.message.contains("changed since the page loaded"), "the refusal says why: {}", refused.message);
    let confirmed = app
        .mapping_confirm_all(tillbridge_engine::ConfirmAllRequest { q: None, expected: before.confirmable })
        .await
        .unwrap();
    assert_eq!(confirmed.undo.added.len() as u64, before.confirmable, "one link per undecided match");
    assert_eq!(page(&app, "all").await.confirmable, 0, "nothing is left to confirm");
    app.mapping_undo(confirmed.undo).await.unwrap();
    assert_eq!(page(&app, "all").await.confirmable, before.confirmable, "undo takes every confirmation back");
}

/// Every stored mapping record, ids set aside, in (BigCommerce variant, Shopify variant) order.
fn stored_records(app: &App) -> Vec<tillbridge_store::MappingRecordRow> {
    let mut rows = Vec::new();
    app.store().mapping_rows(&tillbridge_store::MappingFilter::default(), |r| rows.push(r.clone())).unwrap();
    let highest = rows.iter().map(|r| r.id).max().unwrap_or(0);
    assert!(highest >= rows.len() as i64, "ids are unique: {highest} for {} records", rows.len());
    for r in &mut rows {
        r.id = 0;
    }
    rows.sort_by_key(|r| {
        (r.bigcommerce.as_ref().map(|b| b.variant_id), r.shopify.as_ref().map(|s| s.variant_id.clone()))
    });
    rows
}

/// The highest record id against the number of records: a whole match numbers them 1..=n, while a
/// decision's re-match gives the records it replaces ids after the highest.
fn renumbered(app: &App) -> bool {
    let mut count = 0i64;
    let mut highest = 0;
    app.store()
        .mapping_rows(&tillbridge_store::MappingFilter::default(), |r| {
            count += 1;
            highest = highest.max(r.id);
        })
        .unwrap();
    highest > count
}

#[tokio::test]
async fn each_decision_rematches_only_what_it_reaches_and_agrees_with_matching_everything() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    // A sync that writes, so the pairs of the last sync are decisions the reach follows too. The
    // sync matched before it saved those pairs; matching everything again starts from their effect.
    sync(&app, Scope::Full, false).await;
    app.set_matching_rules(app.matching_rules().await.unwrap()).await.unwrap();
    let first = |class: &'static str| {
        let app = app.clone();
        async move {
            page(&app, class).await.rows.into_iter().next().unwrap_or_else(|| panic!("the seed holds a {class} record"))
        }
    };
    let pair_of = |r: &tillbridge_store::MappingRecordRow| PairRequest {
        bigcommerce_variant_id: r.bigcommerce.as_ref().unwrap().variant_id,
        shopify_variant_id: r.shopify.as_ref().unwrap().variant_id.clone(),
    };
    let unmatched = page(&app, "unmatched").await;
    let lone_bc = unmatched
        .rows
        .iter()
        .find_map(|r| r.bigcommerce.as_ref())
        .expect("an unmatched BigCommerce variant")
        .variant_id;
    let lone_sh = unmatched
        .rows
        .iter()
        .find_map(|r| r.shopify.as_ref())
        .expect("an unmatched Shopify variant")
        .variant_id
        .clone();
    let ambiguous = page(&app, "ambiguous").await;
    let group_bc =
        ambiguous.rows.iter().find_map(|r| r.bigcommerce.as_ref()).expect("an ambiguous BigCommerce variant");
    let group = app
        .mapping(MappingQuery { group: Some(ambiguous.rows[0].id), limit: Some(500), ..Default::default() })
        .await
        .unwrap();
    let group_sh =
        group.rows.iter().find_map(|r| r.shopify.as_ref()).expect("its group has a Shopify listing").variant_id.clone();
    let matched = pair_of(&first("matched").await);
    let conflict = pair_of(&first("conflict").await);

    let ignore_bc = IgnoreRequest { system: System::BigCommerce, variant_id: lone_bc.to_string() };
    let mut undo = None;
    for step in 0..7 {
        let what = match step {
            0 => {
                app.mapping_ignore(ignore_bc.clone()).await.unwrap();
                "ignore an unmatched BigCommerce variant"
            }
            1 => {
                app.mapping_link(PairRequest {
                    bigcommerce_variant_id: group_bc.variant_id,
                    shopify_variant_id: group_sh.clone(),
                })
                .await
                .unwrap();
                "link within an ambiguous group"
            }
            2 => {
                undo = Some(app.mapping_unlink(matched.clone()).await.unwrap().undo);
                "unlink a matched pair"
            }
            3 => {
                app.mapping_link(conflict.clone()).await.unwrap();
                "keep a conflict"
            }
            4 => {
                app.mapping_link(PairRequest {
                    bigcommerce_variant_id: matched.bigcommerce_variant_id,
                    shopify_variant_id: lone_sh.clone(),
                })
                .await
                .unwrap();
                "link a matched variant to an unmatched listing"
            }
            5 => {
                app.mapping_undo(undo.take().unwrap()).await.unwrap();
                "undo the unlink"
            }
            _ => {
                app.mapping_unignore(ignore_bc.clone()).await.unwrap();
                "take the ignore back"
            }
        };
        assert!(renumbered(&app), "{what}: only the records it reaches were re-matched, not every record");
        let reached = stored_records(&app);
        // Setting the same rules re-matches the whole snapshot.
        app.set_matching_rules(app.matching_rules().await.unwrap()).await.unwrap();
        assert!(!renumbered(&app), "a rules change re-matches every record");
        let whole = stored_records(&app);
        let only_reached: Vec<_> = reached.iter().filter(|r| !whole.contains(r)).collect();
        let only_whole: Vec<_> = whole.iter().filter(|r| !reached.contains(r)).collect();
        assert!(
            only_reached.is_empty() && only_whole.is_empty(),
            "{what}: re-matching what it reaches gives what matching everything gives; only after the decision: \
             {only_reached:#?}; only after matching everything: {only_whole:#?}"
        );
    }
}

#[tokio::test]
async fn a_catalog_that_fits_one_page_is_read_with_one_query_instead_of_a_bulk_export() {
    let s = stores(40).await;
    let app = connected(&s, None).await;
    let routes = |s: &RunningStores| s.shopify.requests().snapshot().into_iter().map(|r| r.route).collect::<Vec<_>>();
    sync(&app, Scope::Full, true).await;
    assert!(
        routes(&s).iter().any(|r| r.contains("BulkOperationRunQuery")),
        "the first read knows nothing of the catalog's size, so it exports in bulk: {:?}",
        routes(&s)
    );
    assert!(s.shopify_variants <= 200, "the seed made a one-page catalog ({} variants)", s.shopify_variants);
    s.shopify.requests().reset();
    sync(&app, Scope::Full, true).await;
    let second = routes(&s);
    assert!(!second.iter().any(|r| r.contains("Bulk")), "a one-page catalog skips the bulk export: {second:?}");
    assert!(second.iter().any(|r| r.contains("TillbridgeProductVariants")), "and pages productVariants: {second:?}");
}

#[tokio::test]
async fn a_barcode_owned_by_shopify_flows_to_bigcommerce_after_it_changes_without_becoming_a_conflict() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    let ownership = tillbridge_engine::Ownership { barcode: tillbridge_engine::Owner::Shopify, ..Default::default() };
    app.set_ownership(ownership).await.unwrap();
    sync(&app, Scope::Full, false).await;
    sync(&app, Scope::Full, true).await;
    // A pair with a barcode on both sides, so a new Shopify barcode disagrees with BigCommerce's.
    let (bc_id, sh_id) = page(&app, "matched")
        .await
        .rows
        .into_iter()
        .filter_map(|r| Some((r.bigcommerce?, r.shopify?)))
        .find(|(b, h)| !b.barcode.is_empty() && !h.barcode.is_empty())
        .map(|(b, h)| (b.variant_id, h.variant_id))
        .expect("the seed has pairs with barcodes on both sides");

    // A new, valid EAN-13 typed into Shopify, which owns barcodes here.
    let product = shopify_variant(&sh, &sh_id).await.product.id;
    let edit =
        [VariantUpdate { barcode: Some(Some("4006381333931".into())), ..VariantUpdate::new(VariantId(sh_id.clone())) }];
    assert!(
        matches!(sh.update_variants(&product, &edit).await.unwrap(), WriteOutcome::Applied(_)),
        "Shopify takes the edit"
    );

    let delta = sync(&app, Scope::Delta, false).await;
    let pair = page(&app, "matched")
        .await
        .rows
        .into_iter()
        .find(|r| r.bigcommerce.as_ref().is_some_and(|b| b.variant_id == bc_id));
    assert!(
        pair.is_some(),
        "the pair the last sync matched is still matched, not a conflict over the barcode it is about to sync"
    );
    assert!(changes(&delta) >= 1, "the delta carries the new barcode: {:?}", delta.summary);
    let pages: Vec<_> =
        bc.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let variant = pages.into_iter().flatten().flat_map(|p| p.variants).find(|v| v.id == bc_id).unwrap();
    assert_eq!(variant.gtin, "4006381333931", "and BigCommerce now has Shopify's barcode");
}

/// Shopify answers 500 to every variant write (reads still work), as during an outage of its writes.
fn break_shopify_writes(s: &RunningStores) {
    let faults = tillbridge_emulator::FaultConfig {
        error_rate: 1.0,
        target: Some("ProductVariantsBulkUpdate".into()),
        ..Default::default()
    };
    s.shopify.faults().set(faults).unwrap();
}

fn heal(s: &RunningStores) {
    s.shopify.faults().set(tillbridge_emulator::FaultConfig::default()).unwrap();
    s.bigcommerce.faults().set(tillbridge_emulator::FaultConfig::default()).unwrap();
}

async fn set_bigcommerce_price(bc: &BigCommerceClient, id: i64, price: Decimal) {
    let update = tillbridge_bigcommerce::models::VariantUpdate { id, price: Some(price), ..Default::default() };
    bc.update_variants(&[update]).await.unwrap();
}

#[tokio::test]
async fn a_newer_plan_supersedes_a_failed_write_so_the_old_value_never_lands_after_the_new_one() {
    let s = stores(200).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    sync(&app, Scope::Full, false).await;
    let (bc_id, sh_id) = a_plain_pair(&app, &bc).await;
    let base = bigcommerce_price(&bc, bc_id).await.unwrap();

    // Run N: the price goes up, and Shopify refuses the write with a 5xx.
    let older = base + Decimal::new(100, 2);
    set_bigcommerce_price(&bc, bc_id, older).await;
    break_shopify_writes(&s);
    let run_n = sync(&app, Scope::Delta, false).await;
    assert_eq!(run_n.summary.as_ref().unwrap().failed, 1, "run N's write failed and waits for its retry");
    let failed = app.failed_jobs(FailedQuery::default()).await.unwrap();
    let old_job = failed.jobs[0].clone();

    // Run N+1: the merchant changes the price again before the retry is due.
    let newer = base + Decimal::new(200, 2);
    set_bigcommerce_price(&bc, bc_id, newer).await;
    heal(&s);
    let run_n1 = sync(&app, Scope::Delta, false).await;
    assert_eq!(run_n1.summary.as_ref().unwrap().written, 1, "run N+1 writes the newer price");
    assert_eq!(
        run_n1.summary.as_ref().unwrap().failed,
        0,
        "and nothing of it failed: the old write is not counted as its failure"
    );

    // Every retry there is: the old job must not go out any more.
    let retried = app.retry_jobs(RetryRequest { ids: vec![old_job.id], all: false }).await.unwrap();
    assert_eq!(retried.ids, Vec::<i64>::new(), "a superseded write cannot be retried");
    assert_eq!(retried.left, vec![old_job.id], "and the answer says it was left alone");
    app.retry_jobs(RetryRequest { ids: vec![], all: true }).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, newer, "Shopify holds the newer price, not run N's");
    let timeline = app.job_timeline(old_job.id).await.unwrap();
    assert_eq!(
        timeline.job.state,
        tillbridge_engine::JobState::Superseded,
        "the old write is kept for the timeline, marked superseded"
    );
    assert!(
        timeline.attempts.iter().any(|a| a.requests.iter().any(|r| r.status == Some(500))),
        "and its timeline shows the 500 it got: {:?}",
        timeline.attempts
    );
    assert_eq!(app.failed_jobs(FailedQuery::default()).await.unwrap().total, 0, "nothing is left failing");
}

#[tokio::test]
async fn under_a_fifth_of_requests_failing_and_cut_connections_a_full_sync_finishes_and_retry_all_drains_it() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    let flaky = tillbridge_emulator::FaultConfig {
        error_rate: 0.2,
        drop_before_commit: 3,
        drop_after_commit: 3,
        ..Default::default()
    };
    s.shopify.faults().set(flaky.clone()).unwrap();
    s.bigcommerce.faults().set(flaky).unwrap();

    let run = sync(&app, Scope::Full, false).await;
    let summary = run.summary.clone().unwrap();
    assert!(summary.written > 0, "most writes went through: {summary:?}");
    let failed = app.failed_jobs(FailedQuery::default()).await.unwrap();
    assert_eq!(failed.total, summary.failed as u64, "every failed write of the run is in the Failed list");
    for job in &failed.jobs {
        assert!(job.message.as_deref().is_some_and(|m| !m.is_empty()), "each with the store's reason: {job:?}");
    }

    heal(&s);
    let retried = app.retry_jobs(RetryRequest { ids: vec![], all: true }).await.unwrap();
    assert_eq!(retried.ids.len() as u64, failed.total, "Retry all takes every failed write");
    let settled = app.settle_jobs(retried.ids, Duration::from_secs(60)).await.unwrap();
    assert_eq!((settled.failed, settled.waiting), (0, 0), "and drains the list once the stores answer");
    assert_eq!(app.failed_jobs(FailedQuery::default()).await.unwrap().total, 0, "nothing is left failing");
    let again = sync(&app, Scope::Full, true).await;
    assert_eq!(changes(&again), 0, "a second full sync previews no change: nothing was lost");
}

/// The lease owner of a process that has exited on this host: provably gone.
fn a_dead_process() -> String {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
    format!("{}/{pid}/1/0", host.trim().replace('/', "_"))
}

#[tokio::test]
async fn a_write_that_landed_before_its_process_died_is_not_sent_again() {
    if !cfg!(target_os = "linux") {
        eprintln!("skipped: proving a process gone needs /proc");
        return;
    }
    let s = stores(200).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    sync(&app, Scope::Full, false).await;
    let (bc_id, sh_id) = a_plain_pair(&app, &bc).await;
    let price = bigcommerce_price(&bc, bc_id).await.unwrap() + Decimal::new(700, 2);
    set_bigcommerce_price(&bc, bc_id, price).await;

    // Plan the write and hold it, then play the process that sent it and died before recording it:
    // Shopify has the new price, and the job is `running` under a pid that no longer exists.
    app.set_paused(true).await.unwrap();
    sync(&app, Scope::Delta, false).await;
    let queued = app.store().jobs_in_states(&[tillbridge_engine::JobState::Pending], None, 0, 10).unwrap().1;
    assert_eq!(queued.len(), 1, "one write is planned: {queued:?}");
    let job = &queued[0];
    let product = shopify_variant(&sh, &sh_id).await.product.id;
    let landed = [VariantUpdate { price: Some(price), ..VariantUpdate::new(VariantId(sh_id.clone())) }];
    sh.update_variants(&product, &landed).await.unwrap();
    let now = Utc::now();
    let claimed = app.store().claim(&[job.id], &a_dead_process(), now + chrono::Duration::seconds(30), now).unwrap();
    assert_eq!(claimed.len(), 1, "the dead process holds the job");
    s.shopify.requests().reset();

    app.set_paused(false).await.unwrap();
    let settled = app.settle_jobs(vec![job.id], Duration::from_secs(30)).await.unwrap();
    assert_eq!(settled.done, 1, "the job is taken back from the dead process at once and settled");
    let writes: u64 = s
        .shopify
        .requests()
        .snapshot()
        .iter()
        .filter(|r| r.route.ends_with("ProductVariantsBulkUpdate"))
        .map(|r| r.count)
        .sum();
    assert_eq!(writes, 0, "Shopify already had the price, so it was not written a second time");
    let timeline = app.job_timeline(job.id).await.unwrap();
    assert!(
        timeline.attempts.iter().any(|a| a.outcome == "already_applied"),
        "the timeline says why nothing was sent: {:?}",
        timeline.attempts
    );
    assert_eq!(shopify_variant(&sh, &sh_id).await.price, price, "and the price is right");
}

#[tokio::test]
async fn cancel_stops_a_sync_between_requests_and_leaves_the_queue_settled() {
    let s = stores(300).await;
    let app = connected(&s, None).await;
    // Slow answers, so the write phase lasts long enough to be cancelled in the middle.
    let slow = tillbridge_emulator::FaultConfig { latency_ms: 150, ..Default::default() };
    s.shopify.faults().set(slow.clone()).unwrap();
    s.bigcommerce.faults().set(slow).unwrap();
    app.sync_start(SyncRequest::new(Scope::Full, false)).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let p = app.sync_progress().await.unwrap();
        if p.phase == SyncPhase::Writing && p.done > 0 {
            break;
        }
        assert!(p.running && std::time::Instant::now() < deadline, "the sync reaches its write phase: {p:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cancelled = app
        .cancel_sync(tillbridge_engine::CancelRequest { capability: tillbridge_engine::Capability::Catalog })
        .await
        .unwrap();
    assert!(cancelled.run_id.is_some(), "the running sync is the one asked to stop");
    let end = loop {
        let p = app.sync_progress().await.unwrap();
        if !p.running {
            break p;
        }
        assert!(std::time::Instant::now() < deadline, "the sync stops soon after the cancel");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(end.phase, SyncPhase::Cancelled, "the run says it was cancelled: {end:?}");
    let counts = app.store().job_counts(None).unwrap();
    assert_eq!((counts.pending, counts.running), (0, 0), "nothing is left queued or half-sent: {counts:?}");
    assert!(counts.cancelled > 0, "the writes not yet sent are cancelled, not lost silently: {counts:?}");
    assert!(counts.done > 0, "the ones already sent stay done: {counts:?}");
    let runs = app.runs(tillbridge_engine::RunsQuery::default()).await.unwrap();
    assert_eq!(runs.runs[0].result, tillbridge_engine::RunResult::Cancelled, "and the Runs view says so");
}

/// A clock that can be moved forward, for the scheduler.
#[derive(Debug, Default)]
struct MovableClock(std::sync::atomic::AtomicI64);

impl tillbridge_engine::Clock for MovableClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[tokio::test]
async fn a_scheduled_sync_beyond_its_guard_rails_waits_for_approval_and_writes_nothing() {
    let s = stores(200).await;
    let clock = Arc::new(MovableClock::default());
    let app = App::from_parts(
        Store::open_in_memory(Utc::now()).unwrap(),
        Arc::new(MemorySecretStore::default()),
        clock.clone(),
        Opened { from_version: 0, to_version: 3, backup: None },
    );
    connect_both(&app, &s).await;
    // Due two minutes from now; no write at all passes the rails.
    let at = (Utc::now() + chrono::Duration::minutes(2)).format("%H:%M").to_string();
    let guard = tillbridge_engine::GuardRails { max_changes: 0, max_price_change_pct: 50 };
    let request =
        tillbridge_engine::ScheduleRequest { at: Some(at), time_zone: Some("UTC".into()), guard: Some(guard) };
    let view = app.set_schedule(request).await.unwrap();
    assert!(view.next_run_at.is_some(), "the schedule says when it runs next: {view:?}");
    s.bigcommerce.requests().reset();
    s.shopify.requests().reset();
    // The PC wakes ten minutes later.
    clock.0.store(600, std::sync::atomic::Ordering::SeqCst);
    let runtime =
        app.start_runtime(RuntimeOptions { scheduler: true, tick: Duration::from_millis(100), stock_poll: None });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let run = loop {
        let runs = app.runs(tillbridge_engine::RunsQuery::default()).await.unwrap();
        if let Some(r) = runs.runs.iter().find(|r| r.finished_at.is_some()) {
            break r.clone();
        }
        assert!(std::time::Instant::now() < deadline, "the scheduled sync runs: {runs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    runtime.shutdown(Duration::from_secs(3)).await;
    assert_eq!(run.trigger, tillbridge_engine::Trigger::Scheduled, "the run is the schedule's");
    assert_eq!(run.result, tillbridge_engine::RunResult::NeedsApproval, "its changes exceed the rails: {run:?}");
    assert!(
        run.approval_reason.as_deref().is_some_and(|r| r.contains("changes")),
        "and it says why it waits: {:?}",
        run.approval_reason
    );
    let writes: u64 = s
        .shopify
        .requests()
        .snapshot()
        .iter()
        .chain(s.bigcommerce.requests().snapshot().iter())
        .filter(|r| r.route.ends_with("Update") || r.route.starts_with("PUT "))
        .map(|r| r.count)
        .sum();
    assert_eq!(writes, 0, "a run waiting for approval writes nothing");
    let runs = app.runs(tillbridge_engine::RunsQuery::default()).await.unwrap();
    assert_eq!(runs.total, 1, "the missed time ran once, not once per tick");
}
