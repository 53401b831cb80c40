//! Contract: every endpoint the BigCommerce emulator serves answers with bodies that validate
//! against the response schemas in BigCommerce's own OpenAPI files (`../shared`), for the
//! success statuses and for the documented error statuses it produces.

mod bigcommerce_common;

use bigcommerce_common::spec::Specs;
use bigcommerce_common::{Harness, Reply};
use reqwest::Method;
use serde_json::{Value, json};

const PRODUCTS: &str = "catalog/products_catalog.v3.yml";
const VARIANTS: &str = "catalog/product-variants_catalog.v3.yml";
const INVENTORY: &str = "inventory.v3.yml";
const LOCATIONS: &str = "locations.v3.yml";
const ORDERS_V2: &str = "orders.v2.oas2.yml";
const ORDERS_V3: &str = "orders.v3.yml";
const CUSTOMERS: &str = "customers.v3.yml";
const SUBSCRIBERS: &str = "subscribers.v3.yml";
const CHANNELS: &str = "channels.v3.yml";
const HOOKS: &str = "webhooks.v3.yml";
const STORE_INFO: &str = "store_information.v2.yml";

/// Collects every mismatch so one run reports them all.
struct Contract {
    specs: Specs,
    failures: Vec<String>,
    checked: usize,
}

impl Contract {
    /// Checks that the reply has `status` and a body matching the spec for that status.
    fn expect(&mut self, file: &str, method: &str, spec_path: &str, status: u16, reply: &Reply) {
        self.checked += 1;
        if reply.status != status {
            self.failures.push(format!(
                "{method} {spec_path}: expected status {status}, got {} with {}",
                reply.status, reply.text
            ));
            return;
        }
        if let Err(e) = self.specs.check(file, method, spec_path, status, &reply.body) {
            self.failures.push(e);
        }
    }

    /// For a status the spec documents with an example but no schema.
    fn expect_like_example(&mut self, file: &str, method: &str, spec_path: &str, status: u16, reply: &Reply) {
        self.checked += 1;
        if reply.status != status {
            self.failures.push(format!(
                "{method} {spec_path}: expected status {status}, got {} with {}",
                reply.status, reply.text
            ));
            return;
        }
        if let Err(e) = self.specs.check_example(file, method, spec_path, status, &reply.body) {
            self.failures.push(e);
        }
    }

    fn expect_component(&mut self, file: &str, name: &str, value: &Value) {
        self.checked += 1;
        if let Err(e) = self.specs.check_component(file, name, value) {
            self.failures.push(e);
        }
    }
}

#[tokio::test]
async fn every_endpoint_answers_in_the_shape_of_the_spec() {
    let Some(specs) = Specs::load() else { return };
    let mut c = Contract { specs, failures: Vec::new(), checked: 0 };
    let h = Harness::small().await;

    // ---------------------------------------------------------------- catalog
    let r = h.get("/v3/catalog/products?include=variants,options&limit=2").await;
    c.expect(PRODUCTS, "GET", "/catalog/products", 200, &r);
    for product in r.body["data"].as_array().into_iter().flatten() {
        for variant in product["variants"].as_array().into_iter().flatten() {
            c.expect_component(VARIANTS, "productVariant_Full", variant);
        }
    }
    let r = h.get("/v3/catalog/products/10").await;
    c.expect(PRODUCTS, "GET", "/catalog/products/{product_id}", 200, &r);
    let r = h.put("/v3/catalog/products/10", &json!({"price": 26.5, "description": "<p>Sturdy</p>"})).await;
    c.expect(PRODUCTS, "PUT", "/catalog/products/{product_id}", 200, &r);
    let r = h
        .put("/v3/catalog/products", &json!([{"id": 10, "name": "Canvas Tote XL"}, {"id": 12, "sale_price": 9}]))
        .await;
    c.expect(PRODUCTS, "PUT", "/catalog/products", 200, &r);
    let r = h.put("/v3/catalog/products", &json!([{"id": 10, "retail_price": 30}, {"id": 999_999, "price": 1}])).await;
    c.expect(PRODUCTS, "PUT", "/catalog/products", 207, &r);
    let eleven: Vec<Value> = (0..11).map(|_| json!({"id": 10})).collect();
    let r = h.put("/v3/catalog/products", &Value::Array(eleven)).await;
    c.expect(PRODUCTS, "PUT", "/catalog/products", 413, &r);
    let r = h.put("/v3/catalog/products", &json!([{"id": 10, "price": -1}])).await;
    c.expect(PRODUCTS, "PUT", "/catalog/products", 422, &r);
    let r = h.get("/v3/catalog/products/11/variants").await;
    c.expect(VARIANTS, "GET", "/catalog/products/{product_id}/variants", 200, &r);
    let shirt_m = h.get("/v3/catalog/variants?sku=SHIRT-M").await;
    c.expect(VARIANTS, "GET", "/catalog/variants", 200, &shirt_m);
    let shirt_m_id = shirt_m.body["data"][0]["id"].as_i64().unwrap_or_default();
    let r = h.put("/v3/catalog/variants", &json!([{"id": shirt_m_id, "price": 41, "upc": "012345678905"}])).await;
    c.expect(VARIANTS, "PUT", "/catalog/variants", 200, &r);
    let r = h.put("/v3/catalog/variants", &json!([{"id": shirt_m_id, "sale_price": "cheap"}])).await;
    c.expect(VARIANTS, "PUT", "/catalog/variants", 422, &r);
    let fifty_one: Vec<Value> = (0..51).map(|_| json!({"id": shirt_m_id})).collect();
    let r = h.put("/v3/catalog/variants", &Value::Array(fifty_one)).await;
    c.expect_like_example(VARIANTS, "PUT", "/catalog/variants", 413, &r);

    // ---------------------------------------------------------------- locations and inventory
    let r = h.get("/v3/inventory/locations").await;
    c.expect(LOCATIONS, "GET", "/inventory/locations", 200, &r);
    let new_location = json!([{
        "code": "POP-UP", "label": "Pop-up stand", "managed_by_external_source": true, "type_id": "PHYSICAL",
        "time_zone": "Europe/London",
        "address": {"address1": "1 Market St", "city": "London", "state": "London", "zip": "EC1A 1AA",
                    "email": "popup@example.com", "geo_coordinates": {"latitude": 51.5, "longitude": -0.1}, "country_code": "GBR"},
    }]);
    let r = h.post("/v3/inventory/locations", &new_location).await;
    c.expect(LOCATIONS, "POST", "/inventory/locations", 200, &r);
    let r = h.get("/v3/inventory/locations?location_code:in=POP-UP").await;
    c.expect(LOCATIONS, "GET", "/inventory/locations", 200, &r);
    let r = h.post("/v3/inventory/locations", &json!([{"label": "No address"}])).await;
    c.expect(LOCATIONS, "POST", "/inventory/locations", 422, &r);
    let r = h.get("/v3/inventory/items?sku:in=SHIRT-S,TOTE-1").await;
    c.expect(INVENTORY, "GET", "/inventory/items", 200, &r);
    let r = h.get("/v3/inventory/locations/1/items").await;
    c.expect(INVENTORY, "GET", "/inventory/locations/{location_id}/items", 200, &r);
    let r = h.get("/v3/inventory/locations/777/items").await;
    c.expect(INVENTORY, "GET", "/inventory/locations/{location_id}/items", 404, &r);
    let r = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"reason": "count", "items": [{"location_id": 1, "sku": "SHIRT-S", "quantity": 12}]}),
        )
        .await;
    c.expect(INVENTORY, "PUT", "/inventory/adjustments/absolute", 200, &r);
    let r = h
        .put(
            "/v3/inventory/adjustments/absolute",
            &json!({"items": [{"location_id": 1, "variant_id": 1001, "quantity": 1}]}),
        )
        .await;
    c.expect(INVENTORY, "PUT", "/inventory/adjustments/absolute", 422, &r);
    let r = h
        .post(
            "/v3/inventory/adjustments/relative",
            &json!({"items": [{"location_id": 1, "sku": "SHIRT-S", "quantity": -1}]}),
        )
        .await;
    c.expect(INVENTORY, "POST", "/inventory/adjustments/relative", 200, &r);
    let r = h
        .post(
            "/v3/inventory/adjustments/relative",
            &json!({"items": [{"location_id": 1, "sku": "MUG-1", "quantity": -45}]}),
        )
        .await;
    c.expect(INVENTORY, "POST", "/inventory/adjustments/relative", 422, &r);

    // ---------------------------------------------------------------- orders v2
    let order = json!({
        "billing_address": {"first_name": "Ada", "last_name": "Lovelace", "zip": "78751", "country_iso2": "US", "email": "ada@example.com"},
        "customer_id": 1,
        "channel_id": 2,
        "status_id": 10,
        "external_source": "POS (Shopify)",
        "external_order_id": "shopify-1001",
        "discount_amount": "2.00",
        "products": [
            {"product_id": 11, "variant_id": shirt_m_id, "quantity": 2, "price_inc_tax": 46.75, "price_ex_tax": 42.50},
            {"name": "Gift card top-up", "quantity": 1, "price_inc_tax": 10, "price_ex_tax": 10, "sku": "GIFT"},
        ],
    });
    let created = h.post("/v2/orders", &order).await;
    c.expect(ORDERS_V2, "POST", "/orders", 200, &created);
    let order_id = created.body["id"].as_i64().unwrap_or_default();
    let r = h.get("/v2/orders?external_order_id=shopify-1001").await;
    c.expect(ORDERS_V2, "GET", "/orders", 200, &r);
    let r = h.get(&format!("/v2/orders/{order_id}")).await;
    c.expect(ORDERS_V2, "GET", "/orders/{order_id}", 200, &r);
    let r = h.get("/v2/orders/424242").await;
    c.expect(ORDERS_V2, "GET", "/orders/{order_id}", 404, &r);
    let r = h.put(&format!("/v2/orders/{order_id}"), &json!({"status_id": 11, "staff_notes": "synced"})).await;
    c.expect(ORDERS_V2, "PUT", "/orders/{order_id}", 200, &r);
    let lines = h.get(&format!("/v2/orders/{order_id}/products")).await;
    c.expect(ORDERS_V2, "GET", "/orders/{order_id}/products", 200, &lines);
    let r = h.get("/v2/order_statuses").await;
    c.expect(ORDERS_V2, "GET", "/order_statuses", 200, &r);
    let r = h.get("/v2/orders/count").await;
    c.expect(ORDERS_V2, "GET", "/orders/count", 200, &r);

    // ---------------------------------------------------------------- refunds (orders v3)
    let line_id = lines.body[0]["id"].as_i64().unwrap_or_default();
    let items = json!([{"item_type": "PRODUCT", "item_id": line_id, "quantity": 1}]);
    let quote = h.post(&format!("/v3/orders/{order_id}/payment_actions/refund_quotes"), &json!({"items": items})).await;
    c.expect(ORDERS_V3, "POST", "/orders/{order_id}/payment_actions/refund_quotes", 201, &quote);
    let r = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            &json!({"items": [{"item_type": "PRODUCT", "item_id": line_id, "quantity": 9}]}),
        )
        .await;
    c.expect(ORDERS_V3, "POST", "/orders/{order_id}/payment_actions/refund_quotes", 422, &r);
    let amount = quote.body["data"]["total_refund_amount"].clone();
    let refund = json!({"items": items, "payments": [{"provider_id": "custom", "amount": amount, "offline": true}]});
    let r = h.post(&format!("/v3/orders/{order_id}/payment_actions/refunds"), &refund).await;
    c.expect(ORDERS_V3, "POST", "/orders/{order_id}/payment_actions/refunds", 201, &r);
    let refund_id = r.body["data"]["id"].as_i64().unwrap_or_default();
    let too_much = json!({"items": [{"item_type": "PRODUCT", "item_id": line_id, "quantity": 2}], "payments": [{"provider_id": "custom", "amount": 93.5, "offline": true}]});
    let r = h.post(&format!("/v3/orders/{order_id}/payment_actions/refunds"), &too_much).await;
    c.expect(ORDERS_V3, "POST", "/orders/{order_id}/payment_actions/refunds", 422, &r);
    let r = h.get(&format!("/v3/orders/{order_id}/payment_actions/refunds")).await;
    c.expect(ORDERS_V3, "GET", "/orders/{order_id}/payment_actions/refunds", 200, &r);
    let r = h.get("/v3/orders/payment_actions/refunds").await;
    c.expect(ORDERS_V3, "GET", "/orders/payment_actions/refunds", 200, &r);
    let r = h.get(&format!("/v3/orders/payment_actions/refunds/{refund_id}")).await;
    c.expect(ORDERS_V3, "GET", "/orders/payment_actions/refunds/{refund_id}", 200, &r);

    // ---------------------------------------------------------------- customers, subscribers, channels
    let r = h.get("/v3/customers?email:in=ada@example.com").await;
    c.expect(CUSTOMERS, "GET", "/customers", 200, &r);
    let r = h
        .post("/v3/customers", &json!([{"email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper"}]))
        .await;
    c.expect(CUSTOMERS, "POST", "/customers", 200, &r);
    let grace = r.body["data"][0]["id"].as_i64().unwrap_or_default();
    let r = h
        .post("/v3/customers", &json!([{"email": "ADA@example.com", "first_name": "Ada", "last_name": "Again"}]))
        .await;
    c.expect(CUSTOMERS, "POST", "/customers", 422, &r);
    let r = h.put("/v3/customers", &json!([{"id": grace, "company": "US Navy"}])).await;
    c.expect(CUSTOMERS, "PUT", "/customers", 200, &r);
    let r = h.put("/v3/customers", &json!([{"id": grace, "email": "alan@example.com"}])).await;
    c.expect(CUSTOMERS, "PUT", "/customers", 422, &r);
    let r = h.post("/v3/customers/subscribers", &json!({"email": "ada@example.com", "first_name": "Ada", "source": "custom", "consents": ["marketing_newsletter"]})).await;
    c.expect(SUBSCRIBERS, "POST", "/customers/subscribers", 200, &r);
    let r = h.post("/v3/customers/subscribers", &json!({"email": "ada@example.com"})).await;
    c.expect(SUBSCRIBERS, "POST", "/customers/subscribers", 409, &r);
    let r = h.get("/v3/customers/subscribers").await;
    c.expect(SUBSCRIBERS, "GET", "/customers/subscribers", 200, &r);
    let r = h.get("/v3/channels").await;
    c.expect(CHANNELS, "GET", "/channels", 200, &r);
    let r = h.get("/v3/channels/2").await;
    c.expect(CHANNELS, "GET", "/channels/{channel_id}", 200, &r);
    let r = h.get("/v3/channels/99").await;
    c.expect(CHANNELS, "GET", "/channels/{channel_id}", 404, &r);
    let r = h.post("/v3/channels", &json!({"name": "Back-office POS", "type": "pos", "platform": "custom"})).await;
    c.expect(CHANNELS, "POST", "/channels", 200, &r);
    let r = h.post("/v3/channels", &json!({"name": "Wrong", "type": "marketplace", "platform": "bigcommerce"})).await;
    c.expect(CHANNELS, "POST", "/channels", 422, &r);

    // ---------------------------------------------------------------- webhooks
    let r = h.post("/v3/hooks", &json!({"scope": "store/order/created", "destination": "https://hooks.example.com/bc", "is_active": true, "headers": {"x-secret": "s3"}})).await;
    c.expect(HOOKS, "POST", "/hooks", 200, &r);
    let hook_id = r.body["data"]["id"].as_i64().unwrap_or_default();
    let r = h
        .post("/v3/hooks", &json!({"scope": "store/order/created", "destination": "http://example.com:8080/bc"}))
        .await;
    c.expect(HOOKS, "POST", "/hooks", 422, &r);
    let r = h.get("/v3/hooks").await;
    c.expect(HOOKS, "GET", "/hooks", 200, &r);
    let r = h.get(&format!("/v3/hooks/{hook_id}")).await;
    c.expect(HOOKS, "GET", "/hooks/{webhook_id}", 200, &r);
    let r = h.get("/v3/hooks/31337").await;
    c.expect(HOOKS, "GET", "/hooks/{webhook_id}", 404, &r);
    let r = h.put(&format!("/v3/hooks/{hook_id}"), &json!({"is_active": false})).await;
    c.expect(HOOKS, "PUT", "/hooks/{webhook_id}", 200, &r);
    let r = h.call(Method::DELETE, &format!("/v3/hooks/{hook_id}"), None).await;
    c.expect(HOOKS, "DELETE", "/hooks/{webhook_id}", 200, &r);
    let r = h.send(Method::GET, format!("{}/v3/hooks", h.api), None, None).await;
    c.expect(HOOKS, "GET", "/hooks", 401, &r);

    assert!(
        c.failures.is_empty(),
        "{} of {} responses do not match BigCommerce's OpenAPI specs:\n\n{}",
        c.failures.len(),
        c.checked,
        c.failures.join("\n\n")
    );
    eprintln!("contract: {} responses validated against the OpenAPI specs", c.checked);
}

/// The contract check above is only worth something if the checker rejects what the spec
/// forbids; these bodies break the spec on purpose.
#[tokio::test]
async fn the_checker_rejects_bodies_that_break_the_spec() {
    let Some(specs) = Specs::load() else { return };
    let product = json!({"data": {"id": 1, "name": "X", "price": "12.00", "type": "physical"}, "meta": {}});
    assert!(
        specs.check(PRODUCTS, "GET", "/catalog/products/{product_id}", 200, &product).is_err(),
        "a v3 price sent as a string must fail validation: v3 money is a JSON number"
    );
    let order = json!({"id": 1, "payment_status": "settled-ish"});
    assert!(
        specs.check(ORDERS_V2, "GET", "/orders/{order_id}", 200, &order).is_err(),
        "a payment_status outside the spec's enum must fail validation"
    );
    let line = json!([{"id": 1, "order_id": 1, "surprise": true}]);
    assert!(
        specs.check(ORDERS_V2, "GET", "/orders/{order_id}/products", 200, &line).is_err(),
        "order products forbid unknown fields (additionalProperties: false)"
    );
    let variant = json!({"id": 1, "product_id": 1, "sku": "A", "sku_id": null, "price": null});
    assert!(
        specs.check_component(VARIANTS, "productVariant_Full", &variant).is_ok(),
        "x-nullable fields (a base variant's sku_id, an inherited price) may be null"
    );
}

/// The seeded store (the one the demo and benchmarks run) validates too: its data is messier
/// than the hand-built one (UPC versus EAN-13, shared SKUs, blank barcodes).
#[tokio::test]
async fn the_seeded_store_answers_in_the_shape_of_the_spec() {
    let Some(specs) = Specs::load() else { return };
    let mut c = Contract { specs, failures: Vec::new(), checked: 0 };
    let world = tillbridge_emulator::generate(&tillbridge_emulator::SeedSpec::default());
    assert!(world.bigcommerce_variant_count() > 0, "the default seed has BigCommerce variants");
    let h = Harness::start(&world, bigcommerce_common::test_config()).await;
    let mut page = 1;
    let mut products = 0;
    loop {
        let r = h.get(&format!("/v3/catalog/products?include=variants&limit=250&page={page}")).await;
        c.expect(PRODUCTS, "GET", "/catalog/products", 200, &r);
        let data = r.body["data"].as_array().cloned().unwrap_or_default();
        for product in &data {
            for variant in product["variants"].as_array().into_iter().flatten() {
                c.expect_component(VARIANTS, "productVariant_Full", variant);
            }
        }
        products += data.len();
        if r.body["meta"]["pagination"]["links"].get("next").is_none() || data.is_empty() {
            break;
        }
        page += 1;
    }
    assert_eq!(products, world.bigcommerce.products.len(), "paging with links.next visits every seeded product once");
    let r = h.get("/v3/inventory/items?limit=1000").await;
    c.expect(INVENTORY, "GET", "/inventory/items", 200, &r);
    let r = h.get("/v3/catalog/variants?limit=250").await;
    c.expect(VARIANTS, "GET", "/catalog/variants", 200, &r);
    let r = h.get("/v3/customers?limit=250").await;
    c.expect(CUSTOMERS, "GET", "/customers", 200, &r);
    // The store's profile, with the zone the demo stores keep their clocks in: validated against
    // the schema, and against the documented example key by key (its schema requires nothing).
    let r = h.get("/v2/store").await;
    c.expect(STORE_INFO, "GET", "/store", 200, &r);
    c.expect_like_example(STORE_INFO, "GET", "/store", 200, &r);
    assert_eq!(
        r.body["timezone"]["name"],
        tillbridge_emulator::DEMO_TIME_ZONE,
        "the seeded store gives its time zone by IANA name, where Tillbridge reads it"
    );
    assert_eq!(
        (&r.body["timezone"]["raw_offset"], &r.body["timezone"]["dst_offset"], &r.body["timezone"]["dst_correction"]),
        (&json!(-21_600), &json!(-18_000), &json!(true)),
        "Chicago's offsets are the spec example's: six hours behind UTC in winter, five in summer"
    );
    assert!(
        c.failures.is_empty(),
        "{} of {} responses from the seeded store do not match the specs:\n\n{}",
        c.failures.len(),
        c.checked,
        c.failures.join("\n\n")
    );
}
