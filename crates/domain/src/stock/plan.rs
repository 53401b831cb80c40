//! The stock planner: from a cell's bookkeeping and what both stores show now, the writes that
//! bring them into step, or the reason to wait, or a conflict for a person.
//!
//! With `p` the primary side (the owner, or Shopify under `both`) and `n` the other, and
//! `dP`, `dN` what each side changed since its base:
//! - the primary gets `+dN`, a relative write that carries `n`'s change;
//! - `n` is set to what it should show for the primary's new stock (the buffer applied), a
//!   relative write of the difference that carries `p`'s change.
//!
//! Writes are relative so that a sale landing between our read and our write is kept: it shows as
//! a new delta against the new base, and the next cycle carries it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ledger::{ConflictSnapshot, Ledger, rebase_to};
use super::policy::{Owner, PairPolicy, SameWindow, Side, SidePair};
use super::writes::{CellKey, StockWrite};

/// What a store shows for an item at a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// The sellable quantity: Shopify `available`, BigCommerce `available_to_sell`.
    Stocked(i64),
    /// The item is not stocked at that location (Shopify needs `inventoryActivate` first).
    NotStocked,
}

impl Level {
    pub fn quantity(self) -> i64 {
        match self {
            Level::Stocked(q) => q,
            Level::NotStocked => 0,
        }
    }
}

/// Everything the planner needs about one cell.
#[derive(Debug, Clone)]
pub struct CellInput {
    pub key: CellKey,
    pub policy: PairPolicy,
    pub ledger: Ledger,
    pub seen: SidePair<Level>,
    /// A write of this cell is on the wire; its answer decides the bases, so the cell waits.
    pub in_flight: bool,
    /// A conflict of this cell waits for a person.
    pub open_conflict: bool,
}

/// Why a cell is left alone this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "hold")]
pub enum Hold {
    InFlight,
    OpenConflict,
    /// Writes of ours landed on `side` and the read shows neither the value from before them nor
    /// the value after them; the store may still be catching up, so the cell waits out the echo
    /// window, after which reads are trusted again.
    UnclearEcho {
        side: Side,
    },
}

/// Things the plan did that a person should be able to read in the preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum Note {
    /// The cell had no base: the stock was taken from the owner, or the lower of the two sides
    /// when neither owns the location, so the first alignment never oversells.
    FirstAlignment { bigcommerce: i64, shopify: i64, stock: i64 },
    /// Under owner-wins, the other side's change was overwritten.
    Overwritten { side: Side, delta: i64 },
    /// A read still showed the value from before our write: not a change.
    StaleRead { side: Side },
    /// The merged stock is below zero: more was sold than the shelf held.
    Oversold { stock: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    InStep,
    Writes,
    Conflict(ConflictSnapshot),
    Held(Hold),
}

/// A cell's plan. It holds no copy of the cell's key: a caller pairs plans with their inputs, and
/// at 300,000 cells a copy of each key would be most of the plan's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellPlan {
    pub outcome: Outcome,
    pub writes: Vec<StockWrite>,
    /// The ledger as the plan leaves it, when the plan changed it (an echo settled, the first
    /// base, an overwritten change). Save it only if the stored revision is still the one read.
    pub ledger: Option<Ledger>,
    pub notes: Vec<Note>,
}

/// Plans one cell at `now`.
pub fn plan_cell(input: &CellInput, now: DateTime<Utc>) -> CellPlan {
    let mut plan = CellPlan { outcome: Outcome::InStep, writes: vec![], ledger: None, notes: vec![] };
    if input.in_flight {
        plan.outcome = Outcome::Held(Hold::InFlight);
        return plan;
    }
    if input.open_conflict {
        plan.outcome = Outcome::Held(Hold::OpenConflict);
        return plan;
    }
    let policy = input.policy;
    let mut ledger = input.ledger.clone();
    let mut changed = false;
    let seen = SidePair::new(input.seen.bigcommerce.quantity(), input.seen.shopify.quantity());

    let mut base = match ledger.base {
        Some(base) => base,
        None => {
            let stock = match policy.owner {
                Owner::BigCommerce => seen.bigcommerce,
                Owner::Shopify => seen.shopify,
                Owner::Both => seen.bigcommerce.min(seen.shopify),
            };
            plan.notes.push(Note::FirstAlignment { bigcommerce: seen.bigcommerce, shopify: seen.shopify, stock });
            ledger.decided = true;
            changed = true;
            rebase_to(&policy, seen, stock)
        }
    };

    // What each side shows once our own writes that a read has not caught up with are counted.
    let mut effective = seen;
    for side in Side::BOTH {
        let Some(echo) = *ledger.echo.get(side) else { continue };
        let shown = *seen.get(side);
        if now >= echo.until || shown == echo.before + echo.adjust {
            *ledger.echo.get_mut(side) = None;
            changed = true;
        } else if shown == echo.before {
            *effective.get_mut(side) = shown + echo.adjust;
            plan.notes.push(Note::StaleRead { side });
        } else {
            plan.outcome = Outcome::Held(Hold::UnclearEcho { side });
            return finish(plan, ledger, base, changed);
        }
    }

    let p = policy.primary();
    let n = p.other();
    let dp = effective.get(p) - base.get(p);
    let mut dn = effective.get(n) - base.get(n);
    if dp != 0 && dn != 0 && !ledger.decided {
        match policy.same_window {
            SameWindow::Merge => {}
            SameWindow::OwnerWins => {
                plan.notes.push(Note::Overwritten { side: n, delta: dn });
                *base.get_mut(n) += dn;
                dn = 0;
                changed = true;
            }
            SameWindow::Manual => {
                // A decision re-bases the cell, which an echo still being waited out would not
                // survive; the echo window is short, so the conflict waits for it.
                if let Some(side) = Side::BOTH.into_iter().find(|s| ledger.echo.get(*s).is_some()) {
                    plan.outcome = Outcome::Held(Hold::UnclearEcho { side });
                    return finish(plan, ledger, base, changed);
                }
                plan.outcome = Outcome::Conflict(ConflictSnapshot {
                    base_bigcommerce: base.bigcommerce,
                    base_shopify: base.shopify,
                    seen_bigcommerce: effective.bigcommerce,
                    seen_shopify: effective.shopify,
                });
                return finish(plan, ledger, base, changed);
            }
        }
    }

    let mut to_p = dn;
    if effective.get(p) + dn < 0 {
        plan.notes.push(Note::Oversold { stock: effective.get(p) + dn });
        if p == Side::BigCommerce {
            // BigCommerce owns the stock and cannot go below zero: it stops at zero, and the
            // units sold beyond it are reported, not kept.
            to_p = dn.max(-((*effective.get(p)).max(0)));
        }
    }
    let stock = effective.get(p) + to_p;
    let write = |side: Side, adjust: i64, carries: SidePair<i64>| StockWrite {
        cell: input.key.clone(),
        side,
        adjust,
        // What the store holds, as far as we know: a stale read is corrected by the writes it
        // does not show yet, so an in-doubt check compares against the real value.
        expect: *effective.get(side),
        carries,
        planned_version: *ledger.version.get(side),
        activate: *input.seen.get(side) == Level::NotStocked,
    };
    if to_p != 0 {
        let mut carries = SidePair::default();
        *carries.get_mut(n) = dn;
        plan.writes.push(write(p, to_p, carries));
    } else if dn != 0 {
        *base.get_mut(n) += dn;
        changed = true;
    }
    let to_n = policy.shown(n, stock) - effective.get(n);
    if to_n != 0 {
        let mut carries = SidePair::default();
        *carries.get_mut(p) = dp;
        plan.writes.push(write(n, to_n, carries));
    } else if dp != 0 {
        // The other side already shows what it should (the buffer hides the change): the change
        // is taken into the base with no write.
        *base.get_mut(p) += dp;
        changed = true;
    }

    if plan.writes.is_empty() {
        if ledger.decided {
            ledger.decided = false;
            changed = true;
        }
    } else {
        plan.outcome = Outcome::Writes;
    }
    finish(plan, ledger, base, changed)
}

fn finish(mut plan: CellPlan, mut ledger: Ledger, base: SidePair<i64>, changed: bool) -> CellPlan {
    if changed {
        ledger.base = Some(base);
        ledger.revision += 1;
        plan.ledger = Some(ledger);
    }
    plan
}

/// A whole stock plan, with counts for the preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StockCounts {
    pub cells: u64,
    pub in_step: u64,
    pub writes: u64,
    pub conflicts: u64,
    pub held: u64,
    pub first_alignments: u64,
    pub oversold: u64,
}

pub fn count(plans: &[CellPlan]) -> StockCounts {
    let mut c = StockCounts { cells: plans.len() as u64, ..StockCounts::default() };
    for plan in plans {
        match plan.outcome {
            Outcome::InStep => c.in_step += 1,
            Outcome::Writes => c.writes += plan.writes.len() as u64,
            Outcome::Conflict(_) => c.conflicts += 1,
            Outcome::Held(_) => c.held += 1,
        }
        for note in &plan.notes {
            match note {
                Note::FirstAlignment { .. } => c.first_alignments += 1,
                Note::Oversold { .. } => c.oversold += 1,
                _ => {}
            }
        }
    }
    c
}
