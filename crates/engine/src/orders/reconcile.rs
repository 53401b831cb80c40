//! The daily reconciliation: the POS orders Shopify processed on a day (in the store's zone), each
//! beside the BigCommerce order carried for it, summed per retail location
//! ([`tillbridge_domain::orders::reconcile`]). Both sides are read live; nothing here is stored.

use chrono::NaiveDate;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tillbridge_domain::orders::{DayRow, Figures, OrderFigures, day_bounds, reconcile};

use crate::{ApiError, App};

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct ReconcileRequest {
    /// "2026-12-06".
    #[ts(type = "string")]
    pub day: NaiveDate,
    /// An IANA zone; the store's when absent (BigCommerce's, else Shopify's, else this computer's).
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReconcileView {
    #[ts(type = "string")]
    pub day: NaiveDate,
    pub time_zone: String,
    /// Per retail location, then "All locations".
    pub rows: Vec<DayRow>,
}

impl App {
    pub async fn orders_reconcile(&self, request: ReconcileRequest) -> Result<ReconcileView, ApiError> {
        let zone = match request.time_zone.clone() {
            Some(zone) => zone,
            None => self.time_zone().await?.zone,
        };
        let (start, end) = day_bounds(request.day, &zone).map_err(ApiError::invalid)?;
        let clients = self.shared_clients().await?;
        // Every POS order processed that day was updated at or after it was processed.
        let mut orders = Vec::new();
        let mut pages = clients.shopify.pos_orders(Some(start - chrono::Duration::seconds(1)));
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| ApiError::unavailable(format!("reading Shopify's POS orders failed: {e}")))?;
            orders.extend(page.into_iter().filter(|o| o.processed_at >= start && o.processed_at < end));
        }
        drop(pages);
        let gids: Vec<String> = orders.iter().map(|o| o.id.0.clone()).collect();
        let links = self
            .blocking(move |app| {
                let mut carried = std::collections::HashSet::new();
                for gid in gids {
                    if app.store.order_link(&gid)?.is_some_and(|l| l.bigcommerce_order_id.is_some()) {
                        carried.insert(gid);
                    }
                }
                Ok(carried)
            })
            .await?;
        let mut figures = Vec::with_capacity(orders.len());
        for o in &orders {
            let bigcommerce = if links.contains(&o.id.0) {
                let found = clients.bigcommerce.order_by_external_id(&o.id.0).await.map_err(|e| {
                    ApiError::unavailable(format!("reading BigCommerce's order for {} failed: {e}", o.name))
                })?;
                found.map(|b| Figures {
                    sales: b.total_inc_tax,
                    refunds: b.refunded_amount,
                    tax: b.total_inc_tax - b.total_ex_tax,
                })
            } else {
                None
            };
            figures.push(OrderFigures {
                location: o.retail_location.as_ref().map_or_else(|| "No location".to_string(), |l| l.name.clone()),
                shopify: Figures { sales: o.total, refunds: o.total_refunded, tax: o.total_tax.unwrap_or_default() },
                bigcommerce,
            });
        }
        Ok(ReconcileView { day: request.day, time_zone: zone, rows: reconcile(&figures) })
    }

    /// Saves the reconciliation's CSV in the exports folder (the desktop app's web view cannot
    /// download), answering where.
    pub async fn save_orders_reconcile_csv(&self, request: ReconcileRequest) -> Result<String, ApiError> {
        let csv = self.orders_reconcile_csv(request).await?;
        crate::paths::save_export("tillbridge-reconciliation", "csv", self.now(), &csv)
    }

    /// The reconciliation as CSV, one row per location and the total.
    pub async fn orders_reconcile_csv(&self, request: ReconcileRequest) -> Result<String, ApiError> {
        let view = self.orders_reconcile(request).await?;
        let mut out = crate::csv::line(&[
            "day",
            "time_zone",
            "location",
            "orders",
            "not_carried",
            "shopify_sales",
            "bigcommerce_sales",
            "shopify_refunds",
            "bigcommerce_refunds",
            "shopify_tax",
            "bigcommerce_tax",
            "difference",
        ]);
        let money = |d: rust_decimal::Decimal| format!("{:.2}", d);
        for r in &view.rows {
            out.push_str(&crate::csv::line(&[
                &view.day.to_string(),
                &view.time_zone,
                &r.location,
                &r.orders.to_string(),
                &r.not_carried.to_string(),
                &money(r.shopify.sales),
                &money(r.bigcommerce.sales),
                &money(r.shopify.refunds),
                &money(r.bigcommerce.refunds),
                &money(r.shopify.tax),
                &money(r.bigcommerce.tax),
                &money(r.difference),
            ]));
        }
        Ok(out)
    }
}
