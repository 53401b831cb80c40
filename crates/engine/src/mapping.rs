//! The mapping between the two catalogs: matching the stored snapshot, the operator's decisions,
//! and the pages, filters and CSV the review screen shows.
//!
//! Every decision re-runs the pure matcher over the variants it can reach in the stored snapshot
//! (those sharing a key or a decision with the ones it names, [`KeyComponents`]), so what the screen
//! shows is always exactly what the matcher concludes over the whole catalog with that decision in
//! place; nothing is patched by hand. A catalog read or a rules change re-matches everything.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::matching::{Decisions, KeyComponents, MatchClass, MatchKey, MatchPlan, MatchRules, Reach};
use tillbridge_store::{
    BcVariantRow, Decision, DecisionRecord, MappingBigCommerceSide, MappingClass, MappingClassCounts, MappingFilter,
    MappingOrder, MappingRecordRow, MappingShopifySide, ShVariantRow, System,
};

use crate::{ApiError, App};

/// Where the matching rules (SKU normalization, option synonyms) are kept.
pub(crate) const RULES_SETTING: &str = "matching.rules";

/// Which records a page shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MappingQuery {
    /// A class name, or "all" / absent for every class.
    pub class: Option<String>,
    /// SKU, barcode or title, on either side.
    pub q: Option<String>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
    /// The id of an ambiguous record: lists every variant of its group, BigCommerce's and Shopify's.
    pub group: Option<i64>,
    /// "attention" (what needs a decision first; the default), "sku" or "title".
    pub sort: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingView {
    /// Records in the filtered set.
    pub total: u64,
    /// Records per class among those the search selects, for the filter tabs.
    pub counts: MappingClassCounts,
    /// Automatic matches no decision holds yet, among those the search selects: what confirm-all confirms.
    pub confirmable: u64,
    /// When the catalogs behind this mapping were read; None before the first read.
    pub snapshot_at: Option<DateTime<Utc>>,
    pub rows: Vec<MappingRecordRow>,
}

/// What a mapping action changed: the new counts, and how to take the action back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingChange {
    pub counts: MappingClassCounts,
    pub undo: MappingUndo,
}

/// The decisions an action stored and the earlier ones it replaced. Sent back as it is, it takes
/// the action back: the stored ones are removed and the replaced ones restored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingUndo {
    pub added: Vec<Decision>,
    pub removed: Vec<Decision>,
}

/// Confirms every automatic match the search selects; `expected` is the count the operator was
/// shown, so a mapping that changed in between is not confirmed blind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfirmAllRequest {
    #[serde(default)]
    pub q: Option<String>,
    pub expected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PairRequest {
    pub bigcommerce_variant_id: i64,
    pub shopify_variant_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IgnoreRequest {
    pub system: System,
    /// A BigCommerce id as decimal digits, or a Shopify GID.
    pub variant_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfirmRequest {
    pub pairs: Vec<PairRequest>,
}

const PAGE_LIMIT_MAX: u32 = 500;

/// How many variants a decision may reach before matching everything is quicker: the reach reads
/// and replaces its variants one id at a time, and a whole match reads the table in one pass (a
/// confirm-all of 80,000 matches).
const REACH_BEFORE_WHOLE: usize = 5_000;

/// The key components of the snapshot the mapping was last matched from whole, with what that
/// match read: while the catalog reads and the rules are the same, a decision re-matches only the
/// variants it reaches.
#[derive(Debug, Clone)]
pub(crate) struct MatchedSnapshot {
    inputs: MatchInputs,
    components: Arc<KeyComponents>,
}

/// What a whole match read: the latest catalog read of each store and the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MatchInputs {
    bigcommerce_read: Option<i64>,
    shopify_read: Option<i64>,
    rules: MatchRules,
}

fn class_of(c: MatchClass) -> MappingClass {
    match c {
        MatchClass::Matched => MappingClass::Matched,
        MatchClass::Ambiguous => MappingClass::Ambiguous,
        MatchClass::Conflict => MappingClass::Conflict,
        MatchClass::Unmatched => MappingClass::Unmatched,
        MatchClass::Ignored => MappingClass::Ignored,
    }
}

fn key_name(k: MatchKey) -> &'static str {
    match k {
        MatchKey::Sku => "sku",
        MatchKey::NormalizedSku => "normalized_sku",
        MatchKey::Gtin => "gtin",
    }
}

/// "Color: Red / Size: XL", the way the screen and the CSV show options.
pub(crate) fn options_text(options: &[(String, String)]) -> String {
    options.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join(" / ")
}

pub(crate) fn decisions_from(records: &[DecisionRecord]) -> Decisions {
    let mut d = Decisions::default();
    for r in records {
        match &r.decision {
            Decision::Link { bigcommerce_variant_id, shopify_variant_id } => {
                d.links.insert((*bigcommerce_variant_id, shopify_variant_id.clone()));
            }
            Decision::Unlink { bigcommerce_variant_id, shopify_variant_id } => {
                d.unlinks.insert((*bigcommerce_variant_id, shopify_variant_id.clone()));
            }
            Decision::IgnoreBigCommerce { variant_id } => {
                d.ignored_bigcommerce.insert(*variant_id);
            }
            Decision::IgnoreShopify { variant_id } => {
                d.ignored_shopify.insert(variant_id.clone());
            }
        }
    }
    d
}

/// One stored row per matcher record, with both sides' display facts.
pub(crate) fn record_rows(plan: &MatchPlan, bc: &[BcVariantRow], sh: &[ShVariantRow]) -> Vec<MappingRecordRow> {
    plan.records
        .iter()
        .enumerate()
        .map(|(n, r)| MappingRecordRow {
            id: n as i64 + 1,
            class: class_of(r.class),
            key: r.key.map(|k| key_name(k).to_string()),
            reason: r.reason.clone(),
            flags: r.flags.clone(),
            decided: r.decided,
            bigcommerce: r.bigcommerce.map(|i| &bc[i]).map(|b| MappingBigCommerceSide {
                product_id: b.product_id,
                variant_id: b.variant_id,
                sku: b.sku.clone(),
                barcode: tillbridge_domain::catalog::bigcommerce_barcode(&b.upc, &b.gtin),
                title: b.title.clone(),
                options: options_text(&b.options),
            }),
            shopify: r.shopify.map(|i| &sh[i]).map(|s| MappingShopifySide {
                product_id: s.product_id.clone(),
                variant_id: s.variant_id.clone(),
                sku: s.sku.clone(),
                barcode: s.barcode.clone(),
                title: s.title.clone(),
                options: options_text(&s.options),
            }),
        })
        .collect()
}

/// The page a query asks for: (filter, offset, limit).
fn filter_of(q: &MappingQuery) -> Result<MappingFilter, ApiError> {
    let class = match q.class.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(c) => Some(MappingClass::parse(c).ok_or_else(|| {
            ApiError::invalid(format!(
                "unknown class {c:?}; use matched, ambiguous, conflict, unmatched, ignored or all"
            ))
        })?),
    };
    let order = match q.sort.as_deref().map(str::trim) {
        None | Some("") => MappingOrder::Attention,
        Some(s) => MappingOrder::parse(s)
            .ok_or_else(|| ApiError::invalid(format!("unknown sort {s:?}; use attention, sku or title")))?,
    };
    Ok(MappingFilter {
        class,
        q: q.q.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        group: q.group,
        order,
    })
}

fn page_of(q: &MappingQuery) -> (u64, u64) {
    (u64::from(q.offset.unwrap_or(0)), u64::from(q.limit.unwrap_or(100).clamp(1, PAGE_LIMIT_MAX)))
}

impl App {
    pub(crate) fn match_rules(&self) -> Result<MatchRules, ApiError> {
        Ok(self.store.setting::<MatchRules>(RULES_SETTING)?.unwrap_or_default())
    }

    /// Matches the stored snapshot under the stored decisions and replaces the stored records.
    pub(crate) fn rematch_stored(&self) -> Result<MappingClassCounts, ApiError> {
        // Every operator change to the mapping or its rules comes through here, and each may move
        // which variants a Full sync pairs: the previews taken before it no longer hold.
        self.note_plan_inputs_changed("the mapping or the matching rules")?;
        let bc = self.store.bigcommerce_variants()?;
        let sh = self.store.shopify_variants()?;
        let rules = self.match_rules()?;
        let plan = crate::catalog::match_rows(&bc, &sh, &self.decisions()?, &rules);
        self.replace_mapping_whole(&plan, &bc, &sh)?;
        self.remember_matched_snapshot(&bc, &sh, &rules)?;
        Ok(counts_of(&plan))
    }

    fn match_inputs(&self, rules: &MatchRules) -> Result<MatchInputs, ApiError> {
        Ok(MatchInputs {
            bigcommerce_read: self.store.last_read(System::BigCommerce)?.map(|r| r.id),
            shopify_read: self.store.last_read(System::Shopify)?.map(|r| r.id),
            rules: rules.clone(),
        })
    }

    /// Stores the records of a match of the whole snapshot. The key components known so far are
    /// forgotten first: until [`App::remember_matched_snapshot`] the records may belong to a
    /// snapshot not yet saved, and a decision then re-matches everything.
    pub(crate) fn replace_mapping_whole(
        &self,
        plan: &MatchPlan,
        bc: &[BcVariantRow],
        sh: &[ShVariantRow],
    ) -> Result<(), ApiError> {
        *self.matched_snapshot.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.store.replace_mapping_records(&record_rows(plan, bc, sh))?;
        Ok(())
    }

    /// Keeps the key components of the saved snapshot the mapping was just matched from whole, for
    /// the decisions that follow.
    pub(crate) fn remember_matched_snapshot(
        &self,
        bc: &[BcVariantRow],
        sh: &[ShVariantRow],
        rules: &MatchRules,
    ) -> Result<(), ApiError> {
        let bc_in: Vec<_> = bc.iter().map(crate::snapshot::bigcommerce_input).collect();
        let sh_in: Vec<_> = sh.iter().map(crate::snapshot::shopify_input).collect();
        let snapshot = MatchedSnapshot {
            inputs: self.match_inputs(rules)?,
            components: Arc::new(KeyComponents::new(&bc_in, &sh_in, rules)),
        };
        *self.matched_snapshot.lock().unwrap_or_else(|p| p.into_inner()) = Some(snapshot);
        Ok(())
    }

    /// Re-matches what a decision about these variants can reach, and replaces only those records;
    /// the whole snapshot when its components are not known (the first decision after a start) or
    /// no longer fit it (a catalog read or a rules change since).
    pub(crate) fn rematch_reached(
        &self,
        bigcommerce: Vec<i64>,
        shopify: Vec<String>,
    ) -> Result<MappingClassCounts, ApiError> {
        let rules = self.match_rules()?;
        let inputs = self.match_inputs(&rules)?;
        let known = self.matched_snapshot.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(snapshot) = known.filter(|k| k.inputs == inputs) else {
            return self.rematch_stored();
        };
        if bigcommerce.len() + shopify.len() > REACH_BEFORE_WHOLE {
            return self.rematch_stored();
        }
        self.note_plan_inputs_changed("the mapping or the matching rules")?;
        // Each step of the reach reads what was decided about the variants it added; together
        // they are what was decided about the whole reach, so nothing is read twice.
        let mut decided = std::collections::BTreeMap::new();
        let mut synced = BTreeSet::new();
        let reach = snapshot.components.reach(bigcommerce, shopify, |r: &Reach| {
            let (bc, sh) = ids_of(r);
            let about = self.store.decided_about(&bc, &sh)?;
            let pairs: Vec<(i64, String)> = about
                .decisions
                .iter()
                .filter_map(|d| match &d.decision {
                    Decision::Link { bigcommerce_variant_id, shopify_variant_id }
                    | Decision::Unlink { bigcommerce_variant_id, shopify_variant_id } => {
                        Some((*bigcommerce_variant_id, shopify_variant_id.clone()))
                    }
                    Decision::IgnoreBigCommerce { .. } | Decision::IgnoreShopify { .. } => None,
                })
                .chain(about.synced_pairs.iter().cloned())
                .collect();
            decided.extend(about.decisions.into_iter().map(|d| (d.id, d)));
            synced.extend(about.synced_pairs);
            Ok::<_, ApiError>(pairs)
        })?;
        if reach.bigcommerce.len() + reach.shopify.len() > REACH_BEFORE_WHOLE {
            return self.rematch_stored();
        }
        let (bc_ids, sh_ids) = ids_of(&reach);
        let bc = self.store.bigcommerce_variants_by_id(&bc_ids)?;
        let sh = self.store.shopify_variants_by_id(&sh_ids)?;
        let mut decisions = decisions_from(&decided.into_values().collect::<Vec<_>>());
        decisions.established = synced;
        let plan = crate::catalog::match_rows(&bc, &sh, &decisions, &rules);
        self.store.replace_mapping_records_of(&bc_ids, &sh_ids, &record_rows(&plan, &bc, &sh))?;
        tracing::debug!(
            bigcommerce = bc_ids.len(),
            shopify = sh_ids.len(),
            records = plan.records.len(),
            "re-matched what a decision reaches"
        );
        Ok(self.store.mapping_counts()?)
    }

    /// The operator's decisions, and the pairs the last sync that wrote had matched.
    pub(crate) fn decisions(&self) -> Result<Decisions, ApiError> {
        let mut decisions = decisions_from(&self.store.decisions()?);
        decisions.established = self.store.synced_pairs()?.into_iter().collect();
        Ok(decisions)
    }

    /// The SKU rules and the option synonyms table matching uses.
    pub async fn matching_rules(&self) -> Result<MatchRules, ApiError> {
        self.blocking(|app| app.match_rules()).await
    }

    /// Replaces the rules and re-matches the stored snapshot under them; answers the new counts.
    pub async fn set_matching_rules(&self, rules: MatchRules) -> Result<MappingClassCounts, ApiError> {
        for (what, table) in [("option name", &rules.synonyms.names), ("option value", &rules.synonyms.values)] {
            if let Some((alias, _)) =
                table.iter().find(|(alias, canon)| alias.trim().is_empty() || canon.trim().is_empty())
            {
                return Err(ApiError::invalid(format!(
                    "an {what} synonym needs both sides filled in; remove or complete the row for {alias:?}"
                )));
            }
            // Aliases compare case- and space-insensitively, so "XL" and " xl" are one row typed twice.
            let mut seen = std::collections::BTreeMap::new();
            for alias in table.keys() {
                let folded = alias.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
                if let Some(first) = seen.insert(folded, alias) {
                    return Err(ApiError::invalid(format!(
                        "the {what} synonyms list {first:?} and {alias:?}, which are the same alias; keep one row"
                    )));
                }
            }
        }
        self.blocking(move |app| {
            app.store.set_setting(RULES_SETTING, &rules, app.now())?;
            app.rematch_stored()
        })
        .await
    }

    pub async fn mapping(&self, q: MappingQuery) -> Result<MappingView, ApiError> {
        let filter = filter_of(&q)?;
        let (offset, limit) = page_of(&q);
        self.blocking(move |app| {
            let page = app.store.mapping_page(&filter, offset, limit)?;
            let snapshot_at = app.store.last_read(System::BigCommerce)?.map(|r| r.taken_at);
            Ok(MappingView {
                total: page.total,
                counts: page.counts,
                confirmable: page.confirmable,
                snapshot_at,
                rows: page.rows,
            })
        })
        .await
    }

    /// Every record of the filtered set (paging ignored), as CSV.
    pub async fn mapping_csv(&self, q: MappingQuery) -> Result<String, ApiError> {
        let filter = filter_of(&q)?;
        self.blocking(move |app| {
            let mut out = crate::csv::line(&[
                "class",
                "key",
                "reason",
                "flags",
                "decided",
                "bigcommerce_product_id",
                "bigcommerce_variant_id",
                "bigcommerce_sku",
                "bigcommerce_barcode",
                "bigcommerce_title",
                "bigcommerce_options",
                "shopify_product_id",
                "shopify_variant_id",
                "shopify_sku",
                "shopify_barcode",
                "shopify_title",
                "shopify_options",
            ]);
            app.store.mapping_rows(&filter, |r| {
                let b = r.bigcommerce.as_ref();
                let h = r.shopify.as_ref();
                let bc_product = b.map(|b| b.product_id.to_string()).unwrap_or_default();
                let bc_variant = b.map(|b| b.variant_id.to_string()).unwrap_or_default();
                out.push_str(&crate::csv::line(&[
                    r.class.as_str(),
                    r.key.as_deref().unwrap_or(""),
                    &r.reason,
                    &r.flags.join("; "),
                    if r.decided { "yes" } else { "no" },
                    &bc_product,
                    &bc_variant,
                    b.map_or("", |b| &b.sku),
                    b.map_or("", |b| &b.barcode),
                    b.map_or("", |b| &b.title),
                    b.map_or("", |b| &b.options),
                    h.map_or("", |h| &h.product_id),
                    h.map_or("", |h| &h.variant_id),
                    h.map_or("", |h| &h.sku),
                    h.map_or("", |h| &h.barcode),
                    h.map_or("", |h| &h.title),
                    h.map_or("", |h| &h.options),
                ]));
            })?;
            Ok(out)
        })
        .await
    }

    /// Records decisions (after checking the variants exist in the snapshot) and re-matches.
    async fn decide(&self, decisions: Vec<Decision>) -> Result<MappingChange, ApiError> {
        self.blocking(move |app| {
            let bc_ids: Vec<i64> = decisions.iter().filter_map(Decision::bigcommerce_variant_id).collect();
            let sh_ids: Vec<String> = decisions.iter().filter_map(|d| d.shopify_variant_id().map(str::to_string)).collect();
            let known_bc = app.store.bigcommerce_variants_by_id(&bc_ids)?;
            let known_sh = app.store.shopify_variants_by_id(&sh_ids)?;
            if let Some(missing) = bc_ids.iter().find(|id| !known_bc.iter().any(|r| r.variant_id == **id)) {
                return Err(ApiError::invalid(format!(
                    "BigCommerce variant {missing} is not in the last catalog read; refresh the mapping (run a sync preview) and try again"
                )));
            }
            if let Some(missing) = sh_ids.iter().find(|id| !known_sh.iter().any(|r| &r.variant_id == *id)) {
                return Err(ApiError::invalid(format!(
                    "Shopify variant {missing} is not in the last catalog read; refresh the mapping (run a sync preview) and try again"
                )));
            }
            let now = app.now();
            // All or none: a bulk confirm that fails halfway must not leave half the pairs confirmed.
            app.change_decisions(named_variants(&decisions), |tx| {
                for d in &decisions {
                    tillbridge_store::mapping::add_decision(tx, d, now)?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Runs `apply` on the decisions in one transaction, re-matches, and answers what changed, read
    /// from the decisions before and after, so the undo also restores what a decision replaced.
    /// `named` are the variants the decisions `apply` stores or removes name: storing one replaces
    /// only decisions about the same variants, so those are all that can change.
    fn change_decisions(
        &self,
        (bigcommerce, shopify): (Vec<i64>, Vec<String>),
        apply: impl FnOnce(&tillbridge_store::Transaction<'_>) -> Result<(), tillbridge_store::StoreError>,
    ) -> Result<MappingChange, ApiError> {
        let undo = self.store.write(|tx| {
            let about = |tx: &tillbridge_store::Transaction<'_>| -> Result<BTreeSet<Decision>, _> {
                let found = tillbridge_store::mapping::decisions_naming(tx, &bigcommerce, &shopify)?;
                Ok::<_, tillbridge_store::StoreError>(found.into_iter().map(|r| r.decision).collect())
            };
            let before = about(tx)?;
            apply(tx)?;
            let after = about(tx)?;
            Ok(MappingUndo {
                added: after.difference(&before).cloned().collect(),
                removed: before.difference(&after).cloned().collect(),
            })
        })?;
        Ok(MappingChange { counts: self.rematch_reached(bigcommerce, shopify)?, undo })
    }

    /// Takes an action back: removes the decisions it stored and restores those it replaced. The
    /// answer's own undo redoes the action.
    pub async fn mapping_undo(&self, req: MappingUndo) -> Result<MappingChange, ApiError> {
        if req.added.is_empty() && req.removed.is_empty() {
            return Err(ApiError::invalid("nothing to undo: the action changed no decision"));
        }
        self.blocking(move |app| {
            let now = app.now();
            app.change_decisions(named_variants(req.added.iter().chain(&req.removed)), |tx| {
                for d in &req.added {
                    tillbridge_store::mapping::remove_decision(tx, d)?;
                }
                for d in &req.removed {
                    tillbridge_store::mapping::add_decision(tx, d, now)?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Confirms every automatic match the search selects, when there are as many as the operator was shown.
    pub async fn mapping_confirm_all(&self, req: ConfirmAllRequest) -> Result<MappingChange, ApiError> {
        let q = req.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_string);
        let pairs = self.blocking(move |app| Ok(app.store.confirmable_pairs(q.as_deref())?)).await?;
        if pairs.is_empty() {
            return Err(ApiError::invalid("nothing to confirm: every matched pair is confirmed already"));
        }
        if pairs.len() as u64 != req.expected {
            return Err(ApiError::invalid(format!(
                "{} matches can be confirmed now, not the {} shown: the mapping changed since the page loaded; \
                 reload it and confirm again",
                pairs.len(),
                req.expected
            )));
        }
        self.decide(
            pairs
                .into_iter()
                .map(|(bigcommerce_variant_id, shopify_variant_id)| Decision::Link {
                    bigcommerce_variant_id,
                    shopify_variant_id,
                })
                .collect(),
        )
        .await
    }

    /// The operator says these two variants are the same item.
    pub async fn mapping_link(&self, req: PairRequest) -> Result<MappingChange, ApiError> {
        self.decide(vec![Decision::Link {
            bigcommerce_variant_id: req.bigcommerce_variant_id,
            shopify_variant_id: req.shopify_variant_id,
        }])
        .await
    }

    /// The operator says these two variants are not the same item, whatever their identifiers say.
    pub async fn mapping_unlink(&self, req: PairRequest) -> Result<MappingChange, ApiError> {
        self.decide(vec![Decision::Unlink {
            bigcommerce_variant_id: req.bigcommerce_variant_id,
            shopify_variant_id: req.shopify_variant_id,
        }])
        .await
    }

    /// The operator says this variant is never to be synced.
    pub async fn mapping_ignore(&self, req: IgnoreRequest) -> Result<MappingChange, ApiError> {
        self.decide(vec![ignore_decision(req)?]).await
    }

    /// Takes an ignore back: the variant is matched again like any other.
    pub async fn mapping_unignore(&self, req: IgnoreRequest) -> Result<MappingClassCounts, ApiError> {
        let decision = ignore_decision(req)?;
        self.blocking(move |app| {
            app.store.remove_decision(&decision)?;
            let (bigcommerce, shopify) = named_variants([&decision]);
            app.rematch_reached(bigcommerce, shopify)
        })
        .await
    }

    /// Writes the filtered mapping as CSV into the user's Downloads folder, for the desktop window,
    /// whose web view cannot save a download itself. Answers the file's path.
    pub async fn save_mapping_csv(&self, q: MappingQuery) -> Result<String, ApiError> {
        let csv = self.mapping_csv(q).await?;
        crate::paths::save_export("tillbridge-mapping", "csv", self.now(), &csv)
    }

    /// Confirms automatic matches, so later re-matching can never change them.
    pub async fn mapping_confirm(&self, req: ConfirmRequest) -> Result<MappingChange, ApiError> {
        if req.pairs.is_empty() {
            return Err(ApiError::invalid("nothing to confirm: select at least one matched pair"));
        }
        self.decide(
            req.pairs
                .into_iter()
                .map(|p| Decision::Link {
                    bigcommerce_variant_id: p.bigcommerce_variant_id,
                    shopify_variant_id: p.shopify_variant_id,
                })
                .collect(),
        )
        .await
    }
}

/// The variants these decisions name, on each side.
fn named_variants<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> (Vec<i64>, Vec<String>) {
    let mut bc = Vec::new();
    let mut sh = Vec::new();
    for d in decisions {
        bc.extend(d.bigcommerce_variant_id());
        sh.extend(d.shopify_variant_id().map(str::to_string));
    }
    (bc, sh)
}

fn ids_of(reach: &Reach) -> (Vec<i64>, Vec<String>) {
    (reach.bigcommerce.iter().copied().collect(), reach.shopify.iter().cloned().collect())
}

/// The decision an ignore request names, with its id checked for the system's shape.
fn ignore_decision(req: IgnoreRequest) -> Result<Decision, ApiError> {
    match req.system {
        System::BigCommerce => {
            let id = req.variant_id.trim().parse::<i64>().map_err(|_| {
                ApiError::invalid(format!("a BigCommerce variant id is a number; got {:?}", req.variant_id))
            })?;
            Ok(Decision::IgnoreBigCommerce { variant_id: id })
        }
        System::Shopify => {
            if !req.variant_id.starts_with("gid://shopify/ProductVariant/") {
                return Err(ApiError::invalid(format!(
                    "a Shopify variant id is a GID such as gid://shopify/ProductVariant/1; got {:?}",
                    req.variant_id
                )));
            }
            Ok(Decision::IgnoreShopify { variant_id: req.variant_id })
        }
    }
}

pub(crate) fn counts_of(plan: &MatchPlan) -> MappingClassCounts {
    let c = plan.counts();
    MappingClassCounts {
        matched: c.matched as u64,
        ambiguous: c.ambiguous as u64,
        conflict: c.conflict as u64,
        unmatched: c.unmatched as u64,
        ignored: c.ignored as u64,
    }
}
