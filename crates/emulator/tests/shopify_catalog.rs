//! Catalog writes the sync makes (productVariantsBulkUpdate, productUpdate), customers by
//! email, and managing webhook subscriptions.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use serde_json::json;
use shopify_common::start_small;

const BULK_UPDATE: &str = r#"mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $p, variants: $v) {
    productVariants { id price compareAtPrice barcode sku inventoryItem { sku } }
    userErrors { field message code }
  }
}"#;

#[tokio::test]
async fn bulk_variant_updates_apply_all_or_nothing_and_reindex_skus() {
    let shop = start_small().await;
    let body = shop
        .gql(
            BULK_UPDATE,
            json!({"p": "gid://shopify/Product/1001", "v": [
                {"id": "gid://shopify/ProductVariant/2001", "price": "23.00", "compareAtPrice": "29.00", "barcode": "0400000000017", "inventoryItem": {"sku": "TEE-SM"}},
                {"id": "gid://shopify/ProductVariant/2004", "price": "1.00"}
            ]}),
        )
        .await;
    let payload = &body["data"]["productVariantsBulkUpdate"];
    assert_eq!(
        payload["userErrors"][0]["code"], "MUST_BE_FOR_THIS_PRODUCT",
        "the mug belongs to another product: {payload}"
    );
    assert!(payload["productVariants"].is_null(), "without allowPartialUpdates nothing is written");
    let price = shop.gql(r#"{ productVariant(id: "gid://shopify/ProductVariant/2001") { price } }"#, json!({})).await;
    assert_eq!(price["data"]["productVariant"]["price"], "25.00", "the small tee kept its price");

    let body = shop
        .gql(
            BULK_UPDATE,
            json!({"p": "gid://shopify/Product/1001", "v": [
                {"id": "gid://shopify/ProductVariant/2001", "price": "23.00", "compareAtPrice": "29.00", "barcode": "0400000000017", "inventoryItem": {"sku": "TEE-SM"}}
            ]}),
        )
        .await;
    let updated = &body["data"]["productVariantsBulkUpdate"]["productVariants"][0];
    assert_eq!(
        *updated,
        json!({"id": "gid://shopify/ProductVariant/2001", "price": "23.00", "compareAtPrice": "29.00", "barcode": "0400000000017", "sku": "TEE-SM", "inventoryItem": {"sku": "TEE-SM"}}),
        "price, compare-at price, barcode and SKU (through inventoryItem) all change"
    );
    let found = shop.gql(r#"{ productVariants(first: 5, query: "sku:TEE-SM") { nodes { id } } }"#, json!({})).await;
    assert_eq!(
        found["data"]["productVariants"]["nodes"][0]["id"], "gid://shopify/ProductVariant/2001",
        "the new SKU is searchable at once"
    );
    let gone = shop.gql(r#"{ productVariants(first: 5, query: "sku:TEE-S") { nodes { id } } }"#, json!({})).await;
    assert_eq!(gone["data"]["productVariants"]["nodes"], json!([]), "and the old one no longer matches");

    let cleared = shop
        .gql(BULK_UPDATE, json!({"p": "gid://shopify/Product/1001", "v": [{"id": "gid://shopify/ProductVariant/2001", "compareAtPrice": null}]}))
        .await;
    assert!(
        cleared["data"]["productVariantsBulkUpdate"]["productVariants"][0]["compareAtPrice"].is_null(),
        "an explicit null clears the compare-at price"
    );

    let renamed = shop
        .gql(r#"mutation { productUpdate(product: {id: "gid://shopify/Product/1002", title: "Camp Mug"}) { product { title updatedAt } userErrors { message } } }"#, json!({}))
        .await;
    assert_eq!(renamed["data"]["productUpdate"]["product"]["title"], "Camp Mug", "productUpdate renames");
    let recent = shop
        .gql(r#"{ products(first: 5, query: "updated_at:>'2026-06-01T00:00:00Z'") { nodes { title } } }"#, json!({}))
        .await;
    let titles: Vec<&str> = recent["data"]["products"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(titles, ["Harbour Tee", "Camp Mug"], "both written products now match an updated_at search");
}

#[tokio::test]
async fn customers_are_found_by_email_and_subscriptions_can_be_listed_and_deleted() {
    let shop = start_small().await;
    let body = shop.gql(r#"{ customers(first: 5, query: "email:ADA@example.com") { nodes { firstName lastName email defaultEmailAddress { emailAddress } } } }"#, json!({})).await;
    assert_eq!(body["data"]["customers"]["nodes"][0]["lastName"], "Lovelace", "email search ignores case");

    let created = shop
        .gql(
            r#"mutation { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {callbackUrl: "http://127.0.0.1:9/hooks", format: JSON}) { webhookSubscription { id uri callbackUrl apiVersion { handle } } userErrors { message } } }"#,
            json!({}),
        )
        .await;
    let sub = &created["data"]["webhookSubscriptionCreate"]["webhookSubscription"];
    assert_eq!(sub["uri"], "http://127.0.0.1:9/hooks", "callbackUrl (pre-2025-04 clients) is accepted as the address");
    assert_eq!(sub["apiVersion"]["handle"], "2026-10", "subscriptions carry the app's API version");
    let again = shop
        .gql(r#"mutation { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: "http://127.0.0.1:9/hooks"}) { userErrors { message } } }"#, json!({}))
        .await;
    assert!(
        again["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("taken")),
        "the same address twice for one topic is refused"
    );
    let list = shop
        .gql("{ webhookSubscriptions(first: 10, topics: [PRODUCTS_UPDATE]) { nodes { id topic } } }", json!({}))
        .await;
    assert_eq!(
        list["data"]["webhookSubscriptions"]["nodes"].as_array().map(Vec::len),
        Some(1),
        "one subscription listed"
    );
    let deleted = shop
        .gql("mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }", json!({"id": sub["id"]}))
        .await;
    assert_eq!(
        deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"], sub["id"],
        "delete echoes the id"
    );
    let list = shop.gql("{ webhookSubscriptions(first: 10) { nodes { id } } }", json!({})).await;
    assert_eq!(list["data"]["webhookSubscriptions"]["nodes"], json!([]), "and it is gone");
}
