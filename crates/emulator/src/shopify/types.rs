//! GraphQL object types, named and shaped as in Shopify's Admin schema. Each wraps a snapshot
//! of one record; related records are looked up when a client selects them.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Interface, Object, Result, SimpleObject, Union};
use rust_decimal::Decimal as RustDecimal;

use super::inventory::{AdjustmentGroupRec, ChangeRec};
use super::model::{
    BulkRec, BulkStatus, CustomerRec, DiscountApplicationRec, DiscountKind, DiscountTarget, DiscountValue,
    FulfillmentRec, Item, Level, LineItemRec, Location, MailingAddress, MoneyBag, OrderRec, Product, QUANTITY_NAMES,
    RefundLineRec, RefundRec, RestockType, ReturnLineRec, ReturnRec, ShippingLineRec, ShopData, StaffRec,
    SubscriptionRec, TaxLineRec, TransactionRec, TxKind, Variant, gid, level_gid, round_money,
};
use super::paging::{PageArgs, SortValue, connection, window};
use super::scalars::{
    BulkOperationErrorCode, BulkOperationStatus, BulkOperationType, CountryCode, CurrencyCode,
    CustomerEmailAddressMarketingState, CustomerEmailMarketingState, CustomerMarketingOptInLevel, CustomerState,
    DateTime, Decimal, DiscountApplicationAllocationMethod, DiscountApplicationTargetSelection,
    DiscountApplicationTargetType, FulfillmentDisplayStatus, FulfillmentStatus, Money, OrderDisplayFinancialStatus,
    OrderDisplayFulfillmentStatus, OrderTransactionKind, OrderTransactionStatus, ProductStatus,
    ProductVariantInventoryPolicy, ProductVariantSortKeys, RefundLineItemRestockType, ReturnStatus, UnsignedInt64, Url,
    WebhookSubscriptionFormat, WebhookSubscriptionTopic, enum_from_code,
};
use super::search::{Op, Search, number_matches, text_eq, time_matches};
use super::state::shop;

#[derive(Interface)]
#[graphql(name = "Node", field(name = "id", ty = "ID"))]
pub(crate) enum Node {
    ProductVariant(VariantObj),
    Product(ProductObj),
    InventoryItem(ItemObj),
    InventoryLevel(LevelObj),
    Location(LocationObj),
    Order(OrderObj),
    LineItem(LineItemObj),
    OrderTransaction(TransactionObj),
    Refund(RefundObj),
    Return(ReturnObj),
    Fulfillment(FulfillmentObj),
    StaffMember(StaffMemberObj),
    Customer(CustomerObj),
    BulkOperation(BulkObj),
    WebhookSubscription(SubscriptionObj),
}

fn currency(d: &ShopData) -> CurrencyCode {
    CurrencyCode::from_code(&d.currency)
}

// ---------------------------------------------------------------- money

#[derive(SimpleObject, Clone)]
#[graphql(name = "MoneyV2")]
pub(crate) struct MoneyV2Obj {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

/// An order's shop currency and the currency its customer paid in.
#[derive(Clone, Copy)]
pub(crate) struct Currencies {
    pub shop: CurrencyCode,
    pub presentment: CurrencyCode,
}

pub(crate) fn currencies(o: &OrderRec) -> Currencies {
    Currencies {
        shop: CurrencyCode::from_code(&o.currency),
        presentment: CurrencyCode::from_code(&o.presentment_currency),
    }
}

#[derive(Clone)]
pub(crate) struct MoneyBagObj {
    pub amount: MoneyBag,
    pub currencies: Currencies,
}

impl MoneyBagObj {
    pub fn new(amount: MoneyBag, currencies: Currencies) -> MoneyBagObj {
        MoneyBagObj { amount, currencies }
    }
}

#[Object(name = "MoneyBag")]
impl MoneyBagObj {
    async fn shop_money(&self) -> MoneyV2Obj {
        MoneyV2Obj { amount: Decimal(self.amount.shop), currency_code: self.currencies.shop }
    }
    async fn presentment_money(&self) -> MoneyV2Obj {
        MoneyV2Obj { amount: Decimal(self.amount.presentment), currency_code: self.currencies.presentment }
    }
}

// ---------------------------------------------------------------- catalog

#[derive(SimpleObject, Clone)]
#[graphql(name = "SelectedOption")]
pub(crate) struct SelectedOptionObj {
    pub name: String,
    pub value: String,
}

#[derive(Clone)]
pub(crate) struct VariantObj(pub Variant);

pub(crate) fn variant_sort(d: &ShopData, v: &Variant, key: ProductVariantSortKeys) -> SortValue {
    match key {
        ProductVariantSortKeys::Id => SortValue::Int(v.id as i64),
        ProductVariantSortKeys::Position => SortValue::Int(v.position as i64),
        ProductVariantSortKeys::Sku => SortValue::Text(v.sku.to_lowercase()),
        ProductVariantSortKeys::Title => SortValue::Text(v.title.to_lowercase()),
        ProductVariantSortKeys::FullTitle => {
            let product = d.products.get(&v.product_id).map(|p| p.title.as_str()).unwrap_or_default();
            SortValue::Text(format!("{} - {}", product, v.title).to_lowercase())
        }
    }
}

pub(crate) fn sellable(d: &ShopData, item_id: u64) -> i64 {
    d.items
        .get(&item_id)
        .map(|i| i.levels.values().filter(|l| l.active).map(|l| l.quantities.available).sum())
        .unwrap_or(0)
}

#[Object(name = "ProductVariant")]
impl VariantObj {
    async fn id(&self) -> ID {
        ID(gid("ProductVariant", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn display_name(&self, ctx: &Context<'_>) -> String {
        let d = shop(ctx).read();
        let product = d.products.get(&self.0.product_id).map(|p| p.title.clone()).unwrap_or_default();
        format!("{} - {}", product, self.0.title)
    }
    /// Blank SKUs come back as "" (as in the bulk samples), not null.
    async fn sku(&self) -> Option<&str> {
        Some(&self.0.sku)
    }
    async fn barcode(&self) -> Option<&str> {
        Some(&self.0.barcode)
    }
    async fn price(&self) -> Money {
        Money(self.0.price)
    }
    async fn compare_at_price(&self) -> Option<Money> {
        self.0.compare_at_price.map(Money)
    }
    async fn selected_options(&self) -> Vec<SelectedOptionObj> {
        self.0
            .selected_options
            .iter()
            .map(|(name, value)| SelectedOptionObj { name: name.clone(), value: value.clone() })
            .collect()
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn taxable(&self) -> bool {
        true
    }
    async fn inventory_policy(&self) -> ProductVariantInventoryPolicy {
        ProductVariantInventoryPolicy::Deny
    }
    /// Total `available` over the locations the item is stocked at.
    async fn inventory_quantity(&self, ctx: &Context<'_>) -> Option<i32> {
        Some(sellable(&shop(ctx).read(), self.0.inventory_item_id) as i32)
    }
    async fn available_for_sale(&self, ctx: &Context<'_>) -> bool {
        sellable(&shop(ctx).read(), self.0.inventory_item_id) > 0
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn inventory_item(&self, ctx: &Context<'_>) -> Result<ItemObj> {
        let d = shop(ctx).read();
        d.items.get(&self.0.inventory_item_id).cloned().map(ItemObj).ok_or_else(|| "inventory item vanished".into())
    }
    async fn product(&self, ctx: &Context<'_>) -> Result<ProductObj> {
        let d = shop(ctx).read();
        d.products.get(&self.0.product_id).cloned().map(ProductObj).ok_or_else(|| "product vanished".into())
    }
}

#[derive(Clone)]
pub(crate) struct ProductObj(pub Product);

#[derive(SimpleObject, Clone)]
#[graphql(name = "ProductOption")]
pub(crate) struct ProductOptionObj {
    pub id: ID,
    pub name: String,
    pub position: i32,
    pub values: Vec<String>,
}

#[Object(name = "Product")]
impl ProductObj {
    async fn id(&self) -> ID {
        ID(gid("Product", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn handle(&self) -> &str {
        &self.0.handle
    }
    async fn vendor(&self) -> &str {
        &self.0.vendor
    }
    async fn status(&self) -> ProductStatus {
        ProductStatus::Active
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn has_only_default_variant(&self) -> bool {
        self.0.variant_ids.len() == 1 && self.0.options.first().is_none_or(|o| o.name == "Title")
    }
    async fn tracks_inventory(&self) -> bool {
        true
    }
    async fn total_inventory(&self, ctx: &Context<'_>) -> i32 {
        let d = shop(ctx).read();
        self.0
            .variant_ids
            .iter()
            .filter_map(|v| d.variants.get(v))
            .map(|v| sellable(&d, v.inventory_item_id))
            .sum::<i64>() as i32
    }
    async fn options(&self, first: Option<i32>) -> Vec<ProductOptionObj> {
        let n = first.map_or(usize::MAX, |n| n.max(0) as usize);
        self.0
            .options
            .iter()
            .enumerate()
            .take(n)
            .map(|(i, o)| ProductOptionObj {
                id: ID(gid("ProductOption", self.0.id * 10 + i as u64 + 1)),
                name: o.name.clone(),
                position: i as i32 + 1,
                values: o.values.clone(),
            })
            .collect()
    }
    #[allow(clippy::too_many_arguments)]
    async fn variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductVariantSortKeys>,
    ) -> Result<Connection<String, VariantObj>> {
        let d = shop(ctx).read();
        let key = sort_key.unwrap_or(ProductVariantSortKeys::Position);
        let keyed = self
            .0
            .variant_ids
            .iter()
            .filter_map(|id| d.variants.get(id))
            .map(|v| (variant_sort(&d, v, key), v.id))
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| d.variants.get(&id).cloned().map(VariantObj)))
    }
}

// ---------------------------------------------------------------- inventory

#[derive(Clone)]
pub(crate) struct ItemObj(pub Item);

/// Which side of the item × location pair a level connection walks along.
#[derive(Clone, Copy)]
pub(crate) enum LevelsOf {
    Item(u64),
    Location(u64),
}

/// Connection over one item's levels (sorted by location) or one location's (sorted by
/// item), filtered by `query`. Only active (stocked) levels are listed.
pub(crate) fn level_connection(
    ctx: &Context<'_>,
    d: &ShopData,
    of: LevelsOf,
    args: &PageArgs,
    query: Option<&str>,
) -> Result<Connection<String, LevelObj>> {
    let search = Search::parse(query);
    let pairs: Vec<(u64, u64)> = match of {
        LevelsOf::Item(item) => {
            d.items.get(&item).map(|i| i.levels.keys().map(|loc| (item, *loc)).collect()).unwrap_or_default()
        }
        LevelsOf::Location(loc) => {
            d.items.values().filter(|i| i.levels.contains_key(&loc)).map(|i| (i.id, loc)).collect()
        }
    };
    let keyed = pairs
        .into_iter()
        .filter(|(item, loc)| {
            let Some(level) = d.level(*item, *loc) else { return false };
            level.active
                && search.matches(|field, op, value| match field {
                    Some("location_id") => number_matches(*loc as i64, op, value),
                    Some("inventory_item_id") => number_matches(*item as i64, op, value),
                    Some("updated_at") => time_matches(level.updated_at, op, value),
                    Some("created_at") => time_matches(level.created_at, op, value),
                    _ => None,
                })
        })
        .map(|(item, loc)| match of {
            LevelsOf::Item(_) => (SortValue::Int(loc as i64), loc),
            LevelsOf::Location(_) => (SortValue::Int(item as i64), item),
        })
        .collect();
    let page = window(ctx, args, keyed)?;
    Ok(connection(page, |id| {
        let (item, loc) = match of {
            LevelsOf::Item(item) => (item, id),
            LevelsOf::Location(loc) => (id, loc),
        };
        d.level(item, loc).map(|level| LevelObj { item_id: item, location_id: loc, level: level.clone() })
    }))
}

#[Object(name = "InventoryItem")]
impl ItemObj {
    async fn id(&self) -> ID {
        ID(gid("InventoryItem", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn sku(&self, ctx: &Context<'_>) -> Option<String> {
        shop(ctx).read().variants.get(&self.0.variant_id).map(|v| v.sku.clone())
    }
    async fn tracked(&self) -> bool {
        self.0.tracked
    }
    async fn requires_shipping(&self) -> bool {
        true
    }
    async fn duplicate_sku_count(&self, ctx: &Context<'_>) -> i32 {
        let d = shop(ctx).read();
        let Some(sku) = d.variants.get(&self.0.variant_id).map(|v| v.sku.clone()).filter(|s| !s.is_empty()) else {
            return 0;
        };
        d.variant_by_sku(&sku)
            .iter()
            .filter_map(|id| d.variants.get(id))
            .filter(|v| v.sku == sku && v.id != self.0.variant_id)
            .count() as i32
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn variant(&self, ctx: &Context<'_>) -> Result<VariantObj> {
        shop(ctx)
            .read()
            .variants
            .get(&self.0.variant_id)
            .cloned()
            .map(VariantObj)
            .ok_or_else(|| "variant vanished".into())
    }
    async fn inventory_level(&self, ctx: &Context<'_>, location_id: ID) -> Option<LevelObj> {
        let loc = super::model::parse_gid(&location_id, "Location")?;
        let d = shop(ctx).read();
        let level = d.level(self.0.id, loc).filter(|l| l.active)?;
        Some(LevelObj { item_id: self.0.id, location_id: loc, level: level.clone() })
    }
    #[allow(clippy::too_many_arguments)]
    async fn inventory_levels(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, LevelObj>> {
        let d = shop(ctx).read();
        level_connection(
            ctx,
            &d,
            LevelsOf::Item(self.0.id),
            &PageArgs::new(first, after, last, before, reverse),
            query.as_deref(),
        )
    }
}

#[derive(Clone)]
pub(crate) struct LevelObj {
    pub item_id: u64,
    pub location_id: u64,
    pub level: Level,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "InventoryQuantity")]
pub(crate) struct QuantityObj {
    pub name: String,
    pub quantity: i32,
    pub updated_at: Option<DateTime>,
}

#[Object(name = "InventoryLevel")]
impl LevelObj {
    async fn id(&self, ctx: &Context<'_>) -> ID {
        let group = shop(ctx).read().locations.get(&self.location_id).map_or(self.location_id, |l| l.level_group);
        ID(level_gid(group, self.item_id))
    }
    /// The quantities asked for, in the order asked. on_hand = available + committed +
    /// reserved + damaged + safety_stock + quality_control.
    async fn quantities(&self, names: Vec<String>) -> Result<Vec<QuantityObj>> {
        names
            .iter()
            .map(|name| {
                let quantity = self.level.quantities.get(name).ok_or_else(|| {
                    async_graphql::Error::new(format!(
                        "{name:?} is not a quantity name: use any of {}",
                        QUANTITY_NAMES.join(", ")
                    ))
                })?;
                Ok(QuantityObj {
                    name: name.clone(),
                    quantity: quantity as i32,
                    updated_at: Some(DateTime(self.level.updated_at)),
                })
            })
            .collect()
    }
    async fn can_deactivate(&self) -> bool {
        self.level.quantities.committed == 0 && self.level.quantities.incoming == 0
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.level.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.level.updated_at)
    }
    async fn item(&self, ctx: &Context<'_>) -> Result<ItemObj> {
        shop(ctx).read().items.get(&self.item_id).cloned().map(ItemObj).ok_or_else(|| "inventory item vanished".into())
    }
    async fn location(&self, ctx: &Context<'_>) -> Result<LocationObj> {
        shop(ctx)
            .read()
            .locations
            .get(&self.location_id)
            .cloned()
            .map(LocationObj)
            .ok_or_else(|| "location vanished".into())
    }
}

/// Where a location is. Seeded locations share one city, each with its own street number, so a
/// guest sale's billing address (the store's) is a real-looking, valid one.
#[derive(SimpleObject, Clone)]
#[graphql(name = "LocationAddress")]
pub(crate) struct LocationAddressObj {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub formatted: Vec<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub phone: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub zip: Option<String>,
}

impl LocationAddressObj {
    fn of(location: &Location) -> LocationAddressObj {
        let street = format!("{} Harbour Street", 100 + location.id % 900);
        let zip = format!("021{:02}", location.id % 100);
        LocationAddressObj {
            formatted: vec![street.clone(), format!("Boston MA {zip}"), "United States".into()],
            address1: Some(street),
            address2: None,
            city: Some("Boston".into()),
            country: Some("United States".into()),
            country_code: Some("US".into()),
            latitude: None,
            longitude: None,
            phone: None,
            province: Some("Massachusetts".into()),
            province_code: Some("MA".into()),
            zip: Some(zip),
        }
    }
}

#[derive(Clone)]
pub(crate) struct LocationObj(pub Location);

#[Object(name = "Location")]
impl LocationObj {
    async fn id(&self) -> ID {
        ID(gid("Location", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn address(&self) -> LocationAddressObj {
        LocationAddressObj::of(&self.0)
    }
    async fn is_active(&self) -> bool {
        self.0.active
    }
    async fn fulfills_online_orders(&self) -> bool {
        true
    }
    async fn has_active_inventory(&self, ctx: &Context<'_>) -> bool {
        shop(ctx).read().items.values().any(|i| i.levels.get(&self.0.id).is_some_and(|l| l.active))
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn inventory_level(&self, ctx: &Context<'_>, inventory_item_id: ID) -> Option<LevelObj> {
        let item = super::model::parse_gid(&inventory_item_id, "InventoryItem")?;
        let d = shop(ctx).read();
        let level = d.level(item, self.0.id).filter(|l| l.active)?;
        Some(LevelObj { item_id: item, location_id: self.0.id, level: level.clone() })
    }
    #[allow(clippy::too_many_arguments)]
    async fn inventory_levels(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        query: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, LevelObj>> {
        let d = shop(ctx).read();
        level_connection(
            ctx,
            &d,
            LevelsOf::Location(self.0.id),
            &PageArgs::new(first, after, last, before, reverse),
            query.as_deref(),
        )
    }
}

#[derive(Clone)]
pub(crate) struct ChangeObj(pub ChangeRec);

#[Object(name = "InventoryChange")]
impl ChangeObj {
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn delta(&self) -> i32 {
        self.0.delta as i32
    }
    async fn quantity_after_change(&self) -> Option<i32> {
        Some(self.0.quantity_after_change as i32)
    }
    async fn ledger_document_uri(&self) -> Option<&str> {
        self.0.ledger_document_uri.as_deref()
    }
    async fn item(&self, ctx: &Context<'_>) -> Option<ItemObj> {
        shop(ctx).read().items.get(&self.0.item_id).cloned().map(ItemObj)
    }
    async fn location(&self, ctx: &Context<'_>) -> Option<LocationObj> {
        shop(ctx).read().locations.get(&self.0.location_id).cloned().map(LocationObj)
    }
}

#[derive(Clone)]
pub(crate) struct AdjustmentGroupObj(pub AdjustmentGroupRec);

#[Object(name = "InventoryAdjustmentGroup")]
impl AdjustmentGroupObj {
    async fn id(&self) -> ID {
        ID(gid("InventoryAdjustmentGroup", self.0.id))
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn reference_document_uri(&self) -> Option<&str> {
        self.0.reference_document_uri.as_deref()
    }
    async fn changes(
        &self,
        inventory_item_ids: Option<Vec<ID>>,
        location_ids: Option<Vec<ID>>,
        quantity_names: Option<Vec<String>>,
    ) -> Vec<ChangeObj> {
        let items: Option<Vec<u64>> = inventory_item_ids
            .map(|ids| ids.iter().filter_map(|i| super::model::parse_gid(i, "InventoryItem")).collect());
        let locations: Option<Vec<u64>> =
            location_ids.map(|ids| ids.iter().filter_map(|i| super::model::parse_gid(i, "Location")).collect());
        self.0
            .changes
            .iter()
            .filter(|c| items.as_ref().is_none_or(|ids| ids.contains(&c.item_id)))
            .filter(|c| locations.as_ref().is_none_or(|ids| ids.contains(&c.location_id)))
            .filter(|c| quantity_names.as_ref().is_none_or(|names| names.contains(&c.name)))
            .cloned()
            .map(ChangeObj)
            .collect()
    }
}

// ---------------------------------------------------------------- orders

#[derive(Clone)]
pub(crate) struct OrderObj(pub OrderRec);

#[derive(Clone)]
pub(crate) struct TaxLineObj {
    pub line: TaxLineRec,
    pub currency: Currencies,
}

#[Object(name = "TaxLine")]
impl TaxLineObj {
    async fn title(&self) -> &str {
        &self.line.title
    }
    /// A rate, not money: Shopify types it Float.
    async fn rate(&self) -> Option<f64> {
        self.line.rate.to_string().parse().ok()
    }
    async fn rate_percentage(&self) -> Option<f64> {
        (self.line.rate * RustDecimal::from(100)).normalize().to_string().parse().ok()
    }
    async fn price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.amount, self.currency)
    }
    async fn channel_liable(&self) -> Option<bool> {
        Some(false)
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "DiscountAllocation")]
pub(crate) struct DiscountAllocationObj {
    pub allocated_amount_set: MoneyBagObj,
    pub discount_application: DiscountApplication,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "PricingPercentageValue")]
pub(crate) struct PricingPercentageValueObj {
    pub percentage: f64,
}

#[derive(Union, Clone)]
#[graphql(name = "PricingValue")]
pub(crate) enum PricingValue {
    MoneyV2(MoneyV2Obj),
    PricingPercentageValue(PricingPercentageValueObj),
}

/// One of an order's discount applications, with what `DiscountApplication` needs to answer.
#[derive(Clone)]
pub(crate) struct ApplicationObj {
    pub index: usize,
    pub application: DiscountApplicationRec,
    pub currencies: Currencies,
}

impl ApplicationObj {
    fn value(&self) -> PricingValue {
        match self.application.value {
            DiscountValue::Percentage(p) => PricingValue::PricingPercentageValue(PricingPercentageValueObj {
                percentage: p.normalize().to_string().parse().unwrap_or_default(),
            }),
            // A fixed amount is set in the currency the customer sees.
            DiscountValue::FixedAmount(a) => {
                PricingValue::MoneyV2(MoneyV2Obj { amount: Decimal(a), currency_code: self.currencies.presentment })
            }
        }
    }
    fn target_selection(&self) -> DiscountApplicationTargetSelection {
        match self.application.target {
            DiscountTarget::Explicit => DiscountApplicationTargetSelection::Explicit,
            DiscountTarget::All => DiscountApplicationTargetSelection::All,
        }
    }
}

/// A cashier's custom discount.
#[derive(Clone)]
pub(crate) struct ManualApplicationObj(pub ApplicationObj);

#[Object(name = "ManualDiscountApplication")]
impl ManualApplicationObj {
    async fn index(&self) -> i32 {
        self.0.index as i32
    }
    async fn allocation_method(&self) -> DiscountApplicationAllocationMethod {
        DiscountApplicationAllocationMethod::Across
    }
    async fn target_selection(&self) -> DiscountApplicationTargetSelection {
        self.0.target_selection()
    }
    async fn target_type(&self) -> DiscountApplicationTargetType {
        DiscountApplicationTargetType::LineItem
    }
    async fn value(&self) -> PricingValue {
        self.0.value()
    }
    async fn title(&self) -> &str {
        &self.0.application.title
    }
    async fn description(&self) -> Option<&str> {
        Some(&self.0.application.title)
    }
}

#[derive(Clone)]
pub(crate) struct AutomaticApplicationObj(pub ApplicationObj);

#[Object(name = "AutomaticDiscountApplication")]
impl AutomaticApplicationObj {
    async fn index(&self) -> i32 {
        self.0.index as i32
    }
    async fn allocation_method(&self) -> DiscountApplicationAllocationMethod {
        DiscountApplicationAllocationMethod::Across
    }
    async fn target_selection(&self) -> DiscountApplicationTargetSelection {
        self.0.target_selection()
    }
    async fn target_type(&self) -> DiscountApplicationTargetType {
        DiscountApplicationTargetType::LineItem
    }
    async fn value(&self) -> PricingValue {
        self.0.value()
    }
    async fn title(&self) -> &str {
        &self.0.application.title
    }
}

#[derive(Clone)]
pub(crate) struct CodeApplicationObj(pub ApplicationObj);

#[Object(name = "DiscountCodeApplication")]
impl CodeApplicationObj {
    async fn index(&self) -> i32 {
        self.0.index as i32
    }
    async fn allocation_method(&self) -> DiscountApplicationAllocationMethod {
        DiscountApplicationAllocationMethod::Across
    }
    async fn target_selection(&self) -> DiscountApplicationTargetSelection {
        self.0.target_selection()
    }
    async fn target_type(&self) -> DiscountApplicationTargetType {
        DiscountApplicationTargetType::LineItem
    }
    async fn value(&self) -> PricingValue {
        self.0.value()
    }
    async fn code(&self) -> &str {
        match &self.0.application.kind {
            DiscountKind::Code(code) => code,
            _ => &self.0.application.title,
        }
    }
}

#[derive(Interface, Clone)]
#[graphql(
    name = "DiscountApplication",
    field(name = "allocation_method", ty = "DiscountApplicationAllocationMethod"),
    field(name = "index", ty = "i32"),
    field(name = "target_selection", ty = "DiscountApplicationTargetSelection"),
    field(name = "target_type", ty = "DiscountApplicationTargetType"),
    field(name = "value", ty = "PricingValue")
)]
pub(crate) enum DiscountApplication {
    Manual(ManualApplicationObj),
    Automatic(AutomaticApplicationObj),
    Code(CodeApplicationObj),
}

fn discount_application(
    applications: &[DiscountApplicationRec],
    currencies: Currencies,
    index: usize,
) -> Option<DiscountApplication> {
    let application = applications.get(index)?.clone();
    let obj = ApplicationObj { index, currencies, application };
    Some(match &obj.application.kind {
        DiscountKind::Manual => DiscountApplication::Manual(ManualApplicationObj(obj)),
        DiscountKind::Automatic => DiscountApplication::Automatic(AutomaticApplicationObj(obj)),
        DiscountKind::Code(_) => DiscountApplication::Code(CodeApplicationObj(obj)),
    })
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "CashRoundingAdjustment")]
pub(crate) struct CashRoundingAdjustmentObj {
    pub payment_set: MoneyBagObj,
    pub refund_set: MoneyBagObj,
}

#[derive(Clone)]
pub(crate) struct ShippingLineObj {
    pub line: ShippingLineRec,
    pub currencies: Currencies,
}

#[Object(name = "ShippingLine")]
impl ShippingLineObj {
    async fn id(&self) -> Option<ID> {
        Some(ID(gid("ShippingLine", self.line.id)))
    }
    async fn title(&self) -> &str {
        &self.line.title
    }
    async fn code(&self) -> Option<&str> {
        Some(&self.line.code)
    }
    async fn source(&self) -> Option<&str> {
        Some("shopify")
    }
    /// Set by the cashier, not picked from carrier rates.
    async fn custom(&self) -> bool {
        true
    }
    async fn carrier_identifier(&self) -> Option<&str> {
        None
    }
    async fn is_removed(&self) -> bool {
        false
    }
    async fn original_price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.price, self.currencies)
    }
    async fn discounted_price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.price, self.currencies)
    }
    async fn current_discounted_price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.price, self.currencies)
    }
    async fn tax_lines(&self) -> Vec<TaxLineObj> {
        tax_objs(&self.line.tax_lines, self.currencies)
    }
    async fn discount_allocations(&self) -> Vec<DiscountAllocationObj> {
        vec![]
    }
}

#[derive(Clone)]
pub(crate) struct MailingAddressObj {
    pub address: MailingAddress,
    /// Addresses are not records of their own here; the id ties one to its order and role.
    pub id: String,
}

#[Object(name = "MailingAddress")]
impl MailingAddressObj {
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }
    async fn first_name(&self) -> Option<&str> {
        self.address.first_name.as_deref()
    }
    async fn last_name(&self) -> Option<&str> {
        self.address.last_name.as_deref()
    }
    async fn name(&self) -> Option<String> {
        self.address.name()
    }
    async fn company(&self) -> Option<&str> {
        self.address.company.as_deref()
    }
    async fn address1(&self) -> Option<&str> {
        self.address.address1.as_deref()
    }
    async fn address2(&self) -> Option<&str> {
        self.address.address2.as_deref()
    }
    async fn city(&self) -> Option<&str> {
        self.address.city.as_deref()
    }
    async fn province(&self) -> Option<&str> {
        self.address.province.as_deref()
    }
    async fn province_code(&self) -> Option<&str> {
        self.address.province_code.as_deref()
    }
    async fn country(&self) -> Option<&str> {
        self.address.country.as_deref()
    }
    #[graphql(name = "countryCodeV2")]
    async fn country_code_v2(&self) -> Option<CountryCode> {
        self.address.country_code.as_deref().and_then(CountryCode::parse)
    }
    async fn zip(&self) -> Option<&str> {
        self.address.zip.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.address.phone.as_deref()
    }
    async fn coordinates_validated(&self) -> bool {
        false
    }
}

fn tax_objs(lines: &[TaxLineRec], currency: Currencies) -> Vec<TaxLineObj> {
    lines.iter().map(|l| TaxLineObj { line: l.clone(), currency }).collect()
}

#[Object(name = "Order")]
impl OrderObj {
    async fn id(&self) -> ID {
        ID(gid("Order", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn name(&self) -> String {
        self.0.name()
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn processed_at(&self) -> DateTime {
        DateTime(self.0.processed_at)
    }
    async fn cancelled_at(&self) -> Option<DateTime> {
        None
    }
    async fn closed(&self) -> bool {
        false
    }
    async fn test(&self) -> bool {
        false
    }
    async fn source_name(&self) -> Option<&str> {
        Some(&self.0.source_name)
    }
    async fn source_identifier(&self) -> Option<&str> {
        self.0.source_identifier.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn tags(&self) -> Vec<String> {
        self.0.tags.clone()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn billing_address(&self) -> Option<MailingAddressObj> {
        let address = self.0.billing_address.clone()?;
        Some(MailingAddressObj {
            address,
            id: format!("gid://shopify/MailingAddress/{}?model_name=Order&role=billing", self.0.id),
        })
    }
    async fn shipping_address(&self) -> Option<MailingAddressObj> {
        let address = self.0.shipping_address.clone()?;
        Some(MailingAddressObj {
            address,
            id: format!("gid://shopify/MailingAddress/{}?model_name=Order&role=shipping", self.0.id),
        })
    }
    /// The POS user who rang the sale up.
    async fn staff_member(&self, ctx: &Context<'_>) -> Option<StaffMemberObj> {
        staff_member(ctx, self.0.staff_member_id)
    }
    async fn retail_location(&self, ctx: &Context<'_>) -> Option<LocationObj> {
        // Only a till sale has one; an online order ships from a location without being sold there.
        if self.0.source_name != "pos" {
            return None;
        }
        let loc = self.0.location_id?;
        shop(ctx).read().locations.get(&loc).cloned().map(LocationObj)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Option<CustomerObj> {
        let id = self.0.customer_id?;
        shop(ctx).read().customers.get(&id).cloned().map(CustomerObj)
    }
    async fn currency_code(&self) -> CurrencyCode {
        CurrencyCode::from_code(&self.0.currency)
    }
    async fn presentment_currency_code(&self) -> CurrencyCode {
        CurrencyCode::from_code(&self.0.presentment_currency)
    }
    async fn taxes_included(&self) -> bool {
        self.0.taxes_included
    }
    async fn display_financial_status(&self) -> Option<OrderDisplayFinancialStatus> {
        Some(OrderDisplayFinancialStatus::from_code(self.0.financial_status()))
    }
    /// Counter sales are FULFILLED at once; ship-from-store sales stay UNFULFILLED until shipped.
    async fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        OrderDisplayFulfillmentStatus::from_code(self.0.fulfillment_status())
    }
    async fn fulfillments(&self, first: Option<i32>, query: Option<String>) -> Vec<FulfillmentObj> {
        // Every emulated fulfillment succeeded; there is nothing for a query to tell apart.
        let _ = query;
        let n = first.map_or(usize::MAX, |n| n.max(0) as usize);
        self.0
            .fulfillments
            .iter()
            .take(n)
            .map(|f| FulfillmentObj { order: self.0.clone(), fulfillment: f.clone() })
            .collect()
    }
    async fn fully_paid(&self) -> bool {
        self.0.total_received().presentment >= self.0.total_price().presentment
    }
    async fn unpaid(&self) -> bool {
        self.0.total_received().is_zero()
    }
    async fn refundable(&self) -> bool {
        self.0.total_received().presentment > self.0.total_refunded().presentment
    }
    async fn payment_gateway_names(&self) -> Vec<String> {
        self.0.gateways()
    }
    async fn subtotal_line_items_quantity(&self) -> i32 {
        self.0.line_items.iter().map(|l| l.quantity).sum::<i64>() as i32
    }
    async fn current_subtotal_line_items_quantity(&self) -> i32 {
        self.0.line_items.iter().map(|l| l.quantity - self.0.refunded_quantity(l.id)).sum::<i64>() as i32
    }
    /// After discounts, before shipping and (excluded) taxes.
    async fn subtotal_price_set(&self) -> Option<MoneyBagObj> {
        Some(self.bag(self.0.totals().subtotal))
    }
    async fn total_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.total_price())
    }
    async fn original_total_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.total_price())
    }
    async fn total_tax_set(&self) -> Option<MoneyBagObj> {
        Some(self.bag(self.0.totals().tax))
    }
    async fn total_discounts_set(&self) -> Option<MoneyBagObj> {
        Some(self.bag(self.0.totals().discounts))
    }
    async fn total_shipping_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.totals().shipping)
    }
    /// The `current*` totals leave out the units refunded since the sale.
    async fn current_subtotal_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.current_totals().subtotal)
    }
    async fn current_total_tax_set(&self) -> MoneyBagObj {
        self.bag(self.0.current_totals().tax)
    }
    async fn current_total_discounts_set(&self) -> MoneyBagObj {
        self.bag(self.0.current_totals().discounts)
    }
    async fn current_shipping_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.current_totals().shipping)
    }
    async fn current_total_price_set(&self) -> MoneyBagObj {
        self.bag(self.0.current_totals().total)
    }
    async fn total_refunded_set(&self) -> MoneyBagObj {
        self.bag(self.0.total_refunded())
    }
    async fn total_received_set(&self) -> MoneyBagObj {
        self.bag(self.0.total_received())
    }
    async fn net_payment_set(&self) -> MoneyBagObj {
        self.bag(self.0.total_received() - self.0.total_refunded())
    }
    async fn total_outstanding_set(&self) -> MoneyBagObj {
        self.bag((self.0.total_price() - self.0.total_received()).map(|d| d.max(RustDecimal::ZERO)))
    }
    /// Cash rounding on payments and refunds: totalReceived + paymentSet is what the drawer took.
    async fn total_cash_rounding_adjustment(&self) -> CashRoundingAdjustmentObj {
        let (payment, refund) = self.0.cash_rounding_totals();
        CashRoundingAdjustmentObj { payment_set: self.bag(payment), refund_set: self.bag(refund) }
    }
    async fn tax_lines(&self) -> Vec<TaxLineObj> {
        tax_objs(&self.0.tax_lines(), self.currency())
    }
    #[allow(clippy::too_many_arguments)]
    async fn discount_applications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, DiscountApplication>> {
        let keyed = (0..self.0.discount_applications.len()).map(|i| (SortValue::Int(i as i64), i as u64)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |i| discount_application(&self.0.discount_applications, self.currency(), i as usize)))
    }
    async fn discount_codes(&self) -> Vec<String> {
        self.0
            .discount_applications
            .iter()
            .filter_map(|d| match &d.kind {
                DiscountKind::Code(code) => Some(code.clone()),
                _ => None,
            })
            .collect()
    }
    #[allow(clippy::too_many_arguments)]
    async fn shipping_lines(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        include_removals: Option<bool>,
    ) -> Result<Connection<String, ShippingLineObj>> {
        // Counter shipping lines are never removed, so there are no removals to include.
        let _ = include_removals;
        let keyed = self.0.shipping_lines.iter().map(|l| (SortValue::Int(l.id as i64), l.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            let line = self.0.shipping_lines.iter().find(|l| l.id == id)?.clone();
            Some(ShippingLineObj { line, currencies: self.currency() })
        }))
    }
    async fn shipping_line(&self) -> Option<ShippingLineObj> {
        let line = self.0.shipping_lines.first()?.clone();
        Some(ShippingLineObj { line, currencies: self.currency() })
    }
    #[allow(clippy::too_many_arguments)]
    async fn line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, LineItemObj>> {
        let keyed = self.0.line_items.iter().enumerate().map(|(i, l)| (SortValue::Int(i as i64), l.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| self.line_item(id)))
    }
    async fn transactions(&self, first: Option<i32>) -> Vec<TransactionObj> {
        let n = first.map_or(usize::MAX, |n| n.max(0) as usize);
        let mut all: Vec<TransactionRec> = self.0.transactions.clone();
        all.extend(self.0.refunds.iter().flat_map(|r| r.transactions.clone()));
        all.sort_by_key(|t| (t.processed_at, t.id));
        all.into_iter()
            .take(n)
            .map(|t| TransactionObj { order_id: self.0.id, tx: t, currency: self.currency() })
            .collect()
    }
    async fn refunds(&self, first: Option<i32>) -> Vec<RefundObj> {
        let n = first.map_or(usize::MAX, |n| n.max(0) as usize);
        self.0.refunds.iter().take(n).map(|r| RefundObj { order: self.0.clone(), refund: r.clone() }).collect()
    }
    #[allow(clippy::too_many_arguments)]
    async fn returns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, ReturnObj>> {
        let keyed = self.0.returns.iter().map(|r| (SortValue::Int(r.id as i64), r.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            self.0.returns.iter().find(|r| r.id == id).map(|r| ReturnObj { order: self.0.clone(), ret: r.clone() })
        }))
    }
}

impl OrderObj {
    fn currency(&self) -> Currencies {
        currencies(&self.0)
    }
    fn bag(&self, amount: MoneyBag) -> MoneyBagObj {
        MoneyBagObj::new(amount, self.currency())
    }
    fn line_item(&self, id: u64) -> Option<LineItemObj> {
        let line = self.0.line_items.iter().find(|l| l.id == id)?.clone();
        Some(LineItemObj {
            refunded: self.0.refunded_quantity(id),
            unfulfilled: self.0.unfulfilled_quantity(&line),
            currency: self.currency(),
            applications: self.0.discount_applications.clone(),
            line,
        })
    }
}

#[derive(Clone)]
pub(crate) struct LineItemObj {
    pub line: LineItemRec,
    pub refunded: i64,
    pub unfulfilled: i64,
    pub currency: Currencies,
    /// The order's discount applications, which the line's allocations point at by index.
    pub applications: Vec<DiscountApplicationRec>,
}

#[Object(name = "LineItem")]
impl LineItemObj {
    async fn id(&self) -> ID {
        ID(gid("LineItem", self.line.id))
    }
    async fn name(&self) -> String {
        self.line.name()
    }
    async fn title(&self) -> &str {
        &self.line.title
    }
    async fn variant_title(&self) -> Option<&str> {
        self.line.variant_title.as_deref()
    }
    async fn sku(&self) -> Option<&str> {
        Some(&self.line.sku)
    }
    async fn vendor(&self) -> Option<&str> {
        Some(&self.line.vendor)
    }
    /// Includes refunded units; `currentQuantity` does not.
    async fn quantity(&self) -> i32 {
        self.line.quantity as i32
    }
    async fn current_quantity(&self) -> i32 {
        (self.line.quantity - self.refunded) as i32
    }
    async fn refundable_quantity(&self) -> i32 {
        (self.line.quantity - self.refunded) as i32
    }
    async fn unfulfilled_quantity(&self) -> i32 {
        self.unfulfilled as i32
    }
    async fn taxable(&self) -> bool {
        self.line.taxable
    }
    /// Physical goods require shipping even when handed over at the counter, as in the POS capture.
    async fn requires_shipping(&self) -> bool {
        !self.line.gift_card
    }
    async fn is_gift_card(&self) -> bool {
        self.line.gift_card
    }
    async fn custom_attributes(&self) -> Vec<AttributeObj> {
        self.line
            .properties
            .iter()
            .map(|(key, value)| AttributeObj { key: key.clone(), value: Some(value.clone()) })
            .collect()
    }
    /// Sales staff attribution; counter sales attribute none to lines.
    async fn staff_member(&self) -> Option<StaffMemberObj> {
        None
    }
    async fn variant(&self, ctx: &Context<'_>) -> Option<VariantObj> {
        shop(ctx).read().variants.get(&self.line.variant_id?).cloned().map(VariantObj)
    }
    async fn product(&self, ctx: &Context<'_>) -> Option<ProductObj> {
        shop(ctx).read().products.get(&self.line.product_id?).cloned().map(ProductObj)
    }
    async fn original_unit_price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.unit_price, self.currency)
    }
    /// Shopify leaves order-level and code discounts out of these four; only
    /// `discountedUnitPriceAfterAllDiscountsSet` and the allocations carry every discount.
    async fn discounted_unit_price_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.per_unit(self.line.original_total() - self.line_level_discount(false)), self.currency)
    }
    async fn discounted_unit_price_after_all_discounts_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.discounted_unit_price(), self.currency)
    }
    async fn original_total_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.original_total(), self.currency)
    }
    async fn discounted_total_set(&self, with_code_discounts: Option<bool>) -> MoneyBagObj {
        let discount = self.line_level_discount(with_code_discounts.unwrap_or(false));
        MoneyBagObj::new(self.line.original_total() - discount, self.currency)
    }
    async fn total_discount_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line_level_discount(false), self.currency)
    }
    async fn tax_lines(&self, first: Option<i32>) -> Vec<TaxLineObj> {
        let n = first.map_or(usize::MAX, |n| n.max(0) as usize);
        tax_objs(&self.line.tax_lines, self.currency).into_iter().take(n).collect()
    }
    /// Every discount's share of the line, each pointing at its application.
    async fn discount_allocations(&self) -> Vec<DiscountAllocationObj> {
        self.line
            .allocations
            .iter()
            .filter_map(|a| {
                Some(DiscountAllocationObj {
                    allocated_amount_set: MoneyBagObj::new(a.amount, self.currency),
                    discount_application: discount_application(&self.applications, self.currency, a.application_index)?,
                })
            })
            .collect()
    }
}

impl LineItemObj {
    /// The allocations of discounts aimed at this line alone, plus code discounts when asked.
    fn line_level_discount(&self, with_codes: bool) -> MoneyBag {
        self.line
            .allocations
            .iter()
            .filter(|a| {
                self.applications.get(a.application_index).is_some_and(|d| {
                    d.target == DiscountTarget::Explicit || (with_codes && matches!(d.kind, DiscountKind::Code(_)))
                })
            })
            .map(|a| a.amount)
            .sum()
    }
    fn per_unit(&self, total: MoneyBag) -> MoneyBag {
        let quantity = RustDecimal::from(self.line.quantity.max(1));
        total.map(|t| round_money(t / quantity))
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Attribute")]
pub(crate) struct AttributeObj {
    pub key: String,
    pub value: Option<String>,
}

#[derive(Clone)]
pub(crate) struct TransactionObj {
    pub order_id: u64,
    pub tx: TransactionRec,
    pub currency: Currencies,
}

#[Object(name = "OrderTransaction")]
impl TransactionObj {
    async fn id(&self) -> ID {
        ID(gid("OrderTransaction", self.tx.id))
    }
    async fn kind(&self) -> OrderTransactionKind {
        match self.tx.kind {
            TxKind::Sale => OrderTransactionKind::Sale,
            TxKind::Refund => OrderTransactionKind::Refund,
        }
    }
    async fn status(&self) -> OrderTransactionStatus {
        OrderTransactionStatus::Success
    }
    async fn gateway(&self) -> Option<&str> {
        Some(&self.tx.gateway)
    }
    async fn formatted_gateway(&self) -> Option<String> {
        Some(
            self.tx
                .gateway
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
    async fn manual_payment_gateway(&self) -> bool {
        self.tx.gateway == "cash" || self.tx.gateway == "manual"
    }
    async fn amount_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.tx.amount, self.currency)
    }
    /// Cash rounding: amountSet + amountRoundingSet is what changed hands in cash.
    async fn amount_rounding_set(&self) -> Option<MoneyBagObj> {
        self.tx.rounding.map(|r| MoneyBagObj::new(r, self.currency))
    }
    async fn processed_at(&self) -> Option<DateTime> {
        Some(DateTime(self.tx.processed_at))
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.tx.processed_at)
    }
    async fn test(&self) -> bool {
        false
    }
    async fn location(&self, ctx: &Context<'_>) -> Option<LocationObj> {
        shop(ctx).read().locations.get(&self.tx.location_id?).cloned().map(LocationObj)
    }
    /// The POS user who took the payment.
    async fn user(&self, ctx: &Context<'_>) -> Option<StaffMemberObj> {
        let staff = shop(ctx).read().orders.get(&self.order_id)?.staff_member_id;
        staff_member(ctx, staff)
    }
    async fn parent_transaction(&self, ctx: &Context<'_>) -> Option<TransactionObj> {
        let parent = self.tx.parent_id?;
        let d = shop(ctx).read();
        let order = d.orders.get(&self.order_id)?;
        let tx = order
            .transactions
            .iter()
            .chain(order.refunds.iter().flat_map(|r| &r.transactions))
            .find(|t| t.id == parent)?;
        Some(TransactionObj { order_id: self.order_id, tx: tx.clone(), currency: self.currency })
    }
    async fn order(&self, ctx: &Context<'_>) -> Option<OrderObj> {
        shop(ctx).read().orders.get(&self.order_id).cloned().map(OrderObj)
    }
}

#[derive(Clone)]
pub(crate) struct RefundObj {
    pub order: OrderRec,
    pub refund: RefundRec,
}

impl RefundObj {
    fn currency(&self) -> Currencies {
        currencies(&self.order)
    }
}

#[Object(name = "Refund")]
impl RefundObj {
    async fn id(&self) -> ID {
        ID(gid("Refund", self.refund.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.refund.id)
    }
    async fn created_at(&self) -> Option<DateTime> {
        Some(DateTime(self.refund.created_at))
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.refund.created_at)
    }
    async fn note(&self) -> Option<&str> {
        self.refund.note.as_deref()
    }
    async fn staff_member(&self, ctx: &Context<'_>) -> Option<StaffMemberObj> {
        staff_member(ctx, self.order.staff_member_id)
    }
    async fn order(&self) -> OrderObj {
        OrderObj(self.order.clone())
    }
    async fn total_refunded_set(&self, include_incomplete_transactions: Option<bool>) -> MoneyBagObj {
        // Every emulated refund transaction succeeds at once: none is incomplete.
        let _ = include_incomplete_transactions;
        MoneyBagObj::new(self.refund.total(), self.currency())
    }
    async fn r#return(&self) -> Option<ReturnObj> {
        let id = self.refund.return_id?;
        let ret = self.order.returns.iter().find(|r| r.id == id)?;
        Some(ReturnObj { order: self.order.clone(), ret: ret.clone() })
    }
    #[allow(clippy::too_many_arguments)]
    async fn refund_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, RefundLineObj>> {
        let keyed = self.refund.lines.iter().map(|l| (SortValue::Int(l.id as i64), l.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            let line = self.refund.lines.iter().find(|l| l.id == id)?.clone();
            Some(RefundLineObj { order: self.order.clone(), line })
        }))
    }
    #[allow(clippy::too_many_arguments)]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, TransactionObj>> {
        let keyed = self.refund.transactions.iter().map(|t| (SortValue::Int(t.id as i64), t.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            let tx = self.refund.transactions.iter().find(|t| t.id == id)?.clone();
            Some(TransactionObj { order_id: self.order.id, tx, currency: self.currency() })
        }))
    }
}

#[derive(Clone)]
pub(crate) struct RefundLineObj {
    pub order: OrderRec,
    pub line: RefundLineRec,
}

#[Object(name = "RefundLineItem")]
impl RefundLineObj {
    async fn id(&self) -> Option<ID> {
        Some(ID(gid("RefundLineItem", self.line.id)))
    }
    async fn quantity(&self) -> i32 {
        self.line.quantity as i32
    }
    async fn restock_type(&self) -> RefundLineItemRestockType {
        match self.line.restock_type {
            RestockType::Cancel => RefundLineItemRestockType::Cancel,
            RestockType::Return => RefundLineItemRestockType::Return,
            RestockType::NoRestock => RefundLineItemRestockType::NoRestock,
            RestockType::LegacyRestock => RefundLineItemRestockType::LegacyRestock,
        }
    }
    async fn restocked(&self) -> bool {
        self.line.restock_type.restocks()
    }
    async fn line_item(&self) -> Result<LineItemObj> {
        OrderObj(self.order.clone()).line_item(self.line.line_item_id).ok_or_else(|| "line item vanished".into())
    }
    async fn location(&self, ctx: &Context<'_>) -> Option<LocationObj> {
        shop(ctx).read().locations.get(&self.line.location_id?).cloned().map(LocationObj)
    }
    async fn price_set(&self) -> MoneyBagObj {
        let unit = self
            .order
            .line_items
            .iter()
            .find(|l| l.id == self.line.line_item_id)
            .map(|l| l.unit_price)
            .unwrap_or_default();
        MoneyBagObj::new(unit, currencies(&self.order))
    }
    async fn subtotal_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.subtotal, currencies(&self.order))
    }
    async fn total_tax_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.total_tax, currencies(&self.order))
    }
}

#[derive(Clone)]
pub(crate) struct ReturnObj {
    pub order: OrderRec,
    pub ret: ReturnRec,
}

#[Object(name = "Return")]
impl ReturnObj {
    async fn id(&self) -> ID {
        ID(gid("Return", self.ret.id))
    }
    async fn name(&self) -> &str {
        &self.ret.name
    }
    async fn status(&self) -> ReturnStatus {
        if self.ret.closed_at.is_some() { ReturnStatus::Closed } else { ReturnStatus::Open }
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.ret.created_at)
    }
    async fn closed_at(&self) -> Option<DateTime> {
        self.ret.closed_at.map(DateTime)
    }
    async fn total_quantity(&self) -> i32 {
        self.ret.lines.iter().map(|l| l.quantity).sum::<i64>() as i32
    }
    async fn order(&self) -> OrderObj {
        OrderObj(self.order.clone())
    }
    #[allow(clippy::too_many_arguments)]
    async fn return_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, ReturnLineObj>> {
        let keyed = self.ret.lines.iter().map(|l| (SortValue::Int(l.id as i64), l.id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            let line = self.ret.lines.iter().find(|l| l.id == id)?.clone();
            Some(ReturnLineObj { order: self.order.clone(), line, closed: self.ret.closed_at.is_some() })
        }))
    }
    #[allow(clippy::too_many_arguments)]
    async fn refunds(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, RefundObj>> {
        let keyed = self.ret.refund_ids.iter().map(|id| (SortValue::Int(*id as i64), *id)).collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |id| {
            let refund = self.order.refunds.iter().find(|r| r.id == id)?.clone();
            Some(RefundObj { order: self.order.clone(), refund })
        }))
    }
}

#[derive(Clone)]
pub(crate) struct ReturnLineObj {
    pub order: OrderRec,
    pub line: ReturnLineRec,
    pub closed: bool,
}

#[Object(name = "ReturnLineItem")]
impl ReturnLineObj {
    async fn id(&self) -> ID {
        ID(gid("ReturnLineItem", self.line.id))
    }
    async fn quantity(&self) -> i32 {
        self.line.quantity as i32
    }
    async fn processed_quantity(&self) -> i32 {
        if self.closed { self.line.quantity as i32 } else { 0 }
    }
    async fn unprocessed_quantity(&self) -> i32 {
        if self.closed { 0 } else { self.line.quantity as i32 }
    }
    async fn processable_quantity(&self) -> i32 {
        if self.closed { 0 } else { self.line.quantity as i32 }
    }
    async fn refunded_quantity(&self) -> i32 {
        if self.closed { self.line.quantity as i32 } else { 0 }
    }
    async fn refundable_quantity(&self) -> i32 {
        if self.closed { 0 } else { self.line.quantity as i32 }
    }
    async fn return_reason_note(&self) -> &str {
        &self.line.note
    }
    async fn customer_note(&self) -> Option<&str> {
        None
    }
    /// Counter returns take goods back over the counter; the fulfillment line item mirrors the
    /// order line it returns.
    async fn fulfillment_line_item(&self) -> Result<FulfillmentLineObj> {
        let line = self.order.line_items.iter().find(|l| l.id == self.line.line_item_id).ok_or("line item vanished")?;
        Ok(FulfillmentLineObj { id: line.id, order: self.order.clone(), line: line.clone(), quantity: line.fulfilled })
    }
}

#[derive(Clone)]
pub(crate) struct FulfillmentLineObj {
    pub id: u64,
    pub order: OrderRec,
    pub line: LineItemRec,
    /// Units of the line this fulfillment handed over.
    pub quantity: i64,
}

#[Object(name = "FulfillmentLineItem")]
impl FulfillmentLineObj {
    async fn id(&self) -> ID {
        ID(gid("FulfillmentLineItem", self.id))
    }
    async fn quantity(&self) -> Option<i32> {
        Some(self.quantity as i32)
    }
    async fn line_item(&self) -> Result<LineItemObj> {
        OrderObj(self.order.clone()).line_item(self.line.id).ok_or_else(|| "line item vanished".into())
    }
    async fn original_total_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.original_total(), currencies(&self.order))
    }
    async fn discounted_total_set(&self) -> MoneyBagObj {
        MoneyBagObj::new(self.line.discounted_total(), currencies(&self.order))
    }
}

#[derive(Clone)]
pub(crate) struct FulfillmentObj {
    pub order: OrderRec,
    pub fulfillment: FulfillmentRec,
}

#[Object(name = "Fulfillment")]
impl FulfillmentObj {
    async fn id(&self) -> ID {
        ID(gid("Fulfillment", self.fulfillment.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.fulfillment.id)
    }
    async fn name(&self) -> &str {
        &self.fulfillment.name
    }
    async fn status(&self) -> FulfillmentStatus {
        FulfillmentStatus::Success
    }
    async fn display_status(&self) -> Option<FulfillmentDisplayStatus> {
        Some(FulfillmentDisplayStatus::Fulfilled)
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.fulfillment.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.fulfillment.created_at)
    }
    async fn delivered_at(&self) -> Option<DateTime> {
        None
    }
    async fn requires_shipping(&self) -> bool {
        true
    }
    async fn total_quantity(&self) -> i32 {
        self.fulfillment.total_quantity() as i32
    }
    async fn location(&self, ctx: &Context<'_>) -> Option<LocationObj> {
        shop(ctx).read().locations.get(&self.fulfillment.location_id).cloned().map(LocationObj)
    }
    async fn order(&self) -> OrderObj {
        OrderObj(self.order.clone())
    }
    #[allow(clippy::too_many_arguments)]
    async fn fulfillment_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<Connection<String, FulfillmentLineObj>> {
        let keyed = self
            .fulfillment
            .lines
            .iter()
            .enumerate()
            .map(|(i, (line_id, _))| (SortValue::Int(i as i64), *line_id))
            .collect();
        let page = window(ctx, &PageArgs::new(first, after, last, before, reverse), keyed)?;
        Ok(connection(page, |line_id| {
            let quantity = self.fulfillment.lines.iter().find(|(l, _)| *l == line_id)?.1;
            let line = self.order.line_items.iter().find(|l| l.id == line_id)?.clone();
            // One fulfillment line per order line and fulfillment: ids stay unique.
            Some(FulfillmentLineObj { id: self.fulfillment.id ^ line_id, order: self.order.clone(), line, quantity })
        }))
    }
}

#[derive(Clone)]
pub(crate) struct StaffMemberObj(pub StaffRec);

fn staff_member(ctx: &Context<'_>, id: Option<u64>) -> Option<StaffMemberObj> {
    shop(ctx).read().staff.get(&id?).cloned().map(StaffMemberObj)
}

#[Object(name = "StaffMember")]
impl StaffMemberObj {
    async fn id(&self) -> ID {
        ID(gid("StaffMember", self.0.id))
    }
    async fn name(&self) -> String {
        self.0.name()
    }
    async fn first_name(&self) -> Option<&str> {
        Some(&self.0.first_name)
    }
    async fn last_name(&self) -> Option<&str> {
        Some(&self.0.last_name)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn active(&self) -> bool {
        true
    }
    async fn exists(&self) -> bool {
        true
    }
    async fn is_shop_owner(&self) -> bool {
        self.0.is_shop_owner
    }
    async fn locale(&self) -> &str {
        "en"
    }
}

// ---------------------------------------------------------------- customers

#[derive(Clone)]
pub(crate) struct CustomerObj(pub CustomerRec);

#[derive(SimpleObject, Clone)]
#[graphql(name = "CustomerEmailAddress")]
pub(crate) struct CustomerEmailAddressObj {
    pub email_address: String,
    pub marketing_state: CustomerEmailAddressMarketingState,
    pub valid_format: bool,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "CustomerEmailMarketingConsentState")]
pub(crate) struct CustomerEmailMarketingConsentStateObj {
    pub marketing_state: CustomerEmailMarketingState,
    pub marketing_opt_in_level: Option<CustomerMarketingOptInLevel>,
    pub consent_updated_at: Option<DateTime>,
}

#[Object(name = "Customer")]
impl CustomerObj {
    async fn id(&self) -> ID {
        ID(gid("Customer", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn first_name(&self) -> Option<&str> {
        Some(&self.0.first_name)
    }
    async fn last_name(&self) -> Option<&str> {
        Some(&self.0.last_name)
    }
    async fn display_name(&self) -> String {
        format!("{} {}", self.0.first_name, self.0.last_name).trim().to_string()
    }
    /// Deprecated on Shopify in favour of defaultEmailAddress, still served.
    async fn email(&self) -> Option<&str> {
        Some(&self.0.email)
    }
    /// Deprecated on Shopify in favour of defaultEmailAddress's marketing fields, still served.
    async fn email_marketing_consent(&self) -> Option<CustomerEmailMarketingConsentStateObj> {
        Some(match self.0.marketing_consent_at {
            Some(at) => CustomerEmailMarketingConsentStateObj {
                marketing_state: CustomerEmailMarketingState::Subscribed,
                marketing_opt_in_level: Some(CustomerMarketingOptInLevel::SingleOptIn),
                consent_updated_at: Some(DateTime(at)),
            },
            None => CustomerEmailMarketingConsentStateObj {
                marketing_state: CustomerEmailMarketingState::NotSubscribed,
                marketing_opt_in_level: None,
                consent_updated_at: None,
            },
        })
    }
    async fn default_email_address(&self) -> Option<CustomerEmailAddressObj> {
        Some(CustomerEmailAddressObj {
            email_address: self.0.email.clone(),
            marketing_state: if self.0.marketing_consent_at.is_some() {
                CustomerEmailAddressMarketingState::Subscribed
            } else {
                CustomerEmailAddressMarketingState::NotSubscribed
            },
            valid_format: self.0.email.contains('@'),
        })
    }
    async fn state(&self) -> CustomerState {
        CustomerState::Disabled
    }
    async fn verified_email(&self) -> bool {
        true
    }
    async fn tax_exempt(&self) -> bool {
        false
    }
    async fn tags(&self) -> Vec<String> {
        vec![]
    }
    async fn note(&self) -> Option<&str> {
        None
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
    async fn number_of_orders(&self, ctx: &Context<'_>) -> UnsignedInt64 {
        UnsignedInt64(shop(ctx).read().orders.values().filter(|o| o.customer_id == Some(self.0.id)).count() as u64)
    }
    async fn amount_spent(&self, ctx: &Context<'_>) -> MoneyV2Obj {
        let d = shop(ctx).read();
        let spent: RustDecimal = d
            .orders
            .values()
            .filter(|o| o.customer_id == Some(self.0.id))
            .map(|o| (o.total_received() - o.total_refunded()).shop)
            .sum();
        MoneyV2Obj { amount: Decimal(spent), currency_code: currency(&d) }
    }
}

// ---------------------------------------------------------------- bulk, webhooks, shop

#[derive(Clone)]
pub(crate) struct BulkObj(pub BulkRec);

#[Object(name = "BulkOperation")]
impl BulkObj {
    async fn id(&self) -> ID {
        ID(gid("BulkOperation", self.0.id))
    }
    async fn status(&self) -> BulkOperationStatus {
        match self.0.status {
            BulkStatus::Created => BulkOperationStatus::Created,
            BulkStatus::Running => BulkOperationStatus::Running,
            BulkStatus::Completed => BulkOperationStatus::Completed,
            BulkStatus::Failed => BulkOperationStatus::Failed,
            BulkStatus::Canceling => BulkOperationStatus::Canceling,
            BulkStatus::Canceled => BulkOperationStatus::Canceled,
        }
    }
    #[graphql(name = "type")]
    async fn operation_type(&self) -> BulkOperationType {
        BulkOperationType::Query
    }
    async fn error_code(&self) -> Option<BulkOperationErrorCode> {
        self.0.error_code.and_then(enum_from_code)
    }
    async fn query(&self) -> &str {
        &self.0.query
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }
    async fn object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.object_count)
    }
    async fn root_object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.root_object_count)
    }
    async fn file_size(&self) -> Option<UnsignedInt64> {
        self.0.file_size.map(UnsignedInt64)
    }
    async fn url(&self) -> Option<Url> {
        self.0.url.clone().map(Url)
    }
    async fn partial_data_url(&self) -> Option<Url> {
        None
    }
}

#[derive(Clone)]
pub(crate) struct SubscriptionObj(pub SubscriptionRec);

#[derive(SimpleObject, Clone)]
#[graphql(name = "ApiVersion")]
pub(crate) struct ApiVersionObj {
    pub handle: String,
    pub display_name: String,
    pub supported: bool,
}

#[Object(name = "WebhookSubscription")]
impl SubscriptionObj {
    async fn id(&self) -> ID {
        ID(gid("WebhookSubscription", self.0.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.0.id)
    }
    async fn topic(&self) -> Result<WebhookSubscriptionTopic> {
        WebhookSubscriptionTopic::from_name(&self.0.topic).ok_or_else(|| "unknown topic".into())
    }
    async fn format(&self) -> WebhookSubscriptionFormat {
        if self.0.format == "XML" { WebhookSubscriptionFormat::Xml } else { WebhookSubscriptionFormat::Json }
    }
    async fn uri(&self) -> &str {
        &self.0.uri
    }
    /// Deprecated in favour of `uri`; older clients still read it.
    async fn callback_url(&self) -> Url {
        Url(self.0.uri.clone())
    }
    async fn include_fields(&self) -> Vec<String> {
        self.0.include_fields.clone()
    }
    async fn filter(&self) -> Option<&str> {
        self.0.filter.as_deref()
    }
    async fn api_version(&self) -> ApiVersionObj {
        ApiVersionObj { handle: self.0.api_version.clone(), display_name: self.0.api_version.clone(), supported: true }
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

pub(crate) struct ShopObj;

#[Object(name = "Shop")]
impl ShopObj {
    async fn id(&self) -> ID {
        ID(gid("Shop", 1))
    }
    async fn name(&self, ctx: &Context<'_>) -> String {
        shop(ctx).shop_domain.trim_end_matches(".myshopify.com").to_string()
    }
    async fn myshopify_domain(&self, ctx: &Context<'_>) -> String {
        shop(ctx).shop_domain.clone()
    }
    async fn currency_code(&self, ctx: &Context<'_>) -> CurrencyCode {
        currency(&shop(ctx).read())
    }
    async fn iana_timezone(&self, ctx: &Context<'_>) -> String {
        shop(ctx).time_zone.clone()
    }
}

/// Looks up any supported object by GID, for `node`/`nodes`.
pub(crate) fn node_by_id(d: &ShopData, id: &str) -> Option<Node> {
    let rest = id.strip_prefix("gid://shopify/")?;
    let (kind, _) = rest.split_once('/')?;
    let number = |k: &str| super::model::parse_gid(id, k);
    let order_of = |pred: &dyn Fn(&OrderRec) -> bool| d.orders.values().find(|o| pred(o)).cloned();
    Some(match kind {
        "ProductVariant" => Node::ProductVariant(VariantObj(d.variants.get(&number(kind)?)?.clone())),
        "Product" => Node::Product(ProductObj(d.products.get(&number(kind)?)?.clone())),
        "InventoryItem" => Node::InventoryItem(ItemObj(d.items.get(&number(kind)?)?.clone())),
        "InventoryLevel" => {
            let (group, item) = super::model::parse_level_gid(id)?;
            let loc = d.location_by_group(group)?.id;
            Node::InventoryLevel(LevelObj { item_id: item, location_id: loc, level: d.level(item, loc)?.clone() })
        }
        "Location" => Node::Location(LocationObj(d.locations.get(&number(kind)?)?.clone())),
        "Order" => Node::Order(OrderObj(d.orders.get(&number(kind)?)?.clone())),
        "Customer" => Node::Customer(CustomerObj(d.customers.get(&number(kind)?)?.clone())),
        "BulkOperation" => Node::BulkOperation(BulkObj(d.bulk_operations.get(&number(kind)?)?.clone())),
        "WebhookSubscription" => {
            Node::WebhookSubscription(SubscriptionObj(d.subscriptions.get(&number(kind)?)?.clone()))
        }
        "LineItem" => {
            let n = number(kind)?;
            let order = OrderObj(order_of(&|o| o.line_items.iter().any(|l| l.id == n))?);
            Node::LineItem(order.line_item(n)?)
        }
        "Refund" => {
            let n = number(kind)?;
            let order = order_of(&|o| o.refunds.iter().any(|r| r.id == n))?;
            let refund = order.refunds.iter().find(|r| r.id == n)?.clone();
            Node::Refund(RefundObj { order, refund })
        }
        "StaffMember" => Node::StaffMember(StaffMemberObj(d.staff.get(&number(kind)?)?.clone())),
        "Fulfillment" => {
            let n = number(kind)?;
            let order = order_of(&|o| o.fulfillments.iter().any(|f| f.id == n))?;
            let fulfillment = order.fulfillments.iter().find(|f| f.id == n)?.clone();
            Node::Fulfillment(FulfillmentObj { order, fulfillment })
        }
        "Return" => {
            let n = number(kind)?;
            let order = order_of(&|o| o.returns.iter().any(|r| r.id == n))?;
            let ret = order.returns.iter().find(|r| r.id == n)?.clone();
            Node::Return(ReturnObj { order, ret })
        }
        "OrderTransaction" => {
            let n = number(kind)?;
            let has = |o: &OrderRec| {
                o.transactions.iter().chain(o.refunds.iter().flat_map(|r| &r.transactions)).any(|t| t.id == n)
            };
            let order = order_of(&has)?;
            let tx = order
                .transactions
                .iter()
                .chain(order.refunds.iter().flat_map(|r| &r.transactions))
                .find(|t| t.id == n)?
                .clone();
            Node::OrderTransaction(TransactionObj { order_id: order.id, currency: currencies(&order), tx })
        }
        _ => return None,
    })
}

/// Matches one variant against a `productVariants` search term.
pub(crate) fn variant_term(d: &ShopData, v: &Variant, field: Option<&str>, op: Op, value: &str) -> Option<bool> {
    Some(match field {
        Some("sku") => text_eq(&v.sku, value),
        Some("barcode") => text_eq(&v.barcode, value),
        Some("updated_at") => time_matches(v.updated_at, op, value)?,
        Some("created_at") => time_matches(v.created_at, op, value)?,
        Some("id") => number_matches(v.id as i64, op, value)?,
        Some("product_id") => number_matches(v.product_id as i64, op, value)?,
        Some("inventory_item_id") => number_matches(v.inventory_item_id as i64, op, value)?,
        Some("title") => super::search::text_contains(&v.title, value),
        Some("inventory_quantity") => number_matches(sellable(d, v.inventory_item_id), op, value)?,
        Some("location_id") => {
            let loc: u64 = value.parse().ok()?;
            d.level(v.inventory_item_id, loc).is_some_and(|l| l.active)
        }
        None => {
            let product = d.products.get(&v.product_id).map(|p| p.title.as_str()).unwrap_or_default();
            super::search::text_contains(&v.title, value)
                || super::search::text_contains(product, value)
                || text_eq(&v.sku, value)
        }
        _ => return None,
    })
}

pub(crate) const VARIANT_FILTERS: [&str; 10] = [
    "sku",
    "barcode",
    "updated_at",
    "created_at",
    "id",
    "product_id",
    "inventory_item_id",
    "title",
    "inventory_quantity",
    "location_id",
];
