//! Tauri commands: each one is a one-line adapter over the engine, so the window, the HTTP API
//! and the CLI all answer from the same code. An `Err` reaches the UI as the engine's
//! `{code, message}` object.

use serde::Deserialize;
use tauri::State;
use tillbridge_engine::{
    ApiError, App, CancelRequest, CancelView, ConfirmAllRequest, ConfirmRequest, ConnectBigCommerce, ConnectShopify,
    ConnectionView, DoctorReport, FailedQuery, FailedView, Health, IgnoreRequest, JobTimelineView, MappingChange,
    MappingClassCounts, MappingQuery, MappingUndo, MappingView, MatchRules, Ownership, PairRequest, PauseView,
    PreviewQuery, PreviewView, QueueActionView, RetryRequest, RunsQuery, RunsView, ScheduleRequest, ScheduleView,
    SkipRequest, Status, SyncProgress, SyncRequest,
};
use tillbridge_engine::{ChartsView, HomeQuery, HomeView, OnboardingDismissRequest, OnboardingView};
use tillbridge_engine::{
    ChooseOrderChannel, OrderChannelsView, OrderRef, OrderTimelineView, OrdersConfig, OrdersQuery, OrdersSyncReport,
    OrdersSyncRequest, OrdersView, ReconcileRequest, ReconcileView, RetryOrdersRequest,
};
use tillbridge_engine::{
    ConflictsQuery, DriftQuery, DriftReport, LocationPairView, LocationRulesRequest, LocationsView,
    MapLocationsRequest, ResolveConflictRequest, StockConflictView, StockItemQuery, StockItemView, StockSyncReport,
    StockSyncRequest, UnmapLocationsRequest,
};

/// One job, as the UI names it.
#[derive(Debug, Deserialize)]
pub struct JobRef {
    pub id: i64,
}

#[tauri::command]
pub async fn health(app: State<'_, App>) -> Result<Health, ApiError> {
    app.inner().health().await
}

#[tauri::command]
pub async fn status(app: State<'_, App>) -> Result<Status, ApiError> {
    app.inner().status().await
}

#[tauri::command]
pub async fn doctor(app: State<'_, App>) -> Result<DoctorReport, ApiError> {
    app.inner().doctor().await
}

#[tauri::command]
pub async fn connections(app: State<'_, App>) -> Result<Vec<ConnectionView>, ApiError> {
    app.inner().connections().await
}

#[tauri::command]
pub async fn connect_bigcommerce(app: State<'_, App>, req: ConnectBigCommerce) -> Result<ConnectionView, ApiError> {
    app.inner().connect_bigcommerce(req).await
}

#[tauri::command]
pub async fn connect_shopify(app: State<'_, App>, req: ConnectShopify) -> Result<ConnectionView, ApiError> {
    app.inner().connect_shopify(req).await
}

#[tauri::command]
pub async fn mapping(app: State<'_, App>, req: MappingQuery) -> Result<MappingView, ApiError> {
    app.inner().mapping(req).await
}

#[tauri::command]
pub async fn mapping_csv(app: State<'_, App>, req: MappingQuery) -> Result<String, ApiError> {
    app.inner().mapping_csv(req).await
}

#[tauri::command]
pub async fn mapping_link(app: State<'_, App>, req: PairRequest) -> Result<MappingChange, ApiError> {
    app.inner().mapping_link(req).await
}

#[tauri::command]
pub async fn mapping_unlink(app: State<'_, App>, req: PairRequest) -> Result<MappingChange, ApiError> {
    app.inner().mapping_unlink(req).await
}

#[tauri::command]
pub async fn mapping_ignore(app: State<'_, App>, req: IgnoreRequest) -> Result<MappingChange, ApiError> {
    app.inner().mapping_ignore(req).await
}

#[tauri::command]
pub async fn mapping_unignore(app: State<'_, App>, req: IgnoreRequest) -> Result<MappingClassCounts, ApiError> {
    app.inner().mapping_unignore(req).await
}

/// The window's web view cannot save a download, so the desktop app writes exports itself.
#[tauri::command]
pub async fn save_mapping_csv(app: State<'_, App>, req: MappingQuery) -> Result<String, ApiError> {
    app.inner().save_mapping_csv(req).await
}

#[tauri::command]
pub async fn save_sync_preview_csv(app: State<'_, App>, req: PreviewQuery) -> Result<String, ApiError> {
    app.inner().save_sync_preview_csv(req.run_id).await
}

#[tauri::command]
pub async fn mapping_confirm_all(app: State<'_, App>, req: ConfirmAllRequest) -> Result<MappingChange, ApiError> {
    app.inner().mapping_confirm_all(req).await
}

#[tauri::command]
pub async fn mapping_undo(app: State<'_, App>, req: MappingUndo) -> Result<MappingChange, ApiError> {
    app.inner().mapping_undo(req).await
}

#[tauri::command]
pub async fn mapping_confirm(app: State<'_, App>, req: ConfirmRequest) -> Result<MappingChange, ApiError> {
    app.inner().mapping_confirm(req).await
}

#[tauri::command]
pub async fn matching_rules(app: State<'_, App>) -> Result<MatchRules, ApiError> {
    app.inner().matching_rules().await
}

#[tauri::command]
pub async fn set_matching_rules(app: State<'_, App>, req: MatchRules) -> Result<MappingClassCounts, ApiError> {
    app.inner().set_matching_rules(req).await
}

#[tauri::command]
pub async fn ownership(app: State<'_, App>) -> Result<Ownership, ApiError> {
    app.inner().ownership().await
}

#[tauri::command]
pub async fn set_ownership(app: State<'_, App>, req: Ownership) -> Result<Ownership, ApiError> {
    app.inner().set_ownership(req).await
}

#[tauri::command]
pub async fn sync_start(app: State<'_, App>, req: SyncRequest) -> Result<SyncProgress, ApiError> {
    app.inner().sync_start(req).await
}

#[tauri::command]
pub async fn sync_progress(app: State<'_, App>) -> Result<SyncProgress, ApiError> {
    app.inner().sync_progress().await
}

#[tauri::command]
pub async fn sync_preview(app: State<'_, App>, req: PreviewQuery) -> Result<PreviewView, ApiError> {
    app.inner().sync_preview(req).await
}

#[tauri::command]
pub async fn sync_preview_csv(app: State<'_, App>, req: PreviewQuery) -> Result<String, ApiError> {
    app.inner().sync_preview_csv(req.run_id).await
}

#[tauri::command]
pub async fn sync_cancel(app: State<'_, App>, req: CancelRequest) -> Result<CancelView, ApiError> {
    app.inner().cancel_sync(req).await
}

#[tauri::command]
pub async fn runs(app: State<'_, App>, req: RunsQuery) -> Result<RunsView, ApiError> {
    app.inner().runs(req).await
}

#[tauri::command]
pub async fn failed_jobs(app: State<'_, App>, req: FailedQuery) -> Result<FailedView, ApiError> {
    app.inner().failed_jobs(req).await
}

#[tauri::command]
pub async fn job_timeline(app: State<'_, App>, req: JobRef) -> Result<JobTimelineView, ApiError> {
    app.inner().job_timeline(req.id).await
}

#[tauri::command]
pub async fn retry_jobs(app: State<'_, App>, req: RetryRequest) -> Result<QueueActionView, ApiError> {
    app.inner().retry_jobs(req).await
}

#[tauri::command]
pub async fn skip_jobs(app: State<'_, App>, req: SkipRequest) -> Result<QueueActionView, ApiError> {
    app.inner().skip_jobs(req).await
}

#[tauri::command]
pub async fn schedule(app: State<'_, App>) -> Result<ScheduleView, ApiError> {
    app.inner().schedule().await
}

#[tauri::command]
pub async fn set_schedule(app: State<'_, App>, req: ScheduleRequest) -> Result<ScheduleView, ApiError> {
    app.inner().set_schedule(req).await
}

#[tauri::command]
pub async fn paused(app: State<'_, App>) -> Result<PauseView, ApiError> {
    app.inner().paused().await
}

#[tauri::command]
pub async fn set_paused(app: State<'_, App>, req: PauseView) -> Result<PauseView, ApiError> {
    app.inner().set_paused(req.paused).await
}

#[tauri::command]
pub async fn locations(app: State<'_, App>) -> Result<LocationsView, ApiError> {
    app.inner().locations().await
}

#[tauri::command]
pub async fn map_locations(app: State<'_, App>, req: MapLocationsRequest) -> Result<LocationPairView, ApiError> {
    app.inner().map_locations(req).await
}

#[tauri::command]
pub async fn set_location_rules(app: State<'_, App>, req: LocationRulesRequest) -> Result<LocationPairView, ApiError> {
    app.inner().set_location_rules(req).await
}

#[tauri::command]
pub async fn unmap_locations(app: State<'_, App>, req: UnmapLocationsRequest) -> Result<LocationsView, ApiError> {
    app.inner().unmap_locations(req).await
}

#[tauri::command]
pub async fn stock_sync(app: State<'_, App>, req: StockSyncRequest) -> Result<StockSyncReport, ApiError> {
    app.inner().stock_sync(req).await
}

#[tauri::command]
pub async fn stock_item(app: State<'_, App>, req: StockItemQuery) -> Result<Vec<StockItemView>, ApiError> {
    app.inner().stock_item(req).await
}

#[tauri::command]
pub async fn stock_conflicts(app: State<'_, App>, req: ConflictsQuery) -> Result<Vec<StockConflictView>, ApiError> {
    app.inner().stock_conflicts(req).await
}

#[tauri::command]
pub async fn resolve_stock_conflict(
    app: State<'_, App>,
    req: ResolveConflictRequest,
) -> Result<StockConflictView, ApiError> {
    app.inner().resolve_stock_conflict(req).await
}

#[tauri::command]
pub async fn orders(app: State<'_, App>, req: OrdersQuery) -> Result<OrdersView, ApiError> {
    app.inner().orders(req).await
}

#[tauri::command]
pub async fn orders_sync(app: State<'_, App>, req: OrdersSyncRequest) -> Result<OrdersSyncReport, ApiError> {
    app.inner().orders_sync(req).await
}

#[tauri::command]
pub async fn retry_orders(app: State<'_, App>, req: RetryOrdersRequest) -> Result<QueueActionView, ApiError> {
    app.inner().retry_orders(req).await
}

#[tauri::command]
pub async fn set_orders_config(app: State<'_, App>, req: OrdersConfig) -> Result<OrdersConfig, ApiError> {
    app.inner().set_orders_config(req).await
}

#[tauri::command]
pub async fn order_channels(app: State<'_, App>) -> Result<OrderChannelsView, ApiError> {
    app.inner().order_channels().await
}

#[tauri::command]
pub async fn choose_order_channel(app: State<'_, App>, req: ChooseOrderChannel) -> Result<OrderChannelsView, ApiError> {
    app.inner().choose_order_channel(req).await
}

#[tauri::command]
pub async fn orders_reconcile(app: State<'_, App>, req: ReconcileRequest) -> Result<ReconcileView, ApiError> {
    app.inner().orders_reconcile(req).await
}

#[tauri::command]
pub async fn save_orders_reconcile_csv(app: State<'_, App>, req: ReconcileRequest) -> Result<String, ApiError> {
    app.inner().save_orders_reconcile_csv(req).await
}

#[tauri::command]
pub async fn order_timeline(app: State<'_, App>, req: OrderRef) -> Result<OrderTimelineView, ApiError> {
    app.inner().order_timeline(req).await
}

#[tauri::command]
pub async fn skip_order(app: State<'_, App>, req: OrderRef) -> Result<OrderTimelineView, ApiError> {
    app.inner().skip_order(req).await
}

#[tauri::command]
pub async fn home(app: State<'_, App>, req: HomeQuery) -> Result<HomeView, ApiError> {
    app.inner().home(req).await
}

#[tauri::command]
pub async fn onboarding(app: State<'_, App>) -> Result<OnboardingView, ApiError> {
    app.inner().onboarding().await
}

#[tauri::command]
pub async fn set_onboarding_dismissed(
    app: State<'_, App>,
    req: OnboardingDismissRequest,
) -> Result<OnboardingView, ApiError> {
    app.inner().set_onboarding_dismissed(req).await
}

#[tauri::command]
pub async fn charts(app: State<'_, App>) -> Result<ChartsView, ApiError> {
    app.inner().charts().await
}

#[tauri::command]
pub async fn stock_drift(app: State<'_, App>, req: DriftQuery) -> Result<DriftReport, ApiError> {
    app.inner().stock_drift(req).await
}

#[tauri::command]
pub async fn save_stock_drift_csv(app: State<'_, App>, req: DriftQuery) -> Result<String, ApiError> {
    app.inner().save_stock_drift_csv(req).await
}
