//! The BigCommerce operations Tillbridge uses, with the batch limits and paging the API sets.

use std::collections::BTreeMap;

use futures_util::Stream;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::client::{BigCommerceClient, Resend, decode};
use crate::error::BcError;
use crate::models::*;

/// Largest page of products the API returns (`limit` maximum 250).
pub const PRODUCTS_PER_PAGE: u32 = 250;
/// `PUT /v3/catalog/variants`: "Currently the limit is 50 variants".
pub const VARIANTS_PER_BATCH: usize = 50;
/// `PUT /v3/catalog/products`: "limited to 10 products".
pub const PRODUCTS_PER_BATCH: usize = 10;
/// `POST`/`PUT /v3/customers`: up to 10 per call.
pub const CUSTOMERS_PER_BATCH: usize = 10;
/// Inventory adjustments: 2,000 items per payload.
pub const ADJUSTMENTS_PER_BATCH: usize = 2_000;
/// `GET /v3/inventory/items`: 1,000 items per page.
pub const INVENTORY_ITEMS_PER_PAGE: u32 = 1_000;

/// What to read from the catalog.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// Only products modified at or after this time (`date_modified:min`), for delta reads.
    pub modified_since: Option<chrono::DateTime<chrono::Utc>>,
    pub ids: Vec<i64>,
    pub include_variants: bool,
}

/// The result of a batch write: which items were applied and why the others were not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchOutcome {
    pub applied: Vec<i64>,
    pub failed: BTreeMap<i64, String>,
}

impl BigCommerceClient {
    /// Streams the catalog page by page (250 products a page), so a 100,000-variant store is never
    /// held in memory twice.
    pub fn products(&self, q: ProductQuery) -> impl Stream<Item = Result<Vec<Product>, BcError>> + '_ {
        let mut query: Vec<(&str, String)> = vec![("limit", PRODUCTS_PER_PAGE.to_string())];
        if q.include_variants {
            query.push(("include", "variants".into()));
        }
        if let Some(t) = q.modified_since {
            query.push(("date_modified:min", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        if !q.ids.is_empty() {
            query.push(("id:in", q.ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
        }
        self.pages("/stores/{store_hash}/v3/catalog/products", "/v3/catalog/products", query)
    }

    pub fn inventory_items(
        &self,
        location_ids: &[i64],
    ) -> impl Stream<Item = Result<Vec<InventoryItem>, BcError>> + '_ {
        let mut query: Vec<(&str, String)> = vec![("limit", INVENTORY_ITEMS_PER_PAGE.to_string())];
        if !location_ids.is_empty() {
            query.push(("location_id:in", location_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")));
        }
        self.pages("/stores/{store_hash}/v3/inventory/items", "/v3/inventory/items", query)
    }

    /// Pages through a v3 collection, following `meta.pagination` until the last page.
    fn pages<T: serde::de::DeserializeOwned + 'static>(
        &self,
        template: &'static str,
        path: &'static str,
        query: Vec<(&'static str, String)>,
    ) -> impl Stream<Item = Result<Vec<T>, BcError>> + '_ {
        futures_util::stream::try_unfold(Some(1u64), move |page| {
            let mut query = query.clone();
            async move {
                let Some(page) = page else { return Ok(None) };
                query.push(("page", page.to_string()));
                let body: Option<Page<T>> = self.get_json(template, path, &query).await?;
                let Some(body) = body else { return Ok(None) };
                let next = match &body.meta.pagination {
                    Some(p) if p.current_page < p.total_pages => Some(page + 1),
                    Some(_) => None,
                    // No pagination block: a short page is the last one.
                    None if body.data.is_empty() => None,
                    None => Some(page + 1),
                };
                Ok(Some((body.data, next)))
            }
        })
    }

    pub async fn locations(&self) -> Result<Vec<Location>, BcError> {
        let page: Option<Page<Location>> =
            self.get_json("/stores/{store_hash}/v3/inventory/locations", "/v3/inventory/locations", &[]).await?;
        Ok(page.map(|p| p.data).unwrap_or_default())
    }

    /// The store's default location, where BigCommerce takes the stock of an order placed without
    /// one (`is_default=true`); None when the store names none.
    pub async fn default_location(&self) -> Result<Option<i64>, BcError> {
        let page: Option<Page<Location>> = self
            .get_json(
                "/stores/{store_hash}/v3/inventory/locations",
                "/v3/inventory/locations",
                &[("is_default", "true".into())],
            )
            .await?;
        Ok(page.and_then(|p| p.data.first().map(|l| l.id)))
    }

    /// Updates variants in batches of 50. See [`BigCommerceClient::update_batch`].
    pub async fn update_variants(&self, updates: &[VariantUpdate]) -> Result<BatchOutcome, BcError> {
        self.update_batch(
            "/stores/{store_hash}/v3/catalog/variants",
            "/v3/catalog/variants",
            VARIANTS_PER_BATCH,
            updates,
            |u| u.id,
        )
        .await
    }

    /// Updates products in batches of 10. See [`BigCommerceClient::update_batch`].
    pub async fn update_products(&self, updates: &[ProductUpdate]) -> Result<BatchOutcome, BcError> {
        self.update_batch(
            "/stores/{store_hash}/v3/catalog/products",
            "/v3/catalog/products",
            PRODUCTS_PER_BATCH,
            updates,
            |u| u.id,
        )
        .await
    }

    /// A batch `PUT` in chunks of `size`. A chunk answered 207 reports per item; a chunk refused
    /// whole (422) is split until the bad items are isolated, so one bad item never sinks the rest.
    async fn update_batch<T: serde::Serialize>(
        &self,
        template: &'static str,
        path: &'static str,
        size: usize,
        updates: &[T],
        id_of: impl Fn(&T) -> i64,
    ) -> Result<BatchOutcome, BcError> {
        let mut outcome = BatchOutcome::default();
        let mut pending: Vec<&[T]> = updates.chunks(size).rev().collect();
        while let Some(batch) = pending.pop() {
            let body = serde_json::to_value(batch).map_err(|e| BcError::Invalid(e.to_string()))?;
            match self.call(Method::PUT, template, path, &[], Some(&body), Resend::Safe).await {
                Ok(reply) if reply.status.as_u16() == 207 => {
                    let multi: MultiStatus = decode(template, &reply.body)?;
                    let applied: std::collections::HashSet<i64> = multi.data.iter().map(|d| d.id).collect();
                    for (index, u) in batch.iter().enumerate() {
                        if applied.contains(&id_of(u)) {
                            outcome.applied.push(id_of(u));
                        } else {
                            outcome.failed.insert(id_of(u), multi.reason(index, id_of(u)));
                        }
                    }
                }
                Ok(_) => outcome.applied.extend(batch.iter().map(&id_of)),
                Err(BcError::Rejected { details, title, .. }) if batch.len() == 1 => {
                    outcome.failed.insert(id_of(&batch[0]), if details.is_empty() { title } else { details });
                }
                Err(BcError::Rejected { .. }) => {
                    let (a, b) = batch.split_at(batch.len() / 2);
                    pending.push(b);
                    pending.push(a);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Moves stock by a signed amount per item, in payloads of 2,000. Never re-sent blindly: a
    /// relative change applied twice is a wrong stock level. When the outcome is unknown the error
    /// says so, and the caller reconciles against an absolute read before doing anything else.
    pub async fn adjust_stock(&self, items: &[InventoryAdjustment], reason: &str) -> Result<Vec<Transaction>, BcError> {
        let mut transactions = Vec::new();
        for chunk in items.chunks(ADJUSTMENTS_PER_BATCH) {
            let body = json!({ "reason": reason, "items": chunk });
            let reply = self
                .call(
                    Method::POST,
                    "/stores/{store_hash}/v3/inventory/adjustments/relative",
                    "/v3/inventory/adjustments/relative",
                    &[],
                    Some(&body),
                    Resend::OnlyIfUnsent,
                )
                .await?;
            transactions.push(decode("/stores/{store_hash}/v3/inventory/adjustments/relative", &reply.body)?);
        }
        Ok(transactions)
    }

    /// Customers with these emails (`email:in`), for matching a POS customer to a store account.
    pub async fn customers_by_email(&self, emails: &[String]) -> Result<Vec<Customer>, BcError> {
        let mut found = Vec::new();
        for chunk in emails.chunks(50) {
            let page: Option<Page<Customer>> = self
                .get_json("/stores/{store_hash}/v3/customers", "/v3/customers", &[("email:in", chunk.join(","))])
                .await?;
            found.extend(page.map(|p| p.data).unwrap_or_default());
        }
        Ok(found)
    }

    /// Creates customers in batches of 10. Email is unique in BigCommerce, so after a failure that
    /// may have reached the store, the batch's emails are looked up and only the missing ones re-sent.
    pub async fn create_customers(&self, customers: &[NewCustomer]) -> Result<Vec<Customer>, BcError> {
        let mut created = Vec::new();
        for chunk in customers.chunks(CUSTOMERS_PER_BATCH) {
            let mut todo: Vec<&NewCustomer> = chunk.iter().collect();
            let mut attempt = 0;
            while !todo.is_empty() {
                attempt += 1;
                let body = serde_json::to_value(&todo).map_err(|e| BcError::Invalid(e.to_string()))?;
                match self
                    .call(
                        Method::POST,
                        "/stores/{store_hash}/v3/customers",
                        "/v3/customers",
                        &[],
                        Some(&body),
                        Resend::OnlyIfUnsent,
                    )
                    .await
                {
                    Ok(reply) => {
                        let page: Page<Customer> = decode("/stores/{store_hash}/v3/customers", &reply.body)?;
                        created.extend(page.data);
                        todo.clear();
                    }
                    Err(BcError::OutcomeUnknown { .. } | BcError::Network { .. })
                        if !self.inner_backoff().gives_up_after(attempt) =>
                    {
                        let emails: Vec<String> = todo.iter().map(|c| c.email.clone()).collect();
                        let existing = self.customers_by_email(&emails).await?;
                        let known: std::collections::HashSet<String> =
                            existing.iter().map(|c| c.email.to_lowercase()).collect();
                        created.extend(existing);
                        todo.retain(|c| !known.contains(&c.email.to_lowercase()));
                        self.pause_for(attempt).await;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(created)
    }

    pub async fn subscribers(&self) -> Result<Vec<Subscriber>, BcError> {
        let page: Option<Page<Subscriber>> =
            self.get_json("/stores/{store_hash}/v3/customers/subscribers", "/v3/customers/subscribers", &[]).await?;
        Ok(page.map(|p| p.data).unwrap_or_default())
    }

    /// Subscribes an email to the store's newsletter (the consent BigCommerce records). True when
    /// this call subscribed it; false when it was subscribed already (409), which is no failure.
    pub async fn subscribe(&self, subscriber: &NewSubscriber) -> Result<bool, BcError> {
        let body = serde_json::to_value(subscriber).map_err(|e| BcError::Invalid(e.to_string()))?;
        let template = "/stores/{store_hash}/v3/customers/subscribers";
        match self
            .call(Method::POST, template, "/v3/customers/subscribers", &[], Some(&body), Resend::OnlyIfUnsent)
            .await
        {
            Ok(_) => Ok(true),
            Err(BcError::Rejected { status: 409, .. }) => Ok(false),
            // Whether it landed is told by the list; either way the email ends up subscribed once.
            Err(BcError::OutcomeUnknown { .. }) => {
                let email = subscriber.email.to_lowercase();
                if self.subscribers().await?.iter().any(|s| s.email.to_lowercase() == email) {
                    Ok(true)
                } else {
                    Err(BcError::OutcomeUnknown { endpoint: template.into() })
                }
            }
            Err(e) => Err(e),
        }
    }

    pub async fn channels(&self) -> Result<Vec<Channel>, BcError> {
        let page: Option<Page<Channel>> =
            self.get_json("/stores/{store_hash}/v3/channels", "/v3/channels", &[]).await?;
        Ok(page.map(|p| p.data).unwrap_or_default())
    }

    pub async fn hooks(&self) -> Result<Vec<Hook>, BcError> {
        let page: Option<Page<Hook>> = self.get_json("/stores/{store_hash}/v3/hooks", "/v3/hooks", &[]).await?;
        Ok(page.map(|p| p.data).unwrap_or_default())
    }

    /// Registers a webhook. BigCommerce allows one hook per scope and destination, so an existing
    /// one is returned instead of failing, and a lost response is settled by listing the hooks.
    pub async fn create_hook(&self, hook: &NewHook) -> Result<Hook, BcError> {
        let find =
            |hooks: Vec<Hook>| hooks.into_iter().find(|h| h.scope == hook.scope && h.destination == hook.destination);
        if let Some(existing) = find(self.hooks().await?) {
            return Ok(existing);
        }
        let body = serde_json::to_value(hook).map_err(|e| BcError::Invalid(e.to_string()))?;
        match self
            .call(Method::POST, "/stores/{store_hash}/v3/hooks", "/v3/hooks", &[], Some(&body), Resend::OnlyIfUnsent)
            .await
        {
            Ok(reply) => {
                #[derive(Deserialize)]
                struct One {
                    data: Hook,
                }
                Ok(decode::<One>("/stores/{store_hash}/v3/hooks", &reply.body)?.data)
            }
            Err(BcError::OutcomeUnknown { .. }) => find(self.hooks().await?)
                .ok_or(BcError::OutcomeUnknown { endpoint: "/stores/{store_hash}/v3/hooks".into() }),
            Err(e) => Err(e),
        }
    }

    pub async fn delete_hook(&self, id: i64) -> Result<(), BcError> {
        let path = format!("/v3/hooks/{id}");
        match self.call(Method::DELETE, "/stores/{store_hash}/v3/hooks/{id}", &path, &[], None, Resend::Safe).await {
            Ok(_) | Err(BcError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Turns a hook BigCommerce deactivated (after its deliveries kept failing) back on.
    pub async fn activate_hook(&self, id: i64) -> Result<Hook, BcError> {
        let path = format!("/v3/hooks/{id}");
        let body = serde_json::json!({ "is_active": true });
        let template = "/stores/{store_hash}/v3/hooks/{id}";
        let reply = self.call(Method::PUT, template, &path, &[], Some(&body), Resend::Safe).await?;
        #[derive(Deserialize)]
        struct One {
            data: Hook,
        }
        Ok(decode::<One>(template, &reply.body)?.data)
    }

    pub async fn refunds(&self, order_id: i64) -> Result<Vec<Refund>, BcError> {
        let path = format!("/v3/orders/{order_id}/payment_actions/refunds");
        let page: Option<Page<Refund>> =
            self.get_json("/stores/{store_hash}/v3/orders/{order_id}/payment_actions/refunds", &path, &[]).await?;
        Ok(page.map(|p| p.data).unwrap_or_default())
    }

    /// Creates a refund. Refunds have no idempotency key in BigCommerce, so the existing refunds are
    /// listed first; after a failure that may have reached the store, a refund that appeared since,
    /// for the same total, is taken as this one instead of refunding twice.
    pub async fn create_refund(&self, order_id: i64, refund: &NewRefund) -> Result<Refund, BcError> {
        let before: std::collections::HashSet<i64> = self.refunds(order_id).await?.into_iter().map(|r| r.id).collect();
        let total: rust_decimal::Decimal = refund.payments.iter().map(|p| p.amount).sum();
        let body = serde_json::to_value(refund).map_err(|e| BcError::Invalid(e.to_string()))?;
        let path = format!("/v3/orders/{order_id}/payment_actions/refunds");
        let template = "/stores/{store_hash}/v3/orders/{order_id}/payment_actions/refunds";
        match self.call(Method::POST, template, &path, &[], Some(&body), Resend::OnlyIfUnsent).await {
            Ok(reply) => {
                #[derive(Deserialize)]
                struct One {
                    data: Refund,
                }
                Ok(decode::<One>(template, &reply.body)?.data)
            }
            Err(BcError::OutcomeUnknown { .. } | BcError::Network { .. }) => {
                let landed = self
                    .refunds(order_id)
                    .await?
                    .into_iter()
                    .find(|r| !before.contains(&r.id) && r.total_amount == total);
                landed.ok_or(BcError::OutcomeUnknown { endpoint: template.into() })
            }
            Err(e) => Err(e),
        }
    }

    /// Sets absolute stock. Items are grouped by location and sent one request at a time: BigCommerce
    /// handles concurrent absolute writes in an unpredictable order.
    pub async fn set_stock(&self, items: &[InventoryAdjustment], reason: &str) -> Result<Vec<Transaction>, BcError> {
        let mut by_location: BTreeMap<i64, Vec<&InventoryAdjustment>> = BTreeMap::new();
        for item in items {
            by_location.entry(item.location_id).or_default().push(item);
        }
        let mut transactions = Vec::new();
        for group in by_location.values() {
            for chunk in group.chunks(ADJUSTMENTS_PER_BATCH) {
                let body = json!({ "reason": reason, "items": chunk });
                let reply = self
                    .call(
                        Method::PUT,
                        "/stores/{store_hash}/v3/inventory/adjustments/absolute",
                        "/v3/inventory/adjustments/absolute",
                        &[],
                        Some(&body),
                        Resend::Safe,
                    )
                    .await?;
                transactions.push(decode("/stores/{store_hash}/v3/inventory/adjustments/absolute", &reply.body)?);
            }
        }
        Ok(transactions)
    }

    pub async fn order_by_external_id(&self, external_order_id: &str) -> Result<Option<Order>, BcError> {
        let found: Option<Vec<Order>> = self
            .get_json(
                "/stores/{store_hash}/v2/orders",
                "/v2/orders",
                &[("external_order_id", external_order_id.to_string())],
            )
            .await?;
        Ok(found
            .and_then(|orders| orders.into_iter().find(|o| o.external_order_id.as_deref() == Some(external_order_id))))
    }

    /// Creates an order exactly once per `external_order_id`. An existing order with that id is
    /// returned instead of creating another, and after a failure that may have reached the store
    /// (a lost response, a gateway 5xx) the store is asked again before anything is re-sent.
    pub async fn create_order(&self, order: &NewOrder) -> Result<Order, BcError> {
        self.create_order_once(order, true).await
    }

    /// Creates an order the caller knows was never sent before (it wrote down that it is about to
    /// send it, and found no such note from an earlier attempt): the first send skips the lookup.
    /// After a failure that may have reached the store, it looks before sending again, as
    /// [`BigCommerceClient::create_order`] does.
    pub async fn create_order_unsent(&self, order: &NewOrder) -> Result<Order, BcError> {
        self.create_order_once(order, false).await
    }

    async fn create_order_once(&self, order: &NewOrder, look_first: bool) -> Result<Order, BcError> {
        let body = serde_json::to_value(order).map_err(|e| BcError::Invalid(e.to_string()))?;
        let backoff = self.inner_backoff();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let look = look_first || attempt > 1;
            if look && let Some(existing) = self.order_by_external_id(&order.external_order_id).await? {
                return Ok(existing);
            }
            match self
                .call(
                    Method::POST,
                    "/stores/{store_hash}/v2/orders",
                    "/v2/orders",
                    &[],
                    Some(&body),
                    Resend::OnlyIfUnsent,
                )
                .await
            {
                Ok(reply) => return decode("/stores/{store_hash}/v2/orders", &reply.body),
                Err(e @ (BcError::OutcomeUnknown { .. } | BcError::Network { .. }))
                    if !backoff.gives_up_after(attempt) =>
                {
                    tracing::warn!(error = %e, attempt, "order create outcome unknown; checking the store before trying again");
                    self.pause_for(attempt).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Changes an existing order (status, payment method, notes). Safe to resend: it sets values.
    pub async fn update_order(&self, order_id: i64, update: &OrderUpdate) -> Result<Order, BcError> {
        let body = serde_json::to_value(update).map_err(|e| BcError::Invalid(e.to_string()))?;
        let path = format!("/v2/orders/{order_id}");
        let template = "/stores/{store_hash}/v2/orders/{order_id}";
        let reply = self.call(Method::PUT, template, &path, &[], Some(&body), Resend::Safe).await?;
        decode(template, &reply.body)
    }

    /// Creates a channel. Channels have no idempotency key; a caller that may repeat this looks
    /// for its channel by name first.
    pub async fn create_channel(&self, channel: &NewChannel) -> Result<Channel, BcError> {
        let body = serde_json::to_value(channel).map_err(|e| BcError::Invalid(e.to_string()))?;
        let template = "/stores/{store_hash}/v3/channels";
        let reply = self.call(Method::POST, template, "/v3/channels", &[], Some(&body), Resend::OnlyIfUnsent).await?;
        #[derive(Deserialize)]
        struct One {
            data: Channel,
        }
        Ok(decode::<One>(template, &reply.body)?.data)
    }

    /// The orders modified at or after `since` (every order when None), newest change first, one
    /// page of at most `limit` (≤ 250): one request that says whether any sale, edit, refund or
    /// cancellation happened in the store since then.
    pub async fn orders_modified_since(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: u32,
    ) -> Result<Vec<Order>, BcError> {
        let mut query = vec![("sort", "date_modified:desc".to_string()), ("limit", limit.clamp(1, 250).to_string())];
        if let Some(t) = since {
            query.push(("min_date_modified", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
        }
        Ok(self.get_json("/stores/{store_hash}/v2/orders", "/v2/orders", &query).await?.unwrap_or_default())
    }

    pub async fn order_products(&self, order_id: i64) -> Result<Vec<OrderProduct>, BcError> {
        let path = format!("/v2/orders/{order_id}/products");
        Ok(self.get_json("/stores/{store_hash}/v2/orders/{order_id}/products", &path, &[]).await?.unwrap_or_default())
    }

    /// The store's profile (`GET /v2/store`), for its time zone. It needs the Information &
    /// Settings scope (`store_v2_information_read_only`), which a catalog-only account lacks: the
    /// caller treats a refusal as "no zone given", never as a failed connection.
    pub async fn store_information(&self) -> Result<StoreInformation, BcError> {
        Ok(self.get_json("/stores/{store_hash}/v2/store", "/v2/store", &[]).await?.unwrap_or_default())
    }

    /// One cheap call that proves the token works and can read the catalog.
    pub async fn verify(&self) -> Result<(), BcError> {
        let _: Option<Page<serde_json::Value>> = self
            .get_json("/stores/{store_hash}/v3/catalog/products", "/v3/catalog/products", &[("limit", "1".into())])
            .await?;
        Ok(())
    }
}

/// A 207 body: `{data: [applied…], errors: {status, title, type, errors: {key: message}}}`.
/// `data` says what was applied. The spec leaves the keys of `errors.errors` free; they name the
/// failing item by its place in the batch ("items[3]") or by its id.
#[derive(Debug, Deserialize)]
struct MultiStatus {
    #[serde(default)]
    data: Vec<AppliedItem>,
    #[serde(default)]
    errors: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct AppliedItem {
    id: i64,
}

impl MultiStatus {
    fn reason(&self, index: usize, id: i64) -> String {
        let by_index = format!("items[{index}]");
        let by_id = id.to_string();
        self.errors
            .get("errors")
            .and_then(|e| e.as_object())
            .and_then(|map| {
                map.iter()
                    .find(|(key, _)| **key == by_index || key.trim_matches(|c: char| !c.is_ascii_digit()) == by_id)
            })
            .map(|(_, message)| message.as_str().map_or_else(|| message.to_string(), str::to_string))
            .unwrap_or_else(|| {
                let title = self.errors.get("title").and_then(|t| t.as_str()).unwrap_or("not applied");
                format!("{title} (BigCommerce named no reason for this item)")
            })
    }
}
