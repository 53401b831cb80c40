//! Behaviour of the BigCommerce emulator over real HTTP: rate limits, auth, webhooks and their
//! signatures, stock side effects of orders and refunds, batches, inventory rules, stale reads,
//! v2 formats, faults and the size it must handle.

mod bigcommerce_common;

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bigcommerce_common::spec::shared_dir;
use bigcommerce_common::{Harness, Receiver, large_world, test_config};
use chrono::DateTime;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use tillbridge_emulator::bigcommerce::BcConfig;

fn int_header(r: &bigcommerce_common::Reply, name: &str) -> i64 {
    r.header(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("header {name} missing or not a number: {:?}", r.headers))
}

async fn variant_id(h: &Harness, sku: &str) -> i64 {
    let r = h.get(&format!("/v3/catalog/variants?sku={sku}")).await;
    r.body["data"][0]["id"].as_i64().unwrap_or_else(|| panic!("variant {sku} not found: {}", r.text))
}

fn guest_order(lines: Value) -> Value {
    json!({"billing_address": {"first_name": "Walk", "last_name": "In", "zip": "78751", "email": "pos@example.com"}, "products": lines})
}

// ---------------------------------------------------------------- rate limits and auth

#[tokio::test]
async fn the_151st_request_in_a_window_is_refused_with_429_and_a_reset() {
    let defaults = BcConfig::default();
    assert_eq!(defaults.quota, 150, "the default quota is the Standard plan's 150 requests per window");
    assert_eq!(defaults.window, Duration::from_secs(30), "the default window is BigCommerce's 30 seconds");

    let h = Harness::small().await;
    for i in 1..=150 {
        let r = h.get("/v3/channels").await;
        assert_eq!(r.status, 200, "request {i} of 150 is inside the quota");
        assert_eq!(
            int_header(&r, "x-rate-limit-requests-left"),
            150 - i,
            "requests-left counts down so a client can pace itself"
        );
        assert_eq!(int_header(&r, "x-rate-limit-requests-quota"), 150, "every response states the quota");
        assert_eq!(int_header(&r, "x-rate-limit-time-window-ms"), 30_000, "every response states the window");
    }
    let r = h.get("/v3/channels").await;
    assert_eq!(r.status, 429, "the 151st request inside the window is rate limited");
    let reset = int_header(&r, "x-rate-limit-time-reset-ms");
    assert!(
        reset > 0 && reset <= 30_000,
        "the reset header says how long to sleep before the quota refreshes, got {reset}"
    );
    assert_eq!(int_header(&r, "x-rate-limit-requests-left"), 0, "nothing is left in the window");
    assert!(int_header(&r, "x-retry-after") >= 1, "429s also carry X-Retry-After in seconds");
    assert_eq!(r.body["status"], 429, "the 429 body is a v3 error a client can log");
    assert_eq!(h.emulator.requests().with_outcome("429"), 1, "refused requests are counted as 429s for the benchmarks");
    assert_eq!(h.emulator.requests().with_outcome("200"), 150, "successful requests are counted by status");
}

#[tokio::test]
async fn a_short_window_refreshes_and_a_storm_advertises_its_end() {
    let h = Harness::small().await;
    let set = h.admin(Method::PUT, "/__admin/settings", Some(&json!({"quota": 3, "window_ms": 1000}))).await;
    assert_eq!(set.status, 200, "the admin API changes the quota and window: {}", set.text);
    for _ in 0..3 {
        assert_eq!(h.get("/v3/channels").await.status, 200, "inside the configured quota of 3");
    }
    let refused = h.get("/v3/channels").await;
    assert_eq!(refused.status, 429, "the 4th request in a window of 3 is refused");
    let reset = int_header(&refused, "x-rate-limit-time-reset-ms");
    tokio::time::sleep(Duration::from_millis(reset as u64 + 30)).await;
    assert_eq!(h.get("/v3/channels").await.status, 200, "after sleeping the advertised reset the quota is back");

    let storm = h.admin(Method::PUT, "/__admin/faults", Some(&json!({"rate_limit_storm_ms": 1500}))).await;
    assert_eq!(storm.status, 200, "faults are set through the admin API: {}", storm.text);
    let r = h.get("/v3/channels").await;
    assert_eq!(r.status, 429, "during a storm every request is rate limited");
    let reset = int_header(&r, "x-rate-limit-time-reset-ms");
    assert!(
        (1..=1500).contains(&reset),
        "the storm's remaining time (not the 30 s window) is advertised as the reset, got {reset}"
    );
    let bad = h.admin(Method::PUT, "/__admin/faults", Some(&json!({"error_rate": 3.0}))).await;
    assert_eq!(bad.status, 400, "an invalid fault config is refused with 400");
    assert_eq!(
        h.admin(Method::PUT, "/__admin/faults", Some(&json!({}))).await.status,
        200,
        "an empty config clears the faults"
    );
    assert_eq!(h.get("/v3/channels").await.status, 200, "with the storm cleared requests pass again");
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_and_a_wrong_store_hash_is_404() {
    let h = Harness::small().await;
    let r = h.send(Method::GET, format!("{}/v3/catalog/products", h.api), None, None).await;
    assert_eq!(r.status, 401, "no X-Auth-Token, no access");
    assert!(
        r.body["title"].as_str().is_some_and(|t| t.contains("X-Auth-Token")),
        "the 401 says which header to send: {}",
        r.text
    );
    let r = h.send(Method::GET, format!("{}/v3/catalog/products", h.api), None, Some("not-the-token")).await;
    assert_eq!(r.status, 401, "a wrong token is refused too");
    let token = h.emulator.access_token().to_string();
    let r =
        h.send(Method::GET, format!("{}/stores/otherstore/v3/catalog/products", h.origin), None, Some(&token)).await;
    assert_eq!(r.status, 404, "a store hash this emulator does not serve is not found");
    let before = h.emulator.requests().total();
    let admin = h.admin(Method::GET, "/__admin/requests", None).await;
    assert_eq!(admin.status, 200, "the admin API needs no token");
    assert_eq!(h.emulator.requests().total(), before, "admin requests are not counted with the API's");
}

// ---------------------------------------------------------------- webhooks

#[tokio::test]
async fn webhook_deliveries_carry_a_standard_webhooks_signature_that_verifies() {
    let h = Harness::small().await;
    let mut receiver = Receiver::start().await;
    let hook = json!({"scope": "store/order/*", "destination": receiver.url, "is_active": true, "headers": {"x-tillbridge-hook": "orders"}});
    assert_eq!(h.post("/v3/hooks", &hook).await.status, 200, "a loopback destination is accepted by the emulator");
    let created = h
        .post(
            "/v2/orders",
            &guest_order(json!([{"name": "Coffee", "quantity": 1, "price_inc_tax": 4, "price_ex_tax": 4}])),
        )
        .await;
    assert_eq!(created.status, 200, "the order is created: {}", created.text);

    let got = receiver
        .next_scope("store/order/created", Duration::from_secs(5))
        .await
        .expect("store/order/created is delivered");
    let id = got.headers.get("webhook-id").expect("webhook-id header");
    let timestamp = got.headers.get("webhook-timestamp").expect("webhook-timestamp header");
    let signature = got.headers.get("webhook-signature").expect("webhook-signature header");
    // An independent Standard Webhooks verifier: key = base64-decoded secret after "whsec_".
    let secret = h.emulator.webhook_secret().strip_prefix("whsec_").expect("the secret has the whsec_ prefix");
    let key = BASE64.decode(secret).expect("the secret is base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("hmac key");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&got.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    assert!(
        signature.split(' ').any(|s| s == expected),
        "the signature verifies over id.timestamp.body: got {signature}, expected {expected}"
    );
    let ts: i64 = timestamp.parse().expect("webhook-timestamp is unix seconds");
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60, "the timestamp is current, so replay checks pass");
    assert_eq!(
        got.headers.get("x-tillbridge-hook").map(String::as_str),
        Some("orders"),
        "the hook's custom headers are echoed"
    );

    let body = got.json();
    assert_eq!(body["data"], json!({"type": "order", "id": created.body["id"]}), "the light payload names the order");
    let hash = Sha1::digest(body["data"].to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(body["hash"], hash, "hash is the SHA-1 of the JSON-encoded data, for dedupe");
    assert_eq!(body["producer"], format!("stores/{}", h.emulator.store_hash()), "producer names the store");
    if let Some(dir) = shared_dir() {
        let sample: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("samples/bigcommerce/webhook_store_order_created.json")).expect("sample"),
        )
        .expect("sample JSON");
        let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(keys(&body), keys(&sample), "the delivery has exactly the sample payload's top-level fields");
        assert!(
            body["store_id"].is_string() && body["created_at"].is_i64(),
            "store_id is a string and created_at unix seconds, as in the sample"
        );
    }
}

#[tokio::test]
async fn stock_changes_fire_the_inventory_scopes_with_the_documented_data() {
    let h = Harness::small().await;
    let mut receiver = Receiver::start().await;
    for scope in
        ["store/sku/inventory/updated", "store/channel/*/inventory/product/stock_changed", "store/product/updated"]
    {
        let r = h.post("/v3/hooks", &json!({"scope": scope, "destination": receiver.url})).await;
        assert_eq!(r.status, 200, "subscribing to {scope}: {}", r.text);
    }
    let shirt_s = variant_id(&h, "SHIRT-S").await;
    let r = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"items": [{"location_id": 1, "variant_id": shirt_s, "quantity": 20}]}),
        )
        .await;
    assert_eq!(r.status, 200, "absolute adjustment applied: {}", r.text);
    let sku = receiver
        .next_scope("store/sku/inventory/updated", Duration::from_secs(5))
        .await
        .expect("sku inventory event")
        .json();
    assert_eq!(sku["data"]["type"], "sku", "sku events carry type sku");
    assert_eq!(sku["data"]["inventory"]["variant_id"], shirt_s, "the event names the variant");
    assert_eq!(sku["data"]["inventory"]["method"], "absolute", "an API absolute write is reported as absolute");
    assert_eq!(sku["data"]["inventory"]["value"], 20, "the absolute value is reported");
    let changed = receiver
        .next_scope("store/channel/*/inventory/product/stock_changed", Duration::from_secs(5))
        .await
        .expect("stock_changed")
        .json();
    assert_eq!(
        changed["data"],
        json!({"variant_id": shirt_s, "product_id": 11, "location_id": 1}),
        "stock_changed names variant, product and location"
    );
    let product =
        receiver.next_scope("store/product/updated", Duration::from_secs(5)).await.expect("product updated").json();
    assert_eq!(product["data"]["id"], 11, "a default-location level change updates the product");

    let r = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"items": [{"location_id": 2, "variant_id": shirt_s, "quantity": 9}]}),
        )
        .await;
    assert_eq!(r.status, 200, "second location adjusted: {}", r.text);
    let later = receiver.drain(Duration::from_millis(600)).await;
    let scopes: Vec<String> =
        later.iter().map(|d| d.json()["scope"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(
        scopes,
        vec!["store/channel/*/inventory/product/stock_changed"],
        "a non-default location fires only the location-aware event"
    );
}

// ---------------------------------------------------------------- orders, stock, refunds

#[tokio::test]
async fn an_order_takes_stock_when_the_store_says_so_and_a_refund_gives_none_back() {
    let h = Harness::small().await;
    let shirt = h.get("/v3/catalog/products/11/variants").await;
    let m = &shirt.body["data"][1];
    let (option_id, value_id) = (m["option_values"][0]["option_id"].clone(), m["option_values"][0]["id"].clone());
    assert_eq!(h.on_hand("SHIRT-M", 1).await, 3, "seeded on-hand of SHIRT-M at the default location");

    let order = guest_order(json!([
        {"product_id": 11, "quantity": 2, "product_options": [{"id": option_id, "value": value_id.to_string()}]},
        {"product_id": 10, "quantity": 1, "price_inc_tax": 27.5, "price_ex_tax": 25},
        {"name": "Engraving", "quantity": 1, "price_inc_tax": 5, "price_ex_tax": 5},
    ]));
    let created = h.post("/v2/orders", &order).await;
    assert_eq!(created.status, 200, "catalog lines by product_options and by product id: {}", created.text);
    assert_eq!(h.on_hand("SHIRT-M", 1).await, 1, "2 shirts were taken from the default location");
    assert_eq!(h.on_hand("SHIRT-M", 2).await, 0, "other locations are untouched");
    assert_eq!(h.on_hand("TOTE-1", 1).await, 9, "a product tracked by product loses stock too");
    let variant = h.get("/v3/catalog/variants?sku=SHIRT-M").await;
    assert_eq!(variant.body["data"][0]["inventory_level"], 1, "the catalog shows the default location's new level");

    let off = h.admin(Method::PUT, "/__admin/settings", Some(&json!({"decrement_stock_on_order": false}))).await;
    assert_eq!(off.status, 200, "the stock setting is switched off: {}", off.text);
    let second = h.post("/v2/orders", &order).await;
    assert_eq!(second.status, 200, "a second order is created: {}", second.text);
    assert_eq!(h.on_hand("SHIRT-M", 1).await, 1, "with the setting off an order leaves stock alone");
    assert_eq!(h.on_hand("TOTE-1", 1).await, 9, "with the setting off no line takes stock");

    let order_id = created.body["id"].as_i64().expect("order id");
    let lines = h.get(&format!("/v2/orders/{order_id}/products")).await;
    let shirt_line = lines.body[0]["id"].clone();
    let items = json!([{"item_type": "PRODUCT", "item_id": shirt_line, "quantity": 2}]);
    let quote = h.post(&format!("/v3/orders/{order_id}/payment_actions/refund_quotes"), &json!({"items": items})).await;
    assert_eq!(quote.status, 201, "the refund is quoted: {}", quote.text);
    let amount = quote.body["data"]["total_refund_amount"].clone();
    assert_eq!(amount, json!(85), "two shirts at SHIRT-M's own price of 42.50 come to 85");
    let refund = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            &json!({"items": items, "payments": [{"provider_id": "custom", "amount": amount, "offline": true}]}),
        )
        .await;
    assert_eq!(refund.status, 201, "the refund is created: {}", refund.text);
    assert_eq!(h.on_hand("SHIRT-M", 1).await, 1, "a refund does not return stock (BigCommerce's FAQ)");
    let after = h.get(&format!("/v2/orders/{order_id}")).await;
    assert_eq!(after.body["status_id"], 14, "a partial refund moves the order to Partially Refunded");
    assert_eq!(after.body["payment_status"], "partially refunded", "payment_status follows the refund");
    assert_eq!(after.body["refunded_amount"], "85.0000", "refunded_amount is the running total, as a v2 money string");
    let lines = h.get(&format!("/v2/orders/{order_id}/products")).await;
    assert_eq!(lines.body[0]["quantity_refunded"], 2, "the order product records the refunded quantity");
    let again = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            &json!({"items": items, "payments": [{"provider_id": "custom", "amount": 85, "offline": true}]}),
        )
        .await;
    assert_eq!(again.status, 422, "nothing is left to refund on that line");
    assert!(
        again.body["data"][0]["title"].as_str().is_some_and(|t| t.contains("left to refund")),
        "the 422 says why: {}",
        again.text
    );
}

#[tokio::test]
async fn refunds_on_one_order_are_sequential_and_the_rest_is_refunded_in_full() {
    let h = Harness::small().await;
    let created = h
        .post(
            "/v2/orders",
            &guest_order(json!([{"name": "Hamper", "quantity": 1, "price_inc_tax": 60, "price_ex_tax": 50}])),
        )
        .await;
    let order_id = created.body["id"].as_i64().expect("order id");
    let body = json!({"items": [{"item_type": "ORDER", "item_id": order_id, "amount": 10}], "payments": [{"provider_id": "custom", "amount": 10, "offline": true}]});
    let path = format!("/v3/orders/{order_id}/payment_actions/refunds");
    let (a, b) = tokio::join!(h.post(&path, &body), h.post(&path, &body));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "two refunds at once on one order: one goes through, the other is refused");
    let refused = if a.status == 422 { &a } else { &b };
    assert!(refused.text.contains("sequential"), "the refusal says refunds must be sequential: {}", refused.text);

    let rest = json!({"items": [{"item_type": "ORDER", "item_id": order_id, "amount": 50}], "payments": [{"provider_id": "custom", "amount": 50, "offline": true}]});
    assert_eq!(h.post(&path, &rest).await.status, 201, "the remaining 50 is refunded");
    let order = h.get(&format!("/v2/orders/{order_id}")).await;
    assert_eq!(order.body["status_id"], 4, "a fully refunded order is Refunded");
    assert_eq!(order.body["payment_status"], "refunded", "and its payment status says so");
    let guest_credit = json!({"items": [{"item_type": "ORDER", "item_id": order_id, "amount": 1}], "payments": [{"provider_id": "storecredit", "amount": 1}]});
    let r = h.post(&path, &guest_credit).await;
    assert_eq!(r.status, 422, "nothing is left to refund");
}

#[tokio::test]
async fn orders_use_v2_formats_and_validate_channel_zip_and_lines() {
    let h = Harness::small().await;
    let empty = h.get("/v2/orders").await;
    assert_eq!(empty.status, 204, "an empty v2 collection is 204");
    assert!(empty.text.is_empty(), "and has no body");

    let mut order =
        guest_order(json!([{"name": "Tea", "quantity": 3, "price_inc_tax": "2.20", "price_ex_tax": "2.00"}]));
    order["channel_id"] = json!(2);
    order["external_source"] = json!("POS (Shopify)");
    order["external_order_id"] = json!("gid://shopify/Order/1");
    order["discount_amount"] = json!(0.6);
    order["status_id"] = json!(10);
    let created = h.post("/v2/orders", &order).await;
    assert_eq!(created.status, 200, "the v2 spec answers a created order with 200: {}", created.text);
    let o = &created.body;
    for field in
        ["subtotal_ex_tax", "subtotal_inc_tax", "total_ex_tax", "total_inc_tax", "discount_amount", "refunded_amount"]
    {
        let v = o[field].as_str().unwrap_or_else(|| panic!("{field} is a string: {o}"));
        let (_, decimals) = v.split_once('.').unwrap_or_else(|| panic!("{field} has decimals: {v}"));
        assert_eq!(decimals.len(), 4, "v2 money has four decimals ({field} = {v})");
    }
    assert_eq!(o["subtotal_inc_tax"], "6.6000", "subtotal is the sum of the lines' inc-tax prices");
    assert_eq!(
        o["total_inc_tax"], "6.0000",
        "the discount comes off the total; API orders compute no tax of their own"
    );
    assert_eq!(o["total_ex_tax"], "5.4000", "the ex-tax total follows the ex-tax pair");
    assert_eq!(o["status"], "Completed", "status names the status_id");
    assert!(
        DateTime::parse_from_rfc2822(o["date_created"].as_str().unwrap_or_default()).is_ok(),
        "v2 dates are RFC-2822: {}",
        o["date_created"]
    );
    let found = h.get("/v2/orders?external_order_id=gid://shopify/Order/1").await;
    assert_eq!(
        found.body.as_array().map(Vec::len),
        Some(1),
        "orders are found by external_order_id before any retry: {}",
        found.text
    );
    let none = h.get("/v2/orders?external_order_id=gid://shopify/Order/2").await;
    assert_eq!(none.status, 204, "an unknown external_order_id finds nothing");

    let disabled = h
        .post(
            "/v3/channels",
            &json!({"name": "Old till", "type": "pos", "platform": "square", "status": "disconnected"}),
        )
        .await;
    assert_eq!(disabled.status, 200, "a disconnected POS channel is created: {}", disabled.text);
    order["channel_id"] = disabled.body["data"]["id"].clone();
    let r = h.post("/v2/orders", &order).await;
    assert_eq!(r.status, 400, "an order in a disconnected channel is a validation error");
    assert!(
        r.body[0]["message"].as_str().is_some_and(|m| m.contains("enabled")),
        "v2 errors are [{{status, message}}]: {}",
        r.text
    );
    order["channel_id"] = json!(77);
    assert_eq!(h.post("/v2/orders", &order).await.status, 400, "an unknown channel is a validation error");
    order["channel_id"] = json!(1);
    order["billing_address"]["zip"] = json!("7");
    assert_eq!(h.post("/v2/orders", &order).await.status, 400, "billing_address.zip needs at least 2 characters");
    let r = h.post("/v2/orders", &guest_order(json!([{"product_id": 11, "quantity": 1}]))).await;
    assert_eq!(r.status, 400, "a product with options needs variant_id or product_options");
}

// ---------------------------------------------------------------- catalog

#[tokio::test]
async fn a_batch_with_one_bad_item_answers_207_and_applies_the_rest() {
    let h = Harness::small().await;
    let r = h
        .put(
            "/v3/catalog/products",
            &json!([{"id": 10, "price": 27}, {"id": 404_404, "price": 1}, {"id": 12, "name": "Big Mug"}]),
        )
        .await;
    assert_eq!(r.status, 207, "a partial failure is Multi-Status: {}", r.text);
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(2), "the two good products come back updated");
    assert!(
        r.body["errors"]["errors"]["items[1]"].as_str().is_some_and(|m| m.contains("404404")),
        "the error names the bad item: {}",
        r.text
    );
    assert_eq!(h.get("/v3/catalog/products/10").await.body["data"]["price"], 27, "the first good item was applied");
    assert_eq!(
        h.get("/v3/catalog/products/12").await.body["data"]["name"],
        "Big Mug",
        "the last good item was applied"
    );

    let shirt_s = variant_id(&h, "SHIRT-S").await;
    let r =
        h.put("/v3/catalog/variants", &json!([{"id": shirt_s, "sku": "TOTE-1"}, {"id": shirt_s, "mpn": "LS-S"}])).await;
    assert_eq!(r.status, 207, "a variant batch with a SKU clash is partial too: {}", r.text);
    assert!(
        r.body["errors"]["errors"]["items[0]"].as_str().is_some_and(|m| m.contains("unique")),
        "the clash says SKUs are unique: {}",
        r.text
    );
    assert_eq!(
        h.get("/v3/catalog/variants?sku=SHIRT-S").await.body["data"][0]["mpn"],
        "LS-S",
        "the good variant item was applied"
    );
}

#[tokio::test]
async fn product_filters_includes_limits_and_date_modified() {
    let h = Harness::small().await;
    let r = h.get("/v3/catalog/products?id:in=12,10&include=variants").await;
    let ids: Vec<i64> = r.body["data"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_i64()).collect();
    assert_eq!(ids, vec![10, 12], "id:in returns those products in id order");
    assert_eq!(r.body["data"][0]["variants"][0]["sku"], "TOTE-1", "include=variants embeds the variants");
    assert_eq!(r.body["meta"]["pagination"]["total"], 2, "pagination counts the filtered set");
    let r = h.get("/v3/catalog/products?sku:in=MUG-1,TOTE-1").await;
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(2), "sku:in matches main SKUs");
    assert_eq!(h.get("/v3/catalog/products?limit=251").await.status, 413, "limit over 250 asks for too many objects");
    let mug = h.get("/v3/catalog/products/12").await;
    assert_eq!(
        mug.body["data"]["inventory_level"], 40,
        "the catalog shows available to sell at the default location (50 on hand - 10 safety)"
    );

    let since = chrono::Utc::now() - chrono::Duration::seconds(2);
    let shirt_m = variant_id(&h, "SHIRT-M").await;
    assert_eq!(
        h.put("/v3/catalog/variants", &json!([{"id": shirt_m, "price": 44}])).await.status,
        200,
        "variant price updated"
    );
    let changed = h
        .get(&format!("/v3/catalog/products?date_modified:min={}&include=variants", since.format("%Y-%m-%dT%H:%M:%SZ")))
        .await;
    let ids: Vec<i64> =
        changed.body["data"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_i64()).collect();
    assert_eq!(ids, vec![11], "a variant change moves its product's date_modified, so delta syncs see it");
    assert_eq!(changed.body["data"][0]["variants"][1]["price"], 44, "the delta carries the new variant price");
}

// ---------------------------------------------------------------- inventory

#[tokio::test]
async fn inventory_adjustments_follow_the_safety_stock_and_tracking_rules() {
    let h = Harness::small().await;
    let r = h.get("/v3/inventory/items?sku:in=MUG-1").await;
    let loc = &r.body["data"][0]["locations"][0];
    assert_eq!(loc["total_inventory_onhand"], 50, "on hand as seeded");
    assert_eq!(loc["settings"]["safety_stock"], 10, "safety stock sits under settings");
    assert_eq!(loc["available_to_sell"], 40, "available_to_sell = on hand - safety stock");

    let below = h
        .post(
            "/v3/inventory/adjustments/relative",
            &json!({"items": [{"location_id": 1, "sku": "MUG-1", "quantity": -41}]}),
        )
        .await;
    assert_eq!(below.status, 422, "a relative adjustment below safety stock is refused");
    assert_eq!(below.header("content-type"), Some("application/problem+json"), "inventory errors are problem+json");
    assert!(
        below.body["title"].as_str().is_some_and(|t| t.starts_with("Items with identity:")),
        "the title follows the sample: {}",
        below.text
    );
    assert_eq!(h.on_hand("MUG-1", 1).await, 50, "a refused adjustment leaves stock unchanged");
    let ok = h
        .post(
            "/v3/inventory/adjustments/relative",
            &json!({"items": [{"location_id": 1, "sku": "MUG-1", "quantity": -40}]}),
        )
        .await;
    assert_eq!(ok.status, 200, "down to exactly the safety stock is allowed: {}", ok.text);
    let tx = ok.body["transaction_id"].as_str().unwrap_or_default();
    assert_eq!(tx.len(), 36, "transaction_id is UUID-shaped: {tx}");
    assert_eq!(tx.matches('-').count(), 4, "transaction_id is UUID-shaped: {tx}");
    assert_eq!(h.on_hand("MUG-1", 1).await, 10, "the relative adjustment applied");

    let no_record = h
        .post(
            "/v3/inventory/adjustments/relative",
            &json!({"items": [{"location_id": 2, "sku": "MUG-1", "quantity": 5}]}),
        )
        .await;
    assert_eq!(no_record.status, 422, "an item never stocked at a location needs an absolute adjustment first");
    assert!(
        no_record.text.contains("requires absolute adjustment before relative"),
        "as the sample says: {}",
        no_record.text
    );
    let tote = variant_id(&h, "TOTE-1").await;
    let by_variant = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"items": [{"location_id": 1, "variant_id": tote, "quantity": 3}]}),
        )
        .await;
    assert_eq!(by_variant.status, 422, "a product tracked by product is adjusted by product id");
    assert!(by_variant.text.contains("tracked by product"), "the sample's message: {}", by_variant.text);
    let mixed = json!({"items": [
        {"location_id": 1, "product_id": 10, "quantity": 30},
        {"location_id": 2, "sku": "SHIRT-M", "quantity": 7},
        {"location_id": 9, "sku": "SHIRT-M", "quantity": 7},
    ]});
    assert_eq!(
        h.put("/v3/inventory/adjustments/absolute", &mixed).await.status,
        422,
        "an unknown location fails the whole payload"
    );
    assert_eq!(h.on_hand("TOTE-1", 1).await, 10, "and nothing in it was applied");
    let too_many: Vec<Value> = (0..2001).map(|_| json!({"location_id": 1, "sku": "MUG-1", "quantity": 1})).collect();
    assert_eq!(
        h.put("/v3/inventory/adjustments/absolute", &json!({"items": too_many})).await.status,
        422,
        "over 2000 items is refused"
    );
}

#[tokio::test]
async fn inventory_reads_lag_behind_writes_under_a_stale_read_fault() {
    let h = Harness::small().await;
    assert_eq!(
        h.admin(Method::PUT, "/__admin/faults", Some(&json!({"stale_read_ms": 1500}))).await.status,
        200,
        "stale reads switched on"
    );
    let r = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"items": [{"location_id": 1, "sku": "SHIRT-S", "quantity": 99}]}),
        )
        .await;
    assert_eq!(r.status, 200, "the write is accepted: {}", r.text);
    let read = h.get("/v3/inventory/locations/1/items?sku:in=SHIRT-S").await;
    assert_eq!(
        read.body["data"][0]["total_inventory_onhand"], 8,
        "a read right after the write still sees the old value"
    );
    let catalog = h.get("/v3/catalog/variants?sku=SHIRT-S").await;
    assert_eq!(catalog.body["data"][0]["inventory_level"], 6, "catalog levels are stale too (8 on hand - 2 safety)");
    assert_eq!(h.on_hand("SHIRT-S", 1).await, 99, "the admin view shows the truth");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let read = h.get("/v3/inventory/items?sku:in=SHIRT-S&location_id:in=1").await;
    assert_eq!(
        read.body["data"][0]["locations"][0]["total_inventory_onhand"], 99,
        "once the lag has passed the read catches up"
    );
}

// ---------------------------------------------------------------- customers

#[tokio::test]
async fn customer_emails_are_unique_and_batches_apply_all_or_nothing() {
    let h = Harness::small().await;
    let r = h.get("/v3/customers?email:in=ADA@example.com").await;
    assert_eq!(r.body["data"][0]["first_name"], "Ada", "email:in matches regardless of case");
    let r = h
        .post(
            "/v3/customers",
            &json!([
                {"email": "new@example.com", "first_name": "New", "last_name": "Person"},
                {"email": "alan@EXAMPLE.com", "first_name": "Alan", "last_name": "Again"},
            ]),
        )
        .await;
    assert_eq!(r.status, 422, "a duplicate email fails the batch");
    assert!(r.text.contains("already in use"), "the error names the problem: {}", r.text);
    let r = h.get("/v3/customers?email:in=new@example.com").await;
    assert_eq!(r.body["data"].as_array().map(Vec::len), Some(0), "nothing from the failed batch was saved");
    let eleven: Vec<Value> =
        (0..11).map(|i| json!({"email": format!("c{i}@example.com"), "first_name": "C", "last_name": "D"})).collect();
    assert_eq!(
        h.post("/v3/customers", &Value::Array(eleven)).await.status,
        413,
        "more than 10 customers per call is too many"
    );
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn injected_errors_and_lost_responses_behave_like_a_flaky_store() {
    let h = Harness::small().await;
    assert_eq!(
        h.admin(Method::PUT, "/__admin/faults", Some(&json!({"error_rate": 1.0}))).await.status,
        200,
        "every request fails"
    );
    let r = h.get("/v3/channels").await;
    assert!(r.status == 500 || r.status == 503, "an injected error is a 5xx, got {}", r.status);
    assert!(r.body["title"].as_str().is_some_and(|t| t.contains("retry")), "the body says what to do: {}", r.text);
    assert!(
        r.header("x-rate-limit-requests-left").is_some(),
        "injected errors still spend quota and carry the headers"
    );

    let target = json!({"drop_after_commit": 1, "target": "POST /stores/{store_hash}/v2/orders"});
    assert_eq!(
        h.admin(Method::PUT, "/__admin/faults", Some(&target)).await.status,
        200,
        "the next order POST loses its response"
    );
    let mut order = guest_order(json!([{"name": "Scarf", "quantity": 1, "price_inc_tax": 15, "price_ex_tax": 15}]));
    order["external_order_id"] = json!("pos-lost-1");
    let lost = h
        .client
        .post(format!("{}/v2/orders", h.api))
        .header("x-auth-token", h.emulator.access_token())
        .json(&order)
        .send()
        .await;
    assert!(lost.is_err(), "the client sees a connection error");
    let found = h.get("/v2/orders?external_order_id=pos-lost-1").await;
    assert_eq!(
        found.status, 200,
        "yet the order was written, which is why clients look up external_order_id before retrying"
    );
    let counts = h.admin(Method::GET, "/__admin/requests", None).await;
    assert!(counts.text.contains("dropped"), "lost responses are counted as dropped: {}", counts.text);
}

// ---------------------------------------------------------------- size

#[tokio::test]
async fn a_hundred_thousand_variants_page_quickly() {
    let build = Instant::now();
    let world = large_world(33_334, 3);
    let h = Harness::start(&world, test_config()).await;
    let loaded = build.elapsed();
    assert_eq!(world.bigcommerce_variant_count(), 100_002, "the store holds 100k variants");

    let mut timings = Vec::new();
    for (label, path) in [
        ("first page, 250 products with variants", "/v3/catalog/products?limit=250&include=variants".to_string()),
        (
            "page 100, 250 products with variants",
            "/v3/catalog/products?limit=250&page=100&include=variants".to_string(),
        ),
        (
            "id:in of 250 products",
            format!(
                "/v3/catalog/products?include=variants&limit=250&id:in={}",
                (20_000..20_250).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
            ),
        ),
        ("1000 inventory items", "/v3/inventory/items?limit=1000&page=50".to_string()),
        ("variant by SKU", "/v3/catalog/variants?sku=SKU-33000-2".to_string()),
    ] {
        let start = Instant::now();
        let r = h.get(&path).await;
        let took = start.elapsed();
        assert_eq!(r.status, 200, "{label}: {}", r.text.chars().take(300).collect::<String>());
        timings.push((label, took));
        assert!(
            took < Duration::from_secs(3),
            "{label} took {took:?}; a page must not scan or serialize the whole catalog slowly"
        );
    }
    let page = h.get("/v3/catalog/products?limit=250&include=variants").await;
    assert_eq!(page.body["data"].as_array().map(Vec::len), Some(250), "a full page of 250 products");
    assert_eq!(page.body["meta"]["pagination"]["total"], 33_334, "the total counts every product");
    assert_eq!(page.body["meta"]["pagination"]["total_pages"], 134, "total_pages rounds up");
    eprintln!("100k variants: world built and emulator loaded in {loaded:?}");
    for (label, took) in timings {
        eprintln!("  {label}: {took:?}");
    }
}
