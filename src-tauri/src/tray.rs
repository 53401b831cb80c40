//! Desktop-native parts of the window that the mock runtime cannot exercise: the tray icon that
//! keeps Tillbridge syncing with its window hidden, and notifications for the runs that need a
//! person while nobody watches the window.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tillbridge_engine::RunAlert;
use tokio::sync::broadcast;

/// Shows the main window and brings it forward.
fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Adds the tray icon with its menu (Open Tillbridge, Quit); with `minimized`, hides the window
/// it starts with.
pub fn install<R: Runtime>(app: &tauri::App<R>, minimized: bool) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Tillbridge", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit (stops syncing)", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Tillbridge: keeping BigCommerce and Shopify POS in step")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                show(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    if minimized && let Some(window) = app.get_webview_window("main") {
        window.hide()?;
    }
    Ok(())
}

/// Turns each run alert into a desktop notification for as long as the app runs.
pub fn notify_alerts<R: Runtime>(app: AppHandle<R>, mut alerts: broadcast::Receiver<RunAlert>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match alerts.recv().await {
                Ok(alert) => {
                    if let Err(e) = app.notification().builder().title(&alert.title).body(&alert.body).show() {
                        tracing::warn!(run_id = alert.run_id, error = %e, "could not show a notification");
                    }
                }
                // Alerts missed while the desktop was busy: the next one still comes.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
