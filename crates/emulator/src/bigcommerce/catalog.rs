//! Catalog v3: products (`include=variants,options`, filters, single and batch updates) and
//! variants (listing and batch updates). Inventory in the catalog is the default location's.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::Shared;
use super::store::{Clock, Event, MAX_STOCK, Product, ReadTime, Store, Variant};
use super::wire::{
    Api, ApiError, ERROR_TYPE, Params, date_v3, decimal_of, json_response, money_v3, money_v3_opt, page_of, parse_body,
};

const PRODUCT_BATCH_MAX: usize = 10;
const VARIANT_BATCH_MAX: usize = 50;
/// Product fields the API computes or owns; a write to them is ignored.
const PRODUCT_READ_ONLY: &[&str] = &[
    "id",
    "date_created",
    "date_modified",
    "calculated_price",
    "base_variant_id",
    "variants",
    "options",
    "modifiers",
    "images",
    "videos",
    "custom_fields",
    "bulk_pricing_rules",
    "primary_image",
    "parent_relations",
    "reviews_rating_sum",
    "reviews_count",
    "total_sold",
    "view_count",
];
const VARIANT_READ_ONLY: &[&str] =
    &["id", "product_id", "sku_id", "calculated_price", "calculated_weight", "option_values"];

// ---------------------------------------------------------------- rendering

pub fn variant_json(store: &Store, v: &Variant, at: ReadTime) -> Value {
    let product = store.products.get(&v.product_id);
    let weight = v.weight.or_else(|| product.map(|p| p.weight)).unwrap_or_default();
    let option_values: Vec<Value> = v
        .option_values
        .iter()
        .map(|ov| json!({"id": ov.id, "label": ov.label, "option_id": ov.option_id, "option_display_name": ov.option_display_name}))
        .collect();
    let mut out = json!({
        "id": v.id,
        "product_id": v.product_id,
        "sku": v.sku,
        "sku_id": v.sku_id,
        "price": money_v3_opt(v.price),
        "calculated_price": money_v3(store.calculated_price(v)),
        "sale_price": money_v3_opt(v.sale_price),
        "retail_price": money_v3_opt(v.retail_price),
        "map_price": Value::Null,
        "weight": money_v3_opt(v.weight),
        "calculated_weight": money_v3(weight),
        "width": Value::Null,
        "height": Value::Null,
        "depth": Value::Null,
        "is_free_shipping": false,
        "fixed_cost_shipping_price": Value::Null,
        "purchasing_disabled": v.purchasing_disabled,
        "purchasing_disabled_message": v.purchasing_disabled_message,
        "image_url": "",
        "cost_price": money_v3_opt(v.cost_price),
        "upc": v.upc,
        "mpn": v.mpn,
        "gtin": v.gtin,
        "inventory_level": store.catalog_level(v, at),
        "inventory_warning_level": v.inventory_warning_level,
        "bin_picking_number": v.bin_picking_number,
        "option_values": option_values,
    });
    merge_extra(&mut out, &v.extra);
    out
}

fn option_json(p: &Product) -> Vec<Value> {
    p.options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let values: Vec<Value> = o
                .values
                .iter()
                .enumerate()
                .map(|(j, ov)| json!({"id": ov.id, "label": ov.label, "sort_order": j, "value_data": Value::Null, "is_default": false}))
                .collect();
            json!({
                "id": o.id,
                "product_id": p.id,
                "display_name": o.display_name,
                "type": "rectangles",
                "config": {},
                "sort_order": i,
                "option_values": values,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Includes {
    variants: bool,
    options: bool,
}

pub fn product_json(store: &Store, p: &Product, inc: Includes, at: ReadTime) -> Value {
    let calculated = if p.sale_price > Decimal::ZERO && p.sale_price < p.price { p.sale_price } else { p.price };
    let mut out = json!({
        "id": p.id,
        "name": p.name,
        "type": "physical",
        "sku": p.sku,
        "description": "",
        "weight": money_v3(p.weight),
        "width": 0,
        "depth": 0,
        "height": 0,
        "price": money_v3(p.price),
        "cost_price": money_v3(p.cost_price),
        "retail_price": money_v3(p.retail_price),
        "sale_price": money_v3(p.sale_price),
        "map_price": 0,
        "tax_class_id": 0,
        "product_tax_code": "",
        "calculated_price": money_v3(calculated),
        "categories": [],
        "brand_id": 0,
        "inventory_level": store.product_level(p, at),
        "inventory_warning_level": p.inventory_warning_level,
        "inventory_tracking": p.inventory_tracking,
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": p.total_sold,
        "fixed_cost_shipping_price": 0,
        "is_free_shipping": false,
        "is_visible": p.is_visible,
        "is_featured": false,
        "related_products": [],
        "warranty": "",
        "bin_picking_number": "",
        "layout_file": "product.html",
        "upc": p.upc,
        "mpn": p.mpn,
        "gtin": p.gtin,
    });
    // Split in two: one json! literal this long exceeds the macro recursion limit.
    let rest = json!({
        "search_keywords": "",
        "availability": "available",
        "availability_description": "",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": 0,
        "condition": "New",
        "is_condition_shown": false,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "date_created": date_v3(p.date_created),
        "date_modified": date_v3(p.date_modified),
        "view_count": 0,
        "preorder_release_date": Value::Null,
        "preorder_message": "",
        "is_preorder_only": false,
        "is_price_hidden": false,
        "price_hidden_label": "",
        "custom_url": {"url": format!("/products/{}/", p.id), "is_customized": false},
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": true,
        "open_graph_use_product_name": true,
        "open_graph_use_image": true,
    });
    merge_extra(&mut out, rest.as_object().unwrap_or(&Map::new()));
    if let (Some(base), Some(obj)) = (p.base_variant_id, out.as_object_mut()) {
        obj.insert("base_variant_id".into(), json!(base));
    }
    merge_extra(&mut out, &p.extra);
    if let Some(obj) = out.as_object_mut() {
        if inc.variants {
            let variants: Vec<Value> = p
                .variant_ids
                .iter()
                .filter_map(|id| store.variants.get(id))
                .map(|v| variant_json(store, v, at))
                .collect();
            obj.insert("variants".into(), Value::Array(variants));
        }
        if inc.options {
            obj.insert("options".into(), Value::Array(option_json(p)));
        }
    }
    out
}

fn merge_extra(out: &mut Value, extra: &Map<String, Value>) {
    if let Some(obj) = out.as_object_mut() {
        for (k, v) in extra {
            obj.insert(k.clone(), v.clone());
        }
    }
}

fn includes(params: &Params) -> Result<Includes, ApiError> {
    let mut inc = Includes::default();
    for item in params.list("include").unwrap_or_default() {
        match item.as_str() {
            "variants" => inc.variants = true,
            "options" => inc.options = true,
            // Valid per the spec; the emulator models none of them, so they add nothing.
            "bulk_pricing_rules" | "channels" | "custom_fields" | "images" | "modifiers" | "parent_relations"
            | "primary_image" | "reviews" | "videos" => {}
            other => {
                return Err(ApiError::v3(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "Query parameter \"include\" has an unknown value \"{other}\"; valid values include variants and options"
                    ),
                ));
            }
        }
    }
    Ok(inc)
}

fn read_time(shared: &Shared) -> ReadTime {
    ReadTime::stale_by(shared.faults.stale_read())
}

fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| ApiError::not_found(format!("{what} \"{raw}\"")))
}

// ---------------------------------------------------------------- products: read

pub async fn list_products(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let inc = includes(&params)?;
    let mut paging = params.paging(50, 250)?;
    if inc.options || params.list("include").unwrap_or_default().iter().any(|i| i == "modifiers") {
        // The spec: "When you specify options or modifiers, results are limited to 10 per page."
        paging.limit = paging.limit.min(10);
    }
    let now = Utc::now();
    let id_eq = params.int("id")?;
    let id_in = params.ints("id:in")?;
    let id_not_in = params.ints("id:not_in")?.unwrap_or_default();
    let id_min = params.int("id:min")?;
    let id_max = params.int("id:max")?;
    let id_greater = params.int("id:greater")?;
    let id_less = params.int("id:less")?;
    let sku = params.get("sku").map(str::to_string);
    let sku_in = params.list("sku:in");
    let name = params.get("name").map(str::to_string);
    let upc = params.get("upc").map(str::to_string);
    let mpn = params.get("mpn").map(str::to_string);
    let is_visible = params.bool("is_visible")?;
    let modified = params.date("date_modified", now)?;
    let modified_min = params.date("date_modified:min", now)?;
    let modified_max = params.date("date_modified:max", now)?;
    let tracking = params.get("inventory_tracking").map(str::to_string);
    let sort = params.get("sort").unwrap_or("id").to_string();
    let descending = match params.get("direction") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ApiError::v3(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Query parameter \"direction\" must be asc or desc; got \"{other}\""),
            ));
        }
    };
    let at = read_time(&shared);
    let store = shared.store();

    // Narrow by an index first so id:in and sku:in cost what they ask for, not a catalog scan.
    let candidates: Box<dyn Iterator<Item = &Product>> = if let Some(ids) = &id_in {
        let ids: BTreeSet<i64> = ids.iter().copied().collect();
        Box::new(ids.into_iter().filter_map(|id| store.products.get(&id)).collect::<Vec<_>>().into_iter())
    } else if let Some(skus) = sku_in.clone().or_else(|| sku.clone().map(|s| vec![s])) {
        let ids: BTreeSet<i64> =
            skus.iter().flat_map(|s| store.product_skus.get(s).into_iter().flatten().copied()).collect();
        Box::new(ids.into_iter().filter_map(|id| store.products.get(&id)).collect::<Vec<_>>().into_iter())
    } else {
        Box::new(store.products.values())
    };
    let matching = candidates.filter(|p| {
        id_eq.is_none_or(|id| p.id == id)
            && !id_not_in.contains(&p.id)
            && id_min.is_none_or(|m| p.id >= m)
            && id_max.is_none_or(|m| p.id <= m)
            && id_greater.is_none_or(|m| p.id > m)
            && id_less.is_none_or(|m| p.id < m)
            && sku.as_deref().is_none_or(|s| p.sku == s)
            && sku_in.as_ref().is_none_or(|list| list.contains(&p.sku))
            && name.as_deref().is_none_or(|n| p.name == n)
            && upc.as_deref().is_none_or(|u| p.upc == u)
            && mpn.as_deref().is_none_or(|m| p.mpn == m)
            && is_visible.is_none_or(|v| p.is_visible == v)
            && tracking.as_deref().is_none_or(|t| p.inventory_tracking == t)
            && modified.is_none_or(|d| p.date_modified == d)
            && modified_min.is_none_or(|d| p.date_modified >= d)
            && modified_max.is_none_or(|d| p.date_modified <= d)
    });
    let (page, total): (Vec<&Product>, usize) = if sort == "id" && !descending {
        page_of(matching, paging)
    } else {
        let mut all: Vec<&Product> = matching.collect();
        sort_products(&store, &mut all, &sort, at)?;
        if descending {
            all.reverse();
        }
        page_of(all.into_iter(), paging)
    };
    let data: Vec<Value> = page.iter().map(|p| product_json(&store, p, inc, at)).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

fn sort_products(store: &Store, items: &mut [&Product], sort: &str, at: ReadTime) -> Result<(), ApiError> {
    match sort {
        "id" => items.sort_by_key(|p| p.id),
        "name" => items.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
        "sku" => items.sort_by(|a, b| a.sku.cmp(&b.sku).then(a.id.cmp(&b.id))),
        "price" | "calculated_price" => items.sort_by(|a, b| a.price.cmp(&b.price).then(a.id.cmp(&b.id))),
        "date_modified" | "date_last_imported" => {
            items.sort_by(|a, b| a.date_modified.cmp(&b.date_modified).then(a.id.cmp(&b.id)))
        }
        "inventory_level" => items.sort_by_key(|p| (store.product_level(p, at), p.id)),
        "is_visible" => items.sort_by_key(|p| (p.is_visible, p.id)),
        "total_sold" => items.sort_by_key(|p| (p.total_sold, p.id)),
        other => {
            return Err(ApiError::v3(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Query parameter \"sort\" has an unknown value \"{other}\"; use id, name, sku, price, date_modified, inventory_level, is_visible or total_sold"
                ),
            ));
        }
    }
    Ok(())
}

pub async fn get_product(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let id = path_id(&raw, "Product")?;
    let params = Params::new(q, Api::V3);
    let inc = includes(&params)?;
    let at = read_time(&shared);
    let store = shared.store();
    let p = store.products.get(&id).ok_or_else(|| ApiError::not_found(format!("Product {id}")))?;
    Ok(json_response(StatusCode::OK, &json!({"data": product_json(&store, p, inc, at), "meta": {}})))
}

pub async fn list_product_variants(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let id = path_id(&raw, "Product")?;
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let at = read_time(&shared);
    let store = shared.store();
    let p = store.products.get(&id).ok_or_else(|| ApiError::not_found(format!("Product {id}")))?;
    let (page, total) = page_of(p.variant_ids.iter().filter_map(|vid| store.variants.get(vid)), paging);
    let data: Vec<Value> = page.iter().map(|v| variant_json(&store, v, at)).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

pub async fn list_variants(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::new(q, Api::V3);
    let paging = params.paging(50, 250)?;
    let id = params.int("id")?;
    let sku = params.get("sku").map(str::to_string);
    let upc = params.get("upc").map(str::to_string);
    let product_ids = params.ints("product_id:in")?;
    let at = read_time(&shared);
    let store = shared.store();
    let candidates: Box<dyn Iterator<Item = &Variant>> = if let Some(id) = id {
        Box::new(store.variants.get(&id).into_iter())
    } else if let Some(sku) = &sku {
        let ids: BTreeSet<i64> = store.variants_by_sku(sku).iter().copied().collect();
        Box::new(ids.into_iter().filter_map(|i| store.variants.get(&i)).collect::<Vec<_>>().into_iter())
    } else if let Some(pids) = &product_ids {
        let pids: BTreeSet<i64> = pids.iter().copied().collect();
        let mut ids: Vec<i64> =
            pids.iter().filter_map(|pid| store.products.get(pid)).flat_map(|p| p.variant_ids.iter().copied()).collect();
        ids.sort_unstable();
        Box::new(ids.into_iter().filter_map(|i| store.variants.get(&i)).collect::<Vec<_>>().into_iter())
    } else {
        Box::new(store.variants.values())
    };
    let matching = candidates.filter(|v| {
        sku.as_deref().is_none_or(|s| v.sku == s)
            && upc.as_deref().is_none_or(|u| v.upc == u)
            && product_ids.as_ref().is_none_or(|p| p.contains(&v.product_id))
    });
    let (page, total) = page_of(matching, paging);
    let data: Vec<Value> = page.iter().map(|v| variant_json(&store, v, at)).collect();
    let meta = paging.meta(total, data.len(), &params);
    Ok(json_response(StatusCode::OK, &json!({"data": data, "meta": meta})))
}

// ---------------------------------------------------------------- writes

/// Why one item of a write was refused.
#[derive(Debug)]
struct ItemError {
    status: StatusCode,
    message: String,
    fields: Map<String, Value>,
}

impl ItemError {
    fn new(status: StatusCode, message: impl Into<String>) -> ItemError {
        ItemError { status, message: message.into(), fields: Map::new() }
    }

    fn invalid(fields: Map<String, Value>, what: &str) -> ItemError {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        ItemError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("{what} has invalid fields: {}; correct them and send the item again", names.join(", ")),
            fields,
        }
    }

    fn into_api(self) -> ApiError {
        ApiError::v3(self.status, self.message).with_errors(self.fields)
    }
}

/// Reads typed fields out of a JSON object, collecting every problem before answering.
struct FieldReader<'a> {
    obj: &'a Map<String, Value>,
    errors: Map<String, Value>,
}

impl<'a> FieldReader<'a> {
    fn new(obj: &'a Map<String, Value>) -> FieldReader<'a> {
        FieldReader { obj, errors: Map::new() }
    }

    fn fail(&mut self, field: &str, why: &str) {
        self.errors.insert(field.to_string(), Value::String(why.to_string()));
    }

    fn string(&mut self, field: &str, min: usize, max: usize) -> Option<String> {
        match self.obj.get(field)? {
            Value::String(s) if s.chars().count() >= min && s.chars().count() <= max => Some(s.clone()),
            Value::String(_) => {
                self.fail(field, &format!("must be {min} to {max} characters"));
                None
            }
            _ => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    fn money(&mut self, field: &str) -> Option<Decimal> {
        let v = self.obj.get(field)?;
        match decimal_of(v) {
            Some(d) if d >= Decimal::ZERO => Some(d),
            _ => {
                self.fail(field, "must be a number of at least 0");
                None
            }
        }
    }

    /// `Some(None)` when the field is explicitly null (inherit from the product).
    fn nullable_money(&mut self, field: &str) -> Option<Option<Decimal>> {
        match self.obj.get(field)? {
            Value::Null => Some(None),
            _ => self.money(field).map(Some),
        }
    }

    fn integer(&mut self, field: &str) -> Option<i64> {
        match self.obj.get(field)?.as_i64() {
            Some(i) if i >= 0 => Some(i),
            _ => {
                self.fail(field, "must be an integer of at least 0");
                None
            }
        }
    }

    fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.obj.get(field)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.fail(field, "must be true or false");
                None
            }
        }
    }
}

/// Applies a product update (already known to exist). Nothing changes when it fails.
fn update_one_product(
    store: &mut Store,
    id: i64,
    obj: &Map<String, Value>,
    now: Instant,
    wall: DateTime<Utc>,
) -> Result<Vec<Event>, ItemError> {
    let Some(current) = store.products.get(&id) else {
        return Err(ItemError::new(
            StatusCode::NOT_FOUND,
            format!("Product {id} was not found; list products to find a valid id"),
        ));
    };
    let mut r = FieldReader::new(obj);
    let name = r.string("name", 1, 250);
    let sku = r.string("sku", 0, 255);
    let price = r.money("price");
    let sale_price = r.money("sale_price");
    let retail_price = r.money("retail_price");
    let cost_price = r.money("cost_price");
    let weight = r.money("weight");
    let upc = r.string("upc", 0, 14);
    let gtin = r.string("gtin", 0, 14);
    let mpn = r.string("mpn", 0, 255);
    let inventory_level = r.integer("inventory_level");
    let warning = r.integer("inventory_warning_level");
    let is_visible = r.boolean("is_visible");
    let tracking = r.string("inventory_tracking", 1, 20);
    if let Some(t) = &tracking {
        if !["none", "product", "variant"].contains(&t.as_str()) {
            r.fail("inventory_tracking", "must be none, product or variant");
        } else if t == "product" && !current.options.is_empty() {
            r.fail(
                "inventory_tracking",
                "the emulator keeps stock per variant for a product with options; use variant or none",
            );
        } else if t == "variant" && current.options.is_empty() {
            r.fail("inventory_tracking", "a product without options tracks by product; use product or none");
        }
    }
    if !r.errors.is_empty() {
        return Err(ItemError::invalid(r.errors, &format!("Product {id}")));
    }
    if let Some(n) = &name
        && store.products.values().any(|p| p.id != id && p.name == *n)
    {
        return Err(ItemError::new(
            StatusCode::CONFLICT,
            format!("Product {id}: the name \"{n}\" is already used by another product; product names are unique"),
        ));
    }
    if let Some(s) = &sku
        && *s != current.sku
        && store.sku_taken(s, Some(id), None)
    {
        return Err(ItemError::new(
            StatusCode::CONFLICT,
            format!("Product {id}: the SKU \"{s}\" is already used by another product or variant; SKUs are unique"),
        ));
    }

    let before = store.products.get(&id).cloned();
    let old_sku = current.sku.clone();
    let base_variant = current.base_variant_id;
    let default_location = store.default_location;
    let mut events = Vec::new();
    if let Some(p) = store.products.get_mut(&id) {
        if let Some(v) = name {
            p.name = v;
        }
        if let Some(v) = &sku {
            p.sku = v.clone();
        }
        if let Some(v) = price {
            p.price = v;
        }
        if let Some(v) = sale_price {
            p.sale_price = v;
        }
        if let Some(v) = retail_price {
            p.retail_price = v;
        }
        if let Some(v) = cost_price {
            p.cost_price = v;
        }
        if let Some(v) = weight {
            p.weight = v;
        }
        if let Some(v) = upc {
            p.upc = v;
        }
        if let Some(v) = gtin {
            p.gtin = v;
        }
        if let Some(v) = mpn {
            p.mpn = v;
        }
        if let Some(v) = warning {
            p.inventory_warning_level = v;
        }
        if let Some(v) = is_visible {
            p.is_visible = v;
        }
        if let Some(v) = tracking {
            p.inventory_tracking = v;
        }
        for (k, v) in obj {
            let modelled = [
                "name",
                "sku",
                "price",
                "sale_price",
                "retail_price",
                "cost_price",
                "weight",
                "upc",
                "gtin",
                "mpn",
                "inventory_level",
                "inventory_warning_level",
                "is_visible",
                "inventory_tracking",
            ];
            if !modelled.contains(&k.as_str()) && !PRODUCT_READ_ONLY.contains(&k.as_str()) {
                p.extra.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(new_sku) = &sku
        && *new_sku != old_sku
    {
        store.reindex_product_sku(id, &old_sku, new_sku);
        // The base variant of a product without options carries the product's SKU.
        if let Some(base) = base_variant {
            let old_variant_sku = store.variants.get(&base).map(|v| v.sku.clone()).unwrap_or_default();
            if let Some(v) = store.variants.get_mut(&base) {
                v.sku = new_sku.clone();
            }
            store.reindex_variant_sku(base, &old_variant_sku, new_sku);
        }
    }
    let changed = before.as_ref().is_some_and(|b| product_fields_differ(b, store.products.get(&id)));
    if changed {
        if let Some(p) = store.products.get_mut(&id) {
            p.date_modified = wall;
        }
        events.push(Event::new("store/product/updated", json!({"type": "product", "id": id})));
    }
    // The catalog writes inventory through the Inventory API: an absolute set at the default
    // location, clamped to the limit rather than refused.
    if let (Some(level), Some(base)) = (inventory_level, base_variant) {
        let tracked = store.products.get(&id).is_some_and(|p| p.inventory_tracking != "none");
        if tracked {
            events.extend(store.set_stock(
                base,
                default_location,
                level.min(MAX_STOCK),
                "absolute",
                false,
                Clock { now, wall },
            ));
        }
    }
    Ok(events)
}

fn product_fields_differ(a: &Product, b: Option<&Product>) -> bool {
    let Some(b) = b else { return false };
    a.name != b.name
        || a.sku != b.sku
        || a.price != b.price
        || a.sale_price != b.sale_price
        || a.retail_price != b.retail_price
        || a.cost_price != b.cost_price
        || a.weight != b.weight
        || a.upc != b.upc
        || a.gtin != b.gtin
        || a.mpn != b.mpn
        || a.inventory_warning_level != b.inventory_warning_level
        || a.is_visible != b.is_visible
        || a.inventory_tracking != b.inventory_tracking
        || a.extra != b.extra
}

pub async fn update_product(
    State(shared): State<Arc<Shared>>,
    Path((_, raw)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = path_id(&raw, "Product")?;
    let input: Value = parse_body(&body, Api::V3)?;
    let Some(obj) = input.as_object() else {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request body must be a JSON object of product fields",
        ));
    };
    let wall = Utc::now();
    let (events, body) = {
        let mut store = shared.store();
        let events = update_one_product(&mut store, id, obj, Instant::now(), wall).map_err(ItemError::into_api)?;
        let p = store.products.get(&id).ok_or_else(|| ApiError::not_found(format!("Product {id}")))?;
        (events, json!({"data": product_json(&store, p, Includes::default(), ReadTime::Now), "meta": {}}))
    };
    shared.emit(events);
    Ok(json_response(StatusCode::OK, &body))
}

/// Answers a batch: 200 when every item applied, 207 with per-item errors when some did (the
/// rest are applied), and an error status when none did.
fn batch_response(
    applied: Vec<Value>,
    failures: Vec<(usize, ItemError)>,
    noun: &str,
    batch_errors_shape: bool,
) -> Response {
    if failures.is_empty() {
        return json_response(StatusCode::OK, &json!({"data": applied, "meta": {}}));
    }
    let mut errors = Map::new();
    for (index, e) in &failures {
        let mut message = e.message.clone();
        if !e.fields.is_empty() {
            let details: Vec<String> =
                e.fields.iter().map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or_default())).collect();
            message = format!("{message} ({})", details.join("; "));
        }
        errors.insert(format!("items[{index}]"), Value::String(message));
    }
    let failed = failures.len();
    if applied.is_empty() {
        let status = if failures.iter().all(|(_, e)| e.status == StatusCode::NOT_FOUND) {
            StatusCode::NOT_FOUND
        } else if failures.iter().all(|(_, e)| e.status == StatusCode::CONFLICT) {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let title =
            format!("None of the {failed} {noun} were updated; fix the items named in errors and send them again");
        if batch_errors_shape && status == StatusCode::UNPROCESSABLE_ENTITY {
            let batch_errors: Vec<Value> = failures
                .iter()
                .map(|(i, e)| json!({"status": e.status.as_u16(), "title": format!("items[{i}]: {}", e.message), "type": ERROR_TYPE, "errors": e.fields}))
                .collect();
            return json_response(status, &json!({"batch_errors": batch_errors}));
        }
        return json_response(
            status,
            &json!({"status": status.as_u16(), "title": title, "type": ERROR_TYPE, "errors": errors}),
        );
    }
    let total = applied.len() + failed;
    json_response(
        StatusCode::MULTI_STATUS,
        &json!({
            "data": applied,
            "errors": {
                "status": StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                "title": format!("{failed} of {total} {noun} were not updated; the others were applied. Fix the items named in errors and send only those again"),
                "type": ERROR_TYPE,
                "errors": errors,
            },
            "meta": {},
        }),
    )
}

fn batch_items(input: &Value, max: usize, noun: &str) -> Result<Vec<Value>, ApiError> {
    let Some(items) = input.as_array() else {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The request body must be a JSON array of {noun}"),
        ));
    };
    if items.len() > max {
        return Err(ApiError::v3(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request payload is too large. The maximum items allowed in the array is {max}; split the batch"
            ),
        ));
    }
    if items.is_empty() {
        return Err(ApiError::v3(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("The batch is empty; send 1 to {max} {noun}"),
        ));
    }
    Ok(items.clone())
}

fn item_id(item: &Value, noun: &str) -> Result<i64, ItemError> {
    item.get("id").and_then(Value::as_i64).ok_or_else(|| {
        ItemError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Each {noun} in a batch update needs its integer id"))
    })
}

pub async fn update_products(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let items = batch_items(&input, PRODUCT_BATCH_MAX, "products")?;
    let wall = Utc::now();
    let now = Instant::now();
    let mut events = Vec::new();
    let mut applied = Vec::new();
    let mut failures = Vec::new();
    {
        let mut store = shared.store();
        for (index, item) in items.iter().enumerate() {
            let result = item_id(item, "product").and_then(|id| {
                let obj = item.as_object().cloned().unwrap_or_default();
                update_one_product(&mut store, id, &obj, now, wall).map(|ev| (id, ev))
            });
            match result {
                Ok((id, ev)) => {
                    events.extend(ev);
                    if let Some(p) = store.products.get(&id) {
                        applied.push(product_json(&store, p, Includes::default(), ReadTime::Now));
                    }
                }
                Err(e) => failures.push((index, e)),
            }
        }
    }
    shared.emit(events);
    Ok(batch_response(applied, failures, "products", false))
}

/// Applies a variant update (by id). Nothing changes when it fails.
fn update_one_variant(
    store: &mut Store,
    obj: &Map<String, Value>,
    now: Instant,
    wall: DateTime<Utc>,
) -> Result<(i64, Vec<Event>), ItemError> {
    let id = item_id(&Value::Object(obj.clone()), "variant")?;
    let Some(current) = store.variants.get(&id).cloned() else {
        return Err(ItemError::new(
            StatusCode::NOT_FOUND,
            format!("Variant {id} was not found; list variants to find a valid id"),
        ));
    };
    if let Some(pid) = obj.get("product_id").and_then(Value::as_i64)
        && pid != current.product_id
    {
        return Err(ItemError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Variant {id} belongs to product {}; a variant cannot move to another product", current.product_id),
        ));
    }
    let mut r = FieldReader::new(obj);
    let sku = r.string("sku", 1, 255);
    let upc = r.string("upc", 0, 14);
    let gtin = r.string("gtin", 0, 14);
    let mpn = r.string("mpn", 0, 255);
    let price = r.nullable_money("price");
    let sale_price = r.nullable_money("sale_price");
    let retail_price = r.nullable_money("retail_price");
    let cost_price = r.nullable_money("cost_price");
    let weight = r.nullable_money("weight");
    let inventory_level = r.integer("inventory_level");
    let warning = r.integer("inventory_warning_level");
    let purchasing_disabled = r.boolean("purchasing_disabled");
    let purchasing_disabled_message = r.string("purchasing_disabled_message", 0, 255);
    let bin_picking_number = r.string("bin_picking_number", 0, 255);
    if !r.errors.is_empty() {
        return Err(ItemError::invalid(r.errors, &format!("Variant {id}")));
    }
    let is_base = current.option_values.is_empty();
    if let Some(s) = &sku {
        let owner = is_base.then_some(current.product_id);
        if *s != current.sku && store.sku_taken(s, owner, Some(id)) {
            return Err(ItemError::new(
                StatusCode::CONFLICT,
                format!("Variant {id}: the SKU \"{s}\" is already used by another product or variant; SKUs are unique"),
            ));
        }
    }
    let mut events = Vec::new();
    let mut changed = false;
    if let Some(v) = store.variants.get_mut(&id) {
        macro_rules! assign {
            ($field:ident, $value:expr) => {
                if let Some(x) = $value {
                    if v.$field != x {
                        v.$field = x;
                        changed = true;
                    }
                }
            };
        }
        assign!(upc, upc);
        assign!(gtin, gtin);
        assign!(mpn, mpn);
        assign!(price, price);
        assign!(sale_price, sale_price);
        assign!(retail_price, retail_price);
        assign!(cost_price, cost_price);
        assign!(weight, weight);
        assign!(inventory_warning_level, warning);
        assign!(purchasing_disabled, purchasing_disabled);
        assign!(purchasing_disabled_message, purchasing_disabled_message);
        assign!(bin_picking_number, bin_picking_number);
        for (k, val) in obj {
            let modelled = [
                "sku",
                "upc",
                "gtin",
                "mpn",
                "price",
                "sale_price",
                "retail_price",
                "cost_price",
                "weight",
                "inventory_level",
                "inventory_warning_level",
                "purchasing_disabled",
                "purchasing_disabled_message",
                "bin_picking_number",
            ];
            if !modelled.contains(&k.as_str())
                && !VARIANT_READ_ONLY.contains(&k.as_str())
                && v.extra.get(k) != Some(val)
            {
                v.extra.insert(k.clone(), val.clone());
                changed = true;
            }
        }
    }
    if let Some(new_sku) = sku
        && new_sku != current.sku
    {
        if let Some(v) = store.variants.get_mut(&id) {
            v.sku = new_sku.clone();
        }
        store.reindex_variant_sku(id, &current.sku, &new_sku);
        if is_base {
            let old_product_sku = store.products.get(&current.product_id).map(|p| p.sku.clone()).unwrap_or_default();
            if let Some(p) = store.products.get_mut(&current.product_id) {
                p.sku = new_sku.clone();
            }
            store.reindex_product_sku(current.product_id, &old_product_sku, &new_sku);
        }
        changed = true;
    }
    if changed {
        if let Some(p) = store.products.get_mut(&current.product_id) {
            p.date_modified = wall;
        }
        events.push(Event::new("store/product/updated", json!({"type": "product", "id": current.product_id})));
        if let Some(sku_id) = current.sku_id {
            events.push(Event::new(
                "store/sku/updated",
                json!({"type": "sku", "id": sku_id, "sku": {"product_id": current.product_id, "variant_id": id}}),
            ));
        }
    }
    if let Some(level) = inventory_level {
        let tracked = store.products.get(&current.product_id).is_some_and(|p| p.inventory_tracking != "none");
        if tracked {
            let location = store.default_location;
            events.extend(store.set_stock(id, location, level.min(MAX_STOCK), "absolute", false, Clock { now, wall }));
        }
    }
    Ok((id, events))
}

pub async fn update_variants(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let input: Value = parse_body(&body, Api::V3)?;
    let items = batch_items(&input, VARIANT_BATCH_MAX, "variants")?;
    let wall = Utc::now();
    let now = Instant::now();
    let mut events = Vec::new();
    let mut applied = Vec::new();
    let mut failures = Vec::new();
    {
        let mut store = shared.store();
        for (index, item) in items.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                failures.push((
                    index,
                    ItemError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Each item must be a JSON object of variant fields",
                    ),
                ));
                continue;
            };
            if obj.get("id").is_none() && obj.contains_key("product_id") {
                failures.push((
                    index,
                    ItemError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Creating variants through the batch is not supported by the emulator; update existing variants by id",
                    ),
                ));
                continue;
            }
            match update_one_variant(&mut store, obj, now, wall) {
                Ok((id, ev)) => {
                    events.extend(ev);
                    if let Some(v) = store.variants.get(&id) {
                        applied.push(variant_json(&store, v, ReadTime::Now));
                    }
                }
                Err(e) => failures.push((index, e)),
            }
        }
    }
    shared.emit(events);
    Ok(batch_response(applied, failures, "variants", true))
}
