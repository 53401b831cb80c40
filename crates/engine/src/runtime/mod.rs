//! The runtime every capability's jobs run on.
//!
//! - **Queue**: jobs in the store, keyed by the work they do (see `tillbridge_store::jobs`).
//! - **Lanes** ([`lanes`]): one per store, across processes (a lease in the database), each
//!   running its store's due jobs one request at a time and spending that store's quota. The two
//!   lanes run side by side.
//! - **Loop**: [`App::start_runtime`] spawns the lanes, a heartbeat that renews this process's
//!   leases and takes back work lost with dead processes, and a loop that `select!`s over a ticker
//!   (the scheduler), a command channel (run now, retry, cancel) and cancellation. Front ends hold
//!   only the [`RuntimeHandle`]; dropping out of `tillbridge run` with Ctrl-C calls
//!   [`RuntimeHandle::shutdown`], which lets in-flight requests finish and gives back the rest.

pub mod alerts;
pub mod health;
pub(crate) mod lanes;
pub(crate) mod owner;
pub mod queue;
pub mod runs;
pub mod schedule;
pub(crate) mod work;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tillbridge_domain::work::{Capability, Lane};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::progress::{ProgressCell, SyncProgress};
use crate::{ApiError, App};
use owner::ProcessOwner;

/// How long a claim on a job, a lane or a run lasts without renewal. A process renews its own every
/// [`HEARTBEAT`]; one that stops renewing (hung, or killed on another host) loses them after this.
pub(crate) const LEASE: chrono::Duration = chrono::Duration::seconds(30);
/// How often this process renews its leases and looks for work lost with other processes.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(5);

/// What a runtime does besides running lanes.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeOptions {
    /// Start the scheduled runs when they fall due (the server, the window, `tillbridge run`);
    /// off for a one-off command such as `tillbridge sync`.
    pub scheduler: bool,
    /// How often the scheduler looks at the clock.
    pub tick: Duration,
    /// How often stock is polled on both stores (a back-office PC rarely receives webhooks, so
    /// polling is what keeps stock in step); None leaves stock to manual cycles.
    pub stock_poll: Option<Duration>,
}

/// The default stock poll interval.
pub const STOCK_POLL: Duration = Duration::from_secs(30);

impl RuntimeOptions {
    /// The long-running runtime of `serve`, `run` and the desktop app.
    pub fn service() -> RuntimeOptions {
        RuntimeOptions { scheduler: true, tick: Duration::from_secs(15), stock_poll: Some(STOCK_POLL) }
    }

    /// Lanes only, for a command that runs one sync and exits.
    pub fn one_shot() -> RuntimeOptions {
        RuntimeOptions { scheduler: false, tick: Duration::from_secs(15), stock_poll: None }
    }
}

/// What the runtime loop is asked to do.
pub(crate) enum Command {
    RunNow { request: crate::catalog::SyncRequest, reply: oneshot::Sender<Result<SyncProgress, ApiError>> },
    Retry { ids: Option<Vec<i64>>, reply: oneshot::Sender<Result<Vec<i64>, ApiError>> },
    Cancel { capability: Capability, reply: oneshot::Sender<Result<Option<i64>, ApiError>> },
}

/// The runtime's state shared by every clone of an [`App`].
#[derive(Debug)]
pub(crate) struct Runtime {
    pub owner: ProcessOwner,
    /// Lanes wait on this between jobs: new work, a retry or a resume wakes them early.
    pub wake: Notify,
    /// Runs wait on this for their jobs: a lane settled some.
    pub settled: Notify,
    lanes_here: AtomicUsize,
    commands: Mutex<Option<mpsc::UnboundedSender<Command>>>,
    progress: HashMap<Capability, ProgressCell>,
    /// Cancellation of the runs this process is carrying out, by run id.
    run_cancels: Mutex<HashMap<i64, CancellationToken>>,
    /// A polled stock cycle under way here, and whether a webhook asked for another meanwhile.
    pub(crate) stock_polling: PollGate,
    /// The same for a polled orders cycle.
    pub(crate) orders_polling: PollGate,
    /// POS orders as the last cycle read them, by `gid#version`, so a job carries the order it was
    /// queued for without reading it again. In memory only: they hold the shoppers' names and
    /// emails, which are never stored.
    pub(crate) orders_read: Mutex<HashMap<String, tillbridge_shopify::models::PosOrder>>,
    /// Runs a person should hear about, for the desktop shell's notifications.
    alerting: Mutex<alerts::Alerting>,
    alerts: broadcast::Sender<alerts::RunAlert>,
}

/// One polled cycle of a kind at a time in this process. A timer tick that finds one under way is
/// dropped (the next tick comes soon); a webhook's wake is kept, and runs another cycle right after,
/// because the one under way may have read before the change it announces.
#[derive(Debug, Default)]
pub(crate) struct PollGate {
    running: std::sync::atomic::AtomicBool,
    again: std::sync::atomic::AtomicBool,
}

impl PollGate {
    /// Whether the caller may start a cycle now. When one is under way, a wake asks for another.
    pub(crate) fn enter(&self, woken: bool) -> bool {
        use std::sync::atomic::Ordering;
        if self.running.swap(true, Ordering::AcqRel) {
            if woken {
                self.again.store(true, Ordering::Release);
            }
            return false;
        }
        true
    }

    /// Ends a cycle. True when a wake came meanwhile and the caller should run another (it holds
    /// the gate again).
    pub(crate) fn leave(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.running.store(false, Ordering::Release);
        self.again.swap(false, Ordering::AcqRel) && self.enter(false)
    }
}

impl Runtime {
    pub(crate) fn new(instance: u64) -> Runtime {
        Runtime {
            owner: ProcessOwner::this_process(instance),
            wake: Notify::new(),
            settled: Notify::new(),
            lanes_here: AtomicUsize::new(0),
            commands: Mutex::new(None),
            progress: Capability::ALL.into_iter().map(|c| (c, ProgressCell::default())).collect(),
            run_cancels: Mutex::new(HashMap::new()),
            stock_polling: PollGate::default(),
            orders_polling: PollGate::default(),
            orders_read: Mutex::new(HashMap::new()),
            alerting: Mutex::new(alerts::Alerting::default()),
            // Alerts nobody listens to (the CLI, the server) are dropped: a channel, not a log.
            alerts: broadcast::channel(16).0,
        }
    }

    pub(crate) fn progress(&self, capability: Capability) -> &ProgressCell {
        // Every capability has a cell from the start.
        &self.progress[&capability]
    }

    /// Whether lanes run in this process (another process may run them instead).
    pub(crate) fn has_lanes(&self) -> bool {
        self.lanes_here.load(Ordering::SeqCst) > 0
    }

    pub(crate) fn register_run(&self, run_id: i64) -> CancellationToken {
        let token = CancellationToken::new();
        self.run_cancels.lock().unwrap_or_else(|p| p.into_inner()).insert(run_id, token.clone());
        token
    }

    pub(crate) fn forget_run(&self, run_id: i64) {
        self.run_cancels.lock().unwrap_or_else(|p| p.into_inner()).remove(&run_id);
    }

    pub(crate) fn cancel_run_here(&self, run_id: i64) {
        if let Some(token) = self.run_cancels.lock().unwrap_or_else(|p| p.into_inner()).get(&run_id) {
            token.cancel();
        }
    }

    fn cancel_all_runs(&self) {
        for token in self.run_cancels.lock().unwrap_or_else(|p| p.into_inner()).values() {
            token.cancel();
        }
    }

    /// Sends a command to the runtime loop, when one runs in this process.
    pub(crate) fn send(&self, command: Command) -> Result<(), Command> {
        match self.commands.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(tx) => tx.send(command).map_err(|e| e.0),
            None => Err(command),
        }
    }
}

/// The running runtime. Dropping it without [`RuntimeHandle::shutdown`] stops nothing; the tasks
/// run until the process ends.
#[derive(Debug)]
pub struct RuntimeHandle {
    app: App,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

/// What a shutdown left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Jobs whose request did not finish within the grace period, given back to the queue (in
    /// doubt) for the next start.
    pub requeued: usize,
}

impl RuntimeHandle {
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Stops the runtime: runs stop between requests, lanes finish the request in flight, and
    /// after `grace` whatever still runs is given back to the queue. No job is left `running`.
    pub async fn shutdown(self, grace: Duration) -> ShutdownReport {
        self.app.runtime.cancel_all_runs();
        self.cancel.cancel();
        let all = futures_util::future::join_all(self.tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(grace_s = grace.as_secs_f64(), "the runtime did not stop within its grace period");
        }
        *self.app.runtime.commands.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let owner = self.app.runtime.owner.as_str().to_string();
        let now = self.app.now();
        let requeued =
            self.app.blocking(move |app| Ok(app.store.release_owner(&owner, now)?)).await.unwrap_or_else(|e| {
                tracing::error!(error = %e, "could not give this process's jobs back to the queue");
                0
            });
        ShutdownReport { requeued }
    }
}

impl App {
    /// The alerts of the runs that end from now on: a scheduled run that failed or waits for
    /// approval, once per outage (see [`alerts`]).
    pub fn alerts(&self) -> broadcast::Receiver<alerts::RunAlert> {
        self.runtime.alerts.subscribe()
    }

    /// Tells the listeners about a run that just ended, if it calls for it.
    pub(crate) fn alert_if_due(&self, run: &tillbridge_store::SyncRunRecord) {
        let alert = self.runtime.alerting.lock().unwrap_or_else(|p| p.into_inner()).on_end(run);
        if let Some(alert) = alert {
            tracing::info!(run_id = alert.run_id, title = %alert.title, "alerting");
            let _ = self.runtime.alerts.send(alert);
        }
    }

    /// Starts the lanes, the heartbeat and the runtime loop in the background.
    pub fn start_runtime(&self, options: RuntimeOptions) -> RuntimeHandle {
        let cancel = CancellationToken::new();
        let (tx, rx) = mpsc::unbounded_channel();
        *self.runtime.commands.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        let mut tasks = Vec::new();
        for lane in Lane::ALL {
            self.runtime.lanes_here.fetch_add(1, Ordering::SeqCst);
            let app = self.clone();
            let cancel = cancel.clone();
            tasks.push(tokio::spawn(async move {
                lanes::run(&app, lane, &cancel).await;
                app.runtime.lanes_here.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        tasks.push(tokio::spawn(heartbeat(self.clone(), cancel.clone())));
        tasks.push(tokio::spawn(command_loop(self.clone(), rx, cancel.clone(), options)));
        RuntimeHandle { app: self.clone(), cancel, tasks }
    }

    /// Wakes the lanes: new work is due.
    pub(crate) fn wake_lanes(&self) {
        self.runtime.wake.notify_waiters();
    }
}

/// Renews this process's leases and takes back what dead processes left, every [`HEARTBEAT`].
async fn heartbeat(app: App, cancel: CancellationToken) {
    let mut ticker = tokio::time::interval(HEARTBEAT);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = ticker.tick() => {}
        }
        let result = app
            .blocking(|app| {
                let now = app.now();
                let owner = &app.runtime.owner;
                app.store.renew_leases(owner.as_str(), now, now + LEASE)?;
                let taken = app.store.recover_orphans(|o| owner.is_gone(o), now)?;
                let lost = app.store.fail_lost_runs(now, runs::RESUME_WINDOW, &|o| owner.is_gone(o))?;
                Ok((taken, lost))
            })
            .await;
        match result {
            Ok((0, 0)) => {}
            Ok((taken, lost)) => {
                tracing::warn!(taken, lost, "took back work left by a process that stopped");
                app.wake_lanes();
            }
            Err(e) => tracing::warn!(error = %e, "could not renew this process's leases; trying again"),
        }
    }
}

/// The loop front ends talk to: the scheduler's ticker, run-now/retry/cancel, and cancellation.
async fn command_loop(
    app: App,
    mut commands: mpsc::UnboundedReceiver<Command>,
    cancel: CancellationToken,
    options: RuntimeOptions,
) {
    let mut ticker = tokio::time::interval(options.tick);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut stock_ticker = tokio::time::interval(options.stock_poll.unwrap_or(STOCK_POLL));
    stock_ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = stock_ticker.tick(), if options.stock_poll.is_some() => {
                app.spawn_stock_poll(false);
                app.spawn_orders_poll(false);
            }
            _ = ticker.tick() => {
                if options.scheduler {
                    app.start_due_schedule().await;
                }
                app.wake_lanes();
            }
            command = commands.recv() => match command {
                None => break,
                Some(Command::RunNow { request, reply }) => {
                    let _ = reply.send(app.spawn_catalog_run(request, tillbridge_store::Trigger::Manual).await);
                }
                Some(Command::Retry { ids, reply }) => {
                    let _ = reply.send(app.retry_now(ids).await);
                }
                Some(Command::Cancel { capability, reply }) => {
                    let _ = reply.send(app.cancel_now(capability).await);
                }
            }
        }
    }
}
