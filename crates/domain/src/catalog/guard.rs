//! Guard rails for a catalog sync nobody is watching: a scheduled run writes only when its plan is
//! small and its prices move moderately; otherwise it waits for a person to approve it, with the
//! reason. A wrong hand link or a bad import would otherwise reprice a store overnight.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::vocabulary::{Field, FieldChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct GuardRails {
    /// At most this many field changes are written without approval.
    pub max_changes: u64,
    /// No price may change by more than this percentage without approval.
    pub max_price_change_pct: u32,
}

impl Default for GuardRails {
    fn default() -> GuardRails {
        GuardRails { max_changes: 500, max_price_change_pct: 50 }
    }
}

/// How far a price change moves, in percent of the old price; None when either side is not a
/// price (a cleared sale price, unreadable text) or the old price is zero.
pub fn price_change_pct(change: &FieldChange) -> Option<Decimal> {
    if !matches!(change.field, Field::Price | Field::SalePrice) {
        return None;
    }
    let old: Decimal = change.old.as_deref()?.parse().ok()?;
    let new: Decimal = change.new.as_deref()?.parse().ok()?;
    if old.is_zero() {
        return None;
    }
    Some(((new - old) / old * Decimal::ONE_HUNDRED).abs())
}

/// Why a plan needs a person's approval, or None when it may be written unattended.
pub fn needs_approval(changes: &[FieldChange], rails: &GuardRails) -> Option<String> {
    let mut reasons = Vec::new();
    if changes.len() as u64 > rails.max_changes {
        reasons.push(format!(
            "{} changes planned, more than the {} allowed unattended",
            changes.len(),
            rails.max_changes
        ));
    }
    let limit = Decimal::from(rails.max_price_change_pct);
    let big: Vec<(&FieldChange, Decimal)> =
        changes.iter().filter_map(|c| price_change_pct(c).filter(|p| *p > limit).map(|p| (c, p))).collect();
    if let Some((first, pct)) = big.first() {
        let more = if big.len() > 1 { format!(" and {} more", big.len() - 1) } else { String::new() };
        reasons.push(format!(
            "the {} of {} changes {} → {} ({}%){more}, beyond the {}% allowed unattended",
            first.field.as_str().replace('_', " "),
            if first.sku.is_empty() { "an item without SKU" } else { first.sku.as_str() },
            first.old.as_deref().unwrap_or_default(),
            first.new.as_deref().unwrap_or_default(),
            pct.round_dp(0),
            rails.max_price_change_pct
        ));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Direction;

    fn change(field: Field, old: &str, new: &str) -> FieldChange {
        FieldChange {
            bigcommerce_variant_id: 1,
            shopify_variant_id: "gid://shopify/ProductVariant/1".into(),
            title: "Tee".into(),
            sku: "TB-1".into(),
            field,
            direction: Direction::BigCommerceToShopify,
            old: Some(old.into()),
            new: Some(new.into()),
            entity_key: "product:gid://shopify/ProductVariant/1:price".into(),
        }
    }

    #[test]
    fn a_small_moderate_plan_passes() {
        let changes = vec![change(Field::Price, "20.00", "24.00"), change(Field::Barcode, "1", "2")];
        assert_eq!(needs_approval(&changes, &GuardRails::default()), None, "20 % and two changes are fine");
    }

    #[test]
    fn a_price_cut_beyond_the_limit_waits_with_the_item_named() {
        // The measured case: a hand link that would have repriced 136.31 to 8.31 silently.
        let reason = needs_approval(&[change(Field::Price, "136.31", "8.31")], &GuardRails::default())
            .expect("a 94 % cut needs approval");
        assert!(reason.contains("TB-1") && reason.contains("136.31 → 8.31"), "names the item and prices: {reason}");
        assert!(reason.contains("94%"), "gives the size of the move: {reason}");
    }

    #[test]
    fn too_many_changes_wait_and_the_limit_is_exclusive() {
        let rails = GuardRails { max_changes: 2, max_price_change_pct: 50 };
        let two = vec![change(Field::Sku, "a", "b"), change(Field::Sku, "c", "d")];
        assert_eq!(needs_approval(&two, &rails), None, "exactly the limit is allowed");
        let three = [two.clone(), vec![change(Field::Sku, "e", "f")]].concat();
        let reason = needs_approval(&three, &rails).expect("one over the limit waits");
        assert!(reason.starts_with("3 changes planned"), "says how many: {reason}");
    }

    #[test]
    fn only_prices_count_as_price_moves() {
        assert_eq!(price_change_pct(&change(Field::Barcode, "100", "1")), None, "a barcode is not a price");
        assert_eq!(price_change_pct(&change(Field::Price, "0", "10")), None, "no percentage of zero");
        assert_eq!(price_change_pct(&change(Field::Price, "10", "15")), Some(Decimal::from(50)), "50 % up");
    }
}
