//! `tillbridge serve`: the web UI and a JSON API over the engine, for a browser on this machine.
//!
//! Each route is a one-line adapter over [`App`]. The panel listens on loopback only unless the
//! operator names the hosts it is reached by (`--allowed-host`), which also turns on its access
//! token; see [`access`] for the Host, Origin and token checks.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tillbridge_engine::{self as engine, ApiError, App, ErrorKind};
use tillbridge_secrets::Secret;
use tower_http::services::{ServeDir, ServeFile};

mod access;

/// An engine error on the wire: `{code, message}` with a status that says whose fault it is.
struct HttpError(ApiError);

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = match self.0.kind {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(self.0)).into_response()
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        HttpError(e)
    }
}

type ApiResult<T> = Result<Json<T>, HttpError>;

async fn health(State(app): State<Arc<App>>) -> ApiResult<tillbridge_engine::Health> {
    Ok(Json(app.health().await?))
}

async fn status(State(app): State<Arc<App>>) -> ApiResult<tillbridge_engine::Status> {
    Ok(Json(app.status().await?))
}

async fn doctor(State(app): State<Arc<App>>) -> ApiResult<tillbridge_engine::DoctorReport> {
    Ok(Json(app.doctor().await?))
}

async fn connections(State(app): State<Arc<App>>) -> ApiResult<Vec<tillbridge_engine::ConnectionView>> {
    Ok(Json(app.connections().await?))
}

async fn connect_bigcommerce(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<tillbridge_engine::ConnectBigCommerce>,
) -> ApiResult<tillbridge_engine::ConnectionView> {
    Ok(Json(app.connect_bigcommerce(req).await?))
}

async fn connect_shopify(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<tillbridge_engine::ConnectShopify>,
) -> ApiResult<tillbridge_engine::ConnectionView> {
    Ok(Json(app.connect_shopify(req).await?))
}

async fn mapping(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::MappingQuery>,
) -> ApiResult<engine::MappingView> {
    Ok(Json(app.mapping(q).await?))
}

async fn mapping_csv(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::MappingQuery>,
) -> Result<Response, HttpError> {
    Ok(csv_download("tillbridge-mapping.csv", app.mapping_csv(q).await?))
}

async fn mapping_link(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::PairRequest>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_link(req).await?))
}

async fn mapping_unlink(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::PairRequest>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_unlink(req).await?))
}

async fn mapping_ignore(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::IgnoreRequest>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_ignore(req).await?))
}

async fn mapping_unignore(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::IgnoreRequest>,
) -> ApiResult<engine::MappingClassCounts> {
    Ok(Json(app.mapping_unignore(req).await?))
}

async fn mapping_undo(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::MappingUndo>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_undo(req).await?))
}

async fn mapping_confirm_all(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::ConfirmAllRequest>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_confirm_all(req).await?))
}

async fn mapping_confirm(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::ConfirmRequest>,
) -> ApiResult<engine::MappingChange> {
    Ok(Json(app.mapping_confirm(req).await?))
}

async fn matching_rules(State(app): State<Arc<App>>) -> ApiResult<engine::MatchRules> {
    Ok(Json(app.matching_rules().await?))
}

async fn set_matching_rules(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::MatchRules>,
) -> ApiResult<engine::MappingClassCounts> {
    Ok(Json(app.set_matching_rules(req).await?))
}

async fn ownership(State(app): State<Arc<App>>) -> ApiResult<engine::Ownership> {
    Ok(Json(app.ownership().await?))
}

async fn set_ownership(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::Ownership>,
) -> ApiResult<engine::Ownership> {
    Ok(Json(app.set_ownership(req).await?))
}

async fn sync_start(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::SyncRequest>,
) -> ApiResult<engine::SyncProgress> {
    Ok(Json(app.sync_start(req).await?))
}

async fn sync_progress(State(app): State<Arc<App>>) -> ApiResult<engine::SyncProgress> {
    Ok(Json(app.sync_progress().await?))
}

async fn sync_preview(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::PreviewQuery>,
) -> ApiResult<engine::PreviewView> {
    Ok(Json(app.sync_preview(q).await?))
}

async fn sync_preview_csv(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::PreviewQuery>,
) -> Result<Response, HttpError> {
    Ok(csv_download("tillbridge-sync-preview.csv", app.sync_preview_csv(q.run_id).await?))
}

async fn sync_cancel(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::CancelRequest>,
) -> ApiResult<engine::CancelView> {
    Ok(Json(app.cancel_sync(req).await?))
}

async fn runs(State(app): State<Arc<App>>, ApiQuery(q): ApiQuery<engine::RunsQuery>) -> ApiResult<engine::RunsView> {
    Ok(Json(app.runs(q).await?))
}

async fn failed_jobs(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::FailedQuery>,
) -> ApiResult<engine::FailedView> {
    Ok(Json(app.failed_jobs(q).await?))
}

async fn job_timeline(
    State(app): State<Arc<App>>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> ApiResult<engine::JobTimelineView> {
    Ok(Json(app.job_timeline(id).await?))
}

async fn retry_jobs(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::RetryRequest>,
) -> ApiResult<engine::QueueActionView> {
    Ok(Json(app.retry_jobs(req).await?))
}

async fn skip_jobs(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::SkipRequest>,
) -> ApiResult<engine::QueueActionView> {
    Ok(Json(app.skip_jobs(req).await?))
}

async fn locations(State(app): State<Arc<App>>) -> ApiResult<engine::LocationsView> {
    Ok(Json(app.locations().await?))
}

async fn map_locations(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::MapLocationsRequest>,
) -> ApiResult<engine::LocationPairView> {
    Ok(Json(app.map_locations(req).await?))
}

async fn set_location_rules(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::LocationRulesRequest>,
) -> ApiResult<engine::LocationPairView> {
    Ok(Json(app.set_location_rules(req).await?))
}

async fn unmap_locations(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::UnmapLocationsRequest>,
) -> ApiResult<engine::LocationsView> {
    Ok(Json(app.unmap_locations(req).await?))
}

async fn stock_sync(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::StockSyncRequest>,
) -> ApiResult<engine::StockSyncReport> {
    Ok(Json(app.stock_sync(req).await?))
}

async fn orders(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::OrdersQuery>,
) -> ApiResult<engine::OrdersView> {
    Ok(Json(app.orders(q).await?))
}

async fn orders_sync(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::OrdersSyncRequest>,
) -> ApiResult<engine::OrdersSyncReport> {
    Ok(Json(app.orders_sync(req).await?))
}

async fn retry_orders(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::RetryOrdersRequest>,
) -> ApiResult<engine::QueueActionView> {
    Ok(Json(app.retry_orders(req).await?))
}

async fn order_timeline(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::OrderRef>,
) -> ApiResult<engine::OrderTimelineView> {
    Ok(Json(app.order_timeline(q).await?))
}

async fn skip_order(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::OrderRef>,
) -> ApiResult<engine::OrderTimelineView> {
    Ok(Json(app.skip_order(req).await?))
}

async fn orders_reconcile(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::ReconcileRequest>,
) -> ApiResult<engine::ReconcileView> {
    Ok(Json(app.orders_reconcile(q).await?))
}

async fn orders_reconcile_csv(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::ReconcileRequest>,
) -> Result<Response, HttpError> {
    Ok(csv_download("tillbridge-reconciliation.csv", app.orders_reconcile_csv(q).await?))
}

async fn set_orders_config(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::OrdersConfig>,
) -> ApiResult<engine::OrdersConfig> {
    Ok(Json(app.set_orders_config(req).await?))
}

async fn order_channels(State(app): State<Arc<App>>) -> ApiResult<engine::OrderChannelsView> {
    Ok(Json(app.order_channels().await?))
}

async fn choose_order_channel(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::ChooseOrderChannel>,
) -> ApiResult<engine::OrderChannelsView> {
    Ok(Json(app.choose_order_channel(req).await?))
}

async fn home(State(app): State<Arc<App>>, ApiQuery(q): ApiQuery<engine::HomeQuery>) -> ApiResult<engine::HomeView> {
    Ok(Json(app.home(q).await?))
}

async fn onboarding(State(app): State<Arc<App>>) -> ApiResult<engine::OnboardingView> {
    Ok(Json(app.onboarding().await?))
}

async fn set_onboarding_dismissed(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::OnboardingDismissRequest>,
) -> ApiResult<engine::OnboardingView> {
    Ok(Json(app.set_onboarding_dismissed(req).await?))
}

async fn charts(State(app): State<Arc<App>>) -> ApiResult<engine::ChartsView> {
    Ok(Json(app.charts().await?))
}

async fn stock_drift(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::DriftQuery>,
) -> ApiResult<engine::DriftReport> {
    Ok(Json(app.stock_drift(q).await?))
}

async fn stock_drift_csv(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::DriftQuery>,
) -> Result<Response, HttpError> {
    Ok(csv_download("tillbridge-stock-drift.csv", app.stock_drift_csv(q).await?))
}

async fn stock_item(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::StockItemQuery>,
) -> ApiResult<Vec<engine::StockItemView>> {
    Ok(Json(app.stock_item(q).await?))
}

async fn stock_conflicts(
    State(app): State<Arc<App>>,
    ApiQuery(q): ApiQuery<engine::ConflictsQuery>,
) -> ApiResult<Vec<engine::StockConflictView>> {
    Ok(Json(app.stock_conflicts(q).await?))
}

async fn resolve_stock_conflict(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::ResolveConflictRequest>,
) -> ApiResult<engine::StockConflictView> {
    Ok(Json(app.resolve_stock_conflict(req).await?))
}

async fn schedule(State(app): State<Arc<App>>) -> ApiResult<engine::ScheduleView> {
    Ok(Json(app.schedule().await?))
}

async fn set_schedule(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::ScheduleRequest>,
) -> ApiResult<engine::ScheduleView> {
    Ok(Json(app.set_schedule(req).await?))
}

async fn paused(State(app): State<Arc<App>>) -> ApiResult<engine::PauseView> {
    Ok(Json(app.paused().await?))
}

async fn set_paused(
    State(app): State<Arc<App>>,
    ApiJson(req): ApiJson<engine::PauseView>,
) -> ApiResult<engine::PauseView> {
    Ok(Json(app.set_paused(req.paused).await?))
}

fn csv_download(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

async fn unknown_api(uri: axum::http::Uri) -> HttpError {
    HttpError(ApiError::not_found(format!(
        "there is no API route {}; see `GET /api/health` for a route that exists",
        engine::quoted(uri.path())
    )))
}

/// A JSON body, refused as `{code, message}` (like every other error) when it is not JSON or not
/// the shape the route takes, instead of the framework's plain text.
struct ApiJson<T>(T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    Json<T>: axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(refusal(rejection.status(), "the request body", &rejection.body_text())),
        }
    }
}

/// Query parameters, refused as `{code, message}` when they do not parse.
struct ApiQuery<T>(T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    Query<T>: axum::extract::FromRequestParts<S, Rejection = axum::extract::rejection::QueryRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(refusal(rejection.status(), "the query string", &rejection.body_text())),
        }
    }
}

/// The framework's reason, in the API's error shape and with a length cap (it may quote the input).
fn refusal(status: StatusCode, what: &str, reason: &str) -> Response {
    let reason: String = reason.chars().take(300).collect();
    let error = ApiError::invalid(format!("{what} was refused: {reason}"));
    (status, Json(error)).into_response()
}

/// The JSON API alone, without the UI or the host check (which depend on where it is served).
pub fn api_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/status", get(status))
        .route("/api/home", get(home))
        .route("/api/charts", get(charts))
        .route("/api/onboarding", get(onboarding).put(set_onboarding_dismissed))
        .route("/api/doctor", get(doctor))
        .route("/api/connections", get(connections))
        .route("/api/connect/bigcommerce", post(connect_bigcommerce))
        .route("/api/connect/shopify", post(connect_shopify))
        .route("/api/mapping", get(mapping))
        .route("/api/mapping/csv", get(mapping_csv))
        .route("/api/mapping/link", post(mapping_link))
        .route("/api/mapping/unlink", post(mapping_unlink))
        .route("/api/mapping/ignore", post(mapping_ignore))
        .route("/api/mapping/unignore", post(mapping_unignore))
        .route("/api/mapping/confirm", post(mapping_confirm))
        .route("/api/mapping/confirm-all", post(mapping_confirm_all))
        .route("/api/mapping/undo", post(mapping_undo))
        .route("/api/ownership", get(ownership).put(set_ownership))
        .route("/api/matching/rules", get(matching_rules).put(set_matching_rules))
        .route("/api/sync", post(sync_start))
        .route("/api/sync/progress", get(sync_progress))
        .route("/api/sync/preview", get(sync_preview))
        .route("/api/sync/preview/csv", get(sync_preview_csv))
        .route("/api/sync/cancel", post(sync_cancel))
        .route("/api/runs", get(runs))
        .route("/api/jobs/failed", get(failed_jobs))
        .route("/api/jobs/{id}/timeline", get(job_timeline))
        .route("/api/jobs/retry", post(retry_jobs))
        .route("/api/jobs/skip", post(skip_jobs))
        .route("/api/locations", get(locations).post(map_locations))
        .route("/api/locations/rules", axum::routing::put(set_location_rules))
        .route("/api/locations/unmap", post(unmap_locations))
        .route("/api/stock", get(stock_item))
        .route("/api/stock/sync", post(stock_sync))
        .route("/api/stock/drift", get(stock_drift))
        .route("/api/stock/drift/csv", get(stock_drift_csv))
        .route("/api/stock/conflicts", get(stock_conflicts))
        .route("/api/stock/conflicts/resolve", post(resolve_stock_conflict))
        .route("/api/orders", get(orders))
        .route("/api/orders/sync", post(orders_sync))
        .route("/api/orders/retry", post(retry_orders))
        .route("/api/orders/config", axum::routing::put(set_orders_config))
        .route("/api/orders/channel", get(order_channels).put(choose_order_channel))
        .route("/api/orders/timeline", get(order_timeline))
        .route("/api/orders/skip", post(skip_order))
        .route("/api/orders/reconcile", get(orders_reconcile))
        .route("/api/orders/reconcile/csv", get(orders_reconcile_csv))
        .route("/api/schedule", get(schedule).put(set_schedule))
        .route("/api/pause", get(paused).put(set_paused))
        .route("/api/{*rest}", get(unknown_api).post(unknown_api).put(unknown_api))
        .with_state(app)
}

/// Where to listen and what to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Names other machines reach the panel by (`--allowed-host`). Empty: this machine only. Not
    /// empty: every request must also carry the access token.
    pub allowed_hosts: Vec<String>,
    /// The built UI (`ui/dist`); `None` serves a page that says how to build it.
    pub ui_dir: Option<PathBuf>,
}

impl ServeOptions {
    /// Whether other machines may use the panel (with the access token).
    pub fn remote(&self) -> bool {
        !self.allowed_hosts.is_empty()
    }
}

/// Refuses a non-loopback address unless the operator named the hosts it is reached by: those
/// turn on the access token, without which nothing is served to another machine.
pub fn check_bind(addr: SocketAddr, allowed_hosts: &[String]) -> Result<(), ApiError> {
    if addr.ip().is_loopback() || !allowed_hosts.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "refusing to listen on {addr}: without --allowed-host the Tillbridge control panel serves this machine only (127.0.0.1 or [::1]). To reach it from your network, pass --allowed-host NAME (the name browsers use for this machine); it then asks for an access token."
        )))
    }
}

/// The whole site: API, UI, and the access guard (Host, Origin, and the token when remote).
pub fn site(app: Arc<App>, opts: &ServeOptions, bound: SocketAddr, token: Option<Secret>) -> Router {
    let ui = match opts.ui_dir.as_deref().filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            Router::new().fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))))
        }
        None => Router::new().fallback(get(ui_missing)),
    };
    let access = access::Access::new(bound.port(), &opts.allowed_hosts, token);
    let login = Router::new().route("/login", get(access::login_page).post(access::login)).with_state(access.clone());
    api_router(app).merge(login).merge(ui).layer(middleware::from_fn_with_state(access, access::guard))
}

async fn ui_missing() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Tillbridge</title><h1>Tillbridge</h1>\
         <p>The web UI has not been built. Run <code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code>, \
         then start <code>tillbridge serve</code> again (or pass <code>--ui-dir</code>).</p>\
         <p>The JSON API is up: <a href=\"/api/health\">/api/health</a>.</p>",
    )
}

/// Finds the built UI: an explicit folder, `TILLBRIDGE_UI_DIR`, next to the executable, or the
/// source tree's `ui/dist` when running from a checkout.
pub fn locate_ui(explicit: Option<&Path>) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("TILLBRIDGE_UI_DIR") {
        candidates.push(dir.into());
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(bin_dir) = exe.parent()
    {
        candidates.push(bin_dir.join("ui"));
        candidates.push(bin_dir.join("../share/tillbridge/ui"));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist"));
    candidates.into_iter().find(|d| d.join("index.html").is_file())
}

/// A bound listener, so the caller can print the real address (port 0 picks a free one).
pub async fn bind(opts: &ServeOptions) -> Result<(tokio::net::TcpListener, SocketAddr), ApiError> {
    check_bind(opts.addr, &opts.allowed_hosts)?;
    let listener = tokio::net::TcpListener::bind(opts.addr).await.map_err(|e| {
        ApiError::invalid(format!(
            "cannot listen on {}: {e}. Choose another port with --addr 127.0.0.1:PORT.",
            opts.addr
        ))
    })?;
    let local = listener.local_addr().map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((listener, local))
}

/// Serves until `shutdown` resolves, with the engine's runtime (lanes, retries, the scheduler)
/// running beside it; on the way out the runtime drains within [`SHUTDOWN_GRACE`].
pub async fn serve(
    app: Arc<App>,
    opts: &ServeOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ApiError> {
    let bound = listener.local_addr().map_err(|e| ApiError::internal(e.to_string()))?;
    let token = if opts.remote() { Some(app.panel_token().await?) } else { None };
    let runtime = app.start_runtime(engine::RuntimeOptions::service());
    let served = axum::serve(listener, site(app, opts, bound, token))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ApiError::internal(format!("the server stopped: {e}")));
    runtime.shutdown(SHUTDOWN_GRACE).await;
    served
}

/// How long the runtime may take, after the server stops, to finish the requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
