//! The catalog's vocabulary: fields and who owns them, the canonical values of an item on each
//! side, and what a plan reports (changes, skips). Prices follow the model every crate shares: a
//! variant has a regular `price` and an optional reduced `sale_price`. BigCommerce stores them as
//! such (0 meaning "no sale"); Shopify stores the selling price in `price` and the regular one in
//! `compareAtPrice`.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::gtin;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
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
    /// The entity of the write that carries this change (see `CatalogWrite::entity_key`), so the
    /// diff can show what became of it.
    #[serde(default)]
    pub entity_key: String,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeCount {
    pub field: Field,
    pub direction: Direction,
    pub changes: usize,
}

/// JSON for "set, clear or leave alone": the field absent leaves it (None), null clears it
/// (Some(None)), a value sets it. Plain serde would read null back as None.
pub(crate) fn set_or_clear<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// [`set_or_clear`] for money, written as a string so it never passes through a float.
pub(crate) mod set_or_clear_decimal {
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
pub(crate) mod money_option {
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
