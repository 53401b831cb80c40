//! When a stock poll must read BigCommerce's inventory whole, and when one request for the orders
//! changed since the last look is enough.
//!
//! BigCommerce has no changed-since query for inventory, and reading it whole costs a request per
//! 1,000 items. Most of its stock moves come from orders (a sale, a refund, a cancellation), and an
//! order's change moves its `date_modified`. So a poll first asks for the orders modified since the
//! cursor, newest first, one page: the same answer as last time means no order moved. BigCommerce
//! is read whole when that answer changed, when Tillbridge itself changed its stock, for a while
//! after either (BigCommerce applies inventory changes asynchronously, so a read right after may
//! not show them yet), and every [`SCAN_EVERY`] regardless: the scan that catches edits made in
//! its control panel, which no order records.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How often a poll reads BigCommerce whole even when no order moved.
pub const SCAN_EVERY: Duration = Duration::minutes(5);
/// How far before the cursor the orders query starts: an order saved a moment before the last
/// query may carry an earlier time than one already seen. Seeing a change twice costs a read.
pub const ORDER_OVERLAP: Duration = Duration::seconds(60);
/// How long after a change BigCommerce may still show the stock from before it.
pub const CATCH_UP: Duration = Duration::seconds(60);

/// What the last polls learned about BigCommerce's orders and reads; kept between polls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigCommerceWatch {
    /// Whether the orders were ever looked at (a store may have none).
    pub looked: bool,
    /// The newest order change seen, by BigCommerce's clock.
    pub cursor: Option<DateTime<Utc>>,
    /// The orders modified within [`ORDER_OVERLAP`] before the cursor, as (id, Unix seconds),
    /// sorted: what the next query answers when nothing moved.
    pub recent: Vec<(i64, i64)>,
    /// When the last whole read started, by our clock.
    pub last_whole_read: Option<DateTime<Utc>>,
    /// A whole read must start after this (our clock) to be sure it shows the last change.
    pub confirm_after: Option<DateTime<Utc>>,
}

/// Why a poll reads BigCommerce whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WholeRead {
    /// Never read whole yet, or some item there has never been seen.
    FirstRead,
    /// An order was placed, edited, refunded or cancelled since the last look.
    OrdersMoved,
    /// Tillbridge changed the stock there, or an order moved, less than [`CATCH_UP`] before the
    /// last whole read: that read may not have shown it.
    CatchingUp,
    /// [`SCAN_EVERY`] has passed since the last whole read.
    Scan,
}

impl WholeRead {
    pub fn describe(self) -> &'static str {
        match self {
            WholeRead::FirstRead => "read whole: some items there have not been seen yet",
            WholeRead::OrdersMoved => "read whole: an order changed since the last look",
            WholeRead::CatchingUp => "read whole: a recent change may not have shown in the last read",
            WholeRead::Scan => "read whole: the periodic scan for edits no order records",
        }
    }
}

impl BigCommerceWatch {
    /// Where the orders query starts (None: the newest orders of all time).
    pub fn orders_since(&self) -> Option<DateTime<Utc>> {
        self.cursor.map(|c| c - ORDER_OVERLAP)
    }

    /// Takes in the orders the query from [`Self::orders_since`] answered, as (id, modified), at
    /// `now`. Returns whether they show a change since the last look.
    pub fn observe_orders(&mut self, orders: &[(i64, DateTime<Utc>)], now: DateTime<Utc>) -> bool {
        let from = self.orders_since().map(|t| t.timestamp());
        let mut seen: Vec<(i64, i64)> =
            orders.iter().map(|(id, t)| (*id, t.timestamp())).filter(|(_, t)| from.is_none_or(|f| *t >= f)).collect();
        seen.sort_unstable();
        seen.dedup();
        let changed = !self.looked || seen != self.recent;
        self.looked = true;
        let newest = orders.iter().map(|(_, t)| *t).max();
        let cursor = match (self.cursor, newest) {
            (Some(c), Some(n)) => Some(c.max(n)),
            (c, n) => c.or(n),
        };
        if let Some(c) = cursor {
            let from = (c - ORDER_OVERLAP).timestamp();
            seen.retain(|(_, t)| *t >= from);
        }
        self.cursor = cursor;
        self.recent = seen;
        if changed {
            self.confirm_after = Some(self.confirm_after.map_or(now + CATCH_UP, |t| t.max(now + CATCH_UP)));
        }
        changed
    }

    /// Whether this poll must read BigCommerce whole, given whether the orders moved, whether every
    /// item there has been seen, and the latest time a change there is known of: the end of the echo
    /// windows of our own writes, or a webhook that said its stock changed.
    pub fn whole_read(
        &self,
        now: DateTime<Utc>,
        orders_moved: bool,
        all_seen: bool,
        latest_known: Option<DateTime<Utc>>,
    ) -> Option<WholeRead> {
        let Some(last) = self.last_whole_read else { return Some(WholeRead::FirstRead) };
        if !all_seen {
            return Some(WholeRead::FirstRead);
        }
        if orders_moved {
            return Some(WholeRead::OrdersMoved);
        }
        if self.confirm_after.is_some_and(|t| t > last) || latest_known.is_some_and(|t| t > last) {
            return Some(WholeRead::CatchingUp);
        }
        if now - last >= SCAN_EVERY {
            return Some(WholeRead::Scan);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_796_000_000 + secs, 0).single().unwrap_or_default()
    }

    /// A watch that has read whole at `read` and seen orders `orders` at that time.
    fn settled(orders: &[(i64, DateTime<Utc>)], read: DateTime<Utc>) -> BigCommerceWatch {
        let mut w = BigCommerceWatch::default();
        w.observe_orders(orders, read);
        w.last_whole_read = Some(read + CATCH_UP + Duration::seconds(1));
        w
    }

    #[test]
    fn the_same_answer_twice_is_no_change_and_a_new_or_edited_order_is() {
        let mut w = settled(&[(7, at(0)), (6, at(-30)), (5, at(-500))], at(0));
        assert_eq!(w.cursor, Some(at(0)), "the cursor is the newest change");
        assert_eq!(w.recent, vec![(6, at(-30).timestamp()), (7, at(0).timestamp())], "only the overlap is kept");
        assert_eq!(w.orders_since(), Some(at(-60)), "the next query starts one overlap before the cursor");
        assert!(!w.observe_orders(&[(7, at(0)), (6, at(-30))], at(100)), "the same orders again: nothing moved");
        assert!(w.observe_orders(&[(8, at(0)), (7, at(0)), (6, at(-30))], at(110)), "a new order in the same second");
        let mut edited = settled(&[(7, at(0))], at(0));
        assert!(edited.observe_orders(&[(7, at(90))], at(120)), "an order edited later (a refund) moved");
        assert_eq!(edited.cursor, Some(at(90)), "and the cursor follows it");
    }

    #[test]
    fn a_store_with_no_orders_reads_whole_once_then_only_on_a_scan() {
        let mut w = BigCommerceWatch::default();
        assert!(w.observe_orders(&[], at(0)), "the first look is always a change");
        assert_eq!(w.whole_read(at(0), true, true, None), Some(WholeRead::FirstRead));
        w.last_whole_read = Some(at(0));
        assert!(!w.observe_orders(&[], at(30)), "still no orders");
        assert_eq!(
            w.whole_read(at(30), false, true, None),
            Some(WholeRead::CatchingUp),
            "the first read started inside the catch-up of the first look, so it is read again"
        );
        w.last_whole_read = Some(at(61));
        assert_eq!(w.whole_read(at(90), false, true, None), None, "a quiet poll reads only the orders");
        assert_eq!(
            w.whole_read(at(61) + SCAN_EVERY, false, true, None),
            Some(WholeRead::Scan),
            "the scan catches edits no order records"
        );
    }

    #[test]
    fn our_own_writes_and_unseen_items_force_a_whole_read() {
        let w = settled(&[(7, at(0))], at(0));
        let last = w.last_whole_read.unwrap_or_default();
        assert_eq!(w.whole_read(last + Duration::seconds(5), false, true, None), None);
        assert_eq!(
            w.whole_read(last + Duration::seconds(5), false, true, Some(last + Duration::seconds(30))),
            Some(WholeRead::CatchingUp),
            "a write of ours whose echo window outlasts the last read is confirmed by a read"
        );
        assert_eq!(
            w.whole_read(last + Duration::seconds(5), false, true, Some(last - Duration::seconds(1))),
            None,
            "an echo window that closed before the last read started needs nothing more"
        );
        assert_eq!(
            w.whole_read(last + Duration::seconds(5), false, false, None),
            Some(WholeRead::FirstRead),
            "a newly matched item has never been seen there"
        );
    }

    #[test]
    fn a_change_seen_by_a_whole_read_is_read_again_after_the_catch_up() {
        let mut w = settled(&[(7, at(0))], at(0));
        let now = w.last_whole_read.unwrap_or_default() + Duration::seconds(10);
        assert!(w.observe_orders(&[(8, now), (7, at(0))], now));
        assert_eq!(w.whole_read(now, true, true, None), Some(WholeRead::OrdersMoved));
        w.last_whole_read = Some(now);
        let next = now + Duration::seconds(30);
        assert!(!w.observe_orders(&[(8, now)], next), "the orders did not move again");
        assert_eq!(
            w.whole_read(next, false, true, None),
            Some(WholeRead::CatchingUp),
            "BigCommerce may not have applied the order's stock when it was read"
        );
        w.last_whole_read = Some(now + CATCH_UP + Duration::seconds(1));
        assert_eq!(w.whole_read(now + CATCH_UP + Duration::seconds(20), false, true, None), None);
    }
}
