//! Helpers shared by the Shopify emulator tests: a small hand-built world, a server on a free
//! loopback port, and a GraphQL client that speaks to it over real HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tillbridge_emulator::World;
use tillbridge_emulator::net::ServerHandle;
use tillbridge_emulator::shopify::{ShopifyConfig, ShopifyEmulator};
use tillbridge_emulator::world::{
    BcWorld, SeedCustomer, ShLevel, ShLocation, ShOption, ShProduct, ShVariant, ShopifyWorld,
};

pub const STORE: u64 = 70_001;
pub const WAREHOUSE: u64 = 70_002;

pub fn level(location_id: u64, available: i64, committed: i64) -> ShLevel {
    ShLevel { location_id, available, committed, on_hand: available + committed }
}

#[allow(clippy::too_many_arguments)]
pub fn variant(
    id: u64,
    product_id: u64,
    title: &str,
    sku: &str,
    barcode: &str,
    price: &str,
    levels: Vec<ShLevel>,
) -> ShVariant {
    ShVariant {
        id,
        product_id,
        title: title.into(),
        sku: sku.into(),
        barcode: barcode.into(),
        price: price.parse::<Decimal>().unwrap_or_default(),
        compare_at_price: None,
        selected_options: vec![("Size".into(), title.into())],
        inventory_item_id: id + 500_000,
        levels,
        updated_at: Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().unwrap_or_default(),
    }
}

/// Two locations; a tee in three sizes stocked at the store (the large one only at the
/// warehouse), a mug with a barcode, and one customer.
pub fn small_world() -> World {
    let t0 = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).single().unwrap_or_default();
    let mut tee = ShProduct {
        id: 1001,
        title: "Harbour Tee".into(),
        handle: "harbour-tee".into(),
        vendor: "Tillbridge".into(),
        options: vec![ShOption { name: "Size".into(), values: vec!["S".into(), "M".into(), "L".into()] }],
        variants: vec![
            variant(2001, 1001, "S", "TEE-S", "", "25.00", vec![level(STORE, 10, 0), level(WAREHOUSE, 40, 0)]),
            variant(2002, 1001, "M", "TEE-M", "", "25.00", vec![level(STORE, 8, 0)]),
            variant(2003, 1001, "L", "TEE-L", "", "27.50", vec![level(WAREHOUSE, 5, 0)]),
        ],
        created_at: t0,
        updated_at: t0,
    };
    tee.variants[1].updated_at = Utc.with_ymd_and_hms(2026, 4, 2, 8, 30, 0).single().unwrap_or_default();
    let mut mug = ShProduct {
        id: 1002,
        title: "Enamel Mug".into(),
        handle: "enamel-mug".into(),
        vendor: "Tillbridge".into(),
        options: vec![ShOption { name: "Title".into(), values: vec!["Default Title".into()] }],
        variants: vec![variant(
            2004,
            1002,
            "Default Title",
            "MUG-1",
            "0012345678905",
            "12.00",
            vec![level(STORE, 3, 0)],
        )],
        created_at: t0,
        updated_at: t0,
    };
    mug.variants[0].selected_options = vec![("Title".into(), "Default Title".into())];
    World {
        bigcommerce: BcWorld { locations: vec![], products: vec![] },
        shopify: ShopifyWorld {
            locations: vec![
                ShLocation { id: STORE, name: "Harbour Street Store".into() },
                ShLocation { id: WAREHOUSE, name: "Back Warehouse".into() },
            ],
            products: vec![tee, mug],
        },
        customers: vec![SeedCustomer {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            on_bigcommerce: true,
            on_shopify: true,
        }],
        truth: Default::default(),
    }
}

pub struct Shop {
    pub emulator: ShopifyEmulator,
    pub server: ServerHandle,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub async fn start(world: &World, config: ShopifyConfig) -> Shop {
    let token = config.access_token.clone();
    let emulator = ShopifyEmulator::new(world, config);
    let server =
        emulator.serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("the emulator binds a loopback port");
    let base = format!("http://{}", server.addr);
    Shop { emulator, server, http: reqwest::Client::new(), base, token }
}

pub async fn start_small() -> Shop {
    start(&small_world(), ShopifyConfig::default()).await
}

impl Shop {
    /// POSTs a GraphQL request on `version`; returns (HTTP status, body).
    pub async fn gql_on(&self, version: &str, query: &str, variables: Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/admin/api/{version}/graphql.json", self.base))
            .header("X-Shopify-Access-Token", &self.token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("the emulator answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A request on the default version (2026-10) that must come back 200 without top-level errors.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.gql_on("2026-10", query, variables).await;
        assert_eq!(status, 200, "GraphQL answers 200: {body}");
        assert!(body.get("errors").is_none(), "no top-level errors expected: {body}");
        body
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("admin answers")
            .json()
            .await
            .unwrap_or(Value::Null)
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.expect("admin answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn admin_put(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self.http.put(format!("{}{path}", self.base)).json(&body).send().await.expect("admin answers");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The true quantities of one SKU at one location, from the admin API.
    pub async fn stock(&self, sku: &str, location: u64) -> Value {
        let stock = self.admin_get("/__admin/stock").await;
        stock["levels"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["sku"] == sku && r["location_id"] == location).cloned())
            .unwrap_or(Value::Null)
    }
}

pub fn item_gid(variant_id: u64) -> String {
    format!("gid://shopify/InventoryItem/{}", variant_id + 500_000)
}

pub fn location_gid(id: u64) -> String {
    format!("gid://shopify/Location/{id}")
}

/// `/work/shared` seen from the crate: `CARGO_MANIFEST_DIR/../../../shared`.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    dir.join("samples/shopify").is_dir().then_some(dir)
}

/// A captured Shopify payload from `../shared/samples/shopify`, or None with a printed notice
/// when the shared reference material is absent.
pub fn sample(file: &str) -> Option<Value> {
    let Some(dir) = shared_dir() else {
        eprintln!(
            "NOTICE: ../shared is absent (looked for CARGO_MANIFEST_DIR/../../../shared/samples/shopify); the comparison with {file} is skipped."
        );
        return None;
    };
    let path = dir.join("samples/shopify").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} must be JSON: {e}", path.display())))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where `ours` departs from the shape of `captured`: every field the capture has must be
/// present with the same JSON type (a null in the capture says nothing about the type), and
/// arrays are compared through their first elements (so ours must not be empty where the
/// capture's is not). Fields the capture lacks are not checked.
pub fn shape_mismatches(captured: &Value, ours: &Value, path: &str) -> Vec<String> {
    match (captured, ours) {
        (Value::Null, _) => vec![],
        (Value::Object(c), Value::Object(o)) => c
            .iter()
            .flat_map(|(key, cv)| match o.get(key) {
                None => vec![format!("{path}.{key} is missing")],
                Some(ov) => shape_mismatches(cv, ov, &format!("{path}.{key}")),
            })
            .collect(),
        (Value::Array(c), Value::Array(o)) => match (c.first(), o.first()) {
            (Some(cv), Some(ov)) => shape_mismatches(cv, ov, &format!("{path}[0]")),
            (Some(_), None) => vec![format!("{path} is empty; the capture has elements to compare")],
            _ => vec![],
        },
        (c, o) if kind(c) == kind(o) => vec![],
        (c, o) => vec![format!("{path} is {} ({o}), the capture has {} ({c})", kind(o), kind(c))],
    }
}

// ---------------------------------------------------------------- webhooks

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A webhook receiver on a loopback port that keeps every delivery.
pub async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>, tokio::task::JoinHandle<()>) {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hooks",
            post(|State(seen): State<Arc<Mutex<Vec<Received>>>>, headers: HeaderMap, body: Bytes| async move {
                seen.lock().expect("receiver lock").push(Received { headers, body });
                "ok"
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("receiver binds");
    let url = format!("http://{}/hooks", listener.local_addr().expect("receiver address"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen, task)
}

pub async fn wait_for(seen: &Arc<Mutex<Vec<Received>>>, topic: &str, count: usize) -> Vec<Received> {
    for _ in 0..100 {
        let hits: Vec<Received> = seen
            .lock()
            .expect("receiver lock")
            .iter()
            .filter(|r| r.headers.get("X-Shopify-Topic").is_some_and(|t| t == topic))
            .cloned()
            .collect();
        if hits.len() >= count {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no {topic} webhook arrived within 2 s")
}

pub async fn subscribe(shop: &Shop, topic: &str, uri: &str) {
    let body = shop
        .gql(
            "mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { webhookSubscription { id topic uri } userErrors { message } } }",
            json!({"t": topic, "s": {"uri": uri, "format": "JSON"}}),
        )
        .await;
    assert_eq!(body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["topic"], topic, "subscribed: {body}");
}

// ---------------------------------------------------------------- orders

/// One order with everything an order mapper reads: totals in shop and presentment money,
/// discount applications (with the `PricingValue` union), allocations, taxes, shipping,
/// payments, refunds, returns, fulfilments, staff and location.
pub const FULL_ORDER_QUERY: &str = r#"query FullOrder($id: ID!) {
  order(id: $id) {
    id name sourceName currencyCode presentmentCurrencyCode taxesIncluded tags
    displayFinancialStatus displayFulfillmentStatus paymentGatewayNames
    retailLocation { id name }
    staffMember { id name email }
    customer { id }
    billingAddress { name address1 city countryCodeV2 zip }
    subtotalPriceSet { ...bag }
    totalDiscountsSet { ...bag }
    totalShippingPriceSet { ...bag }
    totalTaxSet { ...bag }
    totalPriceSet { ...bag }
    totalReceivedSet { ...bag }
    totalRefundedSet { ...bag }
    currentSubtotalPriceSet { ...bag }
    currentTotalDiscountsSet { ...bag }
    currentShippingPriceSet { ...bag }
    currentTotalTaxSet { ...bag }
    currentTotalPriceSet { ...bag }
    totalCashRoundingAdjustment { paymentSet { ...bag } refundSet { ...bag } }
    taxLines { title rate priceSet { ...bag } }
    discountApplications(first: 10) {
      nodes {
        __typename index allocationMethod targetSelection targetType
        value { __typename ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } }
        ... on ManualDiscountApplication { title description }
        ... on AutomaticDiscountApplication { title }
        ... on DiscountCodeApplication { code }
      }
    }
    lineItems(first: 20) {
      nodes {
        id sku quantity currentQuantity isGiftCard taxable requiresShipping
        customAttributes { key value }
        originalTotalSet { ...bag }
        discountedTotalSet { ...bag }
        discountAllocations { allocatedAmountSet { ...bag } discountApplication { index } }
        taxLines { title rate priceSet { ...bag } }
      }
    }
    shippingLines(first: 5) {
      nodes { title code originalPriceSet { ...bag } discountedPriceSet { ...bag } taxLines { title rate priceSet { ...bag } } }
    }
    transactions(first: 20) {
      id kind status gateway amountSet { ...bag } amountRoundingSet { ...bag } parentTransaction { id } user { id }
    }
    refunds(first: 10) {
      id createdAt totalRefundedSet { ...bag }
      refundLineItems(first: 20) {
        nodes { quantity restockType restocked lineItem { id } location { id } subtotalSet { ...bag } totalTaxSet { ...bag } }
      }
      transactions(first: 10) { nodes { id kind gateway amountSet { ...bag } parentTransaction { id } } }
    }
    returns(first: 5) {
      nodes { id name status returnLineItems(first: 10) { nodes { quantity ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } } } } }
    }
    fulfillments(first: 5) { name status location { id } fulfillmentLineItems(first: 10) { nodes { quantity lineItem { id } } } }
  }
}
fragment bag on MoneyBag { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"#;

/// A money amount from a response, exactly.
pub fn amount(v: &Value) -> Decimal {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{v} is not a decimal amount string"))
}

fn nodes(v: &Value) -> Vec<Value> {
    v["nodes"].as_array().or_else(|| v.as_array()).cloned().unwrap_or_default()
}

/// Where an order read with [`FULL_ORDER_QUERY`] does not add up, in shop and in presentment
/// money: line totals less discounts is the subtotal, the subtotal plus shipping plus tax
/// (unless included) is the total, the parts (allocations, tax lines, payments, refunded lines)
/// add up to their totals, and every amount is in its side's currency.
pub fn money_problems(order: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let included = order["taxesIncluded"].as_bool().unwrap_or(false);
    let lines = nodes(&order["lineItems"]);
    let shipping = nodes(&order["shippingLines"]);
    let transactions = order["transactions"].as_array().cloned().unwrap_or_default();
    let refund_lines: Vec<Value> =
        order["refunds"].as_array().into_iter().flatten().flat_map(|r| nodes(&r["refundLineItems"])).collect();
    for (side, currency) in
        [("shopMoney", &order["currencyCode"]), ("presentmentMoney", &order["presentmentCurrencyCode"])]
    {
        let of = |bag: &Value| amount(&bag[side]["amount"]);
        let total = |field: &str| of(&order[field]);
        let sum = |items: &[Value], pick: &dyn Fn(&Value) -> Vec<Value>| -> Decimal {
            items.iter().flat_map(pick).map(|bag| of(&bag)).sum()
        };
        let mut check = |what: &str, ours: Decimal, expected: Decimal| {
            if ours != expected {
                problems.push(format!("{side}: {what} is {ours}, expected {expected}"));
            }
        };
        let line_items = sum(&lines, &|l| vec![l["originalTotalSet"].clone()]);
        let allocations = sum(&lines, &|l| {
            nodes(&l["discountAllocations"]).iter().map(|a| a["allocatedAmountSet"].clone()).collect()
        });
        let line_tax = sum(&lines, &|l| nodes(&l["taxLines"]).iter().map(|t| t["priceSet"].clone()).collect());
        let shipping_price = sum(&shipping, &|s| vec![s["originalPriceSet"].clone()]);
        let shipping_tax = sum(&shipping, &|s| nodes(&s["taxLines"]).iter().map(|t| t["priceSet"].clone()).collect());
        let order_tax_lines = sum(&nodes(&order["taxLines"]), &|t| vec![t["priceSet"].clone()]);
        let tax_if_added = |tax: Decimal| if included { Decimal::ZERO } else { tax };
        check("totalDiscountsSet (the allocations' sum)", total("totalDiscountsSet"), allocations);
        check("subtotalPriceSet (line totals less discounts)", total("subtotalPriceSet"), line_items - allocations);
        check("totalShippingPriceSet (the shipping lines' sum)", total("totalShippingPriceSet"), shipping_price);
        check("totalTaxSet (line and shipping taxes)", total("totalTaxSet"), line_tax + shipping_tax);
        check("the order's taxLines", order_tax_lines, total("totalTaxSet"));
        check(
            "totalPriceSet (subtotal + shipping + tax unless included)",
            total("totalPriceSet"),
            total("subtotalPriceSet") + total("totalShippingPriceSet") + tax_if_added(total("totalTaxSet")),
        );
        let paid = |kind: &str| -> Decimal {
            transactions.iter().filter(|t| t["kind"] == kind).map(|t| of(&t["amountSet"])).sum()
        };
        check("the SALE transactions", paid("SALE"), total("totalPriceSet"));
        check("totalReceivedSet", total("totalReceivedSet"), paid("SALE"));
        check("totalRefundedSet (the REFUND transactions)", total("totalRefundedSet"), paid("REFUND"));
        let refunded_subtotal = sum(&refund_lines, &|l| vec![l["subtotalSet"].clone()]);
        let refunded_tax = sum(&refund_lines, &|l| vec![l["totalTaxSet"].clone()]);
        check(
            "currentSubtotalPriceSet (less refunded lines)",
            total("currentSubtotalPriceSet"),
            total("subtotalPriceSet") - refunded_subtotal,
        );
        check(
            "currentTotalTaxSet (less refunded tax)",
            total("currentTotalTaxSet"),
            total("totalTaxSet") - refunded_tax,
        );
        check(
            "currentTotalPriceSet",
            total("currentTotalPriceSet"),
            total("currentSubtotalPriceSet")
                + total("currentShippingPriceSet")
                + tax_if_added(total("currentTotalTaxSet")),
        );
        let rounding: Decimal = transactions
            .iter()
            .filter(|t| t["kind"] == "SALE" && !t["amountRoundingSet"].is_null())
            .map(|t| of(&t["amountRoundingSet"]))
            .sum();
        check(
            "totalCashRoundingAdjustment.paymentSet (the SALE roundings)",
            of(&order["totalCashRoundingAdjustment"]["paymentSet"]),
            rounding,
        );
        for field in ["subtotalPriceSet", "totalPriceSet", "totalTaxSet", "currentTotalPriceSet"] {
            if &order[field][side]["currencyCode"] != currency {
                problems.push(format!(
                    "{side}: {field} is in {}, the order's {side} currency is {currency}",
                    order[field][side]["currencyCode"]
                ));
            }
        }
    }
    problems
}

/// The same identities over a REST order (webhook payload): bare amounts and `*_set` twins.
pub fn rest_money_problems(order: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let included = order["taxes_included"].as_bool().unwrap_or(false);
    for side in ["shop_money", "presentment_money"] {
        let total = |field: &str| amount(&order[format!("{field}_set")][side]["amount"]);
        let tax_if_added = |tax: Decimal| if included { Decimal::ZERO } else { tax };
        let mut check = |what: &str, ours: Decimal, expected: Decimal| {
            if ours != expected {
                problems.push(format!("{side}: {what} is {ours}, expected {expected}"));
            }
        };
        check("subtotal_price", total("subtotal_price"), total("total_line_items_price") - total("total_discounts"));
        check(
            "total_price",
            total("total_price"),
            total("subtotal_price") + total("total_shipping_price") + tax_if_added(total("total_tax")),
        );
        check(
            "current_total_price",
            total("current_total_price"),
            total("current_subtotal_price")
                + total("current_shipping_price")
                + tax_if_added(total("current_total_tax")),
        );
        let allocations: Decimal = order["line_items"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|l| l["discount_allocations"].as_array().cloned().unwrap_or_default())
            .map(|a| amount(&a["amount_set"][side]["amount"]))
            .sum();
        check("total_discounts (the allocations' sum)", total("total_discounts"), allocations);
    }
    for field in [
        "subtotal_price",
        "total_price",
        "total_tax",
        "total_discounts",
        "current_total_price",
        "current_subtotal_price",
    ] {
        if order[field] != order[format!("{field}_set")]["shop_money"]["amount"] {
            problems.push(format!(
                "{field} ({}) is not its shop money ({})",
                order[field],
                order[format!("{field}_set")]["shop_money"]["amount"]
            ));
        }
    }
    problems
}
