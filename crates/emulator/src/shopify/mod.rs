//! The emulated Shopify store: the Admin GraphQL API (`POST /admin/api/{version}/graphql.json`)
//! with Shopify's type names, calculated query cost and leaky bucket, 2026-04 inventory rules
//! (`changeFromQuantity`, `@idempotent`), bulk queries, signed webhooks, and a POS counter
//! behind `/__admin/pos/*` that rings up sales, refunds, returns and exchanges.
//!
//! Admin API (no auth, not counted, never throttled):
//! - `GET|PUT /__admin/faults` — the [`FaultConfig`] in force.
//! - `GET /__admin/requests`, `POST /__admin/requests/reset` — counts by "graphql Operation"
//!   (and "GET /__bulk/{file}" for result downloads) and outcome ("200", "401", "404", "500",
//!   "503", "dropped", "THROTTLED").
//! - `GET /__admin/stock` — true quantities of every item at every location.
//! - `GET /__admin/orders` — every order with its refunds and returns, REST-shaped.
//! - `GET /__admin/webhooks` — subscriptions and the delivery log.
//! - `GET|PUT /__admin/throttle` — `{bucket_size, restore_rate}` at run time.
//! - `POST /__admin/pos/{sale,refund,return,exchange,fulfill,adjust}` — the counter. A sale is
//!   handed over at once (fulfilled) unless `ship_from_store` leaves it for `fulfill`.
//! - `GET /__bulk/{id}.jsonl` — bulk operation results.

mod bulk;
mod cost;
mod inventory;
mod model;
mod money;
mod mutation;
mod orders;
mod paging;
mod pos;
mod query;
mod rest;
mod scalars;
mod search;
mod state;
mod types;
mod version;
mod webhooks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use async_graphql::{EmptySubscription, Request as GqlRequest, Schema, Variables};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use self::bulk::ShopSchema;
use self::cost::{Bucket, CostError, CostWalk, ThrottleStatus, TypeIndex};
pub use self::model::{COUNTER_STAFF_ID, MailingAddress, OWNER_STAFF_ID};
use self::model::{ShopData, gid, level_gid};
use self::mutation::MutationRoot;
pub use self::pos::{PosDiscount, PosDiscountType, PosLine, PosProperty, PosSale, PosShipping, PosTax, PosTender};
use self::query::{QueryRoot, SearchWarnings};
use self::state::{RequestInfo, ShopState};
use self::version::ApiVersion;
pub use self::version::SUPPORTED_VERSIONS;
use crate::faults::{FaultConfig, Faults, RequestFault};
use crate::net::{ConnectionCutter, ServerHandle};
use crate::requests::RequestLog;
use crate::rng::Rng;
use crate::webhook::{RetrySchedule, WebhookSender};

/// The GraphQL route, as fault targets and the request log name it.
pub const GRAPHQL_ROUTE: &str = "POST /admin/api/{version}/graphql.json";
/// A bulk operation's result file, as the request log names it.
pub const BULK_DOWNLOAD_ROUTE: &str = "GET /__bulk/{file}";

#[derive(Debug, Clone)]
pub struct ShopifyConfig {
    pub shop_domain: String,
    pub access_token: String,
    /// The app's client secret: the key of `X-Shopify-Hmac-Sha256`.
    pub webhook_secret: String,
    /// The app's API version: stamped on webhook subscriptions and payload headers. Requests
    /// pick their own version in the URL.
    pub api_version: String,
    /// The shop's currency: USD, CAD, EUR, GBP, AUD, NZD, CHF, DKK, HKD, NOK or SEK.
    pub currency: String,
    /// Leaky bucket size (`maximumAvailable`).
    pub bucket_size: f64,
    /// Points restored per second.
    pub restore_rate: f64,
    pub fault_seed: u64,
    pub webhook_retry: RetrySchedule,
    /// The shop's time zone, as `shop { ianaTimezone }` gives it.
    pub time_zone: String,
}

impl Default for ShopifyConfig {
    fn default() -> ShopifyConfig {
        ShopifyConfig {
            shop_domain: "tillbridge-demo.myshopify.com".into(),
            access_token: "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".into(),
            webhook_secret: "tillbridge-demo-client-secret".into(),
            api_version: "2026-10".into(),
            currency: "USD".into(),
            // Standard plan: 100 points/s is the documented restore rate; the current docs give
            // no bucket size, and 2000 (20 s of restore) is the size the facts recommend for
            // it. The older 1000/50 pair belongs to the pre-2024 limits.
            bucket_size: 2000.0,
            restore_rate: 100.0,
            fault_seed: 1,
            // Shopify retries 8 times over 4 hours; compressed so a test can watch it.
            webhook_retry: RetrySchedule::compressed(8, Duration::from_millis(250)),
            time_zone: crate::DEMO_TIME_ZONE.into(),
        }
    }
}

/// A running emulated Shopify store. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct ShopifyEmulator {
    state: Arc<ShopState>,
    schema: ShopSchema,
}

impl std::fmt::Debug for ShopifyEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyEmulator").field("shop_domain", &self.state.shop_domain).finish_non_exhaustive()
    }
}

impl ShopifyEmulator {
    pub fn new(world: &crate::World, config: ShopifyConfig) -> ShopifyEmulator {
        let faults = Arc::new(Faults::new(config.fault_seed));
        let state = Arc::new(ShopState {
            data: RwLock::new(ShopData::from_world(&world.shopify, &world.customers, &config.currency)),
            shop_domain: config.shop_domain,
            access_token: config.access_token,
            webhook_secret: config.webhook_secret,
            api_version: config.api_version,
            time_zone: config.time_zone,
            bucket: Mutex::new(Bucket::new(config.bucket_size, config.restore_rate)),
            idempotency: Mutex::new(HashMap::new()),
            webhooks: WebhookSender::new(faults.clone(), config.webhook_retry),
            faults,
            requests: RequestLog::default(),
            ids: Mutex::new(Rng::new(config.fault_seed ^ 0x5348_4f50)),
            type_index: OnceLock::new(),
            ahead_ms: std::sync::atomic::AtomicI64::new(0),
        });
        let schema = Schema::build(QueryRoot, MutationRoot, EmptySubscription)
            .data(state.clone())
            .directive(mutation::idempotent)
            .finish();
        match TypeIndex::from_sdl(&schema.sdl()) {
            Ok(index) => {
                let _ = state.type_index.set(index);
            }
            Err(e) => {
                tracing::error!(error = %e, "the emulator's own SDL did not parse; query costs will count objects as free")
            }
        }
        ShopifyEmulator { state, schema }
    }

    /// GraphQL, bulk downloads and the admin API.
    pub fn router(&self) -> Router {
        let app = AppState { state: self.state.clone(), schema: self.schema.clone() };
        let api = Router::new().route("/admin/api/{version}/graphql.json", post(graphql)).with_state(app);
        let admin = Router::new()
            .route("/__admin/faults", get(get_faults).put(put_faults))
            .route("/__admin/requests", get(get_requests))
            .route("/__admin/requests/reset", post(reset_requests))
            .route("/__admin/stock", get(get_stock))
            .route("/__admin/orders", get(get_orders))
            .route("/__admin/webhooks", get(get_webhooks))
            .route("/__admin/throttle", put(put_throttle).get(get_throttle))
            .route("/__admin/pos/sale", post(pos::sale))
            .route("/__admin/pos/refund", post(pos::refund))
            .route("/__admin/pos/return", post(pos::return_goods))
            .route("/__admin/pos/exchange", post(pos::exchange))
            .route("/__admin/pos/fulfill", post(pos::fulfill))
            .route("/__admin/pos/adjust", post(pos::adjust))
            .route("/__bulk/{file}", get(bulk_file))
            .with_state(self.state.clone());
        api.merge(admin)
    }

    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<ServerHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        crate::net::serve(listener, self.router())
    }

    pub fn faults(&self) -> Arc<Faults> {
        self.state.faults.clone()
    }

    pub fn requests(&self) -> &RequestLog {
        &self.state.requests
    }

    /// Sets a variant's barcode in place, as a merchant's edit in the Shopify admin would be,
    /// without an API request: benchmarks change the catalog this way so their setup costs no
    /// points and is not counted. The variant's and product's `updatedAt` move; no webhook fires.
    /// False when there is no such variant.
    pub fn set_variant_barcode(&self, variant_id: u64, barcode: &str) -> bool {
        let mut data = self.state.write();
        let Some(product_id) = data.variants.get(&variant_id).map(|v| v.product_id) else { return false };
        let now = self.state.now();
        data.update_variant(variant_id, now, |v| v.barcode = barcode.to_string());
        if let Some(product) = data.products.get_mut(&product_id) {
            product.updated_at = now;
        }
        true
    }

    /// Rings a sale up at the POS counter in process, exactly as `POST /__admin/pos/sale` does
    /// (same webhooks): the REST-shaped order, or why the till refused the sale.
    /// True `available` (no quota spent) of an inventory item at a location, for a benchmark
    /// that checks both stores agree without spending the limits it measures.
    pub fn available(&self, inventory_item_id: u64, location_id: u64) -> Option<i64> {
        let d = self.state.read();
        d.items.get(&inventory_item_id)?.levels.get(&location_id).map(|l| l.quantities.available)
    }

    /// Moves the store's clock forward, as time passing would: a test that advances the engine's
    /// clock past a window advances the store's too, or the store would stamp a later sale with a
    /// time the engine already believes is long past.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.state.ahead_ms.fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }

    pub fn ring_up(&self, sale: &PosSale) -> Result<serde_json::Value, String> {
        pos::ring_up(&self.state, sale)
    }

    /// Cost points charged since the start (actual costs, after refunds of the estimate), as the
    /// `extensions.cost` answers add up: what a benchmark compares with the bucket's refill rate.
    pub fn points_spent(&self) -> f64 {
        self.state.bucket().spent()
    }

    /// The schema as SDL, for contract checks against Shopify's.
    pub fn sdl(&self) -> String {
        self.schema.sdl()
    }
}

#[derive(Clone)]
struct AppState {
    state: Arc<ShopState>,
    schema: ShopSchema,
}

// ---------------------------------------------------------------- the GraphQL endpoint

#[derive(Debug, Deserialize)]
struct GraphqlBody {
    query: Option<String>,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

fn json_response(status: StatusCode, body: Value, version: Option<&ApiVersion>) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Some(v) = version
        && let Ok(h) = HeaderValue::from_str(&v.handle)
    {
        res.headers_mut().insert("X-Shopify-API-Version", h);
    }
    res
}

fn cost_extension(requested: f64, actual: Option<f64>, status: ThrottleStatus) -> Value {
    json!({
        "requestedQueryCost": requested.round() as i64,
        "actualQueryCost": actual.map(|a| a.round() as i64),
        "throttleStatus": {
            "maximumAvailable": status.maximum_available,
            "currentlyAvailable": status.currently_available.floor() as i64,
            "restoreRate": status.restore_rate,
        }
    })
}

fn throttled(requested: f64, status: ThrottleStatus) -> Value {
    json!({
        "errors": [{
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}
        }],
        "extensions": {"cost": cost_extension(requested, None, status)}
    })
}

fn refused(e: &CostError, requested: f64, status: ThrottleStatus) -> Value {
    json!({
        "errors": [{"message": e.message, "path": e.path, "extensions": {"code": e.code}}],
        "extensions": {"cost": cost_extension(requested, None, status)}
    })
}

/// The name a request is counted under: the operation name, else the root fields.
fn operation_label(doc: Option<&async_graphql::parser::types::ExecutableDocument>, requested: Option<&str>) -> String {
    if let Some(name) = requested {
        return name.to_string();
    }
    let Some(doc) = doc else { return "invalid".into() };
    let Some((name, op)) = cost::pick_operation(doc, None) else { return "anonymous".into() };
    if let Some(name) = name {
        return name.to_string();
    }
    let roots: Vec<String> = op
        .selection_set
        .node
        .items
        .iter()
        .filter_map(|s| match &s.node {
            async_graphql::parser::types::Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        })
        .collect();
    if roots.is_empty() { "anonymous".into() } else { roots.join(",") }
}

async fn graphql(State(app): State<AppState>, Path(version): Path<String>, req: Request) -> Response {
    let state = app.state.clone();
    let (parts, body) = req.into_parts();
    let cutter = parts.extensions.get::<ConnectionCutter>().cloned();
    let headers: HeaderMap = parts.headers;
    let body = match axum::body::to_bytes(body, 10 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let parsed: Option<GraphqlBody> = serde_json::from_slice(&body).ok();
    let doc = parsed.as_ref().and_then(|b| b.query.as_deref()).map(async_graphql::parser::parse_query);
    let label = format!(
        "graphql {}",
        operation_label(
            doc.as_ref().and_then(|d| d.as_ref().ok()),
            parsed.as_ref().and_then(|b| b.operation_name.as_deref())
        )
    );
    let record = |outcome: &str| state.requests.record(&label, outcome);

    let Some(version) = ApiVersion::resolve(&version) else {
        record("404");
        return json_response(StatusCode::NOT_FOUND, json!({"errors": "Not Found"}), None);
    };
    let token = headers.get("X-Shopify-Access-Token").and_then(|v| v.to_str().ok());
    if token != Some(state.access_token.as_str()) {
        record("401");
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
            Some(&version),
        );
    }

    // Injected faults (latency, 5xx, lost responses) are decided here rather than in a layer
    // so each outcome is counted under the operation it hit.
    let latency = state.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // A fault's target may name the route or the operation ("ProductVariantsBulkUpdate"): every
    // Shopify call shares one route, and a test often needs to break the writes but not the reads.
    let fault = state.faults.on_request(&format!("{GRAPHQL_ROUTE} {label}"));
    match fault {
        RequestFault::ServerError(status) => {
            record(&status.to_string());
            let message = if status == 503 { "Service Unavailable" } else { "Internal Server Error" };
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return json_response(code, json!({"errors": message}), Some(&version));
        }
        RequestFault::DropBeforeCommit => {
            record("dropped");
            return cut(cutter).await;
        }
        RequestFault::None | RequestFault::DropAfterCommit => {}
    }

    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let base_url = format!("http://{host}");
    let response = answer(&app, &version, parsed, doc, base_url).await;
    let (status, body, outcome) = response;
    record(&outcome);
    webhooks::flush(&state);
    if fault == RequestFault::DropAfterCommit {
        return cut(cutter).await;
    }
    json_response(status, body, Some(&version))
}

async fn cut(cutter: Option<ConnectionCutter>) -> Response {
    match cutter {
        Some(c) => {
            c.cut();
            // The connection task drops this future; it never completes.
            std::future::pending().await
        }
        None => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// Cost checks, throttling and execution. Returns (HTTP status, body, outcome for the log).
async fn answer(
    app: &AppState,
    version: &ApiVersion,
    parsed: Option<GraphqlBody>,
    doc: Option<Result<async_graphql::parser::types::ExecutableDocument, async_graphql::parser::Error>>,
    base_url: String,
) -> (StatusCode, Value, String) {
    let state = &app.state;
    let status_now = || state.bucket().status();
    let Some(body) = parsed else {
        return (
            StatusCode::BAD_REQUEST,
            json!({"errors": {"query": "Required parameter missing or invalid: send JSON {\"query\": \"…\", \"variables\": {…}}"}}),
            "400".into(),
        );
    };
    let Some(doc) = doc else {
        return (
            StatusCode::BAD_REQUEST,
            json!({"errors": {"query": "Required parameter missing or invalid"}}),
            "400".into(),
        );
    };
    if state.faults.storm_remaining().is_some() {
        // A storm empties the bucket for its duration.
        let mut s = status_now();
        s.currently_available = 0.0;
        return (StatusCode::OK, throttled(0.0, s), "THROTTLED".into());
    }
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            let body = json!({"errors": [{"message": e.to_string(), "extensions": {"code": "PARSE_ERROR"}}], "extensions": {"cost": cost_extension(0.0, Some(0.0), status_now())}});
            return (StatusCode::OK, body, "200".into());
        }
    };
    let variables: Map<String, Value> = match body.variables {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let Some((_, op)) = cost::pick_operation(&doc, body.operation_name.as_deref()) else {
        let body = json!({"errors": [{"message": "An operation name is required when the document holds several operations: pass operationName."}], "extensions": {"cost": cost_extension(0.0, Some(0.0), status_now())}});
        return (StatusCode::OK, body, "200".into());
    };
    let empty = TypeIndex::default();
    let index = state.type_index.get().unwrap_or(&empty);
    let walk = CostWalk { index, doc: &doc, variables: &variables };
    if let Some(e) = cost::oversized_input(op, &variables) {
        return (StatusCode::OK, refused(&e, 0.0, status_now()), "200".into());
    }
    let requested = match walk.operation(op, None) {
        Ok(c) => c,
        Err(e) => return (StatusCode::OK, refused(&e, 0.0, status_now()), "200".into()),
    };
    if requested > cost::MAX_QUERY_COST {
        let e = CostError {
            message: format!(
                "Query cost is {}, which exceeds the single query max cost limit ({}). Ask for fewer objects per page (lower first/last on nested connections), or use bulkOperationRunQuery for large reads.",
                requested.round(),
                cost::MAX_QUERY_COST
            ),
            code: "MAX_COST_EXCEEDED",
            path: vec![],
        };
        let mut body = refused(&e, requested, status_now());
        if let Some(ext) = body["errors"][0]["extensions"].as_object_mut() {
            ext.insert("cost".into(), json!(requested.round() as i64));
            ext.insert("maxCost".into(), json!(cost::MAX_QUERY_COST as i64));
        }
        return (StatusCode::OK, body, "200".into());
    }
    if !state.bucket().try_take(requested) {
        return (StatusCode::OK, throttled(requested, status_now()), "THROTTLED".into());
    }

    let query = body.query.unwrap_or_default();
    let mut request = GqlRequest::new(query).variables(Variables::from_json(Value::Object(variables.clone())));
    if let Some(name) = body.operation_name {
        request = request.operation_name(name);
    }
    let warnings = Arc::new(SearchWarnings::default());
    let request = request.data(RequestInfo { version: version.clone(), base_url }).data(app.schema.clone());
    let request = request.data(WarningsHandle(warnings.clone()));
    let response = app.schema.execute(request).await;
    let mut out = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    let actual = walk.operation(op, out.get("data")).unwrap_or(requested).min(requested);
    state.bucket().refund(requested - actual);
    let extensions = out.as_object_mut().map(|o| o.entry("extensions").or_insert_with(|| json!({})));
    if let Some(ext) = extensions.and_then(Value::as_object_mut) {
        ext.insert("cost".into(), cost_extension(requested, Some(actual), status_now()));
        let list = warnings.0.lock().map(|l| l.clone()).unwrap_or_default();
        if !list.is_empty() {
            ext.insert("search".into(), Value::Array(list));
        }
    }
    (StatusCode::OK, out, "200".into())
}

/// Request data wrapper so resolvers can reach the per-request warning list.
#[derive(Clone)]
pub(crate) struct WarningsHandle(pub Arc<SearchWarnings>);

// ---------------------------------------------------------------- admin

async fn get_faults(State(state): State<Arc<ShopState>>) -> Json<FaultConfig> {
    Json(state.faults.config())
}

async fn put_faults(State(state): State<Arc<ShopState>>, Json(config): Json<FaultConfig>) -> Response {
    match state.faults.set(config) {
        Ok(()) => Json(state.faults.config()).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e}))).into_response(),
    }
}

async fn get_requests(State(state): State<Arc<ShopState>>) -> Json<Value> {
    Json(json!({"total": state.requests.total(), "requests": state.requests.snapshot()}))
}

async fn reset_requests(State(state): State<Arc<ShopState>>) -> StatusCode {
    state.requests.reset();
    StatusCode::NO_CONTENT
}

/// True quantities of every stocked item at every location, bypassing the API.
async fn get_stock(State(state): State<Arc<ShopState>>) -> Json<Value> {
    let d = state.read();
    let mut rows = Vec::new();
    for item in d.items.values() {
        let variant = d.variants.get(&item.variant_id);
        for (loc, level) in &item.levels {
            let q = level.quantities;
            let group = d.locations.get(loc).map_or(*loc, |l| l.level_group);
            rows.push(json!({
                "inventory_item_id": item.id,
                "variant_id": item.variant_id,
                "sku": variant.map(|v| v.sku.clone()),
                "location_id": loc,
                "active": level.active,
                "available": q.available,
                "committed": q.committed,
                "reserved": q.reserved,
                "damaged": q.damaged,
                "safety_stock": q.safety_stock,
                "quality_control": q.quality_control,
                "incoming": q.incoming,
                "on_hand": q.on_hand(),
                "admin_graphql_api_id": level_gid(group, item.id),
            }));
        }
    }
    let locations: Vec<Value> = d
        .locations
        .values()
        .map(|l| json!({"id": l.id, "name": l.name, "admin_graphql_api_id": gid("Location", l.id)}))
        .collect();
    Json(json!({"locations": locations, "levels": rows}))
}

/// Every order with its refunds and returns, REST-shaped.
async fn get_orders(State(state): State<Arc<ShopState>>) -> Json<Value> {
    let d = state.read();
    let orders: Vec<Value> = d
        .orders
        .values()
        .filter_map(|o| {
            let mut rest = d.rest_order(o.id)?;
            let returns: Vec<Value> = o
                .returns
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "admin_graphql_api_id": gid("Return", r.id),
                        "name": r.name,
                        "status": if r.closed_at.is_some() { "closed" } else { "open" },
                        "refund_ids": r.refund_ids,
                        "lines": r.lines.iter().map(|l| json!({"id": l.id, "line_item_id": l.line_item_id, "quantity": l.quantity})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if let Some(obj) = rest.as_object_mut() {
                obj.insert("returns".into(), Value::Array(returns));
            }
            Some(rest)
        })
        .collect();
    Json(json!({"orders": orders}))
}

async fn get_webhooks(State(state): State<Arc<ShopState>>) -> Json<Value> {
    let subscriptions: Vec<Value> = state
        .read()
        .subscriptions
        .values()
        .map(|s| json!({"id": s.id, "admin_graphql_api_id": gid("WebhookSubscription", s.id), "topic": s.topic, "uri": s.uri, "api_version": s.api_version}))
        .collect();
    Json(json!({"subscriptions": subscriptions, "deliveries": state.webhooks.log()}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThrottleBody {
    bucket_size: Option<f64>,
    restore_rate: Option<f64>,
}

fn throttle_json(s: ThrottleStatus) -> Value {
    json!({"bucket_size": s.maximum_available, "restore_rate": s.restore_rate, "currently_available": s.currently_available})
}

async fn get_throttle(State(state): State<Arc<ShopState>>) -> Json<Value> {
    Json(throttle_json(state.bucket().status()))
}

async fn put_throttle(State(state): State<Arc<ShopState>>, Json(body): Json<ThrottleBody>) -> Response {
    let mut bucket = state.bucket();
    let size = body.bucket_size.unwrap_or(bucket.capacity);
    let rate = body.restore_rate.unwrap_or(bucket.rate);
    let valid = size > 0.0 && size.is_finite() && rate >= 0.0 && rate.is_finite();
    if !valid {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "bucket_size must be positive and restore_rate zero or more"})),
        )
            .into_response();
    }
    bucket.reconfigure(size, rate);
    Json(throttle_json(bucket.status())).into_response()
}

async fn bulk_file(State(state): State<Arc<ShopState>>, Path(file): Path<String>) -> Response {
    let id = file.strip_suffix(".jsonl").and_then(|n| n.parse::<u64>().ok());
    let data = id.and_then(|id| state.read().bulk_files.get(&id).cloned());
    // Counted with the API's requests (Shopify serves it from storage, outside the cost bucket),
    // so a benchmark sees every round trip a bulk read takes.
    let record = |outcome: &str| state.requests.record(BULK_DOWNLOAD_ROUTE, outcome);
    match data {
        Some(bytes) => {
            record("200");
            ([("content-type", "application/jsonl")], bytes.as_ref().clone()).into_response()
        }
        None => {
            record("404");
            (StatusCode::NOT_FOUND, Json(json!({"error": format!("no bulk result {file}: poll bulkOperation(id) until COMPLETED and use its url")}))).into_response()
        }
    }
}
