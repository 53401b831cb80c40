//! Catalog writes: the units of work a plan hands to the queue, and the requests they travel in.
//!
//! A [`CatalogWrite`] is one field group of one item on one store, the thing a job is keyed by
//! ([`CatalogWrite::entity_key`]), so a newer plan for the same field supersedes an older one that
//! has not gone out yet. The stores want them batched: [`batch`] packs due units into as few
//! requests as the APIs allow (BigCommerce 50 variants or 10 products per `PUT`, Shopify the
//! variants of one product per `productVariantsBulkUpdate`), which is how a queue of single-field
//! jobs still costs the least number of requests.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::vocabulary::{Direction, Field, money_option, set_or_clear, set_or_clear_decimal};
use crate::work::Lane;

/// Shopify's `productVariantsBulkUpdate` takes at most this many variants of one product.
pub const SHOPIFY_VARIANTS_PER_WRITE: usize = 250;
/// BigCommerce's batch variant PUT takes at most this many variants.
pub const BIGCOMMERCE_VARIANTS_PER_WRITE: usize = 50;
/// BigCommerce's batch product PUT takes at most this many products.
pub const BIGCOMMERCE_PRODUCTS_PER_WRITE: usize = 10;

/// One unit of catalog work: a field group of one item, on the store it is written to. These are
/// job payloads, hence tagged and free of floats. `label` is the owner side's SKU, to name the item
/// to a person ("the barcode of TB-1-RED-M").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum CatalogWrite {
    ShopifyVariant { product_id: String, label: String, variant: ShopifyVariantWrite },
    ShopifyTitle { product_id: String, title: String },
    BigCommerceVariant { label: String, variant: BigCommerceVariantWrite },
    BigCommerceName { product_id: i64, name: String },
}

impl CatalogWrite {
    /// The store this write goes to.
    pub fn lane(&self) -> Lane {
        match self {
            CatalogWrite::ShopifyVariant { .. } | CatalogWrite::ShopifyTitle { .. } => Lane::Shopify,
            CatalogWrite::BigCommerceVariant { .. } | CatalogWrite::BigCommerceName { .. } => Lane::BigCommerce,
        }
    }

    /// What the write changes, on the store it changes: `product:{shopify variant}:{field}`,
    /// `product:bigcommerce/{variant}:{field}`, `product:{product}:title`. Ids only, never a value.
    /// Both sides of one pair can be written in one plan (price owned by one store, sale price by
    /// the other), so the store is part of the key.
    pub fn entity_key(&self) -> String {
        match self {
            CatalogWrite::ShopifyVariant { variant, .. } => shopify_entity(&variant.variant_id, variant.field_group()),
            CatalogWrite::ShopifyTitle { product_id, .. } => shopify_entity(product_id, "title"),
            CatalogWrite::BigCommerceVariant { variant, .. } => {
                bigcommerce_entity(variant.variant_id, variant.field_group())
            }
            CatalogWrite::BigCommerceName { product_id, .. } => bigcommerce_entity(*product_id, "title"),
        }
    }

    /// The write in plain words, as the object of a sentence: "the barcode 0123 on TB-1-RED-M",
    /// so the Failed list can say "Shopify refused the barcode 0123 on TB-1-RED-M: …".
    pub fn describe(&self) -> String {
        let on = |label: &str| if label.is_empty() { "an item without SKU".to_string() } else { label.to_string() };
        match self {
            CatalogWrite::ShopifyVariant { label, variant, .. } => match variant.field_group() {
                "price" => match (variant.price, variant.compare_at_price) {
                    (Some(p), Some(Some(c))) => format!("the price {p} (compare-at {c}) on {}", on(label)),
                    (Some(p), _) => format!("the price {p} on {}", on(label)),
                    (None, Some(Some(c))) => format!("the compare-at price {c} on {}", on(label)),
                    (None, _) => format!("the cleared compare-at price on {}", on(label)),
                },
                "barcode" => match variant.barcode.clone().flatten() {
                    Some(b) => format!("the barcode {b} on {}", on(label)),
                    None => format!("the cleared barcode on {}", on(label)),
                },
                _ => format!("the SKU {} on {}", variant.sku.as_deref().unwrap_or_default(), on(label)),
            },
            CatalogWrite::ShopifyTitle { product_id, title } => format!("the title {title:?} of product {product_id}"),
            CatalogWrite::BigCommerceVariant { label, variant } => match variant.field_group() {
                "price" => format!("the price {} on {}", variant.price.unwrap_or_default(), on(label)),
                "sale_price" => match variant.sale_price.filter(|s| !s.is_zero()) {
                    Some(s) => format!("the sale price {s} on {}", on(label)),
                    None => format!("the cleared sale price on {}", on(label)),
                },
                "barcode" => match variant.gtin.as_deref().filter(|g| !g.is_empty()) {
                    Some(b) => format!("the barcode {b} on {}", on(label)),
                    None => format!("the cleared barcode on {}", on(label)),
                },
                _ => format!("the SKU {} on {}", variant.sku.as_deref().unwrap_or_default(), on(label)),
            },
            CatalogWrite::BigCommerceName { product_id, name } => format!("the name {name:?} of product {product_id}"),
        }
    }
}

/// The entity of a Shopify variant's field group, or of a product's title (`id` is then the product).
pub fn shopify_entity(id: &str, group: &str) -> String {
    format!("product:{id}:{group}")
}

/// The entity of a BigCommerce variant's field group, or of a product's name.
pub fn bigcommerce_entity(id: i64, group: &str) -> String {
    format!("product:bigcommerce/{id}:{group}")
}

/// The field group a changed field is written in, on the store it flows to: Shopify reads the
/// price and the compare-at price together, BigCommerce keeps them apart.
pub fn field_group(field: Field, direction: Direction) -> &'static str {
    match (field, direction) {
        (Field::Title, _) => "title",
        (Field::Price | Field::SalePrice, Direction::BigCommerceToShopify) => "price",
        (Field::Price, Direction::ShopifyToBigCommerce) => "price",
        (Field::SalePrice, Direction::ShopifyToBigCommerce) => "sale_price",
        (Field::Barcode, _) => "barcode",
        (Field::Sku, _) => "sku",
    }
}

/// One store call: what [`batch`] packs units into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum CatalogRequest {
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

/// A request and the units it carries (their positions in the slice given to [`batch`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub request: CatalogRequest,
    pub units: Vec<usize>,
}

/// Packs units into the fewest requests the APIs take: Shopify variants of one product together
/// (up to 250), then Shopify titles one by one, BigCommerce variants 50 to a request, BigCommerce
/// names 10 to a request. Units for the same variant merge into one entry, so a price and a barcode
/// of one variant cost one slot. Each kind is in id order, whatever the order of `units`.
pub fn batch(units: &[CatalogWrite]) -> Vec<Batch> {
    // (product, variant) → merged write and the units in it.
    let mut shopify: BTreeMap<(GidOrder<'_>, GidOrder<'_>), (ShopifyVariantWrite, Vec<usize>)> = BTreeMap::new();
    let mut titles: Vec<(GidOrder<'_>, usize)> = Vec::new();
    let mut bigcommerce: BTreeMap<(i64, i64), (BigCommerceVariantWrite, Vec<usize>)> = BTreeMap::new();
    let mut names: Vec<(i64, usize)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        match unit {
            CatalogWrite::ShopifyVariant { product_id, variant, .. } => {
                let entry = shopify
                    .entry((gid_order(product_id), gid_order(&variant.variant_id)))
                    .or_insert_with(|| (ShopifyVariantWrite::new(&variant.variant_id), Vec::new()));
                entry.0.absorb(variant);
                entry.1.push(i);
            }
            CatalogWrite::ShopifyTitle { product_id, .. } => titles.push((gid_order(product_id), i)),
            CatalogWrite::BigCommerceVariant { variant, .. } => {
                let entry = bigcommerce.entry((variant.variant_id, variant.product_id)).or_insert_with(|| {
                    (BigCommerceVariantWrite::new(variant.product_id, variant.variant_id), Vec::new())
                });
                entry.0.absorb(variant);
                entry.1.push(i);
            }
            CatalogWrite::BigCommerceName { product_id, .. } => names.push((*product_id, i)),
        }
    }
    let mut out = Vec::new();
    let mut shopify = shopify.into_iter().peekable();
    while let Some(((product, _), (first, mut members))) = shopify.next() {
        let mut variants = vec![first];
        while variants.len() < SHOPIFY_VARIANTS_PER_WRITE
            && let Some((_, (write, more))) = shopify.next_if(|((p, _), _)| *p == product)
        {
            variants.push(write);
            members.extend(more);
        }
        out.push(Batch {
            request: CatalogRequest::ShopifyVariants { product_id: product.1.to_string(), variants },
            units: members,
        });
    }
    titles.sort_unstable();
    for (_, i) in titles {
        if let CatalogWrite::ShopifyTitle { product_id, title } = &units[i] {
            out.push(Batch {
                request: CatalogRequest::ShopifyProductTitle { product_id: product_id.clone(), title: title.clone() },
                units: vec![i],
            });
        }
    }
    let bigcommerce: Vec<(BigCommerceVariantWrite, Vec<usize>)> = bigcommerce.into_values().collect();
    for chunk in bigcommerce.chunks(BIGCOMMERCE_VARIANTS_PER_WRITE) {
        out.push(Batch {
            request: CatalogRequest::BigCommerceVariants { variants: chunk.iter().map(|(w, _)| w.clone()).collect() },
            units: chunk.iter().flat_map(|(_, m)| m.iter().copied()).collect(),
        });
    }
    names.sort_unstable();
    for chunk in names.chunks(BIGCOMMERCE_PRODUCTS_PER_WRITE) {
        let products = chunk
            .iter()
            .filter_map(|&(_, i)| match &units[i] {
                CatalogWrite::BigCommerceName { product_id, name } => {
                    Some(BigCommerceNameWrite { product_id: *product_id, name: name.clone() })
                }
                _ => None,
            })
            .collect();
        out.push(Batch {
            request: CatalogRequest::BigCommerceProductNames { products },
            units: chunk.iter().map(|&(_, i)| i).collect(),
        });
    }
    out
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
    pub(crate) fn new(variant_id: &str) -> Self {
        ShopifyVariantWrite {
            variant_id: variant_id.to_string(),
            price: None,
            compare_at_price: None,
            barcode: None,
            sku: None,
        }
    }

    /// The field group this write touches, named as in entity keys: price (with the compare-at
    /// price, which Shopify reads together with it), barcode or SKU. A write from a plan touches
    /// one group; a merged one names its first.
    pub fn field_group(&self) -> &'static str {
        if self.price.is_some() || self.compare_at_price.is_some() {
            "price"
        } else if self.barcode.is_some() {
            "barcode"
        } else {
            "sku"
        }
    }

    /// The write cut into one write per field group, so each can be queued (and superseded) alone.
    pub fn split(self) -> Vec<ShopifyVariantWrite> {
        let empty = ShopifyVariantWrite::new(&self.variant_id);
        let mut out = Vec::new();
        if self.price.is_some() || self.compare_at_price.is_some() {
            out.push(ShopifyVariantWrite {
                price: self.price,
                compare_at_price: self.compare_at_price,
                ..empty.clone()
            });
        }
        if self.barcode.is_some() {
            out.push(ShopifyVariantWrite { barcode: self.barcode, ..empty.clone() });
        }
        if self.sku.is_some() {
            out.push(ShopifyVariantWrite { sku: self.sku, ..empty });
        }
        out
    }

    /// Takes every field `other` sets (two units of one variant in one request).
    fn absorb(&mut self, other: &ShopifyVariantWrite) {
        if other.price.is_some() {
            self.price = other.price;
        }
        if other.compare_at_price.is_some() {
            self.compare_at_price = other.compare_at_price;
        }
        if other.barcode.is_some() {
            self.barcode = other.barcode.clone();
        }
        if other.sku.is_some() {
            self.sku = other.sku.clone();
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
    pub(crate) fn new(product_id: i64, variant_id: i64) -> Self {
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

    /// The field group this write touches, named as in entity keys: price, sale_price, barcode
    /// (the GTIN with the UPC) or sku. BigCommerce stores the regular and the sale price apart, so
    /// they are two groups here.
    pub fn field_group(&self) -> &'static str {
        if self.price.is_some() {
            "price"
        } else if self.sale_price.is_some() {
            "sale_price"
        } else if self.gtin.is_some() || self.upc.is_some() {
            "barcode"
        } else {
            "sku"
        }
    }

    /// The write cut into one write per field group (see [`Self::field_group`]).
    pub fn split(self) -> Vec<BigCommerceVariantWrite> {
        let empty = BigCommerceVariantWrite::new(self.product_id, self.variant_id);
        let mut out = Vec::new();
        if self.price.is_some() {
            out.push(BigCommerceVariantWrite { price: self.price, ..empty.clone() });
        }
        if self.sale_price.is_some() {
            out.push(BigCommerceVariantWrite { sale_price: self.sale_price, ..empty.clone() });
        }
        if self.gtin.is_some() || self.upc.is_some() {
            out.push(BigCommerceVariantWrite { gtin: self.gtin, upc: self.upc, ..empty.clone() });
        }
        if self.sku.is_some() {
            out.push(BigCommerceVariantWrite { sku: self.sku, ..empty });
        }
        out
    }

    fn absorb(&mut self, other: &BigCommerceVariantWrite) {
        if other.price.is_some() {
            self.price = other.price;
        }
        if other.sale_price.is_some() {
            self.sale_price = other.sale_price;
        }
        if other.gtin.is_some() {
            self.gtin = other.gtin.clone();
        }
        if other.upc.is_some() {
            self.upc = other.upc.clone();
        }
        if other.sku.is_some() {
            self.sku = other.sku.clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigCommerceNameWrite {
    pub product_id: i64,
    pub name: String,
}

/// A Shopify GID as a sort key: its numeric tail, then the whole text.
pub(crate) type GidOrder<'a> = (u64, &'a str);

/// Orders GIDs by their numeric tail first, so sorting mostly compares integers in place instead
/// of text on the heap (and Product/9 comes before Product/10). The text breaks ties, so distinct
/// ids never compare equal and the order stays total.
pub(crate) fn gid_order(gid: &str) -> GidOrder<'_> {
    let tail = gid.rsplit('/').next().unwrap_or(gid);
    (tail.parse().unwrap_or(u64::MAX), gid)
}
