//! The daily reconciliation: each retail location's POS sales, refunds and tax for a day, as
//! Shopify has them beside what BigCommerce holds for the same orders. For every order carried,
//! the two must agree, so each row's difference reads 0.00; orders not carried are counted apart.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

/// The instants a calendar day in an IANA zone starts and ends, as UTC. A midnight that a clock
/// change skips starts the day at the first instant that exists.
pub fn day_bounds(day: NaiveDate, zone: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let tz: Tz = zone.trim().parse().map_err(|_| format!("{zone:?} is not a time zone name such as Europe/Paris"))?;
    let start_of = |d: NaiveDate| -> Result<DateTime<Utc>, String> {
        let midnight = d.and_hms_opt(0, 0, 0).ok_or("a day without a midnight")?;
        (0..=120)
            .find_map(|minutes| tz.from_local_datetime(&(midnight + chrono::Duration::minutes(minutes))).earliest())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("{d} has no start in {zone}"))
    };
    let next = day.succ_opt().ok_or("the last day there is")?;
    Ok((start_of(day)?, start_of(next)?))
}

/// One side's money for an order, or for a location's day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Figures {
    #[ts(type = "string")]
    pub sales: Decimal,
    #[ts(type = "string")]
    pub refunds: Decimal,
    #[ts(type = "string")]
    pub tax: Decimal,
}

impl Figures {
    fn add(&mut self, other: Figures) {
        self.sales += other.sales;
        self.refunds += other.refunds;
        self.tax += other.tax;
    }

    /// What stayed with the store: sales less refunds.
    pub fn net(&self) -> Decimal {
        self.sales - self.refunds
    }
}

/// One POS order of the day: where it was sold, Shopify's figures, and BigCommerce's when it was
/// carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFigures {
    pub location: String,
    pub shopify: Figures,
    pub bigcommerce: Option<Figures>,
}

/// One retail location's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DayRow {
    pub location: String,
    pub orders: u32,
    /// Orders with no BigCommerce order yet; their figures are not in either column.
    pub not_carried: u32,
    pub shopify: Figures,
    pub bigcommerce: Figures,
    /// Shopify's net less BigCommerce's, over the orders carried: 0.00 when they agree.
    #[ts(type = "string")]
    pub difference: Decimal,
}

/// The rows per location, in name order, and a total row last ("All locations").
pub fn reconcile(orders: &[OrderFigures]) -> Vec<DayRow> {
    let mut by_location: BTreeMap<&str, DayRow> = BTreeMap::new();
    for o in orders {
        let row = by_location.entry(o.location.as_str()).or_insert_with(|| DayRow {
            location: o.location.clone(),
            orders: 0,
            not_carried: 0,
            shopify: Figures::default(),
            bigcommerce: Figures::default(),
            difference: Decimal::ZERO,
        });
        row.orders += 1;
        match o.bigcommerce {
            Some(bc) => {
                row.shopify.add(o.shopify);
                row.bigcommerce.add(bc);
            }
            None => row.not_carried += 1,
        }
    }
    let mut rows: Vec<DayRow> = by_location.into_values().collect();
    let mut total = DayRow {
        location: "All locations".into(),
        orders: 0,
        not_carried: 0,
        shopify: Figures::default(),
        bigcommerce: Figures::default(),
        difference: Decimal::ZERO,
    };
    for row in &mut rows {
        row.difference = (row.shopify.net() - row.bigcommerce.net()).round_dp(2);
        total.orders += row.orders;
        total.not_carried += row.not_carried;
        total.shopify.add(row.shopify);
        total.bigcommerce.add(row.bigcommerce);
    }
    total.difference = (total.shopify.net() - total.bigcommerce.net()).round_dp(2);
    rows.push(total);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(sales: &str, refunds: &str, tax: &str) -> Figures {
        Figures { sales: sales.parse().unwrap(), refunds: refunds.parse().unwrap(), tax: tax.parse().unwrap() }
    }

    #[test]
    fn carried_orders_agree_to_the_cent_and_the_rest_are_counted_apart() {
        let orders = [
            OrderFigures {
                location: "Downtown".into(),
                shopify: f("48.60", "24.30", "3.60"),
                bigcommerce: Some(f("48.6000", "24.3000", "3.6000")),
            },
            OrderFigures { location: "Downtown".into(), shopify: f("10.00", "0", "0"), bigcommerce: None },
            OrderFigures {
                location: "Airport".into(),
                shopify: f("5.00", "0", "0.40"),
                bigcommerce: Some(f("5", "0", "0.4")),
            },
        ];
        let rows = reconcile(&orders);
        assert_eq!(rows.len(), 3, "two locations and the total");
        assert_eq!(rows[0].location, "Airport", "locations in name order");
        let downtown = &rows[1];
        assert_eq!((downtown.orders, downtown.not_carried), (2, 1), "the order not carried is counted apart");
        assert_eq!(downtown.shopify.sales, Decimal::new(4860, 2), "and its money is in neither column");
        assert_eq!(downtown.difference, Decimal::ZERO, "the carried order agrees");
        assert_eq!(rows[2].orders, 3, "the total counts every order");
        assert_eq!(rows[2].difference, Decimal::ZERO, "and reads 0.00");
    }

    #[test]
    fn a_day_is_read_in_the_stores_zone_and_clock_changes_give_23_or_25_hours() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let (start, end) = day_bounds(day("2026-12-06"), "Europe/Paris").unwrap();
        assert_eq!(start.to_rfc3339(), "2026-12-05T23:00:00+00:00", "midnight in Paris is 23:00 UTC in winter");
        assert_eq!((end - start).num_hours(), 24, "an ordinary day");
        let (start, end) = day_bounds(day("2026-03-29"), "Europe/Paris").unwrap();
        assert_eq!((end - start).num_hours(), 23, "the spring change loses an hour");
        let (start, end) = day_bounds(day("2026-10-25"), "Europe/Paris").unwrap();
        assert_eq!((end - start).num_hours(), 25, "the autumn change repeats one");
        assert!(day_bounds(day("2026-12-06"), "Mars/Olympus").is_err(), "an unknown zone is refused");
    }

    #[test]
    fn a_mismatch_shows_as_the_difference() {
        let orders = [OrderFigures {
            location: "Downtown".into(),
            shopify: f("20.00", "5.00", "0"),
            bigcommerce: Some(f("20.00", "0", "0")),
        }];
        let rows = reconcile(&orders);
        assert_eq!(rows[0].difference, Decimal::new(-500, 2), "a refund BigCommerce lacks shows as -5.00");
    }
}
