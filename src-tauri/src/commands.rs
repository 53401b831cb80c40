//! Tauri commands: each one is a one-line adapter over the engine, so the window, the HTTP API
//! and the CLI all answer from the same code. An `Err` reaches the UI as the engine's
//! `{code, message}` object.

use tauri::State;
use tillbridge_engine::{
    ApiError, App, ConnectBigCommerce, ConnectShopify, ConnectionView, DoctorReport, Health, Status,
};

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
