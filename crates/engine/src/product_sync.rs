//! Product sync: snapshot → pure plan → persisted jobs → executor.
//!
//! 1. Read both catalogs (all of them for a full sync; what changed since the last sync's
//!    cursors for a delta).
//! 2. Match the snapshot under the operator's decisions, and plan with the pure planner: a full
//!    sync aligns every owned field; a delta pushes only fields whose owner changed them since the
//!    baseline (the values as of the last sync), so an edit on the non-owning side is left for a
//!    full sync to revert, never reverted by accident.
//! 3. In one transaction: the snapshot, the new baseline and cursors, the diff, and one job per
//!    write. A crash after this point loses nothing; the jobs' keys make a second attempt safe.
//! 4. Run the jobs, both stores side by side. A failed write goes back to the queue with its
//!    reason; the rest continue.
//!
//! A dry run stops after step 2 and records the snapshot, the mapping and the diff, but neither
//! baseline nor jobs: the next real sync must still see every change the dry run saw.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::matching::{Decisions, MatchClass, MatchPlan, MatchRules, match_variants};
use tillbridge_domain::sync::{
    BcItemRef, ChangeCount, Ownership, PairView, Scope, ShItemRef, SyncPlan, Write, plan_pairs,
};
use tillbridge_store::{BcVariantRow, NewJob, NewRead, Retry, ShVariantRow, SyncChangeRow, SyncRunEnd, System};

use crate::clients::{StoreClients, sync_backoff};
use crate::mapping::record_rows;
use crate::progress::{SyncPhase, SyncProgress, SyncSummary, WritePace, estimate_seconds_left};
use crate::snapshot::{self, Read, bigcommerce_item, shopify_item};
use crate::writes::{self, Target, WriteResult};
use crate::{ApiError, App};

/// Where the field ownership is kept.
pub(crate) const OWNERSHIP_SETTING: &str = "sync.ownership";
/// At most this many Shopify variants (one page of `productVariants`) are read with a paged query
/// in a full sync; larger catalogs go through a bulk export.
const SMALL_SHOPIFY_CATALOG: u64 = tillbridge_shopify::ops::catalog::VARIANTS_PER_PAGE as u64;
/// The kind of the jobs that carry product writes.
pub const PRODUCT_WRITE_JOB: &str = "product_write";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SyncRequest {
    pub mode: Scope,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewView {
    pub run_id: Option<i64>,
    pub taken_at: Option<DateTime<Utc>>,
    pub dry_run: bool,
    pub total: u64,
    pub by_kind: Vec<tillbridge_store::SyncChangeKindCount>,
    pub changes: Vec<SyncChangeRow>,
}

/// One planned write as a job payload: the write, and the run that planned it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WriteJob {
    run_id: i64,
    write: Write,
}

fn change_rows(plan: &SyncPlan) -> Vec<SyncChangeRow> {
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
        })
        .collect()
}

/// What a sync concludes from the catalogs: the mapping, and the changes to make.
#[derive(Debug, Clone)]
pub struct CatalogPlan {
    pub matched: MatchPlan,
    pub sync: SyncPlan,
}

/// Matching and planning, pure: the catalogs now and at the last sync, the operator's decisions,
/// the rules and the ownership in; the mapping and the changes out. The sync and the benchmark
/// both plan through here.
#[allow(clippy::too_many_arguments)]
pub fn plan_catalogs(
    bc_now: &[BcVariantRow],
    sh_now: &[ShVariantRow],
    bc_baseline: &[BcVariantRow],
    sh_baseline: &[ShVariantRow],
    decisions: &Decisions,
    rules: &MatchRules,
    ownership: &Ownership,
    scope: Scope,
) -> CatalogPlan {
    let matched = match_rows(bc_now, sh_now, decisions, rules);
    let pairs = row_pairs(&matched, bc_now, sh_now, bc_baseline, sh_baseline, scope);
    let sync = plan_pairs(&pairs, ownership, scope);
    CatalogPlan { matched, sync }
}

/// The matcher over stored rows, read in place.
pub(crate) fn match_rows(
    bc: &[BcVariantRow],
    sh: &[ShVariantRow],
    decisions: &Decisions,
    rules: &MatchRules,
) -> MatchPlan {
    let bc_in: Vec<_> = bc.iter().map(snapshot::bigcommerce_input).collect();
    let sh_in: Vec<_> = sh.iter().map(snapshot::shopify_input).collect();
    match_variants(&bc_in, &sh_in, decisions, rules)
}

/// One matched pair as the planner reads it: the rows themselves, now and (for a delta) at the
/// baseline. Four references, where copying the values would take hundreds of bytes a pair.
#[derive(Clone, Copy)]
struct RowPair<'a> {
    bigcommerce: &'a BcVariantRow,
    shopify: &'a ShVariantRow,
    last_bigcommerce: Option<&'a BcVariantRow>,
    last_shopify: Option<&'a ShVariantRow>,
}

impl PairView for RowPair<'_> {
    fn bigcommerce(&self) -> BcItemRef<'_> {
        bigcommerce_item(self.bigcommerce)
    }
    fn shopify(&self) -> ShItemRef<'_> {
        shopify_item(self.shopify)
    }
    fn last_bigcommerce(&self) -> Option<BcItemRef<'_>> {
        self.last_bigcommerce.map(bigcommerce_item)
    }
    fn last_shopify(&self) -> Option<ShItemRef<'_>> {
        self.last_shopify.map(shopify_item)
    }
}

/// The pairs the planner works on: matched records, with each side's rows now and, for a delta,
/// at the baseline. A full sync aligns every field whatever the baseline says, so it is not looked
/// up there.
fn row_pairs<'a>(
    plan: &MatchPlan,
    bc: &'a [BcVariantRow],
    sh: &'a [ShVariantRow],
    bc_baseline: &'a [BcVariantRow],
    sh_baseline: &'a [ShVariantRow],
    scope: Scope,
) -> Vec<RowPair<'a>> {
    let (bc_last, sh_last): (HashMap<i64, &BcVariantRow>, HashMap<&str, &ShVariantRow>) = match scope {
        Scope::Full => Default::default(),
        Scope::Delta => (
            bc_baseline.iter().map(|r| (r.variant_id, r)).collect(),
            sh_baseline.iter().map(|r| (r.variant_id.as_str(), r)).collect(),
        ),
    };
    plan.records
        .iter()
        .filter(|r| r.class == MatchClass::Matched)
        .filter_map(|r| Some((&bc[r.bigcommerce?], &sh[r.shopify?])))
        .map(|(b, s)| RowPair {
            bigcommerce: b,
            shopify: s,
            last_bigcommerce: bc_last.get(&b.variant_id).copied(),
            last_shopify: sh_last.get(s.variant_id.as_str()).copied(),
        })
        .collect()
}

fn parse_cursor(c: Option<&str>) -> Option<DateTime<Utc>> {
    c.and_then(|c| DateTime::parse_from_rfc3339(c).ok()).map(|t| t.with_timezone(&Utc))
}

impl App {
    pub async fn ownership(&self) -> Result<Ownership, ApiError> {
        self.blocking(|app| Ok(app.store.setting::<Ownership>(OWNERSHIP_SETTING)?.unwrap_or_default())).await
    }

    pub async fn set_ownership(&self, ownership: Ownership) -> Result<Ownership, ApiError> {
        self.blocking(move |app| {
            app.store.set_setting(OWNERSHIP_SETTING, &ownership, app.now())?;
            Ok(ownership)
        })
        .await
    }

    pub async fn sync_progress(&self) -> Result<SyncProgress, ApiError> {
        Ok(self.progress.get())
    }

    /// Starts a sync in the background and answers at once; the UI polls [`App::sync_progress`].
    pub async fn sync_start(&self, req: SyncRequest) -> Result<SyncProgress, ApiError> {
        if !self.progress.try_start(req.mode, req.dry_run, self.now()) {
            return Err(ApiError::sync_running());
        }
        let app = self.clone();
        tokio::spawn(async move { app.sync_claimed(req).await });
        Ok(self.progress.get())
    }

    /// Runs a sync to its end (the CLI and tests). A failed sync is reported in the progress
    /// (`phase: failed`, `error`), not as an `Err`, so the caller sees how far it got.
    pub async fn sync_run(&self, req: SyncRequest) -> Result<SyncProgress, ApiError> {
        if !self.progress.try_start(req.mode, req.dry_run, self.now()) {
            return Err(ApiError::sync_running());
        }
        self.sync_claimed(req).await;
        Ok(self.progress.get())
    }

    async fn sync_claimed(&self, req: SyncRequest) {
        let started = self.now();
        let run_id = match self.blocking(move |app| Ok(app.store.start_sync_run(req.mode, req.dry_run, started)?)).await
        {
            Ok(id) => id,
            Err(e) => {
                self.progress.update(|p| {
                    p.running = false;
                    p.phase = SyncPhase::Failed;
                    p.error = Some(e.message.clone());
                });
                return;
            }
        };
        self.progress.update(|p| p.run_id = Some(run_id));
        // Renewing the run's lease tells other processes (and the next start) that it is alive.
        let lease = {
            let app = self.clone();
            tokio::spawn(async move {
                let every = (tillbridge_store::sync_runs::SYNC_LEASE / 4)
                    .to_std()
                    .unwrap_or(std::time::Duration::from_secs(15));
                loop {
                    tokio::time::sleep(every).await;
                    let now = app.now();
                    if let Err(e) = app.blocking(move |app| Ok(app.store.renew_sync_run(run_id, now)?)).await {
                        tracing::warn!(run_id, error = %e, "could not renew the sync's lease");
                    }
                }
            })
        };
        let outcome = self.sync_steps(req, run_id).await;
        lease.abort();
        let finished = self.now();
        let end = match &outcome {
            Ok(s) => SyncRunEnd {
                phase: SyncPhase::Done.as_str().into(),
                error: None,
                changes: s.changes as u64,
                written: s.written as u64,
                failed: s.failed as u64,
            },
            Err(e) => SyncRunEnd {
                phase: SyncPhase::Failed.as_str().into(),
                error: Some(e.message.clone()),
                changes: 0,
                written: 0,
                failed: 0,
            },
        };
        if let Err(e) = self.blocking(move |app| Ok(app.store.finish_sync_run(run_id, &end, finished)?)).await {
            tracing::error!(run_id, error = %e, "could not record the end of a sync run");
        }
        match &outcome {
            Ok(s) => {
                tracing::info!(run_id, changes = s.changes, written = s.written, failed = s.failed, "sync finished")
            }
            Err(e) => tracing::warn!(run_id, error = %e, "sync failed"),
        }
        self.progress.update(|p| {
            p.running = false;
            p.finished_at = Some(finished);
            p.eta_s = None;
            match outcome {
                Ok(summary) => {
                    p.phase = SyncPhase::Done;
                    p.summary = Some(summary);
                }
                Err(e) => {
                    p.phase = SyncPhase::Failed;
                    p.error = Some(e.message);
                }
            }
        });
    }

    fn enter(&self, run_id: i64, phase: SyncPhase) {
        self.progress.update(|p| {
            p.phase = phase;
            p.done = 0;
            p.total = 0;
            p.eta_s = None;
        });
        if let Err(e) = self.store.update_sync_run_phase(run_id, phase.as_str()) {
            tracing::warn!(run_id, error = %e, "could not record a sync phase");
        }
    }

    async fn sync_steps(&self, req: SyncRequest, run_id: i64) -> Result<SyncSummary, ApiError> {
        let clients = self.store_clients().await?;
        let scope = req.mode;
        let (cursors, last_shopify_variants) = self
            .blocking(|app| {
                let last_full = app.store.last_full_read(System::Shopify)?;
                Ok((app.store.sync_cursors()?, last_full.map(|r| r.variants)))
            })
            .await?;
        let since = match (req.mode, &cursors) {
            (Scope::Full, _) => None,
            (Scope::Delta, Some(c)) => Some(c.clone()),
            (Scope::Delta, None) => {
                return Err(ApiError::invalid(
                    "no full sync has run yet, so there is nothing to compare changes with: run a full sync first",
                ));
            }
        };

        self.enter(run_id, SyncPhase::ReadingBigcommerce);
        let taken_at = self.now();
        let progress = self.progress.clone();
        let bc_since = since.as_ref().and_then(|c| parse_cursor(c.bigcommerce.as_deref()));
        let bc_read =
            snapshot::read_bigcommerce(&*clients.bigcommerce, bc_since, |n| progress.update(|p| p.done = n as u64))
                .await?;

        self.enter(run_id, SyncPhase::ReadingShopify);
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

        self.enter(run_id, SyncPhase::Matching);
        let dry_run = req.dry_run;
        let mode = req.mode;
        let planned = self
            .blocking(move |app| app.plan_and_persist(run_id, mode, dry_run, taken_at, bc_read, sh_read, scope))
            .await?;
        let mut summary = SyncSummary { changes: planned.changes, written: 0, failed: 0, by_kind: planned.by_kind };
        if dry_run {
            return Ok(summary);
        }
        self.enter(run_id, SyncPhase::Writing);
        let (written, failed) = self.write_due(&clients, true).await?;
        summary.written = written;
        summary.failed = failed;
        Ok(summary)
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_and_persist(
        &self,
        run_id: i64,
        mode: Scope,
        dry_run: bool,
        taken_at: DateTime<Utc>,
        bc_read: Read<BcVariantRow>,
        sh_read: Read<ShVariantRow>,
        scope: Scope,
    ) -> Result<Planned, ApiError> {
        let read_scope = mode;
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
        self.enter(run_id, SyncPhase::Planning);
        let CatalogPlan { matched, sync: plan } =
            plan_catalogs(&bc_now, &sh_now, &bc_baseline, &sh_baseline, &decisions, &rules, &ownership, scope);
        for s in &plan.skipped {
            tracing::info!(bigcommerce_variant = s.bigcommerce_variant_id, shopify_variant = %s.shopify_variant_id, reason = %s.reason, "change skipped");
        }

        self.store.replace_mapping_records(&record_rows(&matched, &bc_now, &sh_now))?;
        self.store.save_sync_changes(run_id, &change_rows(&plan))?;
        let now = self.now();
        let jobs: Vec<NewJob> = if dry_run {
            vec![]
        } else {
            plan.writes
                .iter()
                .enumerate()
                .map(|(seq, write)| {
                    let payload = serde_json::to_value(WriteJob { run_id, write: write.clone() })
                        .map_err(|e| ApiError::internal(format!("a planned write could not be encoded: {e}")))?;
                    Ok(NewJob {
                        kind: PRODUCT_WRITE_JOB.into(),
                        payload,
                        idempotency_key: format!("product-sync:{run_id}:{seq}"),
                    })
                })
                .collect::<Result<_, ApiError>>()?
        };
        let synced_pairs: Vec<(i64, String)> = matched
            .records
            .iter()
            .filter(|r| r.class == MatchClass::Matched)
            .filter_map(|r| Some((bc_now[r.bigcommerce?].variant_id, sh_now[r.shopify?].variant_id.clone())))
            .collect();
        let bc_cursor = bc_read.cursor.map(|t| t.to_rfc3339());
        let sh_cursor = sh_read.cursor.map(|t| t.to_rfc3339());
        self.store.write(|tx| {
            let bc_id = tillbridge_store::catalog::record_read(
                tx,
                &NewRead {
                    system: System::BigCommerce,
                    scope: read_scope,
                    taken_at,
                    cursor: bc_cursor.clone(),
                    variants: bc_read.rows.len() as u64,
                },
            )?;
            let sh_id = tillbridge_store::catalog::record_read(
                tx,
                &NewRead {
                    system: System::Shopify,
                    scope: read_scope,
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
            if !dry_run {
                tillbridge_store::save_baseline(tx, &synced_pairs, bc_cursor.as_deref(), sh_cursor.as_deref(), now)?;
                for job in &jobs {
                    tillbridge_store::enqueue_in(tx, job, now)?;
                }
            }
            Ok(())
        })?;
        Ok(Planned { changes: plan.changes.len(), by_kind: plan.by_kind() })
    }

    /// Sends the product writes whose retry time has come, between syncs (a running sync sends
    /// them itself). Returns (applied, failed).
    pub async fn retry_due_writes(&self) -> Result<(usize, usize), ApiError> {
        if self.progress.get().running {
            return Ok((0, 0));
        }
        let now = self.now();
        let due = self.blocking(move |app| Ok(app.store.count_due_of_kind(PRODUCT_WRITE_JOB, now)?)).await?;
        if due == 0 {
            return Ok((0, 0));
        }
        let clients = self.store_clients().await?;
        self.write_due(&clients, false).await
    }

    /// Retries due writes every `every`, for as long as the process runs (the server and the window
    /// start it), so a write that failed at night goes out without waiting for the next sync.
    pub async fn retry_loop(self, every: std::time::Duration) {
        loop {
            tokio::time::sleep(every).await;
            match self.retry_due_writes().await {
                Ok((0, 0)) => {}
                Ok((applied, failed)) => tracing::info!(applied, failed, "retried due product writes"),
                Err(e) => tracing::warn!(error = %e, "retrying due product writes failed; trying again later"),
            }
        }
    }

    /// Runs every due product write, BigCommerce and Shopify side by side; returns (applied, failed).
    /// `report` shows the writes as the running sync's progress.
    pub(crate) async fn write_due(&self, clients: &StoreClients, report: bool) -> Result<(usize, usize), ApiError> {
        let now = self.now();
        let jobs = self.blocking(move |app| Ok(app.store.claim_due_of_kind(PRODUCT_WRITE_JOB, now, u32::MAX)?)).await?;
        let mut bc_jobs = Vec::new();
        let mut sh_jobs = Vec::new();
        for job in jobs {
            match serde_json::from_value::<WriteJob>(job.payload.clone()) {
                Ok(w) => match writes::target(&w.write) {
                    Target::BigCommerce => bc_jobs.push((job, w.write)),
                    Target::Shopify => sh_jobs.push((job, w.write)),
                },
                Err(e) => {
                    let reason = format!("the job's payload is not a product write ({e}); it was not sent");
                    self.blocking(move |app| Ok(app.store.fail_job(job.id, &reason, Retry::Never, app.now())?)).await?;
                }
            }
        }
        let total = (bc_jobs.len() + sh_jobs.len()) as u64;
        let left = std::sync::Arc::new(std::sync::Mutex::new((bc_jobs.len() as u64, sh_jobs.len() as u64)));
        self.progress.update(|p| {
            p.total = total;
            p.done = 0;
            p.eta_s = Some(estimate_seconds_left(
                WritePace::default(),
                bc_jobs.len() as u64,
                sh_jobs.len() as u64,
                0,
                Default::default(),
            ));
        });
        let started = Instant::now();
        let lane = |jobs: Vec<(tillbridge_store::Job, Write)>, target: Target| {
            let app = self.clone();
            let clients = clients.clone();
            let left = left.clone();
            async move {
                let (mut applied, mut failed) = (0usize, 0usize);
                for (job, write) in jobs {
                    let result = writes::apply(&clients, &write).await;
                    if matches!(result, WriteResult::Applied) {
                        applied += 1;
                    } else {
                        failed += 1;
                    }
                    app.settle(job, result).await?;
                    let (bc_left, sh_left) = {
                        let mut l = left.lock().unwrap_or_else(|p| p.into_inner());
                        match target {
                            Target::BigCommerce => l.0 -= 1,
                            Target::Shopify => l.1 -= 1,
                        }
                        *l
                    };
                    let done = total - bc_left - sh_left;
                    if report {
                        let eta =
                            estimate_seconds_left(WritePace::default(), bc_left, sh_left, done, started.elapsed());
                        app.progress.update(|p| {
                            p.done = done;
                            p.eta_s = Some(eta);
                        });
                    }
                }
                Ok::<_, ApiError>((applied, failed))
            }
        };
        let (bc, sh) = tokio::join!(lane(bc_jobs, Target::BigCommerce), lane(sh_jobs, Target::Shopify));
        let (bc, sh) = (bc?, sh?);
        Ok((bc.0 + sh.0, bc.1 + sh.1))
    }

    /// Records what became of a job: done, due again later, or waiting for a person.
    async fn settle(&self, job: tillbridge_store::Job, result: WriteResult) -> Result<(), ApiError> {
        let backoff = sync_backoff();
        let jitter = self.client_parts(backoff).jitter;
        self.blocking(move |app| {
            let now = app.now();
            match result {
                WriteResult::Applied => app.store.complete_job(job.id, now)?,
                WriteResult::Retry { reason } => {
                    // Claiming counted this attempt already.
                    let attempt = job.attempts;
                    let retry = if backoff.gives_up_after(attempt) {
                        Retry::Never
                    } else {
                        let delay = backoff.delay(attempt, &*jitter);
                        Retry::At(now + chrono::Duration::from_std(delay).unwrap_or_default())
                    };
                    tracing::warn!(job = job.id, attempt, %reason, "a product write failed and was queued again");
                    app.store.fail_job(job.id, &reason, retry, now)?;
                }
                WriteResult::Refused { reason } => {
                    tracing::warn!(job = job.id, %reason, "a product write was refused; it waits for a person to fix and replay it");
                    app.store.fail_job(job.id, &reason, Retry::Never, now)?;
                }
                WriteResult::PartlyRefused { remaining, reason } => {
                    let run_id = job.payload.get("run_id").and_then(serde_json::Value::as_i64).unwrap_or_default();
                    let payload = serde_json::to_value(WriteJob { run_id, write: remaining }).unwrap_or_default();
                    tracing::warn!(job = job.id, %reason, "part of a product write was refused; the refused items wait for a person");
                    app.store.reschedule_job_with_payload(job.id, &payload, &reason, Retry::Never, now)?;
                }
            }
            Ok(())
        })
        .await
    }

    /// The diff of the latest run, a page at a time.
    pub async fn sync_preview(&self, q: PreviewQuery) -> Result<PreviewView, ApiError> {
        self.blocking(move |app| {
            let Some(run) = app.store.latest_sync_run()? else {
                return Ok(PreviewView {
                    run_id: None,
                    taken_at: None,
                    dry_run: false,
                    total: 0,
                    by_kind: vec![],
                    changes: vec![],
                });
            };
            let limit = u64::from(q.limit.unwrap_or(200).clamp(1, 1000));
            let (total, changes) = app.store.sync_changes_page(run.id, u64::from(q.offset.unwrap_or(0)), limit)?;
            Ok(PreviewView {
                run_id: Some(run.id),
                taken_at: Some(run.started_at),
                dry_run: run.dry_run,
                total,
                by_kind: app.store.sync_change_kinds(run.id)?,
                changes,
            })
        })
        .await
    }

    /// Writes the latest run's changes as CSV into the user's Downloads folder; answers the path.
    pub async fn save_sync_preview_csv(&self) -> Result<String, ApiError> {
        let csv = self.sync_preview_csv().await?;
        crate::paths::save_export("tillbridge-sync-preview", self.now(), &csv)
    }

    /// Every change of the latest run, as CSV.
    pub async fn sync_preview_csv(&self) -> Result<String, ApiError> {
        self.blocking(|app| {
            let mut out = crate::csv::line(&[
                "bigcommerce_variant_id",
                "shopify_variant_id",
                "sku",
                "title",
                "field",
                "direction",
                "old",
                "new",
            ]);
            if let Some(run) = app.store.latest_sync_run()? {
                app.store.sync_changes_all(run.id, |c| {
                    out.push_str(&crate::csv::line(&[
                        &c.bigcommerce_variant_id.to_string(),
                        &c.shopify_variant_id,
                        &c.sku,
                        &c.title,
                        &c.field,
                        &c.direction,
                        c.old.as_deref().unwrap_or(""),
                        c.new.as_deref().unwrap_or(""),
                    ]));
                })?;
            }
            Ok(out)
        })
        .await
    }
}

struct Planned {
    changes: usize,
    by_kind: Vec<ChangeCount>,
}
