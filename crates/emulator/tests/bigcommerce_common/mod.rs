//! Shared by the BigCommerce emulator's test binaries: a hand-built world, a running emulator
//! with an HTTP client, a webhook receiver, and the OpenAPI contract checker.
#![allow(dead_code)]
// each test binary uses a different part of this harness
// A harness whose setup fails should stop the test at once, with the reason.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::type_complexity)]

pub mod spec;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{TimeZone, Utc};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::Value;
use tillbridge_emulator::World;
use tillbridge_emulator::bigcommerce::{BcConfig, BigCommerceEmulator};
use tillbridge_emulator::net::{self, ServerHandle};
use tillbridge_emulator::world::{
    BcLocation, BcOption, BcOptionValue, BcProduct, BcStock, BcVariant, BcVariantOptionValue, BcWorld, GroundTruth,
    SeedCustomer, ShopifyWorld,
};
use tokio::sync::mpsc;

pub fn money(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test money literal")
}

/// Builds a BigCommerce world by hand until the seed generator lands.
pub struct WorldBuilder {
    products: Vec<BcProduct>,
    next_id: i64,
    customers: Vec<SeedCustomer>,
}

impl WorldBuilder {
    pub fn new() -> WorldBuilder {
        WorldBuilder { products: Vec::new(), next_id: 1000, customers: Vec::new() }
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A product without options: one base variant, tracked by product.
    /// `stock` is (location, on_hand, safety_stock).
    pub fn simple(&mut self, id: i64, name: &str, sku: &str, price: &str, stock: &[(i64, i64, i64)]) -> &mut Self {
        let variant_id = self.id();
        let t = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).single().expect("date");
        self.products.push(BcProduct {
            id,
            name: name.into(),
            sku: sku.into(),
            price: money(price),
            sale_price: Decimal::ZERO,
            retail_price: Decimal::ZERO,
            upc: String::new(),
            gtin: String::new(),
            mpn: String::new(),
            weight: Decimal::ONE,
            inventory_tracking: "product",
            options: vec![],
            variants: vec![BcVariant {
                id: variant_id,
                product_id: id,
                sku: sku.into(),
                upc: String::new(),
                gtin: String::new(),
                mpn: String::new(),
                price: None,
                sale_price: None,
                option_values: vec![],
                stock: stock
                    .iter()
                    .map(|&(location_id, on_hand, safety_stock)| BcStock { location_id, on_hand, safety_stock })
                    .collect(),
            }],
            date_created: t,
            date_modified: t,
        });
        self
    }

    /// A product with one option ("Size"); each variant is (label, sku, own price, stock).
    pub fn with_sizes(
        &mut self,
        id: i64,
        name: &str,
        price: &str,
        variants: &[(&str, &str, Option<&str>, &[(i64, i64, i64)])],
    ) -> &mut Self {
        let option_id = self.id();
        let values: Vec<BcOptionValue> =
            variants.iter().map(|(label, ..)| BcOptionValue { id: self.id(), label: (*label).into() }).collect();
        let t = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).single().expect("date");
        let mut bc_variants = Vec::new();
        for (i, (label, sku, own_price, stock)) in variants.iter().enumerate() {
            bc_variants.push(BcVariant {
                id: self.id(),
                product_id: id,
                sku: (*sku).into(),
                upc: String::new(),
                gtin: format!("00012345{:06}", id * 10 + i as i64),
                mpn: String::new(),
                price: own_price.map(money),
                sale_price: None,
                option_values: vec![BcVariantOptionValue {
                    id: values[i].id,
                    label: (*label).into(),
                    option_id,
                    option_display_name: "Size".into(),
                }],
                stock: stock
                    .iter()
                    .map(|&(location_id, on_hand, safety_stock)| BcStock { location_id, on_hand, safety_stock })
                    .collect(),
            });
        }
        self.products.push(BcProduct {
            id,
            name: name.into(),
            sku: format!("{}-BASE", name.to_uppercase().replace(' ', "-")),
            price: money(price),
            sale_price: Decimal::ZERO,
            retail_price: Decimal::ZERO,
            upc: String::new(),
            gtin: String::new(),
            mpn: String::new(),
            weight: Decimal::ONE,
            inventory_tracking: "variant",
            options: vec![BcOption { id: option_id, display_name: "Size".into(), values }],
            variants: bc_variants,
            date_created: t,
            date_modified: t,
        });
        self
    }

    pub fn customer(&mut self, first: &str, last: &str, email: &str) -> &mut Self {
        self.customers.push(SeedCustomer {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            on_bigcommerce: true,
            on_shopify: false,
        });
        self
    }

    pub fn build(&self) -> World {
        World {
            bigcommerce: BcWorld {
                locations: vec![
                    BcLocation { id: 1, code: "BC-MAIN".into(), label: "Main warehouse".into(), is_default: true },
                    BcLocation { id: 2, code: "BC-SHOP".into(), label: "High street shop".into(), is_default: false },
                ],
                products: self.products.clone(),
            },
            shopify: ShopifyWorld { locations: vec![], products: vec![] },
            customers: self.customers.clone(),
            truth: GroundTruth::default(),
        }
    }
}

/// The store most tests use: a tote (tracked by product), a shirt in two sizes (tracked by
/// variant, one size inheriting the product price), a mug with safety stock, two customers.
pub fn small_world() -> World {
    WorldBuilder::new()
        .simple(10, "Canvas Tote", "TOTE-1", "25.00", &[(1, 10, 0), (2, 5, 0)])
        .with_sizes(
            11,
            "Linen Shirt",
            "40.00",
            &[
                ("S", "SHIRT-S", None, &[(1, 8, 2), (2, 4, 0)]),
                ("M", "SHIRT-M", Some("42.50"), &[(1, 3, 0), (2, 0, 0)]),
            ],
        )
        .simple(12, "Stoneware Mug", "MUG-1", "12.00", &[(1, 50, 10)])
        .customer("Ada", "Lovelace", "ada@example.com")
        .customer("Alan", "Turing", "alan@example.com")
        .build()
}

/// A catalog of `products` products with `per_product` variants each, stock at two locations.
pub fn large_world(products: usize, per_product: usize) -> World {
    let t = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).single().expect("date");
    let mut next_variant = 1_000_000i64;
    let mut next_value = 5_000_000i64;
    let list = (0..products)
        .map(|i| {
            let id = i as i64 + 1;
            let option_id = 9_000_000 + id;
            let values: Vec<BcOptionValue> = (0..per_product)
                .map(|j| {
                    next_value += 1;
                    BcOptionValue { id: next_value, label: format!("V{j}") }
                })
                .collect();
            let variants = values
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    next_variant += 1;
                    BcVariant {
                        id: next_variant,
                        product_id: id,
                        sku: format!("SKU-{id}-{j}"),
                        upc: String::new(),
                        gtin: String::new(),
                        mpn: String::new(),
                        price: None,
                        sale_price: None,
                        option_values: vec![BcVariantOptionValue {
                            id: v.id,
                            label: v.label.clone(),
                            option_id,
                            option_display_name: "Variant".into(),
                        }],
                        stock: vec![
                            BcStock { location_id: 1, on_hand: 20, safety_stock: 0 },
                            BcStock { location_id: 2, on_hand: 3, safety_stock: 0 },
                        ],
                    }
                })
                .collect();
            BcProduct {
                id,
                name: format!("Product {id}"),
                sku: format!("SKU-{id}"),
                price: money("19.99"),
                sale_price: Decimal::ZERO,
                retail_price: Decimal::ZERO,
                upc: String::new(),
                gtin: String::new(),
                mpn: String::new(),
                weight: Decimal::ONE,
                inventory_tracking: "variant",
                options: vec![BcOption { id: option_id, display_name: "Variant".into(), values }],
                variants,
                date_created: t,
                date_modified: t,
            }
        })
        .collect();
    World {
        bigcommerce: BcWorld {
            locations: vec![
                BcLocation { id: 1, code: "BC-MAIN".into(), label: "Main warehouse".into(), is_default: true },
                BcLocation { id: 2, code: "BC-SHOP".into(), label: "High street shop".into(), is_default: false },
            ],
            products: list,
        },
        shopify: ShopifyWorld { locations: vec![], products: vec![] },
        customers: vec![],
        truth: GroundTruth::default(),
    }
}

/// A config whose webhook retries are quick enough to watch in a test.
pub fn test_config() -> BcConfig {
    BcConfig {
        webhook_retry: tillbridge_emulator::webhook::RetrySchedule {
            delays: vec![Duration::from_millis(50), Duration::from_millis(100)],
        },
        ..BcConfig::default()
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A running emulator and a client that talks to it over HTTP.
pub struct Harness {
    pub emulator: BigCommerceEmulator,
    pub server: ServerHandle,
    pub client: reqwest::Client,
    pub origin: String,
    pub api: String,
}

impl Harness {
    pub async fn start(world: &World, config: BcConfig) -> Harness {
        let emulator = BigCommerceEmulator::new(world, config);
        let server =
            emulator.serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind the emulator on loopback");
        let origin = BigCommerceEmulator::api_url(server.addr);
        let api = format!("{origin}/stores/{}", emulator.store_hash());
        let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("http client");
        Harness { emulator, server, client, origin, api }
    }

    pub async fn small() -> Harness {
        Harness::start(&small_world(), test_config()).await
    }

    pub async fn send(&self, method: Method, url: String, body: Option<&Value>, token: Option<&str>) -> Reply {
        let mut req = self.client.request(method, url).header("accept", "application/json");
        if let Some(t) = token {
            req = req.header("x-auth-token", t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        let res = req.send().await.expect("the emulator answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("response body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text.clone()))
        };
        Reply { status, headers, text, body }
    }

    /// An API call; `path` starts at the version ("/v3/catalog/products").
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let token = self.emulator.access_token().to_string();
        self.send(method, format!("{}{path}", self.api), body, Some(&token)).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.send(method, format!("{}{path}", self.origin), body, None).await
    }

    /// True on-hand of a variant at a location, from the admin API (never stale).
    pub async fn on_hand(&self, sku: &str, location: i64) -> i64 {
        let stock = self.admin(Method::GET, &format!("/__admin/stock?sku:in={sku}"), None).await;
        stock.body["variants"][0]["locations"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["location_id"] == location))
            .and_then(|l| l["on_hand"].as_i64())
            .unwrap_or_else(|| panic!("no stock for {sku} at location {location}: {}", stock.text))
    }
}

/// One webhook request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

/// A tiny HTTP endpoint on loopback that records every webhook delivery it gets.
pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    /// Deliveries passed over while looking for another scope, kept for later lookups.
    skipped: Vec<Received>,
    _server: ServerHandle,
}

async fn record(State(tx): State<mpsc::UnboundedSender<Received>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let headers =
        headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect();
    let _ = tx.send(Received { headers, body: body.to_vec() });
    StatusCode::OK
}

impl Receiver {
    pub async fn start() -> Receiver {
        let (tx, rx) = mpsc::unbounded_channel();
        let router = Router::new().route("/hooks", post(record)).with_state(tx);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the receiver");
        let server = net::serve(listener, router).expect("serve the receiver");
        Receiver { url: format!("http://{}/hooks", server.addr), rx, skipped: Vec::new(), _server: server }
    }

    /// The next delivery whose scope is `scope`, skipping others; None after `wait`.
    pub async fn next_scope(&mut self, scope: &str, wait: Duration) -> Option<Received> {
        if let Some(i) = self.skipped.iter().position(|r| r.json()["scope"] == scope) {
            return Some(self.skipped.remove(i));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
            let got = tokio::time::timeout(left, self.rx.recv()).await.ok()??;
            if got.json()["scope"] == scope {
                return Some(got);
            }
            self.skipped.push(got);
        }
    }

    /// Everything that arrives within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Received> {
        let mut out = std::mem::take(&mut self.skipped);
        let deadline = tokio::time::Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(tokio::time::Instant::now()) {
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(r)) => out.push(r),
                _ => break,
            }
        }
        out
    }
}
