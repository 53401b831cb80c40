//! Helpers shared by the Shopify emulator tests: a small hand-built world, a server on a free
//! loopback port, and a GraphQL client that speaks to it over real HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;

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
