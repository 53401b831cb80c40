//! Shopify's custom scalars and the enums the emulator exposes. Money and decimals travel as
//! strings, exactly as Shopify sends them; inside, they are `rust_decimal::Decimal`.

use std::str::FromStr;

use async_graphql::{Enum, InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime as ChronoDateTime, Utc};
use rust_decimal::Decimal as RustDecimal;

use super::model::{decimal_amount, iso, money};

fn parse_decimal(value: &Value) -> Option<RustDecimal> {
    match value {
        Value::String(s) => RustDecimal::from_str(s.trim()).ok(),
        Value::Number(n) => RustDecimal::from_str(&n.to_string()).ok(),
        _ => None,
    }
}

/// `Money`: a decimal string with two places ("59.00"); input accepts strings and numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub RustDecimal);

#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        parse_decimal(&value).map(Money).ok_or_else(|| {
            InputValueError::custom(format!(
                "{value} is not a valid Money amount: send a decimal string such as \"19.99\""
            ))
        })
    }
    fn to_value(&self) -> Value {
        Value::String(money(self.0))
    }
}

/// `Decimal`: normalized decimal string ("59.0", "15.99").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub RustDecimal);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        parse_decimal(&value).map(Decimal).ok_or_else(|| {
            InputValueError::custom(format!("{value} is not a valid Decimal: send a decimal string such as \"1.5\""))
        })
    }
    fn to_value(&self) -> Value {
        Value::String(decimal_amount(self.0))
    }
}

/// `DateTime`: ISO 8601 in UTC ("2026-04-01T09:00:00Z").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub ChronoDateTime<Utc>);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => {
                ChronoDateTime::parse_from_rfc3339(s).map(|t| DateTime(t.with_timezone(&Utc))).map_err(|_| {
                    InputValueError::custom(format!(
                        "{s:?} is not an ISO 8601 date and time such as \"2026-04-01T09:00:00Z\""
                    ))
                })
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(iso(self.0))
    }
}

/// `URL`: an RFC 3986 URL string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url(pub String);

#[Scalar(name = "URL")]
impl ScalarType for Url {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) if s.contains("://") => Ok(Url(s.clone())),
            Value::String(s) => Err(InputValueError::custom(format!("{s:?} is not an absolute URL"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// `UnsignedInt64`: sent as a string ("0"), as in the bulk operation sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsignedInt64(pub u64);

#[Scalar(name = "UnsignedInt64")]
impl ScalarType for UnsignedInt64 {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(UnsignedInt64)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not an unsigned 64-bit integer"))),
            Value::Number(n) => n
                .as_u64()
                .map(UnsignedInt64)
                .ok_or_else(|| InputValueError::custom(format!("{n} is not an unsigned 64-bit integer"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

// ---------------------------------------------------------------- enums (subsets of Shopify's)

/// Currencies the emulated shop and its customers can use (a subset of Shopify's CurrencyCode:
/// the ones with two decimals, among them those POS rounds cash in).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrencyCode {
    Usd,
    Cad,
    Eur,
    Gbp,
    Aud,
    Nzd,
    Chf,
    Dkk,
    Hkd,
    Nok,
    Sek,
}

impl CurrencyCode {
    pub const CODES: [&'static str; 11] = ["USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "DKK", "HKD", "NOK", "SEK"];

    pub fn parse(code: &str) -> Option<CurrencyCode> {
        enum_from_code(code)
    }

    /// Records only hold codes `parse` accepted; anything else reads as USD.
    pub fn from_code(code: &str) -> CurrencyCode {
        Self::parse(code).unwrap_or(CurrencyCode::Usd)
    }
}

/// Countries addresses can name (a subset of Shopify's CountryCode).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryCode {
    Au,
    Be,
    Ca,
    Ch,
    De,
    Dk,
    Fi,
    Fr,
    Gb,
    Hk,
    Ie,
    Nl,
    No,
    Nz,
    Se,
    Us,
}

impl CountryCode {
    pub fn parse(code: &str) -> Option<CountryCode> {
        enum_from_code(&code.to_ascii_uppercase())
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountApplicationAllocationMethod {
    Across,
    Each,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountApplicationTargetSelection {
    All,
    Entitled,
    Explicit,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountApplicationTargetType {
    LineItem,
    ShippingLine,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDisplayFinancialStatus {
    Authorized,
    Expired,
    Paid,
    PartiallyPaid,
    PartiallyRefunded,
    Pending,
    Refunded,
    Voided,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FulfillmentStatus {
    Cancelled,
    Error,
    Failure,
    Success,
}

/// The subset of FulfillmentDisplayStatus a counter or ship-from-store fulfillment reaches.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FulfillmentDisplayStatus {
    Canceled,
    Fulfilled,
    MarkedAsFulfilled,
}

impl OrderDisplayFinancialStatus {
    pub fn from_code(code: &str) -> OrderDisplayFinancialStatus {
        match code {
            "PAID" => Self::Paid,
            "PARTIALLY_REFUNDED" => Self::PartiallyRefunded,
            "REFUNDED" => Self::Refunded,
            _ => Self::Pending,
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDisplayFulfillmentStatus {
    Fulfilled,
    InProgress,
    OnHold,
    Open,
    PartiallyFulfilled,
    PendingFulfillment,
    RequestDeclined,
    Restocked,
    Scheduled,
    Unfulfilled,
}

impl OrderDisplayFulfillmentStatus {
    pub fn from_code(code: &str) -> OrderDisplayFulfillmentStatus {
        enum_from_code(code).unwrap_or(Self::Unfulfilled)
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderTransactionKind {
    Authorization,
    Capture,
    Change,
    EmvAuthorization,
    Refund,
    Sale,
    SuggestedRefund,
    Void,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderTransactionStatus {
    AwaitingResponse,
    Error,
    Failure,
    Pending,
    Success,
    Unknown,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundLineItemRestockType {
    Cancel,
    LegacyRestock,
    NoRestock,
    Return,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnStatus {
    Canceled,
    Closed,
    Declined,
    Open,
    Requested,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    Active,
    Archived,
    Draft,
    Unlisted,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductVariantInventoryPolicy {
    Continue,
    Deny,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerEmailAddressMarketingState {
    Invalid,
    NotSubscribed,
    Pending,
    Subscribed,
    Unsubscribed,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerEmailMarketingState {
    Invalid,
    NotSubscribed,
    Pending,
    Redacted,
    Subscribed,
    Unsubscribed,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerMarketingOptInLevel {
    ConfirmedOptIn,
    SingleOptIn,
    Unknown,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerState {
    Declined,
    Disabled,
    Enabled,
    Invited,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOperationStatus {
    Canceled,
    Canceling,
    Completed,
    Created,
    Expired,
    Failed,
    Running,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOperationType {
    Mutation,
    Query,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOperationErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOperationUserErrorCode {
    Invalid,
    OperationInProgress,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSubscriptionFormat {
    Json,
    Xml,
}

/// The topics the emulator fires (a subset of Shopify's WebhookSubscriptionTopic).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSubscriptionTopic {
    InventoryLevelsUpdate,
    OrdersCreate,
    OrdersFulfilled,
    OrdersPaid,
    OrdersUpdated,
    ProductsUpdate,
    RefundsCreate,
}

impl WebhookSubscriptionTopic {
    pub fn name(self) -> &'static str {
        match self {
            Self::InventoryLevelsUpdate => "INVENTORY_LEVELS_UPDATE",
            Self::OrdersCreate => "ORDERS_CREATE",
            Self::OrdersFulfilled => "ORDERS_FULFILLED",
            Self::OrdersPaid => "ORDERS_PAID",
            Self::OrdersUpdated => "ORDERS_UPDATED",
            Self::ProductsUpdate => "PRODUCTS_UPDATE",
            Self::RefundsCreate => "REFUNDS_CREATE",
        }
    }
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::InventoryLevelsUpdate,
            Self::OrdersCreate,
            Self::OrdersFulfilled,
            Self::OrdersPaid,
            Self::OrdersUpdated,
            Self::ProductsUpdate,
            Self::RefundsCreate,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductVariantSortKeys {
    FullTitle,
    Id,
    Position,
    Sku,
    Title,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSortKeys {
    CreatedAt,
    Id,
    Title,
    UpdatedAt,
    Vendor,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSortKeys {
    CreatedAt,
    Id,
    OrderNumber,
    ProcessedAt,
    UpdatedAt,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSortKeys {
    CreatedAt,
    Id,
    Name,
    UpdatedAt,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationSortKeys {
    Id,
    Name,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookSubscriptionSortKeys {
    CreatedAt,
    Id,
}

/// Includes the 2026-01 codes `CHANGE_FROM_QUANTITY_STALE` and
/// `IDEMPOTENCY_KEY_PARAMETER_MISMATCH` (absent from the 2025-10 SDL; allow-listed in the
/// contract test).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventorySetQuantitiesUserErrorCode {
    ChangeFromQuantityStale,
    CompareQuantityRequired,
    CompareQuantityStale,
    IdempotencyKeyParameterMismatch,
    InvalidInventoryItem,
    InvalidLocation,
    InvalidName,
    InvalidQuantityNegative,
    InvalidQuantityTooHigh,
    InvalidQuantityTooLow,
    InvalidReason,
    InvalidReferenceDocument,
    ItemNotStockedAtLocation,
    NonMutableInventoryItem,
    NoDuplicateInventoryItemIdGroupIdPair,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryAdjustQuantitiesUserErrorCode {
    AdjustQuantitiesFailed,
    ChangeFromQuantityStale,
    IdempotencyKeyParameterMismatch,
    InternalLedgerDocument,
    InvalidAvailableDocument,
    InvalidInventoryItem,
    InvalidLedgerDocument,
    InvalidLocation,
    InvalidQuantityDocument,
    InvalidQuantityName,
    InvalidQuantityTooHigh,
    InvalidQuantityTooLow,
    InvalidReason,
    InvalidReferenceDocument,
    ItemNotStockedAtLocation,
    MaxOneLedgerDocument,
    NonMutableInventoryItem,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductVariantsBulkUpdateUserErrorCode {
    Invalid,
    InvalidInput,
    MustBeForThisProduct,
    NegativePriceValue,
    ProductDoesNotExist,
    ProductVariantDoesNotExist,
    ProductVariantIdMissing,
    TooLong,
}

/// SCREAMING_SNAKE_CASE enum value name → the enum, through async-graphql's own parser.
pub fn enum_from_code<T: async_graphql::resolver_utils::EnumType>(code: &str) -> Option<T> {
    T::items().iter().find(|i| i.name == code).map(|i| i.value)
}
