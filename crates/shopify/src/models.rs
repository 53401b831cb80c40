//! Typed Shopify resources, as the Admin schema defines them, with only the fields the sync
//! reads. Money is `Decimal` (Shopify's `Money` and `Decimal` scalars are decimal strings);
//! ids are GID newtypes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::gid::*;

// ---------------------------------------------------------------- catalog

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductRef {
    pub id: ProductId,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub id: VariantId,
    /// None when the variant has no SKU (Shopify sends null or "" for it).
    #[serde(default, deserialize_with = "blank_is_none")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub barcode: Option<String>,
    pub price: Decimal,
    #[serde(default)]
    pub compare_at_price: Option<Decimal>,
    #[serde(default)]
    pub selected_options: Vec<SelectedOption>,
    #[serde(rename = "inventoryItem", deserialize_with = "nested_id")]
    pub inventory_item_id: InventoryItemId,
    pub product: ProductRef,
    pub updated_at: DateTime<Utc>,
}

/// A product with every variant, as the bulk export rebuilds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductWithVariants {
    pub id: ProductId,
    pub title: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub variants: Vec<Variant>,
}

// ---------------------------------------------------------------- locations and stock

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub is_active: bool,
    pub fulfills_online_orders: bool,
    #[serde(default)]
    pub address: Option<LocationAddress>,
}

/// Where a location is, as far as pairing it with the other store's location needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationAddress {
    pub address1: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
}

/// The inventory states Shopify keeps per item and location (api-facts §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantityName {
    Available,
    Committed,
    OnHand,
    Reserved,
    Damaged,
    SafetyStock,
    QualityControl,
    Incoming,
}

impl QuantityName {
    pub fn as_str(self) -> &'static str {
        match self {
            QuantityName::Available => "available",
            QuantityName::Committed => "committed",
            QuantityName::OnHand => "on_hand",
            QuantityName::Reserved => "reserved",
            QuantityName::Damaged => "damaged",
            QuantityName::SafetyStock => "safety_stock",
            QuantityName::QualityControl => "quality_control",
            QuantityName::Incoming => "incoming",
        }
    }
}

/// Quantities by name, as many as were asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quantities(pub BTreeMap<QuantityName, i64>);

impl Quantities {
    pub fn get(&self, name: QuantityName) -> Option<i64> {
        self.0.get(&name).copied()
    }
    /// Sellable stock: what the sync compares and writes.
    pub fn available(&self) -> Option<i64> {
        self.get(QuantityName::Available)
    }
    pub fn committed(&self) -> Option<i64> {
        self.get(QuantityName::Committed)
    }
    pub fn on_hand(&self) -> Option<i64> {
        self.get(QuantityName::OnHand)
    }
}

impl<'de> Deserialize<'de> for Quantities {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quantities, D::Error> {
        #[derive(Deserialize)]
        struct Row {
            name: String,
            quantity: i64,
        }
        let rows = Vec::<Row>::deserialize(d)?;
        let mut out = BTreeMap::new();
        for row in rows {
            // A name this version of Tillbridge does not know is skipped, not fatal.
            if let Ok(name) = serde_json::from_value::<QuantityName>(serde_json::Value::String(row.name)) {
                out.insert(name, row.quantity);
            }
        }
        Ok(Quantities(out))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryLevel {
    pub id: InventoryLevelId,
    pub item_id: InventoryItemId,
    pub location_id: LocationId,
    pub quantities: Quantities,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One row of an inventory change Shopify applied.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryChange {
    pub name: String,
    pub delta: i64,
    /// Null when Shopify answers a repeated idempotent write from its record.
    #[serde(default)]
    pub quantity_after_change: Option<i64>,
    #[serde(rename = "item", default, deserialize_with = "optional_nested_id")]
    pub item_id: Option<InventoryItemId>,
    #[serde(rename = "location", default, deserialize_with = "optional_nested_id")]
    pub location_id: Option<LocationId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryAdjustment {
    pub id: Option<InventoryAdjustmentGroupId>,
    pub created_at: Option<DateTime<Utc>>,
    pub reason: String,
    #[serde(default)]
    pub reference_document_uri: Option<String>,
    #[serde(default)]
    pub changes: Vec<InventoryChange>,
}

// ---------------------------------------------------------------- orders

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FinancialStatus {
    Authorized,
    Expired,
    Paid,
    PartiallyPaid,
    PartiallyRefunded,
    Pending,
    Refunded,
    Voided,
    #[serde(other)]
    Unknown,
}

/// `displayFulfillmentStatus`: a counter sale is FULFILLED at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FulfillmentStatus {
    Fulfilled,
    InProgress,
    OnHold,
    Open,
    PartiallyFulfilled,
    PendingFulfillment,
    Restocked,
    Scheduled,
    Unfulfilled,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransactionKind {
    Authorization,
    Capture,
    /// Cash handed back at the till.
    Change,
    EmvAuthorization,
    Refund,
    Sale,
    SuggestedRefund,
    Void,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TransactionStatus {
    AwaitingResponse,
    Error,
    Failure,
    Pending,
    Success,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RestockType {
    /// Unfulfilled goods put back.
    Cancel,
    /// Fulfilled goods returned to stock.
    Return,
    NoRestock,
    LegacyRestock,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnStatus {
    Canceled,
    Closed,
    Declined,
    Open,
    Requested,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLine {
    pub title: String,
    /// A rate such as 0.08; decimal so it multiplies money exactly.
    pub rate: Option<Decimal>,
    pub amount: Decimal,
}

/// Which lines a discount application was aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DiscountTarget {
    /// The whole order: spread across every line.
    All,
    /// Lines the discount's rules entitle.
    Entitled,
    /// Lines picked one by one (a cashier's line discount).
    Explicit,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountAllocation {
    pub amount: Decimal,
    pub target: DiscountTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub id: LineItemId,
    pub name: String,
    pub sku: Option<String>,
    pub variant_id: Option<VariantId>,
    pub gift_card: bool,
    /// Units sold, refunded ones included.
    pub quantity: i64,
    /// Units still on the order after refunds and removals.
    pub current_quantity: i64,
    pub unit_price: Decimal,
    pub tax_lines: Vec<TaxLine>,
    pub discount_allocations: Vec<DiscountAllocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: TransactionId,
    pub kind: TransactionKind,
    pub status: TransactionStatus,
    pub gateway: Option<String>,
    pub amount: Decimal,
    pub processed_at: Option<DateTime<Utc>>,
    pub parent_id: Option<TransactionId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundLine {
    pub line_item_id: LineItemId,
    pub quantity: i64,
    pub restock_type: RestockType,
    pub location_id: Option<LocationId>,
    pub subtotal: Decimal,
    pub tax: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: RefundId,
    pub created_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub total_refunded: Decimal,
    pub return_id: Option<ReturnId>,
    pub lines: Vec<RefundLine>,
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    pub id: ReturnLineItemId,
    pub quantity: i64,
    /// The order line the goods came from (None for line types without one).
    pub line_item_id: Option<LineItemId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub id: ReturnId,
    pub name: String,
    pub status: ReturnStatus,
    pub created_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lines: Vec<ReturnLine>,
}

/// A customer's name and email are personal data: held in memory for the job that sends them,
/// never stored or logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCustomer {
    pub id: CustomerId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// The shopper agreed to marketing email (`marketingState: SUBSCRIBED`).
    pub accepts_marketing: bool,
}

/// A postal address (a customer's billing address, or a store's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub province_code: Option<String>,
    pub zip: Option<String>,
    pub country_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetailLocation {
    pub id: LocationId,
    pub name: String,
    pub address: Option<Address>,
}

/// An order as the POS sync needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosOrder {
    pub id: OrderId,
    /// "#1001".
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub source_name: Option<String>,
    /// The POS's own id for the sale, unique per source.
    pub source_identifier: Option<String>,
    pub email: Option<String>,
    pub currency: String,
    /// The currency the customer saw (the shop's unless the sale was presented in another).
    pub presentment_currency: String,
    pub taxes_included: bool,
    pub financial_status: Option<FinancialStatus>,
    pub fulfillment_status: Option<FulfillmentStatus>,
    pub retail_location: Option<RetailLocation>,
    /// The POS user who rang the sale up.
    pub staff_member: Option<String>,
    pub customer: Option<OrderCustomer>,
    pub billing_address: Option<Address>,
    pub subtotal: Option<Decimal>,
    pub total_tax: Option<Decimal>,
    pub total_discounts: Option<Decimal>,
    /// Shipping charged, after discounts.
    pub shipping: Decimal,
    pub total: Decimal,
    /// The total in the presentment currency.
    pub presentment_total: Decimal,
    /// What cash rounding added to the payment.
    pub cash_rounding: Decimal,
    pub total_refunded: Decimal,
    pub tax_lines: Vec<TaxLine>,
    pub line_items: Vec<LineItem>,
    pub transactions: Vec<Transaction>,
    pub refunds: Vec<Refund>,
    pub returns: Vec<Return>,
    /// False when a nested list was longer than the page read with it; read the order again
    /// with [`crate::ShopifyClient::order`], which reads longer lists.
    pub complete: bool,
}

// ---------------------------------------------------------------- customers

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------- serde helpers

/// Reads `{"id": …}` as the id alone.
pub(crate) fn nested_id<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    #[derive(Deserialize)]
    struct HasId<T> {
        id: T,
    }
    Ok(HasId::<T>::deserialize(d)?.id)
}

pub(crate) fn optional_nested_id<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    struct HasId<T> {
        id: T,
    }
    Ok(Option::<HasId<T>>::deserialize(d)?.map(|h| h.id))
}

pub(crate) fn blank_is_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// A `Float` that is really a decimal quantity (a tax rate): read through its shortest text
/// form, so 0.08 becomes exactly 0.08 rather than the nearest binary fraction.
pub(crate) fn float_as_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let Some(f) = Option::<f64>::deserialize(d)? else { return Ok(None) };
    f.to_string().parse::<Decimal>().map(Some).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_reads_from_shopify_json_with_money_as_decimal() {
        let v: Variant = serde_json::from_value(serde_json::json!({
            "id": "gid://shopify/ProductVariant/2001", "sku": "", "barcode": null,
            "price": "25.10", "compareAtPrice": "30.00", "updatedAt": "2026-03-01T12:00:00Z",
            "selectedOptions": [{"name": "Size", "value": "S"}],
            "inventoryItem": {"id": "gid://shopify/InventoryItem/502001"},
            "product": {"id": "gid://shopify/Product/1001", "title": "Harbour Tee"}
        }))
        .unwrap();
        assert_eq!(v.sku, None, "a blank SKU is no SKU, one way only");
        assert_eq!(v.price, Decimal::new(2510, 2), "money is exact");
        assert_eq!(
            v.inventory_item_id,
            InventoryItemId::from_number(502_001),
            "the item id is lifted out of its object"
        );
    }

    #[test]
    fn a_tax_rate_float_becomes_the_decimal_it_was_written_as() {
        #[derive(Deserialize)]
        struct Rate {
            #[serde(deserialize_with = "float_as_decimal")]
            rate: Option<Decimal>,
        }
        let r: Rate = serde_json::from_str(r#"{"rate": 0.08}"#).unwrap();
        assert_eq!(r.rate, Some(Decimal::new(8, 2)), "0.08, not 0.0800000000000000016653");
    }

    #[test]
    fn quantities_are_read_by_name_and_unknown_names_skipped() {
        let q: Quantities = serde_json::from_str(
            r#"[{"name":"available","quantity":8},{"name":"committed","quantity":2},{"name":"on_hand","quantity":10},{"name":"future_state","quantity":1}]"#,
        )
        .unwrap();
        assert_eq!((q.available(), q.committed(), q.on_hand()), (Some(8), Some(2), Some(10)), "each state by its name");
        assert_eq!(q.0.len(), 3, "a state this build does not know is left out rather than failing the read");
    }
}
