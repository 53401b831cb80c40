//! Properties of the sync planner over random stores: the plan does not depend on input order, it
//! respects the stores' batch limits and the ownership, and applying a full plan to simulated stores
//! leaves nothing for a second full plan to do. Pairs read in place plan as copied pairs do.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use rust_decimal::Decimal;
use tillbridge_domain::catalog::*;

/// A BigCommerce variant as the API stores it, before the pricing model reads it.
#[derive(Debug, Clone)]
struct BcRaw {
    product_id: i64,
    variant_id: i64,
    sku: String,
    product_price: Decimal,
    variant_price: Option<Decimal>,
    sale_price: Option<Decimal>,
    upc: String,
    gtin: String,
}

/// A Shopify variant as the API stores it.
#[derive(Debug, Clone)]
struct ShRaw {
    product_id: String,
    variant_id: String,
    sku: String,
    price: Decimal,
    compare_at: Option<Decimal>,
    barcode: String,
}

/// Two simulated stores; pair i is `bigcommerce[i]` with `shopify[i]`.
#[derive(Debug, Clone)]
struct Stores {
    bigcommerce: Vec<BcRaw>,
    shopify: Vec<ShRaw>,
    bigcommerce_names: BTreeMap<i64, String>,
    shopify_titles: BTreeMap<String, String>,
}

impl Stores {
    fn bigcommerce_item(&self, raw: &BcRaw) -> BcItem {
        let (price, sale_price) = bigcommerce_prices(raw.product_price, raw.variant_price, raw.sale_price);
        BcItem {
            product_id: raw.product_id,
            variant_id: raw.variant_id,
            title: self.bigcommerce_names[&raw.product_id].clone(),
            sku: raw.sku.clone(),
            price,
            sale_price,
            barcode: bigcommerce_barcode(&raw.upc, &raw.gtin),
        }
    }

    fn shopify_item(&self, raw: &ShRaw) -> ShItem {
        let (price, sale_price) = shopify_prices(raw.price, raw.compare_at);
        ShItem {
            product_id: raw.product_id.clone(),
            variant_id: raw.variant_id.clone(),
            title: self.shopify_titles[&raw.product_id].clone(),
            sku: raw.sku.clone(),
            price,
            sale_price,
            barcode: raw.barcode.clone(),
        }
    }

    /// The pairs as a sync would read them, with `last` as the previous snapshot (if any).
    fn pairs(&self, last: Option<&Stores>) -> Vec<PairState> {
        (0..self.bigcommerce.len())
            .map(|i| PairState {
                bigcommerce: self.bigcommerce_item(&self.bigcommerce[i]),
                shopify: self.shopify_item(&self.shopify[i]),
                last_bigcommerce: last.map(|l| l.bigcommerce_item(&l.bigcommerce[i])),
                last_shopify: last.map(|l| l.shopify_item(&l.shopify[i])),
            })
            .collect()
    }

    /// [`Self::bigcommerce_item`] borrowed, as a caller planning from its own rows reads them.
    fn bigcommerce_ref(&self, i: usize) -> BcItemRef<'_> {
        let raw = &self.bigcommerce[i];
        let (price, sale_price) = bigcommerce_prices(raw.product_price, raw.variant_price, raw.sale_price);
        BcItemRef {
            product_id: raw.product_id,
            variant_id: raw.variant_id,
            title: &self.bigcommerce_names[&raw.product_id],
            sku: &raw.sku,
            price,
            sale_price,
            barcode: bigcommerce_barcode_borrowed(&raw.upc, &raw.gtin),
        }
    }

    /// [`Self::shopify_item`] borrowed.
    fn shopify_ref(&self, i: usize) -> ShItemRef<'_> {
        let raw = &self.shopify[i];
        let (price, sale_price) = shopify_prices(raw.price, raw.compare_at);
        ShItemRef {
            product_id: &raw.product_id,
            variant_id: &raw.variant_id,
            title: &self.shopify_titles[&raw.product_id],
            sku: &raw.sku,
            price,
            sale_price,
            barcode: &raw.barcode,
        }
    }

    /// Performs the writes the way the stores' APIs would.
    fn apply(&mut self, writes: &[CatalogRequest]) {
        let shopify_at: HashMap<String, usize> =
            self.shopify.iter().enumerate().map(|(i, v)| (v.variant_id.clone(), i)).collect();
        let bigcommerce_at: HashMap<i64, usize> =
            self.bigcommerce.iter().enumerate().map(|(i, v)| (v.variant_id, i)).collect();
        for write in writes {
            match write {
                CatalogRequest::ShopifyVariants { product_id, variants } => {
                    for w in variants {
                        let variant = &mut self.shopify[shopify_at[&w.variant_id]];
                        assert_eq!(&variant.product_id, product_id, "a Shopify write names the variant's own product");
                        if let Some(price) = w.price {
                            variant.price = price;
                        }
                        if let Some(compare_at) = w.compare_at_price {
                            variant.compare_at = compare_at;
                        }
                        if let Some(barcode) = &w.barcode {
                            variant.barcode = barcode.clone().unwrap_or_default();
                        }
                        if let Some(sku) = &w.sku {
                            variant.sku = sku.clone();
                        }
                    }
                }
                CatalogRequest::ShopifyProductTitle { product_id, title } => {
                    self.shopify_titles.insert(product_id.clone(), title.clone());
                }
                CatalogRequest::BigCommerceVariants { variants } => {
                    for w in variants {
                        let variant = &mut self.bigcommerce[bigcommerce_at[&w.variant_id]];
                        assert_eq!(
                            variant.product_id, w.product_id,
                            "a BigCommerce write names the variant's own product"
                        );
                        if let Some(price) = w.price {
                            variant.variant_price = Some(price);
                        }
                        if let Some(sale) = w.sale_price {
                            variant.sale_price = Some(sale);
                        }
                        if let Some(sku) = &w.sku {
                            variant.sku = sku.clone();
                        }
                        if let Some(upc) = &w.upc {
                            variant.upc = upc.clone();
                        }
                        if let Some(gtin) = &w.gtin {
                            variant.gtin = gtin.clone();
                        }
                    }
                }
                CatalogRequest::BigCommerceProductNames { products } => {
                    for p in products {
                        self.bigcommerce_names.insert(p.product_id, p.name.clone());
                    }
                }
            }
        }
    }
}

/// Few distinct amounts, some written at two scales, so equal and nearly equal prices are common.
fn money() -> impl Strategy<Value = Decimal> {
    (prop::sample::select(vec![0i64, 500, 1000, 1500, 1990, 2000, 2500]), any::<bool>())
        .prop_map(|(cents, wide)| if wide { Decimal::new(cents * 10, 3) } else { Decimal::new(cents, 2) })
}

fn barcode() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        " ",
        "012345678905",
        "0012345678905",
        " 012345678905 ",
        "4006381333931",
        "96385074",
        "ABC-1",
    ])
    .prop_map(String::from)
}

fn sku() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "A-1", "a-1", "A-1 ", "B-2"]).prop_map(String::from)
}

fn title() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Shirt", "Tee", "Hat"]).prop_map(String::from)
}

/// Values of one pair's variants; ids and products are assigned by position.
type VariantValues =
    ((String, Decimal, Option<Decimal>, Option<Decimal>, String, String), (String, Decimal, Option<Decimal>, String));

fn variant_values() -> impl Strategy<Value = VariantValues> {
    (
        (sku(), money(), prop::option::of(money()), prop::option::of(money()), barcode(), barcode()),
        (sku(), money(), prop::option::of(money()), barcode()),
    )
}

/// Stores of `n` pairs on few products, so several pairs share a product on either side.
fn stores_of(n: usize) -> impl Strategy<Value = Stores> {
    (
        prop::collection::vec((variant_values(), 0..4i64, 0..4i64), n),
        prop::collection::vec(title(), 4),
        prop::collection::vec(title(), 4),
    )
        .prop_map(|(variants, bigcommerce_names, shopify_titles)| {
            let mut stores = Stores {
                bigcommerce: Vec::new(),
                shopify: Vec::new(),
                bigcommerce_names: bigcommerce_names.into_iter().enumerate().map(|(i, t)| (i as i64, t)).collect(),
                shopify_titles: shopify_titles
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| (format!("gid://shopify/Product/{i}"), t))
                    .collect(),
            };
            for (
                i,
                (
                    (
                        (bc_sku, product_price, variant_price, sale_price, upc, gtin),
                        (sh_sku, price, compare_at, sh_barcode),
                    ),
                    bc_product,
                    sh_product,
                ),
            ) in variants.into_iter().enumerate()
            {
                stores.bigcommerce.push(BcRaw {
                    product_id: bc_product,
                    variant_id: 1000 + i as i64,
                    sku: bc_sku,
                    product_price,
                    variant_price,
                    sale_price,
                    upc,
                    gtin,
                });
                stores.shopify.push(ShRaw {
                    product_id: format!("gid://shopify/Product/{sh_product}"),
                    variant_id: format!("gid://shopify/ProductVariant/{i}"),
                    sku: sh_sku,
                    price,
                    compare_at,
                    barcode: sh_barcode,
                });
            }
            stores
        })
}

/// Current stores and a previous snapshot of the same variants.
fn stores_and_last() -> impl Strategy<Value = (Stores, Stores)> {
    (0usize..16).prop_flat_map(|n| (stores_of(n), stores_of(n)))
}

fn owner() -> impl Strategy<Value = Owner> {
    prop::sample::select(vec![Owner::BigCommerce, Owner::Shopify, Owner::None])
}

fn ownership() -> impl Strategy<Value = Ownership> {
    (owner(), owner(), owner(), owner(), owner()).prop_map(|(title, price, sale_price, barcode, sku)| Ownership {
        title,
        price,
        sale_price,
        barcode,
        sku,
    })
}

/// Pair `at` of the stores, read where it lies rather than copied into a [`PairState`].
struct InPlace<'a> {
    now: &'a Stores,
    last: Option<&'a Stores>,
    at: usize,
}

impl PairView for InPlace<'_> {
    fn bigcommerce(&self) -> BcItemRef<'_> {
        self.now.bigcommerce_ref(self.at)
    }
    fn shopify(&self) -> ShItemRef<'_> {
        self.now.shopify_ref(self.at)
    }
    fn last_bigcommerce(&self) -> Option<BcItemRef<'_>> {
        self.last.map(|l| l.bigcommerce_ref(self.at))
    }
    fn last_shopify(&self) -> Option<ShItemRef<'_>> {
        self.last.map(|l| l.shopify_ref(self.at))
    }
}

fn scope() -> impl Strategy<Value = Scope> {
    prop::sample::select(vec![Scope::Full, Scope::Delta])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_plan_is_deterministic_and_independent_of_input_order(
        (stores, last) in stores_and_last(),
        ownership in ownership(),
        scope in scope(),
        seed in any::<u64>(),
    ) {
        let pairs = stores.pairs(Some(&last));
        let plan = plan_sync(&pairs, &ownership, scope);
        prop_assert_eq!(&plan, &plan_sync(&pairs, &ownership, scope), "the same input gives the same plan");

        let mut shuffled = pairs.clone();
        let mut x = seed;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(&plan, &plan_sync(&shuffled, &ownership, scope), "shuffling the pairs changes nothing");
    }

    #[test]
    fn pairs_read_in_place_plan_as_owned_pairs(
        (stores, last) in stores_and_last(),
        ownership in ownership(),
        scope in scope(),
        with_last in any::<bool>(),
    ) {
        let last = with_last.then_some(&last);
        let in_place: Vec<InPlace<'_>> =
            (0..stores.bigcommerce.len()).map(|at| InPlace { now: &stores, last, at }).collect();
        prop_assert_eq!(
            plan_pairs(&in_place, &ownership, scope),
            plan_sync(&stores.pairs(last), &ownership, scope),
            "the plan depends on the values, not on what holds them"
        );
    }

    #[test]
    fn the_plan_respects_ownership_and_batch_limits(
        (stores, last) in stores_and_last(),
        ownership in ownership(),
        scope in scope(),
    ) {
        let plan = plan_sync(&stores.pairs(Some(&last)), &ownership, scope);
        for change in &plan.changes {
            prop_assert_eq!(
                ownership.owner(change.field).direction(),
                Some(change.direction),
                "{:?} flows from its owner only: {:?}", change.field, change
            );
        }
        for write in &plan.requests() {
            let (len, limit) = match write {
                CatalogRequest::ShopifyVariants { variants, .. } => (variants.len(), SHOPIFY_VARIANTS_PER_WRITE),
                CatalogRequest::ShopifyProductTitle { .. } => (1, 1),
                CatalogRequest::BigCommerceVariants { variants } => (variants.len(), BIGCOMMERCE_VARIANTS_PER_WRITE),
                CatalogRequest::BigCommerceProductNames { products } => (products.len(), BIGCOMMERCE_PRODUCTS_PER_WRITE),
            };
            prop_assert!((1..=limit).contains(&len), "a write holds 1 to {} items, not {}: {:?}", limit, len, write);
        }
        if plan.changes.is_empty() {
            prop_assert!(plan.writes.is_empty(), "no write without a change to show for it: {:?}", plan.writes);
        }
    }

    #[test]
    fn a_full_plan_applied_leaves_nothing_for_a_second_full_plan(stores in (0usize..16).prop_flat_map(stores_of), ownership in ownership()) {
        let first = plan_sync(&stores.pairs(None), &ownership, Scope::Full);
        let mut after = stores.clone();
        after.apply(&first.requests());
        let second = plan_sync(&after.pairs(None), &ownership, Scope::Full);
        prop_assert!(second.is_empty(), "after applying the first plan nothing differs: first {:#?}, second {:#?}", first, second);
        prop_assert_eq!(&second.skipped, &first.skipped, "what could not be written is still reported, and nothing more");
    }

    #[test]
    fn each_unit_has_its_own_entity_and_rides_in_exactly_one_request(
        (stores, last) in stores_and_last(),
        ownership in ownership(),
        scope in scope(),
    ) {
        let plan = plan_sync(&stores.pairs(Some(&last)), &ownership, scope);
        let mut entities: Vec<String> = plan.writes.iter().map(CatalogWrite::entity_key).collect();
        entities.sort();
        let before = entities.len();
        entities.dedup();
        prop_assert_eq!(entities.len(), before, "two units of one plan would fight over one job: {:?}", plan.writes);
        for change in &plan.changes {
            prop_assert!(
                entities.binary_search(&change.entity_key).is_ok(),
                "each change names the write that carries it: {:?} not in {:?}", change, entities
            );
        }
        let mut carried: Vec<usize> = batch(&plan.writes).into_iter().flat_map(|b| b.units).collect();
        carried.sort_unstable();
        prop_assert_eq!(carried, (0..plan.writes.len()).collect::<Vec<_>>(), "every unit is sent once, none twice");
    }

    #[test]
    fn sending_units_in_any_grouping_leaves_the_stores_alike(stores in (0usize..16).prop_flat_map(stores_of), ownership in ownership(), split in 1usize..7) {
        // The queue sends whatever is due together; a plan's units sent in several rounds must
        // leave the stores as one round would.
        let plan = plan_sync(&stores.pairs(None), &ownership, Scope::Full);
        let mut at_once = stores.clone();
        at_once.apply(&plan.requests());
        let mut in_rounds = stores.clone();
        for round in plan.writes.chunks(split) {
            in_rounds.apply(&batch(round).into_iter().map(|b| b.request).collect::<Vec<_>>());
        }
        let after = |s: &Stores| plan_sync(&s.pairs(None), &ownership, Scope::Full);
        prop_assert_eq!(after(&in_rounds), after(&at_once), "rounds and one batch end in the same place");
    }
}
