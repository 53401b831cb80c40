//! The drift report: what each validation (a full check of every cell, every 6 hours and on
//! demand) found out of step, with the likely reason and what the owner rules did about it
//! ([`tillbridge_domain::stock::drift`]). Shown on the Inventory screen and exported as CSV.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::stock::{DriftAction, DriftReason};
use tillbridge_store::{DriftRecord, VALIDATIONS_KEPT, ValidationRecord};

use crate::{ApiError, App};

#[derive(Debug, Clone, Copy, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct DriftQuery {
    /// The validation to show; the latest when absent.
    pub validation_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ValidationView {
    pub id: i64,
    #[ts(type = "string")]
    pub checked_at: DateTime<Utc>,
    pub cells: u64,
    pub drifted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DriftView {
    pub pair_id: i64,
    pub location: String,
    pub label: String,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub base_bigcommerce: i64,
    pub base_shopify: i64,
    pub seen_bigcommerce: i64,
    pub seen_shopify: i64,
    pub reason: DriftReason,
    /// The reason in plain words.
    pub likely: String,
    pub action: DriftAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DriftReport {
    /// Every validation kept, newest first: the drift found by each, for the chart.
    pub validations: Vec<ValidationView>,
    /// The one shown; None before the first validation.
    pub shown: Option<ValidationView>,
    pub rows: Vec<DriftView>,
}

pub(crate) fn validation_view(v: &ValidationRecord) -> ValidationView {
    ValidationView { id: v.id, checked_at: v.checked_at, cells: v.cells, drifted: v.drifted }
}

fn drift_view(d: DriftRecord) -> DriftView {
    DriftView {
        pair_id: d.pair_id,
        location: d.location,
        label: d.label,
        bigcommerce_variant_id: d.bigcommerce_variant_id,
        shopify_item_id: d.shopify_item_id,
        base_bigcommerce: d.base.bigcommerce,
        base_shopify: d.base.shopify,
        seen_bigcommerce: d.seen.bigcommerce,
        seen_shopify: d.seen.shopify,
        reason: d.reason,
        likely: d.reason.describe().to_string(),
        action: d.action,
    }
}

impl App {
    pub async fn stock_drift(&self, query: DriftQuery) -> Result<DriftReport, ApiError> {
        self.blocking(move |app| {
            let validations = app.store.stock_validations(VALIDATIONS_KEPT)?;
            let shown = match query.validation_id {
                Some(id) => Some(validations.iter().find(|v| v.id == id).ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no validation {id} is kept; the drift report lists the last {VALIDATIONS_KEPT}"
                    ))
                })?),
                None => validations.first(),
            };
            let rows = match shown {
                Some(v) => app.store.stock_drift(v.id)?.into_iter().map(drift_view).collect(),
                None => Vec::new(),
            };
            Ok(DriftReport {
                shown: shown.map(validation_view),
                validations: validations.iter().map(validation_view).collect(),
                rows,
            })
        })
        .await
    }

    /// The drift one validation found as CSV, a row per item and location.
    pub async fn stock_drift_csv(&self, query: DriftQuery) -> Result<String, ApiError> {
        let report = self.stock_drift(query).await?;
        let mut out = crate::csv::line(&[
            "checked_at",
            "location",
            "sku",
            "bigcommerce_variant_id",
            "shopify_item_id",
            "base_bigcommerce",
            "seen_bigcommerce",
            "base_shopify",
            "seen_shopify",
            "reason",
            "likely",
            "action",
        ]);
        let checked_at = report.shown.as_ref().map(|v| v.checked_at.to_rfc3339()).unwrap_or_default();
        for r in &report.rows {
            out.push_str(&crate::csv::line(&[
                &checked_at,
                &r.location,
                &r.label,
                &r.bigcommerce_variant_id.to_string(),
                &r.shopify_item_id,
                &r.base_bigcommerce.to_string(),
                &r.seen_bigcommerce.to_string(),
                &r.base_shopify.to_string(),
                &r.seen_shopify.to_string(),
                r.reason.as_str(),
                &r.likely,
                r.action.as_str(),
            ]));
        }
        Ok(out)
    }

    /// Saves the drift CSV in the exports folder (the desktop app's web view cannot download),
    /// answering where.
    pub async fn save_stock_drift_csv(&self, query: DriftQuery) -> Result<String, ApiError> {
        let csv = self.stock_drift_csv(query).await?;
        crate::paths::save_export("tillbridge-stock-drift", "csv", self.now(), &csv)
    }
}
