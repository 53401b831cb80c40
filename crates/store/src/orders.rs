//! POS orders carried into BigCommerce: the order links (one per Shopify order, UNIQUE), their
//! refunds, and the customers matched for them.
//!
//! Both links are written ahead of the request that makes them ('creating', 'sending'), so a
//! process that died mid-request knows the create may have landed and looks for it before sending
//! again. Nothing here is personal data: ids, amounts, and a salted hash of an email.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::stock::{CellId, fold_order_decrement_in};
use crate::time::{format_time, parse_time};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderLinkState {
    /// The create was about to be sent (or was, and its answer was lost).
    Creating,
    Created,
    /// Refused by the planner or by BigCommerce; `reason` says what to do.
    NeedsAttention,
    /// A person chose not to carry it: nothing is sent for it again.
    Skipped,
}

impl OrderLinkState {
    pub const ALL: [OrderLinkState; 4] =
        [OrderLinkState::Creating, OrderLinkState::Created, OrderLinkState::NeedsAttention, OrderLinkState::Skipped];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderLinkState::Creating => "creating",
            OrderLinkState::Created => "created",
            OrderLinkState::NeedsAttention => "needs_attention",
            OrderLinkState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<OrderLinkState> {
        OrderLinkState::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// One POS order and what became of it. The money check is `shopify_total` against
/// `bigcommerce_total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderLink {
    pub shopify_order_gid: String,
    pub name: String,
    pub state: OrderLinkState,
    pub bigcommerce_order_id: Option<i64>,
    #[ts(type = "string | null")]
    pub shopify_total: Option<Decimal>,
    #[ts(type = "string | null")]
    pub bigcommerce_total: Option<Decimal>,
    pub currency: Option<String>,
    #[serde(skip)]
    pub sent_digest: Option<String>,
    #[serde(skip)]
    pub seen_version: Option<String>,
    pub seen_updated_at: Option<DateTime<Utc>>,
    /// Shopify line gid → BigCommerce order product id.
    #[serde(skip)]
    pub line_map: BTreeMap<String, i64>,
    pub unmatched_lines: u32,
    pub retail_location_gid: Option<String>,
    pub processed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl OrderLink {
    /// The state as a person reads it.
    pub fn state_label(&self) -> &'static str {
        match self.state {
            OrderLinkState::Creating => "in doubt",
            OrderLinkState::Created => "carried",
            OrderLinkState::NeedsAttention => "needs attention",
            OrderLinkState::Skipped => "skipped",
        }
    }
}

/// What the job knows when it writes a link.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderLinkUpdate {
    pub shopify_order_gid: String,
    pub name: String,
    pub bigcommerce_order_id: Option<i64>,
    pub shopify_total: Option<Decimal>,
    pub bigcommerce_total: Option<Decimal>,
    pub currency: Option<String>,
    pub sent_digest: Option<String>,
    pub seen_version: Option<String>,
    pub seen_updated_at: Option<DateTime<Utc>>,
    pub line_map: BTreeMap<String, i64>,
    pub unmatched_lines: u32,
    pub retail_location_gid: Option<String>,
    pub processed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RefundLinkState {
    Sending,
    Sent,
    /// No money went back (an exchange, a restock alone): nothing for BigCommerce to record.
    NoMoney,
    NeedsAttention,
}

impl RefundLinkState {
    pub const ALL: [RefundLinkState; 4] =
        [RefundLinkState::Sending, RefundLinkState::Sent, RefundLinkState::NoMoney, RefundLinkState::NeedsAttention];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundLinkState::Sending => "sending",
            RefundLinkState::Sent => "sent",
            RefundLinkState::NoMoney => "no_money",
            RefundLinkState::NeedsAttention => "needs_attention",
        }
    }

    pub fn parse(s: &str) -> Option<RefundLinkState> {
        RefundLinkState::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// What the job knows when it writes a refund link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundLinkUpdate<'a> {
    pub shopify_order_gid: &'a str,
    pub shopify_refund_gid: &'a str,
    pub state: RefundLinkState,
    pub bigcommerce_refund_id: Option<i64>,
    pub amount: Decimal,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RefundLink {
    pub shopify_refund_gid: String,
    pub shopify_order_gid: String,
    pub state: RefundLinkState,
    pub bigcommerce_refund_id: Option<i64>,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// What [`Store::seen_order_versions`] answers for an order a person skipped.
pub const EVERY_VERSION: &str = "*";

/// The orders screen's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderLinkCounts {
    pub creating: u64,
    pub created: u64,
    pub needs_attention: u64,
    pub skipped: u64,
    pub refunds_sent: u64,
    pub refunds_needing_attention: u64,
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::UnreadableRow(format!("order_links.{column} holds {value:?}, which this version cannot read"))
}

fn decimal(text: Option<String>, column: &str) -> Result<Option<Decimal>, StoreError> {
    text.map(|t| t.parse::<Decimal>().map_err(|_| corrupt(column, &t))).transpose()
}

fn time(text: Option<String>, column: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.map(|t| parse_time(&t).ok_or_else(|| corrupt(column, &t))).transpose()
}

const LINK_COLUMNS: &str = "shopify_order_gid, name, state, bigcommerce_order_id, shopify_total, bigcommerce_total,
     currency, sent_digest, seen_version, seen_updated_at, line_map, unmatched_lines, retail_location_gid, processed_at, reason,
     updated_at";

type RawLink = (
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    u32,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn raw_link(r: &Row<'_>) -> rusqlite::Result<RawLink> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
        r.get(15)?,
    ))
}

fn link_of(raw: RawLink) -> Result<OrderLink, StoreError> {
    let (
        gid,
        name,
        state,
        bc_id,
        sh_total,
        bc_total,
        currency,
        digest,
        version,
        seen,
        map,
        unmatched,
        location,
        at,
        reason,
        up,
    ) = raw;
    Ok(OrderLink {
        state: OrderLinkState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        shopify_total: decimal(sh_total, "shopify_total")?,
        bigcommerce_total: decimal(bc_total, "bigcommerce_total")?,
        seen_updated_at: time(seen, "seen_updated_at")?,
        line_map: serde_json::from_str(&map).map_err(|_| corrupt("line_map", &map))?,
        processed_at: time(at, "processed_at")?,
        updated_at: parse_time(&up).ok_or_else(|| corrupt("updated_at", &up))?,
        shopify_order_gid: gid,
        name,
        bigcommerce_order_id: bc_id,
        currency,
        sent_digest: digest,
        seen_version: version,
        unmatched_lines: unmatched,
        retail_location_gid: location,
        reason,
    })
}

type RawRefund = (String, String, String, Option<i64>, String, Option<String>, String);

fn refund_of(r: &Row<'_>) -> rusqlite::Result<RawRefund> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

/// Writes a link in `state`, whatever it held before: each call records what the job now knows.
/// A link once 'created' is never sent back to 'creating' (the BigCommerce order exists).
fn save_link_in(
    tx: &Transaction<'_>,
    state: OrderLinkState,
    link: &OrderLinkUpdate,
    map: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let current: Option<String> = tx
        .query_row("SELECT state FROM order_links WHERE shopify_order_gid = ?1", [&link.shopify_order_gid], |r| {
            r.get(0)
        })
        .optional()?;
    if current.as_deref() == Some("created") && state == OrderLinkState::Creating {
        return Err(StoreError::Refused(format!(
            "order {} already has its BigCommerce order; it is not created again",
            link.shopify_order_gid
        )));
    }
    tx.execute(
        "INSERT INTO order_links (shopify_order_gid, name, state, bigcommerce_order_id, shopify_total,
             bigcommerce_total, currency, sent_digest, seen_version, seen_updated_at, line_map,
             unmatched_lines, retail_location_gid, processed_at, reason, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)
         ON CONFLICT (shopify_order_gid) DO UPDATE SET
             name = excluded.name, state = excluded.state,
             bigcommerce_order_id = COALESCE(excluded.bigcommerce_order_id, bigcommerce_order_id),
             shopify_total = excluded.shopify_total,
             bigcommerce_total = COALESCE(excluded.bigcommerce_total, bigcommerce_total),
             currency = excluded.currency,
             sent_digest = COALESCE(excluded.sent_digest, sent_digest),
             seen_version = COALESCE(excluded.seen_version, seen_version),
             seen_updated_at = COALESCE(excluded.seen_updated_at, seen_updated_at),
             line_map = CASE WHEN excluded.line_map = '{}' THEN line_map ELSE excluded.line_map END,
             unmatched_lines = excluded.unmatched_lines,
             retail_location_gid = excluded.retail_location_gid,
             processed_at = excluded.processed_at, reason = excluded.reason, updated_at = excluded.updated_at",
        params![
            link.shopify_order_gid,
            link.name,
            state.as_str(),
            link.bigcommerce_order_id,
            link.shopify_total.map(|d| d.to_string()),
            link.bigcommerce_total.map(|d| d.to_string()),
            link.currency,
            link.sent_digest,
            link.seen_version,
            link.seen_updated_at.map(format_time),
            map,
            link.unmatched_lines,
            link.retail_location_gid,
            link.processed_at.map(format_time),
            link.reason,
            format_time(now)
        ],
    )?;
    Ok(())
}

impl Store {
    pub fn order_link(&self, shopify_order_gid: &str) -> Result<Option<OrderLink>, StoreError> {
        let raw = self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {LINK_COLUMNS} FROM order_links WHERE shopify_order_gid = ?1"),
                [shopify_order_gid],
                raw_link,
            )
            .optional()?)
        })?;
        raw.map(link_of).transpose()
    }

    /// The newest links first, optionally in one state only and sold since an instant.
    pub fn order_links(
        &self,
        state: Option<OrderLinkState>,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<OrderLink>, StoreError> {
        let raws: Vec<RawLink> = self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {LINK_COLUMNS} FROM order_links
                 WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR processed_at >= ?2)
                 ORDER BY processed_at DESC, shopify_order_gid DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![state.map(|s| s.as_str()), since.map(format_time), limit], raw_link)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        raws.into_iter().map(link_of).collect()
    }

    /// Writes a link in `state`, whatever it held before: each call records what the job now knows.
    /// A link once 'created' is never sent back to 'creating' (the BigCommerce order exists).
    pub fn save_order_link(
        &self,
        state: OrderLinkState,
        link: &OrderLinkUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let map = serde_json::to_string(&link.line_map).map_err(|e| StoreError::UnreadableRow(e.to_string()))?;
        self.write(|tx| save_link_in(tx, state, link, &map, now))
    }

    /// Records what was carried for a created order: the edit last sent, and the Shopify version
    /// whose edits and refunds are all in BigCommerce now (intake then skips that version).
    pub fn note_order_carried(
        &self,
        shopify_order_gid: &str,
        sent_digest: Option<&str>,
        seen: Option<(&str, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE order_links SET sent_digest = COALESCE(?2, sent_digest),
                     seen_version = COALESCE(?3, seen_version), seen_updated_at = COALESCE(?4, seen_updated_at),
                     updated_at = ?5
                 WHERE shopify_order_gid = ?1 AND state = 'created'",
                params![
                    shopify_order_gid,
                    sent_digest,
                    seen.map(|(v, _)| v),
                    seen.map(|(_, t)| format_time(t)),
                    format_time(now)
                ],
            )?;
            Ok(())
        })
    }

    /// Saves which BigCommerce order product each Shopify line of a created order became.
    pub fn save_line_map(
        &self,
        shopify_order_gid: &str,
        line_map: &BTreeMap<String, i64>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let map = serde_json::to_string(line_map).map_err(|e| StoreError::UnreadableRow(e.to_string()))?;
        self.write(|tx| {
            tx.execute(
                "UPDATE order_links SET line_map = ?2, updated_at = ?3 WHERE shopify_order_gid = ?1",
                params![shopify_order_gid, map, format_time(now)],
            )?;
            Ok(())
        })
    }

    /// The Shopify order versions already carried, for the orders in `gids`: intake skips them. A
    /// skipped order is in step at every version ([`EVERY_VERSION`]).
    pub fn seen_order_versions(&self, gids: &[String]) -> Result<HashMap<String, String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT CASE WHEN state = 'skipped' THEN '{EVERY_VERSION}' ELSE seen_version END FROM order_links
                 WHERE shopify_order_gid = ?1 AND state IN ('created', 'skipped')"
            ))?;
            let mut out = HashMap::new();
            for gid in gids {
                let seen: Option<Option<String>> = stmt.query_row([gid], |r| r.get(0)).optional()?;
                if let Some(version) = seen.flatten() {
                    out.insert(gid.clone(), version);
                }
            }
            Ok(out)
        })
    }

    /// Marks an order a person chose not to carry. Refused for an order already carried.
    pub fn skip_order(&self, shopify_order_gid: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            let state: Option<String> = tx
                .query_row("SELECT state FROM order_links WHERE shopify_order_gid = ?1", [shopify_order_gid], |r| {
                    r.get(0)
                })
                .optional()?;
            match state.as_deref() {
                Some("created") => Err(StoreError::Refused(format!(
                    "order {shopify_order_gid} is in BigCommerce already; skipping it would change nothing there"
                ))),
                Some("creating") => Err(StoreError::Refused(format!(
                    "order {shopify_order_gid} may be in BigCommerce already (its create's answer was lost): retry it, which finds it if it was made"
                ))),
                None => Err(StoreError::Refused(format!("Tillbridge has not seen order {shopify_order_gid} yet"))),
                Some(_) => {
                    tx.execute(
                        "UPDATE order_links SET state = 'skipped', updated_at = ?2 WHERE shopify_order_gid = ?1",
                        params![shopify_order_gid, format_time(now)],
                    )?;
                    tx.execute("DELETE FROM order_stock_holds WHERE shopify_order_gid = ?1", [shopify_order_gid])?;
                    Ok(())
                }
            }
        })
    }

    pub fn order_link_counts(&self) -> Result<OrderLinkCounts, StoreError> {
        self.read(|c| {
            let mut counts = OrderLinkCounts::default();
            let mut stmt = c.prepare("SELECT state, COUNT(*) FROM order_links GROUP BY state")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))? {
                let (state, n) = row?;
                match OrderLinkState::parse(&state) {
                    Some(OrderLinkState::Creating) => counts.creating = n,
                    Some(OrderLinkState::Created) => counts.created = n,
                    Some(OrderLinkState::NeedsAttention) => counts.needs_attention = n,
                    Some(OrderLinkState::Skipped) => counts.skipped = n,
                    None => return Err(corrupt("state", &state)),
                }
            }
            let mut stmt = c.prepare("SELECT state, COUNT(*) FROM refund_links GROUP BY state")?;
            for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))? {
                let (state, n) = row?;
                match RefundLinkState::parse(&state) {
                    Some(RefundLinkState::Sent) => counts.refunds_sent = n,
                    Some(RefundLinkState::NeedsAttention) => counts.refunds_needing_attention = n,
                    Some(_) => {}
                    None => return Err(corrupt("refund state", &state)),
                }
            }
            Ok(counts)
        })
    }

    pub fn refund_links(&self, shopify_order_gid: &str) -> Result<Vec<RefundLink>, StoreError> {
        let raws = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT shopify_refund_gid, shopify_order_gid, state, bigcommerce_refund_id, amount, reason, updated_at
                 FROM refund_links WHERE shopify_order_gid = ?1 ORDER BY created_at, shopify_refund_gid",
            )?;
            let rows = stmt.query_map([shopify_order_gid], refund_of)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        raws.into_iter()
            .map(|(refund, order, state, bc_id, amount, reason, up)| {
                Ok(RefundLink {
                    state: RefundLinkState::parse(&state).ok_or_else(|| corrupt("refund state", &state))?,
                    amount: amount.parse().map_err(|_| corrupt("refund amount", &amount))?,
                    updated_at: parse_time(&up).ok_or_else(|| corrupt("refund updated_at", &up))?,
                    shopify_refund_gid: refund,
                    shopify_order_gid: order,
                    bigcommerce_refund_id: bc_id,
                    reason,
                })
            })
            .collect()
    }

    pub fn save_refund_link(&self, link: &RefundLinkUpdate<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
        let RefundLinkUpdate { shopify_order_gid, shopify_refund_gid, state, bigcommerce_refund_id, amount, reason } =
            *link;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO refund_links (shopify_refund_gid, shopify_order_gid, state, bigcommerce_refund_id, amount,
                     reason, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                 ON CONFLICT (shopify_refund_gid) DO UPDATE SET state = excluded.state,
                     bigcommerce_refund_id = COALESCE(excluded.bigcommerce_refund_id, bigcommerce_refund_id),
                     amount = excluded.amount, reason = excluded.reason, updated_at = excluded.updated_at",
                params![
                    shopify_refund_gid,
                    shopify_order_gid,
                    state.as_str(),
                    bigcommerce_refund_id,
                    amount.to_string(),
                    reason,
                    format_time(now)
                ],
            )?;
            Ok(())
        })
    }

    /// Holds the stock cells at BigCommerce location `location` of the variants an order being created
    /// sells (`lines`: BigCommerce variant, units), so the stock planner leaves them alone until the
    /// order's own decrement is folded in. Holding again is harmless. Returns how many cells.
    pub fn hold_stock_for_order(
        &self,
        shopify_order_gid: &str,
        location: i64,
        lines: &[(i64, i64)],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut held = 0;
            for (variant, quantity) in lines {
                held += tx
                    .prepare_cached(
                        "INSERT INTO order_stock_holds (shopify_order_gid, pair_id, bigcommerce_variant_id,
                             shopify_item_id, quantity)
                         SELECT ?1, c.pair_id, c.bigcommerce_variant_id, c.shopify_item_id, ?4
                         FROM stock_cells c JOIN location_pairs p ON p.id = c.pair_id
                         WHERE p.bigcommerce_location_id = ?2 AND c.bigcommerce_variant_id = ?3
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![shopify_order_gid, location, variant, quantity])?;
            }
            Ok(held)
        })
    }

    /// Lets the stock planner have an order's cells again (its create was refused: nothing was taken).
    pub fn release_stock_holds(&self, shopify_order_gid: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM order_stock_holds WHERE shopify_order_gid = ?1", [shopify_order_gid])?;
            Ok(())
        })
    }

    /// Whether an order holds stock cells (it was about to be sent, or was).
    pub fn holds_stock(&self, shopify_order_gid: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM order_stock_holds WHERE shopify_order_gid = ?1)",
                [shopify_order_gid],
                |r| r.get(0),
            )?)
        })
    }

    /// Every cell an order being created holds.
    pub fn held_stock_cells(&self) -> Result<std::collections::HashSet<CellId>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT pair_id, bigcommerce_variant_id, shopify_item_id FROM order_stock_holds")?;
            let rows = stmt.query_map([], |r| {
                Ok(CellId { pair_id: r.get(0)?, bigcommerce_variant_id: r.get(1)?, shopify_item_id: r.get(2)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Records an order as created and, in the same transaction, folds BigCommerce's decrement for
    /// it into the cells it held and lets them go: a rerun after a crash finds the link created and
    /// never folds twice. Returns how many cells were folded.
    pub fn complete_order_create(
        &self,
        link: &OrderLinkUpdate,
        now: DateTime<Utc>,
        echo_window: chrono::Duration,
    ) -> Result<usize, StoreError> {
        let map = serde_json::to_string(&link.line_map).map_err(|e| StoreError::UnreadableRow(e.to_string()))?;
        self.write(|tx| {
            let holds: Vec<(CellId, i64)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT pair_id, bigcommerce_variant_id, shopify_item_id, quantity FROM order_stock_holds
                     WHERE shopify_order_gid = ?1",
                )?;
                let rows = stmt.query_map([&link.shopify_order_gid], |r| {
                    Ok((
                        CellId { pair_id: r.get(0)?, bigcommerce_variant_id: r.get(1)?, shopify_item_id: r.get(2)? },
                        r.get(3)?,
                    ))
                })?;
                rows.collect::<Result<_, _>>()?
            };
            let mut folded = 0;
            for (cell, quantity) in &holds {
                folded += usize::from(fold_order_decrement_in(tx, cell, *quantity, now, echo_window)?);
            }
            tx.execute("DELETE FROM order_stock_holds WHERE shopify_order_gid = ?1", [&link.shopify_order_gid])?;
            save_link_in(tx, OrderLinkState::Created, link, &map, now)?;
            Ok(folded)
        })
    }

    /// Whether a Shopify customer's marketing consent was carried to BigCommerce's newsletter.
    pub fn newsletter_carried(&self, shopify_customer_gid: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT EXISTS (SELECT 1 FROM newsletter_subscriptions WHERE shopify_customer_gid = ?1)",
                [shopify_customer_gid],
                |r| r.get(0),
            )?)
        })
    }

    pub fn record_newsletter(&self, shopify_customer_gid: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO newsletter_subscriptions (shopify_customer_gid, subscribed_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![shopify_customer_gid, format_time(now)],
            )?;
            Ok(())
        })
    }

    /// The BigCommerce customer linked to a Shopify customer.
    pub fn customer_link(&self, shopify_customer_gid: &str) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT bigcommerce_customer_id FROM customer_links WHERE shopify_customer_gid = ?1",
                [shopify_customer_gid],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    pub fn save_customer_link(
        &self,
        shopify_customer_gid: &str,
        bigcommerce_customer_id: i64,
        email_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO customer_links (shopify_customer_gid, bigcommerce_customer_id, email_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (shopify_customer_gid) DO UPDATE SET
                     bigcommerce_customer_id = excluded.bigcommerce_customer_id, email_hash = excluded.email_hash",
                params![shopify_customer_gid, bigcommerce_customer_id, email_hash, format_time(now)],
            )?;
            Ok(())
        })
    }

    /// Shopify variant gid → the matched BigCommerce (product id, variant id), for the variants in
    /// `gids` that the catalog sync has matched.
    pub fn matched_bigcommerce_variants(&self, gids: &[String]) -> Result<HashMap<String, (i64, i64)>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT b.product_id, b.variant_id FROM synced_pairs p
                 JOIN bigcommerce_baseline b ON b.variant_id = p.bigcommerce_variant_id
                 WHERE p.shopify_variant_id = ?1",
            )?;
            let mut out = HashMap::new();
            for gid in gids {
                if let Some(ids) = stmt.query_row([gid], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
                    out.insert(gid.clone(), ids);
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 9, minute, 0).unwrap()
    }

    fn link(gid: &str) -> OrderLinkUpdate {
        OrderLinkUpdate {
            shopify_order_gid: gid.into(),
            name: "#1001".into(),
            shopify_total: Some(Decimal::new(4860, 2)),
            processed_at: Some(at(0)),
            ..OrderLinkUpdate::default()
        }
    }

    #[test]
    fn a_created_order_is_never_written_back_to_creating() {
        let store = Store::open_in_memory(at(0)).unwrap();
        let gid = "gid://shopify/Order/1";
        store.save_order_link(OrderLinkState::Creating, &link(gid), at(1)).unwrap();
        let created = OrderLinkUpdate {
            bigcommerce_order_id: Some(100),
            line_map: BTreeMap::from([("gid://shopify/LineItem/1".into(), 7)]),
            ..link(gid)
        };
        store.save_order_link(OrderLinkState::Created, &created, at(2)).unwrap();
        assert!(
            store.save_order_link(OrderLinkState::Creating, &link(gid), at(3)).is_err(),
            "a second create of an order that has its BigCommerce order would make a duplicate"
        );
        let saved = store.order_link(gid).unwrap().unwrap();
        assert_eq!((saved.state, saved.bigcommerce_order_id), (OrderLinkState::Created, Some(100)), "the link stands");
        store.save_order_link(OrderLinkState::Created, &link(gid), at(4)).unwrap();
        let again = store.order_link(gid).unwrap().unwrap();
        assert_eq!(again.bigcommerce_order_id, Some(100), "an update that does not know the order id keeps it");
        assert_eq!(again.line_map.len(), 1, "and keeps the line map refunds need");
        assert_eq!(again.shopify_total, Some(Decimal::new(4860, 2)), "money reads back exactly");
    }

    #[test]
    fn counts_follow_the_states_of_orders_and_refunds() {
        let store = Store::open_in_memory(at(0)).unwrap();
        store.save_order_link(OrderLinkState::Created, &link("gid://shopify/Order/1"), at(1)).unwrap();
        store
            .save_order_link(
                OrderLinkState::NeedsAttention,
                &OrderLinkUpdate { reason: Some("refused".into()), ..link("gid://shopify/Order/2") },
                at(1),
            )
            .unwrap();
        let sending = RefundLinkUpdate {
            shopify_order_gid: "gid://shopify/Order/1",
            shopify_refund_gid: "gid://shopify/Refund/9",
            state: RefundLinkState::Sending,
            bigcommerce_refund_id: None,
            amount: Decimal::new(2430, 2),
            reason: None,
        };
        store.save_refund_link(&sending, at(2)).unwrap();
        let sent = RefundLinkUpdate { state: RefundLinkState::Sent, bigcommerce_refund_id: Some(5), ..sending };
        store.save_refund_link(&sent, at(3)).unwrap();
        let counts = store.order_link_counts().unwrap();
        assert_eq!(
            (counts.created, counts.needs_attention, counts.refunds_sent),
            (1, 1, 1),
            "one of each, and the refund's write-ahead row became its sent row rather than a second one"
        );
        let refunds = store.refund_links("gid://shopify/Order/1").unwrap();
        assert_eq!(refunds[0].bigcommerce_refund_id, Some(5), "the BigCommerce refund is linked");
        let attention = store.order_links(Some(OrderLinkState::NeedsAttention), None, 10).unwrap();
        assert_eq!(attention.len(), 1, "the filter keeps only orders that need a person");
        assert_eq!(attention[0].reason.as_deref(), Some("refused"), "with the reason");
    }
}
