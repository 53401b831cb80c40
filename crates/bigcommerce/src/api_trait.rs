//! What the engine needs from a BigCommerce store, as a trait: the real client implements it over
//! HTTP, and [`MemoryBigCommerce`] in memory, so engine logic can be tested without a network.

use std::collections::BTreeMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};

use crate::models::*;
use crate::{BatchOutcome, BcError, BigCommerceClient, ProductQuery};

pub trait BigCommerceApi: Send + Sync + std::fmt::Debug {
    fn verify(&self) -> BoxFuture<'_, Result<(), BcError>>;
    /// The store's profile; see [`BigCommerceClient::store_information`].
    fn store_information(&self) -> BoxFuture<'_, Result<StoreInformation, BcError>>;
    fn locations(&self) -> BoxFuture<'_, Result<Vec<Location>, BcError>>;
    fn products(&self, q: ProductQuery) -> BoxStream<'_, Result<Vec<Product>, BcError>>;
    fn inventory_items<'a>(&'a self, location_ids: &'a [i64]) -> BoxStream<'a, Result<Vec<InventoryItem>, BcError>>;
    fn update_variants<'a>(&'a self, updates: &'a [VariantUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>>;
    fn update_products<'a>(&'a self, updates: &'a [ProductUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>>;
    fn set_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>>;
    /// Relative stock moves; see [`BigCommerceClient::adjust_stock`].
    fn adjust_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>>;
    fn create_order<'a>(&'a self, order: &'a NewOrder) -> BoxFuture<'a, Result<Order, BcError>>;
    /// See [`BigCommerceClient::orders_modified_since`].
    fn orders_modified_since(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Order>, BcError>>;
    fn create_refund<'a>(&'a self, order_id: i64, refund: &'a NewRefund) -> BoxFuture<'a, Result<Refund, BcError>>;

    // What the POS order flow reads and edits besides creating. A store double that does not hold
    // these answers that it cannot, so a test of that flow is written against the emulator.
    fn order_by_external_id<'a>(
        &'a self,
        _external_order_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Order>, BcError>> {
        async { Err(not_held("orders by external id")) }.boxed()
    }
    /// See [`BigCommerceClient::create_order_unsent`]; a store double takes it as `create_order`.
    fn create_order_unsent<'a>(&'a self, order: &'a NewOrder) -> BoxFuture<'a, Result<Order, BcError>> {
        self.create_order(order)
    }
    fn update_order<'a>(&'a self, _order_id: i64, _update: &'a OrderUpdate) -> BoxFuture<'a, Result<Order, BcError>> {
        async { Err(not_held("order updates")) }.boxed()
    }
    fn order_products(&self, _order_id: i64) -> BoxFuture<'_, Result<Vec<OrderProduct>, BcError>> {
        async { Err(not_held("order products")) }.boxed()
    }
    fn refunds(&self, _order_id: i64) -> BoxFuture<'_, Result<Vec<Refund>, BcError>> {
        async { Err(not_held("refunds")) }.boxed()
    }
    fn customers_by_email<'a>(&'a self, _emails: &'a [String]) -> BoxFuture<'a, Result<Vec<Customer>, BcError>> {
        async { Err(not_held("customers")) }.boxed()
    }
    fn create_customers<'a>(&'a self, _customers: &'a [NewCustomer]) -> BoxFuture<'a, Result<Vec<Customer>, BcError>> {
        async { Err(not_held("customers")) }.boxed()
    }
    fn channels(&self) -> BoxFuture<'_, Result<Vec<Channel>, BcError>> {
        async { Err(not_held("channels")) }.boxed()
    }
    fn default_location(&self) -> BoxFuture<'_, Result<Option<i64>, BcError>> {
        async { Err(not_held("default location")) }.boxed()
    }
    fn subscribe<'a>(&'a self, _subscriber: &'a NewSubscriber) -> BoxFuture<'a, Result<bool, BcError>> {
        async { Err(not_held("newsletter subscribers")) }.boxed()
    }
    fn create_channel<'a>(&'a self, _channel: &'a NewChannel) -> BoxFuture<'a, Result<Channel, BcError>> {
        async { Err(not_held("channels")) }.boxed()
    }
    fn hooks(&self) -> BoxFuture<'_, Result<Vec<Hook>, BcError>> {
        async { Err(not_held("webhooks")) }.boxed()
    }
    fn create_hook<'a>(&'a self, _hook: &'a NewHook) -> BoxFuture<'a, Result<Hook, BcError>> {
        async { Err(not_held("webhooks")) }.boxed()
    }
    fn delete_hook(&self, _id: i64) -> BoxFuture<'_, Result<(), BcError>> {
        async { Err(not_held("webhooks")) }.boxed()
    }
    fn activate_hook(&self, _id: i64) -> BoxFuture<'_, Result<Hook, BcError>> {
        async { Err(not_held("webhooks")) }.boxed()
    }
}

fn not_held(what: &str) -> BcError {
    BcError::Invalid(format!("this store double holds no {what}; run the POS order flow against the emulated store"))
}

impl BigCommerceApi for BigCommerceClient {
    fn verify(&self) -> BoxFuture<'_, Result<(), BcError>> {
        BigCommerceClient::verify(self).boxed()
    }
    fn store_information(&self) -> BoxFuture<'_, Result<StoreInformation, BcError>> {
        BigCommerceClient::store_information(self).boxed()
    }
    fn locations(&self) -> BoxFuture<'_, Result<Vec<Location>, BcError>> {
        BigCommerceClient::locations(self).boxed()
    }
    fn products(&self, q: ProductQuery) -> BoxStream<'_, Result<Vec<Product>, BcError>> {
        BigCommerceClient::products(self, q).boxed()
    }
    fn inventory_items<'a>(&'a self, location_ids: &'a [i64]) -> BoxStream<'a, Result<Vec<InventoryItem>, BcError>> {
        BigCommerceClient::inventory_items(self, location_ids).boxed()
    }
    fn update_variants<'a>(&'a self, updates: &'a [VariantUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>> {
        BigCommerceClient::update_variants(self, updates).boxed()
    }
    fn update_products<'a>(&'a self, updates: &'a [ProductUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>> {
        BigCommerceClient::update_products(self, updates).boxed()
    }
    fn set_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>> {
        BigCommerceClient::set_stock(self, items, reason).boxed()
    }
    fn adjust_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>> {
        BigCommerceClient::adjust_stock(self, items, reason).boxed()
    }
    fn create_order<'a>(&'a self, order: &'a NewOrder) -> BoxFuture<'a, Result<Order, BcError>> {
        BigCommerceClient::create_order(self, order).boxed()
    }
    fn orders_modified_since(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Order>, BcError>> {
        BigCommerceClient::orders_modified_since(self, since, limit).boxed()
    }
    fn create_refund<'a>(&'a self, order_id: i64, refund: &'a NewRefund) -> BoxFuture<'a, Result<Refund, BcError>> {
        BigCommerceClient::create_refund(self, order_id, refund).boxed()
    }
    fn order_by_external_id<'a>(&'a self, external_order_id: &'a str) -> BoxFuture<'a, Result<Option<Order>, BcError>> {
        BigCommerceClient::order_by_external_id(self, external_order_id).boxed()
    }
    fn create_order_unsent<'a>(&'a self, order: &'a NewOrder) -> BoxFuture<'a, Result<Order, BcError>> {
        BigCommerceClient::create_order_unsent(self, order).boxed()
    }
    fn update_order<'a>(&'a self, order_id: i64, update: &'a OrderUpdate) -> BoxFuture<'a, Result<Order, BcError>> {
        BigCommerceClient::update_order(self, order_id, update).boxed()
    }
    fn order_products(&self, order_id: i64) -> BoxFuture<'_, Result<Vec<OrderProduct>, BcError>> {
        BigCommerceClient::order_products(self, order_id).boxed()
    }
    fn hooks(&self) -> BoxFuture<'_, Result<Vec<Hook>, BcError>> {
        BigCommerceClient::hooks(self).boxed()
    }
    fn create_hook<'a>(&'a self, hook: &'a NewHook) -> BoxFuture<'a, Result<Hook, BcError>> {
        BigCommerceClient::create_hook(self, hook).boxed()
    }
    fn delete_hook(&self, id: i64) -> BoxFuture<'_, Result<(), BcError>> {
        BigCommerceClient::delete_hook(self, id).boxed()
    }
    fn activate_hook(&self, id: i64) -> BoxFuture<'_, Result<Hook, BcError>> {
        BigCommerceClient::activate_hook(self, id).boxed()
    }
    fn refunds(&self, order_id: i64) -> BoxFuture<'_, Result<Vec<Refund>, BcError>> {
        BigCommerceClient::refunds(self, order_id).boxed()
    }
    fn customers_by_email<'a>(&'a self, emails: &'a [String]) -> BoxFuture<'a, Result<Vec<Customer>, BcError>> {
        BigCommerceClient::customers_by_email(self, emails).boxed()
    }
    fn create_customers<'a>(&'a self, customers: &'a [NewCustomer]) -> BoxFuture<'a, Result<Vec<Customer>, BcError>> {
        BigCommerceClient::create_customers(self, customers).boxed()
    }
    fn channels(&self) -> BoxFuture<'_, Result<Vec<Channel>, BcError>> {
        BigCommerceClient::channels(self).boxed()
    }
    fn default_location(&self) -> BoxFuture<'_, Result<Option<i64>, BcError>> {
        BigCommerceClient::default_location(self).boxed()
    }
    fn subscribe<'a>(&'a self, subscriber: &'a NewSubscriber) -> BoxFuture<'a, Result<bool, BcError>> {
        BigCommerceClient::subscribe(self, subscriber).boxed()
    }
    fn create_channel<'a>(&'a self, channel: &'a NewChannel) -> BoxFuture<'a, Result<Channel, BcError>> {
        BigCommerceClient::create_channel(self, channel).boxed()
    }
}

/// A BigCommerce store held in memory, keeping the rules the engine relies on: one order per
/// `external_order_id`, stock set per (variant, location). `refusal`, when set, is how the store
/// answers every call (a bad token, a missing scope), for testing what the engine does then.
#[derive(Debug, Default)]
pub struct MemoryBigCommerce {
    pub refusal: Option<BcError>,
    pub products: Mutex<Vec<Product>>,
    pub locations: Vec<Location>,
    pub stock: Mutex<BTreeMap<(i64, i64), i64>>,
    pub orders: Mutex<Vec<Order>>,
    /// The IANA zone `store_information` gives; none when unset.
    pub time_zone: Option<String>,
    /// How `store_information` alone answers, when set: an API account without the Information &
    /// Settings scope reads everything else.
    pub profile_refusal: Option<BcError>,
}

impl MemoryBigCommerce {
    fn check(&self) -> Result<(), BcError> {
        self.refusal.clone().map_or(Ok(()), Err)
    }
}

impl BigCommerceApi for MemoryBigCommerce {
    fn verify(&self) -> BoxFuture<'_, Result<(), BcError>> {
        let r = self.check();
        async move { r }.boxed()
    }
    fn store_information(&self) -> BoxFuture<'_, Result<StoreInformation, BcError>> {
        let r =
            self.check().and_then(|()| self.profile_refusal.clone().map_or(Ok(()), Err)).map(|()| StoreInformation {
                name: Some("Memory store".into()),
                timezone: self
                    .time_zone
                    .as_ref()
                    .map(|zone| StoreTimezone { name: Some(zone.clone()), ..StoreTimezone::default() }),
            });
        async move { r }.boxed()
    }
    fn locations(&self) -> BoxFuture<'_, Result<Vec<Location>, BcError>> {
        let r = self.check().map(|()| self.locations.clone());
        async move { r }.boxed()
    }
    fn products(&self, q: ProductQuery) -> BoxStream<'_, Result<Vec<Product>, BcError>> {
        let r = self.check().map(|()| {
            let all = self.products.lock().unwrap_or_else(|p| p.into_inner());
            all.iter().filter(|p| q.ids.is_empty() || q.ids.contains(&p.id)).cloned().collect::<Vec<_>>()
        });
        futures_util::stream::iter(match r {
            Ok(list) => list.chunks(crate::PRODUCTS_PER_PAGE as usize).map(|c| Ok(c.to_vec())).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
        .boxed()
    }
    fn inventory_items<'a>(&'a self, location_ids: &'a [i64]) -> BoxStream<'a, Result<Vec<InventoryItem>, BcError>> {
        let r = self.check().map(|()| {
            let stock = self.stock.lock().unwrap_or_else(|p| p.into_inner());
            let products = self.products.lock().unwrap_or_else(|p| p.into_inner());
            let mut items: BTreeMap<i64, InventoryItem> = BTreeMap::new();
            for (&(variant_id, location_id), &quantity) in stock.iter() {
                if !location_ids.is_empty() && !location_ids.contains(&location_id) {
                    continue;
                }
                let product = products.iter().find(|p| p.variants.iter().any(|v| v.id == variant_id));
                let item = items.entry(variant_id).or_insert_with(|| InventoryItem {
                    identity: InventoryIdentity {
                        sku: product
                            .and_then(|p| p.variants.iter().find(|v| v.id == variant_id))
                            .map(|v| v.sku.clone()),
                        variant_id,
                        product_id: product.map_or(0, |p| p.id),
                    },
                    locations: Vec::new(),
                });
                item.locations.push(InventoryAtLocation {
                    location_id,
                    available_to_sell: quantity,
                    total_inventory_onhand: quantity,
                    settings: None,
                });
            }
            items.into_values().collect::<Vec<_>>()
        });
        futures_util::stream::iter([r]).boxed()
    }
    fn update_variants<'a>(&'a self, updates: &'a [VariantUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>> {
        let r = self.check().map(|()| {
            let mut products = self.products.lock().unwrap_or_else(|p| p.into_inner());
            let mut outcome = BatchOutcome::default();
            for u in updates {
                match products.iter_mut().flat_map(|p| p.variants.iter_mut()).find(|v| v.id == u.id) {
                    Some(v) => {
                        if u.price.is_some() {
                            v.price = u.price;
                        }
                        if u.sale_price.is_some() {
                            v.sale_price = u.sale_price;
                        }
                        if let Some(sku) = &u.sku {
                            v.sku = sku.clone();
                        }
                        if let Some(upc) = &u.upc {
                            v.upc = upc.clone();
                        }
                        if let Some(gtin) = &u.gtin {
                            v.gtin = gtin.clone();
                        }
                        outcome.applied.push(u.id);
                    }
                    None => {
                        outcome.failed.insert(u.id, "no such variant".into());
                    }
                }
            }
            outcome
        });
        async move { r }.boxed()
    }
    fn update_products<'a>(&'a self, updates: &'a [ProductUpdate]) -> BoxFuture<'a, Result<BatchOutcome, BcError>> {
        let r = self.check().map(|()| {
            let mut products = self.products.lock().unwrap_or_else(|p| p.into_inner());
            let mut outcome = BatchOutcome::default();
            for u in updates {
                match products.iter_mut().find(|p| p.id == u.id) {
                    Some(p) => {
                        if let Some(name) = &u.name {
                            p.name = name.clone();
                        }
                        outcome.applied.push(u.id);
                    }
                    None => {
                        outcome.failed.insert(u.id, "no such product".into());
                    }
                }
            }
            outcome
        });
        async move { r }.boxed()
    }
    fn set_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        _reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>> {
        let r = self.check().map(|()| {
            let mut stock = self.stock.lock().unwrap_or_else(|p| p.into_inner());
            for i in items {
                stock.insert((i.item_id(), i.location_id), i.quantity);
            }
            vec![Transaction { transaction_id: format!("memory-{}", stock.len()) }]
        });
        async move { r }.boxed()
    }
    /// All or nothing, and never below zero, as BigCommerce refuses a move below the safety stock.
    fn adjust_stock<'a>(
        &'a self,
        items: &'a [InventoryAdjustment],
        _reason: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Transaction>, BcError>> {
        let r = self.check().and_then(|()| {
            let mut stock = self.stock.lock().unwrap_or_else(|p| p.into_inner());
            for i in items {
                let now = stock.get(&(i.item_id(), i.location_id)).copied().unwrap_or(0);
                if now + i.quantity < 0 {
                    return Err(BcError::Rejected {
                        endpoint: "/v3/inventory/adjustments/relative".into(),
                        status: 422,
                        title: "Unprocessable Entity".into(),
                        details: format!(
                            "item {} at location {} cannot go below the safety stock",
                            i.item_id(),
                            i.location_id
                        ),
                    });
                }
            }
            for i in items {
                *stock.entry((i.item_id(), i.location_id)).or_insert(0) += i.quantity;
            }
            Ok(vec![Transaction { transaction_id: format!("memory-{}", stock.len()) }])
        });
        async move { r }.boxed()
    }
    fn create_order<'a>(&'a self, order: &'a NewOrder) -> BoxFuture<'a, Result<Order, BcError>> {
        let r = self.check().map(|()| {
            let mut orders = self.orders.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(existing) =
                orders.iter().find(|o| o.external_order_id.as_deref() == Some(order.external_order_id.as_str()))
            {
                return existing.clone();
            }
            let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+00:00").unwrap_or_default();
            let created = Order {
                id: orders.len() as i64 + 100,
                status_id: order.status_id,
                external_order_id: Some(order.external_order_id.clone()),
                external_source: Some(order.external_source.clone()),
                total_inc_tax: order.total_inc_tax,
                total_ex_tax: order.total_ex_tax,
                refunded_amount: rust_decimal::Decimal::ZERO,
                payment_status: String::new(),
                date_created: now,
                date_modified: now,
            };
            orders.push(created.clone());
            created
        });
        async move { r }.boxed()
    }
    fn orders_modified_since(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Order>, BcError>> {
        let r = self.check().map(|()| {
            let orders = self.orders.lock().unwrap_or_else(|p| p.into_inner());
            let mut found: Vec<Order> =
                orders.iter().filter(|o| since.is_none_or(|t| o.date_modified >= t)).cloned().collect();
            found.sort_by(|a, b| b.date_modified.cmp(&a.date_modified).then(b.id.cmp(&a.id)));
            found.truncate(limit as usize);
            found
        });
        async move { r }.boxed()
    }
    fn create_refund<'a>(&'a self, order_id: i64, refund: &'a NewRefund) -> BoxFuture<'a, Result<Refund, BcError>> {
        let total = refund.payments.iter().map(|p| p.amount).sum();
        let r = self.check().map(|()| Refund { id: 1, order_id, total_amount: total });
        async move { r }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_store_keeps_one_order_per_external_id_and_checks_the_token() {
        let store = MemoryBigCommerce::default();
        let api: &dyn BigCommerceApi = &store;
        let order = NewOrder {
            customer_id: 0,
            status_id: 11,
            channel_id: 1,
            external_source: "POS".into(),
            external_order_id: "gid://shopify/Order/1".into(),
            billing_address: BillingAddress {
                first_name: "A".into(),
                last_name: "B".into(),
                street_1: "1 St".into(),
                city: "C".into(),
                state: "S".into(),
                zip: "12345".into(),
                country: "United States".into(),
                country_iso2: "US".into(),
                email: "a@example.com".into(),
            },
            products: vec![],
            discount_amount: rust_decimal::Decimal::ZERO,
            subtotal_ex_tax: rust_decimal::Decimal::ZERO,
            subtotal_inc_tax: rust_decimal::Decimal::ZERO,
            shipping_cost_ex_tax: rust_decimal::Decimal::ZERO,
            shipping_cost_inc_tax: rust_decimal::Decimal::ZERO,
            total_ex_tax: rust_decimal::Decimal::ZERO,
            total_inc_tax: rust_decimal::Decimal::ZERO,
            payment_method: "cash".into(),
            staff_notes: None,
        };
        let a = api.create_order(&order).await.unwrap();
        let b = api.create_order(&order).await.unwrap();
        assert_eq!(a.id, b.id, "the fake honours the same once-per-external-id rule as the real client");
        let locked = MemoryBigCommerce { refusal: Some(BcError::Unauthorized), ..Default::default() };
        assert_eq!(
            (&locked as &dyn BigCommerceApi).verify().await,
            Err(BcError::Unauthorized),
            "a bad token is refused"
        );
    }
}
