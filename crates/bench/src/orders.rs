//! `bench orders`: an offline POS burst. The till rings up `count` sales while Tillbridge is not
//! looking (a back-office PC switched off overnight); one orders cycle then carries them all into
//! BigCommerce on Standard-plan emulated stores. Prints the requests against the least the APIs
//! allow, the drain time against the least the rate limits allow, and the duplicates (BigCommerce
//! orders beyond one per POS order), counted from the BigCommerce emulator's own records.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::json;
use tillbridge_emulator::SeedSpec;
use tillbridge_emulator::rng::Rng;
use tillbridge_emulator::shopify::{PosDiscount, PosDiscountType, PosLine, PosSale, PosTender};
use tillbridge_engine::{ApiError, OrdersSyncRequest};
use tillbridge_shopify::ops::orders::ORDERS_PER_PAGE;

use super::{
    MatchedBench, first_location, matched_bench, matched_variants, print_routes, quota_floors, round_to,
    wait_for_full_quotas,
};

/// How far the engine lets this computer's clock be from Shopify's when it decides a sale is
/// newer than its first orders cycle; the burst is rung up after it.
const CLOCK_SKEW: Duration = Duration::from_secs(61);

#[allow(clippy::print_stdout)]
pub async fn orders(spec: SeedSpec, count: usize) -> Result<(), ApiError> {
    let seed = spec.seed;
    let MatchedBench { stores, bc_config, sh_config, app, runtime, _dir } =
        matched_bench(spec, "variants the sales use").await?;
    // The first cycle finds nothing and marks when this database began carrying orders.
    let first = app.orders_sync(OrdersSyncRequest::default()).await?;
    println!("first orders cycle: {} POS orders read", first.read);

    let location = first_location(&app).await?;
    let sellable = matched_variants(&app)?;
    if sellable.is_empty() {
        return Err(ApiError::internal("no variant is matched, so no sale can be a catalog line"));
    }
    // The clocks' margin passes too before the burst, so every sale is newer than carrying's start.
    wait_for_full_quotas(&bc_config, &sh_config, CLOCK_SKEW).await;

    let mut rng = Rng::new(seed ^ 0x05_0A_1E);
    for i in 0..count {
        let lines = (0..1 + rng.below(3))
            .map(|_| PosLine {
                variant_id: Some(*rng.pick(&sellable)),
                quantity: 1 + rng.below(2) as i64,
                ..PosLine::default()
            })
            .collect();
        let mut sale = PosSale { location_id: location, lines, ..PosSale::default() };
        if i % 2 == 0 {
            sale.tax_rate = Some(Decimal::new(8, 2));
        }
        if i % 5 == 0 {
            sale.discounts = vec![PosDiscount {
                value_type: PosDiscountType::Percentage,
                value: Decimal::TEN,
                ..Default::default()
            }];
        }
        if i % 7 == 0 {
            sale.tenders = vec![
                PosTender { gateway: "cash".into(), amount: Some(Decimal::new(500, 2)) },
                PosTender { gateway: "shopify_payments".into(), amount: None },
            ];
        }
        stores.shopify.ring_up(&sale).map_err(|e| ApiError::internal(format!("the till refused a sale: {e}")))?;
    }
    println!("rang up {count} POS sales while Tillbridge was not looking");

    stores.bigcommerce.requests().reset();
    stores.shopify.requests().reset();
    let points_before = stores.shopify.points_spent();
    let started = Instant::now();
    let report = app.orders_sync(OrdersSyncRequest::default()).await?;
    let wall_s = started.elapsed().as_secs_f64();
    let points = stores.shopify.points_spent() - points_before;
    runtime.shutdown(Duration::from_secs(10)).await;
    println!(
        "drain: {} read, {} queued, {} carried, {} failed in {wall_s:.2} s",
        report.read, report.queued, report.carried, report.failed
    );
    println!("requests by endpoint:");
    let bc_requests = print_routes("BigCommerce", stores.bigcommerce.requests());
    let sh_requests = print_routes("Shopify", stores.shopify.requests());
    let requests = bc_requests + sh_requests;

    // Ground truth: the BigCommerce emulator's own orders, by the POS order they carry.
    let mut per_order: HashMap<String, (u64, Decimal)> = HashMap::new();
    let snapshot = stores.bigcommerce.orders_snapshot();
    for o in snapshot["orders"].as_array().into_iter().flatten() {
        let Some(ext) = o["external_order_id"].as_str() else { continue };
        let total = o["total_inc_tax"].as_str().and_then(|t| t.parse().ok()).unwrap_or_default();
        let entry = per_order.entry(ext.to_string()).or_default();
        entry.0 += 1;
        entry.1 = total;
    }
    let duplicates: u64 = per_order.values().map(|(n, _)| n.saturating_sub(1)).sum();
    let carried = per_order.len();
    let missing = count.saturating_sub(carried);

    // The least: one create per order, the POS orders read at the page size Shopify's cost limit
    // allows, and the channel found (one list), plus its create when the store had none.
    let pages = (count as u64).div_ceil(u64::from(ORDERS_PER_PAGE)).max(1);
    let channel_made = stores
        .bigcommerce
        .requests()
        .snapshot()
        .iter()
        .any(|r| r.route == "POST /stores/{store_hash}/v3/channels" && r.outcome.starts_with('2'));
    let channel = 1 + u64::from(channel_made);
    let min_requests = count as u64 + pages + channel;
    let ratio = requests as f64 / min_requests as f64;
    let (bc_floor, sh_floor) = quota_floors(bc_requests, points, &bc_config, &sh_config);
    let floor_s = bc_floor.max(sh_floor);
    let wall_target_s = 1.15 * floor_s + 5.0;
    println!(
        "orders: {carried} BigCommerce orders for {count} POS sales; duplicates {duplicates} (target 0), missing {missing}"
    );
    println!(
        "requests: {requests} ({bc_requests} BigCommerce, {sh_requests} Shopify) against a least of {min_requests} \
         ({count} creates + {pages} order pages + {channel} for the channel): ratio {ratio:.3} (target ≤ 1.05{})",
        if ratio <= 1.05 { ", met" } else { ", MISSED" }
    );
    println!(
        "wall {wall_s:.2} s against a floor of {floor_s:.1} s (BigCommerce {bc_floor:.1} s, Shopify {points:.0} points {sh_floor:.1} s): \
         target ≤ {wall_target_s:.1} s{}",
        if wall_s <= wall_target_s { ", met" } else { ", MISSED" }
    );
    println!(
        "{}",
        json!({
            "orders": carried,
            "duplicates": duplicates,
            "missing": missing,
            "requests": requests,
            "min_requests": min_requests,
            "wall_s": round_to(wall_s, 2),
            "floor_s": round_to(floor_s, 2),
        })
    );
    if duplicates == 0 && missing == 0 {
        Ok(())
    } else {
        Err(ApiError::internal(format!("{duplicates} duplicate and {missing} missing BigCommerce orders")))
    }
}
