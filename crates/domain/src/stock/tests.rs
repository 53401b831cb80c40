use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 7, 0, 0).single().unwrap_or_default()
}

fn key() -> CellKey {
    CellKey {
        pair: 1,
        bigcommerce_location: 3,
        shopify_location: "gid://shopify/Location/30".into(),
        bigcommerce_product: 10,
        bigcommerce_variant: 11,
        shopify_item: "gid://shopify/InventoryItem/40".into(),
        label: "TB-1-RED-M".into(),
    }
}

fn converged(bc: i64, shop: i64) -> Ledger {
    Ledger { base: Some(SidePair::new(bc, shop)), ..Ledger::default() }
}

fn input(policy: PairPolicy, ledger: Ledger, bc: i64, shop: i64) -> CellInput {
    CellInput {
        key: key(),
        policy,
        ledger,
        seen: SidePair::new(Level::Stocked(bc), Level::Stocked(shop)),
        in_flight: false,
        open_conflict: false,
    }
}

fn policy(owner: Owner, same_window: SameWindow) -> PairPolicy {
    PairPolicy { owner, same_window, buffer: Buffer::default() }
}

/// Lands every write of `plan` on a ledger that starts as the plan left it.
fn land_all(start: &Ledger, plan: &CellPlan) -> Ledger {
    let mut ledger = plan.ledger.clone().unwrap_or_else(|| start.clone());
    for w in &plan.writes {
        assert_eq!(ledger.land(w, t0(), Duration::zero()), Ok(()), "a write just planned is admitted");
    }
    ledger
}

fn write_to(plan: &CellPlan, side: Side) -> Option<&StockWrite> {
    plan.writes.iter().find(|w| w.side == side)
}

#[test]
fn a_pos_sale_reaches_bigcommerce_and_nothing_goes_back() {
    let plan = plan_cell(&input(PairPolicy::default(), converged(10, 10), 10, 9), t0());
    assert_eq!(plan.outcome, Outcome::Writes, "a sale on one side is a change to carry");
    assert_eq!(plan.writes.len(), 1, "only BigCommerce needs a write: Shopify already shows 9");
    let w = &plan.writes[0];
    assert_eq!((w.side, w.adjust, w.expect), (Side::BigCommerce, -1, 10), "the sale is carried as -1");
    let ledger = land_all(&converged(10, 10), &plan);
    assert_eq!(ledger.base, Some(SidePair::new(9, 9)), "once carried, the sale is in both bases");
    let again = plan_cell(&input(PairPolicy::default(), ledger, 9, 9), t0());
    assert_eq!(again.outcome, Outcome::InStep, "our own write is not a change the next cycle carries back");
}

#[test]
fn sales_of_the_last_units_on_both_sides_merge_to_an_oversold_minus_one() {
    let plan = plan_cell(&input(PairPolicy::default(), converged(1, 1), 0, 0), t0());
    let bc = write_to(&plan, Side::BigCommerce).map(|w| w.adjust);
    let shop = write_to(&plan, Side::Shopify).map(|w| w.adjust);
    assert_eq!(shop, Some(-1), "Shopify holds the truth under both, and shows the oversell as -1");
    assert_eq!(bc, None, "BigCommerce cannot go below zero and already shows 0: no write");
    assert!(plan.notes.contains(&Note::Oversold { stock: -1 }), "two sales of one unit are an oversell to report");
    let ledger = land_all(&converged(1, 1), &plan);
    let next = plan_cell(&input(PairPolicy::default(), ledger, 0, -1), t0());
    assert_eq!(next.outcome, Outcome::InStep, "0 on BigCommerce is what -1 looks like there");
    let restocked = plan_cell(&input(PairPolicy::default(), next.ledger.unwrap_or_default(), 5, -1), t0());
    assert_eq!(write_to(&restocked, Side::Shopify).map(|w| w.after()), Some(4), "a restock of 5 pays the unit back");
    assert_eq!(write_to(&restocked, Side::BigCommerce).map(|w| w.after()), Some(4), "and BigCommerce shows the 4");
}

#[test]
fn manual_raises_a_conflict_and_a_decision_is_carried_out_without_a_new_one() {
    let manual = policy(Owner::Both, SameWindow::Manual);
    let plan = plan_cell(&input(manual, converged(5, 5), 4, 3), t0());
    let Outcome::Conflict(snapshot) = plan.outcome else { panic!("both sides changed under manual: {plan:?}") };
    assert!(plan.writes.is_empty(), "nothing is written while a person decides");
    assert_eq!(snapshot.chosen_stock(&manual, Resolution::Sum), 2, "5 - 1 - 2");
    assert_eq!(snapshot.chosen_stock(&manual, Resolution::BigCommerce), 4, "BigCommerce's change alone");
    assert_eq!(snapshot.chosen_stock(&manual, Resolution::Shopify), 3, "Shopify's change alone");

    // The person counts the shelf and types 7; meanwhile Shopify sells one more.
    let mut ledger = converged(5, 5);
    ledger.decide(&manual, &snapshot, 7);
    let plan = plan_cell(&input(manual, ledger.clone(), 4, 2), t0());
    assert_eq!(plan.outcome, Outcome::Writes, "the decision goes out even though Shopify moved again: {plan:?}");
    let ledger = land_all(&ledger, &plan);
    let bc = 4 + write_to(&plan, Side::BigCommerce).map_or(0, |w| w.adjust);
    let shop = 2 + write_to(&plan, Side::Shopify).map_or(0, |w| w.adjust);
    assert_eq!((bc, shop), (6, 6), "the typed 7, less the sale made after the decision");
    let settled = plan_cell(&input(manual, ledger, 6, 6), t0());
    assert_eq!(settled.outcome, Outcome::InStep, "the cell is in step");
    assert_eq!(settled.ledger.map(|l| l.decided), Some(false), "and manual applies again from now on");
}

#[test]
fn under_bigcommerce_ownership_an_oversell_stops_at_zero_and_is_reported() {
    let owns = policy(Owner::BigCommerce, SameWindow::Merge);
    let plan = plan_cell(&input(owns, converged(2, 2), 2, -1), t0());
    assert_eq!(write_to(&plan, Side::BigCommerce).map(|w| w.after()), Some(0), "BigCommerce stops at zero");
    assert_eq!(write_to(&plan, Side::Shopify).map(|w| w.after()), Some(0), "and Shopify is shown the owner's 0");
    assert!(plan.notes.contains(&Note::Oversold { stock: -1 }), "the unit sold beyond the shelf is reported");
}

#[test]
fn owner_wins_overwrites_the_other_sides_change() {
    let plan = plan_cell(&input(policy(Owner::BigCommerce, SameWindow::OwnerWins), converged(5, 5), 8, 4), t0());
    assert_eq!(plan.writes.len(), 1, "the owner is not written");
    assert_eq!(write_to(&plan, Side::Shopify).map(|w| w.adjust), Some(4), "Shopify is set to BigCommerce's 8");
    assert!(plan.notes.contains(&Note::Overwritten { side: Side::Shopify, delta: -1 }), "the dropped change is said");
}

#[test]
fn a_stale_read_after_our_write_is_not_an_echo() {
    let mut ledger = converged(10, 10);
    let plan = plan_cell(&input(PairPolicy::default(), ledger.clone(), 10, 7), t0());
    let w = write_to(&plan, Side::BigCommerce).cloned().unwrap_or_else(|| panic!("a write to BigCommerce"));
    assert_eq!(ledger.land(&w, t0(), Duration::seconds(60)), Ok(()), "the write lands");
    // BigCommerce has not caught up: the read still shows 10.
    let stale = plan_cell(&input(PairPolicy::default(), ledger.clone(), 10, 7), t0() + Duration::seconds(5));
    assert_eq!(stale.outcome, Outcome::InStep, "the value from before our write is not a +3 to send to Shopify");
    assert!(stale.notes.contains(&Note::StaleRead { side: Side::BigCommerce }), "the stale read is said");
    // A read that shows neither value waits; once the window is over, it is trusted.
    let unclear = plan_cell(&input(PairPolicy::default(), ledger.clone(), 9, 7), t0() + Duration::seconds(5));
    assert_eq!(unclear.outcome, Outcome::Held(Hold::UnclearEcho { side: Side::BigCommerce }), "9 is unclear");
    let later = plan_cell(&input(PairPolicy::default(), ledger, 6, 7), t0() + Duration::seconds(61));
    assert_eq!(write_to(&later, Side::Shopify).map(|w| w.adjust), Some(-1), "a sale after our write is carried");
}

#[test]
fn when_only_one_of_two_writes_lands_the_other_change_is_still_owed() {
    let start = converged(10, 10);
    let plan = plan_cell(&input(PairPolicy::default(), start.clone(), 8, 9), t0());
    let mut ledger = plan.ledger.clone().unwrap_or_else(|| start.clone());
    let to_shop = write_to(&plan, Side::Shopify).cloned().unwrap_or_else(|| panic!("a Shopify write"));
    assert_eq!(ledger.land(&to_shop, t0(), Duration::zero()), Ok(()), "Shopify's write lands; BigCommerce's fails");
    let next = plan_cell(&input(PairPolicy::default(), ledger, 8, 7), t0());
    assert_eq!(next.writes.len(), 1, "only the failed direction is planned again: {next:?}");
    assert_eq!(write_to(&next, Side::BigCommerce).map(|w| w.adjust), Some(-1), "Shopify's own sale, once");
}

#[test]
fn a_write_planned_before_another_landed_on_its_side_is_refused() {
    let start = converged(10, 10);
    let plan = plan_cell(&input(PairPolicy::default(), start.clone(), 10, 9), t0());
    let w = plan.writes[0].clone();
    let mut ledger = start;
    assert_eq!(ledger.land(&w, t0(), Duration::zero()), Ok(()), "the first copy lands");
    assert!(
        matches!(ledger.land(&w, t0(), Duration::zero()), Err(LandingError::Stale { .. })),
        "a second copy of the same change must never land: it would count the sale twice"
    );
}

#[test]
fn first_alignment_takes_the_owner_or_the_lower_side() {
    let fresh = Ledger::default();
    let both = plan_cell(&input(PairPolicy::default(), fresh.clone(), 7, 9), t0());
    assert!(both.notes.contains(&Note::FirstAlignment { bigcommerce: 7, shopify: 9, stock: 7 }), "lower: no oversell");
    assert_eq!(write_to(&both, Side::Shopify).map(|w| w.adjust), Some(-2), "Shopify comes down to 7");
    let shop_owns = plan_cell(&input(policy(Owner::Shopify, SameWindow::Merge), fresh, 7, 9), t0());
    assert_eq!(write_to(&shop_owns, Side::BigCommerce).map(|w| w.adjust), Some(2), "BigCommerce goes up to 9");
}

#[test]
fn the_non_owning_side_is_shown_the_stock_less_the_buffer() {
    let buffered = PairPolicy {
        owner: Owner::BigCommerce,
        same_window: SameWindow::Merge,
        buffer: Buffer { hold_back: 2, cap: Some(5) },
    };
    let plan = plan_cell(&input(buffered, Ledger::default(), 10, 10), t0());
    assert_eq!(write_to(&plan, Side::Shopify).map(|w| w.after()), Some(5), "10 less 2 held back, capped at 5");
    let ledger = land_all(&Ledger::default(), &plan);
    // A POS sale of 1 at the capped store is a real sale of the shelf.
    let sale = plan_cell(&input(buffered, ledger, 10, 4), t0());
    assert_eq!(write_to(&sale, Side::BigCommerce).map(|w| w.after()), Some(9), "the shelf lost one unit");
    assert_eq!(write_to(&sale, Side::Shopify).map(|w| w.after()), Some(5), "and Shopify is topped up to the cap");
    let low = plan_cell(&input(buffered, converged(2, 0), 1, 0), t0());
    assert_eq!(low.outcome, Outcome::InStep, "at or under the buffer the other side stays at 0");
}

#[test]
fn a_cell_with_a_write_on_the_wire_or_an_open_conflict_waits() {
    let mut waiting = input(PairPolicy::default(), converged(10, 10), 10, 9);
    waiting.in_flight = true;
    assert_eq!(plan_cell(&waiting, t0()).outcome, Outcome::Held(Hold::InFlight), "its answer decides the bases");
    waiting.in_flight = false;
    waiting.open_conflict = true;
    assert_eq!(plan_cell(&waiting, t0()).outcome, Outcome::Held(Hold::OpenConflict), "a person decides first");
}

#[test]
fn an_item_not_stocked_at_the_shopify_location_is_activated_first() {
    let mut fresh = input(policy(Owner::BigCommerce, SameWindow::Merge), Ledger::default(), 4, 0);
    fresh.seen.shopify = Level::NotStocked;
    let plan = plan_cell(&fresh, t0());
    assert_eq!(write_to(&plan, Side::Shopify).map(|w| (w.activate, w.after())), Some((true, 4)), "activate, then 4");
    let mut untracked = input(policy(Owner::Shopify, SameWindow::Merge), Ledger::default(), 0, 4);
    untracked.seen.bigcommerce = Level::NotStocked;
    let plan = plan_cell(&untracked, t0());
    assert_eq!(
        write_to(&plan, Side::BigCommerce).map(|w| (w.activate, w.after())),
        Some((true, 4)),
        "BigCommerce does not track the item there: the write is flagged for an absolute adjustment"
    );
}

#[test]
fn typed_choices_are_checked() {
    assert_eq!(Resolution::parse("sum"), Ok(Resolution::Sum), "sum adds both changes");
    assert_eq!(Resolution::parse(" 12 "), Ok(Resolution::Value(12)), "a count may carry spaces");
    assert!(Resolution::parse("-1").is_err_and(|e| e.contains("negative")), "a negative count is refused");
    assert!(Resolution::parse("2.5").is_err_and(|e| e.contains("whole number")), "a fraction is refused");
}

#[test]
fn policies_that_cannot_apply_are_refused() {
    assert_eq!(
        PairPolicy::new(Owner::Both, SameWindow::OwnerWins, Buffer::default()),
        Err(PolicyError::OwnerWinsWithoutOwner),
        "owner-wins needs an owner"
    );
    assert_eq!(
        PairPolicy::new(Owner::Both, SameWindow::Merge, Buffer { hold_back: 1, cap: None }),
        Err(PolicyError::BufferWithoutOwner),
        "a buffer needs a side to hold units back from"
    );
    assert_eq!(
        PairPolicy::new(Owner::Shopify, SameWindow::Merge, Buffer { hold_back: -1, cap: None }),
        Err(PolicyError::NegativeHoldBack(-1)),
        "a negative buffer would show more than the shelf holds"
    );
}

#[test]
fn requests_are_packed_to_each_stores_limit() {
    let write = |side: Side, location: i64, n: i64| {
        let mut cell = key();
        cell.bigcommerce_location = location;
        cell.bigcommerce_variant = n;
        StockWrite {
            cell,
            side,
            adjust: 1,
            expect: 0,
            carries: SidePair::default(),
            planned_version: 0,
            activate: false,
        }
    };
    let mut writes: Vec<StockWrite> = (0..2001).map(|n| write(Side::BigCommerce, 1, n)).collect();
    let mut untracked = write(Side::BigCommerce, 2, 99);
    untracked.activate = true;
    writes.push(untracked);
    writes.extend((0..10).map(|n| write(Side::BigCommerce, 2, n)));
    writes.extend((0..251).map(|n| write(Side::Shopify, n % 3, n)));
    let sizes: Vec<(Side, usize)> = batch(writes).iter().map(|b| (b[0].side, b.len())).collect();
    assert_eq!(
        sizes,
        vec![
            (Side::BigCommerce, 2000),
            (Side::BigCommerce, 1),
            (Side::BigCommerce, 10),
            (Side::BigCommerce, 1),
            (Side::Shopify, 250),
            (Side::Shopify, 1)
        ],
        "BigCommerce by location at 2,000, an absolute adjustment apart; Shopify at 250 across locations"
    );
    assert_eq!(
        key().entity_key(Side::Shopify),
        "stock:1:bigcommerce/11+gid://shopify/InventoryItem/40:shopify",
        "the key names the pair, the item and the store written"
    );
}

/// The store after the next cycle's writes land: what each side shows.
fn settle(ledger: Ledger, policy: PairPolicy, bc: i64, shop: i64) -> (i64, i64) {
    let plan = plan_cell(&input(policy, ledger.clone(), bc, shop), t0());
    let (mut bc, mut shop) = (bc, shop);
    for w in &plan.writes {
        match w.side {
            Side::BigCommerce => bc += w.adjust,
            Side::Shopify => shop += w.adjust,
        }
    }
    let after = land_all(&ledger, &plan);
    let again = plan_cell(&input(policy, after, bc, shop), t0());
    assert_eq!(again.outcome, Outcome::InStep, "one cycle settles it, and nothing is carried back");
    (bc, shop)
}

#[test]
fn an_order_for_a_pos_sale_is_the_sale_reaching_bigcommerce_whichever_came_first() {
    let both = policy(Owner::Both, SameWindow::Merge);
    // Sold here; BigCommerce's order took the unit before the stock sync saw the sale.
    let mut ledger = converged(10, 10);
    ledger.fold_order_decrement(1, 10, t0(), Duration::seconds(60)).unwrap();
    assert_eq!(settle(ledger, both, 9, 9), (9, 9), "the sale is counted once, not twice");

    // Sold here; the stock sync carried the sale first, then the order took a second unit.
    let mut ledger = converged(9, 9);
    ledger.fold_order_decrement(1, 9, t0(), Duration::seconds(60)).unwrap();
    assert_eq!(settle(ledger, both, 8, 9), (9, 9), "the order's extra unit goes back to BigCommerce");

    // Sold at another location: the order's decrement here is not a sale here.
    let mut ledger = converged(10, 10);
    ledger.fold_order_decrement(1, 10, t0(), Duration::seconds(60)).unwrap();
    assert_eq!(settle(ledger, both, 9, 10), (10, 10), "the unit goes back, and Shopify here is untouched");

    // The same under BigCommerce ownership.
    let owned = policy(Owner::BigCommerce, SameWindow::Merge);
    let mut ledger = converged(10, 10);
    ledger.fold_order_decrement(1, 10, t0(), Duration::seconds(60)).unwrap();
    assert_eq!(settle(ledger, owned, 9, 9), (9, 9), "counted once when BigCommerce owns the stock");
}

#[test]
fn a_read_from_before_the_order_is_an_echo_and_a_write_planned_before_it_is_stale() {
    let mut ledger = converged(10, 10);
    let earlier = plan_cell(&input(PairPolicy::default(), converged(10, 10), 10, 9), t0());
    ledger.fold_order_decrement(1, 10, t0(), Duration::seconds(60)).unwrap();
    let late = plan_cell(&input(PairPolicy::default(), ledger.clone(), 10, 9), t0());
    assert_eq!(late.outcome, Outcome::InStep, "BigCommerce not showing the order yet is not a change");
    let w = write_to(&earlier, Side::BigCommerce).unwrap();
    assert!(ledger.admits(w).is_err(), "a write planned before the order is not sent: the sale is carried already");
    assert!(Ledger::default().fold_order_decrement(1, 0, t0(), Duration::zero()).is_none(), "no base, no fold");
}
