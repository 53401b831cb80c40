//! A catalog run's diff: what it planned, field by field, with what became of each change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::catalog::{FlaggedPriceChange, Staleness, review::staleness};
use tillbridge_domain::work::Capability;
use tillbridge_store::SyncChangeRow;

use crate::{ApiError, App};

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    /// The run to show; the latest catalog run when absent.
    pub run_id: Option<i64>,
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
    /// Each change with its `result`: planned (a preview), pending, running, done, failed, dead,
    /// superseded, skipped or cancelled.
    pub changes: Vec<SyncChangeRow>,
    /// Set when the ownership, the rules or the mapping changed after the last Full preview: a
    /// Full sync waits for a fresh one.
    pub stale: Option<Staleness>,
    /// A price moving by more than this percentage is flagged (the guard rails' price limit).
    pub price_flag_pct: u32,
    /// The price moves this run flagged when it is the last Full preview, the first
    /// [`FLAGGED_SHOWN`]; a Full sync asks the person to accept them.
    pub flagged: Vec<FlaggedPriceChange>,
    pub flagged_total: u64,
}

/// How many flagged price moves a preview lists; the rest are counted.
pub const FLAGGED_SHOWN: usize = 100;

impl App {
    /// The run a preview request names, or the latest catalog run.
    fn preview_run(&self, run_id: Option<i64>) -> Result<Option<tillbridge_store::SyncRunRecord>, ApiError> {
        Ok(match run_id {
            Some(id) => Some(self.store.sync_run(id)?),
            None => self.store.latest_sync_run(Capability::Catalog, None)?,
        })
    }

    /// A run's diff, a page at a time.
    pub async fn sync_preview(&self, q: PreviewQuery) -> Result<PreviewView, ApiError> {
        self.blocking(move |app| {
            let recorded = app.full_preview()?;
            let stale = match &recorded {
                Some(preview) => staleness(preview, &app.plan_inputs()?),
                None => None,
            };
            let price_flag_pct = app.guard_rails()?.max_price_change_pct;
            let Some(run) = app.preview_run(q.run_id)? else {
                return Ok(PreviewView {
                    run_id: None,
                    taken_at: None,
                    dry_run: false,
                    total: 0,
                    by_kind: vec![],
                    changes: vec![],
                    stale,
                    price_flag_pct,
                    flagged: vec![],
                    flagged_total: 0,
                });
            };
            let flagged = recorded.filter(|p| p.run_id == run.id).map(|p| p.flagged).unwrap_or_default();
            let limit = u64::from(q.limit.unwrap_or(200).clamp(1, 1000));
            let (total, changes) = app.store.sync_changes_page(run.id, u64::from(q.offset.unwrap_or(0)), limit)?;
            Ok(PreviewView {
                run_id: Some(run.id),
                taken_at: Some(run.started_at),
                dry_run: run.dry_run,
                total,
                by_kind: app.store.sync_change_kinds(run.id)?,
                changes,
                stale,
                price_flag_pct,
                flagged_total: flagged.len() as u64,
                flagged: flagged.into_iter().take(FLAGGED_SHOWN).collect(),
            })
        })
        .await
    }

    /// Writes a run's changes as CSV into the user's Downloads folder; answers the path.
    pub async fn save_sync_preview_csv(&self, run_id: Option<i64>) -> Result<String, ApiError> {
        let csv = self.sync_preview_csv(run_id).await?;
        crate::paths::save_export("tillbridge-sync-preview", "csv", self.now(), &csv)
    }

    /// Every change of a run (the latest catalog run by default), as CSV.
    pub async fn sync_preview_csv(&self, run_id: Option<i64>) -> Result<String, ApiError> {
        self.blocking(move |app| {
            let mut out = crate::csv::line(&[
                "bigcommerce_variant_id",
                "shopify_variant_id",
                "sku",
                "title",
                "field",
                "direction",
                "old",
                "new",
                "result",
            ]);
            if let Some(run) = app.preview_run(run_id)? {
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
                        c.result.as_deref().unwrap_or(""),
                    ]));
                })?;
            }
            Ok(out)
        })
        .await
    }
}
