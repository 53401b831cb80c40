//! `tillbridge`: the command-line front end. Every subcommand is a thin adapter over the engine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use tillbridge_demo::DemoArgs;
use tillbridge_emulator::{EmulateOptions, SeedSpec};
use tillbridge_engine::webhooks::registration::RegisterRequest;
use tillbridge_engine::{
    ApiError, App, CancelRequest, Capability, CheckState, Config, ConnectBigCommerce, ConnectShopify, FailedQuery,
    GuardRails, PreviewQuery, RetryRequest, RunsQuery, RuntimeOptions, ScheduleRequest, Scope, SkipRequest, SyncPhase,
    SyncProgress, SyncRequest,
};
use tillbridge_engine::{
    ConflictsQuery, DriftQuery, LocationPairView, LocationRules, LocationRulesRequest, MapLocationsRequest,
    ResolveConflictRequest, SameWindow, StockItemQuery, StockOwner, StockSyncReport, StockSyncRequest,
    UnmapLocationsRequest,
};
use tillbridge_engine::{CustomerRef, PrivacyTopic, WebhookSource};
use tillbridge_engine::{
    OrderLinkState, OrderRef, OrderTimelineView, OrdersQuery, OrdersSyncReport, OrdersSyncRequest, ReconcileRequest,
    RetryOrdersRequest,
};
use tillbridge_http::{SHUTDOWN_GRACE, ServeOptions, bind, locate_ui, serve};
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
        /// Address to listen on. Loopback only unless --allowed-host is given; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:4870")]
        addr: SocketAddr,
        /// A name other machines reach this one by (repeatable). Turns on the access token: every
        /// request must carry it (the login page sets it as a cookie).
        #[arg(long = "allowed-host", value_name = "NAME")]
        allowed_hosts: Vec<String>,
        /// The built web UI (ui/dist). Found automatically in a checkout or next to the executable.
        #[arg(long, value_name = "DIR")]
        ui_dir: Option<PathBuf>,
        /// Also receive the stores' webhooks, on this address of its own (off by default: polling
        /// carries everything). Put it behind a reverse proxy or tunnel; see the README.
        #[arg(long, value_name = "ADDR")]
        webhooks_addr: Option<SocketAddr>,
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
        /// Write the price changes that move more than the guard rails' limit (50 % unless
        /// `schedule set --max-price-change` says otherwise). Without it a full sync that would
        /// make such a change writes nothing and names it. Review them first with --dry-run.
        #[arg(long, conflicts_with = "dry_run")]
        accept_price_changes: bool,
        /// Sync stock at the paired locations instead of products (see `tillbridge locations`).
        /// With --full, every Shopify location is read whole instead of what changed since the
        /// last cycle.
        #[arg(long, conflicts_with = "csv")]
        inventory: bool,
        /// Carry Shopify POS orders changed since the last cycle into BigCommerce, with their edits
        /// and refunds. With --dry-run, prints the BigCommerce order bodies that would be sent.
        #[arg(long, conflicts_with_all = ["csv", "inventory", "full"])]
        orders: bool,
    },
    /// List the POS orders carried into BigCommerce (newest first), or retry or set them up.
    Orders {
        #[command(subcommand)]
        action: Option<OrdersCommand>,
        /// Only orders in this state: creating, created, needs-attention or skipped.
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        /// Only orders sold on or after this day (2026-12-01, midnight UTC).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// List both stores' locations and the pairs whose stock is synced, or pair, re-rule or
    /// unpair them.
    Locations {
        #[command(subcommand)]
        action: Option<LocationsCommand>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// One item's stock at every paired location: both stores, the base, pending writes. ITEM is
    /// a SKU (or part of one), a BigCommerce variant id or a Shopify inventory item id.
    Stock {
        #[arg(value_name = "ITEM")]
        item: String,
        #[arg(long)]
        json: bool,
    },
    /// What the last stock validation (a full check, every 6 hours or `sync --inventory --full`)
    /// found out of step, per item and location, with the likely reason and what was done.
    Drift {
        /// An older validation, by the id the list prints.
        #[arg(long, value_name = "ID")]
        validation: Option<i64>,
        /// Write the report as CSV to FILE instead of printing it.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List the stock conflicts waiting for a person, or settle one.
    Conflicts {
        #[command(subcommand)]
        action: Option<ConflictsCommand>,
        /// Settled conflicts too.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run Tillbridge headless in the foreground, for a server or a service manager: the lanes send
    /// queued writes and retries, and the schedule starts its syncs. Ctrl-C (or SIGTERM) lets the
    /// requests in flight finish and exits with no job left running.
    Run {
        /// Also receive the stores' webhooks on this address (see `serve --webhooks-addr`).
        #[arg(long, value_name = "ADDR")]
        webhooks_addr: Option<SocketAddr>,
    },
    /// Webhooks make Tillbridge react in seconds where this machine can be reached; nothing
    /// depends on them. Without a subcommand: what is registered and the latest deliveries.
    Webhooks {
        #[command(subcommand)]
        action: Option<WebhooksCommand>,
        #[arg(long)]
        json: bool,
    },
    /// Privacy requests (GDPR/CCPA) answered by hand. Shopify's own requests arrive as webhooks
    /// and are carried out the same way.
    Privacy {
        #[command(subcommand)]
        action: PrivacyCommand,
    },
    /// List the syncs that ran: kind, trigger, start, duration, changes, written, failed, result.
    Runs {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the writes that failed, in plain words with each store's own message.
    Failed {
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Send failed writes again now, and wait for them: one job by its id, or --all.
    Retry {
        /// The job id, as `tillbridge failed` lists it.
        #[arg(value_name = "JOB", required_unless_present = "all", conflicts_with = "all")]
        job: Option<i64>,
        #[arg(long)]
        all: bool,
    },
    /// Give up on a failed write: it is kept in the history as skipped and never sent.
    Skip {
        #[arg(value_name = "JOB")]
        job: i64,
    },
    /// Ask the running sync to stop between requests; its queued writes are cancelled.
    Cancel,
    /// Show or set the daily full sync: `schedule set 06:30 [--time-zone Europe/Paris]`, `schedule off`.
    Schedule {
        #[command(subcommand)]
        action: Option<ScheduleCommand>,
    },
    /// The kill switch: stop every outgoing write until `tillbridge resume`.
    Pause,
    /// Turn the kill switch off: queued writes go out again.
    Resume,
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
    /// Kills `tillbridge sync --full` with SIGKILL at random moments and reruns it at once, against
    /// a twin pair of emulated stores that runs the same sync uninterrupted: write requests against
    /// the twin's (ratio), how long each rerun waited to start, stuck jobs and database integrity.
    /// The fault suite (also `scripts/chaos`): order drains and stock cycles killed with SIGKILL
    /// while a fifth of the answers are lost after commit, a webhook duplicate storm across a
    /// restart, 5xx and rate-limit storms, lost answers to creates, and a scan of the data folder
    /// for secrets and shoppers' emails. Ends with one JSON line; all but `kills` must be 0.
    Faults {
        #[arg(long, default_value_t = 200)]
        variants: usize,
        #[arg(long, default_value_t = 200)]
        kills: u32,
        #[arg(long, default_value_t = 100)]
        events: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    Crash {
        #[arg(long, default_value_t = 3_000)]
        variants: usize,
        #[arg(long, default_value_t = 200)]
        kills: u32,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Stock per location: a full alignment of every matched item at every location (requests
    /// against the least, wall time against the rate-limit floor), POS sales at random moments
    /// with the runtime polling at its default interval (how long each takes to reach
    /// BigCommerce: p50 and p99), and the planner's CPU and memory at 100,000 variants × 3
    /// locations in a process of its own.
    Inventory {
        #[arg(long, default_value_t = 10_000)]
        variants: usize,
        #[arg(long, default_value_t = 3)]
        locations: usize,
        #[arg(long, default_value_t = 200)]
        sales: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// An offline POS burst: the till rings up COUNT sales while Tillbridge is not looking, then one
    /// orders cycle carries them into BigCommerce: requests against the least, the drain time
    /// against the rate-limit floor, and the duplicates (target 0).
    Orders {
        #[arg(long, default_value_t = 500)]
        count: usize,
        #[arg(long, default_value_t = 2_000)]
        variants: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Plans 100,000 variants × 3 locations of stock and reports the CPU time and peak memory;
    /// run by `bench inventory` in a fresh process.
    #[command(hide = true)]
    StockPlanChild,
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

/// The rules of a location pair.
#[derive(Debug, clap::Args)]
struct RulesArgs {
    /// Which store's stock is the truth: bigcommerce, shopify, or both (changes on either side
    /// are merged).
    #[arg(long, value_name = "bigcommerce|shopify|both")]
    owner: String,
    /// When both stores changed an item since the last cycle: merge (apply both), owner-wins, or
    /// manual (raise a conflict for a person).
    #[arg(long, value_name = "merge|owner-wins|manual", default_value = "merge")]
    same_window: String,
    /// Units held back from the store that does not own the stock.
    #[arg(long, value_name = "N", default_value_t = 0)]
    hold_back: i64,
    /// Show the store that does not own the stock at most this many units.
    #[arg(long, value_name = "M")]
    cap: Option<i64>,
}

impl RulesArgs {
    fn rules(&self) -> Result<LocationRules, ApiError> {
        let owner = StockOwner::parse(&self.owner).ok_or_else(|| {
            ApiError::invalid(format!("--owner {} is not a choice: use bigcommerce, shopify or both", self.owner))
        })?;
        let same_window = SameWindow::parse(&self.same_window).ok_or_else(|| {
            ApiError::invalid(format!(
                "--same-window {} is not a choice: use merge, owner-wins or manual",
                self.same_window
            ))
        })?;
        Ok(LocationRules { owner, same_window, hold_back: self.hold_back, cap: self.cap })
    }
}

#[derive(Debug, Subcommand)]
enum OrdersCommand {
    /// One order's timeline: every attempt to carry it, with each request's status and outcome.
    Show {
        /// The order's GID, as `tillbridge orders --json` lists it.
        #[arg(value_name = "ORDER")]
        order: String,
    },
    /// Never carry this order (it waits for a person today); its waiting jobs are skipped.
    Skip {
        #[arg(value_name = "ORDER")]
        order: String,
    },
    /// A day's POS sales, refunds and tax per retail location, Shopify's beside BigCommerce's for the
    /// orders carried; the difference reads 0.00 when they agree.
    Reconcile {
        /// The day, such as 2026-12-06.
        #[arg(long, value_name = "DATE")]
        day: chrono::NaiveDate,
        /// An IANA time zone; the store's when absent (BigCommerce's, else Shopify's, else this computer's).
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// Also write the table to FILE as CSV.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Carry failed orders again now, and wait for them: one order (its number such as 1001, its
    /// name #1001 or its GID), or --all.
    Retry {
        #[arg(value_name = "ORDER", required_unless_present = "all", conflicts_with = "all")]
        order: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Show or change how POS orders are carried.
    Settings {
        /// Carry POS orders on the running app's poll (`tillbridge run`, `serve`, the window).
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
        /// Create a BigCommerce customer for a shopper no customer matches by email (yes or no);
        /// otherwise the order is a guest order.
        #[arg(long, value_name = "yes|no")]
        create_customers: Option<String>,
        /// The currencies the BigCommerce store sells in (comma-separated, such as USD,CAD).
        #[arg(long, value_name = "CODES", value_delimiter = ',')]
        currencies: Option<Vec<String>>,
        /// Only orders from these Shopify locations (GIDs, comma-separated; "all" for every one).
        #[arg(long, value_name = "GIDS", value_delimiter = ',')]
        locations: Option<Vec<String>>,
        /// Whether BigCommerce lowers its own stock when an order is placed (yes, its default, or no):
        /// Tillbridge then counts that as the POS sale reaching BigCommerce, so it is counted once.
        #[arg(long, value_name = "yes|no")]
        bigcommerce_lowers_stock: Option<String>,
        /// Carry POS orders sold from this day (2026-12-01, midnight UTC) or instant (RFC 3339) on;
        /// older ones are left alone. Set when POS orders are first carried.
        #[arg(long, value_name = "DATE")]
        carry_from: Option<String>,
        /// Subscribe a shopper who agreed at the till to marketing email to BigCommerce's newsletter
        /// (yes or no, the default).
        #[arg(long, value_name = "yes|no")]
        newsletter_from_consent: Option<String>,
        /// Carry the online store's orders too, not only POS sales (yes or no, the default).
        #[arg(long, value_name = "yes|no")]
        web_orders: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum LocationsCommand {
    /// Sync stock between a BigCommerce location and a Shopify location (its number or GID).
    Map {
        #[arg(value_name = "BIGCOMMERCE_ID")]
        bigcommerce: i64,
        #[arg(value_name = "SHOPIFY_ID")]
        shopify: String,
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Change a pair's rules; they apply from the next stock cycle.
    Rules {
        #[arg(value_name = "PAIR")]
        pair: i64,
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Stop syncing a pair's stock (neither store is changed).
    Unmap {
        #[arg(value_name = "PAIR")]
        pair: i64,
    },
}

#[derive(Debug, Subcommand)]
enum ConflictsCommand {
    /// Settle a conflict: keep bigcommerce's change, shopify's, the sum of both, or a counted
    /// quantity. The held writes go out with the next stock cycle.
    Resolve {
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, value_name = "bigcommerce|shopify|sum|N")]
        keep: String,
    },
}

#[derive(Debug, Subcommand)]
enum ScheduleCommand {
    /// Run a full sync every day at HH:MM, local time.
    Set {
        #[arg(value_name = "HH:MM")]
        at: String,
        /// An IANA zone such as Europe/Paris; the store's zone by default (BigCommerce's, else
        /// Shopify's, else this computer's).
        #[arg(long, value_name = "ZONE")]
        time_zone: Option<String>,
        /// A scheduled run waits for approval when it would make more changes than this.
        #[arg(long, value_name = "N")]
        max_changes: Option<u64>,
        /// A scheduled run waits for approval when a price would move by more than this percentage.
        #[arg(long, value_name = "PERCENT")]
        max_price_change: Option<u32>,
    },
    /// Stop the daily full sync.
    Off,
}

#[derive(Debug, Subcommand)]
enum WebhooksCommand {
    /// Keep the secret a store signs its deliveries with (the app's client secret), read from
    /// standard input.
    Secret {
        #[arg(value_name = "STORE", value_parser = ["shopify", "bigcommerce"])]
        store: String,
    },
    /// Register Tillbridge's subscriptions on both stores, delivering to URL (the receiver as the
    /// internet reaches it, e.g. https://tillbridge.example.com).
    Register {
        #[arg(long, value_name = "URL")]
        url: String,
    },
    /// Remove every subscription Tillbridge registered.
    Remove,
}

#[derive(Debug, Subcommand)]
enum PrivacyCommand {
    /// Remove every stored trace of a customer, named by email or Shopify customer id.
    RedactCustomer {
        #[arg(value_name = "EMAIL|ID")]
        who: String,
    },
    /// Print what is stored about a customer as JSON.
    ExportCustomer {
        #[arg(value_name = "EMAIL|ID")]
        who: String,
    },
    /// Remove the shop's data: links, bookkeeping, queued jobs and the Shopify connection.
    RedactShop {
        /// Confirms it; nothing is removed without it.
        #[arg(long)]
        yes: bool,
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
    // Colours only for a person at a terminal: a log file or a service manager would get escape codes.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour).try_init();
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
        Command::Serve { addr, allowed_hosts, ui_dir, webhooks_addr } => {
            let opts = ServeOptions {
                addr: *addr,
                allowed_hosts: allowed_hosts.clone(),
                ui_dir: locate_ui(ui_dir.as_deref()),
            };
            // Bind before opening the database, so a refused address fails fast and touches nothing.
            let (listener, local) = bind(&opts).await?;
            let app = Arc::new(open_app(&cli).await?);
            if opts.ui_dir.is_none() {
                eprintln!("note: the web UI is not built; run `npm --prefix ui ci && npm --prefix ui run build`");
            }
            println!("Tillbridge is serving http://{local}/ (Ctrl-C to stop)");
            if opts.remote() {
                let token = app.panel_token().await?;
                println!(
                    "Other machines reach it as {} with this access token (kept in {}): {}",
                    opts.allowed_hosts.join(", "),
                    app.secrets().describe(),
                    token.expose()
                );
            }
            let receiver = match webhooks_addr {
                Some(addr) => Some(start_receiver(&app, *addr).await?),
                None => None,
            };
            serve(app, &opts, listener, stop_signal()).await?;
            if let Some(stop) = receiver {
                stop.cancel();
            }
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
        Command::Sync { orders: true, dry_run, show, .. } => {
            let app = open_app(&cli).await?;
            let runtime = app.start_runtime(RuntimeOptions::one_shot());
            let report = tokio::select! {
                report = app.orders_sync(OrdersSyncRequest { dry_run: *dry_run, ..OrdersSyncRequest::default() }) => report,
                _ = stop_signal() => {
                    eprintln!("stopping: the order in flight finishes, the rest stay queued for the next start");
                    runtime.shutdown(SHUTDOWN_GRACE).await;
                    return Ok(ExitCode::FAILURE);
                }
            };
            runtime.shutdown(SHUTDOWN_GRACE).await;
            let report = report?;
            print_orders_report(&report, *show)?;
            Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Orders { action: None, state, since, limit, json } => {
            let app = open_app(&cli).await?;
            let state = state
                .as_deref()
                .map(|s| {
                    OrderLinkState::parse(&s.replace('-', "_")).ok_or_else(|| {
                        ApiError::invalid(format!(
                            "--state {s} is not a state: use creating, created, needs-attention or skipped"
                        ))
                    })
                })
                .transpose()?;
            let since = since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
            let view = app.orders(OrdersQuery { state, since, limit: Some(*limit) }).await?;
            if *json {
                println!("{}", to_json(&view)?);
                return Ok(ExitCode::SUCCESS);
            }
            let c = &view.counts;
            println!(
                "POS orders: {} carried, {} need attention, {} in doubt; refunds: {} carried, {} need attention.",
                c.created, c.needs_attention, c.creating, c.refunds_sent, c.refunds_needing_attention
            );
            if !view.config.enabled {
                println!("The running app does not poll them: `tillbridge orders settings --enable` turns that on.");
            }
            for o in &view.orders {
                let money =
                    |m: Option<_>| m.map_or_else(|| "-".to_string(), |m: tillbridge_engine::Money| format!("{m:.2}"));
                println!(
                    "  {:<8} {:<16} Shopify {} / BigCommerce {} {}{}{}",
                    o.name,
                    o.state_label(),
                    money(o.shopify_total),
                    money(o.bigcommerce_total),
                    o.currency.as_deref().unwrap_or(""),
                    o.bigcommerce_order_id.map_or_else(String::new, |id| format!(", BigCommerce order {id}")),
                    if o.unmatched_lines > 0 { format!(", {} custom lines", o.unmatched_lines) } else { String::new() },
                );
                if let Some(reason) = &o.reason {
                    println!("           {reason}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Orders { action: Some(OrdersCommand::Reconcile { day, time_zone, csv }), json, .. } => {
            let app = open_app(&cli).await?;
            let request = ReconcileRequest { day: *day, time_zone: time_zone.clone() };
            let view = app.orders_reconcile(request.clone()).await?;
            if *json {
                println!("{}", to_json(&view)?);
            } else {
                println!("POS orders on {} ({}), Shopify beside BigCommerce:", view.day, view.time_zone);
                println!(
                    "  {:<24} {:>6} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9} {:>10}",
                    "location",
                    "orders",
                    "sales SH",
                    "sales BC",
                    "refund SH",
                    "refund BC",
                    "tax SH",
                    "tax BC",
                    "difference"
                );
                for r in &view.rows {
                    println!(
                        "  {:<24} {:>6} {:>12.2} {:>12.2} {:>10.2} {:>10.2} {:>9.2} {:>9.2} {:>10.2}{}",
                        r.location,
                        r.orders,
                        r.shopify.sales,
                        r.bigcommerce.sales,
                        r.shopify.refunds,
                        r.bigcommerce.refunds,
                        r.shopify.tax,
                        r.bigcommerce.tax,
                        r.difference,
                        if r.not_carried > 0 {
                            format!("  ({} not carried yet)", r.not_carried)
                        } else {
                            String::new()
                        }
                    );
                }
            }
            if let Some(path) = csv {
                let text = app.orders_reconcile_csv(request).await?;
                std::fs::write(path, text)
                    .map_err(|e| ApiError::invalid(format!("cannot write {}: {e}", path.display())))?;
                println!("The table is in {}.", path.display());
            }
            let total = view.rows.last().map(|r| r.difference).unwrap_or_default();
            Ok(if total.is_zero() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Orders { action: Some(OrdersCommand::Show { order }), json, .. } => {
            let app = open_app(&cli).await?;
            let view = app.order_timeline(OrderRef { order: order.clone() }).await?;
            print_order_timeline(&view, *json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Orders { action: Some(OrdersCommand::Skip { order }), json, .. } => {
            let app = open_app(&cli).await?;
            let view = app.skip_order(OrderRef { order: order.clone() }).await?;
            print_order_timeline(&view, *json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Orders { action: Some(OrdersCommand::Retry { order, .. }), .. } => {
            let app = open_app(&cli).await?;
            let runtime = app.start_runtime(RuntimeOptions::one_shot());
            let action = app.retry_orders(RetryOrdersRequest { order: order.clone() }).await;
            let settled = match &action {
                Ok(a) => Some(app.settle_jobs(a.ids.clone(), RETRY_WAIT).await),
                Err(_) => None,
            };
            runtime.shutdown(SHUTDOWN_GRACE).await;
            let action = action?;
            let Some(settled) = settled.transpose()? else { return Ok(ExitCode::FAILURE) };
            println!(
                "Retried {} orders: {} carried, {} failed again, {} still queued.",
                action.ids.len(),
                settled.done,
                settled.failed,
                settled.waiting
            );
            if settled.failed > 0 {
                println!("`tillbridge orders --state needs-attention` says why.");
            }
            Ok(if settled.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Orders {
            action:
                Some(OrdersCommand::Settings {
                    enable,
                    disable,
                    create_customers,
                    currencies,
                    locations,
                    bigcommerce_lowers_stock,
                    carry_from,
                    newsletter_from_consent,
                    web_orders,
                }),
            ..
        } => {
            let app = open_app(&cli).await?;
            let mut config = app.orders(OrdersQuery { limit: Some(0), ..OrdersQuery::default() }).await?.config;
            let asked = *enable
                || *disable
                || create_customers.is_some()
                || currencies.is_some()
                || locations.is_some()
                || bigcommerce_lowers_stock.is_some()
                || carry_from.is_some()
                || newsletter_from_consent.is_some()
                || web_orders.is_some();
            if *enable || *disable {
                config.enabled = *enable;
            }
            let yes_no = |flag: &str, answer: &str| match answer {
                "yes" => Ok(true),
                "no" => Ok(false),
                other => Err(ApiError::invalid(format!("--{flag} {other} is not a choice: use yes or no"))),
            };
            if let Some(answer) = create_customers {
                config.create_customers = yes_no("create-customers", answer)?;
            }
            if let Some(answer) = bigcommerce_lowers_stock {
                config.bigcommerce_lowers_stock = yes_no("bigcommerce-lowers-stock", answer)?;
            }
            if let Some(answer) = web_orders {
                config.include_web_orders = yes_no("web-orders", answer)?;
            }
            if let Some(answer) = newsletter_from_consent {
                config.newsletter_from_consent = yes_no("newsletter-from-consent", answer)?;
            }
            if let Some(text) = carry_from {
                let at = chrono::DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .or_else(|_| {
                        text.parse::<chrono::NaiveDate>().map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
                    })
                    .map_err(|_| {
                        ApiError::invalid(format!(
                            "--carry-from {text} is not a day (2026-12-01) or an instant (2026-12-01T09:00:00Z)"
                        ))
                    })?;
                config.carry_from = Some(at);
            }
            if let Some(codes) = currencies {
                config.store_currencies = codes.clone();
            }
            if let Some(gids) = locations {
                config.locations = if gids.iter().any(|g| g == "all") { Vec::new() } else { gids.clone() };
            }
            if asked {
                config = app.set_orders_config(config).await?;
            }
            println!(
                "POS orders: polled {}; new shoppers {}; BigCommerce currencies {}; locations {}; BigCommerce {} stock on orders; carried from {}.",
                match (config.enabled, config.include_web_orders) {
                    (true, false) => "by the running app",
                    (true, true) => "by the running app, with online-store orders",
                    (false, false) => "only by `tillbridge sync --orders`",
                    (false, true) => "only by `tillbridge sync --orders`, with online-store orders",
                },
                if config.create_customers { "become BigCommerce customers" } else { "are guest orders" },
                config.store_currencies.join(", "),
                if config.locations.is_empty() { "all".to_string() } else { config.locations.join(", ") },
                if config.bigcommerce_lowers_stock { "lowers" } else { "does not lower" },
                config.carry_from.map_or_else(|| "the first cycle".to_string(), |t| t.to_rfc3339()),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { inventory: true, full, dry_run, show, .. } => {
            let app = open_app(&cli).await?;
            let runtime = app.start_runtime(RuntimeOptions::one_shot());
            let report = tokio::select! {
                report = app.stock_sync(StockSyncRequest { dry_run: *dry_run, full: *full, ..StockSyncRequest::default() }) => report,
                _ = stop_signal() => {
                    eprintln!("stopping: the writes in flight finish, the rest stay queued for the next start");
                    runtime.shutdown(SHUTDOWN_GRACE).await;
                    return Ok(ExitCode::FAILURE);
                }
            };
            runtime.shutdown(SHUTDOWN_GRACE).await;
            let report = report?;
            print_stock_report(&report, *show);
            Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Locations { action, json } => {
            let app = open_app(&cli).await?;
            match action {
                None => {
                    let view = app.locations().await?;
                    if *json {
                        println!("{}", to_json(&view)?);
                        return Ok(ExitCode::SUCCESS);
                    }
                    println!("BigCommerce locations:");
                    for l in &view.bigcommerce {
                        println!("  {:<8} {}{}", l.id, l.name, if l.active { "" } else { " (inactive)" });
                    }
                    println!("Shopify locations:");
                    for l in &view.shopify {
                        println!("  {:<32} {}{}", l.id, l.name, if l.active { "" } else { " (inactive)" });
                    }
                    if view.pairs.is_empty() {
                        println!("No pairs yet: `tillbridge locations map BIGCOMMERCE_ID SHOPIFY_ID --owner both`.");
                    }
                    for p in &view.pairs {
                        print_pair(p);
                    }
                    for s in &view.suggestions {
                        let why = match s.by {
                            tillbridge_engine::SuggestedBy::Name => "same name",
                            tillbridge_engine::SuggestedBy::Address => "same address",
                        };
                        println!(
                            "Suggested ({why}): {}: `tillbridge locations map {} {} --owner both`",
                            s.name, s.bigcommerce_location_id, s.shopify_location_id
                        );
                    }
                }
                Some(LocationsCommand::Map { bigcommerce, shopify, rules }) => {
                    let pair = app
                        .map_locations(MapLocationsRequest {
                            bigcommerce_location_id: *bigcommerce,
                            shopify_location_id: shopify.clone(),
                            rules: rules.rules()?,
                        })
                        .await?;
                    print_pair(&pair);
                }
                Some(LocationsCommand::Rules { pair, rules }) => print_pair(
                    &app.set_location_rules(LocationRulesRequest { id: *pair, rules: rules.rules()? }).await?,
                ),
                Some(LocationsCommand::Unmap { pair }) => {
                    app.unmap_locations(UnmapLocationsRequest { id: *pair }).await?;
                    println!("Pair {pair} is no longer synced; neither store was changed.");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stock { item, json } => {
            let app = open_app(&cli).await?;
            let cells = app.stock_item(StockItemQuery { q: item.clone() }).await?;
            if *json {
                println!("{}", to_json(&cells)?);
                return Ok(ExitCode::SUCCESS);
            }
            if cells.is_empty() {
                println!(
                    "No synced item matches {item:?}; a stock cycle (`tillbridge sync --inventory`) lists the items it syncs."
                );
            }
            let shown = |q: Option<i64>| q.map_or_else(|| "-".to_string(), |q| q.to_string());
            for c in &cells {
                println!(
                    "{} at {}: BigCommerce {} (base {}), Shopify {} (base {}){}",
                    c.label,
                    c.location,
                    shown(c.bigcommerce),
                    shown(c.base_bigcommerce),
                    shown(c.shopify),
                    shown(c.base_shopify),
                    c.changed_at.map_or_else(String::new, |t| format!(", last change {t}")),
                );
                for p in &c.pending {
                    println!("    pending: {p}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Drift { validation, csv, json } => {
            let app = open_app(&cli).await?;
            let query = DriftQuery { validation_id: *validation };
            if let Some(path) = csv {
                let text = app.stock_drift_csv(query).await?;
                std::fs::write(path, text).map_err(|e| {
                    ApiError::invalid(format!(
                        "could not write {}: {e}; pick a folder you can write to",
                        path.display()
                    ))
                })?;
                println!("Wrote the drift report to {}.", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            let report = app.stock_drift(query).await?;
            if *json {
                println!("{}", to_json(&report)?);
                return Ok(ExitCode::SUCCESS);
            }
            let Some(shown) = &report.shown else {
                println!(
                    "No stock validation has run yet: one runs every 6 hours, or now with `tillbridge sync --inventory --full`."
                );
                return Ok(ExitCode::SUCCESS);
            };
            println!(
                "Validation {} at {}: {} of {} cells had drifted.",
                shown.id, shown.checked_at, shown.drifted, shown.cells
            );
            for r in &report.rows {
                println!(
                    "  {} at {}: BigCommerce {} → {}, Shopify {} → {}; likely {} ({})",
                    r.label,
                    r.location,
                    r.base_bigcommerce,
                    r.seen_bigcommerce,
                    r.base_shopify,
                    r.seen_shopify,
                    r.likely,
                    r.action.as_str(),
                );
            }
            let older: Vec<String> = report
                .validations
                .iter()
                .skip(1)
                .take(5)
                .map(|v| format!("{} ({} drifted)", v.id, v.drifted))
                .collect();
            if !older.is_empty() {
                println!("Earlier validations: {}; show one with --validation ID.", older.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Conflicts { action, all, json } => {
            let app = open_app(&cli).await?;
            match action {
                None => {
                    let conflicts = app.stock_conflicts(ConflictsQuery { all: *all }).await?;
                    if *json {
                        println!("{}", to_json(&conflicts)?);
                        return Ok(ExitCode::SUCCESS);
                    }
                    if conflicts.is_empty() {
                        println!("No stock conflict waits for a decision.");
                    }
                    for c in &conflicts {
                        println!(
                            "#{} {} at {}: BigCommerce {} → {}, Shopify {} → {} ({}){}",
                            c.id,
                            c.label,
                            c.location,
                            c.base_bigcommerce,
                            c.seen_bigcommerce,
                            c.base_shopify,
                            c.seen_shopify,
                            c.state,
                            c.resolution.as_ref().map_or_else(String::new, |r| format!(", decided: {r}")),
                        );
                        if c.state == "open" {
                            println!(
                                "    --keep bigcommerce → {}, --keep shopify → {}, --keep sum → {}, or --keep N",
                                c.keep_bigcommerce, c.keep_shopify, c.sum
                            );
                        }
                    }
                }
                Some(ConflictsCommand::Resolve { id, keep }) => {
                    let settled =
                        app.resolve_stock_conflict(ResolveConflictRequest { id: *id, keep: keep.clone() }).await?;
                    println!(
                        "Conflict {} settled: {} is set to {} with the next stock cycle (`tillbridge sync --inventory`).",
                        settled.id,
                        settled.label,
                        settled.stock.unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { full, dry_run, csv, show, accept_price_changes, .. } => {
            let app = open_app(&cli).await?;
            let mode = if *full { Scope::Full } else { Scope::Delta };
            // The lanes send the writes; the scheduler stays off for a one-off command.
            let runtime = app.start_runtime(RuntimeOptions::one_shot());
            let progress = tokio::select! {
                progress = app.sync_run(SyncRequest { mode, dry_run: *dry_run, accept_price_changes: *accept_price_changes }) => progress,
                _ = stop_signal() => {
                    eprintln!("stopping: the writes in flight finish, the rest stay queued for the next start");
                    runtime.shutdown(SHUTDOWN_GRACE).await;
                    return Ok(ExitCode::FAILURE);
                }
            };
            runtime.shutdown(SHUTDOWN_GRACE).await;
            let progress = progress?;
            print_sync(&app, &progress, *show).await?;
            if let Some(path) = csv {
                let text = app.sync_preview_csv(progress.run_id).await?;
                std::fs::write(path, text)
                    .map_err(|e| ApiError::invalid(format!("cannot write {}: {e}", path.display())))?;
                println!("Every change is in {}.", path.display());
            }
            let held = progress.approval_reason.is_some();
            Ok(
                if progress.phase == SyncPhase::Done && !held && progress.summary.as_ref().is_none_or(|s| s.failed == 0)
                {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                },
            )
        }
        Command::Run { webhooks_addr } => {
            let app = open_app(&cli).await?;
            let receiver = match webhooks_addr {
                Some(addr) => Some(start_receiver(&app, *addr).await?),
                None => None,
            };
            let runtime = app.start_runtime(RuntimeOptions::service());
            let schedule = app.schedule().await?;
            let next = schedule
                .next_run_at
                .map_or_else(|| "no schedule is set".to_string(), |t| format!("next scheduled sync {t}"));
            println!("Tillbridge is running ({next}); Ctrl-C to stop.");
            stop_signal().await;
            eprintln!("stopping: the requests in flight finish first");
            if let Some(stop) = receiver {
                stop.cancel();
            }
            let report = runtime.shutdown(SHUTDOWN_GRACE).await;
            println!("Stopped; {} unfinished writes stay queued for the next start.", report.requeued);
            Ok(ExitCode::SUCCESS)
        }
        Command::Webhooks { action, json } => {
            let app = open_app(&cli).await?;
            match action {
                Some(WebhooksCommand::Secret { store }) => {
                    let source = WebhookSource::parse(store).unwrap_or(WebhookSource::Shopify);
                    app.set_webhook_secret(source, read_token()?).await?;
                    println!(
                        "Kept the {store} signing secret in {}; deliveries from {store} are checked with it.",
                        app.secrets().describe()
                    );
                }
                Some(WebhooksCommand::Register { url }) => {
                    let r = app.register_webhooks(RegisterRequest { public_url: url.clone() }).await?;
                    println!(
                        "Registered {} BigCommerce hooks and {} Shopify subscriptions delivering to {}.",
                        r.bigcommerce.len(),
                        r.shopify.len(),
                        r.public_url
                    );
                }
                Some(WebhooksCommand::Remove) => {
                    let r = app.remove_webhooks().await?;
                    println!(
                        "Removed {} BigCommerce hooks and {} Shopify subscriptions; polling carries on.",
                        r.bigcommerce.len(),
                        r.shopify.len()
                    );
                }
                None => {
                    let registration = app.webhook_registration().await?;
                    let inbox = app.store().inbox(20)?;
                    if *json {
                        println!("{}", to_json(&serde_json::json!({ "registration": registration, "inbox": inbox }))?);
                        return Ok(ExitCode::SUCCESS);
                    }
                    match &registration {
                        Some(r) => println!(
                            "{} BigCommerce hooks and {} Shopify subscriptions deliver to {}.",
                            r.bigcommerce.len(),
                            r.shopify.len(),
                            r.public_url
                        ),
                        None => println!(
                            "No webhooks are registered: changes are found by polling. `tillbridge webhooks register --url URL` adds them."
                        ),
                    }
                    for d in &inbox {
                        println!(
                            "  {} {} {} {}: woke {}{}",
                            d.received_at,
                            d.source,
                            d.topic,
                            d.resource.as_deref().unwrap_or("-"),
                            d.woke,
                            d.note.as_deref().map_or_else(String::new, |n| format!(" ({n})"))
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Privacy { action } => {
            let app = open_app(&cli).await?;
            let (kind, who) = match action {
                PrivacyCommand::RedactCustomer { who } => (PrivacyTopic::RedactCustomer, CustomerRef::parse(who)?),
                PrivacyCommand::ExportCustomer { who } => (PrivacyTopic::ExportCustomer, CustomerRef::parse(who)?),
                PrivacyCommand::RedactShop { yes } => {
                    if !yes {
                        return Err(ApiError::invalid(
                            "redact-shop removes the shop's links, bookkeeping, queued jobs and the Shopify connection; add --yes to confirm",
                        ));
                    }
                    (PrivacyTopic::RedactShop, CustomerRef::default())
                }
            };
            let report = app.privacy_request(kind, who).await?;
            if let Some(data) = &report.data {
                println!("{}", to_json(data)?);
            } else {
                let removed: Vec<String> =
                    report.removed.iter().filter(|(_, n)| **n > 0).map(|(t, n)| format!("{n} from {t}")).collect();
                println!(
                    "Done ({}): removed {}. The request is recorded without naming the customer.",
                    report.kind,
                    if removed.is_empty() { "nothing: nothing was stored".to_string() } else { removed.join(", ") }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Runs { limit, json } => {
            let app = open_app(&cli).await?;
            let view = app.runs(RunsQuery { limit: Some(*limit), ..RunsQuery::default() }).await?;
            if *json {
                println!("{}", to_json(&view)?);
                return Ok(ExitCode::SUCCESS);
            }
            if view.runs.is_empty() {
                println!("No sync has run yet. Start one with `tillbridge sync --full --dry-run`.");
            }
            for r in &view.runs {
                let kind =
                    format!("{} {}{}", r.capability.as_str(), r.mode.as_str(), if r.dry_run { " preview" } else { "" });
                let took = r.duration_ms.map_or_else(|| "-".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0));
                println!(
                    "#{:<5} {:<22} {:<9} {}  {:>8}  {:>6} changes {:>6} written {:>5} failed {:>5} superseded  {}",
                    r.id,
                    kind,
                    r.trigger.as_str(),
                    r.started_at.format("%Y-%m-%d %H:%M:%S"),
                    took,
                    r.changes,
                    r.written,
                    r.failed,
                    r.superseded,
                    run_result(r)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Failed { limit, json } => {
            let app = open_app(&cli).await?;
            let view = app.failed_jobs(FailedQuery { limit: Some(*limit), ..FailedQuery::default() }).await?;
            if *json {
                println!("{}", to_json(&view)?);
                return Ok(ExitCode::SUCCESS);
            }
            if view.jobs.is_empty() {
                println!("No failed writes.");
            }
            for j in &view.jobs {
                let next = j.next_attempt_at.map_or_else(
                    || "waits for you: `tillbridge retry` or `tillbridge skip`".to_string(),
                    |t| format!("retries by itself at {t}"),
                );
                println!("job {:<7} {} ({} attempts; {next})", j.id, j.sentence, j.attempts);
            }
            if view.total > view.jobs.len() as u64 {
                println!("… and {} more.", view.total - view.jobs.len() as u64);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Retry { job, all } => {
            let app = open_app(&cli).await?;
            let runtime = app.start_runtime(RuntimeOptions::one_shot());
            let request = RetryRequest { ids: job.iter().copied().collect(), all: *all };
            let action = app.retry_jobs(request).await;
            let settled = match &action {
                Ok(a) => Some(app.settle_jobs(a.ids.clone(), RETRY_WAIT).await),
                Err(_) => None,
            };
            runtime.shutdown(SHUTDOWN_GRACE).await;
            let action = action?;
            for id in &action.left {
                eprintln!("job {id} was not retried: it is not failed, or a newer write for the same item is queued");
            }
            let Some(settled) = settled.transpose()? else { return Ok(ExitCode::FAILURE) };
            println!(
                "Retried {} writes: {} written, {} failed again, {} still queued.",
                action.ids.len(),
                settled.done,
                settled.failed,
                settled.waiting
            );
            Ok(if settled.failed == 0 && action.left.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Skip { job } => {
            let app = open_app(&cli).await?;
            let action = app.skip_jobs(SkipRequest { ids: vec![*job] }).await?;
            if action.ids.is_empty() {
                eprintln!("job {job} was not skipped: only a failed or queued write can be");
                return Ok(ExitCode::FAILURE);
            }
            println!("Job {job} is skipped: it will not be sent.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Cancel => {
            let app = open_app(&cli).await?;
            let view = app.cancel_sync(CancelRequest { capability: Capability::Catalog }).await?;
            match view.run_id {
                Some(id) => println!("Run #{id} was asked to stop; its queued writes are cancelled."),
                None => println!("No sync is running."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schedule { action } => {
            let app = open_app(&cli).await?;
            let view = match action {
                None => app.schedule().await?,
                Some(ScheduleCommand::Off) => app.set_schedule(ScheduleRequest::default()).await?,
                Some(ScheduleCommand::Set { at, time_zone, max_changes, max_price_change }) => {
                    let current = app.schedule().await?.guard;
                    let guard = GuardRails {
                        max_changes: max_changes.unwrap_or(current.max_changes),
                        max_price_change_pct: max_price_change.unwrap_or(current.max_price_change_pct),
                    };
                    app.set_schedule(ScheduleRequest {
                        at: Some(at.clone()),
                        time_zone: time_zone.clone(),
                        guard: Some(guard),
                    })
                    .await?
                }
            };
            match (&view.at, &view.time_zone, view.enabled) {
                (Some(at), Some(zone), true) => println!(
                    "A full sync runs every day at {at} ({zone}); next at {}. It writes on its own only with at most {} changes and no price moving more than {} %; otherwise it waits for your approval.",
                    view.next_run_at.map_or_else(|| "-".to_string(), |t| t.to_rfc3339()),
                    view.guard.max_changes,
                    view.guard.max_price_change_pct
                ),
                _ => println!("No scheduled sync. Set one with `tillbridge schedule set 06:30`."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Pause => {
            let app = open_app(&cli).await?;
            app.set_paused(true).await?;
            println!("Writes are paused: nothing is sent to either store until `tillbridge resume`.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Resume => {
            let app = open_app(&cli).await?;
            app.set_paused(false).await?;
            println!("Writes are resumed: queued writes go out with the next running Tillbridge.");
            Ok(ExitCode::SUCCESS)
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
                let zone = c
                    .time_zone
                    .as_deref()
                    .map_or_else(|| "no time zone given".to_string(), |z| format!("time zone {z}"));
                println!("{:<12} {:<32} {:<40} {token}, {verified}, {zone}", c.system.as_str(), c.store_ref, c.api_url);
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
            let opts = ServeOptions { addr: *addr, allowed_hosts: Vec::new(), ui_dir: locate_ui(None) };
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
            BenchCommand::Faults { variants, kills, events, seed } => {
                let spec = SeedSpec { seed: *seed, variants: *variants, locations: 1, ..SeedSpec::default() };
                tillbridge_bench::faults(spec, *kills, *events).await?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Crash { variants, kills, seed } => {
                tillbridge_bench::crash(SeedSpec { seed: *seed, variants: *variants, ..SeedSpec::default() }, *kills)
                    .await?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Inventory { variants, locations, sales, seed } => {
                tillbridge_bench::inventory(
                    SeedSpec { variants: *variants, locations: *locations, seed: *seed, ..SeedSpec::default() },
                    *sales,
                )
                .await?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::Orders { count, variants, seed } => {
                tillbridge_bench::orders(
                    SeedSpec { variants: *variants, locations: 1, seed: *seed, ..SeedSpec::default() },
                    *count,
                )
                .await?;
                Ok(ExitCode::SUCCESS)
            }
            BenchCommand::StockPlanChild => {
                tillbridge_bench::stock_plan_child()?;
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

/// How long `tillbridge retry` waits for the retried writes to go out.
const RETRY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Ctrl-C, or SIGTERM from a service manager.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn run_result(r: &tillbridge_engine::RunView) -> String {
    let result = serde_json::to_value(r.result).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    match (&r.error, &r.approval_reason) {
        (Some(e), _) => format!("{}: {e}", result.replace('_', " ")),
        (_, Some(why)) => format!("needs approval: {why}"),
        _ => result.replace('_', " "),
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

/// Starts the webhook receiver on `addr` beside the runtime; cancel the token to stop it.
#[allow(clippy::print_stdout)] // saying where it listens is part of starting it
async fn start_receiver(app: &App, addr: SocketAddr) -> Result<tokio_util::sync::CancellationToken, ApiError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        ApiError::invalid(format!("cannot receive webhooks on {addr}: {e}; choose another --webhooks-addr"))
    })?;
    let local = listener.local_addr().map_err(|e| ApiError::internal(e.to_string()))?;
    let stop = tokio_util::sync::CancellationToken::new();
    let (app, token) = (app.clone(), stop.clone());
    tokio::spawn(async move {
        if let Err(e) = tillbridge_webhooks::serve_webhooks(listener, app, token).await {
            eprintln!("error: the webhook receiver stopped: {e}");
        }
    });
    println!("Receiving webhooks on http://{local}/webhooks/shopify and /webhooks/bigcommerce");
    Ok(stop)
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

#[allow(clippy::print_stdout)] // printing the pair is this function's job
fn print_pair(p: &LocationPairView) {
    let buffer = match (p.hold_back, p.cap) {
        (0, None) => String::new(),
        (n, None) => format!(", {n} held back"),
        (n, Some(m)) => format!(", {n} held back, at most {m} shown"),
    };
    println!(
        "pair {}: {} (BigCommerce {} with Shopify {}), owner {}, same window {}{buffer}",
        p.id,
        p.name,
        p.bigcommerce_location_id,
        p.shopify_location_id,
        p.owner.as_str(),
        p.same_window.as_str()
    );
}

#[allow(clippy::print_stdout)] // printing the report is this function's job
fn print_stock_report(report: &StockSyncReport, show: u32) {
    let c = &report.counts;
    let what = if report.dry_run { "would write" } else { "planned" };
    println!(
        "Stock: {} cells, {} in step, {what} {} writes, {} conflicts, {} waiting, {} first alignments, {} oversold.",
        c.cells, c.in_step, c.writes, c.conflicts, c.held, c.first_alignments, c.oversold
    );
    if !report.dry_run {
        println!("{} written, {} failed, {} superseded.", report.written, report.failed, report.superseded);
    }
    let limit = if show == 0 { usize::MAX } else { show as usize };
    for cell in report.cells.iter().take(limit) {
        for w in &cell.writes {
            println!("  {w}");
        }
        for n in &cell.notes {
            println!("  {} at {}: {n}", cell.label, cell.location);
        }
        if cell.outcome == "conflict" {
            println!(
                "  {} at {}: both stores changed; decide it with `tillbridge conflicts`",
                cell.label, cell.location
            );
        }
    }
    if report.failed > 0 {
        println!("Some writes failed: `tillbridge failed` says why, `tillbridge retry --all` sends them again.");
    }
    if report.validation_id.is_some() {
        println!(
            "Validation: {} cells had drifted from their base; `tillbridge drift` lists them with the likely reason.",
            report.drifted
        );
    }
}

#[allow(clippy::print_stdout)] // printing the timeline is this function's job
fn print_order_timeline(view: &OrderTimelineView, json: bool) -> Result<(), ApiError> {
    if json {
        println!("{}", to_json(view)?);
        return Ok(());
    }
    let l = &view.link;
    println!(
        "{} ({}): {}{}",
        l.name,
        l.shopify_order_gid,
        l.state_label(),
        l.bigcommerce_order_id.map_or_else(String::new, |id| format!(", BigCommerce order {id}"))
    );
    if let Some(reason) = &l.reason {
        println!("  {reason}");
    }
    for t in &view.jobs {
        println!("  job {}: {}", t.job.id, t.job.sentence);
        for a in &t.attempts {
            println!(
                "    attempt {} at {}: {}{}",
                a.attempt,
                a.started_at,
                a.outcome,
                a.message.as_deref().map_or_else(String::new, |m| format!(" ({m})"))
            );
            for r in &a.requests {
                let status = r.status.map_or_else(|| r.outcome.clone(), |s| s.to_string());
                println!("      {} {} → {status}", r.method, r.endpoint);
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)] // printing the report is this function's job
fn print_orders_report(report: &OrdersSyncReport, show: u32) -> Result<(), ApiError> {
    println!(
        "POS orders: {} read, {} already carried, {} {}.",
        report.read,
        report.in_step,
        report.orders.len(),
        if report.dry_run { "to carry (dry run: nothing was sent)" } else { "queued" }
    );
    if report.before_start > 0 {
        println!(
            "{} sold before carrying began were left alone (`tillbridge orders settings --carry-from` moves the start).",
            report.before_start
        );
    }
    if !report.dry_run {
        println!("{} carried, {} failed.", report.carried, report.failed);
    }
    let limit = if show == 0 { usize::MAX } else { show as usize };
    for o in report.orders.iter().take(limit) {
        println!(
            "  {} {}: {} {} (status {}, {} lines{})",
            o.name,
            o.action,
            o.shopify_total,
            o.currency,
            o.status_id,
            o.lines,
            if o.unmatched.is_empty() {
                String::new()
            } else {
                format!(", custom lines for {}", o.unmatched.join(", "))
            }
        );
        if let Some(reason) = &o.reason {
            println!("      {reason}");
        }
        if let Some(body) = &o.body {
            println!("      POST /v2/orders {}", to_json(body)?.replace('\n', "\n      "));
        }
    }
    if report.failed > 0 {
        println!(
            "Some orders wait: `tillbridge orders --state needs-attention` says why, `tillbridge orders retry --all` carries them again."
        );
    }
    Ok(())
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
    if let Some(reason) = &progress.approval_reason {
        println!("{what} wrote nothing: {reason}");
    }
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
    let page = app
        .sync_preview(PreviewQuery { run_id: progress.run_id, offset: Some(0), limit: Some(limit.min(1000)) })
        .await?;
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
    if page.flagged_total > 0 {
        println!();
        println!(
            "{} price changes move more than {} %; a full sync writes them only with --accept-price-changes:",
            page.flagged_total, page.price_flag_pct
        );
        for f in &page.flagged {
            println!(
                "  {:<20} {:<10} {} → {}  ({:+} %)",
                f.sku,
                f.field.as_str(),
                f.old.as_deref().unwrap_or("(none)"),
                f.new.as_deref().unwrap_or("(none)"),
                f.pct
            );
        }
    }
    Ok(())
}
