//! The catalog capability's orchestration: products and variants kept in step field by field.
//!
//! Same shape as every capability: snapshot → pure plan (`tillbridge_domain::catalog`) →
//! persisted jobs → the runtime's lanes execute them.
//! - [`sync`]: a run: read both catalogs, match, plan, persist the plan and its jobs in one
//!   transaction, then follow the jobs until the lanes have settled them.
//! - [`execute`]: how a lane sends catalog jobs: packed into requests, each job settled from the
//!   store's answer.
//! - [`preview`]: a run's diff, page by page and as CSV, with each change's result.
//! - [`offline`]: `tillbridge match`, the same matcher over exported files.

pub(crate) mod execute;
pub mod offline;
mod preview;
mod review;
mod sync;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tillbridge_domain::catalog::{BcItemRef, Ownership, PairView, Scope, ShItemRef, SyncPlan, plan_pairs};
use tillbridge_domain::matching::{Decisions, MatchClass, MatchPlan, MatchRules, match_variants};
use tillbridge_store::{BcVariantRow, ShVariantRow};

pub use offline::match_files;
pub use preview::{PreviewQuery, PreviewView};

use crate::snapshot::{self, bigcommerce_item, shopify_item};
use crate::{ApiError, App};

/// Where the field ownership is kept.
pub(crate) const OWNERSHIP_SETTING: &str = "sync.ownership";

/// What to run: a full or delta catalog sync, for real or as a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncRequest {
    pub mode: Scope,
    #[serde(default)]
    pub dry_run: bool,
    /// The person saw the price moves the preview flagged (beyond the guard rails' price limit)
    /// and wants them written. Without it a Full sync with flagged moves is refused.
    #[serde(default)]
    pub accept_price_changes: bool,
}

impl SyncRequest {
    /// A run of `mode` that accepts no flagged price move.
    pub fn new(mode: Scope, dry_run: bool) -> SyncRequest {
        SyncRequest { mode, dry_run, accept_price_changes: false }
    }
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

impl App {
    pub async fn ownership(&self) -> Result<Ownership, ApiError> {
        self.blocking(|app| Ok(app.store.setting::<Ownership>(OWNERSHIP_SETTING)?.unwrap_or_default())).await
    }

    pub async fn set_ownership(&self, ownership: Ownership) -> Result<Ownership, ApiError> {
        self.blocking(move |app| {
            let before = app.store.setting::<Ownership>(OWNERSHIP_SETTING)?.unwrap_or_default();
            app.store.set_setting(OWNERSHIP_SETTING, &ownership, app.now())?;
            if before != ownership {
                app.note_plan_inputs_changed("the field ownership")?;
            }
            Ok(ownership)
        })
        .await
    }
}
