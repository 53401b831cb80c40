//! What a validation (a full check of every cell) found out of step, and the likely reason.
//!
//! A cell drifts when a store shows something other than its base once our own writes that a read
//! may not show yet are counted: a change no write has carried yet. Between polls that is an
//! ordinary sale; at a validation it is what the polls missed or could not carry. The planner
//! fixes it as the owner rules say; this only says what was found and why it likely happened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plan::{CellInput, CellPlan, Note, Outcome};
use super::policy::{Side, SidePair};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DriftReason {
    /// A write of this cell failed (it waits for a retry, or gave up): the change it carries is
    /// still owed.
    FailedWrite,
    /// A store went below zero: more was sold than the shelf held.
    Negative,
    /// A store changed outside Tillbridge and no poll has carried it yet: an edit in a control
    /// panel or another app, or a sale since the last poll.
    OutsideChange,
}

impl DriftReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftReason::FailedWrite => "failed_write",
            DriftReason::Negative => "negative",
            DriftReason::OutsideChange => "outside_change",
        }
    }

    pub fn parse(s: &str) -> Option<DriftReason> {
        match s {
            "failed_write" => Some(DriftReason::FailedWrite),
            "negative" => Some(DriftReason::Negative),
            "outside_change" => Some(DriftReason::OutsideChange),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            DriftReason::FailedWrite => "a write of ours failed, so a change is still owed",
            DriftReason::Negative => "a store is below zero: more was sold than it held",
            DriftReason::OutsideChange => "changed outside Tillbridge and not carried yet",
        }
    }
}

/// What the validation's plan does about a drifted cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DriftAction {
    /// Writes carry it, as the owner rules say.
    Carried,
    /// The owner's stock stands and the other store's change was overwritten (owner-wins).
    Overwritten,
    /// Both stores changed under the `manual` rule: a person decides.
    Conflict,
    /// Taken into the base with no write: the other store already shows what it should.
    Absorbed,
}

impl DriftAction {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftAction::Carried => "carried",
            DriftAction::Overwritten => "overwritten",
            DriftAction::Conflict => "conflict",
            DriftAction::Absorbed => "absorbed",
        }
    }

    pub fn parse(s: &str) -> Option<DriftAction> {
        match s {
            "carried" => Some(DriftAction::Carried),
            "overwritten" => Some(DriftAction::Overwritten),
            "conflict" => Some(DriftAction::Conflict),
            "absorbed" => Some(DriftAction::Absorbed),
            _ => None,
        }
    }
}

/// One drifted cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drift {
    pub base: SidePair<i64>,
    /// What each store showed, our writes that a read did not show yet counted.
    pub seen: SidePair<i64>,
    pub reason: DriftReason,
    pub action: DriftAction,
}

/// Whether `input` (planned as `plan` at `now`) drifted. `failed_write` says whether a write of
/// the cell failed and waits for a retry or gave up. Cells without a base (a first alignment) and
/// cells the plan held (a write on the wire, an open conflict, an unclear echo) are not judged.
pub fn drift(input: &CellInput, plan: &CellPlan, now: DateTime<Utc>, failed_write: bool) -> Option<Drift> {
    let base = input.ledger.base?;
    if matches!(plan.outcome, Outcome::Held(_)) {
        return None;
    }
    let mut seen = SidePair::new(input.seen.bigcommerce.quantity(), input.seen.shopify.quantity());
    for side in Side::BOTH {
        if let Some(echo) = input.ledger.echo.get(side)
            && now < echo.until
            && *seen.get(side) == echo.before
        {
            *seen.get_mut(side) += echo.adjust;
        }
    }
    if seen == base {
        return None;
    }
    let reason = if seen.bigcommerce < 0 || seen.shopify < 0 {
        DriftReason::Negative
    } else if failed_write {
        DriftReason::FailedWrite
    } else {
        DriftReason::OutsideChange
    };
    let action = match &plan.outcome {
        Outcome::Conflict(_) => DriftAction::Conflict,
        Outcome::Writes => DriftAction::Carried,
        _ if plan.notes.iter().any(|n| matches!(n, Note::Overwritten { .. })) => DriftAction::Overwritten,
        _ => DriftAction::Absorbed,
    };
    Some(Drift { base, seen, reason, action })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::stock::{Buffer, CellKey, Echo, Ledger, Level, Owner, PairPolicy, SameWindow, plan_cell};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).single().unwrap_or_default()
    }

    fn cell(owner: Owner, same_window: SameWindow, base: (i64, i64), seen: (i64, i64)) -> CellInput {
        CellInput {
            key: CellKey {
                pair: 1,
                bigcommerce_location: 1,
                shopify_location: "gid://shopify/Location/1".into(),
                bigcommerce_product: 10,
                bigcommerce_variant: 11,
                shopify_item: "gid://shopify/InventoryItem/12".into(),
                label: "TB-1".into(),
            },
            policy: PairPolicy { owner, same_window, buffer: Buffer::default() },
            ledger: Ledger { base: Some(SidePair::new(base.0, base.1)), ..Ledger::default() },
            seen: SidePair::new(Level::Stocked(seen.0), Level::Stocked(seen.1)),
            in_flight: false,
            open_conflict: false,
        }
    }

    fn judge(input: &CellInput, failed: bool) -> Option<Drift> {
        drift(input, &plan_cell(input, now()), now(), failed)
    }

    #[test]
    fn a_cell_in_step_with_its_base_has_not_drifted() {
        assert_eq!(judge(&cell(Owner::Both, SameWindow::Merge, (5, 5), (5, 5)), false), None);
    }

    #[test]
    fn an_outside_edit_is_carried_and_reported_with_its_reason() {
        let found = judge(&cell(Owner::Both, SameWindow::Merge, (5, 5), (8, 5)), false).unwrap_or_else(|| {
            panic!("a BigCommerce edit of +3 differs from the base");
        });
        assert_eq!(found.reason, DriftReason::OutsideChange);
        assert_eq!(found.action, DriftAction::Carried, "under merge the edit goes to Shopify");
        assert_eq!(found.seen, SidePair::new(8, 5));
    }

    #[test]
    fn a_failed_write_and_a_negative_store_are_named_as_such() {
        let failed = judge(&cell(Owner::Both, SameWindow::Merge, (5, 5), (5, 4)), true).map(|d| d.reason);
        assert_eq!(failed, Some(DriftReason::FailedWrite), "the sale's write to BigCommerce failed");
        let oversold = judge(&cell(Owner::Both, SameWindow::Merge, (1, 1), (1, -1)), true).map(|d| d.reason);
        assert_eq!(oversold, Some(DriftReason::Negative), "below zero is named first: it needs a person most");
    }

    #[test]
    fn the_action_follows_the_owner_rules() {
        let overwritten = judge(&cell(Owner::Shopify, SameWindow::OwnerWins, (5, 5), (7, 4)), false);
        assert_eq!(
            overwritten.map(|d| d.action),
            Some(DriftAction::Carried),
            "Shopify owns it: its stock is written to BigCommerce"
        );
        let manual = judge(&cell(Owner::Both, SameWindow::Manual, (5, 5), (7, 4)), false);
        assert_eq!(manual.map(|d| d.action), Some(DriftAction::Conflict), "both changed: a person decides");
    }

    #[test]
    fn our_own_write_that_a_read_does_not_show_yet_is_not_drift() {
        let mut input = cell(Owner::Both, SameWindow::Merge, (4, 4), (5, 4));
        input.ledger.echo.bigcommerce = Some(Echo { before: 5, adjust: -1, until: now() + Duration::seconds(30) });
        assert_eq!(judge(&input, false), None, "BigCommerce still shows 5 from before our -1");
        input.ledger.echo.bigcommerce = Some(Echo { before: 5, adjust: -1, until: now() - Duration::seconds(1) });
        assert!(judge(&input, false).is_some(), "after the echo window the read is trusted, and it differs");
    }

    #[test]
    fn cells_without_a_base_or_held_are_not_judged() {
        let mut first = cell(Owner::Both, SameWindow::Merge, (0, 0), (3, 9));
        first.ledger.base = None;
        assert_eq!(judge(&first, false), None, "a first alignment is not drift");
        let mut busy = cell(Owner::Both, SameWindow::Merge, (5, 5), (3, 5));
        busy.in_flight = true;
        assert_eq!(judge(&busy, false), None, "a write on the wire decides the bases first");
    }
}
