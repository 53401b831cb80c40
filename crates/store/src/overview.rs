//! What the home screen and its charts count across the capabilities' tables: read-only, no table
//! of its own. Times are stored as fixed-width UTC text (`2026-12-07T06:31:00.000Z`), so a range is
//! a string comparison and an hour is the first 13 characters.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::time::{format_time, parse_time};
use crate::{Store, StoreError, System};

/// Work done and owed on the queue: written since a moment, failed and waiting now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct QueueTotals {
    /// Jobs that landed since the moment asked about.
    pub written: u64,
    /// Jobs waiting for a retry or given up (a person decides): the Failed list.
    pub failed: u64,
    /// Jobs queued or on the wire.
    pub waiting: u64,
}

/// One hour of one store's outbound requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct QuotaHour {
    pub system: System,
    /// The hour's start.
    pub hour: DateTime<Utc>,
    pub requests: u64,
    /// Requests the store refused for its rate limit (429, or a throttled GraphQL query).
    pub throttled: u64,
    /// The least quota left the store reported in the hour: requests (BigCommerce) or cost points
    /// (Shopify); None when no answer said.
    pub least_left: Option<i64>,
}

/// POS orders carried into BigCommerce in one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrdersHour {
    pub hour: DateTime<Utc>,
    pub orders: u64,
}

/// The first moment of `t`'s hour, as stored text.
fn hour_text(t: DateTime<Utc>) -> String {
    format!("{}:00:00.000Z", &format_time(t)[..13])
}

/// The first moment of `t`'s hour: where the hourly series start.
pub fn hour_start(t: DateTime<Utc>) -> DateTime<Utc> {
    parse_time(&hour_text(t)).unwrap_or(t)
}

fn hour_of(text: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_time(&format!("{text}:00:00.000Z"))
        .ok_or_else(|| StoreError::UnreadableRow(format!("an hour {text:?} this version cannot read")))
}

impl Store {
    pub fn queue_totals(&self, since: DateTime<Utc>) -> Result<QueueTotals, StoreError> {
        self.read(|c| {
            let (written, failed, waiting) = c.query_row(
                "SELECT COALESCE(SUM(state = 'done' AND updated_at >= ?1), 0),
                        COALESCE(SUM(state IN ('failed', 'dead')), 0),
                        COALESCE(SUM(state IN ('pending', 'running')), 0)
                 FROM jobs",
                [format_time(since)],
                |r| Ok((r.get::<_, u64>(0)?, r.get::<_, u64>(1)?, r.get::<_, u64>(2)?)),
            )?;
            Ok(QueueTotals { written, failed, waiting })
        })
    }

    /// Stock writes that landed since `since`: each moved one item's stock at one location of
    /// one store.
    pub fn stock_moved_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM jobs WHERE capability = 'stock' AND state = 'done' AND updated_at >= ?1",
                [format_time(since)],
                |r| r.get(0),
            )?)
        })
    }

    /// POS orders whose BigCommerce order was made since `since`.
    pub fn orders_carried_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM order_links WHERE state = 'created' AND created_at >= ?1",
                [format_time(since)],
                |r| r.get(0),
            )?)
        })
    }

    /// Open stock conflicts: each waits for a person's click.
    pub fn open_stock_conflicts(&self) -> Result<u64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM stock_conflicts WHERE state = 'open'", [], |r| r.get(0))?))
    }

    /// Each store's outbound requests per hour over the `hours` up to `now`, oldest first; hours
    /// with no request are left out (the chart draws them as zero).
    pub fn quota_by_hour(&self, now: DateTime<Utc>, hours: i64) -> Result<Vec<QuotaHour>, StoreError> {
        let from = hour_text(now - Duration::hours(hours - 1));
        let rows = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT system, substr(at, 1, 13), COUNT(*), COALESCE(SUM(outcome = 'rate_limited'), 0), MIN(budget_left)
                 FROM audit_log WHERE direction = 'outbound' AND at >= ?1
                 GROUP BY system, substr(at, 1, 13) ORDER BY 2, 1",
            )?;
            let rows = stmt.query_map([from], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u64>(2)?,
                    r.get::<_, u64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter()
            .map(|(system, hour, requests, throttled, least_left)| {
                Ok(QuotaHour {
                    system: System::parse(&system).ok_or_else(|| {
                        StoreError::UnreadableRow(format!(
                            "audit_log.system holds {system:?}, which this version cannot read"
                        ))
                    })?,
                    hour: hour_of(&hour)?,
                    requests,
                    throttled,
                    least_left,
                })
            })
            .collect()
    }

    /// POS orders carried per hour over the `hours` up to `now`, oldest first; empty hours left out.
    pub fn orders_by_hour(&self, now: DateTime<Utc>, hours: i64) -> Result<Vec<OrdersHour>, StoreError> {
        let from = hour_text(now - Duration::hours(hours - 1));
        let rows = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT substr(created_at, 1, 13), COUNT(*) FROM order_links
                 WHERE state = 'created' AND created_at >= ?1 GROUP BY 1 ORDER BY 1",
            )?;
            let rows = stmt.query_map([from], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        rows.into_iter().map(|(hour, orders)| Ok(OrdersHour { hour: hour_of(&hour)?, orders })).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_read_back_as_the_moment_it_starts() {
        let t = parse_time("2026-12-07T06:31:12.345Z").unwrap();
        let hour = hour_text(t);
        assert_eq!(hour, "2026-12-07T06:00:00.000Z", "the hour keeps the date and the hour, and zeroes the rest");
        assert_eq!(hour_of(&hour[..13]).unwrap(), parse_time("2026-12-07T06:00:00Z").unwrap());
        assert!(hour_of("2026-12-07T6").is_err(), "a malformed hour is an error, not midnight");
    }
}
