//! The contents of a pair of emulated stores: what the seed generator produces and what each
//! emulator loads at start. Each emulator then owns and mutates its own half.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct World {
    pub bigcommerce: BcWorld,
    pub shopify: ShopifyWorld,
    /// Customers known to the stores; `on_bigcommerce`/`on_shopify` say where each exists.
    pub customers: Vec<SeedCustomer>,
    /// What a correct matcher must conclude about every variant on both sides.
    pub truth: GroundTruth,
}

// ---------------------------------------------------------------- BigCommerce

#[derive(Debug, Clone, Serialize)]
pub struct BcWorld {
    pub locations: Vec<BcLocation>,
    pub products: Vec<BcProduct>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcLocation {
    pub id: i64,
    pub code: String,
    pub label: String,
    /// Location 1 is BigCommerce's default; the Catalog API's `inventory_level` reports it alone.
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcProduct {
    pub id: i64,
    pub name: String,
    /// The product-level SKU; for a product without options this is also its base variant's SKU.
    pub sku: String,
    pub price: Decimal,
    pub sale_price: Decimal,
    pub retail_price: Decimal,
    pub upc: String,
    pub gtin: String,
    pub mpn: String,
    pub weight: Decimal,
    /// "variant" when there are options, "product" for a single-variant product.
    pub inventory_tracking: &'static str,
    pub options: Vec<BcOption>,
    /// Never empty: a product without options has exactly one base variant.
    pub variants: Vec<BcVariant>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcOption {
    pub id: i64,
    pub display_name: String,
    pub values: Vec<BcOptionValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcOptionValue {
    pub id: i64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcVariant {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub upc: String,
    pub gtin: String,
    pub mpn: String,
    /// None means "inherits the product price" (the API shows null).
    pub price: Option<Decimal>,
    pub sale_price: Option<Decimal>,
    /// Empty for a base variant.
    pub option_values: Vec<BcVariantOptionValue>,
    pub stock: Vec<BcStock>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BcVariantOptionValue {
    pub id: i64,
    pub label: String,
    pub option_id: i64,
    pub option_display_name: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct BcStock {
    pub location_id: i64,
    pub on_hand: i64,
    pub safety_stock: i64,
}

// ---------------------------------------------------------------- Shopify

#[derive(Debug, Clone, Serialize)]
pub struct ShopifyWorld {
    pub locations: Vec<ShLocation>,
    pub products: Vec<ShProduct>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShLocation {
    /// Numeric id; the GraphQL id is `gid://shopify/Location/{id}`.
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShProduct {
    pub id: u64,
    pub title: String,
    pub handle: String,
    pub vendor: String,
    /// Options with their values in display order. A product without options has the single
    /// option "Title" with value "Default Title", as Shopify does.
    pub options: Vec<ShOption>,
    pub variants: Vec<ShVariant>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShOption {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShVariant {
    pub id: u64,
    pub product_id: u64,
    /// "Default Title" for a product without options, else the option values joined by " / ".
    pub title: String,
    /// Shopify allows blank SKUs; an empty string stands for none.
    pub sku: String,
    pub barcode: String,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    /// (option name, value) in the product's option order.
    pub selected_options: Vec<(String, String)>,
    pub inventory_item_id: u64,
    pub levels: Vec<ShLevel>,
    pub updated_at: DateTime<Utc>,
}

/// Stock of one inventory item at one location, by Shopify's quantity names.
/// `on_hand` = available + committed + reserved + damaged + safety_stock + quality_control.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ShLevel {
    pub location_id: u64,
    pub available: i64,
    pub committed: i64,
    pub on_hand: i64,
}

// ---------------------------------------------------------------- customers

#[derive(Debug, Clone, Serialize)]
pub struct SeedCustomer {
    pub first_name: String,
    pub last_name: String,
    /// Synthetic addresses under example.com.
    pub email: String,
    pub on_bigcommerce: bool,
    pub on_shopify: bool,
}

// ---------------------------------------------------------------- ground truth

/// The class a correct matcher gives a record, with the default option synonyms
/// (Colour = Color, XL = X-Large, …) and default SKU normalization (trim, case-fold,
/// collapse inner whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthClass {
    Matched,
    Ambiguous,
    Conflict,
    Unmatched,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthKey {
    Sku,
    NormalizedSku,
    Gtin,
}

/// The kind of mess the generator put into this record, so a failing count can be traced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mess {
    Clean,
    SkuCaseAndSpacing,
    BarcodeOnly,
    UpcVersusEan13,
    OptionSynonyms,
    SharedSkuSeparatedByOptions,
    DuplicateSkuOnShopify,
    ConflictingBarcode,
    BigCommerceOnly,
    ShopifyOnly,
    BlankSkuNoBarcode,
}

/// A pair (both sides) or a singleton (one side), as the matcher reports records.
#[derive(Debug, Clone, Serialize)]
pub struct TruthRecord {
    pub class: TruthClass,
    pub key: Option<TruthKey>,
    pub mess: Mess,
    /// BigCommerce (product id, variant id).
    pub bigcommerce: Option<(i64, i64)>,
    /// Shopify (product id, variant id), numeric.
    pub shopify: Option<(u64, u64)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GroundTruth {
    pub records: Vec<TruthRecord>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TruthCounts {
    pub matched: usize,
    pub ambiguous: usize,
    pub conflict: usize,
    pub unmatched: usize,
}

impl GroundTruth {
    pub fn counts(&self) -> TruthCounts {
        let mut c = TruthCounts::default();
        for r in &self.records {
            match r.class {
                TruthClass::Matched => c.matched += 1,
                TruthClass::Ambiguous => c.ambiguous += 1,
                TruthClass::Conflict => c.conflict += 1,
                TruthClass::Unmatched => c.unmatched += 1,
            }
        }
        c
    }
}

impl World {
    pub fn bigcommerce_variant_count(&self) -> usize {
        self.bigcommerce.products.iter().map(|p| p.variants.len()).sum()
    }

    pub fn shopify_variant_count(&self) -> usize {
        self.shopify.products.iter().map(|p| p.variants.len()).sum()
    }
}
