//! Stock bookkeeping as kept on disk: location pairs, cells saved only at the revision a plan read,
//! landings, and conflicts settled once.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use tillbridge_domain::stock::{
    CellKey, ConflictSnapshot, Ledger, Owner, PairPolicy, SameWindow, Side, SidePair, StockWrite,
};
use tillbridge_store::{
    CellId, CellUpdate, NewLocationPair, Store, StoreError, land_in, raise_conflict_in, save_cell_plan_in,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 7, 0, 0).unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("t.db"), now()).unwrap();
    (dir, store)
}

fn pair(bc: i64, shop: &str) -> NewLocationPair {
    NewLocationPair {
        bigcommerce_location_id: bc,
        shopify_location_id: shop.into(),
        name: format!("{bc} with {shop}"),
        policy: PairPolicy::default(),
    }
}

fn cell(pair_id: i64) -> CellId {
    CellId { pair_id, bigcommerce_variant_id: 11, shopify_item_id: "gid://shopify/InventoryItem/40".into() }
}

#[test]
fn a_location_is_paired_once_and_the_refusal_names_the_pair() {
    let (_dir, store) = store();
    let id = store.add_location_pair(&pair(1, "gid://shopify/Location/1"), now()).unwrap();
    let again = store.add_location_pair(&pair(1, "gid://shopify/Location/2"), now()).unwrap_err();
    assert!(
        matches!(&again, StoreError::Refused(m) if m.contains("BigCommerce location 1") && m.contains(&format!("pair {id}"))),
        "the BigCommerce location is already in a pair: {again}"
    );
    let shop_again = store.add_location_pair(&pair(2, "gid://shopify/Location/1"), now()).unwrap_err();
    assert!(
        matches!(&shop_again, StoreError::Refused(m) if m.contains("Shopify location gid://shopify/Location/1")),
        "so is the Shopify one: {shop_again}"
    );
    assert_eq!(store.location_pairs().unwrap().len(), 1, "nothing was added by the refusals");
    let manual = PairPolicy { same_window: SameWindow::Manual, owner: Owner::Shopify, ..PairPolicy::default() };
    store.set_location_policy(id, &manual, now()).unwrap();
    assert_eq!(store.location_pairs().unwrap()[0].policy, manual, "the rules read back as set");
}

#[test]
fn a_plans_ledger_is_saved_only_at_the_revision_it_read() {
    let (_dir, store) = store();
    let pair_id = store.add_location_pair(&pair(1, "gid://shopify/Location/1"), now()).unwrap();
    let first = Ledger { base: Some(SidePair::new(5, 5)), revision: 1, ..Ledger::default() };
    let update = |read_revision, ledger: Ledger| CellUpdate {
        id: cell(pair_id),
        label: "TB-1".into(),
        read_revision,
        ledger: Some(ledger),
        seen: SidePair::new(5, 5),
        changed: false,
    };
    assert!(store.write(|tx| save_cell_plan_in(tx, &update(0, first.clone()), now())).unwrap(), "a new cell");
    let late = Ledger { base: Some(SidePair::new(9, 9)), revision: 1, ..Ledger::default() };
    assert!(
        !store.write(|tx| save_cell_plan_in(tx, &update(0, late), now())).unwrap(),
        "a plan that read revision 0 must not overwrite revision 1"
    );
    let stored = store.stock_cell(&cell(pair_id)).unwrap().unwrap();
    assert_eq!(stored.ledger, first, "the first plan's ledger stands");
    assert_eq!(stored.seen, SidePair::new(Some(5), Some(5)), "what was read is kept for the Inventory view");
}

#[test]
fn a_landing_adds_to_the_bases_once_and_a_conflict_is_settled_once() {
    let (_dir, store) = store();
    let pair_id = store.add_location_pair(&pair(1, "gid://shopify/Location/1"), now()).unwrap();
    let ledger = Ledger { base: Some(SidePair::new(10, 10)), revision: 1, ..Ledger::default() };
    let update = CellUpdate {
        id: cell(pair_id),
        label: "TB-1".into(),
        read_revision: 0,
        ledger: Some(ledger),
        seen: SidePair::new(10, 9),
        changed: true,
    };
    store.write(|tx| save_cell_plan_in(tx, &update, now())).unwrap();
    let write = StockWrite {
        cell: CellKey {
            pair: pair_id,
            bigcommerce_location: 1,
            shopify_location: "gid://shopify/Location/1".into(),
            bigcommerce_product: 10,
            bigcommerce_variant: 11,
            shopify_item: "gid://shopify/InventoryItem/40".into(),
            label: "TB-1".into(),
        },
        side: Side::BigCommerce,
        adjust: -1,
        expect: 10,
        carries: SidePair::new(0, -1),
        planned_version: 0,
        activate: false,
    };
    let land = || store.write(|tx| land_in(tx, &cell(pair_id), &write, now(), Duration::seconds(60)));
    assert_eq!(land().unwrap(), Ok(()), "the write lands");
    assert!(land().unwrap().is_err(), "the same write landing again is refused: it would count the sale twice");
    let stored = store.stock_cell(&cell(pair_id)).unwrap().unwrap();
    assert_eq!(stored.ledger.base, Some(SidePair::new(9, 9)), "the sale is in both bases, once");

    let snapshot = ConflictSnapshot { base_bigcommerce: 9, base_shopify: 9, seen_bigcommerce: 8, seen_shopify: 7 };
    let raise = || store.write(|tx| raise_conflict_in(tx, &cell(pair_id), "TB-1", &snapshot, "same_window", now()));
    let id = raise().unwrap();
    assert_eq!(raise().unwrap(), id, "one open conflict per cell");
    assert_eq!(store.open_conflict_cells().unwrap().len(), 1, "the cell is held");
    let policy = PairPolicy::default();
    let settled = store.resolve_stock_conflict(id, &policy, "sum", 6, now()).unwrap();
    assert_eq!((settled.state.as_str(), settled.stock), ("resolved", Some(6)), "the decision is kept");
    let again = store.resolve_stock_conflict(id, &policy, "bigcommerce", 8, now()).unwrap_err();
    assert!(matches!(again, StoreError::Refused(_)), "a settled conflict is not settled twice: {again}");
    assert!(store.open_conflict_cells().unwrap().is_empty(), "the cell is free");
    let decided = store.stock_cell(&cell(pair_id)).unwrap().unwrap().ledger;
    assert!(decided.decided, "the decision is carried out as a merge");
}
