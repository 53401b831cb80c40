//! The Tillbridge desktop shell: a Tauri window showing the web UI, whose calls reach the engine
//! through the commands in [`commands`]. The shell holds no logic of its own.

pub mod commands;
pub mod tray;

/// Everything the app needs besides the window: the engine as managed state and the command
/// handler. The real app (on the Wry runtime) and the tests (on the mock runtime) both build
/// through this function, so the tests exercise exactly what ships.
pub fn setup<R: tauri::Runtime>(builder: tauri::Builder<R>, app: tillbridge_engine::App) -> tauri::Builder<R> {
    builder.manage(app).invoke_handler(tauri::generate_handler![
        commands::health,
        commands::status,
        commands::doctor,
        commands::connections,
        commands::connect_bigcommerce,
        commands::connect_shopify,
        commands::mapping,
        commands::mapping_csv,
        commands::mapping_link,
        commands::mapping_unlink,
        commands::mapping_ignore,
        commands::mapping_unignore,
        commands::mapping_confirm,
        commands::mapping_confirm_all,
        commands::mapping_undo,
        commands::save_mapping_csv,
        commands::save_sync_preview_csv,
        commands::matching_rules,
        commands::set_matching_rules,
        commands::ownership,
        commands::set_ownership,
        commands::sync_start,
        commands::sync_progress,
        commands::sync_preview,
        commands::sync_preview_csv,
        commands::sync_cancel,
        commands::runs,
        commands::failed_jobs,
        commands::job_timeline,
        commands::retry_jobs,
        commands::skip_jobs,
        commands::schedule,
        commands::set_schedule,
        commands::paused,
        commands::set_paused,
        commands::locations,
        commands::map_locations,
        commands::set_location_rules,
        commands::unmap_locations,
        commands::stock_sync,
        commands::stock_item,
        commands::stock_conflicts,
        commands::resolve_stock_conflict,
        commands::home,
        commands::charts,
        commands::onboarding,
        commands::set_onboarding_dismissed,
        commands::stock_drift,
        commands::save_stock_drift_csv,
        commands::orders,
        commands::orders_sync,
        commands::retry_orders,
        commands::set_orders_config,
        commands::order_channels,
        commands::choose_order_channel,
        commands::orders_reconcile,
        commands::save_orders_reconcile_csv,
        commands::order_timeline,
        commands::skip_order
    ])
}
