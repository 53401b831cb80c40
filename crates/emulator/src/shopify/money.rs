//! Exact money for orders. Every amount an order carries exists in the shop's currency and in
//! the currency the customer paid in (Shopify's MoneyBag), and every total is the sum of the
//! same parts in both, so totals agree to the cent in each currency on their own.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use rust_decimal::{Decimal, RoundingStrategy};

use super::model::round_money;

/// One amount in shop money and presentment money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MoneyBag {
    pub shop: Decimal,
    pub presentment: Decimal,
}

impl MoneyBag {
    pub const ZERO: MoneyBag = MoneyBag { shop: Decimal::ZERO, presentment: Decimal::ZERO };

    pub fn times(self, n: i64) -> MoneyBag {
        self.map(|d| d * Decimal::from(n))
    }

    pub fn map(self, f: impl Fn(Decimal) -> Decimal) -> MoneyBag {
        MoneyBag { shop: f(self.shop), presentment: f(self.presentment) }
    }

    pub fn is_zero(&self) -> bool {
        self.shop.is_zero() && self.presentment.is_zero()
    }
}

impl Add for MoneyBag {
    type Output = MoneyBag;
    fn add(self, other: MoneyBag) -> MoneyBag {
        MoneyBag { shop: self.shop + other.shop, presentment: self.presentment + other.presentment }
    }
}

impl Sub for MoneyBag {
    type Output = MoneyBag;
    fn sub(self, other: MoneyBag) -> MoneyBag {
        MoneyBag { shop: self.shop - other.shop, presentment: self.presentment - other.presentment }
    }
}

impl AddAssign for MoneyBag {
    fn add_assign(&mut self, other: MoneyBag) {
        *self = *self + other;
    }
}

impl SubAssign for MoneyBag {
    fn sub_assign(&mut self, other: MoneyBag) {
        *self = *self - other;
    }
}

impl Sum for MoneyBag {
    fn sum<I: Iterator<Item = MoneyBag>>(iter: I) -> MoneyBag {
        iter.fold(MoneyBag::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a MoneyBag> for MoneyBag {
    fn sum<I: Iterator<Item = &'a MoneyBag>>(iter: I) -> MoneyBag {
        iter.copied().sum()
    }
}

/// The rate an order was sold at: presentment units per shop unit. Amounts are decided in the
/// presentment currency, the one the customer sees at the till; shop money follows from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub rate: Decimal,
}

impl Exchange {
    pub const SAME_CURRENCY: Exchange = Exchange { rate: Decimal::ONE };

    /// A presentment amount with its shop-money counterpart, each to the cent.
    pub fn bag(self, presentment: Decimal) -> MoneyBag {
        MoneyBag { shop: self.to_shop(presentment), presentment: round_money(presentment) }
    }

    pub fn to_shop(self, presentment: Decimal) -> Decimal {
        if self.rate.is_zero() { round_money(presentment) } else { round_money(presentment / self.rate) }
    }

    pub fn to_presentment(self, shop: Decimal) -> Decimal {
        round_money(shop * self.rate)
    }
}

/// Splits `amount` in proportion to `weights`, to the cent, so that the parts add up to the
/// amount exactly: each part is rounded down and the cents left over go to the largest
/// remainders (the earliest first on ties). All-zero weights split nothing.
pub(crate) fn allocate(amount: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let total: Decimal = weights.iter().sum();
    if total.is_zero() || amount.is_zero() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let cent = Decimal::new(1, 2);
    let exact: Vec<Decimal> = weights.iter().map(|w| amount * w / total).collect();
    let mut parts: Vec<Decimal> = exact.iter().map(|e| e.round_dp_with_strategy(2, RoundingStrategy::ToZero)).collect();
    let mut left = amount - parts.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| (exact[*b] - parts[*b]).cmp(&(exact[*a] - parts[*a])).then(a.cmp(b)));
    // Flooring loses less than a cent per part, so one pass hands out every cent left.
    for i in order {
        if left < cent {
            break;
        }
        parts[i] += cent;
        left -= cent;
    }
    parts
}

/// [`allocate`] in both currencies, each by its own weights.
pub(crate) fn allocate_bag(amount: MoneyBag, weights: &[MoneyBag]) -> Vec<MoneyBag> {
    let shop = allocate(amount.shop, &weights.iter().map(|w| w.shop).collect::<Vec<_>>());
    let presentment = allocate(amount.presentment, &weights.iter().map(|w| w.presentment).collect::<Vec<_>>());
    shop.into_iter().zip(presentment).map(|(shop, presentment)| MoneyBag { shop, presentment }).collect()
}

/// Cash rounding: `amount` to the nearest multiple of `increment` (0.05 in Canada), halves away
/// from zero.
pub(crate) fn round_to_increment(amount: Decimal, increment: Decimal) -> Decimal {
    if increment <= Decimal::ZERO {
        return amount;
    }
    (amount / increment).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * increment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn allocations_add_up_to_the_cent() {
        let parts = allocate(d("10.00"), &[d("1"), d("1"), d("1")]);
        assert_eq!(parts.iter().sum::<Decimal>(), d("10.00"), "three thirds of 10.00 still make 10.00: {parts:?}");
        assert_eq!(
            parts,
            vec![d("3.34"), d("3.33"), d("3.33")],
            "the first of equal remainders takes the leftover cent"
        );
        let parts = allocate(d("5.00"), &[d("99.00"), d("100.00")]);
        assert_eq!(parts, vec![d("2.49"), d("2.51")], "in proportion to the weights: {parts:?}");
        assert_eq!(
            allocate(d("1.00"), &[Decimal::ZERO, Decimal::ZERO]),
            vec![Decimal::ZERO; 2],
            "nothing to weigh, nothing split"
        );
    }

    #[test]
    fn shop_money_follows_presentment_money_at_the_rate() {
        let eur = Exchange { rate: d("0.932") };
        assert_eq!(
            eur.bag(d("41.95")),
            MoneyBag { shop: d("45.01"), presentment: d("41.95") },
            "41.95 EUR at 0.932 EUR/USD is 45.01 USD"
        );
        assert_eq!(round_to_increment(d("10.02"), d("0.05")), d("10.00"), "2 cents round down to the nickel");
        assert_eq!(round_to_increment(d("10.03"), d("0.05")), d("10.05"), "3 cents round up to the nickel");
    }
}
