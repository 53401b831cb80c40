//! The matcher, case by case: every class, every normalization rule, and the operator's decisions.

use tillbridge_domain::matching::*;

fn bc(variant_id: i64, sku: &str, barcode: &str, options: &[(&str, &str)]) -> BcVariantIn {
    BcVariantIn {
        product_id: 100 + variant_id / 10,
        variant_id,
        sku: sku.into(),
        barcodes: vec![barcode.into()],
        options: options.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        title: format!("BC product {variant_id}"),
    }
}

fn sh(n: u64, sku: &str, barcode: &str, options: &[(&str, &str)]) -> ShVariantIn {
    ShVariantIn {
        product_id: format!("gid://shopify/Product/{}", 900 + n / 10),
        variant_id: format!("gid://shopify/ProductVariant/{n}"),
        sku: sku.into(),
        barcode: barcode.into(),
        options: options.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        title: format!("Shopify product {n}"),
    }
}

fn run(b: &[BcVariantIn], s: &[ShVariantIn]) -> MatchPlan {
    match_catalogs(b, s, &Decisions::default(), &MatchRules::default())
}

fn only(plan: &MatchPlan) -> &MatchRecord {
    assert_eq!(plan.records.len(), 1, "expected one record: {:#?}", plan.records);
    &plan.records[0]
}

#[test]
fn exact_sku_matches() {
    let plan = run(&[bc(1, "ABC-1", "", &[])], &[sh(1, "ABC-1", "", &[])]);
    let r = only(&plan);
    assert_eq!((r.class, r.key), (MatchClass::Matched, Some(MatchKey::Sku)), "identical SKUs pair on the first key");
}

#[test]
fn spaced_lowercase_sku_matches_by_normalized_sku() {
    let plan = run(&[bc(1, "ABC-1", "", &[])], &[sh(1, " abc-1 ", "", &[])]);
    let r = only(&plan);
    assert_eq!(
        (r.class, r.key),
        (MatchClass::Matched, Some(MatchKey::NormalizedSku)),
        "\" abc-1 \" is ABC-1 typed sloppily"
    );
}

#[test]
fn upc_a_matches_ean_13_with_a_leading_zero_when_the_sku_is_blank() {
    let plan = run(&[bc(1, "ABC-1", "012345678905", &[])], &[sh(1, "", "0012345678905", &[])]);
    let r = only(&plan);
    assert_eq!((r.class, r.key), (MatchClass::Matched, Some(MatchKey::Gtin)), "a blank SKU falls back to the barcode");
}

#[test]
fn a_bad_check_digit_still_matches_but_is_flagged() {
    let plan = run(&[bc(1, "", "012345678906", &[])], &[sh(1, "", "012345678906", &[])]);
    let r = only(&plan);
    assert_eq!(r.class, MatchClass::Matched, "the same digits are the same item even with a typo'd check digit");
    assert!(r.flags.iter().any(|f| f.contains("wrong check digit")), "but the operator is told: {:?}", r.flags);
}

#[test]
fn a_duplicate_sku_on_shopify_is_ambiguous_for_all_three() {
    let plan = run(&[bc(1, "ABC-1", "", &[])], &[sh(1, "ABC-1", "", &[]), sh(2, "ABC-1", "", &[])]);
    assert_eq!(plan.records.len(), 3, "each variant is its own ambiguous record, none paired");
    assert!(plan.records.iter().all(|r| r.class == MatchClass::Ambiguous), "nothing is guessed: {:#?}", plan.records);
    assert!(
        plan.records[0].reason.contains("shared by 1 BigCommerce and 2 Shopify"),
        "the reason says why: {}",
        plan.records[0].reason
    );
}

#[test]
fn a_matching_sku_with_a_conflicting_barcode_is_a_conflict() {
    let plan = run(&[bc(1, "ABC-1", "012345678905", &[])], &[sh(1, "ABC-1", "036000291452", &[])]);
    let r = only(&plan);
    assert_eq!((r.class, r.key), (MatchClass::Conflict, Some(MatchKey::Sku)), "same SKU, different product barcodes");
    assert!(r.reason.contains("barcodes differ"), "the reason names the disagreement: {}", r.reason);
}

#[test]
fn colour_and_color_are_the_same_option() {
    let plan = run(
        &[bc(1, "TEE-1", "", &[("Color", "Red"), ("Size", "XL")])],
        &[sh(1, "TEE-1", "", &[("Colour", "red"), ("Size", "X-Large")])],
    );
    assert_eq!(only(&plan).class, MatchClass::Matched, "synonyms keep British spelling from becoming a conflict");
    let plan = run(&[bc(1, "TEE-1", "", &[("Size", "M")])], &[sh(1, "TEE-1", "", &[("Size", "L")])]);
    assert_eq!(only(&plan).class, MatchClass::Conflict, "a real option difference under one SKU is a conflict");
}

#[test]
fn options_separate_variants_that_share_a_sku() {
    let plan = run(
        &[bc(1, "TEE", "", &[("Size", "S")]), bc(2, "TEE", "", &[("Size", "M")])],
        &[sh(1, "TEE", "", &[("Size", "Medium")]), sh(2, "TEE", "", &[("Size", "Small")])],
    );
    let pairs: Vec<_> = plan.records.iter().map(|r| (r.class, r.bigcommerce, r.shopify)).collect();
    assert_eq!(
        pairs,
        vec![(MatchClass::Matched, Some(0), Some(1)), (MatchClass::Matched, Some(1), Some(0))],
        "S pairs with Small and M with Medium, by option value"
    );
}

#[test]
fn one_sided_and_blank_variants_are_unmatched_with_a_reason() {
    let plan = run(&[bc(1, "ONLY-BC", "", &[])], &[sh(1, "", "", &[])]);
    assert_eq!(plan.counts().unmatched, 2, "nothing to pair");
    assert!(plan.records.iter().any(|r| r.reason.contains("blank SKU and no barcode")), "the blank one says so");
}

#[test]
fn names_never_match() {
    let mut b = bc(1, "A-1", "", &[]);
    let mut s = sh(1, "B-2", "", &[]);
    b.title = "Harbor Wool Beanie".into();
    s.title = "Harbor Wool Beanie".into();
    assert_eq!(run(&[b], &[s]).counts().matched, 0, "an identical title is not evidence of the same item");
}

#[test]
fn decisions_win_over_automatic_matching() {
    let b = [bc(1, "ABC-1", "", &[]), bc(2, "XYZ-9", "", &[])];
    let s = [sh(1, "ABC-1", "", &[]), sh(2, "", "", &[])];
    let mut d = Decisions::default();
    d.links.insert((2, "gid://shopify/ProductVariant/2".into()));
    d.unlinks.insert((1, "gid://shopify/ProductVariant/1".into()));
    let plan = match_catalogs(&b, &s, &d, &MatchRules::default());
    let linked = plan.records.iter().find(|r| r.bigcommerce == Some(1)).unwrap();
    assert_eq!(
        (linked.class, linked.key, linked.decided),
        (MatchClass::Matched, None, true),
        "a link needs no shared key"
    );
    let unlinked = plan.records.iter().filter(|r| r.bigcommerce == Some(0) || r.shopify == Some(0)).collect::<Vec<_>>();
    assert!(
        unlinked.iter().all(|r| r.class == MatchClass::Unmatched),
        "an unlinked pair is never re-paired: {unlinked:#?}"
    );

    let mut ignore = Decisions::default();
    ignore.ignored_shopify.insert("gid://shopify/ProductVariant/1".into());
    let plan = match_catalogs(&b, &s, &ignore, &MatchRules::default());
    assert_eq!(plan.counts().ignored, 1, "ignored variants stay out of matching");
    assert_eq!(plan.counts().matched, 0, "and their would-be partner is left unmatched");
}

#[test]
fn sku_rules_are_configurable() {
    let rules = MatchRules {
        sku: tillbridge_domain::sku::SkuRules { case_fold: false, ..Default::default() },
        ..Default::default()
    };
    let plan = match_catalogs(&[bc(1, "ABC-1", "", &[])], &[sh(1, "abc-1", "", &[])], &Decisions::default(), &rules);
    assert_eq!(plan.counts().unmatched, 2, "with case folding off, case differences keep SKUs apart");
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn catalog() -> impl Strategy<Value = (Vec<BcVariantIn>, Vec<ShVariantIn>)> {
        // Few distinct SKUs and barcodes, so collisions, duplicates and blanks are common.
        let skus = prop::sample::select(vec!["A-1", "a-1 ", "B-2", "", "C-3", " c-3"]);
        let codes = prop::sample::select(vec!["", "012345678905", "0012345678905", "036000291452", "96385074"]);
        let sizes = prop::sample::select(vec!["S", "M", "Small", "L"]);
        let b = prop::collection::vec((skus.clone(), codes.clone(), sizes.clone()), 0..12);
        let s = prop::collection::vec((skus, codes, sizes), 0..12);
        (b, s).prop_map(|(b, s)| {
            (
                b.into_iter().enumerate().map(|(i, (k, c, z))| bc(i as i64 + 1, k, c, &[("Size", z)])).collect(),
                s.into_iter().enumerate().map(|(i, (k, c, z))| sh(i as u64 + 1, k, c, &[("Size", z)])).collect(),
            )
        })
    }

    type RecordById = (MatchClass, Option<MatchKey>, Option<i64>, Option<String>);

    /// Records by ids, so plans from differently ordered inputs can be compared.
    fn by_ids(plan: &MatchPlan, b: &[BcVariantIn], s: &[ShVariantIn]) -> Vec<RecordById> {
        plan.records
            .iter()
            .map(|r| {
                (r.class, r.key, r.bigcommerce.map(|i| b[i].variant_id), r.shopify.map(|i| s[i].variant_id.clone()))
            })
            .collect()
    }

    proptest! {
        #[test]
        fn deterministic_order_independent_and_one_record_per_variant((b, s) in catalog(), seed in any::<u64>()) {
            let plan = run(&b, &s);
            prop_assert_eq!(by_ids(&plan, &b, &s), by_ids(&run(&b, &s), &b, &s), "the same input gives the same plan");

            let mut rb = b.clone();
            let mut rs = s.clone();
            let mut x = seed;
            for i in (1..rb.len()).rev() { x = x.wrapping_mul(6364136223846793005).wrapping_add(1); rb.swap(i, (x >> 33) as usize % (i + 1)); }
            for i in (1..rs.len()).rev() { x = x.wrapping_mul(6364136223846793005).wrapping_add(1); rs.swap(i, (x >> 33) as usize % (i + 1)); }
            prop_assert_eq!(by_ids(&plan, &b, &s), by_ids(&run(&rb, &rs), &rb, &rs), "shuffling the input changes nothing");

            let mut seen_b = HashSet::new();
            let mut seen_s = HashSet::new();
            for r in &plan.records {
                if let Some(i) = r.bigcommerce { prop_assert!(seen_b.insert(i), "a BigCommerce variant is in two records"); }
                if let Some(i) = r.shopify { prop_assert!(seen_s.insert(i), "a Shopify variant is in two records"); }
                prop_assert!(r.bigcommerce.is_some() || r.shopify.is_some(), "no empty records");
            }
            prop_assert_eq!((seen_b.len(), seen_s.len()), (b.len(), s.len()), "every variant ends in exactly one record");
        }
    }
}

#[test]
fn a_pair_established_by_a_sync_stays_matched_when_a_synced_barcode_changes() {
    let b = [bc(1, "ABC-1", "012345678905", &[])];
    let s = [sh(1, "ABC-1", "4006381333931", &[])];
    let fresh = run(&b, &s);
    assert_eq!(
        only(&fresh).class,
        MatchClass::Conflict,
        "never paired before, differing barcodes are a conflict to review"
    );

    let established =
        Decisions { established: [(1, "gid://shopify/ProductVariant/1".to_string())].into(), ..Decisions::default() };
    let plan = match_catalogs(&b, &s, &established, &MatchRules::default());
    let r = only(&plan);
    assert_eq!(
        (r.class, r.key),
        (MatchClass::Matched, Some(MatchKey::Sku)),
        "a pair the last sync matched stays matched by its SKU"
    );
    assert!(
        r.reason.contains("since then barcodes differ"),
        "and the difference the next sync will close is shown: {}",
        r.reason
    );
    assert!(!r.decided, "it is the matcher's memory, not the operator's decision");

    let unlinked =
        Decisions { unlinks: [(1, "gid://shopify/ProductVariant/1".to_string())].into(), ..established.clone() };
    let plan = match_catalogs(&b, &s, &unlinked, &MatchRules::default());
    assert!(
        plan.records.iter().all(|r| r.class != MatchClass::Matched),
        "an operator's unlink outranks a pair remembered from a sync: {:?}",
        plan.records
    );

    let gone = match_catalogs(&b, &[], &established, &MatchRules::default());
    assert_eq!(
        only(&gone).class,
        MatchClass::Unmatched,
        "a remembered pair whose Shopify variant vanished is not kept"
    );
}

#[test]
fn an_unlinked_pair_says_it_was_unlinked_not_that_no_variant_has_the_sku() {
    let b = [bc(1, "ABC-1", "", &[])];
    let s = [sh(1, "ABC-1", "", &[])];
    let mut d = Decisions::default();
    d.unlinks.insert((1, "gid://shopify/ProductVariant/1".into()));
    let plan = match_catalogs(&b, &s, &d, &MatchRules::default());
    for r in &plan.records {
        assert_eq!(r.class, MatchClass::Unmatched, "an unlinked pair is never re-paired: {r:#?}");
        assert!(!r.reason.contains("no "), "a variant with the same SKU exists on the other side: {}", r.reason);
        assert!(r.reason.contains("you unlinked the two"), "the reason names the operator's unlink: {}", r.reason);
        assert!(r.reason.contains("\"ABC-1\""), "the reason quotes the look-alike's SKU: {}", r.reason);
    }
}

#[test]
fn a_variant_whose_partner_is_ignored_or_linked_elsewhere_says_so() {
    let b = [bc(1, "ABC-1", "", &[]), bc(2, "XYZ-2", "", &[])];
    let s = [sh(1, "ABC-1", "", &[]), sh(2, "XYZ-2", "", &[]), sh(3, "Q", "", &[])];
    let mut d = Decisions::default();
    d.ignored_shopify.insert("gid://shopify/ProductVariant/1".into());
    d.links.insert((2, "gid://shopify/ProductVariant/3".into()));
    let plan = match_catalogs(&b, &s, &d, &MatchRules::default());
    let reason_of_bc = |i: usize| plan.records.iter().find(|r| r.bigcommerce == Some(i) && r.shopify.is_none());
    let first = reason_of_bc(0).expect("BigCommerce ABC-1 is left without a partner");
    assert!(first.reason.contains("but you ignored it"), "its look-alike was ignored: {}", first.reason);
    let orphan = plan.records.iter().find(|r| r.shopify == Some(1) && r.bigcommerce.is_none()).unwrap();
    assert!(
        orphan.reason.contains("paired with another Shopify variant"),
        "Shopify XYZ-2's look-alike is linked to another variant: {}",
        orphan.reason
    );
}

#[test]
fn a_sku_differing_only_in_a_trailing_tab_or_case_is_shown_visibly() {
    let rules = MatchRules {
        sku: tillbridge_domain::sku::SkuRules { case_fold: false, ..Default::default() },
        ..Default::default()
    };
    let plan = match_catalogs(&[bc(1, "ABC-1", "", &[])], &[sh(1, "abc-1", "", &[])], &Decisions::default(), &rules);
    let r = plan.records.iter().find(|r| r.bigcommerce == Some(0)).unwrap();
    assert!(r.reason.contains("only in case"), "a case difference is named: {}", r.reason);
    assert_eq!(shown("ABC-1\t"), "\"ABC-1⇥\"", "a trailing tab shows as ⇥");
    assert_eq!(shown(" ABC "), "\"␣ABC␣\"", "spaces at the ends show as ␣");
    assert_eq!(shown("A B"), "\"A B\"", "a space inside is left as it is");
}

#[test]
fn a_variant_with_no_look_alike_keeps_the_plain_reason() {
    let plan = run(&[bc(1, "ABC-1", "", &[])], &[sh(1, "ZZZ-9", "", &[])]);
    let r = plan.records.iter().find(|r| r.bigcommerce == Some(0)).unwrap();
    assert_eq!(r.reason, "no Shopify variant has this SKU", "nothing on the other side looks like it");
}
