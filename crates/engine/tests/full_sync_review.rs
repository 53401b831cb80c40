//! What stands before a person's Full sync: price moves beyond the guard rails' limit are flagged
//! in the preview and need accepting, and a preview taken before the ownership, the rules or the
//! mapping changed is stale and must be taken again.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use support::{connected, merchant};
use tillbridge_bigcommerce::{BigCommerceClient, ProductQuery};
use tillbridge_emulator::SeedSpec;
use tillbridge_engine::{
    App, ErrorCode, MappingQuery, Owner, PairRequest, PreviewQuery, RunsQuery, Scope, SyncPhase, SyncRequest,
};
use tillbridge_shopify::{ShopifyClient, VariantQuery};

async fn run(app: &App, request: SyncRequest) -> tillbridge_engine::SyncProgress {
    let p = app.sync_run(request).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the run must finish, not fail: {:?}", p.error);
    p
}

fn accepted() -> SyncRequest {
    SyncRequest { accept_price_changes: true, ..SyncRequest::new(Scope::Full, false) }
}

async fn latest_preview(app: &App) -> tillbridge_engine::PreviewView {
    app.sync_preview(PreviewQuery::default()).await.unwrap()
}

async fn shopify_price(sh: &ShopifyClient, id: &str) -> Decimal {
    let pages: Vec<Vec<tillbridge_shopify::models::Variant>> =
        sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    pages.into_iter().flatten().find(|v| v.id.0 == id).expect("the variant is on Shopify").price
}

/// A SKU-matched pair whose BigCommerce variant has a price of its own, with that price.
async fn priced_pair(app: &App, bc: &BigCommerceClient) -> (i64, String, Decimal) {
    let products: Vec<_> =
        bc.products(ProductQuery { include_variants: true, ..Default::default() }).try_collect().await.unwrap();
    let prices: std::collections::HashMap<i64, Decimal> =
        products.into_iter().flatten().flat_map(|p| p.variants).filter_map(|v| Some((v.id, v.price?))).collect();
    let matched =
        app.mapping(MappingQuery { class: Some("matched".into()), limit: Some(500), ..Default::default() }).await;
    matched
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.key.as_deref() == Some("sku"))
        .filter_map(|r| {
            let bc_id = r.bigcommerce.as_ref()?.variant_id;
            Some((bc_id, r.shopify.as_ref()?.variant_id.clone(), *prices.get(&bc_id)?))
        })
        .next()
        .expect("the seed has SKU-matched variants with their own price")
}

#[tokio::test]
async fn a_large_price_cut_is_flagged_and_a_full_sync_writes_it_only_once_accepted() {
    let s = support::stores(SeedSpec { variants: 200, ..SeedSpec::default() }).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    run(&app, accepted()).await;
    let (bc_id, sh_id, price) = priced_pair(&app, &bc).await;

    // The measured case in spirit: a price cut to a sixteenth, 94 % down.
    let cut = (price / Decimal::from(16)).round_dp(2);
    let update = tillbridge_bigcommerce::models::VariantUpdate { id: bc_id, price: Some(cut), ..Default::default() };
    bc.update_variants(&[update]).await.unwrap();

    run(&app, SyncRequest::new(Scope::Full, true)).await;
    let preview = latest_preview(&app).await;
    assert_eq!(preview.price_flag_pct, 50, "the default threshold is the guard rails' 50 %");
    let flagged = preview.flagged.iter().find(|f| f.bigcommerce_variant_id == bc_id);
    let flagged = flagged.unwrap_or_else(|| panic!("the preview flags the cut: {:?}", preview.flagged));
    assert!(flagged.pct <= -90, "a cut to a sixteenth is flagged as about -94 %, got {}", flagged.pct);
    assert_eq!(preview.flagged_total, preview.flagged.len() as u64, "every flagged move is counted");
    assert!(preview.stale.is_none(), "a preview just taken is fresh");

    let runs_before = app.runs(RunsQuery::default()).await.unwrap().total;
    let refused = app.sync_run(SyncRequest::new(Scope::Full, false)).await.expect_err("unaccepted moves refuse");
    assert_eq!(refused.code, Some(ErrorCode::PriceChangesUnconfirmed), "the UI can ask for confirmation: {refused}");
    assert!(
        refused.message.contains(&flagged.sku) && refused.message.contains("confirm"),
        "the refusal names the item and says what to do next: {refused}"
    );
    assert_eq!(app.runs(RunsQuery::default()).await.unwrap().total, runs_before, "a refused start leaves no run");
    assert_eq!(shopify_price(&sh, &sh_id).await, price, "nothing reached Shopify");

    run(&app, accepted()).await;
    assert_eq!(shopify_price(&sh, &sh_id).await, cut, "accepted, the cut is written");
}

#[tokio::test]
async fn a_price_moved_after_the_accepted_preview_is_not_written_unseen() {
    let s = support::stores(SeedSpec { variants: 200, ..SeedSpec::default() }).await;
    let app = connected(&s, None).await;
    let (bc, sh) = merchant(&s);
    run(&app, accepted()).await;
    let (bc_id, sh_id, price) = priced_pair(&app, &bc).await;
    let set =
        |p: Decimal| tillbridge_bigcommerce::models::VariantUpdate { id: bc_id, price: Some(p), ..Default::default() };

    bc.update_variants(&[set((price / Decimal::from(16)).round_dp(2))]).await.unwrap();
    run(&app, SyncRequest::new(Scope::Full, true)).await;
    // Edited again after the person looked: the preview showed another value.
    bc.update_variants(&[set((price * Decimal::from(4)).round_dp(2))]).await.unwrap();

    let p = run(&app, accepted()).await;
    let reason = p.approval_reason.expect("the unseen move stops the run before it writes");
    assert!(reason.contains("more than 50 %"), "and says why: {reason}");
    assert_eq!(shopify_price(&sh, &sh_id).await, price, "nothing reached Shopify");
}

#[tokio::test]
async fn an_ownership_or_mapping_change_makes_the_preview_stale_until_a_fresh_one_is_taken() {
    let s = support::stores(SeedSpec { variants: 200, ..SeedSpec::default() }).await;
    let app = connected(&s, None).await;
    run(&app, SyncRequest::new(Scope::Full, true)).await;
    assert!(latest_preview(&app).await.stale.is_none(), "a preview just taken is fresh");

    let mut ownership = app.ownership().await.unwrap();
    ownership.barcode = Owner::Shopify;
    app.set_ownership(ownership).await.unwrap();
    let stale = latest_preview(&app).await.stale.expect("an ownership change makes the preview stale");
    assert_eq!(stale.what, "the field ownership", "the preview says what changed");
    let refused = app.sync_run(accepted()).await.expect_err("a stale preview blocks a full sync");
    assert_eq!(refused.code, Some(ErrorCode::PreviewStale), "the UI can tell: {refused}");
    assert!(refused.message.contains("preview again"), "the refusal says what to do next: {refused}");
    app.set_ownership(ownership).await.unwrap();
    assert!(
        app.sync_run(accepted()).await.is_err(),
        "saving the same ownership again does not make a stale preview fresh"
    );

    run(&app, SyncRequest::new(Scope::Full, true)).await;
    assert!(latest_preview(&app).await.stale.is_none(), "a fresh preview clears it");
    run(&app, accepted()).await;
    assert!(latest_preview(&app).await.stale.is_none(), "a full sync itself leaves the preview fresh");

    let matched =
        app.mapping(MappingQuery { class: Some("matched".into()), limit: Some(1), ..Default::default() }).await;
    let row = matched.unwrap().rows.into_iter().next().expect("a matched pair");
    let pair = PairRequest {
        bigcommerce_variant_id: row.bigcommerce.unwrap().variant_id,
        shopify_variant_id: row.shopify.unwrap().variant_id,
    };
    app.mapping_unlink(pair).await.unwrap();
    let stale = latest_preview(&app).await.stale.expect("an unlink makes the preview stale");
    assert!(stale.what.contains("mapping"), "and says the mapping changed: {}", stale.what);
    let refused = app.sync_run(accepted()).await.expect_err("blocked again until a fresh preview");
    assert_eq!(refused.code, Some(ErrorCode::PreviewStale), "{refused}");
    assert!(
        app.sync_run(SyncRequest::new(Scope::Full, true)).await.is_ok(),
        "a preview itself is never refused for staleness"
    );
}
