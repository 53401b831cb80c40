//! Reading both catalogs into snapshot rows, and turning rows into what the pure core takes.
//!
//! BigCommerce is read as products with `include=variants`, 250 a page; a delta read adds
//! `date_modified:min`. Shopify's full read is one bulk operation (run, poll, download), which
//! costs three requests whatever the catalog's size; a delta read pages `productVariants` with
//! `updated_at:>`, which is cheaper when little changed. Every variant is a row, including
//! BigCommerce base variants and Shopify "Default Title" variants.

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use tillbridge_bigcommerce::models::Product;
use tillbridge_bigcommerce::{BigCommerceApi, ProductQuery};
use tillbridge_domain::catalog::{
    BcItemRef, ShItemRef, bigcommerce_barcode_borrowed, bigcommerce_prices, shopify_prices,
};
use tillbridge_domain::matching::{BigCommerceVariant, ShopifyVariant};
use tillbridge_shopify::models::Variant;
use tillbridge_shopify::{ShopifyApi, VariantQuery};
use tillbridge_store::{BcVariantRow, ShVariantRow};

use crate::ApiError;

/// Rows read from one store, and where the next delta read should start.
#[derive(Debug, Clone)]
pub(crate) struct Read<T> {
    pub rows: Vec<T>,
    /// The latest modification time seen, less a second; None when nothing was read.
    /// Taken from the store's own timestamps, never this machine's clock, so clock skew between
    /// the two cannot make a delta read skip a change.
    pub cursor: Option<DateTime<Utc>>,
    /// BigCommerce products whose stock is tracked for the product as a whole, not per variant:
    /// their inventory adjustments name the product. Empty for Shopify.
    pub tracked_by_product: Vec<i64>,
}

impl<T> Read<T> {
    fn empty() -> Read<T> {
        Read { rows: Vec::new(), cursor: None, tracked_by_product: Vec::new() }
    }
}

fn later(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    a.max(b)
}

/// The next read overlaps by a second, because both stores' filters compare whole seconds and
/// two edits in the same second would otherwise be split across reads. Re-reading an unchanged
/// item is harmless: the planner compares values, not timestamps.
fn overlap(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.map(|t| t - Duration::seconds(1))
}

pub(crate) fn bigcommerce_rows(product: &Product) -> impl Iterator<Item = BcVariantRow> + '_ {
    product.variants.iter().map(move |v| BcVariantRow {
        variant_id: v.id,
        product_id: product.id,
        sku: v.sku.clone(),
        upc: v.upc.clone(),
        gtin: v.gtin.clone(),
        product_price: product.price,
        price: v.price,
        sale_price: v.sale_price,
        title: product.name.clone(),
        options: v.option_values.iter().map(|o| (o.option_display_name.clone(), o.label.clone())).collect(),
        date_modified: product.date_modified.map(|t| t.with_timezone(&Utc)),
    })
}

pub(crate) fn shopify_row(v: &Variant, product_title: &str) -> ShVariantRow {
    ShVariantRow {
        variant_id: v.id.0.clone(),
        product_id: v.product.id.0.clone(),
        inventory_item_id: v.inventory_item_id.0.clone(),
        sku: v.sku.clone().unwrap_or_default(),
        barcode: v.barcode.clone().unwrap_or_default(),
        price: v.price,
        compare_at_price: v.compare_at_price,
        title: product_title.to_string(),
        options: v.selected_options.iter().map(|o| (o.name.clone(), o.value.clone())).collect(),
        updated_at: Some(v.updated_at),
    }
}

/// Every product (or those modified since `since`) with its variants. `on_page` hears the count
/// of variants read so far.
pub(crate) async fn read_bigcommerce(
    api: &dyn BigCommerceApi,
    since: Option<DateTime<Utc>>,
    mut on_page: impl FnMut(usize),
) -> Result<Read<BcVariantRow>, ApiError> {
    let mut read = Read::empty();
    let mut latest = None;
    let mut pages = api.products(ProductQuery { modified_since: since, ids: vec![], include_variants: true });
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ApiError::unavailable(format!("reading the BigCommerce catalog failed: {e}")))?;
        for p in &page {
            latest = later(latest, p.date_modified.map(|t| t.with_timezone(&Utc)));
            if p.inventory_tracking == "product" {
                read.tracked_by_product.push(p.id);
            }
            read.rows.extend(bigcommerce_rows(p));
        }
        on_page(read.rows.len());
    }
    read.cursor = overlap(latest);
    Ok(read)
}

/// The whole Shopify catalog through one bulk operation.
pub(crate) async fn read_shopify_full(
    api: &dyn ShopifyApi,
    mut on_product: impl FnMut(usize),
) -> Result<Read<ShVariantRow>, ApiError> {
    let mut read = Read::empty();
    let mut latest = None;
    let mut products = api.products_with_variants();
    while let Some(product) = products.next().await {
        let product = product.map_err(|e| ApiError::unavailable(format!("reading the Shopify catalog failed: {e}")))?;
        for v in &product.variants {
            latest = later(latest, Some(v.updated_at));
            let mut row = shopify_row(v, &product.title);
            // The bulk export nests variants under their product, so the product id comes from there.
            row.product_id = product.id.0.clone();
            read.rows.push(row);
        }
        on_product(read.rows.len());
    }
    read.cursor = overlap(latest);
    Ok(read)
}

/// Shopify variants updated after `since` (all of them when None), paged: cheaper than a bulk
/// export when few variants are read, since a bulk export always costs a start, polls and a download.
pub(crate) async fn read_shopify_paged(
    api: &dyn ShopifyApi,
    since: Option<DateTime<Utc>>,
    mut on_page: impl FnMut(usize),
) -> Result<Read<ShVariantRow>, ApiError> {
    let mut read = Read::empty();
    let mut latest = None;
    let mut pages = api.product_variants(VariantQuery { updated_since: since, product: None });
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| ApiError::unavailable(format!("reading Shopify variants failed: {e}")))?;
        for v in &page {
            latest = later(latest, Some(v.updated_at));
            read.rows.push(shopify_row(v, &v.product.title));
        }
        on_page(read.rows.len());
    }
    read.cursor = overlap(latest);
    Ok(read)
}

/// A BigCommerce row as the matcher reads it, borrowed: copying a whole catalog into matcher
/// inputs would take as much memory again as the snapshot itself.
#[derive(Clone, Copy)]
pub(crate) struct BcRowInput<'a>(&'a BcVariantRow);

impl BigCommerceVariant for BcRowInput<'_> {
    fn variant_id(&self) -> i64 {
        self.0.variant_id
    }
    fn sku(&self) -> &str {
        &self.0.sku
    }
    fn barcodes(&self) -> impl Iterator<Item = &str> {
        [self.0.upc.as_str(), self.0.gtin.as_str()].into_iter()
    }
    fn options(&self) -> &[(String, String)] {
        &self.0.options
    }
}

/// A Shopify row as the matcher reads it, borrowed (see [`BcRowInput`]).
#[derive(Clone, Copy)]
pub(crate) struct ShRowInput<'a>(&'a ShVariantRow);

impl ShopifyVariant for ShRowInput<'_> {
    fn variant_id(&self) -> &str {
        &self.0.variant_id
    }
    fn sku(&self) -> &str {
        &self.0.sku
    }
    fn barcode(&self) -> &str {
        &self.0.barcode
    }
    fn options(&self) -> &[(String, String)] {
        &self.0.options
    }
}

pub(crate) fn bigcommerce_input(r: &BcVariantRow) -> BcRowInput<'_> {
    BcRowInput(r)
}

pub(crate) fn shopify_input(r: &ShVariantRow) -> ShRowInput<'_> {
    ShRowInput(r)
}

/// A BigCommerce row in the planner's canonical terms (regular price, sale price, one barcode),
/// borrowed: the planner reads these as it goes, so no copy of the catalog is made for it.
pub(crate) fn bigcommerce_item(r: &BcVariantRow) -> BcItemRef<'_> {
    let (price, sale_price) = bigcommerce_prices(r.product_price, r.price, r.sale_price);
    BcItemRef {
        product_id: r.product_id,
        variant_id: r.variant_id,
        title: &r.title,
        sku: &r.sku,
        price,
        sale_price,
        barcode: bigcommerce_barcode_borrowed(&r.upc, &r.gtin),
    }
}

/// A Shopify row in the planner's canonical terms, borrowed (see [`bigcommerce_item`]).
pub(crate) fn shopify_item(r: &ShVariantRow) -> ShItemRef<'_> {
    let (price, sale_price) = shopify_prices(r.price, r.compare_at_price);
    ShItemRef {
        product_id: &r.product_id,
        variant_id: &r.variant_id,
        title: &r.title,
        sku: &r.sku,
        price,
        sale_price,
        barcode: &r.barcode,
    }
}

/// Rows as a delta read leaves them: the stored rows with the changed ones replaced or added.
pub(crate) fn merged<T: Clone, K: Ord + Clone>(stored: &[T], changed: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut by_key: std::collections::BTreeMap<K, T> = stored.iter().map(|r| (key(r), r.clone())).collect();
    for r in changed {
        by_key.insert(key(r), r.clone());
    }
    by_key.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_read_replaces_changed_rows_and_keeps_the_rest() {
        let stored = vec![(1, "a"), (2, "b"), (3, "c")];
        let changed = vec![(2, "B"), (4, "d")];
        let rows = merged(&stored, &changed, |r| r.0);
        assert_eq!(
            rows,
            vec![(1, "a"), (2, "B"), (3, "c"), (4, "d")],
            "changed rows win, untouched rows stay, new rows join"
        );
    }

    #[test]
    fn the_cursor_overlaps_by_a_second() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T10:00:05Z").unwrap().with_timezone(&Utc);
        assert_eq!(
            overlap(Some(t)).unwrap().to_rfc3339(),
            "2026-11-27T10:00:04+00:00",
            "edits in the same second as the last read are read again"
        );
        assert_eq!(overlap(None), None, "nothing read leaves no cursor, so the previous one stays");
    }
}
