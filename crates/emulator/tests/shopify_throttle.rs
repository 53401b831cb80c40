//! The leaky bucket, measured from outside: queries drain it by their cost, it refills at the
//! configured rate, an empty bucket answers THROTTLED at HTTP 200, and a fault storm throttles
//! everything.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shopify_common::{STORE, level, start, start_small, variant};
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::world::{ShOption, ShProduct};

/// The small world plus a product with 120 variants, so a page costs what it requests.
fn world_with_many_variants() -> tillbridge_emulator::World {
    let mut world = shopify_common::small_world();
    let t0 = chrono::Utc::now();
    world.shopify.products.push(ShProduct {
        id: 1100,
        title: "Sock".into(),
        handle: "sock".into(),
        vendor: "Tillbridge".into(),
        options: vec![ShOption { name: "Size".into(), values: vec![] }],
        variants: (0..120)
            .map(|i| {
                variant(3000 + i, 1100, &format!("N{i}"), &format!("SOCK-{i}"), "", "5.00", vec![level(STORE, 1, 0)])
            })
            .collect(),
        created_at: t0,
        updated_at: t0,
    });
    world
}

const PAGE_OF_45: &str = "query Drain { productVariants(first: 45) { nodes { id } } }";

fn available(body: &Value) -> f64 {
    body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"].as_f64().unwrap_or(f64::NAN)
}

#[tokio::test]
async fn the_bucket_drains_by_cost_and_restores_at_the_configured_rate() {
    let config = ShopifyConfig { bucket_size: 100.0, restore_rate: 50.0, ..ShopifyConfig::default() };
    let shop = start(&world_with_many_variants(), config).await;

    let (_, first) = shop.gql_on("2026-10", PAGE_OF_45, json!({})).await;
    assert_eq!(first["extensions"]["cost"]["requestedQueryCost"], 47, "2 + 45 variants");
    assert_eq!(first["extensions"]["cost"]["actualQueryCost"], 47, "45 came back, so nothing is refunded");
    assert!(
        (50.0..=56.0).contains(&available(&first)),
        "100 - 47 left (plus a few ms of refill): {}",
        available(&first)
    );

    // Drain until refused; each accepted page takes 47.
    let mut throttled = None;
    for _ in 0..5 {
        let (status, body) = shop.gql_on("2026-10", PAGE_OF_45, json!({})).await;
        assert_eq!(status, 200, "throttling is a GraphQL error at HTTP 200, not a 429");
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            throttled = Some((Instant::now(), body));
            break;
        }
    }
    let Some((t0, refused)) = throttled else { panic!("three pages of 47 must empty a bucket of 100") };
    assert_eq!(refused["errors"][0]["message"], "Throttled", "Shopify's message");
    assert!(refused["extensions"]["cost"]["actualQueryCost"].is_null(), "a refused query cost nothing");
    assert!(refused["data"].is_null(), "and returned no data");
    let a0 = available(&refused);
    assert!(a0 < 47.0, "refused because fewer than 47 points were left: {a0}");

    tokio::time::sleep(Duration::from_millis(1000)).await;
    let body = shop.gql("{ shop { name } }", json!({})).await;
    let elapsed = t0.elapsed().as_secs_f64();
    let measured = available(&body) + 1.0 - a0; // the shop query itself cost 1
    let expected = 50.0 * elapsed;
    assert!(
        (measured - expected).abs() <= 8.0,
        "refill must follow restore_rate × elapsed: gained {measured:.1} in {elapsed:.3} s, expected {expected:.1}"
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let body = shop.gql("{ shop { name } }", json!({})).await;
    assert!(
        available(&body) <= 100.0 && available(&body) >= 98.0,
        "the bucket never fills beyond its size: {}",
        available(&body)
    );
    let log = shop.emulator.requests().with_outcome("THROTTLED");
    assert_eq!(log, 1, "the refused request is counted as THROTTLED");
}

#[tokio::test]
async fn throttle_settings_change_at_run_time_and_storms_throttle_everything() {
    let shop = start_small().await;
    let (status, settings) = shop.admin_put("/__admin/throttle", json!({"bucket_size": 30, "restore_rate": 0})).await;
    assert_eq!(status, 200, "the admin API accepts new limits");
    assert_eq!(settings["bucket_size"], 30.0, "and reports them");
    let (_, body) = shop.gql_on("2026-10", "{ productVariants(first: 30) { nodes { id } } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED", "32 points do not fit a bucket of 30");
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 30.0, "the new size is advertised");

    let (status, _) = shop.admin_put("/__admin/throttle", json!({"bucket_size": 2000, "restore_rate": 100000})).await;
    assert_eq!(status, 200, "limits can be raised again");
    let (status, _) = shop.admin_put("/__admin/faults", json!({"rate_limit_storm_ms": 300})).await;
    assert_eq!(status, 200, "a storm is a fault like any other");
    let (_, body) = shop.gql_on("2026-10", "{ shop { name } }", json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "THROTTLED",
        "during a storm even a 1-point query is throttled"
    );
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 0, "and the bucket reads empty");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, body) = shop.gql_on("2026-10", "{ shop { name } }", json!({})).await;
    assert!(body["errors"].is_null(), "after the storm requests pass again: {body}");
}
