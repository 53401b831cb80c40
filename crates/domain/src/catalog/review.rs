//! What a person reviews before a Full sync, and when a Full sync must wait for them.
//!
//! A Full sync rewrites every owned field, so a wrong hand link or a wrong owner can reprice a
//! store in one press (a measured case: 136.31 → 8.31 with no warning). Two checks stand before it:
//! - price moves beyond a threshold are flagged in the preview and need the person's explicit
//!   acceptance;
//! - a preview taken before the ownership, the matching rules or the mapping last changed no
//!   longer shows what a Full sync would do, so it is stale and a fresh one is needed.
//!
//! The threshold is the guard rails' price limit ([`super::GuardRails`], 50 % by default), the
//! one scheduled runs stop at, so a person and the schedule are held to the same line.
//!
//! Pure: the engine passes in what it stored (the plan inputs' revision, the last preview) and
//! acts on the answer.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::guard::price_change_pct;
use super::vocabulary::{Direction, Field, FieldChange};

/// A price change larger than the threshold, as the preview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct FlaggedPriceChange {
    /// Names the field written; with `new`, what the person accepted.
    pub entity_key: String,
    pub bigcommerce_variant_id: i64,
    pub shopify_variant_id: String,
    pub sku: String,
    pub title: String,
    pub field: Field,
    pub direction: Direction,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The move in whole percent of the old price, signed: -94 is a 94 % cut.
    pub pct: i64,
}

/// The price changes of a plan that move by more than `threshold_pct` percent, in plan order.
pub fn flag_price_changes(changes: &[FieldChange], threshold_pct: u32) -> Vec<FlaggedPriceChange> {
    let limit = Decimal::from(threshold_pct);
    changes
        .iter()
        .filter_map(|c| {
            let size = price_change_pct(c)?;
            if size <= limit {
                return None;
            }
            let old: Decimal = c.old.as_deref()?.parse().ok()?;
            let new: Decimal = c.new.as_deref()?.parse().ok()?;
            let signed = if new < old { -size } else { size };
            Some(FlaggedPriceChange {
                entity_key: c.entity_key.clone(),
                bigcommerce_variant_id: c.bigcommerce_variant_id,
                shopify_variant_id: c.shopify_variant_id.clone(),
                sku: c.sku.clone(),
                title: c.title.clone(),
                field: c.field,
                direction: c.direction,
                old: c.old.clone(),
                new: c.new.clone(),
                pct: signed.round().to_i64().unwrap_or(i64::MAX),
            })
        })
        .collect()
}

/// The last change to what a catalog plan depends on besides the stores: the field ownership,
/// the matching rules and the operator's mapping decisions. `revision` only grows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInputs {
    pub revision: u64,
    pub changed_at: Option<DateTime<Utc>>,
    /// What changed last, in words ("the field ownership").
    pub what: Option<String>,
}

impl PlanInputs {
    /// The inputs after `what` changed at `at`.
    pub fn changed(&self, what: &str, at: DateTime<Utc>) -> PlanInputs {
        PlanInputs { revision: self.revision + 1, changed_at: Some(at), what: Some(what.to_string()) }
    }
}

/// The last Full preview: which run it was, the plan inputs it was planned under, and the price
/// changes it flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRecord {
    pub run_id: i64,
    pub inputs_revision: u64,
    pub threshold_pct: u32,
    pub flagged: Vec<FlaggedPriceChange>,
}

/// Why a preview no longer shows what a Full sync would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Staleness {
    pub what: String,
    pub changed_at: Option<DateTime<Utc>>,
}

/// Whether `preview` was planned before the inputs last changed.
pub fn staleness(preview: &PreviewRecord, inputs: &PlanInputs) -> Option<Staleness> {
    (preview.inputs_revision < inputs.revision).then(|| Staleness {
        what: inputs.what.clone().unwrap_or_else(|| "the sync settings".to_string()),
        changed_at: inputs.changed_at,
    })
}

/// Why a Full sync is refused before it reads anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FullSyncRefusal {
    /// The preview on screen was planned under other settings or mapping.
    StalePreview(Staleness),
    /// The fresh preview flagged price moves the person has not accepted.
    UnacceptedPriceChanges { threshold_pct: u32, flagged: Vec<FlaggedPriceChange> },
}

/// One flagged change in words: `the price of TB-1 136.31 → 8.31 (-94 %)`.
pub fn describe(change: &FlaggedPriceChange) -> String {
    format!(
        "the {} of {} {} → {} ({:+} %)",
        change.field.as_str().replace('_', " "),
        if change.sku.is_empty() { "an item without SKU" } else { change.sku.as_str() },
        change.old.as_deref().unwrap_or("(none)"),
        change.new.as_deref().unwrap_or("(none)"),
        change.pct
    )
}

impl FullSyncRefusal {
    /// What happened and what to do next, for a person.
    pub fn message(&self) -> String {
        match self {
            FullSyncRefusal::StalePreview(s) => format!(
                "the preview is out of date: {} changed{} after it was taken, so it no longer shows what a full sync would write; preview again, review the changes, then start the full sync",
                s.what,
                s.changed_at.map(|t| format!(" at {}", t.format("%Y-%m-%d %H:%M:%S UTC"))).unwrap_or_default()
            ),
            FullSyncRefusal::UnacceptedPriceChanges { threshold_pct, flagged } => {
                let more = match flagged.len() {
                    0 | 1 => String::new(),
                    n => format!(" and {} more", n - 1),
                };
                format!(
                    "{} price change{} move{} more than {threshold_pct} %: {}{more}; review them in the preview and confirm them to start the full sync",
                    flagged.len(),
                    if flagged.len() == 1 { "" } else { "s" },
                    if flagged.len() == 1 { "s" } else { "" },
                    flagged.first().map(describe).unwrap_or_default(),
                )
            }
        }
    }
}

/// Whether a person's Full sync may start: the last Full preview (if any was taken) must be
/// fresh, and its flagged price changes accepted. With no preview at all nothing is stale; the
/// run's own plan is checked by [`unaccepted_in_plan`] before it writes.
pub fn check_full_sync(
    preview: Option<&PreviewRecord>,
    inputs: &PlanInputs,
    accepted_price_changes: bool,
) -> Result<(), FullSyncRefusal> {
    let Some(preview) = preview else { return Ok(()) };
    if let Some(stale) = staleness(preview, inputs) {
        return Err(FullSyncRefusal::StalePreview(stale));
    }
    if !preview.flagged.is_empty() && !accepted_price_changes {
        return Err(FullSyncRefusal::UnacceptedPriceChanges {
            threshold_pct: preview.threshold_pct,
            flagged: preview.flagged.clone(),
        });
    }
    Ok(())
}

/// The flagged price changes of a Full sync's own plan that the person did not accept: all of
/// them without acceptance; with it, those the accepted preview did not show (a price edited in a
/// store after the preview). Accepting without a preview accepts what the plan flags.
pub fn unaccepted_in_plan(
    planned: &[FlaggedPriceChange],
    accepted_preview: Option<&PreviewRecord>,
    accepted: bool,
) -> Vec<FlaggedPriceChange> {
    if !accepted {
        return planned.to_vec();
    }
    let Some(preview) = accepted_preview else { return Vec::new() };
    planned
        .iter()
        .filter(|p| {
            !preview.flagged.iter().any(|f| f.entity_key == p.entity_key && f.new == p.new && f.field == p.field)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(sku: &str, old: &str, new: &str) -> FieldChange {
        FieldChange {
            bigcommerce_variant_id: 1,
            shopify_variant_id: format!("gid://shopify/ProductVariant/{sku}"),
            title: "Tee".into(),
            sku: sku.into(),
            field: Field::Price,
            direction: Direction::BigCommerceToShopify,
            old: Some(old.into()),
            new: Some(new.into()),
            entity_key: format!("product:gid://shopify/ProductVariant/{sku}:price"),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn preview(revision: u64, flagged: Vec<FlaggedPriceChange>) -> PreviewRecord {
        PreviewRecord { run_id: 7, inputs_revision: revision, threshold_pct: 50, flagged }
    }

    #[test]
    fn the_measured_hand_link_cut_is_flagged_with_its_signed_size() {
        let flagged = flag_price_changes(&[price("TB-1", "136.31", "8.31"), price("TB-2", "20.00", "24.00")], 50);
        assert_eq!(flagged.len(), 1, "only the 94 % cut passes the 50 % threshold, not the 20 % rise: {flagged:?}");
        assert_eq!(flagged[0].sku, "TB-1", "the flagged change names its item");
        assert_eq!(flagged[0].pct, -94, "a cut is negative, rounded to whole percent");
        assert_eq!(describe(&flagged[0]), "the price of TB-1 136.31 → 8.31 (-94 %)", "said in words");
    }

    #[test]
    fn the_threshold_is_exclusive_and_settable() {
        let half = [price("TB-1", "10", "15")];
        assert!(flag_price_changes(&half, 50).is_empty(), "exactly 50 % is within a 50 % threshold");
        let flagged = flag_price_changes(&half, 49);
        assert_eq!(
            flagged.iter().map(|f| f.pct).collect::<Vec<_>>(),
            vec![50],
            "a lower threshold flags it, signed up"
        );
        let barcode = FieldChange { field: Field::Barcode, ..price("TB-1", "100", "1") };
        assert!(flag_price_changes(&[barcode], 50).is_empty(), "a barcode is never a price move");
    }

    #[test]
    fn a_change_of_ownership_rules_or_mapping_makes_the_preview_stale() {
        let inputs = PlanInputs::default();
        let record = preview(inputs.revision, vec![]);
        assert_eq!(staleness(&record, &inputs), None, "planned under the current inputs: fresh");
        let changed = inputs.changed("the field ownership", at("2026-12-07T06:00:00Z"));
        let stale = staleness(&record, &changed).expect("planned before the ownership changed: stale");
        assert_eq!(stale.what, "the field ownership", "says what changed");
        let refusal = check_full_sync(Some(&record), &changed, true).expect_err("a stale preview blocks a full sync");
        assert!(
            matches!(refusal, FullSyncRefusal::StalePreview(_)),
            "stale wins even when price changes were accepted"
        );
        let message = refusal.message();
        assert!(
            message.contains("out of date") && message.contains("preview again") && message.contains("06:00:00"),
            "the refusal says why and what to do next: {message}"
        );
        let fresh = preview(changed.revision, vec![]);
        assert_eq!(check_full_sync(Some(&fresh), &changed, false), Ok(()), "a preview taken afterwards is fresh");
    }

    #[test]
    fn flagged_price_changes_need_acceptance_before_a_full_sync() {
        let flagged = flag_price_changes(&[price("TB-1", "136.31", "8.31"), price("TB-3", "10", "30")], 50);
        let record = preview(0, flagged.clone());
        let refusal =
            check_full_sync(Some(&record), &PlanInputs::default(), false).expect_err("unaccepted moves refuse");
        let message = refusal.message();
        assert!(
            message
                .starts_with("2 price changes move more than 50 %: the price of TB-1 136.31 → 8.31 (-94 %) and 1 more"),
            "names the count, the first item and the threshold: {message}"
        );
        assert!(message.contains("confirm"), "says what to do next: {message}");
        assert_eq!(check_full_sync(Some(&record), &PlanInputs::default(), true), Ok(()), "accepted, it starts");
        assert_eq!(check_full_sync(None, &PlanInputs::default(), false), Ok(()), "no preview: nothing is stale");
    }

    #[test]
    fn acceptance_covers_only_what_the_preview_showed() {
        let shown = flag_price_changes(&[price("TB-1", "136.31", "8.31")], 50);
        let record = preview(0, shown.clone());
        assert!(unaccepted_in_plan(&shown, Some(&record), true).is_empty(), "the accepted change may be written");
        assert_eq!(unaccepted_in_plan(&shown, Some(&record), false), shown, "without acceptance nothing is covered");
        let moved_again = flag_price_changes(&[price("TB-1", "136.31", "1.31")], 50);
        assert_eq!(
            unaccepted_in_plan(&moved_again, Some(&record), true),
            moved_again,
            "a price edited after the preview was not what the person accepted"
        );
        assert!(
            unaccepted_in_plan(&moved_again, None, true).is_empty(),
            "accepting without a preview accepts the plan"
        );
    }
}
