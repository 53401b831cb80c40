// No console window behind the app on Windows release builds (debug builds keep it for logs).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

//! `tillbridge-desktop`: opens the engine and shows the control panel in a window. Without a
//! display (a server, an SSH session) it serves the same UI on 127.0.0.1 instead, like
//! `tillbridge serve`.

use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use tillbridge_demo::DemoArgs;
use tillbridge_emulator::{EmulateOptions, RunningStores};
use tillbridge_engine::{ApiError, App, Config, default_log_dir};
use tillbridge_http::{ServeOptions, bind, locate_ui, serve};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// The port `tillbridge serve` uses by default; the no-display fallback tries it first.
const FALLBACK_PORT: u16 = 4870;

/// The Tillbridge control panel in a desktop window.
#[derive(Debug, Parser)]
#[command(name = "tillbridge-desktop", version, about, long_about = None)]
struct Cli {
    /// The database file. Defaults to tillbridge.db in your per-user data folder.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Where store tokens are kept: `keychain` (the OS keychain, default), `file:PATH` (a private
    /// file) or `memory` (lost on exit).
    #[arg(long, value_name = "SPEC", env = "TILLBRIDGE_SECRET_STORE")]
    secret_store: Option<String>,

    /// Open the demo: emulated stores seeded with a messy catalog, connected with in-memory tokens
    /// and a separate demo database (demo.db unless --db is given).
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    demo_stores: DemoArgs,

    /// Start with the window hidden in the tray, syncing on; closing the window then hides it
    /// again instead of quitting (Quit is in the tray's menu).
    #[arg(long, env = "TILLBRIDGE_MINIMIZED")]
    minimized: bool,

    /// Also receive the stores' webhooks on this address (off by default: polling carries
    /// everything). See the README on exposing it.
    #[arg(long, value_name = "ADDR", env = "TILLBRIDGE_WEBHOOKS_ADDR")]
    webhooks_addr: Option<std::net::SocketAddr>,
}

/// Starts the webhook receiver on `addr`; a refused address is logged and the app runs on
/// without it (polling carries everything).
fn start_receiver(
    app: &tillbridge_engine::App,
    addr: std::net::SocketAddr,
) -> Option<tokio_util::sync::CancellationToken> {
    let listener = match tauri::async_runtime::block_on(tokio::net::TcpListener::bind(addr)) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(%addr, error = %e, "cannot receive webhooks on this address; polling carries on");
            return None;
        }
    };
    let stop = tokio_util::sync::CancellationToken::new();
    let (app, token) = (app.clone(), stop.clone());
    tauri::async_runtime::spawn(async move {
        if let Err(e) = tillbridge_webhooks::serve_webhooks(listener, app, token).await {
            tracing::error!(error = %e, "the webhook receiver stopped");
        }
    });
    tracing::info!(%addr, "receiving webhooks");
    Some(stop)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = init_tracing();
    tracing::info!(version = tillbridge_engine::VERSION, "tillbridge-desktop starting");

    // The demo's emulated stores live as long as `_stores` does: the whole run.
    let (app, _stores) = match tauri::async_runtime::block_on(open_app(&cli)) {
        Ok(opened) => opened,
        Err(e) => {
            tracing::error!(error = %e.message, "cannot open the engine");
            eprintln!("error: {}", e.message);
            return ExitCode::FAILURE;
        }
    };

    if let Some(why) = no_display() {
        eprintln!(
            "note: {why}, so Tillbridge cannot open a window; serving the control panel to your browser instead."
        );
        return serve_instead(app);
    }

    // Building the app creates the GTK event loop, which panics when the display cannot be
    // reached (e.g. a stale DISPLAY). Catch that one panic and serve instead of crashing.
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let minimized = cli.minimized;
    let alerts = app.alerts();
    let built = panic::catch_unwind(AssertUnwindSafe(|| {
        tillbridge_desktop::setup(tauri::Builder::default(), app.clone())
            .plugin(tauri_plugin_notification::init())
            .setup(move |tauri_app| {
                tillbridge_desktop::tray::install(tauri_app, minimized)?;
                tillbridge_desktop::tray::notify_alerts(tauri_app.handle().clone(), alerts);
                Ok(())
            })
            .on_window_event(move |window, event| {
                if minimized && let tauri::WindowEvent::CloseRequested { api, .. } = event {
                    api.prevent_close();
                    let _ = window.hide();
                }
            })
            .build(tauri::generate_context!())
    }));
    panic::set_hook(previous_hook);

    match built {
        Ok(Ok(tauri_app)) => {
            // The engine's runtime (lanes, retries, the scheduler) runs while the window is open;
            // serving instead starts its own.
            let runtime = tauri::async_runtime::block_on(async {
                app.start_runtime(tillbridge_engine::RuntimeOptions::service())
            });
            let receiver = cli.webhooks_addr.and_then(|addr| start_receiver(&app, addr));
            // `run_return` (not `run`, which exits the process) so the log file is flushed on the way out.
            let code = tauri_app.run_return(|_, _| {});
            if let Some(stop) = receiver {
                stop.cancel();
            }
            let report = tauri::async_runtime::block_on(runtime.shutdown(tillbridge_http::SHUTDOWN_GRACE));
            tracing::info!(requeued = report.requeued, "runtime stopped");
            tracing::info!(code, "tillbridge-desktop exiting");
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot start the window");
            eprintln!("error: cannot start the Tillbridge window: {e}");
            ExitCode::FAILURE
        }
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown reason".to_string());
            tracing::warn!(reason = %why, "no usable display; serving instead");
            // "Failed to initialize gtk backend!: BoolError { .. }": the first part says enough.
            let short = why.split(": ").next().unwrap_or(&why).trim_end_matches('!');
            let display = std::env::var("DISPLAY").unwrap_or_default();
            eprintln!(
                "note: cannot open a window on display {display:?} ({short}); serving the control panel to your browser instead."
            );
            serve_instead(app)
        }
    }
}

/// Why there is no display to open a window on, if there is none.
fn no_display() -> Option<&'static str> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return Some("there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)");
        }
    }
    None
}

/// Logs go to a file rolled daily in the per-user log folder (stderr if that folder is unusable).
/// The guard flushes the file on exit, so `main` keeps it alive.
fn init_tracing() -> Option<WorkerGuard> {
    let filter = |default: &str| {
        tracing_subscriber::EnvFilter::try_from_env("TILLBRIDGE_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default))
    };
    let appender = default_log_dir().ok_or_else(|| "no per-user folder found".to_string()).and_then(|dir| {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("tillbridge-desktop")
            .filename_suffix("log")
            .build(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))
    });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter("info"))
                .with_ansi(false)
                .with_writer(writer)
                .try_init();
            Some(guard)
        }
        Err(why) => {
            eprintln!("note: cannot write the log file ({why}); logging warnings to stderr");
            let _ = tracing_subscriber::fmt().with_env_filter(filter("warn")).with_writer(std::io::stderr).try_init();
            None
        }
    }
}

async fn open_app(cli: &Cli) -> Result<(App, Option<RunningStores>), ApiError> {
    if cli.demo {
        let db_path = match &cli.db {
            Some(p) => p.clone(),
            None => tillbridge_demo::default_demo_db()?,
        };
        let emulate = EmulateOptions { seed: cli.demo_stores.spec(), ..EmulateOptions::default() };
        let demo = tillbridge_demo::open(tillbridge_demo::DemoOptions { emulate, db_path }).await?;
        return Ok((demo.app, Some(demo.stores)));
    }
    let config = Config::from_flags(cli.db.clone(), cli.secret_store.as_deref())?;
    tracing::info!(db = %config.db_path.display(), secrets = ?config.secrets, "opening the engine");
    let app = App::open(config).await?;
    if let Some(note) = app.upgrade_note() {
        eprintln!("{note}");
    }
    Ok((app, None))
}

/// The no-display fallback: the same UI and engine over HTTP on loopback, until Ctrl-C.
fn serve_instead(app: App) -> ExitCode {
    match tauri::async_runtime::block_on(serve_loopback(app)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e.message, "serving failed");
            eprintln!("error: {}", e.message);
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)] // the URL on stdout is this function's output, as with `tillbridge serve`
async fn serve_loopback(app: App) -> Result<(), ApiError> {
    let mut opts = ServeOptions {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, FALLBACK_PORT)),
        allowed_hosts: Vec::new(),
        ui_dir: locate_ui(None),
    };
    let (listener, local) = match bind(&opts).await {
        Ok(bound) => bound,
        Err(_) => {
            // Port 4870 is taken (probably by `tillbridge serve`): any free port will do.
            opts.addr.set_port(0);
            bind(&opts).await?
        }
    };
    if opts.ui_dir.is_none() {
        eprintln!("note: the web UI is not built; run `npm --prefix ui ci && npm --prefix ui run build`");
    }
    tracing::info!(%local, "serving the control panel");
    println!("Tillbridge is serving http://{local}/ (Ctrl-C to stop)");
    serve(Arc::new(app), &opts, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
