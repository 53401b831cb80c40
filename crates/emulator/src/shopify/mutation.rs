//! `Mutation`: inventory writes with compare-and-swap and `@idempotent`, catalog writes,
//! refunds, webhook subscriptions and bulk queries.

use async_graphql::{
    Context, CustomDirective, Directive, ErrorExtensions, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};

use super::bulk;
use super::inventory::{
    self, AdjustRequest, ChangeRequest, Given, InventoryError, InventoryOutcome, QuantityRequest, SetRequest,
};
use super::model::{RestockType, SubscriptionRec, gid, parse_gid};
use super::orders::{self, RefundLineRequest, RefundMoney, RefundRequest, TxRequest};
use super::scalars::{
    InventoryAdjustQuantitiesUserErrorCode, InventorySetQuantitiesUserErrorCode, Money, OrderTransactionKind,
    ProductVariantsBulkUpdateUserErrorCode, RefundLineItemRestockType, Url, WebhookSubscriptionFormat,
    WebhookSubscriptionTopic, enum_from_code,
};
use super::state::{Remembered, RememberedResult, request_info, shop};
use super::types::{
    AdjustmentGroupObj, BulkObj, LevelObj, OrderObj, ProductObj, RefundObj, SubscriptionObj, VariantObj,
};
use super::version::ApiVersion;

// ---------------------------------------------------------------- @idempotent

/// The `@idempotent(key:)` directive. Declaring it lets queries carry it past validation; the
/// mutations that honour it read the key from their field.
pub(crate) struct IdempotentDirective;

impl CustomDirective for IdempotentDirective {}

#[Directive(location = "Field")]
pub(crate) fn idempotent(key: String) -> impl CustomDirective {
    // The key is read by the mutation itself (see `idempotency_key`), which knows its arguments.
    let _ = key;
    IdempotentDirective
}

fn idempotency_key(ctx: &Context<'_>) -> Result<Option<String>> {
    for directive in ctx.field().directives()? {
        if directive.name.node.as_str() == "idempotent" {
            for (name, value) in &directive.arguments {
                if name.node.as_str() == "key"
                    && let async_graphql::Value::String(key) = &value.node
                {
                    return Ok(Some(key.clone()));
                }
            }
        }
    }
    Ok(None)
}

fn version(ctx: &Context<'_>) -> ApiVersion {
    request_info(ctx).map(|i| i.version.clone()).unwrap_or_else(ApiVersion::unstable)
}

enum Idempotent {
    Fresh(Remembered),
    Replayed(Remembered),
    /// The key was used before with other arguments.
    Mismatch,
}

/// Runs `run` under the mutation's idempotency key: a key seen before with the same
/// arguments returns the first result without running again. Only successful results are
/// remembered, since a failed attempt changed nothing and may be retried as is.
fn with_idempotency(
    ctx: &Context<'_>,
    mutation: &str,
    run: impl FnOnce() -> Remembered,
    succeeded: impl Fn(&Remembered) -> bool,
) -> Result<Idempotent> {
    let key = idempotency_key(ctx)?;
    let Some(key) = key else {
        if version(ctx).idempotency_mandatory() {
            return Err(async_graphql::Error::new(format!(
                "{mutation} requires an idempotency key as of API version 2026-04: add @idempotent(key: \"<a new UUID>\") after the field's arguments, and send the same key again only when retrying the same request."
            ))
            .extend_with(|_, e| e.set("code", "BAD_REQUEST")));
        }
        return Ok(Idempotent::Fresh(run()));
    };
    let fingerprint = format!("{mutation} {:?}", ctx.field().arguments()?);
    let state = shop(ctx);
    // Held while running, so a concurrent retry with the same key waits for the first.
    let mut memo = state.idempotency();
    if let Some(previous) = memo.get(&key) {
        if previous.fingerprint != fingerprint {
            return Ok(Idempotent::Mismatch);
        }
        return Ok(Idempotent::Replayed(previous.result.clone()));
    }
    let result = run();
    if succeeded(&result) {
        memo.insert(key, RememberedResult { fingerprint, result: result.clone() });
    }
    Ok(Idempotent::Fresh(result))
}

fn mismatch_error() -> InventoryError {
    InventoryError {
        field: vec![],
        message: "The same idempotency key cannot be used with different operation parameters: use a new key for a new operation.".into(),
        code: Some("IDEMPOTENCY_KEY_PARAMETER_MISMATCH"),
    }
}

// ---------------------------------------------------------------- inputs

#[derive(InputObject)]
#[graphql(name = "InventoryQuantityInput")]
pub(crate) struct InventoryQuantityInput {
    inventory_item_id: ID,
    location_id: ID,
    quantity: i32,
    /// Before 2026-01 (deprecated after).
    compare_quantity: Option<i32>,
    /// 2026-01+; mandatory from 2026-04 (explicit null skips the check). Allow-listed in the
    /// contract test: not in the 2025-10 SDL.
    change_from_quantity: MaybeUndefined<i32>,
}

#[derive(InputObject)]
#[graphql(name = "InventorySetQuantitiesInput")]
pub(crate) struct InventorySetQuantitiesInput {
    name: String,
    reason: String,
    reference_document_uri: Option<String>,
    ignore_compare_quantity: Option<bool>,
    quantities: Vec<InventoryQuantityInput>,
}

#[derive(InputObject)]
#[graphql(name = "InventoryChangeInput")]
pub(crate) struct InventoryChangeInput {
    inventory_item_id: ID,
    location_id: ID,
    delta: i32,
    ledger_document_uri: Option<String>,
    /// 2026-04 (allow-listed in the contract test).
    change_from_quantity: MaybeUndefined<i32>,
}

#[derive(InputObject)]
#[graphql(name = "InventoryAdjustQuantitiesInput")]
pub(crate) struct InventoryAdjustQuantitiesInput {
    name: String,
    reason: String,
    reference_document_uri: Option<String>,
    changes: Vec<InventoryChangeInput>,
}

#[derive(InputObject)]
#[graphql(name = "InventoryItemInput")]
pub(crate) struct InventoryItemInput {
    sku: Option<String>,
    tracked: Option<bool>,
}

#[derive(InputObject)]
#[graphql(name = "ProductVariantsBulkInput")]
pub(crate) struct ProductVariantsBulkInput {
    id: Option<ID>,
    price: Option<Money>,
    compare_at_price: MaybeUndefined<Money>,
    barcode: MaybeUndefined<String>,
    inventory_item: Option<InventoryItemInput>,
}

#[derive(InputObject)]
#[graphql(name = "ProductUpdateInput")]
pub(crate) struct ProductUpdateInput {
    id: Option<ID>,
    title: Option<String>,
    handle: Option<String>,
    vendor: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "RefundLineItemInput")]
pub(crate) struct RefundLineItemInput {
    line_item_id: ID,
    quantity: i32,
    restock_type: Option<RefundLineItemRestockType>,
    location_id: Option<ID>,
}

#[derive(InputObject)]
#[graphql(name = "OrderTransactionInput")]
pub(crate) struct OrderTransactionInput {
    amount: Money,
    gateway: String,
    kind: OrderTransactionKind,
    order_id: ID,
    parent_id: Option<ID>,
}

#[derive(InputObject)]
#[graphql(name = "RefundInput")]
pub(crate) struct RefundInput {
    order_id: ID,
    note: Option<String>,
    notify: Option<bool>,
    refund_line_items: Option<Vec<RefundLineItemInput>>,
    transactions: Option<Vec<OrderTransactionInput>>,
    allow_over_refunding: Option<bool>,
}

#[derive(InputObject)]
#[graphql(name = "WebhookSubscriptionInput")]
pub(crate) struct WebhookSubscriptionInput {
    uri: Option<String>,
    /// Deprecated (the only address field in 2025-01).
    callback_url: Option<Url>,
    format: Option<WebhookSubscriptionFormat>,
    include_fields: Option<Vec<String>>,
    filter: Option<String>,
}

// ---------------------------------------------------------------- payloads

#[derive(SimpleObject, Clone)]
#[graphql(name = "UserError")]
pub(crate) struct UserError {
    field: Option<Vec<String>>,
    message: String,
}

impl UserError {
    fn new(field: &[&str], message: impl Into<String>) -> UserError {
        UserError { field: Some(field.iter().map(|s| s.to_string()).collect()), message: message.into() }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventorySetQuantitiesUserError")]
pub(crate) struct InventorySetQuantitiesUserError {
    field: Option<Vec<String>>,
    message: String,
    code: Option<InventorySetQuantitiesUserErrorCode>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventorySetQuantitiesPayload")]
pub(crate) struct InventorySetQuantitiesPayload {
    inventory_adjustment_group: Option<AdjustmentGroupObj>,
    user_errors: Vec<InventorySetQuantitiesUserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventoryAdjustQuantitiesUserError")]
pub(crate) struct InventoryAdjustQuantitiesUserError {
    field: Option<Vec<String>>,
    message: String,
    code: Option<InventoryAdjustQuantitiesUserErrorCode>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventoryAdjustQuantitiesPayload")]
pub(crate) struct InventoryAdjustQuantitiesPayload {
    inventory_adjustment_group: Option<AdjustmentGroupObj>,
    user_errors: Vec<InventoryAdjustQuantitiesUserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventoryActivatePayload")]
pub(crate) struct InventoryActivatePayload {
    inventory_level: Option<LevelObj>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProductVariantsBulkUpdateUserError")]
pub(crate) struct ProductVariantsBulkUpdateUserError {
    field: Option<Vec<String>>,
    message: String,
    code: Option<ProductVariantsBulkUpdateUserErrorCode>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProductVariantsBulkUpdatePayload")]
pub(crate) struct ProductVariantsBulkUpdatePayload {
    product: Option<ProductObj>,
    product_variants: Option<Vec<VariantObj>>,
    user_errors: Vec<ProductVariantsBulkUpdateUserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProductUpdatePayload")]
pub(crate) struct ProductUpdatePayload {
    product: Option<ProductObj>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "RefundCreatePayload")]
pub(crate) struct RefundCreatePayload {
    order: Option<OrderObj>,
    refund: Option<RefundObj>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookSubscriptionCreatePayload")]
pub(crate) struct WebhookSubscriptionCreatePayload {
    webhook_subscription: Option<SubscriptionObj>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookSubscriptionDeletePayload")]
pub(crate) struct WebhookSubscriptionDeletePayload {
    deleted_webhook_subscription_id: Option<ID>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "BulkOperationUserError")]
pub(crate) struct BulkOperationUserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: Option<super::scalars::BulkOperationUserErrorCode>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "BulkOperationRunQueryPayload")]
pub(crate) struct BulkOperationRunQueryPayload {
    pub bulk_operation: Option<BulkObj>,
    pub user_errors: Vec<BulkOperationUserError>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "BulkOperationCancelPayload")]
pub(crate) struct BulkOperationCancelPayload {
    bulk_operation: Option<BulkObj>,
    user_errors: Vec<UserError>,
}

fn set_payload(outcome: InventoryOutcome) -> InventorySetQuantitiesPayload {
    InventorySetQuantitiesPayload {
        inventory_adjustment_group: outcome.group.map(AdjustmentGroupObj),
        user_errors: outcome
            .errors
            .into_iter()
            .map(|e| InventorySetQuantitiesUserError {
                field: Some(e.field),
                message: e.message,
                code: e.code.and_then(enum_from_code),
            })
            .collect(),
    }
}

fn adjust_payload(outcome: InventoryOutcome) -> InventoryAdjustQuantitiesPayload {
    InventoryAdjustQuantitiesPayload {
        inventory_adjustment_group: outcome.group.map(AdjustmentGroupObj),
        user_errors: outcome
            .errors
            .into_iter()
            .map(|e| InventoryAdjustQuantitiesUserError {
                field: Some(e.field),
                message: e.message,
                code: e.code.and_then(enum_from_code),
            })
            .collect(),
    }
}

fn given(value: &MaybeUndefined<i32>) -> Given<i64> {
    match value {
        MaybeUndefined::Undefined => Given::Omitted,
        MaybeUndefined::Null => Given::Null,
        MaybeUndefined::Value(v) => Given::Value(*v as i64),
    }
}

fn inventory_outcome(r: Remembered) -> InventoryOutcome {
    match r {
        Remembered::Inventory(o) => o,
        Remembered::Refund { .. } => InventoryOutcome { group: None, errors: vec![] },
    }
}

pub(crate) struct MutationRoot;

#[Object(name = "Mutation")]
impl MutationRoot {
    /// Sets absolute quantities. Compare-and-swap per row; nothing is applied if any row fails.
    async fn inventory_set_quantities(
        &self,
        ctx: &Context<'_>,
        input: InventorySetQuantitiesInput,
    ) -> Result<Option<InventorySetQuantitiesPayload>> {
        let req = SetRequest {
            name: input.name,
            reason: input.reason,
            reference_document_uri: input.reference_document_uri,
            ignore_compare_quantity: input.ignore_compare_quantity.unwrap_or(false),
            quantities: input
                .quantities
                .iter()
                .map(|q| QuantityRequest {
                    item: parse_gid(&q.inventory_item_id, "InventoryItem"),
                    location: parse_gid(&q.location_id, "Location"),
                    quantity: q.quantity as i64,
                    compare_quantity: q.compare_quantity.map(i64::from),
                    change_from: given(&q.change_from_quantity),
                })
                .collect(),
        };
        let v = version(ctx);
        let state = shop(ctx);
        let outcome = with_idempotency(
            ctx,
            "inventorySetQuantities",
            || Remembered::Inventory(inventory::set_quantities(&mut state.write(), &v, &req, state.now())),
            |r| matches!(r, Remembered::Inventory(o) if o.errors.is_empty()),
        )?;
        Ok(Some(match outcome {
            Idempotent::Fresh(r) | Idempotent::Replayed(r) => set_payload(inventory_outcome(r)),
            Idempotent::Mismatch => set_payload(InventoryOutcome { group: None, errors: vec![mismatch_error()] }),
        }))
    }

    /// Adjusts quantities by deltas, with the same rules.
    async fn inventory_adjust_quantities(
        &self,
        ctx: &Context<'_>,
        input: InventoryAdjustQuantitiesInput,
    ) -> Result<Option<InventoryAdjustQuantitiesPayload>> {
        let req = AdjustRequest {
            name: input.name,
            reason: input.reason,
            reference_document_uri: input.reference_document_uri,
            changes: input
                .changes
                .iter()
                .map(|c| ChangeRequest {
                    item: parse_gid(&c.inventory_item_id, "InventoryItem"),
                    location: parse_gid(&c.location_id, "Location"),
                    delta: c.delta as i64,
                    ledger_document_uri: c.ledger_document_uri.clone(),
                    change_from: given(&c.change_from_quantity),
                })
                .collect(),
        };
        let v = version(ctx);
        let state = shop(ctx);
        let outcome = with_idempotency(
            ctx,
            "inventoryAdjustQuantities",
            || Remembered::Inventory(inventory::adjust_quantities(&mut state.write(), &v, &req, state.now())),
            |r| matches!(r, Remembered::Inventory(o) if o.errors.is_empty()),
        )?;
        Ok(Some(match outcome {
            Idempotent::Fresh(r) | Idempotent::Replayed(r) => adjust_payload(inventory_outcome(r)),
            Idempotent::Mismatch => adjust_payload(InventoryOutcome { group: None, errors: vec![mismatch_error()] }),
        }))
    }

    /// Stocks an item at a location; `available` applies only if it was not stocked there.
    async fn inventory_activate(
        &self,
        ctx: &Context<'_>,
        inventory_item_id: ID,
        location_id: ID,
        available: Option<i32>,
        on_hand: Option<i32>,
    ) -> Option<InventoryActivatePayload> {
        let state = shop(ctx);
        let item = parse_gid(&inventory_item_id, "InventoryItem");
        let loc = parse_gid(&location_id, "Location");
        let mut d = state.write();
        let (Some(item), Some(loc)) =
            (item.filter(|i| d.items.contains_key(i)), loc.filter(|l| d.locations.contains_key(l)))
        else {
            return Some(InventoryActivatePayload {
                inventory_level: None,
                user_errors: vec![UserError::new(
                    &["inventoryItemId"],
                    "The inventory item or the location could not be found.",
                )],
            });
        };
        // A fresh level holds nothing but `available`, so an on_hand figure sets it too.
        d.activate(item, loc, available.or(on_hand).map(i64::from), state.now());
        let level = d.level(item, loc).cloned().map(|level| LevelObj { item_id: item, location_id: loc, level });
        Some(InventoryActivatePayload { inventory_level: level, user_errors: vec![] })
    }

    /// Updates variants of one product. All-or-nothing unless allowPartialUpdates.
    async fn product_variants_bulk_update(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        variants: Vec<ProductVariantsBulkInput>,
        allow_partial_updates: Option<bool>,
    ) -> Option<ProductVariantsBulkUpdatePayload> {
        let state = shop(ctx);
        let now = state.now();
        let mut d = state.write();
        let error = |field: Vec<String>, code: ProductVariantsBulkUpdateUserErrorCode, message: String| {
            ProductVariantsBulkUpdateUserError { field: Some(field), message, code: Some(code) }
        };
        let Some(pid) = parse_gid(&product_id, "Product").filter(|p| d.products.contains_key(p)) else {
            return Some(ProductVariantsBulkUpdatePayload {
                product: None,
                product_variants: None,
                user_errors: vec![error(
                    vec!["productId".into()],
                    ProductVariantsBulkUpdateUserErrorCode::ProductDoesNotExist,
                    "Product does not exist".into(),
                )],
            });
        };
        let mut errors = Vec::new();
        let mut valid = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            let at = |leaf: &str| vec!["variants".to_string(), i.to_string(), leaf.to_string()];
            let Some(id) = v.id.as_ref() else {
                errors.push(error(
                    at("id"),
                    ProductVariantsBulkUpdateUserErrorCode::ProductVariantIdMissing,
                    "Product variant is missing ID attribute".into(),
                ));
                continue;
            };
            let Some(vid) = parse_gid(id, "ProductVariant").filter(|v| d.variants.contains_key(v)) else {
                errors.push(error(
                    at("id"),
                    ProductVariantsBulkUpdateUserErrorCode::ProductVariantDoesNotExist,
                    format!("Product variant {} does not exist", id.as_str()),
                ));
                continue;
            };
            if d.variants.get(&vid).is_some_and(|x| x.product_id != pid) {
                errors.push(error(
                    at("id"),
                    ProductVariantsBulkUpdateUserErrorCode::MustBeForThisProduct,
                    format!(
                        "Product variant {} belongs to another product: send one productVariantsBulkUpdate per product",
                        id.as_str()
                    ),
                ));
                continue;
            }
            let negative = |m: &Option<Money>| m.is_some_and(|m| m.0.is_sign_negative());
            if negative(&v.price) || matches!(&v.compare_at_price, MaybeUndefined::Value(m) if m.0.is_sign_negative()) {
                errors.push(error(
                    at("price"),
                    ProductVariantsBulkUpdateUserErrorCode::NegativePriceValue,
                    "Price can't be negative".into(),
                ));
                continue;
            }
            if v.inventory_item.as_ref().and_then(|i| i.sku.as_ref()).is_some_and(|s| s.chars().count() > 255) {
                errors.push(error(
                    at("inventoryItem"),
                    ProductVariantsBulkUpdateUserErrorCode::TooLong,
                    "SKU is too long (maximum is 255 characters)".into(),
                ));
                continue;
            }
            if matches!(&v.barcode, MaybeUndefined::Value(b) if b.chars().count() > 255) {
                errors.push(error(
                    at("barcode"),
                    ProductVariantsBulkUpdateUserErrorCode::TooLong,
                    "Barcode is too long (maximum is 255 characters)".into(),
                ));
                continue;
            }
            valid.push((vid, v));
        }
        if !errors.is_empty() && !allow_partial_updates.unwrap_or(false) {
            let product = d.products.get(&pid).cloned().map(ProductObj);
            return Some(ProductVariantsBulkUpdatePayload { product, product_variants: None, user_errors: errors });
        }
        let mut updated = Vec::new();
        for (vid, v) in valid {
            d.update_variant(vid, now, |x| {
                if let Some(p) = v.price {
                    x.price = p.0;
                }
                match &v.compare_at_price {
                    MaybeUndefined::Value(m) => x.compare_at_price = Some(m.0),
                    MaybeUndefined::Null => x.compare_at_price = None,
                    MaybeUndefined::Undefined => {}
                }
                match &v.barcode {
                    MaybeUndefined::Value(b) => x.barcode = b.clone(),
                    MaybeUndefined::Null => x.barcode.clear(),
                    MaybeUndefined::Undefined => {}
                }
                if let Some(sku) = v.inventory_item.as_ref().and_then(|i| i.sku.clone()) {
                    x.sku = sku;
                }
            });
            if let Some(tracked) = v.inventory_item.as_ref().and_then(|i| i.tracked)
                && let Some(item_id) = d.variants.get(&vid).map(|x| x.inventory_item_id)
                && let Some(item) = d.items.get_mut(&item_id)
            {
                item.tracked = tracked;
            }
            if let Some(x) = d.variants.get(&vid) {
                updated.push(VariantObj(x.clone()));
            }
        }
        if !updated.is_empty() {
            d.touch_product(pid, now);
        }
        let product = d.products.get(&pid).cloned().map(ProductObj);
        Some(ProductVariantsBulkUpdatePayload { product, product_variants: Some(updated), user_errors: errors })
    }

    async fn product_update(
        &self,
        ctx: &Context<'_>,
        product: Option<ProductUpdateInput>,
    ) -> Option<ProductUpdatePayload> {
        let state = shop(ctx);
        let Some(input) = product else {
            return Some(ProductUpdatePayload {
                product: None,
                user_errors: vec![UserError::new(&["product"], "Pass the changes in the product argument.")],
            });
        };
        let mut d = state.write();
        let Some(pid) =
            input.id.as_ref().and_then(|id| parse_gid(id, "Product")).filter(|p| d.products.contains_key(p))
        else {
            return Some(ProductUpdatePayload {
                product: None,
                user_errors: vec![UserError::new(&["product", "id"], "Product does not exist")],
            });
        };
        if input.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Some(ProductUpdatePayload {
                product: None,
                user_errors: vec![UserError::new(&["product", "title"], "Title can't be blank")],
            });
        }
        let now = state.now();
        if let Some(p) = d.products.get_mut(&pid) {
            if let Some(t) = input.title {
                p.title = t;
            }
            if let Some(h) = input.handle {
                p.handle = h;
            }
            if let Some(v) = input.vendor {
                p.vendor = v;
            }
        }
        d.touch_product(pid, now);
        Some(ProductUpdatePayload { product: d.products.get(&pid).cloned().map(ProductObj), user_errors: vec![] })
    }

    /// Creates a refund; `@idempotent` from 2026-04. Without transactions no money moves.
    async fn refund_create(&self, ctx: &Context<'_>, input: RefundInput) -> Result<Option<RefundCreatePayload>> {
        // The emulator sends no customer emails; `notify` has nothing to switch.
        let _ = input.notify;
        let state = shop(ctx);
        let mut early_errors = Vec::new();
        let order_id = parse_gid(&input.order_id, "Order").unwrap_or(0);
        let lines: Vec<RefundLineRequest> = input
            .refund_line_items
            .unwrap_or_default()
            .iter()
            .map(|l| RefundLineRequest {
                line_item_id: parse_gid(&l.line_item_id, "LineItem").unwrap_or(0),
                quantity: l.quantity as i64,
                restock_type: match l.restock_type.unwrap_or(RefundLineItemRestockType::NoRestock) {
                    RefundLineItemRestockType::Cancel => RestockType::Cancel,
                    RefundLineItemRestockType::Return => RestockType::Return,
                    RefundLineItemRestockType::NoRestock => RestockType::NoRestock,
                    RefundLineItemRestockType::LegacyRestock => RestockType::LegacyRestock,
                },
                location_id: l.location_id.as_ref().and_then(|id| parse_gid(id, "Location")),
            })
            .collect();
        let mut txs = Vec::new();
        for (i, t) in input.transactions.unwrap_or_default().iter().enumerate() {
            if !matches!(t.kind, OrderTransactionKind::Refund | OrderTransactionKind::SuggestedRefund) {
                early_errors.push(UserError::new(
                    &["transactions", &i.to_string(), "kind"],
                    "Refund transactions must have kind REFUND.",
                ));
            }
            if parse_gid(&t.order_id, "Order") != Some(order_id) {
                early_errors.push(UserError::new(
                    &["transactions", &i.to_string(), "orderId"],
                    "The transaction's orderId must be the refunded order.",
                ));
            }
            txs.push(TxRequest {
                amount: t.amount.0,
                gateway: t.gateway.clone(),
                parent_id: t.parent_id.as_ref().and_then(|p| parse_gid(p, "OrderTransaction")),
            });
        }
        if !early_errors.is_empty() {
            return Ok(Some(RefundCreatePayload { order: None, refund: None, user_errors: early_errors }));
        }
        let req = RefundRequest {
            order_id,
            note: input.note,
            lines,
            money: if txs.is_empty() { RefundMoney::Nothing } else { RefundMoney::Transactions(txs) },
            allow_over_refunding: input.allow_over_refunding.unwrap_or(false),
            return_id: None,
        };
        let mut errors: Vec<UserError> = Vec::new();
        let outcome = with_idempotency(
            ctx,
            "refundCreate",
            || match orders::create_refund(&mut state.write(), &req, state.now()) {
                Ok(refund_id) => Remembered::Refund { order_id, refund_id },
                Err(e) => {
                    errors = e.into_iter().map(|e| UserError { field: Some(e.field), message: e.message }).collect();
                    Remembered::Refund { order_id, refund_id: 0 }
                }
            },
            |r| matches!(r, Remembered::Refund { refund_id, .. } if *refund_id != 0),
        )?;
        let remembered = match outcome {
            Idempotent::Fresh(r) | Idempotent::Replayed(r) => r,
            Idempotent::Mismatch => {
                return Ok(Some(RefundCreatePayload {
                    order: None,
                    refund: None,
                    user_errors: vec![UserError { field: None, message: mismatch_error().message }],
                }));
            }
        };
        let Remembered::Refund { order_id, refund_id } = remembered else { return Ok(None) };
        let d = state.read();
        let order = d.orders.get(&order_id).cloned();
        let refund = order.as_ref().and_then(|o| {
            let r = o.refunds.iter().find(|r| r.id == refund_id)?.clone();
            Some(RefundObj { order: o.clone(), refund: r })
        });
        Ok(Some(RefundCreatePayload {
            order: if errors.is_empty() { order.map(OrderObj) } else { None },
            refund,
            user_errors: errors,
        }))
    }

    async fn webhook_subscription_create(
        &self,
        ctx: &Context<'_>,
        topic: WebhookSubscriptionTopic,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> Option<WebhookSubscriptionCreatePayload> {
        let state = shop(ctx);
        let fail = |field: &[&str], message: &str| {
            Some(WebhookSubscriptionCreatePayload {
                webhook_subscription: None,
                user_errors: vec![UserError::new(field, message)],
            })
        };
        let Some(uri) = webhook_subscription.uri.clone().or(webhook_subscription.callback_url.clone().map(|u| u.0))
        else {
            return fail(
                &["webhookSubscription", "uri"],
                "Address can't be blank: pass uri (or callbackUrl before 2025-04).",
            );
        };
        // Shopify demands HTTPS; the emulator also takes plain HTTP so receivers on loopback work.
        if !(uri.starts_with("https://") || uri.starts_with("http://")) {
            return fail(
                &["webhookSubscription", "uri"],
                "Address is invalid: the emulator delivers to http:// or https:// URLs.",
            );
        }
        if webhook_subscription.format == Some(WebhookSubscriptionFormat::Xml) {
            return fail(&["webhookSubscription", "format"], "The emulator sends JSON payloads only: use format JSON.");
        }
        let mut d = state.write();
        if d.subscriptions.values().any(|s| s.topic == topic.name() && s.uri == uri) {
            return fail(&["webhookSubscription", "callbackUrl"], "Address for this topic has already been taken");
        }
        let now = state.now();
        let id = d.new_id();
        let rec = SubscriptionRec {
            id,
            topic: topic.name().to_string(),
            uri,
            format: "JSON".into(),
            api_version: state.api_version.clone(),
            include_fields: webhook_subscription.include_fields.unwrap_or_default(),
            filter: webhook_subscription.filter,
            created_at: now,
            updated_at: now,
        };
        d.subscriptions.insert(id, rec.clone());
        Some(WebhookSubscriptionCreatePayload { webhook_subscription: Some(SubscriptionObj(rec)), user_errors: vec![] })
    }

    async fn webhook_subscription_delete(&self, ctx: &Context<'_>, id: ID) -> Option<WebhookSubscriptionDeletePayload> {
        let mut d = shop(ctx).write();
        match parse_gid(&id, "WebhookSubscription").and_then(|n| d.subscriptions.remove(&n)) {
            Some(rec) => Some(WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: Some(ID(gid("WebhookSubscription", rec.id))),
                user_errors: vec![],
            }),
            None => Some(WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: None,
                user_errors: vec![UserError::new(&["id"], "Webhook subscription does not exist")],
            }),
        }
    }

    /// Starts a bulk query; poll currentBulkOperation or bulkOperation(id) for the JSONL url.
    async fn bulk_operation_run_query(
        &self,
        ctx: &Context<'_>,
        query: String,
        group_objects: Option<bool>,
    ) -> Option<BulkOperationRunQueryPayload> {
        let v = version(ctx);
        Some(bulk::start(ctx, &v, query, group_objects.unwrap_or(v.group_objects_default())).await)
    }

    async fn bulk_operation_cancel(&self, ctx: &Context<'_>, id: ID) -> Option<BulkOperationCancelPayload> {
        let mut d = shop(ctx).write();
        let Some(op) = parse_gid(&id, "BulkOperation").and_then(|n| d.bulk_operations.get_mut(&n)) else {
            return Some(BulkOperationCancelPayload {
                bulk_operation: None,
                user_errors: vec![UserError::new(&["id"], "Bulk operation does not exist")],
            });
        };
        if !op.status.is_active() {
            let op = op.clone();
            return Some(BulkOperationCancelPayload {
                bulk_operation: Some(BulkObj(op)),
                user_errors: vec![UserError::new(
                    &["id"],
                    "A bulk operation cannot be canceled when it is completed, failed or canceled",
                )],
            });
        }
        op.status = super::model::BulkStatus::Canceling;
        Some(BulkOperationCancelPayload { bulk_operation: Some(BulkObj(op.clone())), user_errors: vec![] })
    }
}
