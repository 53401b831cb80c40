//! Inventory writes under the 2026-04 rules (and the ≤2025-10 ones): compare-and-swap with
//! `changeFromQuantity`, mandatory `@idempotent` keys, replay without double application, and
//! the errors that tell a client what to do next.
// A broken fixture should stop the test at once, with its message.
#![allow(clippy::expect_used)]

mod shopify_common;

use serde_json::{Value, json};
use shopify_common::{STORE, WAREHOUSE, item_gid, location_gid, start_small};

const SET: &str = r#"mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) @idempotent(key: "KEY") {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}"#;

fn set_with_key(key: &str) -> String {
    SET.replace("KEY", key)
}

/// One row for the small tee at the store; `change_from` is sent as given, null included.
fn set_input(quantity: i64, change_from: Value) -> Value {
    let row = json!({"inventoryItemId": item_gid(2001), "locationId": location_gid(STORE), "quantity": quantity, "changeFromQuantity": change_from});
    json!({"input": {"name": "available", "reason": "correction", "referenceDocumentUri": "gid://tillbridge/Sync/1", "quantities": [row]}})
}

#[tokio::test]
async fn a_stale_change_from_quantity_is_rejected_and_nothing_is_applied() {
    let shop = start_small().await;
    let body = shop.gql(&set_with_key("k-stale"), set_input(15, json!(9))).await;
    let payload = &body["data"]["inventorySetQuantities"];
    assert_eq!(payload["userErrors"][0]["code"], "CHANGE_FROM_QUANTITY_STALE", "9 is not the persisted 10: {payload}");
    assert!(payload["inventoryAdjustmentGroup"].is_null(), "a rejected set creates no adjustment group");
    assert!(
        payload["userErrors"][0]["message"].as_str().is_some_and(|m| m.contains("10")),
        "the message tells the current quantity to retry with"
    );
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 10, "nothing was applied");

    let body = shop.gql(&set_with_key("k-fresh"), set_input(15, json!(10))).await;
    let group = &body["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"];
    assert_eq!(
        group["changes"][0],
        json!({"name": "available", "delta": 5, "quantityAfterChange": 15, "item": {"id": item_gid(2001)}, "location": {"id": location_gid(STORE)}}),
        "the matching value applies"
    );
    assert_eq!(group["changes"][1]["name"], "on_hand", "on_hand moves with available");
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 15, "the new quantity is stored");
}

#[tokio::test]
async fn an_idempotency_key_replayed_returns_the_first_result_without_applying_twice() {
    let shop = start_small().await;
    let adjust = r#"mutation($input: InventoryAdjustQuantitiesInput!) {
      inventoryAdjustQuantities(input: $input) @idempotent(key: "7b1f9a52-0c43-4d1e-9f7a-3e2c1b0a9d88") {
        inventoryAdjustmentGroup { createdAt changes { name delta quantityAfterChange } }
        userErrors { code message }
      }
    }"#;
    let input = json!({"input": {"name": "available", "reason": "received", "changes": [
        {"inventoryItemId": item_gid(2002), "locationId": location_gid(STORE), "delta": 4, "changeFromQuantity": 8}
    ]}});
    let first = shop.gql(adjust, input.clone()).await;
    let replay = shop.gql(adjust, input.clone()).await;
    assert_eq!(
        first["data"]["inventoryAdjustQuantities"], replay["data"]["inventoryAdjustQuantities"],
        "a replay (a retry after a lost response) returns the original result"
    );
    assert_eq!(shop.stock("TEE-M", STORE).await["available"], 12, "8 + 4, applied once although sent twice");

    let mut other = input.clone();
    other["input"]["changes"][0]["delta"] = json!(1);
    let mismatch = shop.gql(adjust, other).await;
    assert_eq!(
        mismatch["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"], "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
        "the same key with other arguments is an error, not a silent replay"
    );
    assert_eq!(shop.stock("TEE-M", STORE).await["available"], 12, "the mismatched request applied nothing");
}

#[tokio::test]
async fn the_2026_04_rules_require_a_key_and_change_from_quantity() {
    let shop = start_small().await;
    let no_key = SET.replace(r#" @idempotent(key: "KEY")"#, "");
    let (status, body) = shop.gql_on("2026-04", &no_key, set_input(11, json!(10))).await;
    assert_eq!(status, 200, "a GraphQL error, not an HTTP one");
    assert!(
        body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("@idempotent(key:")),
        "a missing key says how to add one: {body}"
    );
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 10, "refused, so nothing applied");

    let omitted = json!({"input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": item_gid(2001), "locationId": location_gid(STORE), "quantity": 11}
    ]}});
    let body = shop.gql(&set_with_key("k-omit"), omitted.clone()).await;
    let err = &body["data"]["inventorySetQuantities"]["userErrors"][0];
    assert_eq!(
        err["field"],
        json!(["input", "quantities", "0", "changeFromQuantity"]),
        "the error points at the missing field"
    );
    assert!(err["message"].as_str().is_some_and(|m| m.contains("explicit null")), "and says how to opt out: {err}");

    let explicit_null = shop.gql(&set_with_key("k-null"), set_input(11, Value::Null)).await;
    assert!(
        explicit_null["data"]["inventorySetQuantities"]["userErrors"].as_array().is_some_and(Vec::is_empty),
        "an explicit null skips the check"
    );
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 11, "and the write applies");

    // 2025-10 still speaks compareQuantity, and needs no key.
    let legacy = json!({"input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": item_gid(2001), "locationId": location_gid(STORE), "quantity": 12, "compareQuantity": 5}
    ]}});
    let (_, body) = shop.gql_on("2025-10", &no_key, legacy).await;
    assert_eq!(
        body["data"]["inventorySetQuantities"]["userErrors"][0]["code"], "COMPARE_QUANTITY_STALE",
        "before 2026-01 the old CAS applies: {body}"
    );
    let (_, body) = shop.gql_on("2025-10", &no_key, omitted).await;
    assert_eq!(
        body["data"]["inventorySetQuantities"]["userErrors"][0]["code"], "COMPARE_QUANTITY_REQUIRED",
        "and omitting compareQuantity is refused"
    );
}

#[tokio::test]
async fn writes_to_unstocked_locations_need_activation_first() {
    let shop = start_small().await;
    let input = json!({"input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": item_gid(2002), "locationId": location_gid(WAREHOUSE), "quantity": 3, "changeFromQuantity": null}
    ]}});
    let body = shop.gql(&set_with_key("k-unstocked"), input.clone()).await;
    let err = &body["data"]["inventorySetQuantities"]["userErrors"][0];
    assert_eq!(err["code"], "ITEM_NOT_STOCKED_AT_LOCATION", "the medium tee is not stocked at the warehouse");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("inventoryActivate")), "the message names the fix");

    let activate = shop
        .gql(
            "mutation($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i, locationId: $l, available: 2) { inventoryLevel { quantities(names: [\"available\"]) { quantity } } userErrors { message } } }",
            json!({"i": item_gid(2002), "l": location_gid(WAREHOUSE)}),
        )
        .await;
    assert_eq!(
        activate["data"]["inventoryActivate"]["inventoryLevel"]["quantities"][0]["quantity"], 2,
        "activation stocks it with the given quantity"
    );
    let body = shop.gql(&set_with_key("k-stocked"), input).await;
    assert!(
        body["data"]["inventorySetQuantities"]["userErrors"].as_array().is_some_and(Vec::is_empty),
        "now the set works: {body}"
    );
    assert_eq!(shop.stock("TEE-M", WAREHOUSE).await["available"], 3, "and lands");

    let bad = json!({"input": {"name": "committed", "reason": "because", "quantities": [
        {"inventoryItemId": item_gid(2001), "locationId": location_gid(STORE), "quantity": 1, "changeFromQuantity": null}
    ]}});
    let body = shop.gql(&set_with_key("k-bad"), bad).await;
    let codes: Vec<&str> = body["data"]["inventorySetQuantities"]["userErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["INVALID_NAME", "INVALID_REASON"],
        "only available/on_hand can be set, and reasons come from Shopify's list"
    );
}

#[tokio::test]
async fn a_lost_response_retried_with_the_same_key_applies_once() {
    let shop = start_small().await;
    let (status, _) =
        shop.admin_put("/__admin/faults", json!({"drop_after_commit": 1, "target": "graphql.json"})).await;
    assert_eq!(status, 200, "the fault is armed");
    let query = set_with_key("4d0c6f1e-lost-response");
    let input = set_input(15, json!(10));
    let lost = shop
        .http
        .post(format!("{}/admin/api/2026-10/graphql.json", shop.base))
        .header("X-Shopify-Access-Token", &shop.token)
        .json(&json!({"query": query, "variables": input}))
        .send()
        .await;
    assert!(lost.is_err(), "the connection is cut after the write, so the client sees no response");
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 15, "yet the write happened");

    let retry = shop.gql(&query, input).await;
    let payload = &retry["data"]["inventorySetQuantities"];
    assert!(
        payload["userErrors"].as_array().is_some_and(Vec::is_empty),
        "the retry is answered from the first result, not re-checked against the moved quantity: {payload}"
    );
    assert_eq!(payload["inventoryAdjustmentGroup"]["changes"][0]["delta"], 5, "it reports the original change");
    assert_eq!(shop.stock("TEE-S", STORE).await["available"], 15, "and nothing is applied twice");
}
