//! Carrying out catalog jobs on a lane: pack the due units into one request, send it, and say what
//! became of each job.
//!
//! A request is one of: BigCommerce variants 50 to a `PUT`, product names 10 to a `PUT`, Shopify
//! variants one product to a `productVariantsBulkUpdate`, a Shopify title one `productUpdate`
//! ([`tillbridge_domain::catalog::batch`]). Each write is absolute, so a request repeated after a
//! lost answer leaves the store as one would.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use tillbridge_bigcommerce::ProductQuery;
use tillbridge_bigcommerce::models::Variant as BcVariant;
use tillbridge_domain::catalog::{BigCommerceVariantWrite, ShopifyVariantWrite};
use tillbridge_shopify::VariantQuery;
use tillbridge_shopify::models::Variant as ShVariant;

use tillbridge_bigcommerce::models::{ProductUpdate, VariantUpdate as BcVariantUpdate};
use tillbridge_domain::catalog::{CatalogRequest, CatalogWrite, batch};
use tillbridge_domain::work::{Lane, Work};
use tillbridge_shopify::gid::{ProductId, VariantId};
use tillbridge_shopify::{UserError, VariantUpdate as ShVariantUpdate, WriteOutcome};
use tillbridge_store::{Job, Settlement};
use tillbridge_transport::{ErrorClass, correlation};
use tokio_util::sync::CancellationToken;

use crate::clients::StoreClients;
use crate::runtime::lanes::{DueWork, Sent, claim, request_id, retry_or_give_up};
use crate::{ApiError, App};

/// What a store said to one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequestResult {
    Applied,
    /// Some items were refused, by item (a variant or product id, a variant GID), with the store's
    /// words. `others_applied` says whether the rest landed (BigCommerce's 207) or nothing did
    /// (Shopify refuses a request whole).
    Refused {
        items: BTreeMap<String, String>,
        others_applied: bool,
    },
    /// Nothing was applied; the same request may succeed later (a 5xx, a rate limit, a timeout).
    Retry {
        reason: String,
    },
    /// Nothing was applied, and repeating it changes nothing until a person acts.
    RefusedWhole {
        reason: String,
    },
}

/// The item a unit writes, as the stores name it in a refusal.
fn item_of(unit: &CatalogWrite) -> String {
    match unit {
        CatalogWrite::ShopifyVariant { variant, .. } => variant.variant_id.clone(),
        CatalogWrite::ShopifyTitle { product_id, .. } => product_id.clone(),
        CatalogWrite::BigCommerceVariant { variant, .. } => variant.variant_id.to_string(),
        CatalogWrite::BigCommerceName { product_id, .. } => product_id.to_string(),
    }
}

/// Sends the next request of `lane` from its due catalog jobs, and settles the jobs it carried.
/// None when another process took the jobs first.
pub(crate) async fn send_next(
    app: &App,
    lane: Lane,
    due: DueWork,
    cancel: &CancellationToken,
) -> Result<Option<Sent>, ApiError> {
    let due: Vec<(Job, CatalogWrite)> = due
        .into_iter()
        .filter_map(|(job, work)| match work {
            Work::CatalogWrite(w) => Some((job, w)),
            _ => None,
        })
        .collect();
    let units: Vec<CatalogWrite> = due.iter().map(|(_, w)| w.clone()).collect();
    let Some(first) = batch(&units).into_iter().next() else { return Ok(None) };
    let chosen: Vec<&Job> = first.units.iter().map(|&i| &due[i].0).collect();
    let claimed = claim(app, &chosen).await?;
    if claimed.is_empty() {
        return Ok(None);
    }
    let unit_of = |job: &Job| due.iter().find(|(j, _)| j.id == job.id).map(|(_, w)| w.clone());
    let mut settlements = Vec::new();
    // A run cancelled after the lane read its due jobs has had them cancelled in the queue, so
    // claiming found them gone; what was claimed goes out.
    let go = claimed;
    let Some(lead) = go.first() else { return Ok(None) };
    let request_id = request_id(lead);
    let started_at = app.now();
    let mut go_units: Vec<(Job, CatalogWrite)> = go.iter().filter_map(|j| unit_of(j).map(|u| (j.clone(), u))).collect();
    // Jobs taken back from a process that died with their request in flight: the store may have
    // applied them already. One read says which, and those are not written a second time.
    if go_units.iter().any(|(j, _)| j.in_doubt)
        && let Ok(clients) = app.shared_clients().await
    {
        let landed = correlation::scope(request_id.clone(), already_applied(&clients, &go_units)).await;
        go_units.retain(|(job, _)| {
            let applied = landed.contains(&job.id);
            if applied {
                settlements.push((job.id, Settlement::AlreadyApplied));
            }
            !applied
        });
        if go_units.is_empty() {
            return Ok(Some(Sent { request_id, started_at, settlements }));
        }
    }
    let packed: Vec<CatalogWrite> = go_units.iter().map(|(_, u)| u.clone()).collect();
    // A subset of one request's units packs into one request.
    let Some(request) = batch(&packed).into_iter().next().map(|b| b.request) else {
        return Ok(Some(Sent { request_id, started_at, settlements }));
    };
    if cancel.is_cancelled() {
        tracing::debug!(lane = lane.as_str(), "shutting down with a request ready; it goes out first");
    }
    let result = match app.shared_clients().await {
        Ok(clients) => correlation::scope(request_id.clone(), apply(&clients, &request)).await,
        Err(e) => RequestResult::Retry { reason: e.message },
    };
    for (job, unit) in &go_units {
        let settlement = match &result {
            RequestResult::Applied => Settlement::Done,
            RequestResult::Retry { reason } => retry_or_give_up(app, job, reason),
            RequestResult::RefusedWhole { reason } => Settlement::Dead { error: reason.clone() },
            RequestResult::Refused { items, others_applied } => match items.get(&item_of(unit)) {
                Some(why) => Settlement::Dead { error: why.clone() },
                None if *others_applied => Settlement::Done,
                // Refused only because it shared a request with a refused item: it goes out again
                // without it, at once.
                None => Settlement::RetryAt {
                    at: app.now(),
                    error: "sent together with an item the store refused; sent again without it".into(),
                },
            },
        };
        settlements.push((job.id, settlement));
    }
    Ok(Some(Sent { request_id, started_at, settlements }))
}

/// Which of the in-doubt `units` the store already holds, field for field. A read that fails proves
/// nothing, so those units are written again (the writes are absolute: a repeat is harmless).
async fn already_applied(clients: &StoreClients, units: &[(Job, CatalogWrite)]) -> HashSet<i64> {
    let mut landed = HashSet::new();
    let doubtful = || units.iter().filter(|(j, _)| j.in_doubt);
    let shopify_products: BTreeSet<&str> = doubtful()
        .filter_map(|(_, u)| match u {
            CatalogWrite::ShopifyVariant { product_id, .. } => Some(product_id.as_str()),
            _ => None,
        })
        .collect();
    for product in shopify_products {
        let query = VariantQuery { updated_since: None, product: Some(ProductId(product.to_string())) };
        let Ok(pages) = clients.shopify.product_variants(query).try_collect::<Vec<_>>().await else { continue };
        let now: HashMap<&str, &ShVariant> = pages.iter().flatten().map(|v| (v.id.0.as_str(), v)).collect();
        for (job, unit) in doubtful() {
            if let CatalogWrite::ShopifyVariant { variant, .. } = unit
                && now.get(variant.variant_id.as_str()).is_some_and(|v| shopify_holds(v, variant))
            {
                landed.insert(job.id);
            }
        }
    }
    let bigcommerce_products: Vec<i64> = doubtful()
        .filter_map(|(_, u)| match u {
            CatalogWrite::BigCommerceVariant { variant, .. } => Some(variant.product_id),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !bigcommerce_products.is_empty() {
        let query = ProductQuery { ids: bigcommerce_products, include_variants: true, ..ProductQuery::default() };
        if let Ok(pages) = clients.bigcommerce.products(query).try_collect::<Vec<_>>().await {
            let now: HashMap<i64, &BcVariant> =
                pages.iter().flatten().flat_map(|p| &p.variants).map(|v| (v.id, v)).collect();
            for (job, unit) in doubtful() {
                if let CatalogWrite::BigCommerceVariant { variant, .. } = unit
                    && now.get(&variant.variant_id).is_some_and(|v| bigcommerce_holds(v, variant))
                {
                    landed.insert(job.id);
                }
            }
        }
    }
    landed
}

/// Whether the Shopify variant has every value the write sets.
fn shopify_holds(now: &ShVariant, write: &ShopifyVariantWrite) -> bool {
    write.price.is_none_or(|p| p == now.price)
        && write.compare_at_price.is_none_or(|c| c == now.compare_at_price)
        && write.barcode.as_ref().is_none_or(|b| b.as_deref().filter(|b| !b.is_empty()) == now.barcode.as_deref())
        && write.sku.as_ref().is_none_or(|s| Some(s.as_str()).filter(|s| !s.is_empty()) == now.sku.as_deref())
}

/// Whether the BigCommerce variant has every value the write sets (a sale price of 0 is "no sale").
fn bigcommerce_holds(now: &BcVariant, write: &BigCommerceVariantWrite) -> bool {
    let sale = |p: Option<Decimal>| p.filter(|p| !p.is_zero());
    write.price.is_none_or(|p| Some(p) == now.price)
        && write.sale_price.is_none_or(|p| sale(Some(p)) == sale(now.sale_price))
        && write.sku.as_ref().is_none_or(|s| *s == now.sku)
        && write.upc.as_ref().is_none_or(|u| *u == now.upc)
        && write.gtin.as_ref().is_none_or(|g| *g == now.gtin)
}

fn from_class(class: ErrorClass, reason: String) -> RequestResult {
    match class {
        ErrorClass::Retryable => RequestResult::Retry { reason },
        ErrorClass::Permanent => RequestResult::RefusedWhole { reason },
    }
}

/// Sends one request.
pub(crate) async fn apply(clients: &StoreClients, request: &CatalogRequest) -> RequestResult {
    match request {
        CatalogRequest::BigCommerceVariants { variants } => {
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
            batch_result(clients.bigcommerce.update_variants(&updates).await, "variant")
        }
        CatalogRequest::BigCommerceProductNames { products } => {
            let updates: Vec<ProductUpdate> = products
                .iter()
                .map(|p| ProductUpdate { id: p.product_id, name: Some(p.name.clone()), ..Default::default() })
                .collect();
            batch_result(clients.bigcommerce.update_products(&updates).await, "product")
        }
        CatalogRequest::ShopifyVariants { product_id, variants } => {
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
            let ids: Vec<&str> = variants.iter().map(|v| v.variant_id.as_str()).collect();
            match clients.shopify.update_variants(&ProductId(product_id.clone()), &updates).await {
                Ok(WriteOutcome::Applied(_)) => RequestResult::Applied,
                Ok(WriteOutcome::Refused(errors)) => refused_by_shopify(&errors, &ids),
                Err(e) => from_class(e.class(), e.to_string()),
            }
        }
        CatalogRequest::ShopifyProductTitle { product_id, title } => {
            match clients.shopify.update_product_title(&ProductId(product_id.clone()), title).await {
                Ok(WriteOutcome::Applied(_)) => RequestResult::Applied,
                Ok(WriteOutcome::Refused(errors)) => refused_by_shopify(&errors, &[product_id.as_str()]),
                Err(e) => from_class(e.class(), e.to_string()),
            }
        }
    }
}

/// What a BigCommerce batch came to: applied, refused item by item (the rest applied), or failed whole.
fn batch_result(
    outcome: Result<tillbridge_bigcommerce::BatchOutcome, tillbridge_bigcommerce::BcError>,
    noun: &str,
) -> RequestResult {
    match outcome {
        Ok(outcome) if outcome.failed.is_empty() => RequestResult::Applied,
        Ok(outcome) => RequestResult::Refused {
            items: outcome
                .failed
                .into_iter()
                .map(|(id, why)| (id.to_string(), format!("{noun} {id}: {why}")))
                .collect(),
            others_applied: true,
        },
        Err(e) => from_class(e.class(), e.to_string()),
    }
}

/// Shopify refuses a request whole. When its errors point at entries of the request's list
/// (`["variants", "1", "barcode"]`), only those items are to blame and the others go again; a
/// refusal whose every reason passes by itself is retried; anything else needs a person.
fn refused_by_shopify(errors: &[UserError], items: &[&str]) -> RequestResult {
    let reason = |e: &UserError| format!("{} ({})", e.message, e.next_step());
    if !errors.is_empty() && errors.iter().all(|e| e.class() == ErrorClass::Retryable) {
        return RequestResult::Retry { reason: errors.iter().map(reason).collect::<Vec<_>>().join("; ") };
    }
    let blamed: Option<BTreeMap<String, String>> = errors
        .iter()
        .map(|e| {
            let index = e.field.iter().skip_while(|f| *f != "variants").nth(1)?.parse::<usize>().ok()?;
            Some((items.get(index)?.to_string(), reason(e)))
        })
        .collect();
    match blamed {
        Some(items) if !items.is_empty() => RequestResult::Refused { items, others_applied: false },
        _ => {
            let text = errors.iter().map(reason).collect::<Vec<_>>().join("; ");
            RequestResult::RefusedWhole {
                reason: if text.is_empty() { "Shopify refused the write without a reason".into() } else { text },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tillbridge_bigcommerce::{BatchOutcome, BcError};
    use tillbridge_shopify::UserErrorCode;

    use super::*;

    #[test]
    fn a_bigcommerce_batch_refused_in_part_blames_only_the_refused_items() {
        let outcome = BatchOutcome { applied: vec![1, 3], failed: [(2, "name is taken".to_string())].into() };
        assert_eq!(
            batch_result(Ok(outcome), "product"),
            RequestResult::Refused {
                items: [("2".to_string(), "product 2: name is taken".to_string())].into(),
                others_applied: true
            },
            "the reason names the item and what the store said; the rest landed"
        );
        let server = BcError::Server { endpoint: "/v3/catalog/products".into(), status: 503, attempts: 3 };
        assert!(matches!(batch_result(Err(server), "product"), RequestResult::Retry { .. }), "a 5xx may pass");
        assert!(
            matches!(batch_result(Err(BcError::Unauthorized), "product"), RequestResult::RefusedWhole { .. }),
            "a bad token needs a person"
        );
    }

    #[test]
    fn a_shopify_refusal_pointing_at_one_variant_blames_that_variant_only() {
        let error = UserError {
            code: UserErrorCode::Other("INVALID".into()),
            field: vec!["variants".into(), "1".into(), "barcode".into()],
            message: "Barcode has already been taken".into(),
        };
        match refused_by_shopify(&[error], &["gid://a", "gid://b"]) {
            RequestResult::Refused { items, others_applied } => {
                assert_eq!(items.keys().collect::<Vec<_>>(), ["gid://b"], "the second variant is to blame");
                assert!(!others_applied, "Shopify applied nothing, so the first goes again");
            }
            other => panic!("expected a refusal of one item, got {other:?}"),
        }
        let whole = UserError { code: UserErrorCode::Unspecified, field: vec![], message: "Product is locked".into() };
        assert!(
            matches!(refused_by_shopify(&[whole], &["gid://a"]), RequestResult::RefusedWhole { .. }),
            "a reason that names no variant refuses the request whole"
        );
    }
}
