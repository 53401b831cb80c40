//! What a person sees and decides about stock: conflicts with one choice each ("keep BigCommerce",
//! "keep Shopify", "add both changes", or a counted quantity), and one item's stock per location.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::stock::{Resolution, Side, stock_entity};
use tillbridge_store::{JobState, LocationPairRecord, StockCellRecord, StockConflictRecord};

use crate::{ApiError, App};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StockConflictView {
    pub id: i64,
    pub pair_id: i64,
    pub location: String,
    pub label: String,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub base_bigcommerce: i64,
    pub base_shopify: i64,
    pub seen_bigcommerce: i64,
    pub seen_shopify: i64,
    /// The stock each one-click choice leads to.
    pub keep_bigcommerce: i64,
    pub keep_shopify: i64,
    pub sum: i64,
    pub reason: String,
    pub state: String,
    pub resolution: Option<String>,
    pub stock: Option<i64>,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct ResolveConflictRequest {
    pub id: i64,
    /// `bigcommerce`, `shopify`, `sum`, or a whole number of units.
    pub keep: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct ConflictsQuery {
    /// Settled conflicts too.
    pub all: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct StockItemQuery {
    /// A SKU (or part of one), a BigCommerce variant id or a Shopify inventory item id.
    pub q: String,
}

/// One item at one location pair, for the Inventory view and `tillbridge stock ITEM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StockItemView {
    pub pair_id: i64,
    pub location: String,
    pub label: String,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub bigcommerce: Option<i64>,
    pub shopify: Option<i64>,
    pub base_bigcommerce: Option<i64>,
    pub base_shopify: Option<i64>,
    pub seen_at: Option<DateTime<Utc>>,
    pub changed_at: Option<DateTime<Utc>>,
    /// Writes waiting or on the wire, in plain words.
    pub pending: Vec<String>,
}

fn conflict_view(c: StockConflictRecord, pairs: &HashMap<i64, LocationPairRecord>) -> StockConflictView {
    let pair = pairs.get(&c.cell.pair_id);
    let policy = pair.map(|p| p.policy).unwrap_or_default();
    StockConflictView {
        id: c.id,
        pair_id: c.cell.pair_id,
        location: pair.map(|p| p.name.clone()).unwrap_or_default(),
        label: c.label,
        bigcommerce_variant_id: c.cell.bigcommerce_variant_id,
        shopify_item_id: c.cell.shopify_item_id,
        base_bigcommerce: c.snapshot.base_bigcommerce,
        base_shopify: c.snapshot.base_shopify,
        seen_bigcommerce: c.snapshot.seen_bigcommerce,
        seen_shopify: c.snapshot.seen_shopify,
        keep_bigcommerce: c.snapshot.chosen_stock(&policy, Resolution::BigCommerce),
        keep_shopify: c.snapshot.chosen_stock(&policy, Resolution::Shopify),
        sum: c.snapshot.chosen_stock(&policy, Resolution::Sum),
        reason: c.reason,
        state: c.state,
        resolution: c.resolution,
        stock: c.stock,
        raised_at: c.raised_at,
        resolved_at: c.resolved_at,
    }
}

fn pairs_by_id(app: &App) -> Result<HashMap<i64, LocationPairRecord>, ApiError> {
    Ok(app.store.location_pairs()?.into_iter().map(|p| (p.id, p)).collect())
}

impl App {
    /// Open conflicts, newest first; with `all`, settled ones too.
    pub async fn stock_conflicts(&self, query: ConflictsQuery) -> Result<Vec<StockConflictView>, ApiError> {
        let all = query.all;
        self.blocking(move |app| {
            let pairs = pairs_by_id(app)?;
            Ok(app.store.stock_conflicts(all)?.into_iter().map(|c| conflict_view(c, &pairs)).collect())
        })
        .await
    }

    /// Settles a conflict. The held writes go out with the next stock cycle, which carries the
    /// stock to the chosen value plus anything sold since.
    pub async fn resolve_stock_conflict(&self, request: ResolveConflictRequest) -> Result<StockConflictView, ApiError> {
        let id = request.id;
        let resolution = Resolution::parse(&request.keep).map_err(ApiError::invalid)?;
        let view = self
            .blocking(move |app| {
                let pairs = pairs_by_id(app)?;
                let conflict = app.store.stock_conflict(id)?.ok_or_else(|| {
                    ApiError::not_found(format!("no stock conflict {id}; `tillbridge conflicts` lists them"))
                })?;
                let policy = pairs.get(&conflict.cell.pair_id).map(|p| p.policy).unwrap_or_default();
                let stock = conflict.snapshot.chosen_stock(&policy, resolution);
                let text = match resolution {
                    Resolution::BigCommerce => "bigcommerce".to_string(),
                    Resolution::Shopify => "shopify".to_string(),
                    Resolution::Sum => "sum".to_string(),
                    Resolution::Value(v) => format!("value {v}"),
                };
                let settled = app.store.resolve_stock_conflict(id, &policy, &text, stock, app.now())?;
                tracing::info!(conflict = id, resolution = %text, stock, "a stock conflict was decided");
                Ok(conflict_view(settled, &pairs))
            })
            .await?;
        Ok(view)
    }

    /// One item's stock at every paired location: both sides as last read, the bases, and the
    /// writes still waiting. `q` is a SKU (or part of one), a BigCommerce variant id or a Shopify
    /// inventory item id.
    pub async fn stock_item(&self, query: StockItemQuery) -> Result<Vec<StockItemView>, ApiError> {
        let q = query.q.trim().to_string();
        if q.is_empty() {
            return Err(ApiError::invalid(
                "name an item: a SKU, a BigCommerce variant id or a Shopify inventory item id",
            ));
        }
        self.blocking(move |app| {
            let pairs = pairs_by_id(app)?;
            let cells: Vec<StockCellRecord> = app.store.stock_cells_matching(&q, 200)?;
            let mut out = Vec::new();
            for c in cells {
                let mut pending = Vec::new();
                for side in Side::BOTH {
                    let entity = stock_entity(c.id.pair_id, c.id.bigcommerce_variant_id, &c.id.shopify_item_id, side);
                    for job in app.store.jobs_for_entity(&entity)? {
                        if matches!(job.state, JobState::Pending | JobState::Running | JobState::Failed) {
                            pending.push(format!("{} ({})", job.summary, job.state.as_str()));
                        }
                    }
                }
                out.push(StockItemView {
                    location: pairs.get(&c.id.pair_id).map(|p| p.name.clone()).unwrap_or_default(),
                    pair_id: c.id.pair_id,
                    label: c.label,
                    bigcommerce_variant_id: c.id.bigcommerce_variant_id,
                    shopify_item_id: c.id.shopify_item_id,
                    bigcommerce: c.seen.bigcommerce,
                    shopify: c.seen.shopify,
                    base_bigcommerce: c.ledger.base.map(|b| b.bigcommerce),
                    base_shopify: c.ledger.base.map(|b| b.shopify),
                    seen_at: c.seen_at,
                    changed_at: c.changed_at,
                    pending,
                });
            }
            Ok(out)
        })
        .await
    }
}
