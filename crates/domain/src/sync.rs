//! Planning a product sync: matched pairs (each side's values now and at the last sync) plus who owns
//! each field → what to write where.
//!
//! A pure function, like the matcher: the same pairs and ownership give the same plan whatever the
//! input order, so a dry run shows exactly what the real run will do. The plan has three parts:
//! `changes` (one per field that will change, for the diff and its CSV), `writes` (batched the way the
//! store APIs accept them; each becomes a job) and `skipped` (changes the plan refuses to make, with
//! the reason, so the operator can fix the source).
//!
//! Prices follow the pricing model every crate shares: a variant has a regular `price` and an
//! optional reduced `sale_price`. BigCommerce stores them as such (0 meaning "no sale"); Shopify
//! stores the selling price in `price` and the regular one in `compareAtPrice`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::gtin;
pub use crate::scope::Scope;

/// Shopify's `productVariantsBulkUpdate` takes at most this many variants of one product.
pub const SHOPIFY_VARIANTS_PER_WRITE: usize = 250;
/// BigCommerce's batch variant PUT takes at most this many variants.
pub const BIGCOMMERCE_VARIANTS_PER_WRITE: usize = 50;
/// BigCommerce's batch product PUT takes at most this many products.
pub const BIGCOMMERCE_PRODUCTS_PER_WRITE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Product level: the BigCommerce product name, the Shopify product title.
    Title,
    Price,
    SalePrice,
    Barcode,
    Sku,
}

impl Field {
    pub const ALL: [Field; 5] = [Field::Title, Field::Price, Field::SalePrice, Field::Barcode, Field::Sku];

    /// The name the diff, its CSV and the API use (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Price => "price",
            Field::SalePrice => "sale_price",
            Field::Barcode => "barcode",
            Field::Sku => "sku",
        }
    }
}

/// Which store's value wins for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Owner {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    #[serde(rename = "shopify")]
    Shopify,
    /// The field is not synced at all.
    #[serde(rename = "none")]
    None,
}

impl Owner {
    /// The way values of an owned field flow; None when the field is not synced.
    pub fn direction(self) -> Option<Direction> {
        match self {
            Owner::BigCommerce => Some(Direction::BigCommerceToShopify),
            Owner::Shopify => Some(Direction::ShopifyToBigCommerce),
            Owner::None => None,
        }
    }
}

/// The owner of each field. BigCommerce is the usual catalog of record, hence the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ownership {
    pub title: Owner,
    pub price: Owner,
    pub sale_price: Owner,
    pub barcode: Owner,
    pub sku: Owner,
}

impl Default for Ownership {
    fn default() -> Self {
        Ownership {
            title: Owner::BigCommerce,
            price: Owner::BigCommerce,
            sale_price: Owner::BigCommerce,
            barcode: Owner::BigCommerce,
            sku: Owner::BigCommerce,
        }
    }
}

impl Ownership {
    pub fn owner(&self, field: Field) -> Owner {
        match field {
            Field::Title => self.title,
            Field::Price => self.price,
            Field::SalePrice => self.sale_price,
            Field::Barcode => self.barcode,
            Field::Sku => self.sku,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "bigcommerce_to_shopify")]
    BigCommerceToShopify,
    #[serde(rename = "shopify_to_bigcommerce")]
    ShopifyToBigCommerce,
}

impl Direction {
    /// The name the diff, its CSV and the API use (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::BigCommerceToShopify => "bigcommerce_to_shopify",
            Direction::ShopifyToBigCommerce => "shopify_to_bigcommerce",
        }
    }
}

/// One BigCommerce variant's canonical values (see [`bigcommerce_prices`] and [`bigcommerce_barcode`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BcItem {
    pub product_id: i64,
    pub variant_id: i64,
    /// The product name.
    pub title: String,
    pub sku: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    #[serde(default, with = "money_option")]
    pub sale_price: Option<Decimal>,
    pub barcode: String,
}

/// One Shopify variant's canonical values (see [`shopify_prices`]); ids are GIDs, kept as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShItem {
    pub product_id: String,
    pub variant_id: String,
    /// The product title.
    pub title: String,
    pub sku: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    #[serde(default, with = "money_option")]
    pub sale_price: Option<Decimal>,
    pub barcode: String,
}

/// A [`BcItem`] borrowed from wherever its values lie; the prices are computed, so they are values.
/// The planner reads pairs through these (see [`PairView`]), so it needs no copy of a catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BcItemRef<'a> {
    pub product_id: i64,
    pub variant_id: i64,
    pub title: &'a str,
    pub sku: &'a str,
    pub price: Decimal,
    pub sale_price: Option<Decimal>,
    pub barcode: &'a str,
}

/// A [`ShItem`] borrowed (see [`BcItemRef`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShItemRef<'a> {
    pub product_id: &'a str,
    pub variant_id: &'a str,
    pub title: &'a str,
    pub sku: &'a str,
    pub price: Decimal,
    pub sale_price: Option<Decimal>,
    pub barcode: &'a str,
}

impl<'a> From<&'a BcItem> for BcItemRef<'a> {
    fn from(item: &'a BcItem) -> Self {
        BcItemRef {
            product_id: item.product_id,
            variant_id: item.variant_id,
            title: &item.title,
            sku: &item.sku,
            price: item.price,
            sale_price: item.sale_price,
            barcode: &item.barcode,
        }
    }
}

impl<'a> From<&'a ShItem> for ShItemRef<'a> {
    fn from(item: &'a ShItem) -> Self {
        ShItemRef {
            product_id: &item.product_id,
            variant_id: &item.variant_id,
            title: &item.title,
            sku: &item.sku,
            price: item.price,
            sale_price: item.sale_price,
            barcode: &item.barcode,
        }
    }
}

/// BigCommerce's price fields as (regular, sale). The variant price falls back to the product's; a
/// sale price of 0 (or below) is BigCommerce's way of saying "no sale".
pub fn bigcommerce_prices(
    product_price: Decimal,
    variant_price: Option<Decimal>,
    sale_price: Option<Decimal>,
) -> (Decimal, Option<Decimal>) {
    (variant_price.unwrap_or(product_price), sale_price.filter(|s| *s > Decimal::ZERO))
}

/// Shopify's price fields as (regular, sale). A compare-at price is only a sale when it is above the
/// price; at or below it, Shopify shows no reduction, so neither do we.
pub fn shopify_prices(price: Decimal, compare_at: Option<Decimal>) -> (Decimal, Option<Decimal>) {
    match compare_at {
        Some(regular) if regular > price => (regular, Some(price)),
        _ => (price, None),
    }
}

/// (regular, sale) as Shopify's (`price`, `compareAtPrice`); the inverse of [`shopify_prices`] for
/// any sale below the regular price.
pub fn shopify_price_fields(regular: Decimal, sale: Option<Decimal>) -> (Decimal, Option<Decimal>) {
    (sale.unwrap_or(regular), sale.map(|_| regular))
}

/// BigCommerce's barcode: the GTIN field when filled in, else the UPC field.
pub fn bigcommerce_barcode(upc: &str, gtin: &str) -> String {
    bigcommerce_barcode_borrowed(upc, gtin).to_string()
}

/// [`bigcommerce_barcode`] without a copy: the trimmed GTIN or UPC, borrowed.
pub fn bigcommerce_barcode_borrowed<'a>(upc: &'a str, gtin: &'a str) -> &'a str {
    let gtin = gtin.trim();
    if gtin.is_empty() { upc.trim() } else { gtin }
}

/// Barcodes are the same when they are the same GTIN however written (UPC-A "012345678905" is
/// EAN-13 "0012345678905"); anything that is no GTIN compares as trimmed text.
pub fn barcodes_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a == b {
        return true; // the common case, decided without normalizing
    }
    match (gtin::normalize(a), gtin::normalize(b)) {
        (Ok(x), Ok(y)) => x.digits == y.digits,
        _ => false,
    }
}

/// One matched pair now, with each side's values as of the last sync (None when that variant was
/// not in the previous snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairState {
    pub bigcommerce: BcItem,
    pub shopify: ShItem,
    #[serde(default)]
    pub last_bigcommerce: Option<BcItem>,
    #[serde(default)]
    pub last_shopify: Option<ShItem>,
}

/// One matched pair as the planner reads it: each side now and, when it was in the previous
/// snapshot, at the last sync. [`PairState`] is one; a caller holding its catalog elsewhere can plan
/// straight from it with [`plan_pairs`], without copying every matched variant into a `PairState`.
/// The methods are called several times per pair, so they should be cheap.
pub trait PairView {
    fn bigcommerce(&self) -> BcItemRef<'_>;
    fn shopify(&self) -> ShItemRef<'_>;
    fn last_bigcommerce(&self) -> Option<BcItemRef<'_>>;
    fn last_shopify(&self) -> Option<ShItemRef<'_>>;
}

impl PairView for PairState {
    fn bigcommerce(&self) -> BcItemRef<'_> {
        (&self.bigcommerce).into()
    }
    fn shopify(&self) -> ShItemRef<'_> {
        (&self.shopify).into()
    }
    fn last_bigcommerce(&self) -> Option<BcItemRef<'_>> {
        self.last_bigcommerce.as_ref().map(BcItemRef::from)
    }
    fn last_shopify(&self) -> Option<ShItemRef<'_>> {
        self.last_shopify.as_ref().map(ShItemRef::from)
    }
}

/// One field that the plan changes, rendered as text for the diff and its CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub bigcommerce_variant_id: i64,
    pub shopify_variant_id: String,
    /// The owner side's product title, to show which product this is.
    pub title: String,
    /// The owner side's SKU.
    pub sku: String,
    pub field: Field,
    pub direction: Direction,
    /// The target's value before; None when it had none.
    pub old: Option<String>,
    /// The value written; None when the write clears the field.
    pub new: Option<String>,
}

/// One store call the plan makes; these become job payloads, hence tagged and free of floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Write {
    /// Variants of one Shopify product (at most [`SHOPIFY_VARIANTS_PER_WRITE`]).
    #[serde(rename = "shopify_variants")]
    ShopifyVariants { product_id: String, variants: Vec<ShopifyVariantWrite> },
    #[serde(rename = "shopify_product_title")]
    ShopifyProductTitle { product_id: String, title: String },
    /// At most [`BIGCOMMERCE_VARIANTS_PER_WRITE`] variants.
    #[serde(rename = "bigcommerce_variants")]
    BigCommerceVariants { variants: Vec<BigCommerceVariantWrite> },
    /// At most [`BIGCOMMERCE_PRODUCTS_PER_WRITE`] products.
    #[serde(rename = "bigcommerce_product_names")]
    BigCommerceProductNames { products: Vec<BigCommerceNameWrite> },
}

/// What to set on one Shopify variant; None leaves a field alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopifyVariantWrite {
    pub variant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "money_option")]
    pub price: Option<Decimal>,
    /// Some(None) clears the compare-at price (JSON null); absent leaves it alone.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "set_or_clear_decimal")]
    pub compare_at_price: Option<Option<Decimal>>,
    /// Some(None) clears the barcode (JSON null); absent leaves it alone.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "set_or_clear")]
    pub barcode: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

impl ShopifyVariantWrite {
    fn new(variant_id: &str) -> Self {
        ShopifyVariantWrite {
            variant_id: variant_id.to_string(),
            price: None,
            compare_at_price: None,
            barcode: None,
            sku: None,
        }
    }
}

/// What to set on one BigCommerce variant; None leaves a field alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BigCommerceVariantWrite {
    pub variant_id: i64,
    pub product_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "money_option")]
    pub price: Option<Decimal>,
    /// Some(0) clears the sale price: that is how BigCommerce spells "no sale".
    #[serde(default, skip_serializing_if = "Option::is_none", with = "money_option")]
    pub sale_price: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
}

impl BigCommerceVariantWrite {
    fn new(ids: impl Into<BcIds>) -> Self {
        let BcIds { product_id, variant_id } = ids.into();
        BigCommerceVariantWrite {
            variant_id,
            product_id,
            price: None,
            sale_price: None,
            sku: None,
            upc: None,
            gtin: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigCommerceNameWrite {
    pub product_id: i64,
    pub name: String,
}

/// A change the plan will not make, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub bigcommerce_variant_id: i64,
    pub shopify_variant_id: String,
    pub field: Field,
    pub reason: String,
}

/// How many changes of one field flow one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChangeCount {
    pub field: Field,
    pub direction: Direction,
    pub changes: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// Sorted by (BigCommerce variant id, Shopify variant id, field).
    pub changes: Vec<FieldChange>,
    /// Shopify variant writes, Shopify titles, BigCommerce variant writes, BigCommerce names; each
    /// kind in id order (Shopify GIDs by their number).
    pub writes: Vec<Write>,
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

impl From<&BcItem> for BcIds {
    fn from(item: &BcItem) -> Self {
        BcIds { product_id: item.product_id, variant_id: item.variant_id }
    }
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
        self.bigcommerce.get_or_insert_with(|| BigCommerceVariantWrite::new(sides.bigcommerce_ids))
    }
}

struct Planner<'a> {
    ownership: &'a Ownership,
    scope: Scope,
    changes: Vec<FieldChange>,
    skipped: Vec<Skipped>,
    /// (product, variant, write) with ids in [`gid_order`], grouped into per-product writes at the end.
    shopify_variants: Vec<(GidOrder<'a>, GidOrder<'a>, ShopifyVariantWrite)>,
    bigcommerce_variants: Vec<BigCommerceVariantWrite>,
    shopify_titles: Vec<Write>,
    bigcommerce_names: Vec<BigCommerceNameWrite>,
}

impl<'a> Planner<'a> {
    /// The direction `field` flows for this pair, if it should.
    fn flow(&self, sides: &Sides<'_>, field: Field) -> Option<Direction> {
        self.ownership.owner(field).direction().filter(|&d| sides.moves(field, d, self.scope))
    }

    fn change(&mut self, sides: &Sides<'_>, field: Field, direction: Direction) {
        let (owner, _, target) = sides.flowing(direction);
        self.changes.push(FieldChange {
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
        if let Some(write) = writes.shopify {
            self.shopify_variants.push((
                gid_order(sides.shopify_ids.product_id),
                gid_order(sides.shopify_ids.variant_id),
                write,
            ));
        }
        if let Some(write) = writes.bigcommerce {
            self.bigcommerce_variants.push(write);
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
                    .push(Write::ShopifyProductTitle { product_id: first.shopify_ids.product_id.to_string(), title });
            }
            Direction::ShopifyToBigCommerce => {
                self.bigcommerce_names
                    .push(BigCommerceNameWrite { product_id: first.bigcommerce_ids.product_id, name: title });
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
        shopify_variants.sort_unstable_by(|(pa, va, _), (pb, vb, _)| (pa, va).cmp(&(pb, vb)));
        let mut shopify_variants = shopify_variants.into_iter().peekable();
        while let Some((product, _, first)) = shopify_variants.next() {
            let mut variants = vec![first];
            while variants.len() < SHOPIFY_VARIANTS_PER_WRITE
                && let Some((_, _, write)) = shopify_variants.next_if(|(p, _, _)| *p == product)
            {
                variants.push(write);
            }
            writes.push(Write::ShopifyVariants { product_id: product.1.to_string(), variants });
        }
        // Titles were planned product by product in id order, so they are sorted already.
        writes.extend(shopify_titles);
        bigcommerce_variants.sort_unstable_by_key(|w| (w.variant_id, w.product_id));
        writes.extend(
            batches(bigcommerce_variants, BIGCOMMERCE_VARIANTS_PER_WRITE)
                .map(|variants| Write::BigCommerceVariants { variants }),
        );
        writes.extend(
            batches(bigcommerce_names, BIGCOMMERCE_PRODUCTS_PER_WRITE)
                .map(|products| Write::BigCommerceProductNames { products }),
        );
        SyncPlan { changes, writes, skipped }
    }
}

/// A Shopify GID as a sort key: its numeric tail, then the whole text.
type GidOrder<'a> = (u64, &'a str);

/// Orders GIDs by their numeric tail first, so sorting mostly compares integers in place instead
/// of text on the heap (and Product/9 comes before Product/10). The text breaks ties, so distinct
/// ids never compare equal and the order stays total.
fn gid_order(gid: &str) -> GidOrder<'_> {
    let tail = gid.rsplit('/').next().unwrap_or(gid);
    (tail.parse().unwrap_or(u64::MAX), gid)
}

/// `items` in consecutive batches of at most `size`, moved rather than cloned.
fn batches<T>(items: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.into_iter();
    std::iter::from_fn(move || {
        let batch: Vec<T> = items.by_ref().take(size).collect();
        (!batch.is_empty()).then_some(batch)
    })
}

/// JSON for "set, clear or leave alone": the field absent leaves it (None), null clears it
/// (Some(None)), a value sets it. Plain serde would read null back as None.
fn set_or_clear<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// [`set_or_clear`] for money, written as a string so it never passes through a float.
mod set_or_clear_decimal {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Option<Decimal>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => rust_decimal::serde::str_option::serialize(inner, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<Decimal>>, D::Error> {
        super::money_option::deserialize(deserializer).map(Some)
    }
}

/// `Option<Decimal>` as a string or null. Reading goes through serde's own `Option`, which also
/// accepts the null that an internally tagged enum (a [`Write`]) buffers as a unit value;
/// rust_decimal's `str_option` refuses that.
mod money_option {
    use super::*;

    #[derive(Deserialize)]
    struct Money(#[serde(with = "rust_decimal::serde::str")] Decimal);

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str_option::serialize(value, serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Money>::deserialize(deserializer)?.map(|Money(value)| value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for f in Field::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str(), "the CSV and the API must spell {f:?} alike");
        }
        for d in [Direction::BigCommerceToShopify, Direction::ShopifyToBigCommerce] {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str(), "the CSV and the API must spell {d:?} alike");
        }
    }

    fn money(text: &str) -> Decimal {
        text.parse().expect("test prices are decimals")
    }

    fn bigcommerce(variant_id: i64, price: &str, sale: Option<&str>, barcode: &str) -> BcItem {
        BcItem {
            product_id: 100 + variant_id / 10,
            variant_id,
            title: format!("Product {}", variant_id / 10),
            sku: format!("SKU-{variant_id}"),
            price: money(price),
            sale_price: sale.map(money),
            barcode: barcode.into(),
        }
    }

    fn shopify(n: i64, price: &str, sale: Option<&str>, barcode: &str) -> ShItem {
        ShItem {
            product_id: format!("gid://shopify/Product/{}", 900 + n / 10),
            variant_id: format!("gid://shopify/ProductVariant/{n}"),
            title: format!("Product {}", n / 10),
            sku: format!("SKU-{n}"),
            price: money(price),
            sale_price: sale.map(money),
            barcode: barcode.into(),
        }
    }

    /// A pair whose last-sync values equal its current ones: nothing was edited since.
    fn synced(bc: BcItem, sh: ShItem) -> PairState {
        PairState { last_bigcommerce: Some(bc.clone()), last_shopify: Some(sh.clone()), bigcommerce: bc, shopify: sh }
    }

    /// An identical, synced pair with the given ids.
    fn aligned(n: i64) -> PairState {
        synced(bigcommerce(n, "20.00", None, "012345678905"), shopify(n, "20.00", None, "012345678905"))
    }

    fn owned_by(owner: Owner) -> Ownership {
        Ownership { title: owner, price: owner, sale_price: owner, barcode: owner, sku: owner }
    }

    fn only_shopify_variant(plan: &SyncPlan) -> &ShopifyVariantWrite {
        match plan.writes.as_slice() {
            [Write::ShopifyVariants { variants, .. }] if variants.len() == 1 => &variants[0],
            other => panic!("expected one Shopify variant write, got {other:#?}"),
        }
    }

    fn only_bigcommerce_variant(plan: &SyncPlan) -> &BigCommerceVariantWrite {
        match plan.writes.as_slice() {
            [Write::BigCommerceVariants { variants }] if variants.len() == 1 => &variants[0],
            other => panic!("expected one BigCommerce variant write, got {other:#?}"),
        }
    }

    fn fields(plan: &SyncPlan) -> Vec<(Field, Direction)> {
        plan.changes.iter().map(|c| (c.field, c.direction)).collect()
    }

    #[test]
    fn pricing_model_conversions() {
        assert_eq!(
            bigcommerce_prices(money("10"), None, None),
            (money("10"), None),
            "the variant falls back to the product price"
        );
        assert_eq!(
            bigcommerce_prices(money("10"), Some(money("12")), Some(money("0"))),
            (money("12"), None),
            "the variant price wins, and a sale price of 0 is no sale"
        );
        assert_eq!(
            bigcommerce_prices(money("10"), Some(money("12")), Some(money("9"))),
            (money("12"), Some(money("9"))),
            "a sale price"
        );
        assert_eq!(
            shopify_prices(money("15"), Some(money("20"))),
            (money("20"), Some(money("15"))),
            "compare-at above price is a sale"
        );
        assert_eq!(
            shopify_prices(money("15"), Some(money("15"))),
            (money("15"), None),
            "compare-at equal to price is no sale"
        );
        assert_eq!(shopify_prices(money("15"), None), (money("15"), None), "no compare-at, no sale");
        assert_eq!(
            shopify_price_fields(money("20"), Some(money("15"))),
            (money("15"), Some(money("20"))),
            "inverse of shopify_prices"
        );
        assert_eq!(
            bigcommerce_barcode(" 012345678905 ", "  "),
            "012345678905",
            "a blank GTIN falls back to the trimmed UPC"
        );
        assert_eq!(bigcommerce_barcode("012345678905", "4006381333931"), "4006381333931", "a filled-in GTIN wins");
    }

    #[test]
    fn delta_pushes_a_bigcommerce_price_change_to_shopify() {
        let mut pair = aligned(1);
        pair.bigcommerce.price = money("24.50");
        let plan = plan_sync(&[pair], &Ownership::default(), Scope::Delta);
        assert_eq!(
            fields(&plan),
            [(Field::Price, Direction::BigCommerceToShopify)],
            "the owner's edit is carried over"
        );
        let change = &plan.changes[0];
        assert_eq!(
            (change.old.as_deref(), change.new.as_deref()),
            (Some("20.00"), Some("24.50")),
            "money renders as plain decimals"
        );
        let write = only_shopify_variant(&plan);
        assert_eq!(write.price, Some(money("24.50")), "the new price is written");
        assert_eq!(write.compare_at_price, Some(None), "a new price also clears any stale compare-at");
        assert_eq!((&write.barcode, &write.sku), (&None, &None), "untouched fields are left alone");
    }

    #[test]
    fn delta_ignores_a_shopify_edit_of_a_bigcommerce_owned_field_but_full_reverts_it() {
        let mut pair = aligned(1);
        pair.shopify.price = money("18.00");
        let delta = plan_sync(std::slice::from_ref(&pair), &Ownership::default(), Scope::Delta);
        assert!(delta.is_empty() && delta.skipped.is_empty(), "delta looks only at owner-side edits: {delta:#?}");
        let full = plan_sync(&[pair], &Ownership::default(), Scope::Full);
        assert_eq!(
            fields(&full),
            [(Field::Price, Direction::BigCommerceToShopify)],
            "full sync puts the owner's price back"
        );
        assert_eq!(only_shopify_variant(&full).price, Some(money("20.00")), "reverted to BigCommerce's price");
    }

    #[test]
    fn delta_leaves_pairs_new_since_the_last_sync_to_the_full_sync() {
        let mut pair = aligned(1);
        pair.bigcommerce.price = money("30");
        pair.last_bigcommerce = None;
        assert!(
            plan_sync(std::slice::from_ref(&pair), &Ownership::default(), Scope::Delta).is_empty(),
            "no last values, no delta"
        );
        assert!(!plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "full sync aligns the new pair");
    }

    #[test]
    fn delta_does_not_rewrite_an_owner_edit_the_target_already_has() {
        let mut pair = aligned(1);
        pair.bigcommerce.price = money("30");
        pair.shopify.price = money("30.0");
        assert!(plan_sync(&[pair], &Ownership::default(), Scope::Delta).is_empty(), "both sides already agree");
    }

    #[test]
    fn owner_none_never_writes() {
        let pair = PairState {
            bigcommerce: bigcommerce(1, "20", Some("15"), "012345678905"),
            shopify: ShItem { title: "Other".into(), sku: "other".into(), ..shopify(2, "99", None, "4006381333931") },
            last_bigcommerce: None,
            last_shopify: None,
        };
        for scope in [Scope::Full, Scope::Delta] {
            let plan = plan_sync(std::slice::from_ref(&pair), &owned_by(Owner::None), scope);
            assert_eq!(plan, SyncPlan::default(), "fields owned by no one are never synced ({scope:?})");
        }
    }

    #[test]
    fn shopify_owned_barcode_flows_to_bigcommerce_gtin_and_to_upc_when_it_is_12_digits() {
        let ownership = Ownership { barcode: Owner::Shopify, ..Ownership::default() };
        let upc_a = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", None, " 036000291452 "));
        let write = only_bigcommerce_variant(&plan_sync(&[upc_a], &ownership, Scope::Full)).clone();
        assert_eq!(write.gtin.as_deref(), Some("036000291452"), "the trimmed barcode goes to the GTIN field");
        assert_eq!(write.upc.as_deref(), Some("036000291452"), "a UPC-A goes to the UPC field too");

        let ean_13 = synced(bigcommerce(1, "20", None, "036000291452"), shopify(1, "20", None, "4006381333931"));
        let write = only_bigcommerce_variant(&plan_sync(&[ean_13], &ownership, Scope::Full)).clone();
        assert_eq!(write.gtin.as_deref(), Some("4006381333931"), "an EAN-13 goes to the GTIN field");
        assert_eq!(write.upc, None, "and the UPC field is left alone");
    }

    #[test]
    fn a_blank_owner_barcode_clears_the_target() {
        let to_shopify = synced(bigcommerce(1, "20", None, " "), shopify(1, "20", None, "036000291452"));
        let plan = plan_sync(&[to_shopify], &Ownership::default(), Scope::Full);
        assert_eq!(only_shopify_variant(&plan).barcode, Some(None), "Some(None) clears Shopify's barcode");
        assert_eq!(
            (plan.changes[0].old.as_deref(), plan.changes[0].new.as_deref()),
            (Some("036000291452"), None),
            "cleared shows as none"
        );

        let ownership = Ownership { barcode: Owner::Shopify, ..Ownership::default() };
        let to_bigcommerce = synced(bigcommerce(1, "20", None, "036000291452"), shopify(1, "20", None, ""));
        let plan = plan_sync(&[to_bigcommerce], &ownership, Scope::Full);
        let write = only_bigcommerce_variant(&plan);
        assert_eq!(
            (write.gtin.as_deref(), write.upc.as_deref()),
            (Some(""), Some("")),
            "both fields, or the UPC would show through"
        );
    }

    #[test]
    fn upc_a_and_ean_13_with_a_leading_zero_are_not_a_change() {
        let pair = synced(bigcommerce(1, "20", None, "012345678905"), shopify(1, "20", None, "0012345678905"));
        assert!(plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "the same GTIN written two ways");
    }

    #[test]
    fn malformed_barcodes_compare_as_trimmed_text() {
        let same = synced(bigcommerce(1, "20", None, " ABC-1"), shopify(1, "20", None, "ABC-1 "));
        assert!(plan_sync(&[same], &Ownership::default(), Scope::Full).is_empty(), "only surrounding spaces differ");
        let different = synced(bigcommerce(1, "20", None, "ABC-1"), shopify(1, "20", None, "abc-1"));
        let plan = plan_sync(&[different], &Ownership::default(), Scope::Full);
        assert_eq!(
            fields(&plan),
            [(Field::Barcode, Direction::BigCommerceToShopify)],
            "text that is no GTIN is compared exactly"
        );
    }

    #[test]
    fn prices_compare_by_value_not_by_scale() {
        let pair = synced(bigcommerce(1, "19.9", Some("9.5"), ""), shopify(1, "19.90", Some("9.50"), ""));
        assert!(plan_sync(&[pair], &Ownership::default(), Scope::Full).is_empty(), "19.9 is 19.90");
    }

    #[test]
    fn skus_compare_raw() {
        let mut pair = aligned(1);
        pair.shopify.sku = "sku-1 ".into();
        pair.bigcommerce.sku = "SKU-1".into();
        let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
        assert_eq!(fields(&plan), [(Field::Sku, Direction::BigCommerceToShopify)], "case and spaces count for SKUs");
        assert_eq!(only_shopify_variant(&plan).sku.as_deref(), Some("SKU-1"), "the owner's raw SKU is written");
    }

    #[test]
    fn a_bigcommerce_sale_becomes_shopify_price_and_compare_at() {
        let starting = synced(bigcommerce(1, "20", Some("15"), ""), shopify(1, "20", None, ""));
        let plan = plan_sync(&[starting], &Ownership::default(), Scope::Full);
        assert_eq!(fields(&plan), [(Field::SalePrice, Direction::BigCommerceToShopify)], "only the sale price differs");
        let write = only_shopify_variant(&plan);
        assert_eq!(write.price, Some(money("15")), "Shopify's price is what the customer pays");
        assert_eq!(write.compare_at_price, Some(Some(money("20"))), "the regular price moves to compare-at");

        let ending = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", Some("15"), ""));
        let plan = plan_sync(&[ending], &Ownership::default(), Scope::Full);
        let write = only_shopify_variant(&plan);
        assert_eq!(write.price, Some(money("20")), "the sale ends: the regular price is charged again");
        assert_eq!(write.compare_at_price, Some(None), "and compare-at is cleared");
    }

    #[test]
    fn a_regular_price_change_during_a_sale_only_moves_compare_at() {
        let pair = synced(bigcommerce(1, "25", Some("15"), ""), shopify(1, "20", Some("15"), ""));
        let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
        assert_eq!(fields(&plan), [(Field::Price, Direction::BigCommerceToShopify)], "the regular price changed");
        let write = only_shopify_variant(&plan);
        assert_eq!(write.price, None, "the selling price stays 15, so it is not written");
        assert_eq!(write.compare_at_price, Some(Some(money("25"))), "the regular price lives in compare-at");
    }

    #[test]
    fn a_shopify_sale_becomes_a_bigcommerce_sale_price_and_ending_it_writes_zero() {
        let ownership = owned_by(Owner::Shopify);
        let starting = synced(bigcommerce(1, "20", None, ""), shopify(1, "20", Some("15"), ""));
        let plan = plan_sync(&[starting], &ownership, Scope::Full);
        assert_eq!(fields(&plan), [(Field::SalePrice, Direction::ShopifyToBigCommerce)], "only the sale price differs");
        let write = only_bigcommerce_variant(&plan);
        assert_eq!((write.price, write.sale_price), (None, Some(money("15"))), "only the sale price is written");

        let ending = synced(bigcommerce(1, "20", Some("15"), ""), shopify(1, "20", None, ""));
        let write = only_bigcommerce_variant(&plan_sync(&[ending], &ownership, Scope::Full)).clone();
        assert_eq!(write.sale_price, Some(Decimal::ZERO), "0 is BigCommerce's 'no sale price'");
    }

    #[test]
    fn split_price_ownership_composes_both_sides() {
        // BigCommerce sets the regular price, Shopify runs the sales.
        let ownership = Ownership { sale_price: Owner::Shopify, ..Ownership::default() };
        let pair = synced(bigcommerce(1, "30", None, ""), shopify(1, "20", Some("12"), ""));
        let plan = plan_sync(&[pair], &ownership, Scope::Full);
        assert_eq!(
            fields(&plan),
            [(Field::Price, Direction::BigCommerceToShopify), (Field::SalePrice, Direction::ShopifyToBigCommerce)],
            "each field flows from its owner"
        );
        let [Write::ShopifyVariants { variants, .. }, Write::BigCommerceVariants { variants: bc }] =
            plan.writes.as_slice()
        else {
            panic!("expected one write per side: {:#?}", plan.writes)
        };
        assert_eq!(
            (variants[0].price, variants[0].compare_at_price),
            (None, Some(Some(money("30")))),
            "Shopify keeps its sale of 12"
        );
        assert_eq!((bc[0].price, bc[0].sale_price), (None, Some(money("12"))), "BigCommerce gets Shopify's sale");
    }

    #[test]
    fn a_sale_price_shopify_cannot_show_is_skipped_not_written() {
        let pair = synced(bigcommerce(1, "20", Some("25"), ""), shopify(1, "20", None, ""));
        let plan = plan_sync(&[pair], &Ownership::default(), Scope::Full);
        assert!(
            plan.is_empty(),
            "a sale above the regular price would read back as no sale, forever 'changed': {plan:#?}"
        );
        assert_eq!(plan.skipped.len(), 1, "the operator is told");
        assert_eq!(plan.skipped[0].field, Field::SalePrice, "about the sale price");
        assert!(
            plan.skipped[0].reason.contains("not below the regular price"),
            "with the reason: {}",
            plan.skipped[0].reason
        );
    }

    #[test]
    fn a_hundred_and_twenty_bigcommerce_changes_make_three_batches() {
        let ownership = Ownership { sku: Owner::Shopify, ..Ownership::default() };
        let pairs: Vec<PairState> = (1..=120)
            .rev()
            .map(|n| {
                let mut pair = aligned(n);
                pair.shopify.sku = format!("NEW-{n}");
                pair
            })
            .collect();
        let plan = plan_sync(&pairs, &ownership, Scope::Full);
        let sizes: Vec<usize> = plan
            .writes
            .iter()
            .map(|w| match w {
                Write::BigCommerceVariants { variants } => variants.len(),
                other => panic!("only BigCommerce variant writes expected, got {other:?}"),
            })
            .collect();
        assert_eq!(sizes, [50, 50, 20], "BigCommerce takes 50 variants per batch");
        let Write::BigCommerceVariants { variants } = &plan.writes[0] else { unreachable!("checked above") };
        assert_eq!(variants[0].variant_id, 1, "batches are in variant id order, whatever the input order");
        assert_eq!(plan.changes.len(), 120, "one change per variant");
    }

    #[test]
    fn variants_of_one_shopify_product_share_one_write_of_at_most_250() {
        let three: Vec<PairState> = (10..13)
            .map(|n| {
                let mut pair = aligned(n);
                pair.bigcommerce.price = money("21");
                pair
            })
            .collect();
        let plan = plan_sync(&three, &Ownership::default(), Scope::Full);
        let [Write::ShopifyVariants { product_id, variants }] = plan.writes.as_slice() else {
            panic!("expected one write for the one product: {:#?}", plan.writes)
        };
        assert_eq!((product_id.as_str(), variants.len()), ("gid://shopify/Product/901", 3), "all three variants in it");

        let many: Vec<PairState> = (0..251)
            .map(|n| {
                let mut pair = aligned(n);
                pair.shopify.product_id = "gid://shopify/Product/1".into();
                pair.bigcommerce.price = money("21");
                pair
            })
            .collect();
        let sizes: Vec<usize> = plan_sync(&many, &Ownership::default(), Scope::Full)
            .writes
            .iter()
            .map(|w| match w {
                Write::ShopifyVariants { variants, .. } => variants.len(),
                other => panic!("only Shopify variant writes expected, got {other:?}"),
            })
            .collect();
        assert_eq!(sizes, [250, 1], "a product with more variants than one call takes is split");
    }

    #[test]
    fn a_title_change_is_one_change_and_one_write_per_product() {
        let pairs: Vec<PairState> = (10..13)
            .map(|n| {
                let mut pair = aligned(n);
                pair.bigcommerce.title = "Renamed".into();
                pair
            })
            .collect();
        let plan = plan_sync(&pairs, &Ownership::default(), Scope::Delta);
        assert_eq!(fields(&plan), [(Field::Title, Direction::BigCommerceToShopify)], "one change for the product");
        assert_eq!(plan.changes[0].bigcommerce_variant_id, 10, "shown on the product's first pair");
        assert_eq!(
            plan.writes,
            [Write::ShopifyProductTitle { product_id: "gid://shopify/Product/901".into(), title: "Renamed".into() }],
            "one title write for the product"
        );
    }

    #[test]
    fn a_product_matched_to_differently_named_products_is_skipped() {
        let mut first = aligned(10);
        let mut second = aligned(20);
        second.shopify.product_id = first.shopify.product_id.clone();
        first.bigcommerce.title = "Shirt".into();
        second.bigcommerce.title = "Tee".into();
        let plan = plan_sync(&[second, first], &Ownership::default(), Scope::Full);
        assert!(plan.is_empty(), "renaming would flip between two names: {plan:#?}");
        assert_eq!(plan.skipped.len(), 1, "one skip for the product");
        let skip = &plan.skipped[0];
        assert_eq!((skip.bigcommerce_variant_id, skip.field), (10, Field::Title), "reported on the first pair");
        assert!(
            skip.reason.starts_with(
                "Shopify product gid://shopify/Product/901 is matched to BigCommerce products with different names"
            ),
            "the reason names the product: {}",
            skip.reason
        );
    }

    #[test]
    fn bigcommerce_names_are_batched_ten_products_per_write() {
        let ownership = Ownership { title: Owner::Shopify, ..Ownership::default() };
        let pairs: Vec<PairState> = (0..11)
            .map(|p| {
                let mut pair = aligned(p * 10);
                pair.shopify.title = format!("Shopify name {p}");
                pair
            })
            .collect();
        let plan = plan_sync(&pairs, &ownership, Scope::Full);
        let sizes: Vec<usize> = plan
            .writes
            .iter()
            .map(|w| match w {
                Write::BigCommerceProductNames { products } => products.len(),
                other => panic!("only name writes expected, got {other:?}"),
            })
            .collect();
        assert_eq!(sizes, [10, 1], "BigCommerce takes 10 products per batch");
        assert_eq!(plan.changes.len(), 11, "one change per product");
    }

    #[test]
    fn by_kind_counts_changes_per_field_and_direction() {
        let ownership = Ownership { sku: Owner::Shopify, ..Ownership::default() };
        let pairs: Vec<PairState> = (1..=3)
            .map(|n| {
                let mut pair = aligned(n * 10);
                pair.bigcommerce.price = money("30");
                pair.shopify.sku = format!("X{n}");
                pair
            })
            .collect();
        let counts = plan_sync(&pairs, &ownership, Scope::Full).by_kind();
        assert_eq!(
            counts,
            [
                ChangeCount { field: Field::Price, direction: Direction::BigCommerceToShopify, changes: 3 },
                ChangeCount { field: Field::Sku, direction: Direction::ShopifyToBigCommerce, changes: 3 },
            ],
            "sorted by field, then direction"
        );
    }

    #[test]
    fn serde_names_match_the_http_contract() {
        let json = |v: serde_json::Value| v.to_string();
        assert_eq!(json(serde_json::json!(Field::SalePrice)), r#""sale_price""#, "fields are snake_case");
        assert_eq!(json(serde_json::json!(Owner::BigCommerce)), r#""bigcommerce""#, "owners are one word");
        assert_eq!(
            json(serde_json::json!(Direction::ShopifyToBigCommerce)),
            r#""shopify_to_bigcommerce""#,
            "directions"
        );
        assert_eq!(json(serde_json::json!(Scope::Delta)), r#""delta""#, "scopes");
        let partial: Ownership = serde_json::from_str(r#"{"barcode":"shopify"}"#).expect("a partial ownership reads");
        assert_eq!(
            partial,
            Ownership { barcode: Owner::Shopify, ..Ownership::default() },
            "missing fields default to BigCommerce"
        );
    }

    #[test]
    fn writes_are_tagged_and_round_trip_with_money_as_strings() {
        let write = Write::ShopifyVariants {
            product_id: "gid://shopify/Product/1".into(),
            variants: vec![
                ShopifyVariantWrite {
                    variant_id: "gid://shopify/ProductVariant/1".into(),
                    price: Some(money("19.90")),
                    compare_at_price: Some(None),
                    barcode: Some(None),
                    sku: None,
                },
                ShopifyVariantWrite {
                    variant_id: "gid://shopify/ProductVariant/2".into(),
                    price: None,
                    compare_at_price: Some(Some(money("25.00"))),
                    barcode: Some(Some("012345678905".into())),
                    sku: Some("A".into()),
                },
            ],
        };
        let text = serde_json::to_string(&write).expect("writes serialize");
        assert!(text.starts_with(r#"{"kind":"shopify_variants""#), "tagged by kind: {text}");
        assert!(text.contains(r#""price":"19.90""#), "money is a string, scale kept: {text}");
        assert!(text.contains(r#""compare_at_price":null"#), "clearing is an explicit null: {text}");
        assert!(!text.contains(r#""sku":null"#), "leaving alone is an absent field: {text}");
        let back: Write = serde_json::from_str(&text).expect("writes deserialize");
        assert_eq!(back, write, "a job payload reads back as the write it was");

        let bigcommerce = Write::BigCommerceVariants {
            variants: vec![BigCommerceVariantWrite {
                sale_price: Some(Decimal::ZERO),
                ..BigCommerceVariantWrite::new(&aligned(1).bigcommerce)
            }],
        };
        let text = serde_json::to_string(&bigcommerce).expect("writes serialize");
        assert!(
            text.contains(r#""kind":"bigcommerce_variants""#) && text.contains(r#""sale_price":"0""#),
            "as a string: {text}"
        );
        assert_eq!(serde_json::from_str::<Write>(&text).expect("reads back"), bigcommerce, "round trip");
    }

    #[test]
    fn output_does_not_depend_on_input_order() {
        let ownership = Ownership { barcode: Owner::Shopify, title: Owner::Shopify, ..Ownership::default() };
        let mut pairs: Vec<PairState> = (0..40)
            .map(|n| {
                let mut pair = aligned(n);
                pair.bigcommerce.price = money("25");
                pair.shopify.barcode = format!("{:012}", n);
                pair.shopify.title = format!("T{}", n % 3);
                pair
            })
            .collect();
        let forward = plan_sync(&pairs, &ownership, Scope::Full);
        pairs.reverse();
        assert_eq!(plan_sync(&pairs, &ownership, Scope::Full), forward, "reversing the input changes nothing");
    }
}
