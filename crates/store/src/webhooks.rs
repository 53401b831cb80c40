//! The webhook inbox (one row per event received, deduplicated on the source's own event id) and
//! the privacy requests honoured, with what each removed. Ids and counts only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use crate::columns::{optional_time_at, time_at};
use crate::time::format_time;
use crate::{Store, StoreError};

/// A delivery to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// "shopify" or "bigcommerce".
    pub source: &'static str,
    pub delivery_key: String,
    pub topic: String,
    pub resource: Option<String>,
    pub triggered_at: Option<DateTime<Utc>>,
    pub woke: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxRecord {
    pub id: i64,
    pub source: String,
    pub delivery_key: String,
    pub topic: String,
    pub resource: Option<String>,
    pub triggered_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub woke: String,
    pub note: Option<String>,
}

/// Records a delivery unless its event was received before. True when it is new.
pub fn record_delivery_in(tx: &Transaction<'_>, entry: &InboxEntry, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO webhook_inbox (source, delivery_key, topic, resource, triggered_at, received_at,
                 woke, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            entry.source,
            entry.delivery_key,
            entry.topic,
            entry.resource,
            entry.triggered_at.map(format_time),
            format_time(now),
            entry.woke,
            entry.note,
        ])?;
    Ok(inserted == 1)
}

/// How long received events are remembered for dedupe. Shopify retries for 4 hours and may deliver
/// a day late; BigCommerce retries for about 48 hours. Thirty days covers both with room.
pub const INBOX_KEPT_DAYS: i64 = 30;

/// What a customer's redaction removed, per table.
pub type Removed = BTreeMap<&'static str, u64>;

/// Removes every stored trace of a customer: the link to their BigCommerce customer (with the
/// salted email hash), their newsletter record, and the reasons written on the orders named (which
/// may quote them). The order links themselves hold only ids and stay, so no order is ever carried
/// twice.
pub fn redact_customer_in(
    tx: &Transaction<'_>,
    shopify_customer_gid: Option<&str>,
    email_hash: Option<&str>,
    orders: &[String],
) -> Result<Removed, StoreError> {
    let mut removed = Removed::new();
    let links = tx
        .prepare_cached("DELETE FROM customer_links WHERE shopify_customer_gid = ?1 OR email_hash = ?2")?
        .execute(params![shopify_customer_gid, email_hash])?;
    removed.insert("customer_links", links as u64);
    let news = tx
        .prepare_cached("DELETE FROM newsletter_subscriptions WHERE shopify_customer_gid = ?1")?
        .execute(params![shopify_customer_gid])?;
    removed.insert("newsletter_subscriptions", news as u64);
    let mut reasons = 0;
    for gid in orders {
        reasons += tx
            .prepare_cached("UPDATE order_links SET reason = NULL WHERE shopify_order_gid = ?1 AND reason IS NOT NULL")?
            .execute([gid])?;
    }
    removed.insert("order_reasons", reasons as u64);
    Ok(removed)
}

/// Everything stored about a customer, for a data request: the link (ids, no email) and whether a
/// newsletter subscription was carried.
pub fn customer_data_in(
    tx: &Transaction<'_>,
    shopify_customer_gid: Option<&str>,
    email_hash: Option<&str>,
) -> Result<serde_json::Value, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT shopify_customer_gid, bigcommerce_customer_id, created_at FROM customer_links
         WHERE shopify_customer_gid = ?1 OR email_hash = ?2",
    )?;
    let links: Vec<serde_json::Value> = stmt
        .query_map(params![shopify_customer_gid, email_hash], |r| {
            Ok(serde_json::json!({
                "shopify_customer": r.get::<_, String>(0)?,
                "bigcommerce_customer_id": r.get::<_, i64>(1)?,
                "linked_at": r.get::<_, String>(2)?,
            }))
        })?
        .collect::<Result<_, _>>()?;
    let gids: Vec<String> = links.iter().filter_map(|l| l["shopify_customer"].as_str().map(str::to_string)).collect();
    let mut newsletter = Vec::new();
    for gid in gids.iter().map(String::as_str).chain(shopify_customer_gid) {
        let found: Option<String> = tx
            .prepare_cached("SELECT subscribed_at FROM newsletter_subscriptions WHERE shopify_customer_gid = ?1")?
            .query_row([gid], |r| r.get(0))
            .ok();
        if let Some(at) = found {
            newsletter.push(serde_json::json!({ "shopify_customer": gid, "subscribed_at": at }));
        }
    }
    newsletter.dedup();
    Ok(serde_json::json!({
        "customer_links": links,
        "newsletter_subscriptions": newsletter,
        "note": "Tillbridge stores no name, email, phone or address. Orders are linked by id only.",
    }))
}

/// The tables that hold the shop's data, emptied by a shop redaction; the audit log (ids, statuses
/// and times) and the privacy log stay as the record of what was done.
const SHOP_TABLES: &[&str] = &[
    "customer_links",
    "newsletter_subscriptions",
    "refund_links",
    "order_stock_holds",
    "order_links",
    "stock_drift",
    "stock_validations",
    "stock_conflicts",
    "stock_cells",
    "location_pairs",
    "webhook_inbox",
    "job_attempts",
    "jobs",
    "sync_changes",
    "synced_pairs",
    "mapping_records",
    "mapping_decisions",
    "shopify_baseline",
    "shopify_variants",
    "sync_cursors",
];

/// Removes the shop's data: every table in [`SHOP_TABLES`], and the settings that hold cursors and
/// stock bookkeeping keyed by the shop's ids.
pub fn redact_shop_in(tx: &Transaction<'_>) -> Result<Removed, StoreError> {
    let mut removed = Removed::new();
    for table in SHOP_TABLES {
        let n = tx.execute(&format!("DELETE FROM {table}"), [])?;
        removed.insert(table, n as u64);
    }
    let settings = tx.execute(
        "DELETE FROM settings WHERE key LIKE 'stock.%' OR key LIKE 'orders.cursor%' OR key LIKE 'webhooks.%'",
        [],
    )?;
    removed.insert("settings", settings as u64);
    Ok(removed)
}

/// Records a privacy request and what was done, in counts.
pub fn record_privacy_in(
    tx: &Transaction<'_>,
    kind: &str,
    origin: &str,
    outcome: &Removed,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let outcome = serde_json::to_string(outcome).map_err(|e| StoreError::Refused(e.to_string()))?;
    tx.prepare_cached("INSERT INTO privacy_requests (kind, origin, received_at, outcome) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![kind, origin, format_time(now), outcome])?;
    Ok(())
}

impl Store {
    /// The latest deliveries received, newest first.
    pub fn inbox(&self, limit: u32) -> Result<Vec<InboxRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, source, delivery_key, topic, resource, triggered_at, received_at, woke, note
                 FROM webhook_inbox ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([limit], |r| {
                    Ok(InboxRecord {
                        id: r.get(0)?,
                        source: r.get(1)?,
                        delivery_key: r.get(2)?,
                        topic: r.get(3)?,
                        resource: r.get(4)?,
                        triggered_at: optional_time_at(r, 5)?,
                        received_at: time_at(r, 6)?,
                        woke: r.get(7)?,
                        note: r.get(8)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// Forgets deliveries received more than [`INBOX_KEPT_DAYS`] before `now`.
    pub fn prune_inbox(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let cutoff = format_time(now - chrono::Duration::days(INBOX_KEPT_DAYS));
        self.write(|tx| Ok(tx.execute("DELETE FROM webhook_inbox WHERE received_at < ?1", [cutoff])? as u64))
    }
}
