//! The seeded stores must be exactly as messy as the ground truth says, or every count the
//! catalog tests compare against it is meaningless.

use std::collections::{HashMap, HashSet};

use tillbridge_emulator::world::{Mess, TruthClass, TruthKey};
use tillbridge_emulator::{SeedSpec, generate};

fn spec(variants: usize) -> SeedSpec {
    SeedSpec { seed: 7, variants, variants_per_product: 3, locations: 3, ..SeedSpec::default() }
}

/// An independent GTIN-14 normalizer for the check: digits only, left-padded to 14.
fn gtin14(code: &str) -> Option<String> {
    (!code.is_empty() && code.len() <= 14 && code.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{code:0>14}"))
}

fn normalized(sku: &str) -> String {
    sku.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[test]
fn the_same_seed_gives_the_same_stores() {
    let a = serde_json::to_string(&generate(&spec(600))).unwrap();
    let b = serde_json::to_string(&generate(&spec(600))).unwrap();
    assert_eq!(a, b, "tests and benchmarks rely on a seed reproducing its stores exactly");
    let other = serde_json::to_string(&generate(&SeedSpec { seed: 8, ..spec(600) })).unwrap();
    assert_ne!(a, other, "a different seed must give different stores");
}

#[test]
fn every_variant_is_in_exactly_one_truth_record() {
    let world = generate(&spec(3_000));
    assert!(world.bigcommerce_variant_count() >= 3_000, "at least the requested number of BigCommerce variants");
    let mut bc_seen = HashSet::new();
    let mut sh_seen = HashSet::new();
    for r in &world.truth.records {
        if let Some((_, v)) = r.bigcommerce {
            assert!(bc_seen.insert(v), "BigCommerce variant {v} is in two records");
        }
        if let Some((_, v)) = r.shopify {
            assert!(sh_seen.insert(v), "Shopify variant {v} is in two records");
        }
    }
    assert_eq!(bc_seen.len(), world.bigcommerce_variant_count(), "every BigCommerce variant has a verdict");
    assert_eq!(sh_seen.len(), world.shopify_variant_count(), "every Shopify variant has a verdict");
}

#[test]
fn the_truth_agrees_with_the_data() {
    let world = generate(&spec(3_000));
    let bc: HashMap<i64, _> = world.bigcommerce.products.iter().flat_map(|p| &p.variants).map(|v| (v.id, v)).collect();
    let sh: HashMap<u64, _> = world.shopify.products.iter().flat_map(|p| &p.variants).map(|v| (v.id, v)).collect();
    let mut sku_count: HashMap<String, usize> = HashMap::new();
    for v in sh.values().filter(|v| !v.sku.trim().is_empty()) {
        *sku_count.entry(normalized(&v.sku)).or_default() += 1;
    }
    let mut seen_mess = HashSet::new();
    for r in &world.truth.records {
        seen_mess.insert(r.mess);
        match (r.class, r.key, r.bigcommerce, r.shopify) {
            (TruthClass::Matched, Some(TruthKey::Sku), Some((_, b)), Some((_, s))) => {
                assert_eq!(bc[&b].sku, sh[&s].sku, "an exact-SKU match has identical SKUs")
            }
            (TruthClass::Matched, Some(TruthKey::NormalizedSku), Some((_, b)), Some((_, s))) => {
                assert_ne!(bc[&b].sku, sh[&s].sku, "a normalized match differs before normalizing");
                assert_eq!(normalized(&bc[&b].sku), normalized(&sh[&s].sku), "and agrees after");
            }
            (TruthClass::Matched, Some(TruthKey::Gtin), Some((_, b)), Some((_, s))) => {
                assert!(sh[&s].sku.is_empty(), "GTIN matches in the seed are blank-SKU variants");
                assert_eq!(gtin14(&bc[&b].upc), gtin14(&sh[&s].barcode), "their barcodes agree as GTIN-14");
            }
            (TruthClass::Conflict, _, Some((_, b)), Some((_, s))) => {
                assert_eq!(bc[&b].sku, sh[&s].sku, "a conflict shares the SKU");
                assert_ne!(gtin14(&bc[&b].upc), gtin14(&sh[&s].barcode), "but not the barcode");
            }
            (TruthClass::Ambiguous, None, None, Some((_, s))) => {
                assert!(sku_count[&normalized(&sh[&s].sku)] >= 2, "an ambiguous Shopify variant shares its SKU")
            }
            (TruthClass::Ambiguous, None, Some(_), None) | (TruthClass::Unmatched, None, _, _) => {}
            other => panic!("a truth record of an unexpected shape: {other:?}"),
        }
    }
    for mess in [
        Mess::Clean,
        Mess::SkuCaseAndSpacing,
        Mess::BarcodeOnly,
        Mess::UpcVersusEan13,
        Mess::OptionSynonyms,
        Mess::SharedSkuSeparatedByOptions,
        Mess::DuplicateSkuOnShopify,
        Mess::ConflictingBarcode,
        Mess::BigCommerceOnly,
        Mess::ShopifyOnly,
        Mess::BlankSkuNoBarcode,
    ] {
        assert!(seen_mess.contains(&mess), "a 3,000-variant seed should contain every kind of mess, missing {mess:?}");
    }
    let british = world.shopify.products.iter().flat_map(|p| &p.options).any(|o| o.name == "Colour");
    assert!(british, "some Shopify products spell the option Colour");
    let stock_differs =
        world.truth.records.iter().filter_map(|r| r.bigcommerce.zip(r.shopify)).any(|((_, b), (_, s))| {
            let bs = &bc[&b].stock[1];
            sh[&s].levels[1].available != bs.on_hand - bs.safety_stock
        });
    assert!(stock_differs, "some matched variants have drifted stock at a second location");
}
