//! `tillbridge`: the command-line front end. Every subcommand is a thin adapter over the engine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tillbridge_demo::DemoArgs;
use tillbridge_emulator::{EmulateOptions, SeedSpec};
use tillbridge_engine::{
    ApiError, App, CheckState, Config, ConnectBigCommerce, ConnectShopify, PreviewQuery, Scope, SyncPhase,
    SyncProgress, SyncRequest,
};
use tillbridge_http::{ServeOptions, bind, locate_ui, serve};
use tillbridge_secrets::Secret;

/// Tillbridge keeps a BigCommerce store and Shopify POS in step: products, stock per location,
/// POS orders, refunds and returns.
#[derive(Debug, Parser)]
#[command(name = "tillbridge", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The database file. Defaults to tillbridge.db in your per-user data folder.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Where store tokens are kept: `keychain` (the OS keychain, default), `file:PATH` (a private
    /// file, for headless servers; prints a warning on every use) or `memory` (lost on exit).
    #[arg(long, global = true, value_name = "SPEC", env = "TILLBRIDGE_SECRET_STORE")]
    secret_store: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the control panel and its JSON API to a browser on this machine.
    Serve {
        /// Address to listen on. Loopback only unless --allow-remote is given; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:4870")]
        addr: SocketAddr,
        /// Allow a non-loopback address. The panel has no login: anyone who can reach it can use it.
        #[arg(long)]
        allow_remote: bool,
        /// The built web UI (ui/dist). Found automatically in a checkout or next to the executable.
        #[arg(long, value_name = "DIR")]
        ui_dir: Option<PathBuf>,
    },
    /// Check the database, the keychain and the connected stores, and say how to fix what is wrong.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the version, the database in use, the secret store and the connections, as JSON.
    Status,
    /// Connect a store: reads the access token from standard input (or asks for it), checks it with
    /// one cheap call, and keeps it in the secret store. Nothing is saved if the check fails.
    Connect {
        #[command(subcommand)]
        store: ConnectCommand,
    },
    /// List the connected stores (never their tokens).
    Connections,
    /// Match exported catalogs offline, through the same matcher as the live sync, and print one
    /// JSON object: counts per class and a record per pair or singleton.
    Match {
        /// BigCommerce products with variants, as the API returns them: a JSON array, or one
        /// {"data": […]} page per line.
        #[arg(long, value_name = "FILE")]
        bigcommerce: PathBuf,
        /// A Shopify bulk export (JSONL) of products { variants }: product lines and variant lines
        /// with __parentId, sku, barcode and selectedOptions.
        #[arg(long, value_name = "FILE")]
        shopify: PathBuf,
        /// Matching rules as JSON: {"sku": {"trim", "case_fold", "collapse_whitespace"},
        /// "synonyms": {"names": {…}, "values": {…}}}.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
    /// Sync products between the connected stores: only what changed since the last sync, or
    /// everything with --full. Fields flow from the side that owns them (see the Mapping screen).
    Sync {
        /// Compare every matched variant, not only what changed since the last sync.
        #[arg(long)]
        full: bool,
        /// Show what the sync would change, and write nothing to either store.
        #[arg(long)]
        dry_run: bool,
        /// Also write every change (field, old value, new value, direction) to FILE as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// How many changes to list on the screen (0 for all).
        #[arg(long, default_value_t = 50)]
        show: u32,
    },
    /// Run the emulated BigCommerce and Shopify stores on loopback, seeded with a messy catalog.
    /// When they are ready, prints one JSON line with their URLs and credentials.
    Emulate {
        #[command(flatten)]
        seed: DemoArgs,
        /// Where the BigCommerce emulator listens (port 0 picks a free one).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        bigcommerce: SocketAddr,
        /// Where the Shopify emulator listens (port 0 picks a free one).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        shopify: SocketAddr,
    },
    /// Try Tillbridge on emulated stores: seeds both, connects Tillbridge to them (tokens in memory,
    /// a separate demo database) and opens the app, or serves it to a browser when there is no display.
    Demo {
        #[command(flatten)]
        seed: DemoArgs,
        /// Where to serve the control panel when there is no window.
        #[arg(long, default_value = "127.0.0.1:4870")]
        addr: SocketAddr,
        /// Serve to a browser even when a display is available.
        #[arg(long)]
        no_window: bool,
    },
    /// Measure Tillbridge against the emulated stores; each benchmark ends with one JSON line.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Match two seeded catalogs with the pure matcher; prints its CPU time and memory.
    Match {
        #[arg(long, default_value_t = 100_000)]
        variants: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Read both emulated catalogs, with stock at every location, at Standard-plan limits; prints
    /// the requests and points spent, the least time the limits allow (floor_s), the wall time,
    /// and every rate-limited answer.
    Read {
        #[arg(long, default_value_t = 100_000)]
        variants: usize,
        #[arg(long, default_value_t = 3)]
        locations: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// A full product sync on aligned emulated stores after a share of the matched variants
    /// changed (half BigCommerce prices, half Shopify barcodes): requests per endpoint against the
    /// least the APIs allow (min_requests), the wall time against the least the rate limits allow
    /// (floor_s), a check that every change arrived, and the plan's CPU and peak memory at 100,000
    /// variants in a process of its own.
    Catalog {
        #[arg(long, default_value_t = 10_000)]
        variants: usize,
        /// The share of matched variants to change before the measured sync.
        #[arg(long, default_value_t = 0.05)]
        changed: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Plans two files of snapshot rows and reports the plan's CPU time and peak memory; run by
    /// `bench catalog` in a fresh process.
    #[command(hide = true)]
    PlanChild {
        #[arg(long, value_name = "FILE")]
        bigcommerce: PathBuf,
        #[arg(long, value_name = "FILE")]
        shopify: PathBuf,
    },
    /// How long the deterministic generator takes to seed a pair of messy stores.
    Seed {
        #[arg(long, default_value_t = 100_000)]
        variants: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 3)]
        locations: usize,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectCommand {
    /// A BigCommerce store, through a store-level API account.
    Bigcommerce {
        /// Usually https://api.bigcommerce.com.
        #[arg(long, value_name = "URL")]
        api_url: String,
        /// The code in the store's API path: /stores/HASH/.
        #[arg(long, value_name = "HASH")]
        store_hash: String,
    },
    /// A Shopify shop, through an app's Admin API access token.
    Shopify {
        /// https://SHOP.myshopify.com
        #[arg(long, value_name = "URL")]
        shop_url: String,
        /// The Admin API version; defaults to the one Tillbridge is written against.
        #[arg(long, value_name = "V")]
        api_version: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr so stdout stays clean for what commands print (URLs, JSON).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TILLBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn open_app(cli: &Cli) -> Result<App, ApiError> {
    let app = App::open(Config::from_flags(cli.db.clone(), cli.secret_store.as_deref())?).await?;
    if let Some(note) = app.upgrade_note() {
        eprintln!("{note}");
    }
    Ok(app)
}

#[allow(clippy::print_stdout)] // printing results is this function's job
async fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    match &cli.command {
        Command::Serve { addr, allow_remote, ui_dir } => {
            let opts = ServeOptions { addr: *addr, allow_remote: *allow_remote, ui_dir: locate_ui(ui_dir.as_deref()) };
            // Bind before opening the database, so a refused address fails fast and touches nothing.
            let (listener, local) = bind(&opts).await?;
            let app = Arc::new(open_app(&cli).await?);
            if opts.ui_dir.is_none() {
                eprintln!("note: the web UI is not built; run `npm --prefix ui ci && npm --prefix ui run build`");
            }
            println!("Tillbridge is serving http://{local}/ (Ctrl-C to stop)");
            serve(app, &opts, listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor { json } => {
            let app = open_app(&cli).await?;
            let report = app.doctor().await?;
            if *json {
                println!("{}", to_json(&report)?);
            } else {
                for c in &report.checks {
                    let mark = match c.state {
                        CheckState::Ok => "ok  ",
                        CheckState::Warn => "warn",
                        CheckState::Fail => "FAIL",
                    };
                    println!("[{mark}] {}: {}", c.name, c.detail);
                    if let Some(fix) = &c.fix {
                        println!("       fix: {fix}");
                    }
                }
                println!(
                    "{}",
                    if report.healthy {
                        "Tillbridge is ready."
                    } else {
                        "Tillbridge needs attention (see FAIL above)."
                    }
                );
            }
            Ok(if report.healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Connect { store } => {
            let app = open_app(&cli).await?;
            let token = read_token()?;
            let view = match store {
                ConnectCommand::Bigcommerce { api_url, store_hash } => {
                    app.connect_bigcommerce(ConnectBigCommerce {
                        api_url: api_url.clone(),
                        store_hash: store_hash.clone(),
                        token,
                    })
                    .await?
                }
                ConnectCommand::Shopify { shop_url, api_version } => {
                    app.connect_shopify(ConnectShopify {
                        shop_url: shop_url.clone(),
                        api_version: api_version.clone(),
                        token,
                    })
                    .await?
                }
            };
            println!(
                "Connected {} store {} ({}); the token is in {}.",
                view.system,
                view.store_ref,
                view.api_url,
                app.secrets().describe()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { full, dry_run, csv, show } => {
            let app = open_app(&cli).await?;
            let mode = if *full { Scope::Full } else { Scope::Delta };
            let progress = app.sync_run(SyncRequest { mode, dry_run: *dry_run }).await?;
            print_sync(&app, &progress, *show).await?;
            if let Some(path) = csv {
                let text = app.sync_preview_csv().await?;
                std::fs::write(path, text)
                    .map_err(|e| ApiError::invalid(format!("cannot write {}: {e}", path.display())))?;
                println!("Every change is in {}.", path.display());
            }
            Ok(if progress.phase == SyncPhase::Done && progress.summary.as_ref().is_none_or(|s| s.failed == 0) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Connections => {
            let app = open_app(&cli).await?;
            let list = app.connections().await?;
            if list.is_empty() {
                println!(
                    "No stores connected. Run `tillbridge connect bigcommerce …` or `tillbridge connect shopify …`."
                );
            }
            for c in list {
                let verified = c.verified_at.map_or_else(|| "never verified".to_string(), |t| format!("verified {t}"));
                let token = if c.has_secret { "token stored" } else { "TOKEN MISSING" };
                println!("{:<12} {:<32} {:<40} {token}, {verified}", c.system.as_str(), c.store_ref, c.api_url);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Match { bigcommerce, shopify, rules } => {
            let report = tillbridge_engine::catalog::match_files(bigcommerce, shopify, rules.as_deref())?;
            println!("{}", serde_json::to_string(&report).map_err(|e| ApiError::internal(e.to_string()))?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Emulate { seed, bigcommerce, shopify } => {
            let stores = tillbridge_emulator::start(EmulateOptions {
                seed: seed.spec(),
                bigcommerce_addr: *bigcommerce,
                shopify_addr: *shopify,
                ..EmulateOptions::default()
            })
            .await
            .map_err(|e| ApiError::invalid(format!("cannot start the emulated stores: {e}")))?;
            eprintln!(
                "emulating BigCommerce ({} variants) at {} and Shopify ({} variants) at {}; Ctrl-C to stop",
                stores.bigcommerce_variants,
                stores.credentials.bigcommerce.api_url,
                stores.shopify_variants,
                stores.credentials.shopify.shop_url
            );
            println!("{}", serde_json::to_string(&stores.credentials).map_err(|e| ApiError::internal(e.to_string()))?);
            let _ = tokio::signal::ctrl_c().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { seed, addr, no_window } => {
            if !*no_window
                && has_display()
                && let Some(desktop) = desktop_binary()
            {
                // The window runs the demo itself, in its own process.
                let status = std::process::Command::new(&desktop)
                    .args(["--demo", "--seed", &seed.seed.to_string(), "--variants", &seed.variants.to_string()])
                    .args(["--locations", &seed.locations.to_string()])
                    .args(cli.db.iter().flat_map(|p| [std::ffi::OsString::from("--db"), p.clone().into_os_string()]))
                    .status()
                    .map_err(|e| ApiError::internal(format!("cannot start {}: {e}", desktop.display())))?;
                return Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            let db_path = match &cli.db {
                Some(p) => p.clone(),
                None => tillbridge_demo::default_demo_db()?,
            };
            let emulate = EmulateOptions { seed: seed.spec(), ..EmulateOptions::default() };
            let demo = tillbridge_demo::open(tillbridge_demo::DemoOptions { emulate, db_path }).await?;
            let opts = ServeOptions { addr: *addr, allow_remote: false, ui_dir: locate_ui(None) };
            let (listener, local) = match bind(&opts).await {
                Ok(bound) => bound,
                // The usual port is taken (another Tillbridge?): any free one will do for a demo.
                Err(_) => bind(&ServeOptions { addr: SocketAddr::from(([127, 0, 0, 1], 0)), ..opts.clone() }).await?,
            };
            eprintln!(
                "demo: BigCommerce ({} variants) and Shopify ({} variants) are emulated on this machine",
                demo.stores.bigcommerce_variants, demo.stores.shopify_variants
            );
            println!("Tillbridge is serving http://{local}/ (Ctrl-C to stop)");
            serve(Arc::new(demo.app.clone()), &opts, listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { what } => match what {
            BenchCommand::Seed { variants, seed, locations } => {
                tillbridge_bench::seed(&SeedSpec {
                    seed: *seed,
                    variants: *variants,
                    locations: *locations,
                    ..SeedSpec::default()
                });
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Match { variants, seed } => {
                tillbridge_bench::matching(&SeedSpec { seed: *seed, variants: *variants, ..SeedSpec::default() });
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Catalog { variants, changed, seed } => {
                tillbridge_bench::catalog(
                    SeedSpec { seed: *seed, variants: *variants, ..SeedSpec::default() },
                    *changed,
                )
                .await?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::PlanChild { bigcommerce, shopify } => {
                tillbridge_bench::plan_child(bigcommerce, shopify)?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Read { variants, locations, seed } => {
                tillbridge_bench::read(SeedSpec {
                    seed: *seed,
                    variants: *variants,
                    locations: *locations,
                    ..SeedSpec::default()
                })
                .await?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Status => {
            let app = open_app(&cli).await?;
            println!("{}", to_json(&app.status().await?)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn has_display() -> bool {
    cfg!(not(target_os = "linux"))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// The desktop app installed or built next to this executable.
fn desktop_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let name = if cfg!(windows) { "tillbridge-desktop.exe" } else { "tillbridge-desktop" };
    let candidate = exe.parent()?.join(name);
    candidate.is_file().then_some(candidate)
}

/// The token comes from standard input, so it never appears in the shell history or `ps`.
/// At a terminal it is asked for without echo.
fn read_token() -> Result<Secret, ApiError> {
    use std::io::{BufRead, IsTerminal};
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Access token: ")
            .map_err(|e| ApiError::invalid(format!("cannot read the token: {e}")))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| ApiError::invalid(format!("cannot read the token from standard input: {e}")))?;
        line
    };
    let token = Secret::new(text.trim().to_string());
    if token.is_empty() {
        return Err(ApiError::invalid(
            "no access token given: pipe it on standard input, e.g. `tillbridge connect … < token.txt`",
        ));
    }
    Ok(token)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string_pretty(value).map_err(|e| ApiError::internal(e.to_string()))
}

/// The summary of a finished sync, its changes per kind, and the first `show` changes.
#[allow(clippy::print_stdout)] // printing the outcome is this function's job
async fn print_sync(app: &App, progress: &SyncProgress, show: u32) -> Result<(), ApiError> {
    let what = match (progress.mode, progress.dry_run) {
        (Some(Scope::Full), true) => "Full sync preview (nothing was written)",
        (Some(Scope::Full), false) => "Full sync",
        (_, true) => "Delta sync preview (nothing was written)",
        (_, false) => "Delta sync",
    };
    if let Some(error) = &progress.error {
        eprintln!("{what} failed: {error}");
        return Ok(());
    }
    let Some(summary) = &progress.summary else { return Ok(()) };
    if progress.dry_run {
        println!("{what}: {} changes.", summary.changes);
    } else {
        println!(
            "{what}: {} changes in {} writes; {} writes failed and wait in the retry queue.",
            summary.changes,
            summary.written + summary.failed,
            summary.failed
        );
    }
    for k in &summary.by_kind {
        println!("  {:<11} {:<24} {:>7}", k.field.as_str(), k.direction.as_str().replace('_', " "), k.changes);
    }
    if summary.changes == 0 {
        return Ok(());
    }
    let limit = if show == 0 { u32::MAX } else { show };
    let page = app.sync_preview(PreviewQuery { offset: Some(0), limit: Some(limit.min(1000)) }).await?;
    println!();
    for c in &page.changes {
        println!(
            "  {:<10} {:<20} {:<28} {:<10} {} → {}  ({})",
            c.bigcommerce_variant_id,
            c.sku,
            c.title.chars().take(28).collect::<String>(),
            c.field,
            c.old.as_deref().unwrap_or("(none)"),
            c.new.as_deref().unwrap_or("(none)"),
            c.direction.replace('_', " "),
        );
    }
    if page.total > page.changes.len() as u64 {
        println!("  … and {} more; pass --csv FILE for every change.", page.total - page.changes.len() as u64);
    }
    Ok(())
}
