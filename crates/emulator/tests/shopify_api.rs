//! The read side of the emulated Admin GraphQL API, over real HTTP: auth, versions, pagination,
//! search syntax, inventory quantities, query cost on every response, and the limits that
//! refuse a request before it runs.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use serde_json::{Value, json};
use shopify_common::{STORE, WAREHOUSE, item_gid, location_gid, start_small};

#[tokio::test]
async fn a_wrong_token_gets_shopifys_401_and_an_unknown_version_404() {
    let shop = start_small().await;
    let res = shop
        .http
        .post(format!("{}/admin/api/2026-10/graphql.json", shop.base))
        .header("X-Shopify-Access-Token", "shpat_wrong")
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(res.status().as_u16(), 401, "a wrong token is refused before anything runs");
    let body: Value = res.json().await.unwrap_or_default();
    assert_eq!(
        body["errors"], "[API] Invalid API key or access token (unrecognized login or wrong password)",
        "clients match Shopify's exact 401 text"
    );
    let (status, _) = shop.gql_on("2026-13", "{ shop { name } }", json!({})).await;
    assert_eq!(status, 404, "a version that was never released is not found");
    let res = shop
        .http
        .post(format!("{}/admin/api/2023-04/graphql.json", shop.base))
        .header("X-Shopify-Access-Token", &shop.token)
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .expect("the emulator answers");
    assert_eq!(
        res.headers().get("X-Shopify-API-Version").and_then(|v| v.to_str().ok()),
        Some("2025-01"),
        "a retired version falls forward to the oldest supported one, and the header says so"
    );
}

#[tokio::test]
async fn variants_page_with_cursors_and_every_response_reports_its_cost() {
    let shop = start_small().await;
    let q = "query Page($after: String) { productVariants(first: 2, after: $after) { edges { cursor node { id sku } } pageInfo { hasNextPage endCursor } } }";
    let first = shop.gql(q, json!({})).await;
    let page = &first["data"]["productVariants"];
    assert_eq!(page["edges"].as_array().map(Vec::len), Some(2), "first: 2 returns two variants");
    assert_eq!(
        page["edges"][0]["node"]["id"], "gid://shopify/ProductVariant/2001",
        "default sort is by id, ids are GIDs"
    );
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "four variants exist, so there is a next page");
    let cost = &first["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 4, "2 for the connection + 2 variants requested");
    assert!(
        cost["throttleStatus"]["maximumAvailable"].as_f64().is_some(),
        "every response carries the throttle status: {cost}"
    );
    let second = shop.gql(q, json!({"after": page["pageInfo"]["endCursor"]})).await;
    let ids: Vec<&str> = second["data"]["productVariants"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["gid://shopify/ProductVariant/2003", "gid://shopify/ProductVariant/2004"],
        "the cursor continues after the first page"
    );
    assert_eq!(second["data"]["productVariants"]["pageInfo"]["hasNextPage"], false, "the last page says so");
}

#[tokio::test]
async fn search_syntax_filters_by_sku_barcode_and_updated_at() {
    let shop = start_small().await;
    let q = "query($q: String) { productVariants(first: 10, query: $q) { nodes { sku barcode } } }";
    let skus = |body: &Value| -> Vec<String> {
        body["data"]["productVariants"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["sku"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(skus(&shop.gql(q, json!({"q": "sku:TEE-M"})).await), ["TEE-M"], "sku: matches one SKU");
    assert_eq!(skus(&shop.gql(q, json!({"q": "barcode:0012345678905"})).await), ["MUG-1"], "barcode: matches the mug");
    assert_eq!(
        skus(&shop.gql(q, json!({"q": "updated_at:>'2026-04-01T00:00:00Z'"})).await),
        ["TEE-M"],
        "only the medium tee changed after April 1st"
    );
    assert_eq!(
        skus(&shop.gql(q, json!({"q": "sku:TEE-* AND -sku:TEE-S"})).await),
        ["TEE-M", "TEE-L"],
        "wildcards, AND and negation combine"
    );
    let warned = shop.gql(q, json!({"q": "colour:red"})).await;
    assert!(
        warned["extensions"]["search"][0]["warnings"][0]["field"] == "colour",
        "an unknown filter is ignored with a warning, as Shopify does: {}",
        warned["extensions"]
    );
}

#[tokio::test]
async fn inventory_quantities_follow_the_on_hand_identity() {
    let shop = start_small().await;
    let q = r#"query($id: ID!, $loc: ID!) { inventoryItem(id: $id) {
        sku tracked
        inventoryLevel(locationId: $loc) { id quantities(names: ["available", "committed", "on_hand", "incoming"]) { name quantity } location { name } }
        inventoryLevels(first: 5) { nodes { location { id } } }
    } }"#;
    let body = shop.gql(q, json!({"id": item_gid(2001), "loc": location_gid(STORE)})).await;
    let item = &body["data"]["inventoryItem"];
    assert_eq!(item["sku"], "TEE-S", "the item carries its variant's SKU");
    let quantities: Vec<(String, i64)> = item["inventoryLevel"]["quantities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| (q["name"].as_str().unwrap_or_default().to_string(), q["quantity"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(
        quantities,
        [("available".into(), 10), ("committed".into(), 0), ("on_hand".into(), 10), ("incoming".into(), 0)],
        "quantities come in the order asked, on_hand = available + committed + …"
    );
    assert!(
        item["inventoryLevel"]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with(&format!("?inventory_item_id={}", 2001 + 500_000))),
        "InventoryLevel GIDs carry the item as a query parameter"
    );
    assert_eq!(
        item["inventoryLevels"]["nodes"].as_array().map(Vec::len),
        Some(2),
        "the small tee is stocked at both locations"
    );
    let level_id = item["inventoryLevel"]["id"].clone();
    let by_id =
        shop.gql("query($id: ID!) { inventoryLevel(id: $id) { location { id } } }", json!({"id": level_id})).await;
    assert_eq!(
        by_id["data"]["inventoryLevel"]["location"]["id"],
        location_gid(STORE),
        "inventoryLevel(id) resolves the same level"
    );
    let unknown = shop.gql_on("2026-10", r#"{ inventoryItem(id: "gid://shopify/InventoryItem/502001") { inventoryLevels(first: 1) { nodes { quantities(names: ["sold"]) { quantity } } } } }"#, json!({})).await;
    assert!(
        unknown.1["errors"][0]["message"].as_str().is_some_and(|m| m.contains("available")),
        "an unknown quantity name is an error that lists the valid names: {}",
        unknown.1
    );
}

#[tokio::test]
async fn products_nest_variants_and_nodes_resolve_by_gid() {
    let shop = start_small().await;
    let q = "{ products(first: 5, sortKey: TITLE) { nodes { title variants(first: 10) { nodes { sku selectedOptions { name value } product { id } inventoryItem { id } } } } } }";
    let body = shop.gql(q, json!({})).await;
    let products = body["data"]["products"]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(products[0]["title"], "Enamel Mug", "sortKey TITLE puts the mug first");
    assert_eq!(products[1]["variants"]["nodes"].as_array().map(Vec::len), Some(3), "the tee has three variants");
    assert_eq!(
        products[1]["variants"]["nodes"][2]["selectedOptions"][0],
        json!({"name": "Size", "value": "L"}),
        "options come through"
    );
    let node = shop
        .gql(r#"{ node(id: "gid://shopify/ProductVariant/2004") { id ... on ProductVariant { sku } } }"#, json!({}))
        .await;
    assert_eq!(node["data"]["node"]["sku"], "MUG-1", "node(id) finds variants by GID");
    let locations = shop.gql("{ locations(first: 5) { nodes { id name isActive } } }", json!({})).await;
    assert_eq!(
        locations["data"]["locations"]["nodes"][0]["name"], "Back Warehouse",
        "locations sort by name by default"
    );
    assert_eq!(
        locations["data"]["locations"]["nodes"][1]["id"],
        location_gid(STORE),
        "location GIDs use the numeric ids"
    );
    let _ = WAREHOUSE;
}

#[tokio::test]
async fn expensive_or_oversized_requests_are_refused_before_they_run() {
    let shop = start_small().await;
    let (status, body) = shop
        .gql_on("2026-10", "{ products(first: 50) { nodes { variants(first: 100) { nodes { id } } } } }", json!({}))
        .await;
    assert_eq!(status, 200, "cost errors come back as GraphQL errors");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED",
        "50 × (1 + 2 + 100) is far over 1000: {body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["cost"], 5152, "the error states the computed cost");
    assert!(body["data"].is_null(), "nothing ran");
    let (_, body) = shop.gql_on("2026-10", "{ productVariants { nodes { id } } }", json!({})).await;
    assert!(
        body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("first or last")),
        "a connection needs a page size: {body}"
    );
    let too_many: Vec<Value> =
        (0..251).map(|i| json!({"id": format!("gid://shopify/ProductVariant/{i}"), "price": "1.00"})).collect();
    let (_, body) = shop
        .gql_on(
            "2026-10",
            "mutation($v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: \"gid://shopify/Product/1001\", variants: $v) { userErrors { message } } }",
            json!({"v": too_many}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_INPUT_SIZE_EXCEEDED",
        "input arrays are capped at 250: {body}"
    );
}

#[tokio::test]
async fn requests_are_counted_by_operation_and_outcome() {
    let shop = start_small().await;
    shop.gql("query VariantsPage { productVariants(first: 1) { nodes { id } } }", json!({})).await;
    shop.gql("{ locations(first: 1) { nodes { id } } }", json!({})).await;
    let log = shop.admin_get("/__admin/requests").await;
    let rows = log["requests"].as_array().cloned().unwrap_or_default();
    let count = |route: &str| {
        rows.iter()
            .filter(|r| r["route"] == route && r["outcome"] == "200")
            .map(|r| r["count"].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!(count("graphql VariantsPage"), 1, "named operations are counted by name: {log}");
    assert_eq!(count("graphql locations"), 1, "anonymous ones by their root field");
    assert_eq!(shop.emulator.requests().total(), 2, "the admin API itself is not counted");
}

#[tokio::test]
async fn the_seeded_world_reads_back_variant_for_variant() {
    let world = tillbridge_emulator::generate(&tillbridge_emulator::SeedSpec::default());
    // A bucket big enough that this data check never waits on the rate limit.
    let config = tillbridge_emulator::shopify::ShopifyConfig { bucket_size: 50_000.0, ..Default::default() };
    let shop = shopify_common::start(&world, config).await;
    // 2 + 30 × (variant + item + 2 + 3 × (level + quantities)) = 302 points a page.
    let page = r#"query($after: String) { productVariants(first: 30, after: $after) {
        nodes { legacyResourceId sku inventoryItem { inventoryLevels(first: 3) { nodes { quantities(names: ["on_hand"]) { quantity } } } } }
        pageInfo { hasNextPage endCursor } } }"#;
    let mut after = Value::Null;
    let mut seen = 0usize;
    let mut on_hand = 0i64;
    loop {
        let body = shop.gql(page, json!({"after": after})).await;
        let conn = &body["data"]["productVariants"];
        for node in conn["nodes"].as_array().into_iter().flatten() {
            seen += 1;
            for level in node["inventoryItem"]["inventoryLevels"]["nodes"].as_array().into_iter().flatten() {
                on_hand += level["quantities"][0]["quantity"].as_i64().unwrap_or_default();
            }
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    let seeded: i64 =
        world.shopify.products.iter().flat_map(|p| &p.variants).flat_map(|v| &v.levels).map(|l| l.on_hand).sum();
    assert_eq!(seen, world.shopify_variant_count(), "paging visits every seeded variant exactly once");
    assert_eq!(on_hand, seeded, "and the stock the seed put on hand");
}
