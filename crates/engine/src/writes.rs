//! Carrying out one planned product write against a store, and saying what became of it.
//!
//! Each write is one request: BigCommerce variants 50 to a `PUT`, product names 10 to a `PUT`,
//! Shopify variants one product to a `productVariantsBulkUpdate`, a Shopify title one
//! `productUpdate`. The outcome tells the queue whether to finish, retry, or narrow the write to
//! the items that failed and hand those to a person.

use tillbridge_bigcommerce::models::{ProductUpdate, VariantUpdate as BcVariantUpdate};
use tillbridge_domain::sync::Write;
use tillbridge_shopify::gid::{ProductId, VariantId};
use tillbridge_shopify::{VariantUpdate as ShVariantUpdate, WriteOutcome};
use tillbridge_transport::ErrorClass;

use crate::clients::StoreClients;

/// What became of a write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WriteResult {
    Applied,
    /// Some items of a batch were refused for good; the rest were applied. `remaining` is the
    /// write narrowed to the refused items, kept for a person to fix and replay.
    PartlyRefused {
        remaining: Write,
        reason: String,
    },
    /// Nothing was applied; the same write may succeed later (a 5xx, a rate limit, a timeout).
    Retry {
        reason: String,
    },
    /// Nothing was applied and repeating it changes nothing until a person acts.
    Refused {
        reason: String,
    },
}

fn from_class(class: ErrorClass, reason: String) -> WriteResult {
    match class {
        ErrorClass::Retryable => WriteResult::Retry { reason },
        ErrorClass::Permanent => WriteResult::Refused { reason },
    }
}

/// The store a write goes to, for pacing estimates and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    BigCommerce,
    Shopify,
}

pub(crate) fn target(write: &Write) -> Target {
    match write {
        Write::BigCommerceVariants { .. } | Write::BigCommerceProductNames { .. } => Target::BigCommerce,
        Write::ShopifyVariants { .. } | Write::ShopifyProductTitle { .. } => Target::Shopify,
    }
}

pub(crate) async fn apply(clients: &StoreClients, write: &Write) -> WriteResult {
    match write {
        Write::BigCommerceVariants { variants } => {
            let updates: Vec<BcVariantUpdate> = variants
                .iter()
                .map(|v| BcVariantUpdate {
                    id: v.variant_id,
                    price: v.price,
                    sale_price: v.sale_price,
                    sku: v.sku.clone(),
                    upc: v.upc.clone(),
                    gtin: v.gtin.clone(),
                })
                .collect();
            let outcome = clients.bigcommerce.update_variants(&updates).await;
            batch_result(
                outcome,
                "variant",
                variants,
                |v| v.variant_id,
                |variants| Write::BigCommerceVariants { variants },
            )
        }
        Write::BigCommerceProductNames { products } => {
            let updates: Vec<ProductUpdate> = products
                .iter()
                .map(|p| ProductUpdate { id: p.product_id, name: Some(p.name.clone()), ..Default::default() })
                .collect();
            let outcome = clients.bigcommerce.update_products(&updates).await;
            batch_result(
                outcome,
                "product",
                products,
                |p| p.product_id,
                |products| Write::BigCommerceProductNames { products },
            )
        }
        Write::ShopifyVariants { product_id, variants } => {
            let updates: Vec<ShVariantUpdate> = variants
                .iter()
                .map(|v| ShVariantUpdate {
                    price: v.price,
                    compare_at_price: v.compare_at_price,
                    barcode: v.barcode.clone(),
                    sku: v.sku.clone(),
                    ..ShVariantUpdate::new(VariantId(v.variant_id.clone()))
                })
                .collect();
            match clients.shopify.update_variants(&ProductId(product_id.clone()), &updates).await {
                Ok(WriteOutcome::Applied(_)) => WriteResult::Applied,
                Ok(WriteOutcome::Refused(errors)) => refused_by_shopify(&errors),
                Err(e) => from_class(e.class(), e.to_string()),
            }
        }
        Write::ShopifyProductTitle { product_id, title } => {
            match clients.shopify.update_product_title(&ProductId(product_id.clone()), title).await {
                Ok(WriteOutcome::Applied(_)) => WriteResult::Applied,
                Ok(WriteOutcome::Refused(errors)) => refused_by_shopify(&errors),
                Err(e) => from_class(e.class(), e.to_string()),
            }
        }
    }
}

/// What a BigCommerce batch came to: applied, refused in part (the write narrowed to the refused
/// items, rebuilt by `narrowed`), or failed whole.
fn batch_result<T: Clone>(
    outcome: Result<tillbridge_bigcommerce::BatchOutcome, tillbridge_bigcommerce::BcError>,
    noun: &str,
    items: &[T],
    id_of: impl Fn(&T) -> i64,
    narrowed: impl FnOnce(Vec<T>) -> Write,
) -> WriteResult {
    match outcome {
        Ok(outcome) if outcome.failed.is_empty() => WriteResult::Applied,
        Ok(outcome) => {
            let reason =
                outcome.failed.iter().map(|(id, why)| format!("{noun} {id}: {why}")).collect::<Vec<_>>().join("; ");
            let remaining = items.iter().filter(|i| outcome.failed.contains_key(&id_of(i))).cloned().collect();
            WriteResult::PartlyRefused { remaining: narrowed(remaining), reason }
        }
        Err(e) => from_class(e.class(), e.to_string()),
    }
}

/// A refusal is retried only when every reason Shopify gave is one that passes by itself.
fn refused_by_shopify(errors: &[tillbridge_shopify::UserError]) -> WriteResult {
    let reason = errors.iter().map(|e| format!("{} ({})", e.message, e.next_step())).collect::<Vec<_>>().join("; ");
    let reason = if reason.is_empty() { "Shopify refused the write without a reason".to_string() } else { reason };
    if !errors.is_empty() && errors.iter().all(|e| e.class() == ErrorClass::Retryable) {
        WriteResult::Retry { reason }
    } else {
        WriteResult::Refused { reason }
    }
}

#[cfg(test)]
mod tests {
    use tillbridge_bigcommerce::{BatchOutcome, BcError};
    use tillbridge_domain::sync::BigCommerceNameWrite;

    use super::*;

    fn names(ids: &[i64]) -> Vec<BigCommerceNameWrite> {
        ids.iter().map(|&product_id| BigCommerceNameWrite { product_id, name: format!("P{product_id}") }).collect()
    }

    fn result(outcome: Result<BatchOutcome, BcError>) -> WriteResult {
        batch_result(
            outcome,
            "product",
            &names(&[1, 2, 3]),
            |p| p.product_id,
            |products| Write::BigCommerceProductNames { products },
        )
    }

    #[test]
    fn a_batch_refused_in_part_keeps_only_the_refused_items_with_their_reasons() {
        let outcome = BatchOutcome { applied: vec![1, 3], failed: [(2, "name is taken".to_string())].into() };
        match result(Ok(outcome)) {
            WriteResult::PartlyRefused { remaining, reason } => {
                assert_eq!(remaining, Write::BigCommerceProductNames { products: names(&[2]) }, "only product 2 waits");
                assert_eq!(reason, "product 2: name is taken", "the reason names the item and what the store said");
            }
            other => panic!("a 207 with one failure is a partial refusal, not {other:?}"),
        }
        assert_eq!(
            result(Ok(BatchOutcome { applied: vec![1, 2, 3], failed: Default::default() })),
            WriteResult::Applied,
            "all applied"
        );
    }

    #[test]
    fn a_batch_that_failed_whole_is_retried_or_refused_by_the_error_class() {
        let server = BcError::Server { endpoint: "/v3/catalog/products".into(), status: 503, attempts: 6 };
        assert!(matches!(result(Err(server)), WriteResult::Retry { .. }), "a 5xx may pass: the queue retries it");
        assert!(
            matches!(result(Err(BcError::Unauthorized)), WriteResult::Refused { .. }),
            "a bad token needs a person"
        );
    }
}
