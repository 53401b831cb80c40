//! Bulk queries (JSONL with `__parentId`, status progression, per-version concurrency) and the
//! emulator's speed at the size the product targets: 100,000 variants in memory.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use shopify_common::{STORE, Shop, WAREHOUSE, level, start, start_small, variant};
use tillbridge_emulator::World;
use tillbridge_emulator::shopify::ShopifyConfig;
use tillbridge_emulator::world::{ShOption, ShProduct};

const RUN: &str = r#"mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id status } userErrors { field message code } } }"#;

async fn run_bulk(shop: &Shop, version: &str, query: &str) -> Value {
    let (status, body) = shop.gql_on(version, RUN, json!({"q": query})).await;
    assert_eq!(status, 200, "bulkOperationRunQuery answers: {body}");
    body["data"]["bulkOperationRunQuery"].clone()
}

async fn wait_completed(shop: &Shop, id: &str) -> Value {
    for _ in 0..600 {
        let body = shop
            .gql("query($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url errorCode } }", json!({"id": id}))
            .await;
        let op = body["data"]["bulkOperation"].clone();
        if op["status"] == "COMPLETED" || op["status"] == "FAILED" {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("bulk operation {id} did not finish within 30 s")
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or(Value::Null)).collect()
}

#[tokio::test]
async fn a_bulk_query_writes_jsonl_with_children_pointing_at_their_parents() {
    let shop = start_small().await;
    let query = "{ products { edges { node { id title variants { edges { node { id sku barcode selectedOptions { name value } inventoryItem { id } } } } } } } }";
    let started = run_bulk(&shop, "2026-10", query).await;
    assert_eq!(started["bulkOperation"]["status"], "CREATED", "the operation starts CREATED: {started}");
    let id = started["bulkOperation"]["id"].as_str().unwrap_or_default().to_string();
    let done = wait_completed(&shop, &id).await;
    assert_eq!(done["status"], "COMPLETED", "then completes: {done}");
    assert_eq!(done["rootObjectCount"], "2", "two products (UnsignedInt64 comes as a string)");
    assert_eq!(done["objectCount"], "6", "two products and four variants");

    let url = done["url"].as_str().unwrap_or_default().to_string();
    assert!(url.starts_with(&shop.base), "the file is served by the emulator itself: {url}");
    let text = shop.http.get(&url).send().await.expect("the JSONL downloads").text().await.unwrap_or_default();
    assert_eq!(done["fileSize"], text.len().to_string(), "fileSize is the byte length of the file");
    let rows = lines(&text);
    assert_eq!(rows[0]["id"], "gid://shopify/Product/1001", "grouped output starts with a parent");
    assert!(rows[0].get("variants").is_none(), "nested connections are not inlined in the parent line");
    assert_eq!(rows[1]["__parentId"], "gid://shopify/Product/1001", "children carry their parent's GID");
    assert_eq!(
        rows[1]["selectedOptions"][0],
        json!({"name": "Size", "value": "S"}),
        "child lines keep their own nested objects"
    );
    assert_eq!(
        rows[1]["inventoryItem"]["id"], "gid://shopify/InventoryItem/502001",
        "including objects such as inventoryItem"
    );
    assert_eq!(rows.iter().filter(|r| r.get("__parentId").is_none()).count(), 2, "only the products are roots");

    let current = shop.gql("{ currentBulkOperation(type: QUERY) { id status } }", json!({})).await;
    assert_eq!(current["data"]["currentBulkOperation"]["id"], id.as_str(), "currentBulkOperation is the latest one");
    let node =
        shop.gql("query($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }", json!({"id": id})).await;
    assert_eq!(node["data"]["node"]["status"], "COMPLETED", "and node(id) finds it too");

    let levels = run_bulk(&shop, "2026-10", r#"{ inventoryItems { edges { node { id sku inventoryLevels { edges { node { location { id } quantities(names: ["available"]) { quantity } } } } } } } }"#).await;
    let done = wait_completed(&shop, levels["bulkOperation"]["id"].as_str().unwrap_or_default()).await;
    let text = shop
        .http
        .get(done["url"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("download")
        .text()
        .await
        .unwrap_or_default();
    let rows = lines(&text);
    let small_tee: Vec<&Value> =
        rows.iter().filter(|r| r["__parentId"] == "gid://shopify/InventoryItem/502001").collect();
    assert_eq!(small_tee.len(), 2, "the small tee's two levels are child lines of its item");
    let available: Vec<i64> = small_tee.iter().filter_map(|r| r["quantities"][0]["quantity"].as_i64()).collect();
    assert_eq!(available, [10, 40], "levels come in location-id order: the store (10), then the warehouse (40)");

    let bad = run_bulk(&shop, "2026-10", r#"{ node(id: "gid://shopify/Product/1001") { id } }"#).await;
    assert_eq!(bad["userErrors"][0]["code"], "INVALID", "top-level node is not allowed in bulk queries");
}

/// 10,000 products × 10 variants, two locations each.
fn big_world() -> World {
    let mut world = shopify_common::small_world();
    let now = Utc::now();
    world.shopify.products = (0..10_000u64)
        .map(|p| ShProduct {
            id: 10_000 + p,
            title: format!("Product {p}"),
            handle: format!("product-{p}"),
            vendor: "Bulk".into(),
            options: vec![ShOption { name: "Size".into(), values: vec![] }],
            variants: (0..10u64)
                .map(|v| {
                    let id = 1_000_000 + p * 10 + v;
                    variant(
                        id,
                        10_000 + p,
                        &format!("V{v}"),
                        &format!("SKU-{p}-{v}"),
                        &format!("9{id:012}"),
                        "9.99",
                        vec![level(STORE, 5, 0), level(WAREHOUSE, 7, 0)],
                    )
                })
                .collect(),
            created_at: now,
            updated_at: now,
        })
        .collect();
    world
}

#[tokio::test]
async fn a_hundred_thousand_variants_answer_pages_quickly() {
    let built = Instant::now();
    let shop = start(
        &big_world(),
        ShopifyConfig { bucket_size: 100_000.0, restore_rate: 100_000.0, ..ShopifyConfig::default() },
    )
    .await;
    let load = built.elapsed();

    let page = "query($after: String) { productVariants(first: 250, after: $after) { nodes { id sku barcode price selectedOptions { name value } inventoryItem { id } } pageInfo { hasNextPage endCursor } } }";
    let t = Instant::now();
    let first = shop.gql(page, json!({})).await;
    let first_page = t.elapsed();
    assert_eq!(first["data"]["productVariants"]["nodes"].as_array().map(Vec::len), Some(250), "a full page of 250");

    let mut after = first["data"]["productVariants"]["pageInfo"]["endCursor"].clone();
    let t = Instant::now();
    for _ in 0..20 {
        let body = shop.gql(page, json!({"after": after})).await;
        after = body["data"]["productVariants"]["pageInfo"]["endCursor"].clone();
    }
    let twenty_pages = t.elapsed();

    let t = Instant::now();
    let hit = shop.gql(r#"{ productVariants(first: 5, query: "sku:SKU-9876-5") { nodes { id } } }"#, json!({})).await;
    let sku_lookup = t.elapsed();
    assert_eq!(
        hit["data"]["productVariants"]["nodes"][0]["id"], "gid://shopify/ProductVariant/1098765",
        "the SKU index finds the one variant"
    );

    let nested = "{ products(first: 9) { nodes { id variants(first: 100) { nodes { id sku barcode } } } } }";
    let t = Instant::now();
    let body = shop.gql(nested, json!({})).await;
    let nested_page = t.elapsed();
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"], 929,
        "2 + 9 × (1 + 2 + 100): the deepest products×variants page under 1000"
    );

    let t = Instant::now();
    let bulk =
        run_bulk(&shop, "2025-10", "{ products { edges { node { id variants { edges { node { id sku } } } } } } }")
            .await;
    let id = bulk["bulkOperation"]["id"].as_str().unwrap_or_default().to_string();
    let second = run_bulk(&shop, "2025-10", "{ productVariants { edges { node { id } } } }").await;
    assert_eq!(
        second["userErrors"][0]["code"], "OPERATION_IN_PROGRESS",
        "before 2026-01 one bulk query runs at a time: {second}"
    );
    let parallel = run_bulk(&shop, "2026-10", "{ productVariants { edges { node { id } } } }").await;
    assert!(
        parallel["userErrors"].as_array().is_some_and(Vec::is_empty),
        "from 2026-01 up to five run at once: {parallel}"
    );
    let done = wait_completed(&shop, &id).await;
    let bulk_time = t.elapsed();
    assert_eq!(done["objectCount"], "110000", "10,000 products and 100,000 variants in the file");

    eprintln!(
        "timings with 100,000 variants: load {load:?}, first page of 250 {first_page:?}, 20 more pages {twenty_pages:?}, sku lookup {sku_lookup:?}, products(9)×variants(100) {nested_page:?}, bulk export {bulk_time:?}"
    );
    let limit = Duration::from_secs(3);
    for (what, took) in [("first page", first_page), ("sku lookup", sku_lookup), ("nested page", nested_page)] {
        assert!(took < limit, "{what} took {took:?}; a sync page must answer well within a client timeout");
    }
    assert!(twenty_pages < limit * 10, "deep pages stay fast too: {twenty_pages:?} for 20");
}
