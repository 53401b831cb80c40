//! A catalog run: snapshot → pure plan → persisted jobs → the lanes execute them.
//!
//! 1. Read both catalogs (all of them for a full sync; what changed since the last sync's
//!    cursors for a delta).
//! 2. Match the snapshot under the operator's decisions and plan with the pure planner: a full
//!    sync aligns every owned field; a delta pushes only fields whose owner changed them since the
//!    baseline, so an edit on the non-owning side is left for a full sync to revert.
//! 3. In one transaction: the snapshot, the new baseline and cursors, the diff, and one job per
//!    write unit (keyed by what it changes; the same work already queued is linked, an older value
//!    for the same field is superseded, and after a full plan every queued catalog job the plan
//!    no longer needs is superseded too).
//! 4. Follow the jobs while the lanes send them.
//!
//! A dry run stops after step 2 and records the snapshot, the mapping and the diff, but neither
//! baseline nor jobs. A scheduled run checks the guard rails after step 2 and, when they trip,
//! stops there too, waiting for a person's approval with the reason.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tillbridge_domain::catalog::{
    FullSyncRefusal, GuardRails, Ownership, PreviewRecord, Scope, flag_price_changes, needs_approval,
    unaccepted_in_plan,
};
use tillbridge_domain::matching::MatchClass;
use tillbridge_domain::work::{Capability, Work};
use tillbridge_store::{BcVariantRow, NewRead, ShVariantRow, SyncChangeRow, SyncRunEnd, System, Trigger};
use tillbridge_transport::correlation;
use tokio::sync::oneshot;

use super::{CatalogPlan, OWNERSHIP_SETTING, SyncRequest, plan_catalogs};
use crate::progress::{SyncPhase, SyncProgress, SyncSummary};
use crate::runtime::runs::RunContext;
use crate::runtime::work::new_job;
use crate::runtime::{Command, LEASE};
use crate::snapshot::{self, Read};
use crate::{ApiError, App};

/// At most this many Shopify variants (one page of `productVariants`) are read with a paged query
/// in a full sync; larger catalogs go through a bulk export.
const SMALL_SHOPIFY_CATALOG: u64 = tillbridge_shopify::ops::catalog::VARIANTS_PER_PAGE as u64;

/// How many times a run reads the stores before it gives up on a store that does not answer.
const READ_ATTEMPTS: u32 = 3;
/// The pause before reading again, times the attempt number.
const READ_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(3);

/// What a plan left for the run to report.
struct Planned {
    changes: usize,
    by_kind: Vec<tillbridge_domain::catalog::ChangeCount>,
    /// Set when a scheduled run stopped before writing: why it needs approval.
    approval: Option<String>,
}

fn parse_cursor(c: Option<&str>) -> Option<DateTime<Utc>> {
    c.and_then(|c| DateTime::parse_from_rfc3339(c).ok()).map(|t| t.with_timezone(&Utc))
}

fn change_rows(plan: &tillbridge_domain::catalog::SyncPlan, jobs: &HashMap<String, i64>) -> Vec<SyncChangeRow> {
    plan.changes
        .iter()
        .map(|c| SyncChangeRow {
            bigcommerce_variant_id: c.bigcommerce_variant_id,
            shopify_variant_id: c.shopify_variant_id.clone(),
            title: c.title.clone(),
            sku: c.sku.clone(),
            field: c.field.as_str().to_string(),
            direction: c.direction.as_str().to_string(),
            old: c.old.clone(),
            new: c.new.clone(),
            job_id: jobs.get(&c.entity_key).copied(),
            result: None,
        })
        .collect()
}

impl App {
    /// The catalog sync's progress, as the UI polls it.
    pub async fn sync_progress(&self) -> Result<SyncProgress, ApiError> {
        let mut progress = self.runtime.progress(Capability::Catalog).get();
        if progress.running {
            progress.waiting = self.waits.current(self.now());
        }
        Ok(progress)
    }

    /// Starts a catalog sync in the background through the runtime, and answers at once with its
    /// first progress; the UI polls [`App::sync_progress`].
    pub async fn sync_start(&self, request: SyncRequest) -> Result<SyncProgress, ApiError> {
        let (reply, answer) = oneshot::channel();
        if self.runtime.send(Command::RunNow { request, reply }).is_err() {
            return Err(ApiError::unavailable(
                "the runtime is not running in this process, so nothing would send the writes: start it with `tillbridge run` or `tillbridge serve`",
            ));
        }
        answer.await.map_err(|_| ApiError::internal("the runtime stopped before it could start the sync"))?
    }

    /// Runs a catalog sync to its end (the CLI, tests) and answers with its final progress. A
    /// failed sync is reported in the progress (`phase: failed`, `error`), not as an `Err`, so the
    /// caller sees how far it got. Its writes are sent by the lanes, so a runtime must be running
    /// here ([`App::start_runtime`]) or in another process on the same database.
    pub async fn sync_run(&self, request: SyncRequest) -> Result<SyncProgress, ApiError> {
        let run = self.claim_catalog_run(request, Trigger::Manual).await?;
        self.carry_out(run, request, Trigger::Manual).await;
        Ok(self.runtime.progress(Capability::Catalog).get())
    }

    /// Claims a run and carries it out in the background.
    pub(crate) async fn spawn_catalog_run(
        &self,
        request: SyncRequest,
        trigger: Trigger,
    ) -> Result<SyncProgress, ApiError> {
        let run = self.claim_catalog_run(request, trigger).await?;
        let app = self.clone();
        tokio::spawn(async move { app.carry_out(run, request, trigger).await });
        Ok(self.runtime.progress(Capability::Catalog).get())
    }

    async fn claim_catalog_run(&self, request: SyncRequest, trigger: Trigger) -> Result<RunContext, ApiError> {
        if trigger == Trigger::Manual {
            // Refused before anything is read: a stale preview or unaccepted price moves.
            self.blocking(move |app| app.check_full_sync_start(request)).await?;
        }
        let cell = self.runtime.progress(Capability::Catalog);
        if !cell.try_start(request.mode, request.dry_run, self.now()) {
            return Err(ApiError::sync_running());
        }
        // A real run lost while writing, of the same mode, is finished rather than planned again:
        // its jobs are queued already, and planning again would read both catalogs for nothing.
        let resumable = move |run: &tillbridge_store::SyncRunRecord| {
            !request.dry_run && !run.dry_run && run.mode == request.mode && run.phase == SyncPhase::Writing.as_str()
        };
        match self.begin_run(Capability::Catalog, request.mode, request.dry_run, trigger, resumable).await {
            Ok(run) => {
                cell.update(|p| p.run_id = Some(run.id));
                Ok(run)
            }
            Err(e) => {
                cell.update(|p| {
                    p.running = false;
                    p.phase = SyncPhase::Idle;
                });
                Err(e)
            }
        }
    }

    async fn carry_out(&self, run: RunContext, request: SyncRequest, trigger: Trigger) {
        // Renewing the run's lease tells other processes (and the next start) that it is alive. The
        // runtime's heartbeat renews it when a runtime runs here; this covers a run without one (a
        // preview from a command that started no runtime).
        let lease = {
            let app = self.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(crate::runtime::HEARTBEAT).await;
                    if app.runtime.has_lanes() {
                        continue;
                    }
                    let r = app
                        .blocking(|app| {
                            let now = app.now();
                            Ok(app.store.renew_leases(app.runtime.owner.as_str(), now, now + LEASE)?)
                        })
                        .await;
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "could not renew the run's lease");
                    }
                }
            })
        };
        let outcome = correlation::scope(format!("run-{}", run.id), self.catalog_steps(&run, request, trigger)).await;
        lease.abort();
        let cancelled = run.cancel.is_cancelled();
        let end = match &outcome {
            Ok(s) => SyncRunEnd {
                phase: if s.approval.is_some() {
                    "needs_approval".into()
                } else if cancelled {
                    "cancelled".into()
                } else {
                    SyncPhase::Done.as_str().into()
                },
                error: None,
                changes: s.summary.changes as u64,
                written: s.summary.written as u64,
                failed: s.summary.failed as u64,
                superseded: s.summary.superseded as u64,
                approval_reason: s.approval.clone(),
            },
            Err(e) => {
                SyncRunEnd::stopped(if cancelled { "cancelled" } else { SyncPhase::Failed.as_str() }, e.message.clone())
            }
        };
        self.end_run(&run, end).await;
        match &outcome {
            Ok(s) => tracing::info!(
                run_id = run.id,
                changes = s.summary.changes,
                written = s.summary.written,
                failed = s.summary.failed,
                "catalog sync finished"
            ),
            Err(e) => tracing::warn!(run_id = run.id, error = %e, "catalog sync failed"),
        }
        let finished = self.now();
        self.runtime.progress(Capability::Catalog).update(|p| {
            p.running = false;
            p.finished_at = Some(finished);
            p.eta_s = None;
            match outcome {
                Ok(RunOutcome { summary, approval }) => {
                    p.phase = if cancelled { SyncPhase::Cancelled } else { SyncPhase::Done };
                    p.approval_reason = approval;
                    p.summary = Some(summary);
                }
                Err(e) => {
                    p.phase = if cancelled { SyncPhase::Cancelled } else { SyncPhase::Failed };
                    p.error = Some(e.message);
                }
            }
        });
    }

    async fn catalog_steps(
        &self,
        run: &RunContext,
        request: SyncRequest,
        trigger: Trigger,
    ) -> Result<RunOutcome, ApiError> {
        let planned = if run.resumed_from.is_some() {
            let run_id = run.id;
            let (changes, by_kind) = self
                .blocking(move |app| {
                    let (total, _) = app.store.sync_changes_page(run_id, 0, 0)?;
                    Ok((total as usize, app.store.sync_change_kinds(run_id)?))
                })
                .await?;
            let by_kind = by_kind
                .iter()
                .filter_map(|k| {
                    Some(tillbridge_domain::catalog::ChangeCount {
                        field: serde_json::from_value(serde_json::Value::String(k.field.clone())).ok()?,
                        direction: serde_json::from_value(serde_json::Value::String(k.direction.clone())).ok()?,
                        changes: k.changes as usize,
                    })
                })
                .collect();
            Planned { changes, by_kind, approval: None }
        } else {
            self.read_and_plan_retrying(run, request, trigger).await?
        };
        let changes = planned.changes as u64;
        self.runtime.progress(Capability::Catalog).update(|p| p.changes = Some(changes));
        let mut summary = SyncSummary {
            changes: planned.changes,
            written: 0,
            failed: 0,
            superseded: 0,
            queued: 0,
            by_kind: planned.by_kind,
        };
        if request.dry_run || planned.approval.is_some() {
            return Ok(RunOutcome { summary, approval: planned.approval });
        }
        self.enter_phase(run, SyncPhase::Writing);
        self.wake_lanes();
        let counts = self.follow_jobs(run).await?;
        summary.written = counts.done as usize;
        summary.failed = (counts.failed + counts.dead) as usize;
        summary.superseded = (counts.superseded + counts.cancelled) as usize;
        summary.queued = (counts.pending + counts.running) as usize;
        Ok(RunOutcome { summary, approval: None })
    }

    /// Reads and plans; a read cut short by a store that is not answering (after the client's own
    /// quick retries) is read again after a pause, a few times, before the run gives up.
    async fn read_and_plan_retrying(
        &self,
        run: &RunContext,
        request: SyncRequest,
        trigger: Trigger,
    ) -> Result<Planned, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = tokio::select! {
                planned = self.read_and_plan(run, request, trigger) => planned,
                _ = run.cancel.cancelled() => return Err(ApiError::invalid("the sync was cancelled before it wrote anything")),
            };
            match outcome {
                Err(e) if e.kind == crate::ErrorKind::Unavailable && attempt < READ_ATTEMPTS => {
                    let pause = READ_RETRY_PAUSE * attempt;
                    tracing::warn!(run_id = run.id, attempt, error = %e, "reading failed; reading again shortly");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = run.cancel.cancelled() => return Err(ApiError::invalid("the sync was cancelled before it wrote anything")),
                    }
                }
                Err(e) if e.kind == crate::ErrorKind::Unavailable => {
                    return Err(ApiError::unavailable(format!(
                        "{} Tillbridge read {READ_ATTEMPTS} times; start the sync again once the store answers.",
                        e.message.trim_end()
                    )));
                }
                other => return other,
            }
        }
    }

    async fn read_and_plan(
        &self,
        run: &RunContext,
        request: SyncRequest,
        trigger: Trigger,
    ) -> Result<Planned, ApiError> {
        let clients = self.shared_clients().await?;
        let scope = request.mode;
        let (cursors, last_shopify_variants) = self
            .blocking(|app| {
                let last_full = app.store.last_full_read(System::Shopify)?;
                Ok((app.store.sync_cursors()?, last_full.map(|r| r.variants)))
            })
            .await?;
        let since = match (scope, &cursors) {
            (Scope::Full, _) => None,
            (Scope::Delta, Some(c)) => Some(c.clone()),
            (Scope::Delta, None) => {
                return Err(ApiError::invalid(
                    "no full sync has run yet, so there is nothing to compare changes with: run a full sync first",
                ));
            }
        };
        let progress = self.runtime.progress(Capability::Catalog).clone();

        self.enter_phase(run, SyncPhase::ReadingBigcommerce);
        let taken_at = self.now();
        let bc_since = since.as_ref().and_then(|c| parse_cursor(c.bigcommerce.as_deref()));
        let bc_read =
            snapshot::read_bigcommerce(&*clients.bigcommerce, bc_since, |n| progress.update(|p| p.done = n as u64))
                .await?;

        self.enter_phase(run, SyncPhase::ReadingShopify);
        let on_page = |n: usize| progress.update(|p| p.done = n as u64);
        let sh_read = match (&since, since.as_ref().and_then(|c| parse_cursor(c.shopify.as_deref()))) {
            (Some(_), Some(t)) => snapshot::read_shopify_paged(&*clients.shopify, Some(t), on_page).await?,
            // A catalog that fitted in one page last time is read with one query, not a bulk export.
            _ if last_shopify_variants.is_some_and(|n| n <= SMALL_SHOPIFY_CATALOG) => {
                snapshot::read_shopify_paged(&*clients.shopify, None, on_page).await?
            }
            // A full sync, or a delta whose last read saw no Shopify variant: read everything.
            _ => snapshot::read_shopify_full(&*clients.shopify, on_page).await?,
        };

        // Stock adjustments must name a product BigCommerce tracks as a whole; a full read knows
        // them all, a delta read adds the ones it saw.
        let tracked = bc_read.tracked_by_product.clone();
        let full = scope == Scope::Full;
        self.blocking(move |app| {
            let key = crate::stock::TRACKED_BY_PRODUCT;
            let mut known: Vec<i64> = if full { Vec::new() } else { app.store.setting(key)?.unwrap_or_default() };
            known.extend(tracked);
            known.sort_unstable();
            known.dedup();
            Ok(app.store.set_setting(key, &known, app.now())?)
        })
        .await?;

        self.enter_phase(run, SyncPhase::Matching);
        let run = run.clone();
        self.blocking(move |app| app.plan_and_persist(&run, request, trigger, taken_at, bc_read, sh_read)).await
    }

    fn plan_and_persist(
        &self,
        run: &RunContext,
        request: SyncRequest,
        trigger: Trigger,
        taken_at: DateTime<Utc>,
        bc_read: Read<BcVariantRow>,
        sh_read: Read<ShVariantRow>,
    ) -> Result<Planned, ApiError> {
        let (mode, run_id) = (request.mode, run.id);
        // Read before the decisions, rules and ownership: a change made while this run plans
        // leaves its preview stale rather than passing as planned.
        let inputs_revision = self.plan_inputs()?.revision;
        // What the catalogs look like now: a full read is the catalog; a delta read updates the stored one.
        // A full read is used where it lies: a second copy of 100,000 rows would double the memory.
        let (bc_now, sh_now): (Cow<'_, [BcVariantRow]>, Cow<'_, [ShVariantRow]>) = match mode {
            Scope::Full => (Cow::Borrowed(&bc_read.rows), Cow::Borrowed(&sh_read.rows)),
            Scope::Delta => (
                Cow::Owned(snapshot::merged(&self.store.bigcommerce_variants()?, &bc_read.rows, |r| r.variant_id)),
                Cow::Owned(snapshot::merged(&self.store.shopify_variants()?, &sh_read.rows, |r| r.variant_id.clone())),
            ),
        };
        let decisions = self.decisions()?;
        let rules = self.match_rules()?;
        let ownership = self.store.setting::<Ownership>(OWNERSHIP_SETTING)?.unwrap_or_default();
        let bc_baseline = self.store.bigcommerce_baseline()?;
        let sh_baseline = self.store.shopify_baseline()?;
        self.enter_phase(run, SyncPhase::Planning);
        let CatalogPlan { matched, sync: plan } =
            plan_catalogs(&bc_now, &sh_now, &bc_baseline, &sh_baseline, &decisions, &rules, &ownership, mode);
        for s in &plan.skipped {
            tracing::info!(bigcommerce_variant = s.bigcommerce_variant_id, shopify_variant = %s.shopify_variant_id, reason = %s.reason, "change skipped");
        }
        let rails = self.guard_rails()?;
        let flagged = match mode {
            Scope::Full => flag_price_changes(&plan.changes, rails.max_price_change_pct),
            Scope::Delta => Vec::new(),
        };
        let approval = match trigger {
            Trigger::Scheduled => needs_approval(&plan.changes, &rails),
            // The stores may have moved since the preview the person accepted: a flagged move it
            // did not show is not written unseen.
            Trigger::Manual if mode == Scope::Full && !request.dry_run => {
                let unaccepted =
                    unaccepted_in_plan(&flagged, self.full_preview()?.as_ref(), request.accept_price_changes);
                (!unaccepted.is_empty()).then(|| {
                    FullSyncRefusal::UnacceptedPriceChanges {
                        threshold_pct: rails.max_price_change_pct,
                        flagged: unaccepted,
                    }
                    .message()
                })
            }
            Trigger::Manual => None,
        };
        let preview = (request.dry_run && mode == Scope::Full).then_some(PreviewRecord {
            run_id,
            inputs_revision,
            threshold_pct: rails.max_price_change_pct,
            flagged,
        });
        let writes = !request.dry_run && approval.is_none();

        self.replace_mapping_whole(&matched, &bc_now, &sh_now)?;
        let jobs: Vec<tillbridge_store::NewJob> = if writes {
            plan.writes
                .iter()
                .map(|w| new_job(&Work::CatalogWrite(w.clone()), Some(run_id)))
                .collect::<Result<_, _>>()?
        } else {
            vec![]
        };
        let synced_pairs: Vec<(i64, String)> = matched
            .records
            .iter()
            .filter(|r| r.class == MatchClass::Matched)
            .filter_map(|r| Some((bc_now[r.bigcommerce?].variant_id, sh_now[r.shopify?].variant_id.clone())))
            .collect();
        let bc_cursor = bc_read.cursor.map(|t| t.to_rfc3339());
        let sh_cursor = sh_read.cursor.map(|t| t.to_rfc3339());
        let now = self.now();
        self.store.write(|tx| {
            let bc_id = tillbridge_store::catalog::record_read(
                tx,
                &NewRead {
                    system: System::BigCommerce,
                    scope: mode,
                    taken_at,
                    cursor: bc_cursor.clone(),
                    variants: bc_read.rows.len() as u64,
                },
            )?;
            let sh_id = tillbridge_store::catalog::record_read(
                tx,
                &NewRead {
                    system: System::Shopify,
                    scope: mode,
                    taken_at,
                    cursor: sh_cursor.clone(),
                    variants: sh_read.rows.len() as u64,
                },
            )?;
            match mode {
                Scope::Full => {
                    tillbridge_store::catalog::replace_bigcommerce_variants(tx, bc_id, &bc_read.rows)?;
                    tillbridge_store::catalog::replace_shopify_variants(tx, sh_id, &sh_read.rows)?;
                }
                Scope::Delta => {
                    tillbridge_store::catalog::upsert_bigcommerce_variants(tx, bc_id, &bc_read.rows)?;
                    tillbridge_store::catalog::upsert_shopify_variants(tx, sh_id, &sh_read.rows)?;
                }
            }
            let mut job_ids: HashMap<String, i64> = HashMap::with_capacity(jobs.len());
            if writes {
                tillbridge_store::save_baseline(tx, &synced_pairs, bc_cursor.as_deref(), sh_cursor.as_deref(), now)?;
                for job in &jobs {
                    let enqueued = tillbridge_store::enqueue_in(tx, job, now)?;
                    job_ids.insert(job.entity_key.clone(), enqueued.id());
                }
                if mode == Scope::Full {
                    let planned: HashSet<String> = job_ids.keys().cloned().collect();
                    tillbridge_store::supersede_unplanned_in(tx, Capability::Catalog, &planned, now)?;
                }
            }
            tillbridge_store::sync_runs::save_sync_changes(tx, run_id, &change_rows(&plan, &job_ids))?;

            tillbridge_store::sync_runs::record_planned(tx, run_id, plan.changes.len() as u64)?;
            if writes {
                // Planned and queued: from here a run lost with its process is finished, not planned again.
                tillbridge_store::sync_runs::update_sync_run_phase(tx, run_id, SyncPhase::Writing.as_str())?;
            }
            Ok(())
        })?;
        self.remember_matched_snapshot(&bc_now, &sh_now, &rules)?;
        if let Some(preview) = &preview {
            self.store.set_setting(super::review::FULL_PREVIEW_SETTING, preview, now)?;
        }
        Ok(Planned { changes: plan.changes.len(), by_kind: plan.by_kind(), approval })
    }

    /// The guard rails of scheduled runs.
    pub(crate) fn guard_rails(&self) -> Result<GuardRails, ApiError> {
        Ok(self
            .store
            .setting::<crate::runtime::schedule::ScheduleSetting>(crate::runtime::schedule::SCHEDULE_SETTING)?
            .map(|s| s.guard)
            .unwrap_or_default())
    }
}

/// How a run ended well enough to report: its summary, and why it waits for approval, if it does.
struct RunOutcome {
    summary: SyncSummary,
    approval: Option<String>,
}
