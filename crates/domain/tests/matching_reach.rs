//! Re-matching only what a decision can reach gives the records the whole catalog's matching gives
//! for those variants, and no record of the whole catalog straddles the reach's edge: the property
//! that lets a mapping action re-match a few records instead of 100,000.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tillbridge_domain::matching::*;

/// SKUs that collide on every key: exact, normalized, and as a person reads them (case, spaces).
const SKUS: &[&str] = &["A-1", "a-1", " A-1", "A1", "B-2", "b2", "", "C-3", "C-3\t"];
/// Two valid barcodes, one with a wrong check digit, one that is no barcode, and none.
const BARCODES: &[&str] = &["4006381333931", "036000291452", "012345678901", "abc", ""];
const OPTIONS: &[&[(&str, &str)]] = &[&[], &[("Size", "XL")], &[("Size", "X-Large")], &[("Colour", "Red")]];

fn options(i: usize) -> Vec<(String, String)> {
    OPTIONS[i].iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

fn gid(n: usize) -> String {
    format!("gid://shopify/ProductVariant/{n}")
}

#[derive(Debug, Clone)]
struct Case {
    bc: Vec<BcVariantIn>,
    sh: Vec<ShVariantIn>,
    decisions: Decisions,
    seeds_bc: Vec<i64>,
    seeds_sh: Vec<String>,
    rules: MatchRules,
}

fn case() -> impl Strategy<Value = Case> {
    let variant = (0..SKUS.len(), 0..BARCODES.len(), 0..BARCODES.len(), 0..OPTIONS.len());
    (
        prop::collection::vec(variant.clone(), 1..10),
        prop::collection::vec(variant, 1..10),
        prop::collection::vec((0..4u8, 0..12usize, 0..12usize), 0..6),
        prop::collection::vec((any::<bool>(), 0..12usize), 1..3),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(|(bcs, shs, decided, seeds, (trim, case_fold, collapse_whitespace))| {
            let bc: Vec<BcVariantIn> = bcs
                .iter()
                .enumerate()
                .map(|(i, &(sku, a, b, o))| BcVariantIn {
                    product_id: 1,
                    variant_id: i as i64 + 1,
                    sku: SKUS[sku].into(),
                    barcodes: vec![BARCODES[a].into(), BARCODES[b].into()],
                    options: options(o),
                    title: format!("BC {i}"),
                })
                .collect();
            let sh: Vec<ShVariantIn> = shs
                .iter()
                .enumerate()
                .map(|(i, &(sku, a, _, o))| ShVariantIn {
                    product_id: "gid://shopify/Product/1".into(),
                    variant_id: gid(i + 1),
                    sku: SKUS[sku].into(),
                    barcode: BARCODES[a].into(),
                    options: options(o),
                    title: format!("Shopify {i}"),
                })
                .collect();
            // Ids up to 12 on either side: some decisions name variants that no longer exist.
            let mut decisions = Decisions::default();
            for (kind, b, s) in decided {
                let pair = (b as i64 + 1, gid(s + 1));
                match kind {
                    0 => decisions.links.insert(pair),
                    1 => decisions.unlinks.insert(pair),
                    2 => decisions.established.insert(pair),
                    _ => decisions.ignored_bigcommerce.insert(pair.0) | decisions.ignored_shopify.insert(pair.1),
                };
            }
            let (seeds_bc, seeds_sh) = seeds.into_iter().fold((vec![], vec![]), |(mut b, mut s), (on_bc, n)| {
                if on_bc {
                    b.push(n as i64 % bc.len() as i64 + 1)
                } else {
                    s.push(gid(n % sh.len() + 1))
                }
                (b, s)
            });
            // Every SKU rule on or off: with a rule off, the SKU as a person reads it (case and
            // spaces set aside) joins variants the normalized SKU keeps apart.
            let rules = MatchRules {
                sku: tillbridge_domain::sku::SkuRules { trim, case_fold, collapse_whitespace },
                ..MatchRules::default()
            };
            Case { bc, sh, decisions, seeds_bc, seeds_sh, rules }
        })
}

/// A record by what it says, with its sides named by id rather than input position.
type Said = (MatchClass, Option<MatchKey>, String, Option<i64>, Option<String>, Vec<String>, bool);

fn said(plan: &MatchPlan, bc: &[BcVariantIn], sh: &[ShVariantIn]) -> BTreeSet<Said> {
    plan.records
        .iter()
        .map(|r| {
            (
                r.class,
                r.key,
                r.reason.clone(),
                r.bigcommerce.map(|i| bc[i].variant_id),
                r.shopify.map(|i| sh[i].variant_id.clone()),
                r.flags.clone(),
                r.decided,
            )
        })
        .collect()
}

/// The decisions naming any variant of `reach`, as a store would answer them.
fn decisions_within(d: &Decisions, reach: &Reach) -> Decisions {
    let touches = |(b, s): &&(i64, String)| reach.bigcommerce.contains(b) || reach.shopify.contains(s);
    Decisions {
        links: d.links.iter().filter(touches).cloned().collect(),
        unlinks: d.unlinks.iter().filter(touches).cloned().collect(),
        established: d.established.iter().filter(touches).cloned().collect(),
        ignored_bigcommerce: d.ignored_bigcommerce.iter().filter(|b| reach.bigcommerce.contains(b)).copied().collect(),
        ignored_shopify: d.ignored_shopify.iter().filter(|s| reach.shopify.contains(*s)).cloned().collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn matching_what_a_decision_reaches_agrees_with_matching_everything(c in case()) {
        let rules = c.rules;
        let whole = match_catalogs(&c.bc, &c.sh, &c.decisions, &rules);
        let components = KeyComponents::new(&c.bc, &c.sh, &rules);
        let pairs = c.decisions.links.iter().chain(&c.decisions.unlinks).chain(&c.decisions.established);
        let reach = components
            .reach(c.seeds_bc.clone(), c.seeds_sh.clone(), |r: &Reach| {
                Ok::<_, ()>(
                    pairs.clone().filter(|(b, s)| r.bigcommerce.contains(b) || r.shopify.contains(s)).cloned().collect(),
                )
            })
            .unwrap();
        prop_assert!(
            c.seeds_bc.iter().all(|b| reach.bigcommerce.contains(b)) && c.seeds_sh.iter().all(|s| reach.shopify.contains(s)),
            "the reach holds the variants decided about: {reach:?}"
        );
        let bc: Vec<BcVariantIn> = c.bc.iter().filter(|v| reach.bigcommerce.contains(&v.variant_id)).cloned().collect();
        let sh: Vec<ShVariantIn> = c.sh.iter().filter(|v| reach.shopify.contains(&v.variant_id)).cloned().collect();
        let part = match_catalogs(&bc, &sh, &decisions_within(&c.decisions, &reach), &rules);

        let inside = |r: &Said| r.3.is_some_and(|b| reach.bigcommerce.contains(&b)) || r.4.as_ref().is_some_and(|s| reach.shopify.contains(s));
        let whole_said = said(&whole, &c.bc, &c.sh);
        for r in whole_said.iter().filter(|r| inside(r)) {
            prop_assert!(
                r.3.is_none_or(|b| reach.bigcommerce.contains(&b)) && r.4.as_ref().is_none_or(|s| reach.shopify.contains(s)),
                "no record of the whole catalog pairs a variant inside the reach with one outside it: {r:?}"
            );
        }
        let expected: BTreeSet<Said> = whole_said.into_iter().filter(|r| inside(r)).collect();
        prop_assert_eq!(said(&part, &bc, &sh), expected, "the reach alone is matched as within the whole catalog");
    }
}
