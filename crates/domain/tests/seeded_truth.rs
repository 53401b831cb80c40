//! The matcher against the emulator's seeded stores: every record must be what the seed's ground
//! truth says, on a catalog with every kind of mess real stores have.

use std::collections::HashMap;

use tillbridge_domain::matching::*;
use tillbridge_emulator::world::{TruthClass, TruthKey};
use tillbridge_emulator::{SeedSpec, generate};

#[test]
fn every_record_agrees_with_the_seeds_ground_truth() {
    let world = generate(&SeedSpec { seed: 11, variants: 5_000, locations: 2, ..SeedSpec::default() });
    let (bc, sh) = world.matcher_inputs();
    let plan = match_catalogs(&bc, &sh, &Decisions::default(), &MatchRules::default());

    let truth = world.truth.counts();
    let got = plan.counts();
    assert_eq!(
        (got.matched, got.ambiguous, got.conflict, got.unmatched),
        (truth.matched, truth.ambiguous, truth.conflict, truth.unmatched),
        "class counts must equal the seed's ground truth"
    );

    let key_of = |k: Option<TruthKey>| match k {
        Some(TruthKey::Sku) => Some(MatchKey::Sku),
        Some(TruthKey::NormalizedSku) => Some(MatchKey::NormalizedSku),
        Some(TruthKey::Gtin) => Some(MatchKey::Gtin),
        None => None,
    };
    let class_of = |c: TruthClass| match c {
        TruthClass::Matched => MatchClass::Matched,
        TruthClass::Ambiguous => MatchClass::Ambiguous,
        TruthClass::Conflict => MatchClass::Conflict,
        TruthClass::Unmatched => MatchClass::Unmatched,
    };
    type Sides = (Option<i64>, Option<String>);
    let got: HashMap<Sides, (MatchClass, Option<MatchKey>)> = plan
        .records
        .iter()
        .map(|r| {
            ((r.bigcommerce.map(|i| bc[i].variant_id), r.shopify.map(|i| sh[i].variant_id.clone())), (r.class, r.key))
        })
        .collect();
    for t in &world.truth.records {
        let id = (t.bigcommerce.map(|(_, v)| v), t.shopify.map(|(_, v)| format!("gid://shopify/ProductVariant/{v}")));
        let expected = (class_of(t.class), if t.class == TruthClass::Ambiguous { None } else { key_of(t.key) });
        assert_eq!(got.get(&id), Some(&expected), "record {id:?} planted as {:?} was not concluded as such", t.mess);
    }
}
