//! Variants: paged reads (whole catalog or changes since a time) and per-product updates.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::Stream;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::{ProductId, VariantId};
use crate::models::Variant;
use crate::paging::{Connection, cursor_pages};
use crate::user_errors::{UserError, WriteOutcome};

/// Variants per page. A variant costs 4 points here (itself, its options, its inventory item,
/// its product), so 200 keep a page at 802, under Shopify's 1,000-point ceiling per query.
pub const VARIANTS_PER_PAGE: u32 = 200;

pub const PRODUCT_VARIANTS: Operation = Operation {
    name: "TillbridgeProductVariants",
    document: r#"query TillbridgeProductVariants($after: String, $query: String) {
  productVariants(first: 200, after: $after, query: $query, sortKey: ID) {
    nodes {
      id sku barcode price compareAtPrice updatedAt
      selectedOptions { name value }
      inventoryItem { id }
      product { id title }
    }
    pageInfo { hasNextPage endCursor }
  }
}"#,
    estimated_cost: 2 + VARIANTS_PER_PAGE * 4,
};

/// Shopify's limit on input arrays (api-facts §2.2).
pub const MAX_INPUT_ITEMS: usize = 250;

pub const PRODUCT_VARIANTS_BULK_UPDATE: Operation = Operation {
    name: "TillbridgeProductVariantsBulkUpdate",
    document: r#"mutation TillbridgeProductVariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: false) {
    productVariants {
      id sku barcode price compareAtPrice updatedAt
      selectedOptions { name value }
      inventoryItem { id }
      product { id title }
    }
    userErrors { field message code }
  }
}"#,
    estimated_cost: 10,
};

pub const PRODUCT_TITLE_UPDATE: Operation = Operation {
    name: "TillbridgeProductTitleUpdate",
    document: r#"mutation TillbridgeProductTitleUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id title }
    userErrors { field message }
  }
}"#,
    estimated_cost: 10,
};

/// Which variants to read.
#[derive(Debug, Clone, Default)]
pub struct VariantQuery {
    /// Only variants updated after this time (`updated_at:>'…'`), for delta reads.
    pub updated_since: Option<DateTime<Utc>>,
    /// Only the variants of this product (`product_id:…`), to check what one write left.
    pub product: Option<crate::gid::ProductId>,
}

impl VariantQuery {
    fn search(&self) -> Option<String> {
        let mut terms = Vec::new();
        if let Some(t) = self.updated_since {
            terms.push(format!("updated_at:>'{}'", t.to_rfc3339_opts(SecondsFormat::Secs, true)));
        }
        if let Some(p) = &self.product {
            terms.push(format!("product_id:{}", p.0.rsplit('/').next().unwrap_or(&p.0)));
        }
        (!terms.is_empty()).then(|| terms.join(" AND "))
    }
}

/// Changes to one variant. `None` leaves a field as it is; for the clearable fields
/// `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantUpdate {
    pub id: VariantId,
    pub price: Option<Decimal>,
    pub compare_at_price: Option<Option<Decimal>>,
    pub barcode: Option<Option<String>>,
    pub sku: Option<String>,
}

impl VariantUpdate {
    /// An update that changes nothing yet.
    pub fn new(id: VariantId) -> VariantUpdate {
        VariantUpdate { id, price: None, compare_at_price: None, barcode: None, sku: None }
    }

    /// The `ProductVariantsBulkInput` this update is sent as (also what a dry run shows).
    pub fn to_input(&self) -> serde_json::Value {
        serde_json::to_value(VariantInput::from(self)).unwrap_or_default()
    }
}

/// `ProductVariantsBulkInput`: the SKU lives on the inventory item.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VariantInput<'a> {
    id: &'a VariantId,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compare_at_price: Option<Option<Decimal>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    barcode: &'a Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inventory_item: Option<serde_json::Value>,
}

impl<'a> From<&'a VariantUpdate> for VariantInput<'a> {
    fn from(u: &'a VariantUpdate) -> VariantInput<'a> {
        VariantInput {
            id: &u.id,
            price: u.price,
            compare_at_price: u.compare_at_price,
            barcode: &u.barcode,
            inventory_item: u.sku.as_ref().map(|sku| json!({ "sku": sku })),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantsPage {
    product_variants: Connection<Variant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkUpdateData {
    product_variants_bulk_update: Option<BulkUpdatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitleUpdateData {
    product_update: Option<TitleUpdatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitleUpdatePayload {
    product: Option<ProductTitle>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct ProductTitle {
    title: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BulkUpdatePayload {
    product_variants: Option<Vec<Variant>>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

impl ShopifyClient {
    /// Streams every variant matching `q`, 200 a page, in id order.
    pub fn product_variants(
        &self,
        q: VariantQuery,
    ) -> impl Stream<Item = Result<Vec<Variant>, ShopifyError>> + Send + 'static + use<> {
        let search = q.search();
        cursor_pages(
            self.clone(),
            &PRODUCT_VARIANTS,
            move |after| json!({ "after": after, "query": search }),
            |page: VariantsPage| Ok((page.product_variants.nodes, page.product_variants.page_info)),
        )
    }

    /// Updates variants of one product in one call, all or nothing. Shopify takes one product
    /// per call and at most 250 variants; larger lists are refused before sending.
    pub async fn update_variants(
        &self,
        product: &ProductId,
        updates: &[VariantUpdate],
    ) -> Result<WriteOutcome<Vec<Variant>>, ShopifyError> {
        if updates.len() > MAX_INPUT_ITEMS {
            return Err(ShopifyError::Rejected {
                operation: PRODUCT_VARIANTS_BULK_UPDATE.name.into(),
                message: format!(
                    "{} variants in one call; Shopify takes at most {MAX_INPUT_ITEMS}: split the update",
                    updates.len()
                ),
            });
        }
        let variants: Vec<serde_json::Value> = updates.iter().map(VariantUpdate::to_input).collect();
        let data: BulkUpdateData =
            self.execute(&PRODUCT_VARIANTS_BULK_UPDATE, &json!({ "productId": product, "variants": variants })).await?;
        let payload = data
            .product_variants_bulk_update
            .unwrap_or(BulkUpdatePayload { product_variants: None, user_errors: vec![] });
        Ok(WriteOutcome::from_payload(payload.product_variants, payload.user_errors, PRODUCT_VARIANTS_BULK_UPDATE.name))
    }

    /// Renames a product; the title lives on the product, not on its variants.
    pub async fn update_product_title(
        &self,
        product: &ProductId,
        title: &str,
    ) -> Result<WriteOutcome<String>, ShopifyError> {
        let data: TitleUpdateData =
            self.execute(&PRODUCT_TITLE_UPDATE, &json!({ "product": { "id": product, "title": title } })).await?;
        let payload = data.product_update.unwrap_or(TitleUpdatePayload { product: None, user_errors: vec![] });
        Ok(WriteOutcome::from_payload(payload.product.map(|p| p.title), payload.user_errors, PRODUCT_TITLE_UPDATE.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_send_only_what_changes_and_null_only_to_clear() {
        let u = VariantUpdate {
            price: Some(Decimal::new(1999, 2)),
            compare_at_price: Some(None),
            sku: Some("TEE-S".into()),
            ..VariantUpdate::new(VariantId::from_number(1))
        };
        let v = u.to_input();
        assert_eq!(v["price"], "19.99", "money goes as a decimal string, never a float");
        assert!(
            v["compareAtPrice"].is_null() && v.get("compareAtPrice").is_some(),
            "Some(None) clears the field with an explicit null"
        );
        assert!(v.get("barcode").is_none(), "an untouched field is left out, so Shopify keeps it");
        assert_eq!(v["inventoryItem"]["sku"], "TEE-S", "the SKU is written on the inventory item");
    }

    #[test]
    fn delta_reads_ask_for_changes_after_the_time_in_shopify_search_syntax() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        let q = VariantQuery { updated_since: Some(t), product: None };
        assert_eq!(q.search().as_deref(), Some("updated_at:>'2026-03-01T12:00:00Z'"), "the documented filter form");
        assert_eq!(VariantQuery::default().search(), None, "no filter reads everything");
        let one = VariantQuery {
            updated_since: None,
            product: Some(crate::gid::ProductId("gid://shopify/Product/42".into())),
        };
        assert_eq!(one.search().as_deref(), Some("product_id:42"), "one product's variants, by its numeric id");
    }
}
