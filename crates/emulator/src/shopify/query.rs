//! `QueryRoot`: the reads the sync makes, with Shopify's arguments, search filters and sort keys.

use std::sync::Mutex;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use serde_json::{Value, json};

use super::model::{OrderRec, ShopData, parse_gid, parse_level_gid};
use super::paging::{PageArgs, SortValue, connection, window};
use super::scalars::{
    BulkOperationType, CustomerSortKeys, LocationSortKeys, OrderSortKeys, ProductSortKeys, ProductVariantSortKeys, Url,
    WebhookSubscriptionFormat, WebhookSubscriptionSortKeys, WebhookSubscriptionTopic,
};
use super::search::{Op, Search, number_matches, text_contains, text_eq, time_matches};
use super::state::shop;
use super::types::{
    BulkObj, CustomerObj, ItemObj, LevelObj, LocationObj, Node, OrderObj, ProductObj, ReturnObj, ShopObj,
    SubscriptionObj, VARIANT_FILTERS, VariantObj, node_by_id, variant_sort, variant_term,
};

/// Unknown search fields seen while answering, reported in `extensions.search`.
#[derive(Debug, Default)]
pub(crate) struct SearchWarnings(pub Mutex<Vec<Value>>);

fn parse_search(ctx: &Context<'_>, query: Option<&str>, known: &[&str]) -> Search {
    let search = Search::parse(query);
    let unknown = search.unknown_fields(known);
    if !unknown.is_empty()
        && let Some(w) = ctx.data_opt::<super::WarningsHandle>()
        && let Ok(mut list) = w.0.0.lock()
    {
        let path: Vec<String> = ctx.path_node.as_ref().map(|p| p.to_string_vec()).unwrap_or_default();
        let warnings: Vec<Value> = unknown
            .iter()
            .map(|f| json!({"field": f, "message": format!("Invalid search field for this query: {f} is ignored. Known fields: {}.", known.join(", "))}))
            .collect();
        list.push(json!({"path": path, "query": query, "warnings": warnings}));
    }
    search
}

fn time_key(t: chrono::DateTime<chrono::Utc>) -> SortValue {
    SortValue::Int(t.timestamp_millis())
}

const PRODUCT_FILTERS: [&str; 10] =
    ["id", "title", "sku", "barcode", "updated_at", "created_at", "vendor", "handle", "status", "variant_id"];
const ORDER_FILTERS: [&str; 12] = [
    "source_name",
    "updated_at",
    "created_at",
    "processed_at",
    "id",
    "name",
    "email",
    "financial_status",
    "location_id",
    "customer_id",
    "sku",
    "status",
];
const CUSTOMER_FILTERS: [&str; 6] = ["email", "first_name", "last_name", "updated_at", "created_at", "id"];
const ITEM_FILTERS: [&str; 4] = ["sku", "id", "created_at", "updated_at"];
const LOCATION_FILTERS: [&str; 3] = ["name", "id", "active"];

pub(crate) fn order_term(o: &OrderRec, field: Option<&str>, op: Op, value: &str) -> Option<bool> {
    Some(match field {
        Some("source_name") => text_eq(&o.source_name, value),
        Some("updated_at") => time_matches(o.updated_at, op, value)?,
        Some("created_at") => time_matches(o.created_at, op, value)?,
        Some("processed_at") => time_matches(o.processed_at, op, value)?,
        Some("id") => number_matches(o.id as i64, op, value)?,
        Some("name") => text_eq(&o.name(), value) || text_eq(&o.number.to_string(), value),
        Some("email") => o.email.as_deref().is_some_and(|e| text_eq(e, value)),
        Some("financial_status") => text_eq(o.financial_status(), value),
        Some("location_id") => o.location_id.is_some_and(|l| l.to_string() == value),
        Some("customer_id") => o.customer_id.is_some_and(|c| c.to_string() == value),
        Some("sku") => o.line_items.iter().any(|l| text_eq(&l.sku, value)),
        Some("status") => text_eq("open", value) || text_eq("any", value),
        None => text_eq(&o.name(), value) || o.email.as_deref().is_some_and(|e| text_contains(e, value)),
        _ => return None,
    })
}

fn product_term(d: &ShopData, p: &super::model::Product, field: Option<&str>, op: Op, value: &str) -> Option<bool> {
    let any_variant =
        |f: &dyn Fn(&super::model::Variant) -> bool| p.variant_ids.iter().filter_map(|v| d.variants.get(v)).any(f);
    Some(match field {
        Some("id") => number_matches(p.id as i64, op, value)?,
        Some("title") | None => text_contains(&p.title, value),
        Some("sku") => any_variant(&|v| text_eq(&v.sku, value)),
        Some("barcode") => any_variant(&|v| text_eq(&v.barcode, value)),
        Some("variant_id") => p.variant_ids.iter().any(|v| v.to_string() == value),
        Some("updated_at") => time_matches(p.updated_at, op, value)?,
        Some("created_at") => time_matches(p.created_at, op, value)?,
        Some("vendor") => text_eq(&p.vendor, value),
        Some("handle") => text_eq(&p.handle, value),
        Some("status") => text_eq("active", value),
        _ => return None,
    })
}

pub(crate) struct QueryRoot;

#[Object(name = "QueryRoot")]
impl QueryRoot {
    #[allow(clippy::too_many_arguments)]
    async fn product_variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductVariantSortKeys>,
    ) -> Result<Connection<String, VariantObj>> {
        let search = parse_search(ctx, query.as_deref(), &VARIANT_FILTERS);
        let d = shop(ctx).read();
        let key = sort_key.unwrap_or(ProductVariantSortKeys::Id);
        // An exact sku: or barcode: term narrows the scan to the index hits.
        let pinned: Option<Vec<u64>> = search.pinned("sku").map(|s| d.variant_by_sku(s)).or_else(|| {
            search.pinned("barcode").map(|b| d.barcode_index.get(&b.to_lowercase()).cloned().unwrap_or_default())
        });
        let candidates: Box<dyn Iterator<Item = &super::model::Variant>> = match &pinned {
            Some(ids) => Box::new(ids.iter().filter_map(|id| d.variants.get(id))),
            None => Box::new(d.variants.values()),
        };
        let keyed = candidates
            .filter(|v| search.matches(|f, op, value| variant_term(&d, v, f, op, value)))
            .map(|v| (variant_sort(&d, v, key), v.id))
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.variants.get(&id).cloned().map(VariantObj)))
    }

    async fn product_variant(&self, ctx: &Context<'_>, id: ID) -> Option<VariantObj> {
        shop(ctx).read().variants.get(&parse_gid(&id, "ProductVariant")?).cloned().map(VariantObj)
    }

    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductSortKeys>,
    ) -> Result<Connection<String, ProductObj>> {
        let search = parse_search(ctx, query.as_deref(), &PRODUCT_FILTERS);
        let d = shop(ctx).read();
        let pinned: Option<Vec<u64>> = search.pinned("sku").map(|s| {
            let mut ids: Vec<u64> =
                d.variant_by_sku(s).iter().filter_map(|v| d.variants.get(v)).map(|v| v.product_id).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        let candidates: Box<dyn Iterator<Item = &super::model::Product>> = match &pinned {
            Some(ids) => Box::new(ids.iter().filter_map(|id| d.products.get(id))),
            None => Box::new(d.products.values()),
        };
        let keyed = candidates
            .filter(|p| search.matches(|f, op, value| product_term(&d, p, f, op, value)))
            .map(|p| {
                let key = match sort_key.unwrap_or(ProductSortKeys::Id) {
                    ProductSortKeys::Id => SortValue::Int(p.id as i64),
                    ProductSortKeys::Title => SortValue::Text(p.title.to_lowercase()),
                    ProductSortKeys::Vendor => SortValue::Text(p.vendor.to_lowercase()),
                    ProductSortKeys::UpdatedAt => time_key(p.updated_at),
                    ProductSortKeys::CreatedAt => time_key(p.created_at),
                };
                (key, p.id)
            })
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.products.get(&id).cloned().map(ProductObj)))
    }

    async fn product(&self, ctx: &Context<'_>, id: ID) -> Option<ProductObj> {
        shop(ctx).read().products.get(&parse_gid(&id, "Product")?).cloned().map(ProductObj)
    }

    #[allow(clippy::too_many_arguments)]
    async fn inventory_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, ItemObj>> {
        let search = parse_search(ctx, query.as_deref(), &ITEM_FILTERS);
        let d = shop(ctx).read();
        let keyed = d
            .items
            .values()
            .filter(|i| {
                search.matches(|f, op, value| match f {
                    Some("sku") => Some(d.variants.get(&i.variant_id).is_some_and(|v| text_eq(&v.sku, value))),
                    Some("id") => number_matches(i.id as i64, op, value),
                    Some("created_at") => time_matches(i.created_at, op, value),
                    Some("updated_at") => time_matches(i.updated_at, op, value),
                    _ => None,
                })
            })
            .map(|i| (SortValue::Int(i.id as i64), i.id))
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.items.get(&id).cloned().map(ItemObj)))
    }

    async fn inventory_item(&self, ctx: &Context<'_>, id: ID) -> Option<ItemObj> {
        shop(ctx).read().items.get(&parse_gid(&id, "InventoryItem")?).cloned().map(ItemObj)
    }

    async fn inventory_level(&self, ctx: &Context<'_>, id: ID) -> Option<LevelObj> {
        let (group, item) = parse_level_gid(&id)?;
        let d = shop(ctx).read();
        let loc = d.location_by_group(group)?.id;
        let level = d.level(item, loc).filter(|l| l.active)?;
        Some(LevelObj { item_id: item, location_id: loc, level: level.clone() })
    }

    #[allow(clippy::too_many_arguments)]
    async fn locations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<LocationSortKeys>,
        include_inactive: Option<bool>,
        include_legacy: Option<bool>,
    ) -> Result<Connection<String, LocationObj>> {
        // The emulated shop has no legacy (fulfillment-app) locations to include.
        let _ = include_legacy;
        let search = parse_search(ctx, query.as_deref(), &LOCATION_FILTERS);
        let d = shop(ctx).read();
        let keyed = d
            .locations
            .values()
            .filter(|l| l.active || include_inactive.unwrap_or(false))
            .filter(|l| {
                search.matches(|f, op, value| match f {
                    Some("name") | None => Some(text_contains(&l.name, value)),
                    Some("id") => number_matches(l.id as i64, op, value),
                    Some("active") => Some(value.eq_ignore_ascii_case(if l.active { "true" } else { "false" })),
                    _ => None,
                })
            })
            .map(|l| match sort_key.unwrap_or(LocationSortKeys::Name) {
                LocationSortKeys::Name => (SortValue::Text(l.name.to_lowercase()), l.id),
                LocationSortKeys::Id => (SortValue::Int(l.id as i64), l.id),
            })
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.locations.get(&id).cloned().map(LocationObj)))
    }

    /// Without an id, the shop's primary location (the first one).
    async fn location(&self, ctx: &Context<'_>, id: Option<ID>) -> Option<LocationObj> {
        let d = shop(ctx).read();
        match id {
            Some(id) => d.locations.get(&parse_gid(&id, "Location")?).cloned().map(LocationObj),
            None => d.locations.values().next().cloned().map(LocationObj),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<OrderSortKeys>,
    ) -> Result<Connection<String, OrderObj>> {
        let search = parse_search(ctx, query.as_deref(), &ORDER_FILTERS);
        let d = shop(ctx).read();
        let keyed = d
            .orders
            .values()
            .filter(|o| search.matches(|f, op, value| order_term(o, f, op, value)))
            .map(|o| {
                let key = match sort_key.unwrap_or(OrderSortKeys::ProcessedAt) {
                    OrderSortKeys::ProcessedAt => time_key(o.processed_at),
                    OrderSortKeys::CreatedAt => time_key(o.created_at),
                    OrderSortKeys::UpdatedAt => time_key(o.updated_at),
                    OrderSortKeys::Id => SortValue::Int(o.id as i64),
                    OrderSortKeys::OrderNumber => SortValue::Int(o.number as i64),
                };
                (key, o.id)
            })
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.orders.get(&id).cloned().map(OrderObj)))
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> Option<OrderObj> {
        shop(ctx).read().orders.get(&parse_gid(&id, "Order")?).cloned().map(OrderObj)
    }

    #[graphql(name = "return")]
    async fn return_by_id(&self, ctx: &Context<'_>, id: ID) -> Option<ReturnObj> {
        match node_by_id(&shop(ctx).read(), &id)? {
            Node::Return(r) => Some(r),
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<CustomerSortKeys>,
    ) -> Result<Connection<String, CustomerObj>> {
        let search = parse_search(ctx, query.as_deref(), &CUSTOMER_FILTERS);
        let d = shop(ctx).read();
        let keyed = d
            .customers
            .values()
            .filter(|c| {
                search.matches(|f, op, value| match f {
                    Some("email") => Some(text_eq(&c.email, value)),
                    Some("first_name") => Some(text_eq(&c.first_name, value)),
                    Some("last_name") => Some(text_eq(&c.last_name, value)),
                    Some("updated_at") => time_matches(c.updated_at, op, value),
                    Some("created_at") => time_matches(c.created_at, op, value),
                    Some("id") => number_matches(c.id as i64, op, value),
                    None => Some(
                        text_contains(&c.email, value)
                            || text_contains(&format!("{} {}", c.first_name, c.last_name), value),
                    ),
                    _ => None,
                })
            })
            .map(|c| {
                let key = match sort_key.unwrap_or(CustomerSortKeys::Id) {
                    CustomerSortKeys::Id => SortValue::Int(c.id as i64),
                    CustomerSortKeys::Name => {
                        SortValue::Text(format!("{} {}", c.first_name, c.last_name).to_lowercase())
                    }
                    CustomerSortKeys::CreatedAt => time_key(c.created_at),
                    CustomerSortKeys::UpdatedAt => time_key(c.updated_at),
                };
                (key, c.id)
            })
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.customers.get(&id).cloned().map(CustomerObj)))
    }

    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Option<CustomerObj> {
        shop(ctx).read().customers.get(&parse_gid(&id, "Customer")?).cloned().map(CustomerObj)
    }

    #[allow(clippy::too_many_arguments)]
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<WebhookSubscriptionSortKeys>,
        topics: Option<Vec<WebhookSubscriptionTopic>>,
        format: Option<WebhookSubscriptionFormat>,
        uri: Option<String>,
        callback_url: Option<Url>,
    ) -> Result<Connection<String, SubscriptionObj>> {
        let d = shop(ctx).read();
        let wanted_uri = uri.or(callback_url.map(|u| u.0));
        let keyed = d
            .subscriptions
            .values()
            .filter(|s| topics.as_ref().is_none_or(|t| t.iter().any(|t| t.name() == s.topic)))
            .filter(|s| wanted_uri.as_ref().is_none_or(|u| *u == s.uri))
            .filter(|s| format.is_none_or(|f| (f == WebhookSubscriptionFormat::Json) == (s.format == "JSON")))
            .map(|s| match sort_key.unwrap_or(WebhookSubscriptionSortKeys::CreatedAt) {
                WebhookSubscriptionSortKeys::CreatedAt => (time_key(s.created_at), s.id),
                WebhookSubscriptionSortKeys::Id => (SortValue::Int(s.id as i64), s.id),
            })
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.subscriptions.get(&id).cloned().map(SubscriptionObj)))
    }

    async fn webhook_subscription(&self, ctx: &Context<'_>, id: ID) -> Option<SubscriptionObj> {
        shop(ctx).read().subscriptions.get(&parse_gid(&id, "WebhookSubscription")?).cloned().map(SubscriptionObj)
    }

    /// The most recent bulk operation of that type.
    async fn current_bulk_operation(&self, ctx: &Context<'_>, r#type: Option<BulkOperationType>) -> Option<BulkObj> {
        if r#type == Some(BulkOperationType::Mutation) {
            return None;
        }
        shop(ctx).read().bulk_operations.values().next_back().cloned().map(BulkObj)
    }

    /// Added in 2026-01 (not in the 2025-10 SDL; allow-listed in the contract test).
    async fn bulk_operation(&self, ctx: &Context<'_>, id: ID) -> Option<BulkObj> {
        shop(ctx).read().bulk_operations.get(&parse_gid(&id, "BulkOperation")?).cloned().map(BulkObj)
    }

    async fn node(&self, ctx: &Context<'_>, id: ID) -> Option<Node> {
        node_by_id(&shop(ctx).read(), &id)
    }

    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Vec<Option<Node>> {
        let d = shop(ctx).read();
        ids.iter().map(|id| node_by_id(&d, id)).collect()
    }

    async fn shop(&self) -> ShopObj {
        ShopObj
    }
}
