//! Catalog snapshots, mapping decisions and records, and sync runs, as the engine uses them.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use tillbridge_domain::work::{Capability, Lane};
use tillbridge_store::catalog::{self, record_read};
use tillbridge_store::{
    BcVariantRow, Decision, Enqueued, MIGRATIONS, MappingBigCommerceSide, MappingClass, MappingClassCounts,
    MappingFilter, MappingOrder, MappingRecordRow, MappingShopifySide, NewJob, NewRead, NewRun, RunStart,
    SCHEMA_VERSION, Scope, ShVariantRow, Store, StoreError, SyncChangeRow, SyncRunEnd, System, Trigger, enqueue_in,
};

const OWNER: &str = "host/1/1/a";

/// Starts a catalog run owned by a live process that resumes nothing.
fn start_run(store: &Store, mode: Scope, dry_run: bool, at: DateTime<Utc>) -> Result<i64, StoreError> {
    let new = NewRun { capability: Capability::Catalog, mode, dry_run, trigger: Trigger::Manual, owner: OWNER };
    match store.start_run(&new, at, &|_| false, &|_| false)? {
        RunStart::Started(id) => Ok(id),
        RunStart::Resumed(run) => panic!("nothing is resumable here, yet {run:?} was resumed"),
    }
}

fn end(phase: &str, changes: u64, written: u64) -> SyncRunEnd {
    SyncRunEnd { phase: phase.into(), error: None, changes, written, failed: 0, superseded: 0, approval_reason: None }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
}

fn money(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn bc(variant_id: i64, sku: &str) -> BcVariantRow {
    BcVariantRow {
        variant_id,
        product_id: variant_id / 10,
        sku: sku.into(),
        upc: "036000291452".into(),
        gtin: String::new(),
        product_price: money("19.90"),
        price: Some(money("21.00")),
        sale_price: None,
        title: format!("Product {}", variant_id / 10),
        options: vec![("Color".into(), "Red".into()), ("Size".into(), "XL".into())],
        date_modified: Some(now() - Duration::days(3)),
    }
}

fn sh(n: u32, sku: &str) -> ShVariantRow {
    ShVariantRow {
        variant_id: format!("gid://shopify/ProductVariant/{n}"),
        product_id: format!("gid://shopify/Product/{}", n / 10),
        inventory_item_id: format!("gid://shopify/InventoryItem/{n}"),
        sku: sku.into(),
        barcode: "4006381333931".into(),
        price: money("17.50"),
        compare_at_price: Some(money("21.00")),
        title: format!("Product {}", n / 10),
        options: vec![("Colour".into(), "Red".into())],
        updated_at: None,
    }
}

fn read(system: System, scope: Scope, at: DateTime<Utc>, cursor: &str, variants: u64) -> NewRead {
    NewRead { system, scope, taken_at: at, cursor: Some(cursor.into()), variants }
}

#[test]
fn variants_round_trip_with_exact_decimals_and_options() {
    let store = Store::open_in_memory(now()).unwrap();
    let mut with_sale = bc(11, "A-1");
    with_sale.sale_price = Some(money("0.10"));
    with_sale.price = None;
    let rows = vec![with_sale, bc(12, "A-2")];
    store.save_bigcommerce_read(&read(System::BigCommerce, Scope::Full, now(), "c1", 2), &rows).unwrap();
    let back = store.bigcommerce_variants().unwrap();
    assert_eq!(back, rows, "every field of a BigCommerce variant reads back as written");
    assert_eq!(back[1].product_price.to_string(), "19.90", "a price keeps its written scale, not a float's rendering");
    assert_eq!(back[0].sale_price.map(|d| d.to_string()).as_deref(), Some("0.10"), "0.10 stays exactly 0.10");

    let sh_rows = vec![sh(101, "A-1"), sh(102, "")];
    store.save_shopify_read(&read(System::Shopify, Scope::Full, now(), "s1", 2), &sh_rows).unwrap();
    assert_eq!(store.shopify_variants().unwrap(), sh_rows, "every field of a Shopify variant reads back as written");

    let text: String = store
        .read(|c| Ok(c.query_row("SELECT price FROM shopify_variants WHERE sku = 'A-1'", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(text, "17.50", "money is stored as decimal text, never REAL");
    let options: String = store
        .read(|c| Ok(c.query_row("SELECT options FROM bigcommerce_variants WHERE variant_id = 12", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(
        options, r#"[["Color","Red"],["Size","XL"]]"#,
        "options are JSON [[name, value], ...] in the store's order"
    );
}

#[test]
fn lookups_by_id_follow_the_order_asked_and_skip_unknown_ids() {
    let store = Store::open_in_memory(now()).unwrap();
    store
        .save_bigcommerce_read(
            &read(System::BigCommerce, Scope::Full, now(), "c", 3),
            &[bc(11, "a"), bc(12, "b"), bc(13, "c")],
        )
        .unwrap();
    let ids: Vec<i64> =
        store.bigcommerce_variants_by_id(&[13, 99, 11]).unwrap().into_iter().map(|v| v.variant_id).collect();
    assert_eq!(ids, vec![13, 11], "found rows come back in the order asked; an unknown id is skipped");

    store.save_shopify_read(&read(System::Shopify, Scope::Full, now(), "s", 2), &[sh(1, "a"), sh(2, "b")]).unwrap();
    let found = store.shopify_variants_by_id(&["gid://shopify/ProductVariant/2".into(), "nope".into()]).unwrap();
    assert_eq!(found.len(), 1, "only the stored Shopify variant is found");
    assert_eq!(found[0].sku, "b", "and it is the one asked for");
}

#[test]
fn a_full_read_removes_vanished_variants_and_a_delta_keeps_the_others() {
    let store = Store::open_in_memory(now()).unwrap();
    store
        .save_bigcommerce_read(
            &read(System::BigCommerce, Scope::Full, now(), "c1", 3),
            &[bc(11, "a"), bc(12, "b"), bc(13, "c")],
        )
        .unwrap();

    let mut changed = bc(12, "b-renamed");
    changed.price = Some(money("25.00"));
    store
        .save_bigcommerce_read(
            &read(System::BigCommerce, Scope::Delta, now() + Duration::minutes(5), "c2", 2),
            &[changed, bc(14, "d")],
        )
        .unwrap();
    let skus: Vec<String> = store.bigcommerce_variants().unwrap().into_iter().map(|v| v.sku).collect();
    assert_eq!(skus, vec!["a", "b-renamed", "c", "d"], "a delta updates and adds, and keeps what it did not mention");

    let removed = store
        .write(|tx| {
            let id = record_read(tx, &read(System::BigCommerce, Scope::Full, now() + Duration::minutes(10), "c3", 2))?;
            catalog::replace_bigcommerce_variants(tx, id, &[bc(11, "a"), bc(14, "d")])
        })
        .unwrap();
    assert_eq!(removed, 2, "the two variants the full read did not return are removed");
    let ids: Vec<i64> = store.bigcommerce_variants().unwrap().into_iter().map(|v| v.variant_id).collect();
    assert_eq!(ids, vec![11, 14], "only what the full read returned remains");

    store.save_shopify_read(&read(System::Shopify, Scope::Full, now(), "s1", 2), &[sh(1, "a"), sh(2, "b")]).unwrap();
    store.save_shopify_read(&read(System::Shopify, Scope::Delta, now(), "s2", 1), &[sh(3, "c")]).unwrap();
    assert_eq!(store.shopify_variants().unwrap().len(), 3, "a Shopify delta keeps the variants it did not mention");
    store.save_shopify_read(&read(System::Shopify, Scope::Full, now(), "s3", 1), &[sh(3, "c")]).unwrap();
    let left: Vec<String> = store.shopify_variants().unwrap().into_iter().map(|v| v.sku).collect();
    assert_eq!(left, vec!["c"], "a Shopify full read removes what vanished");
    assert_eq!(store.bigcommerce_variants().unwrap().len(), 2, "a Shopify read never touches BigCommerce rows");
}

#[test]
fn the_last_read_gives_the_delta_cursor_and_the_last_full_read_is_kept() {
    let store = Store::open_in_memory(now()).unwrap();
    assert_eq!(store.last_read(System::BigCommerce).unwrap(), None, "nothing was read yet");
    store.record_read(&read(System::BigCommerce, Scope::Full, now(), "full-cursor", 100)).unwrap();
    for i in 1..=150 {
        store
            .record_read(&read(System::BigCommerce, Scope::Delta, now() + Duration::minutes(i), &format!("d{i}"), 1))
            .unwrap();
    }
    store.record_read(&read(System::Shopify, Scope::Delta, now(), "shopify", 7)).unwrap();

    let last = store.last_read(System::BigCommerce).unwrap().expect("a read was recorded");
    assert_eq!(last.cursor.as_deref(), Some("d150"), "the latest read's cursor is where the next delta starts");
    assert_eq!(last.scope, Scope::Delta, "and it was a delta");
    assert_eq!(last.taken_at, now() + Duration::minutes(150), "with the time it was taken");
    let full = store.last_full_read(System::BigCommerce).unwrap().expect("the full read survives pruning");
    assert_eq!((full.cursor.as_deref(), full.variants), (Some("full-cursor"), 100), "the last full read is kept");
    let sh_last = store.last_read(System::Shopify).unwrap().unwrap();
    assert_eq!(sh_last.cursor.as_deref(), Some("shopify"), "each system has its own reads");

    let kept: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM catalog_reads WHERE system = 'bigcommerce'", [], |r| r.get(0))?))
        .unwrap();
    assert!(kept <= 101, "old reads are pruned (the latest 100 and the last full one stay); {kept} kept");
}

#[test]
fn a_read_and_its_jobs_land_together_or_not_at_all() {
    let store = Store::open_in_memory(now()).unwrap();
    let job = NewJob {
        kind: "catalog_write".into(),
        capability: Capability::Catalog,
        lane: Lane::Shopify,
        entity_key: "product:gid://shopify/ProductVariant/1:price".into(),
        idempotency_key: "product:gid://shopify/ProductVariant/1:price=abc".into(),
        payload: json!({"price": "21.00"}),
        summary: "price 21.00 → Shopify, SKU-1".into(),
        priority: 10,
        run_id: None,
    };
    let failed: Result<(), StoreError> = store.write(|tx| {
        let id = record_read(tx, &read(System::BigCommerce, Scope::Full, now(), "c", 1))?;
        catalog::replace_bigcommerce_variants(tx, id, &[bc(11, "a")])?;
        enqueue_in(tx, &job, now())?;
        Err(StoreError::NotFound { what: "anything", id: 0 })
    });
    assert!(failed.is_err(), "the transaction was made to fail");
    assert_eq!(store.last_read(System::BigCommerce).unwrap(), None, "the read rolled back");
    assert!(store.bigcommerce_variants().unwrap().is_empty(), "the variants rolled back");
    assert_eq!(store.job_counts(None).unwrap().unsettled(), 0, "the job rolled back with them");

    let enqueued = store.write(|tx| enqueue_in(tx, &job, now())).unwrap();
    assert!(
        matches!(enqueued, Enqueued::Created { superseded: None, .. }),
        "enqueue_in creates a job in a transaction"
    );
    assert_eq!(store.enqueue(&job, now()).unwrap(), Enqueued::Existing { id: enqueued.id() }, "and the key dedupes");
}

fn link(b: i64, s: &str) -> Decision {
    Decision::Link { bigcommerce_variant_id: b, shopify_variant_id: s.into() }
}

fn unlink(b: i64, s: &str) -> Decision {
    Decision::Unlink { bigcommerce_variant_id: b, shopify_variant_id: s.into() }
}

fn decisions(store: &Store) -> Vec<Decision> {
    let mut d: Vec<Decision> = store.decisions().unwrap().into_iter().map(|r| r.decision).collect();
    d.sort();
    d
}

/// What was decided about some variants is found the same by a lookup per id and, past a few
/// thousand ids, by one pass over the tables.
#[test]
fn decisions_about_some_variants_are_found_by_lookup_or_by_scan_alike() {
    let store = Store::open_in_memory(now()).unwrap();
    store.add_decision(&link(1, "s1"), now()).unwrap();
    store.add_decision(&unlink(2, "s2"), now()).unwrap();
    store.add_decision(&Decision::IgnoreBigCommerce { variant_id: 3 }, now()).unwrap();
    store.add_decision(&Decision::IgnoreShopify { variant_id: "s4".into() }, now()).unwrap();
    store.add_decision(&link(5, "s5"), now()).unwrap();
    let synced = vec![(1, "s1".to_string()), (6, "s6".to_string()), (7, "s7".to_string())];
    store.write(|tx| tillbridge_store::save_baseline(tx, &synced, None, None, now())).unwrap();

    let (bc, sh) = (vec![1, 3, 7], vec!["s2".to_string(), "s4".to_string()]);
    let few = store.decided_about(&bc, &sh).unwrap();
    let named: Vec<Decision> = few.decisions.iter().map(|r| r.decision.clone()).collect();
    assert_eq!(
        named,
        vec![
            link(1, "s1"),
            unlink(2, "s2"),
            Decision::IgnoreBigCommerce { variant_id: 3 },
            Decision::IgnoreShopify { variant_id: "s4".into() }
        ],
        "every decision naming a variant asked for, on either side, oldest first; none about 5"
    );
    assert_eq!(few.synced_pairs, vec![(1, "s1".to_string()), (7, "s7".to_string())], "the synced pairs naming them");
    // Ids no row has, enough to take the scan.
    let padded: Vec<i64> = bc.iter().copied().chain(10_000..13_000).collect();
    assert_eq!(store.decided_about(&padded, &sh).unwrap(), few, "a scan finds what the lookups found");
}

#[test]
fn the_latest_decision_replaces_the_ones_it_contradicts() {
    let store = Store::open_in_memory(now()).unwrap();
    store.add_decision(&unlink(1, "s1"), now()).unwrap();
    store.add_decision(&Decision::IgnoreBigCommerce { variant_id: 1 }, now()).unwrap();
    store.add_decision(&Decision::IgnoreShopify { variant_id: "s1".into() }, now()).unwrap();
    store.add_decision(&unlink(2, "s2"), now()).unwrap();
    store.add_decision(&link(1, "s1"), now()).unwrap();
    assert_eq!(
        decisions(&store),
        vec![link(1, "s1"), unlink(2, "s2")],
        "a link clears the pair's unlink and both variants' ignores, and leaves other pairs alone"
    );

    store.add_decision(&unlink(1, "s1"), now()).unwrap();
    assert_eq!(decisions(&store), vec![unlink(1, "s1"), unlink(2, "s2")], "an unlink clears the pair's link");

    store.add_decision(&link(1, "s1"), now()).unwrap();
    store.add_decision(&link(1, "s9"), now()).unwrap();
    assert_eq!(
        decisions(&store),
        vec![link(1, "s9"), unlink(2, "s2")],
        "a variant has one counterpart: a new link replaces the old one"
    );

    store.add_decision(&Decision::IgnoreShopify { variant_id: "s9".into() }, now()).unwrap();
    assert_eq!(
        decisions(&store),
        vec![unlink(2, "s2"), Decision::IgnoreShopify { variant_id: "s9".into() }],
        "ignoring a linked variant removes its link, or the ignore would do nothing"
    );
}

#[test]
fn the_same_decision_twice_is_stored_once_and_can_be_removed() {
    let store = Store::open_in_memory(now()).unwrap();
    let ignore = Decision::IgnoreBigCommerce { variant_id: 7 };
    assert_eq!(
        serde_json::to_value(&ignore).unwrap(),
        json!({"kind": "ignore_bigcommerce", "variant_id": 7}),
        "a decision serializes with the system spelled as everywhere else"
    );
    store.add_decision(&ignore, now()).unwrap();
    store.add_decision(&ignore, now() + Duration::minutes(1)).unwrap();
    let stored = store.decisions().unwrap();
    assert_eq!(stored.len(), 1, "an ignore (one side NULL) is unique too");
    assert_eq!(stored[0].decided_at, now() + Duration::minutes(1), "repeating a decision refreshes its time");

    // The unique index itself refuses a duplicate written behind the API's back.
    let dup = store.write(|tx| {
        Ok(tx.execute(
            "INSERT INTO mapping_decisions (kind, bigcommerce_variant_id, shopify_variant_id, decided_at)
             VALUES ('ignore', 7, NULL, 'x')",
            [],
        )?)
    });
    assert!(dup.is_err(), "the COALESCE unique index treats the NULL sides as equal");
    let half_link = store.write(|tx| {
        Ok(tx.execute(
            "INSERT INTO mapping_decisions (kind, bigcommerce_variant_id, decided_at) VALUES ('link', 7, 'x')",
            [],
        )?)
    });
    assert!(half_link.is_err(), "a link must name both variants");

    assert!(store.remove_decision(&ignore).unwrap(), "an existing decision is removed");
    assert!(!store.remove_decision(&ignore).unwrap(), "removing it again reports that nothing was there");
    assert!(store.decisions().unwrap().is_empty(), "no decision is left");
}

fn record(
    id: i64,
    class: MappingClass,
    bc_side: Option<(&str, &str, &str)>,
    sh_side: Option<(&str, &str, &str)>,
) -> MappingRecordRow {
    MappingRecordRow {
        id,
        class,
        key: if class == MappingClass::Matched { Some("sku".into()) } else { None },
        reason: format!("reason {id}"),
        flags: if id % 2 == 0 { vec!["bad check digit".into()] } else { vec![] },
        decided: id % 3 == 0,
        bigcommerce: bc_side.map(|(sku, barcode, title)| MappingBigCommerceSide {
            product_id: id * 10,
            variant_id: id,
            sku: sku.into(),
            barcode: barcode.into(),
            title: title.into(),
            options: "Color: Red".into(),
        }),
        shopify: sh_side.map(|(sku, barcode, title)| MappingShopifySide {
            product_id: format!("gid://shopify/Product/{id}"),
            variant_id: format!("gid://shopify/ProductVariant/{id}"),
            sku: sku.into(),
            barcode: barcode.into(),
            title: title.into(),
            options: "Colour: Red".into(),
        }),
    }
}

fn sample_records() -> Vec<MappingRecordRow> {
    use MappingClass::*;
    vec![
        record(1, Matched, Some(("TEE-RED", "036000291452", "Tee")), Some(("TEE-RED", "036000291452", "Tee"))),
        record(2, Matched, Some(("MUG-1", "", "mug")), Some(("mug-1", "", "Coffee Mug"))),
        record(3, Unmatched, Some(("HAT-9", "", "Hat")), None),
        record(4, Unmatched, None, Some(("SOCK-2", "4006381333931", "Socks"))),
        record(5, Conflict, Some(("BAG-1", "", "bag")), Some(("BAG-1", "", "Bag Large"))),
        record(6, Ambiguous, Some(("CAP-1", "", "Cap")), None),
        record(7, Ignored, None, Some(("GIFT", "", "Gift card"))),
        record(8, Matched, Some(("Ärmel-1", "", "ÄRMEL Shirt")), Some(("Ärmel-1", "", "Ärmel shirt"))),
    ]
}

fn page_ids(store: &Store, filter: &MappingFilter) -> Vec<i64> {
    store.mapping_page(filter, 0, 100).unwrap().rows.iter().map(|r| r.id).collect()
}

fn filter(class: Option<MappingClass>, q: &str) -> MappingFilter {
    MappingFilter { class, q: if q.is_empty() { None } else { Some(q.into()) }, ..MappingFilter::default() }
}

#[test]
fn mapping_records_page_filter_search_and_count() {
    let store = Store::open_in_memory(now()).unwrap();
    let records = sample_records();
    store.replace_mapping_records(&records).unwrap();

    let all = store.mapping_page(&MappingFilter::default(), 0, 100).unwrap();
    assert_eq!(
        all.counts,
        MappingClassCounts { matched: 3, ambiguous: 1, conflict: 1, unmatched: 2, ignored: 1 },
        "counts cover every class"
    );
    assert_eq!(all.total, 8, "no filter selects every record");
    assert_eq!(
        all.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        // Unmatched first; within a class a missing BigCommerce side (NULL) sorts first, titles ignore case.
        // "mug" before "Tee" shows the case is ignored; "Ä" is not ASCII and sorts after both.
        vec![4, 3, 5, 6, 2, 1, 8, 7],
        "records needing attention come first, then by BigCommerce title without regard to case"
    );
    let by_id = |id: i64| all.rows.iter().find(|r| r.id == id).unwrap().clone();
    for original in &records {
        assert_eq!(&by_id(original.id), original, "record {} reads back as written", original.id);
    }

    let matched = store.mapping_page(&filter(Some(MappingClass::Matched), ""), 0, 100).unwrap();
    assert_eq!(matched.total, 3, "the total counts the filtered set");
    assert_eq!(matched.counts, all.counts, "while the class counts stay over all records");
    assert_eq!(page_ids(&store, &filter(Some(MappingClass::Ignored), "")), vec![7], "one class only");

    for (q, expected, why) in [
        ("tee-red", vec![1], "a BigCommerce and Shopify SKU, whatever the case"),
        ("4006381333931", vec![4], "a barcode on the Shopify side"),
        ("03600029", vec![1], "part of a barcode"),
        ("coffee", vec![2], "a Shopify title"),
        ("HAT", vec![3], "a BigCommerce SKU or title, in capitals"),
        ("ärmel shirt", vec![8], "non-ASCII text, case-insensitively"),
        ("bag", vec![5], "a title on either side"),
        ("%", vec![], "a LIKE wildcard is taken literally"),
        ("nothing-like-this", vec![], "no match gives no rows"),
        ("  mug-1  ", vec![2], "surrounding spaces are ignored"),
    ] {
        assert_eq!(page_ids(&store, &filter(None, q)), expected, "searching {q:?} finds {why}");
    }
    assert_eq!(page_ids(&store, &filter(Some(MappingClass::Unmatched), "-")), vec![4, 3], "class and search combine");
    assert_eq!(page_ids(&store, &filter(Some(MappingClass::Matched), "hat")), Vec::<i64>::new(), "both must hold");
    assert_eq!(
        page_ids(&store, &filter(None, "tee\nred")),
        Vec::<i64>::new(),
        "a search never matches across two fields"
    );

    let second = store.mapping_page(&MappingFilter::default(), 3, 3).unwrap();
    assert_eq!(second.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![6, 2, 1], "offset and limit select a page");
    assert_eq!(second.total, 8, "the total does not depend on the page");
    let past_end = store.mapping_page(&MappingFilter::default(), 50, 10).unwrap();
    assert!(past_end.rows.is_empty(), "a page past the end is empty");

    store.replace_mapping_records(&records[..2]).unwrap();
    assert_eq!(store.mapping_counts().unwrap().total(), 2, "replacing drops every earlier record");
}

#[test]
fn the_export_visits_every_filtered_record_in_page_order() {
    let store = Store::open_in_memory(now()).unwrap();
    store.replace_mapping_records(&sample_records()).unwrap();
    for f in [MappingFilter::default(), filter(Some(MappingClass::Matched), ""), filter(None, "e")] {
        let mut visited = Vec::new();
        let n = store.mapping_rows(&f, |r| visited.push(r.id)).unwrap();
        let page = store.mapping_page(&f, 0, 1000).unwrap();
        assert_eq!(
            visited,
            page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            "the export lists what the pages list: {f:?}"
        );
        assert_eq!(n, page.total, "and reports how many it visited: {f:?}");
    }
}

fn generated_records(n: i64) -> Vec<MappingRecordRow> {
    let classes = [
        MappingClass::Matched,
        MappingClass::Matched,
        MappingClass::Matched,
        MappingClass::Unmatched,
        MappingClass::Conflict,
        MappingClass::Ambiguous,
        MappingClass::Ignored,
    ];
    (1..=n)
        .map(|i| {
            let class = classes[(i as usize * 7919) % classes.len()];
            let sku = format!("SKU-{:06}", (i * 7919) % 1_000_003);
            let title = format!("Product {} {}", (i * 31) % 5000, ["Red", "Blue", "Green"][i as usize % 3]);
            let barcode = format!("{:013}", 4_006_381_000_000 + i);
            let bc_side = (class != MappingClass::Unmatched || i % 2 == 0).then_some((
                sku.as_str(),
                barcode.as_str(),
                title.as_str(),
            ));
            let sh_side =
                (class != MappingClass::Unmatched || i % 2 == 1).then_some((sku.as_str(), "", title.as_str()));
            record(i, class, bc_side, sh_side)
        })
        .collect()
}

/// What the screen's search finds: the text in a SKU, barcode or title of either side, any case.
fn matches_search(r: &MappingRecordRow, q: &str) -> bool {
    let sides = r.bigcommerce.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]);
    let sides = sides.chain(r.shopify.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]));
    sides.into_iter().any(|t| t.to_lowercase().contains(q))
}

#[test]
fn a_hundred_thousand_records_replace_and_page_quickly() {
    const N: i64 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("big.db"), now()).unwrap();
    let records = generated_records(N);

    let started = Instant::now();
    store.replace_mapping_records(&records).unwrap();
    eprintln!("replace {N} mapping records: {:?}", started.elapsed());
    let started = Instant::now();
    store.replace_mapping_records(&records).unwrap();
    eprintln!("replace {N} mapping records again (over the old ones): {:?}", started.elapsed());

    // The tabs count what the search finds, in every class.
    let counts_matching = |q: Option<&str>| {
        let mut c = MappingClassCounts::default();
        for r in records.iter().filter(|r| q.is_none_or(|q| matches_search(r, q))) {
            match r.class {
                MappingClass::Matched => c.matched += 1,
                MappingClass::Ambiguous => c.ambiguous += 1,
                MappingClass::Conflict => c.conflict += 1,
                MappingClass::Unmatched => c.unmatched += 1,
                MappingClass::Ignored => c.ignored += 1,
            }
        }
        c
    };

    for (name, f, offset) in [
        ("first page, all", MappingFilter::default(), 0),
        ("second page, all", MappingFilter::default(), 100),
        ("first page, matched", filter(Some(MappingClass::Matched), ""), 0),
        ("first page, ignored (last class)", filter(Some(MappingClass::Ignored), ""), 0),
        ("first page, search 'blue'", filter(None, "blue"), 0),
        ("first page, search one SKU", filter(None, "sku-000791"), 0),
        ("first page, matched + search", filter(Some(MappingClass::Matched), "product 42"), 0),
        ("page 500, all", MappingFilter::default(), 50_000),
    ] {
        let started = Instant::now();
        let page = store.mapping_page(&f, offset, 100).unwrap();
        eprintln!("{name}: {:?} ({} of {} rows)", started.elapsed(), page.rows.len(), page.total);
        let q = f.q.as_deref().map(str::to_lowercase);
        assert_eq!(
            page.counts,
            counts_matching(q.as_deref()),
            "{name}: the counts are over every record the search finds, whatever its class"
        );
        let selected: Vec<&MappingRecordRow> = records
            .iter()
            .filter(|r| f.class.is_none_or(|c| c == r.class))
            .filter(|r| q.as_deref().is_none_or(|q| matches_search(r, q)))
            .collect();
        assert_eq!(page.total, selected.len() as u64, "{name}: the total is the filtered count");
        assert_eq!(
            page.rows.len(),
            selected.len().saturating_sub(offset as usize).min(100),
            "{name}: a full page or the rest"
        );
        for row in &page.rows {
            assert!(f.class.is_none_or(|c| c == row.class), "{name}: row {} is of the asked class", row.id);
        }
        for pair in page.rows.windows(2) {
            assert!(
                pair[0].class <= pair[1].class,
                "{name}: classes come in the screen's order ({} then {})",
                pair[0].id,
                pair[1].id
            );
        }
    }

    let started = Instant::now();
    let mut visited = 0u64;
    store.mapping_rows(&MappingFilter::default(), |_| visited += 1).unwrap();
    eprintln!("stream all {N} records for export: {:?}", started.elapsed());
    assert_eq!(visited, N as u64, "the export visits every record");
}

fn change(n: i64) -> SyncChangeRow {
    SyncChangeRow {
        bigcommerce_variant_id: n,
        shopify_variant_id: format!("gid://shopify/ProductVariant/{n}"),
        title: format!("Product {n}"),
        sku: format!("SKU-{n}"),
        field: if n % 2 == 0 { "price" } else { "title" }.into(),
        direction: "bigcommerce_to_shopify".into(),
        old: Some("19.90".into()),
        new: if n % 5 == 0 { None } else { Some("21.00".into()) },
        job_id: None,
        result: None,
    }
}

/// A change as read back from a dry run: no job, so its result is "planned".
fn planned(c: &SyncChangeRow) -> SyncChangeRow {
    SyncChangeRow { result: Some("planned".into()), ..c.clone() }
}

#[test]
fn a_sync_run_records_its_phases_outcome_and_changes() {
    let store = Store::open_in_memory(now()).unwrap();
    assert_eq!(store.latest_sync_run(Capability::Catalog, None).unwrap(), None, "no run yet");
    let run = start_run(&store, Scope::Delta, true, now()).unwrap();
    let started =
        store.latest_sync_run(Capability::Catalog, None).unwrap().expect("the run is recorded when it starts");
    assert_eq!((started.id, started.mode, started.dry_run), (run, Scope::Delta, true), "mode and dry run are kept");
    assert_eq!(started.finished_at, None, "a running run has no end time");

    store.update_sync_run_phase(run, "planning").unwrap();
    assert_eq!(store.sync_run(run).unwrap().phase, "planning", "the phase follows the run");

    let changes: Vec<SyncChangeRow> = (1..=25).map(change).collect();
    store.save_sync_changes(run, &changes[..10]).unwrap();
    store.save_sync_changes(run, &changes[10..]).unwrap();
    let (total, page) = store.sync_changes_page(run, 8, 5).unwrap();
    assert_eq!(total, 25, "both batches are counted");
    assert_eq!(
        page,
        changes[8..13].iter().map(planned).collect::<Vec<_>>(),
        "a later batch continues after the earlier one, in plan order"
    );
    let mut all = Vec::new();
    assert_eq!(store.sync_changes_all(run, |c| all.push(c.clone())).unwrap(), 25, "the export visits every change");
    assert_eq!(all, changes.iter().map(planned).collect::<Vec<_>>(), "in plan order, each as written");
    let kinds = store.sync_change_kinds(run).unwrap();
    let by_kind: Vec<(String, u64)> = kinds.iter().map(|k| (k.field.clone(), k.changes)).collect();
    assert_eq!(by_kind, vec![("price".into(), 12), ("title".into(), 13)], "changes are counted by field and direction");

    store.finish_sync_run(run, &end("done", 25, 0), now() + Duration::seconds(40)).unwrap();
    let done = store.latest_sync_run(Capability::Catalog, None).unwrap().unwrap();
    assert_eq!((done.phase.as_str(), done.changes, done.written), ("done", 25, 0), "the outcome is kept");
    assert_eq!(done.finished_at, Some(now() + Duration::seconds(40)), "with its end time");

    let missing = store.save_sync_changes(run + 100, &changes[..1]).unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { what: "sync run", .. }), "changes need their run: {missing}");
    let missing = store.update_sync_run_phase(run + 100, "writing").unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "an unknown run is reported: {missing}");
}

#[test]
fn only_the_latest_runs_keep_their_changes() {
    let store = Store::open_in_memory(now()).unwrap();
    let mut runs = Vec::new();
    for i in 0..25 {
        let run = start_run(&store, Scope::Full, i % 2 == 0, now() + Duration::minutes(i)).unwrap();
        store.save_sync_changes(run, &[change(1), change(2)]).unwrap();
        store.finish_sync_run(run, &end("done", 2, 2), now() + Duration::minutes(i)).unwrap();
        runs.push(run);
    }
    let with_changes: Vec<i64> =
        runs.iter().copied().filter(|&run| store.sync_changes_page(run, 0, 10).unwrap().0 > 0).collect();
    assert_eq!(with_changes, runs[5..].to_vec(), "the latest 20 runs keep their changes, older ones lose them");
    assert_eq!(store.sync_run(runs[0]).unwrap().changes, 2, "an old run's summary outlives its changes");

    for i in 0..1_000 {
        let at = now() + Duration::hours(1) + Duration::seconds(i);
        let run = start_run(&store, Scope::Delta, false, at).unwrap();
        store.finish_sync_run(run, &end("done", 0, 0), at).unwrap();
    }
    let kept: i64 = store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM sync_runs", [], |r| r.get(0))?)).unwrap();
    assert_eq!(kept, 1_000, "the history keeps the latest 1,000 runs");
    assert!(
        matches!(store.sync_run(runs[0]), Err(StoreError::NotFound { .. })),
        "the oldest runs are dropped once 1,000 newer ones exist"
    );
}

#[test]
fn a_run_lost_with_its_process_is_marked_failed_and_a_finished_one_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let (finished, interrupted) = {
        let (store, _) = Store::open(&path, now()).unwrap();
        let finished = start_run(&store, Scope::Full, false, now()).unwrap();
        store.finish_sync_run(finished, &end("done", 0, 0), now()).unwrap();
        let interrupted = start_run(&store, Scope::Delta, false, now()).unwrap();
        store.update_sync_run_phase(interrupted, "planning").unwrap();
        (finished, interrupted)
    };
    let (store, _) = Store::open(&path, now()).unwrap();
    let soon = now() + Duration::seconds(5);
    assert_eq!(
        store.fail_lost_runs(soon, Duration::minutes(10), &|_| false).unwrap(),
        0,
        "opening the file touches no live run"
    );
    assert_eq!(
        store.fail_lost_runs(soon, Duration::minutes(10), &|owner| owner == OWNER).unwrap(),
        1,
        "a dead owner's run is lost at once"
    );
    let run = store.sync_run(interrupted).unwrap();
    assert_eq!(run.phase, "failed", "an interrupted run can never finish, so it failed");
    assert_eq!(run.finished_at, Some(soon), "it ends when the loss is noticed");
    assert!(
        run.error.as_deref().unwrap_or("").contains("stopped before this sync finished"),
        "the error says why: {run:?}"
    );
    assert_eq!(store.sync_run(finished).unwrap().phase, "done", "a finished run is left alone");
    assert_eq!(store.fail_lost_runs(soon, Duration::minutes(10), &|_| true).unwrap(), 0, "marking is done once");
}

#[test]
fn the_catalog_migration_applies_to_a_version_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database exactly as version 1 left it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0].sql).unwrap();
        conn.execute("INSERT INTO schema_history (version, name, applied_at) VALUES (1, 'foundation', 'x')", [])
            .unwrap();
        conn.execute("INSERT INTO settings (key, value, updated_at) VALUES ('marker', '\"kept\"', 'x')", []).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let (store, opened) = Store::open(&path, now()).unwrap();
    assert_eq!((opened.from_version, opened.to_version), (1, SCHEMA_VERSION), "the upgrade ran from version 1");
    assert!(opened.backup.is_some_and(|b| b.exists()), "the version 1 file was copied aside first");
    assert_eq!(store.setting::<String>("marker").unwrap().as_deref(), Some("kept"), "existing data survives");

    let tables: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
            Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .unwrap();
    for table in [
        "catalog_reads",
        "bigcommerce_variants",
        "shopify_variants",
        "mapping_decisions",
        "mapping_records",
        "sync_runs",
        "sync_changes",
    ] {
        assert!(tables.iter().any(|t| t == table), "version 2 adds {table}; tables are {tables:?}");
    }
    store.add_decision(&link(1, "s1"), now()).unwrap();
    store.save_bigcommerce_read(&read(System::BigCommerce, Scope::Full, now(), "c", 1), &[bc(11, "a")]).unwrap();
    assert_eq!(store.decisions().unwrap().len(), 1, "the new tables work on the upgraded file");
}

#[test]
fn a_live_run_blocks_a_second_start_and_a_dead_one_is_taken_over_at_once() {
    let store = Store::open_in_memory(now()).unwrap();
    let live = start_run(&store, Scope::Full, false, now()).unwrap();
    let refused = start_run(&store, Scope::Delta, true, now() + Duration::seconds(20)).unwrap_err();
    assert!(
        matches!(refused, StoreError::SyncRunning { run_id, .. } if run_id == live),
        "a second sync over a live one is refused, naming it: {refused}"
    );
    let other = NewRun {
        capability: Capability::Stock,
        mode: Scope::Full,
        dry_run: false,
        trigger: Trigger::Manual,
        owner: OWNER,
    };
    assert!(
        store.start_run(&other, now(), &|_| false, &|_| false).is_ok(),
        "a stock run does not wait behind a catalog run"
    );

    store.renew_leases(OWNER, now() + Duration::seconds(25), now() + Duration::seconds(55)).unwrap();
    assert!(
        start_run(&store, Scope::Delta, true, now() + Duration::seconds(50)).is_err(),
        "a renewed lease keeps the run alive past its first lease"
    );

    // The owner dies: the very next start takes over, without waiting for the lease to run out.
    let second = NewRun {
        capability: Capability::Catalog,
        mode: Scope::Full,
        dry_run: false,
        trigger: Trigger::Manual,
        owner: "host/2/2/b",
    };
    let dead = |o: &str| o == OWNER;
    let soon = now() + Duration::seconds(26);
    match store.start_run(&second, soon, &dead, &|run| run.mode == Scope::Full && !run.dry_run).unwrap() {
        RunStart::Resumed(run) => {
            assert_eq!(run.id, live, "the lost full sync is taken over to be finished");
            assert_eq!(store.sync_run(live).unwrap().owner.as_deref(), Some("host/2/2/b"), "under its new owner");
        }
        other => panic!("a dead owner's resumable run must be resumed, got {other:?}"),
    }
    let third = NewRun { owner: "host/3/3/c", ..second };
    let fresh = store.start_run(&third, soon, &|o| o == "host/2/2/b", &|_| false).unwrap();
    assert!(matches!(fresh, RunStart::Started(_)), "a run that cannot be resumed is replaced: {fresh:?}");
    assert_eq!(store.sync_run(live).unwrap().phase, "failed", "and the lost one is marked failed");
}

#[test]
fn tab_counts_follow_the_search_and_confirmable_counts_undecided_matches() {
    let store = Store::open_in_memory(now()).unwrap();
    store.replace_mapping_records(&sample_records()).unwrap();
    let searched = store.mapping_page(&filter(Some(MappingClass::Ignored), "e"), 0, 100).unwrap();
    // Counted from the records themselves, the way the search reads them: SKU, barcode and title of both sides.
    let expected = |class: MappingClass| {
        sample_records()
            .into_iter()
            .filter(|r| r.class == class)
            .filter(|r| {
                let bc = r.bigcommerce.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]);
                let sh = r.shopify.iter().flat_map(|s| [&s.sku, &s.barcode, &s.title]);
                bc.chain(sh).any(|f| f.to_lowercase().contains('e'))
            })
            .count() as u64
    };
    assert_eq!(
        searched.counts,
        MappingClassCounts {
            matched: expected(MappingClass::Matched),
            ambiguous: expected(MappingClass::Ambiguous),
            conflict: expected(MappingClass::Conflict),
            unmatched: expected(MappingClass::Unmatched),
            ignored: expected(MappingClass::Ignored),
        },
        "each tab counts the records the search selects, whatever tab is open"
    );
    assert!(searched.counts.total() < 8, "the search must leave some records out for this check to mean anything");
    let all = store.mapping_page(&MappingFilter::default(), 0, 100).unwrap();
    // Matched records 1, 2 and 8; record 3 would be decided (id % 3 == 0) but it is unmatched.
    assert_eq!(all.confirmable, 3, "every matched record no decision holds can be confirmed");
    assert_eq!(
        store.confirmable_pairs(Some("tee")).unwrap(),
        vec![(1, "gid://shopify/ProductVariant/1".to_string())],
        "confirm-all under a search confirms only what the search shows"
    );
}

#[test]
fn an_ambiguous_group_lists_together_and_other_orders_sort_by_sku_or_title() {
    use MappingClass::*;
    let store = Store::open_in_memory(now()).unwrap();
    let shared = "SKU \"CAP-1\" is shared by 1 BigCommerce and 2 Shopify variants; link the right pair by hand";
    let mut records = vec![
        record(1, Ambiguous, Some(("CAP-1", "", "Zebra cap")), None),
        record(2, Ambiguous, None, Some(("CAP-1", "", "Cap"))),
        record(3, Ambiguous, None, Some(("CAP-1", "", "Cap, blue"))),
        record(4, Ambiguous, None, Some(("HAT-1", "", "Hat"))),
        record(5, Matched, Some(("AAA", "", "Mug")), Some(("AAA", "", "Mug"))),
    ];
    for r in &mut records[..3] {
        r.reason = shared.into();
    }
    store.replace_mapping_records(&records).unwrap();
    for member in [1, 2, 3] {
        let group = MappingFilter { group: Some(member), ..MappingFilter::default() };
        assert_eq!(page_ids(&store, &group), vec![2, 3, 1], "record {member}'s group is the three sharing CAP-1");
    }
    let ambiguous_tab = MappingFilter { class: Some(Ambiguous), ..MappingFilter::default() };
    assert_eq!(
        page_ids(&store, &ambiguous_tab),
        vec![1, 2, 3, 4],
        "the Ambiguous tab keeps each group together, its BigCommerce variant first"
    );
    let not_ambiguous = MappingFilter { group: Some(5), ..MappingFilter::default() };
    assert_eq!(page_ids(&store, &not_ambiguous), Vec::<i64>::new(), "a matched record has no group");
    let by_sku = MappingFilter { order: MappingOrder::Sku, ..MappingFilter::default() };
    assert_eq!(page_ids(&store, &by_sku), vec![5, 1, 2, 3, 4], "by SKU, whatever the class");
    let by_title = MappingFilter { order: MappingOrder::Title, ..MappingFilter::default() };
    assert_eq!(page_ids(&store, &by_title), vec![2, 3, 4, 5, 1], "by title, BigCommerce's else Shopify's");
}

#[test]
fn the_setup_counts_only_catalog_runs_that_finished_of_the_kind_asked() -> Result<(), StoreError> {
    let store = Store::open_in_memory(now())?;
    let failed = start_run(&store, Scope::Full, true, now())?;
    store.finish_sync_run(failed, &SyncRunEnd::stopped("failed", "Shopify did not answer".into()), now())?;
    let running = start_run(&store, Scope::Full, true, now() + Duration::minutes(1));
    assert!(running.is_ok(), "a second preview may start once the first failed");
    assert_eq!(
        store.latest_finished_catalog_run(true, true)?,
        None,
        "a failed preview and one still running are no finished preview"
    );
    store.finish_sync_run(running?, &end("done", 4, 0), now() + Duration::minutes(2))?;
    let preview = store.latest_finished_catalog_run(true, true)?.map(|r| r.id);
    assert!(preview.is_some(), "a preview that finished counts");

    let delta = start_run(&store, Scope::Delta, false, now() + Duration::minutes(3))?;
    store.finish_sync_run(delta, &end("done", 2, 2), now() + Duration::minutes(4))?;
    assert_eq!(store.latest_finished_catalog_run(false, true)?, None, "a delta sync is not the first full sync");
    assert_eq!(store.latest_finished_catalog_run(true, true)?.map(|r| r.id), preview, "nor is it a preview");

    let full = start_run(&store, Scope::Full, false, now() + Duration::minutes(5))?;
    store.finish_sync_run(full, &end("done", 4, 4), now() + Duration::minutes(6))?;
    assert_eq!(
        store.latest_finished_catalog_run(false, true)?.map(|r| r.id),
        Some(full),
        "a finished full sync counts"
    );
    Ok(())
}
