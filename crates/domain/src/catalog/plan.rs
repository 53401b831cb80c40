//! The pure product-sync planner: matched pairs (each side's values now and at the last sync) plus
//! who owns each field → what to write where.
//!
//! Like the matcher, the same pairs and ownership give the same plan whatever the input order, so a
//! dry run shows exactly what the real run will do. The plan has three parts: `changes` (one per
//! field that will change, for the diff and its CSV), `writes` (one unit per field group and item,
//! each becoming a job) and `skipped` (changes the plan refuses to make, with the reason, so the
//! operator can fix the source).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::vocabulary::*;
use super::writes::{
    BigCommerceVariantWrite, CatalogRequest, CatalogWrite, GidOrder, ShopifyVariantWrite, batch, bigcommerce_entity,
    field_group, gid_order, shopify_entity,
};
use crate::Scope;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// Sorted by (BigCommerce variant id, Shopify variant id, field).
    pub changes: Vec<FieldChange>,
    /// One unit per field group and item (see [`CatalogWrite`]): Shopify variant writes, Shopify
    /// titles, BigCommerce variant writes, BigCommerce names; each kind in id order (Shopify GIDs by
    /// their number). [`batch`] packs them into requests.
    pub writes: Vec<CatalogWrite>,
    /// Sorted like `changes`.
    pub skipped: Vec<Skipped>,
}

impl SyncPlan {
    /// True when the plan neither changes nor writes anything (skips may remain).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.writes.is_empty()
    }

    /// Changes counted by field and direction, sorted.
    pub fn by_kind(&self) -> Vec<ChangeCount> {
        let mut counts: BTreeMap<(Field, Direction), usize> = BTreeMap::new();
        for c in &self.changes {
            *counts.entry((c.field, c.direction)).or_default() += 1;
        }
        counts.into_iter().map(|((field, direction), changes)| ChangeCount { field, direction, changes }).collect()
    }

    /// The writes packed into store requests, as the queue would send them all at once.
    pub fn requests(&self) -> Vec<CatalogRequest> {
        batch(&self.writes).into_iter().map(|b| b.request).collect()
    }
}

/// Plans the writes that bring each target field in line with its owner. Full scope aligns every
/// field that differs; delta carries over only the owner side's edits since the last sync, so an
/// edit made on the non-owning side is reverted by a full sync and never by a delta.
pub fn plan_sync(pairs: &[PairState], ownership: &Ownership, scope: Scope) -> SyncPlan {
    plan_pairs(pairs, ownership, scope)
}

/// [`plan_sync`] for pairs of any [`PairView`]: the same pairs give the same plan whatever holds them.
pub fn plan_pairs<P: PairView>(pairs: &[P], ownership: &Ownership, scope: Scope) -> SyncPlan {
    let mut planner = Planner {
        ownership,
        scope,
        changes: Vec::new(),
        skipped: Vec::new(),
        shopify_variants: Vec::new(),
        bigcommerce_variants: Vec::new(),
        shopify_titles: Vec::new(),
        bigcommerce_names: Vec::new(),
    };
    for pair in pairs {
        planner.plan_variant(pair);
    }
    planner.plan_titles(pairs);
    planner.finish()
}

/// The values of one side that the plan compares, borrowed, so looking costs no allocation.
#[derive(Clone, Copy)]
struct Values<'a> {
    title: &'a str,
    sku: &'a str,
    price: Decimal,
    sale_price: Option<Decimal>,
    barcode: &'a str,
}

impl<'a> Values<'a> {
    fn of_bigcommerce(item: &BcItemRef<'a>) -> Self {
        Values {
            title: item.title,
            sku: item.sku,
            price: item.price,
            sale_price: item.sale_price,
            barcode: item.barcode,
        }
    }

    fn of_shopify(item: &ShItemRef<'a>) -> Self {
        Values {
            title: item.title,
            sku: item.sku,
            price: item.price,
            sale_price: item.sale_price,
            barcode: item.barcode,
        }
    }

    fn same(&self, other: &Values<'_>, field: Field) -> bool {
        match field {
            Field::Title => self.title == other.title,
            // Decimal equality is by value: 19.9 == 19.90.
            Field::Price => self.price == other.price,
            Field::SalePrice => self.sale_price == other.sale_price,
            Field::Barcode => barcodes_equal(self.barcode, other.barcode),
            // Raw: ownership means the owner's exact SKU wins, stray spaces and case included.
            Field::Sku => self.sku == other.sku,
        }
    }

    fn render(&self, field: Field) -> Option<String> {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match field {
            Field::Title => text(self.title),
            Field::Price => Some(self.price.to_string()),
            Field::SalePrice => self.sale_price.map(|d| d.to_string()),
            Field::Barcode => text(self.barcode.trim()),
            Field::Sku => text(self.sku),
        }
    }
}

/// Both sides of one pair, now and at the last sync, with the ids of the sides now.
struct Sides<'a> {
    bigcommerce_ids: BcIds,
    shopify_ids: ShIds<'a>,
    bigcommerce: Values<'a>,
    shopify: Values<'a>,
    last_bigcommerce: Option<Values<'a>>,
    last_shopify: Option<Values<'a>>,
}

/// A BigCommerce variant's ids.
#[derive(Clone, Copy)]
struct BcIds {
    product_id: i64,
    variant_id: i64,
}

/// A Shopify variant's GIDs.
#[derive(Clone, Copy)]
struct ShIds<'a> {
    product_id: &'a str,
    variant_id: &'a str,
}

impl<'a> Sides<'a> {
    fn of<P: PairView>(pair: &'a P) -> Self {
        let (bigcommerce, shopify) = (pair.bigcommerce(), pair.shopify());
        Sides {
            bigcommerce_ids: BcIds { product_id: bigcommerce.product_id, variant_id: bigcommerce.variant_id },
            shopify_ids: ShIds { product_id: shopify.product_id, variant_id: shopify.variant_id },
            bigcommerce: Values::of_bigcommerce(&bigcommerce),
            shopify: Values::of_shopify(&shopify),
            last_bigcommerce: pair.last_bigcommerce().as_ref().map(Values::of_bigcommerce),
            last_shopify: pair.last_shopify().as_ref().map(Values::of_shopify),
        }
    }

    /// (owner now, owner at the last sync, target now) for values flowing `direction`.
    fn flowing(&self, direction: Direction) -> (&Values<'a>, Option<&Values<'a>>, &Values<'a>) {
        match direction {
            Direction::BigCommerceToShopify => (&self.bigcommerce, self.last_bigcommerce.as_ref(), &self.shopify),
            Direction::ShopifyToBigCommerce => (&self.shopify, self.last_shopify.as_ref(), &self.bigcommerce),
        }
    }

    /// Whether `field` should be written `direction` in `scope`.
    fn moves(&self, field: Field, direction: Direction, scope: Scope) -> bool {
        let (owner, last, target) = self.flowing(direction);
        let owner_edited = match scope {
            Scope::Full => true,
            // An item new since the last sync has no edit to carry over; full sync aligns it.
            Scope::Delta => last.is_some_and(|last| !owner.same(last, field)),
        };
        owner_edited && !target.same(owner, field)
    }
}

/// Why a (regular, sale) price cannot be stored on the target; None when it can. Storing it anyway
/// would read back differently and be "changed" again on every run.
fn unstorable_prices(direction: Direction, regular: Decimal, sale: Option<Decimal>) -> Option<String> {
    let sale = sale?;
    match direction {
        Direction::BigCommerceToShopify if sale >= regular => Some(format!(
            "sale price {sale} is not below the regular price {regular}; Shopify shows a sale only below the compare-at price"
        )),
        Direction::ShopifyToBigCommerce if sale <= Decimal::ZERO => {
            Some(format!("sale price {sale} is not above zero; BigCommerce reads that as no sale price"))
        }
        _ => None,
    }
}

/// The variant writes one pair needs, created on first use.
struct PairWrites {
    shopify: Option<ShopifyVariantWrite>,
    bigcommerce: Option<BigCommerceVariantWrite>,
}

impl PairWrites {
    fn shopify(&mut self, sides: &Sides<'_>) -> &mut ShopifyVariantWrite {
        self.shopify.get_or_insert_with(|| ShopifyVariantWrite::new(sides.shopify_ids.variant_id))
    }

    fn bigcommerce(&mut self, sides: &Sides<'_>) -> &mut BigCommerceVariantWrite {
        self.bigcommerce.get_or_insert_with(|| {
            BigCommerceVariantWrite::new(sides.bigcommerce_ids.product_id, sides.bigcommerce_ids.variant_id)
        })
    }
}

struct Planner<'a> {
    ownership: &'a Ownership,
    scope: Scope,
    changes: Vec<FieldChange>,
    skipped: Vec<Skipped>,
    /// (product, variant, write) with ids in [`gid_order`], grouped into per-product writes at the end.
    shopify_variants: Vec<(GidOrder<'a>, GidOrder<'a>, &'a str, ShopifyVariantWrite)>,
    /// (BigCommerce variant id, label, write).
    bigcommerce_variants: Vec<(i64, &'a str, BigCommerceVariantWrite)>,
    shopify_titles: Vec<CatalogWrite>,
    bigcommerce_names: Vec<CatalogWrite>,
}

impl<'a> Planner<'a> {
    /// The direction `field` flows for this pair, if it should.
    fn flow(&self, sides: &Sides<'_>, field: Field) -> Option<Direction> {
        self.ownership.owner(field).direction().filter(|&d| sides.moves(field, d, self.scope))
    }

    fn change(&mut self, sides: &Sides<'_>, field: Field, direction: Direction) {
        let (owner, _, target) = sides.flowing(direction);
        let group = field_group(field, direction);
        let entity_key = match (direction, field) {
            (Direction::BigCommerceToShopify, Field::Title) => shopify_entity(sides.shopify_ids.product_id, group),
            (Direction::BigCommerceToShopify, _) => shopify_entity(sides.shopify_ids.variant_id, group),
            (Direction::ShopifyToBigCommerce, Field::Title) => {
                bigcommerce_entity(sides.bigcommerce_ids.product_id, group)
            }
            (Direction::ShopifyToBigCommerce, _) => bigcommerce_entity(sides.bigcommerce_ids.variant_id, group),
        };
        self.changes.push(FieldChange {
            entity_key,
            bigcommerce_variant_id: sides.bigcommerce_ids.variant_id,
            shopify_variant_id: sides.shopify_ids.variant_id.to_string(),
            title: owner.title.to_string(),
            sku: owner.sku.to_string(),
            field,
            direction,
            old: target.render(field),
            new: owner.render(field),
        });
    }

    fn skip(&mut self, sides: &Sides<'_>, field: Field, reason: String) {
        self.skipped.push(Skipped {
            bigcommerce_variant_id: sides.bigcommerce_ids.variant_id,
            shopify_variant_id: sides.shopify_ids.variant_id.to_string(),
            field,
            reason,
        });
    }

    fn plan_variant<P: PairView>(&mut self, pair: &'a P) {
        let sides = Sides::of(pair);
        let mut writes = PairWrites { shopify: None, bigcommerce: None };
        for direction in [Direction::BigCommerceToShopify, Direction::ShopifyToBigCommerce] {
            self.plan_prices(&sides, direction, &mut writes);
        }
        if let Some(direction) = self.flow(&sides, Field::Barcode) {
            self.change(&sides, Field::Barcode, direction);
            let value = sides.flowing(direction).0.barcode.trim();
            match direction {
                Direction::BigCommerceToShopify => {
                    writes.shopify(&sides).barcode = Some((!value.is_empty()).then(|| value.to_string()));
                }
                Direction::ShopifyToBigCommerce => {
                    let write = writes.bigcommerce(&sides);
                    write.gtin = Some(value.to_string());
                    // A UPC-A belongs in the UPC field too. A cleared barcode clears the UPC as well,
                    // since BigCommerce's barcode falls back to the UPC when the GTIN is blank.
                    if value.is_empty() || (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())) {
                        write.upc = Some(value.to_string());
                    }
                }
            }
        }
        if let Some(direction) = self.flow(&sides, Field::Sku) {
            self.change(&sides, Field::Sku, direction);
            let sku = sides.flowing(direction).0.sku.to_string();
            match direction {
                Direction::BigCommerceToShopify => writes.shopify(&sides).sku = Some(sku),
                Direction::ShopifyToBigCommerce => writes.bigcommerce(&sides).sku = Some(sku),
            }
        }
        // Each write is labelled with the SKU of the side its values come from.
        if let Some(write) = writes.shopify {
            self.shopify_variants.push((
                gid_order(sides.shopify_ids.product_id),
                gid_order(sides.shopify_ids.variant_id),
                sides.bigcommerce.sku,
                write,
            ));
        }
        if let Some(write) = writes.bigcommerce {
            self.bigcommerce_variants.push((sides.bigcommerce_ids.variant_id, sides.shopify.sku, write));
        }
    }

    /// Price and sale price flowing `direction`. They are planned together because Shopify keeps
    /// them in two fields whose meaning depends on both values.
    fn plan_prices(&mut self, sides: &Sides<'_>, direction: Direction, writes: &mut PairWrites) {
        let price_moves = self.flow(sides, Field::Price) == Some(direction);
        let sale_moves = self.flow(sides, Field::SalePrice) == Some(direction);
        if !price_moves && !sale_moves {
            return;
        }
        let (owner, _, target) = sides.flowing(direction);
        // A field that does not move keeps the target's own value (it may be owned by the target).
        let regular = if price_moves { owner.price } else { target.price };
        let sale = if sale_moves { owner.sale_price } else { target.sale_price };
        let moving = [(Field::Price, price_moves), (Field::SalePrice, sale_moves)];
        if let Some(reason) = unstorable_prices(direction, regular, sale) {
            for (field, _) in moving.into_iter().filter(|(_, moves)| *moves) {
                self.skip(sides, field, reason.clone());
            }
            return;
        }
        for (field, _) in moving.into_iter().filter(|(_, moves)| *moves) {
            self.change(sides, field, direction);
        }
        match direction {
            Direction::BigCommerceToShopify => {
                let (price, compare_at) = shopify_price_fields(regular, sale);
                let (current_price, current_compare_at) = shopify_price_fields(target.price, target.sale_price);
                let new_price = price != current_price;
                // Written with any new price too: a stale compare-at at or below the old price reads
                // as no sale (so it is invisible here), but would become one under a lower price.
                if new_price || compare_at != current_compare_at {
                    let write = writes.shopify(sides);
                    write.price = new_price.then_some(price);
                    write.compare_at_price = Some(compare_at);
                }
            }
            Direction::ShopifyToBigCommerce => {
                let write = writes.bigcommerce(sides);
                if price_moves {
                    write.price = Some(regular);
                }
                if sale_moves {
                    write.sale_price = Some(sale.unwrap_or(Decimal::ZERO));
                }
            }
        }
    }

    /// Titles live on products, and one product's variants may be matched to variants of several
    /// products on the other side; a target product is renamed only when all of them agree.
    fn plan_titles<P: PairView>(&mut self, pairs: &'a [P]) {
        let Some(direction) = self.ownership.title.direction() else { return };
        // Most runs, deltas above all, rename nothing; one pass without sorting tells.
        if !pairs.iter().any(|pair| Sides::of(pair).moves(Field::Title, direction, self.scope)) {
            return;
        }
        match direction {
            Direction::BigCommerceToShopify => {
                self.plan_titles_by(pairs, direction, |sides| gid_order(sides.shopify_ids.product_id))
            }
            Direction::ShopifyToBigCommerce => {
                self.plan_titles_by(pairs, direction, |sides| sides.bigcommerce_ids.product_id)
            }
        }
    }

    /// [`Self::plan_titles`] with the target product of a pair given by `target`.
    fn plan_titles_by<P: PairView, K: Ord + Copy>(
        &mut self,
        pairs: &'a [P],
        direction: Direction,
        target: impl Fn(&Sides<'a>) -> K,
    ) {
        // Each pair's target product and ids are read once, so sorting compares them in place.
        let mut order: Vec<(K, (i64, &'a str), &'a P)> = pairs
            .iter()
            .map(|pair| {
                let sides = Sides::of(pair);
                (target(&sides), (sides.bigcommerce_ids.variant_id, sides.shopify_ids.variant_id), pair)
            })
            .collect();
        order.sort_unstable_by(|(ka, ia, _), (kb, ib, _)| ka.cmp(kb).then_with(|| ia.cmp(ib)));
        for group in order.chunk_by(|(ka, _, _), (kb, _, _)| ka == kb) {
            if !group.iter().any(|(_, _, pair)| Sides::of(*pair).moves(Field::Title, direction, self.scope)) {
                continue;
            }
            let mut names: Vec<&'a str> = group
                .iter()
                .map(|(_, _, pair)| {
                    let sides = Sides::of(*pair);
                    match direction {
                        Direction::BigCommerceToShopify => sides.bigcommerce.title,
                        Direction::ShopifyToBigCommerce => sides.shopify.title,
                    }
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            self.plan_title(&Sides::of(group[0].2), names, direction);
        }
    }

    /// One target product's title, when some pair of it should move. `first` is its pair with the
    /// lowest ids, which stands for the product; `names` are the owner side's distinct titles.
    fn plan_title(&mut self, first: &Sides<'_>, names: Vec<&str>, direction: Direction) {
        if names.len() > 1 {
            let quoted = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
            let reason = match direction {
                Direction::BigCommerceToShopify => format!(
                    "Shopify product {} is matched to BigCommerce products with different names ({quoted})",
                    first.shopify_ids.product_id
                ),
                Direction::ShopifyToBigCommerce => format!(
                    "BigCommerce product {} is matched to Shopify products with different titles ({quoted})",
                    first.bigcommerce_ids.product_id
                ),
            };
            self.skip(first, Field::Title, reason);
            return;
        }
        self.change(first, Field::Title, direction);
        let title = names[0].to_string();
        match direction {
            Direction::BigCommerceToShopify => {
                self.shopify_titles
                    .push(CatalogWrite::ShopifyTitle { product_id: first.shopify_ids.product_id.to_string(), title });
            }
            Direction::ShopifyToBigCommerce => {
                self.bigcommerce_names
                    .push(CatalogWrite::BigCommerceName { product_id: first.bigcommerce_ids.product_id, name: title });
            }
        }
    }

    fn finish(self) -> SyncPlan {
        let Planner {
            mut changes,
            mut skipped,
            mut shopify_variants,
            mut bigcommerce_variants,
            shopify_titles,
            bigcommerce_names,
            ..
        } = self;
        changes.sort_unstable_by(|a, b| {
            (a.bigcommerce_variant_id, &a.shopify_variant_id, a.field, a.direction).cmp(&(
                b.bigcommerce_variant_id,
                &b.shopify_variant_id,
                b.field,
                b.direction,
            ))
        });
        skipped.sort_unstable_by(|a, b| {
            (a.bigcommerce_variant_id, &a.shopify_variant_id, a.field).cmp(&(
                b.bigcommerce_variant_id,
                &b.shopify_variant_id,
                b.field,
            ))
        });

        let mut writes = Vec::new();
        shopify_variants.sort_unstable_by(|(pa, va, _, _), (pb, vb, _, _)| (pa, va).cmp(&(pb, vb)));
        for ((_, product_id), _, label, write) in shopify_variants {
            writes.extend(write.split().into_iter().map(|variant| CatalogWrite::ShopifyVariant {
                product_id: product_id.to_string(),
                label: label.to_string(),
                variant,
            }));
        }
        // Titles were planned product by product in id order, so they are sorted already.
        writes.extend(shopify_titles);
        bigcommerce_variants.sort_unstable_by_key(|(variant_id, _, _)| *variant_id);
        for (_, label, write) in bigcommerce_variants {
            writes.extend(
                write
                    .split()
                    .into_iter()
                    .map(|variant| CatalogWrite::BigCommerceVariant { label: label.to_string(), variant }),
            );
        }
        writes.extend(bigcommerce_names);
        SyncPlan { changes, writes, skipped }
    }
}
