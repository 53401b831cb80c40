//! What the engine needs from a Shopify shop, as a trait: the real client implements it over
//! GraphQL, and [`MemoryShopify`] in memory, so engine logic can be tested without a network.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};

use crate::gid::{InventoryItemId, InventoryLevelId, LocationId, OrderId, ProductId, WebhookSubscriptionId};
use crate::models::{
    InventoryAdjustment, InventoryChange, InventoryLevel, Location, PosOrder, ProductWithVariants, Quantities,
    QuantityName, Refund, Variant,
};
use crate::ops::webhooks::{WebhookSubscription, WebhookTopic};
use crate::{
    BulkRunner, IdempotencyKey, NewRefund, SetQuantities, ShopIdentity, ShopifyClient, ShopifyError, UserError,
    UserErrorCode, VariantQuery, VariantUpdate, WriteOutcome,
};

pub trait ShopifyApi: Send + Sync + std::fmt::Debug {
    fn verify(&self) -> BoxFuture<'_, Result<ShopIdentity, ShopifyError>>;
    fn locations(&self) -> BoxStream<'static, Result<Vec<Location>, ShopifyError>>;
    fn product_variants(&self, q: VariantQuery) -> BoxStream<'static, Result<Vec<Variant>, ShopifyError>>;
    /// The whole catalog through one bulk operation (run, poll, download): the full snapshot.
    fn products_with_variants(&self) -> BoxStream<'static, Result<ProductWithVariants, ShopifyError>>;
    fn update_product_title<'a>(
        &'a self,
        product: &'a ProductId,
        title: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<String>, ShopifyError>>;
    fn update_variants<'a>(
        &'a self,
        product: &'a ProductId,
        updates: &'a [VariantUpdate],
    ) -> BoxFuture<'a, Result<WriteOutcome<Vec<Variant>>, ShopifyError>>;
    fn set_quantities<'a>(
        &'a self,
        input: &'a SetQuantities,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryAdjustment>, ShopifyError>>;
    /// Every level stocked at `location`: one location's stock snapshot.
    fn inventory_levels_at(
        &self,
        location: &LocationId,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>>;
    /// The levels at `location` updated at or after `since`'s whole second: a stock poll's read.
    fn inventory_levels_changed_at(
        &self,
        location: &LocationId,
        since: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>>;
    /// Every level of these items, read directly by id: the check of writes whose answer was lost.
    fn inventory_levels_for_items<'a>(
        &'a self,
        items: &'a [InventoryItemId],
    ) -> BoxFuture<'a, Result<Vec<InventoryLevel>, ShopifyError>>;
    /// Stocks an item at a location (the answer to `ITEM_NOT_STOCKED_AT_LOCATION`).
    fn activate_inventory<'a>(
        &'a self,
        item: &'a InventoryItemId,
        location: &'a LocationId,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryLevel>, ShopifyError>>;
    fn pos_orders(&self, since: Option<DateTime<Utc>>) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>>;
    /// POS orders, and the online store's when `include_web`; a shop double holds POS orders only.
    fn sale_orders(
        &self,
        since: Option<DateTime<Utc>>,
        include_web: bool,
    ) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>> {
        if include_web {
            let refused = ShopifyError::Rejected {
                operation: "orders".into(),
                message: "this shop double holds no online-store orders; use the emulated shop".into(),
            };
            return futures_util::stream::iter([Err(refused)]).boxed();
        }
        self.pos_orders(since)
    }
    /// One order as it is now; None when the shop has no such order. A shop double that holds no
    /// orders answers that it cannot, so the POS order flow is tested against the emulator.
    fn order<'a>(&'a self, _id: &'a OrderId) -> BoxFuture<'a, Result<Option<PosOrder>, ShopifyError>> {
        async {
            Err(ShopifyError::Rejected {
                operation: "order".into(),
                message: "this shop double holds no orders; run the POS order flow against the emulated shop".into(),
            })
        }
        .boxed()
    }
    fn create_refund<'a>(
        &'a self,
        refund: &'a NewRefund,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<Refund>, ShopifyError>>;
    /// See [`ShopifyClient::subscribe_webhook`]. A shop double holds no subscriptions.
    fn subscribe_webhook<'a>(
        &'a self,
        _topic: WebhookTopic,
        _uri: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<WebhookSubscription>, ShopifyError>> {
        async { Err(no_webhooks()) }.boxed()
    }
    fn delete_webhook<'a>(
        &'a self,
        _id: &'a WebhookSubscriptionId,
    ) -> BoxFuture<'a, Result<WriteOutcome<WebhookSubscriptionId>, ShopifyError>> {
        async { Err(no_webhooks()) }.boxed()
    }
}

fn no_webhooks() -> ShopifyError {
    ShopifyError::Rejected {
        operation: "webhooks".into(),
        message: "this shop double holds no webhook subscriptions; register them against the emulated shop".into(),
    }
}

impl ShopifyApi for ShopifyClient {
    fn subscribe_webhook<'a>(
        &'a self,
        topic: WebhookTopic,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<WebhookSubscription>, ShopifyError>> {
        ShopifyClient::subscribe_webhook(self, topic, uri).boxed()
    }
    fn delete_webhook<'a>(
        &'a self,
        id: &'a WebhookSubscriptionId,
    ) -> BoxFuture<'a, Result<WriteOutcome<WebhookSubscriptionId>, ShopifyError>> {
        ShopifyClient::delete_webhook(self, id).boxed()
    }
    fn verify(&self) -> BoxFuture<'_, Result<ShopIdentity, ShopifyError>> {
        ShopifyClient::verify(self).boxed()
    }
    fn locations(&self) -> BoxStream<'static, Result<Vec<Location>, ShopifyError>> {
        ShopifyClient::locations(self).boxed()
    }
    fn product_variants(&self, q: VariantQuery) -> BoxStream<'static, Result<Vec<Variant>, ShopifyError>> {
        ShopifyClient::product_variants(self, q).boxed()
    }
    fn products_with_variants(&self) -> BoxStream<'static, Result<ProductWithVariants, ShopifyError>> {
        BulkRunner::new(self).products_with_variants().boxed()
    }
    fn update_product_title<'a>(
        &'a self,
        product: &'a ProductId,
        title: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<String>, ShopifyError>> {
        ShopifyClient::update_product_title(self, product, title).boxed()
    }
    fn update_variants<'a>(
        &'a self,
        product: &'a ProductId,
        updates: &'a [VariantUpdate],
    ) -> BoxFuture<'a, Result<WriteOutcome<Vec<Variant>>, ShopifyError>> {
        ShopifyClient::update_variants(self, product, updates).boxed()
    }
    fn set_quantities<'a>(
        &'a self,
        input: &'a SetQuantities,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryAdjustment>, ShopifyError>> {
        ShopifyClient::set_quantities(self, input, key).boxed()
    }
    fn inventory_levels_at(
        &self,
        location: &LocationId,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        ShopifyClient::inventory_levels_at(self, location).boxed()
    }
    fn inventory_levels_changed_at(
        &self,
        location: &LocationId,
        since: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        ShopifyClient::inventory_levels_changed_at(self, location, since).boxed()
    }
    fn inventory_levels_for_items<'a>(
        &'a self,
        items: &'a [InventoryItemId],
    ) -> BoxFuture<'a, Result<Vec<InventoryLevel>, ShopifyError>> {
        ShopifyClient::inventory_levels_for_items(self, items).boxed()
    }
    fn activate_inventory<'a>(
        &'a self,
        item: &'a InventoryItemId,
        location: &'a LocationId,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryLevel>, ShopifyError>> {
        ShopifyClient::activate_inventory(self, item, location).boxed()
    }
    fn pos_orders(&self, since: Option<DateTime<Utc>>) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>> {
        ShopifyClient::pos_orders(self, since).boxed()
    }
    fn order<'a>(&'a self, id: &'a OrderId) -> BoxFuture<'a, Result<Option<PosOrder>, ShopifyError>> {
        ShopifyClient::order(self, id).boxed()
    }
    fn sale_orders(
        &self,
        since: Option<DateTime<Utc>>,
        include_web: bool,
    ) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>> {
        ShopifyClient::sale_orders(self, since, include_web).boxed()
    }
    fn create_refund<'a>(
        &'a self,
        refund: &'a NewRefund,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<Refund>, ShopifyError>> {
        ShopifyClient::create_refund(self, refund, key).boxed()
    }
}

/// A Shopify shop held in memory, keeping the rules the engine relies on: compare-and-swap on
/// `changeFromQuantity` and one application per idempotency key. `refusal`, when set, is how the
/// shop answers every call (a bad token, a missing scope).
#[derive(Debug, Default)]
pub struct MemoryShopify {
    pub refusal: Option<ShopifyError>,
    pub variants: Mutex<Vec<Variant>>,
    pub locations: Vec<Location>,
    pub available: Mutex<BTreeMap<(InventoryItemId, LocationId), i64>>,
    applied_keys: Mutex<BTreeMap<String, InventoryAdjustment>>,
    /// The IANA zone the shop gives (`ianaTimezone`); none when unset.
    pub time_zone: Option<String>,
}

impl MemoryShopify {
    /// A shop that answers every call with `refusal`.
    pub fn refusing(refusal: ShopifyError) -> MemoryShopify {
        MemoryShopify { refusal: Some(refusal), ..Default::default() }
    }

    /// The same shop, giving `zone` as its `ianaTimezone`.
    pub fn with_time_zone(mut self, zone: &str) -> MemoryShopify {
        self.time_zone = Some(zone.to_string());
        self
    }

    fn check(&self) -> Result<(), ShopifyError> {
        self.refusal.clone().map_or(Ok(()), Err)
    }
}

/// A level of the memory shop: all of it available, none committed.
fn memory_level(item: &InventoryItemId, location: &LocationId, available: i64) -> InventoryLevel {
    InventoryLevel {
        id: InventoryLevelId(format!("gid://shopify/InventoryLevel/{}?inventory_item_id={}", location.0, item.0)),
        item_id: item.clone(),
        location_id: location.clone(),
        quantities: Quantities(BTreeMap::from([
            (QuantityName::Available, available),
            (QuantityName::Committed, 0),
            (QuantityName::OnHand, available),
        ])),
        updated_at: None,
    }
}

impl ShopifyApi for MemoryShopify {
    fn verify(&self) -> BoxFuture<'_, Result<ShopIdentity, ShopifyError>> {
        let r = self.check().map(|()| ShopIdentity {
            name: "Memory shop".into(),
            myshopify_domain: "memory-shop.myshopify.com".into(),
            iana_timezone: self.time_zone.clone(),
        });
        async move { r }.boxed()
    }
    fn locations(&self) -> BoxStream<'static, Result<Vec<Location>, ShopifyError>> {
        let r = self.check().map(|()| self.locations.clone());
        futures_util::stream::iter([r]).boxed()
    }
    fn product_variants(&self, _q: VariantQuery) -> BoxStream<'static, Result<Vec<Variant>, ShopifyError>> {
        let r = self.check().map(|()| self.variants.lock().unwrap_or_else(|p| p.into_inner()).clone());
        futures_util::stream::iter([r]).boxed()
    }
    fn products_with_variants(&self) -> BoxStream<'static, Result<ProductWithVariants, ShopifyError>> {
        let r = self.check().map(|()| {
            let variants = self.variants.lock().unwrap_or_else(|p| p.into_inner());
            let mut products: Vec<ProductWithVariants> = Vec::new();
            for v in variants.iter() {
                match products.iter_mut().find(|p| p.id == v.product.id) {
                    Some(p) => p.variants.push(v.clone()),
                    None => products.push(ProductWithVariants {
                        id: v.product.id.clone(),
                        title: v.product.title.clone(),
                        updated_at: Some(v.updated_at),
                        variants: vec![v.clone()],
                    }),
                }
            }
            products
        });
        match r {
            Ok(products) => futures_util::stream::iter(products.into_iter().map(Ok)).boxed(),
            Err(e) => futures_util::stream::iter([Err(e)]).boxed(),
        }
    }
    fn update_product_title<'a>(
        &'a self,
        product: &'a ProductId,
        title: &'a str,
    ) -> BoxFuture<'a, Result<WriteOutcome<String>, ShopifyError>> {
        let r = self.check().map(|()| {
            let mut variants = self.variants.lock().unwrap_or_else(|p| p.into_inner());
            let mut found = false;
            for v in variants.iter_mut().filter(|v| &v.product.id == product) {
                v.product.title = title.to_string();
                found = true;
            }
            if found {
                WriteOutcome::Applied(title.to_string())
            } else {
                WriteOutcome::Refused(vec![UserError {
                    code: UserErrorCode::Unspecified,
                    field: vec!["id".into()],
                    message: "Product does not exist".into(),
                }])
            }
        });
        async move { r }.boxed()
    }
    /// All or nothing, as `allowPartialUpdates: false` makes Shopify behave.
    fn update_variants<'a>(
        &'a self,
        product: &'a ProductId,
        updates: &'a [VariantUpdate],
    ) -> BoxFuture<'a, Result<WriteOutcome<Vec<Variant>>, ShopifyError>> {
        let r = self.check().map(|()| {
            let mut variants = self.variants.lock().unwrap_or_else(|p| p.into_inner());
            let unknown = updates.iter().any(|u| !variants.iter().any(|v| v.id == u.id && &v.product.id == product));
            if unknown {
                return WriteOutcome::Refused(vec![UserError {
                    code: UserErrorCode::Unspecified,
                    field: vec!["variants".into()],
                    message: "Product variant does not exist on this product".into(),
                }]);
            }
            let mut changed = Vec::new();
            for u in updates {
                if let Some(v) = variants.iter_mut().find(|v| v.id == u.id) {
                    if let Some(price) = u.price {
                        v.price = price;
                    }
                    if let Some(compare_at) = u.compare_at_price {
                        v.compare_at_price = compare_at;
                    }
                    if let Some(barcode) = &u.barcode {
                        v.barcode = barcode.clone();
                    }
                    if let Some(sku) = &u.sku {
                        v.sku = Some(sku.clone()).filter(|s| !s.is_empty());
                    }
                    changed.push(v.clone());
                }
            }
            WriteOutcome::Applied(changed)
        });
        async move { r }.boxed()
    }
    fn set_quantities<'a>(
        &'a self,
        input: &'a SetQuantities,
        key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryAdjustment>, ShopifyError>> {
        let r = self.check().map(|()| {
            let mut keys = self.applied_keys.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(first) = keys.get(key.as_str()) {
                return WriteOutcome::Applied(first.clone());
            }
            let mut stock = self.available.lock().unwrap_or_else(|p| p.into_inner());
            let stale = input.quantities.iter().any(|q| {
                q.change_from.is_some_and(|from| {
                    stock.get(&(q.item_id.clone(), q.location_id.clone())).copied().unwrap_or(0) != from
                })
            });
            if stale {
                return WriteOutcome::Refused(vec![UserError {
                    code: UserErrorCode::ChangeFromQuantityStale,
                    field: vec!["input".into(), "quantities".into()],
                    message: "The quantity changed since it was read".into(),
                }]);
            }
            let mut changes = Vec::new();
            for q in &input.quantities {
                let before = stock.insert((q.item_id.clone(), q.location_id.clone()), q.quantity).unwrap_or(0);
                changes.push(InventoryChange {
                    name: "available".into(),
                    delta: q.quantity - before,
                    quantity_after_change: Some(q.quantity),
                    item_id: Some(q.item_id.clone()),
                    location_id: Some(q.location_id.clone()),
                });
            }
            let adjustment = InventoryAdjustment {
                id: None,
                created_at: None,
                reason: "correction".into(),
                reference_document_uri: None,
                changes,
            };
            keys.insert(key.as_str().to_string(), adjustment.clone());
            WriteOutcome::Applied(adjustment)
        });
        async move { r }.boxed()
    }
    fn inventory_levels_at(
        &self,
        location: &LocationId,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        let r = self.check().map(|()| {
            let stock = self.available.lock().unwrap_or_else(|p| p.into_inner());
            stock
                .iter()
                .filter(|((_, at), _)| at == location)
                .map(|((item, at), &available)| memory_level(item, at, available))
                .collect::<Vec<_>>()
        });
        futures_util::stream::iter([r]).boxed()
    }
    fn inventory_levels_for_items<'a>(
        &'a self,
        items: &'a [InventoryItemId],
    ) -> BoxFuture<'a, Result<Vec<InventoryLevel>, ShopifyError>> {
        let r = self.check().map(|()| {
            let stock = self.available.lock().unwrap_or_else(|p| p.into_inner());
            stock
                .iter()
                .filter(|((item, _), _)| items.contains(item))
                .map(|((item, at), &available)| memory_level(item, at, available))
                .collect::<Vec<_>>()
        });
        async move { r }.boxed()
    }
    /// The memory shop keeps no update times: every level counts as changed.
    fn inventory_levels_changed_at(
        &self,
        location: &LocationId,
        _since: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Vec<InventoryLevel>, ShopifyError>> {
        self.inventory_levels_at(location)
    }
    fn activate_inventory<'a>(
        &'a self,
        item: &'a InventoryItemId,
        location: &'a LocationId,
    ) -> BoxFuture<'a, Result<WriteOutcome<InventoryLevel>, ShopifyError>> {
        let r = self.check().map(|()| {
            let mut stock = self.available.lock().unwrap_or_else(|p| p.into_inner());
            let available = *stock.entry((item.clone(), location.clone())).or_insert(0);
            WriteOutcome::Applied(memory_level(item, location, available))
        });
        async move { r }.boxed()
    }
    fn pos_orders(&self, _since: Option<DateTime<Utc>>) -> BoxStream<'static, Result<Vec<PosOrder>, ShopifyError>> {
        let r = self.check().map(|()| Vec::new());
        futures_util::stream::iter([r]).boxed()
    }
    fn create_refund<'a>(
        &'a self,
        _refund: &'a NewRefund,
        _key: &'a IdempotencyKey,
    ) -> BoxFuture<'a, Result<WriteOutcome<Refund>, ShopifyError>> {
        let r = self.check().map(|()| WriteOutcome::Refused(vec![]));
        async move { r }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InventoryReason, QuantitySet, SettableQuantity};

    #[tokio::test]
    async fn the_memory_shop_compares_and_swaps_and_honours_idempotency_keys() {
        let shop = MemoryShopify::default();
        let api: &dyn ShopifyApi = &shop;
        let set = |to: i64, from: i64| SetQuantities {
            name: SettableQuantity::Available,
            reason: InventoryReason::Correction,
            reference_document_uri: None,
            quantities: vec![QuantitySet {
                item_id: InventoryItemId::from_number(1),
                location_id: LocationId::from_number(2),
                quantity: to,
                change_from: Some(from),
            }],
        };
        let key = IdempotencyKey::for_job("job-1", "set");
        assert!(
            matches!(api.set_quantities(&set(5, 0), &key).await.unwrap(), WriteOutcome::Applied(_)),
            "0 → 5 applies"
        );
        assert!(
            matches!(api.set_quantities(&set(5, 0), &key).await.unwrap(), WriteOutcome::Applied(_)),
            "a replayed key answers the first result"
        );
        let other = IdempotencyKey::for_job("job-2", "set");
        let stale = api.set_quantities(&set(9, 0), &other).await.unwrap();
        assert!(
            stale.is_refused_with(&UserErrorCode::ChangeFromQuantityStale),
            "a stale read is refused, as Shopify does"
        );
    }
}
