//! Typed BigCommerce resources, as the OpenAPI specs in `shared/specs/bigcommerce` define them.
//! Only the fields Tillbridge reads or writes are typed; the rest are ignored on read.
//!
//! Money is `Decimal`. The v3 Catalog API sends numbers; the v2 Orders API sends strings with
//! four decimals ("336.3200"), and [`money4`] writes them back the same way. v2 dates are
//! RFC 2822 ("Wed, 10 Jan 2018 21:05:30 +0000"); [`rfc2822`] round-trips them exactly.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// v3 collection envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub meta: Meta,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pagination {
    pub total: u64,
    pub count: u64,
    pub per_page: u64,
    pub current_page: u64,
    pub total_pages: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Product {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default, with = "rust_decimal::serde::float")]
    pub price: Decimal,
    #[serde(default, with = "rust_decimal::serde::float_option")]
    pub sale_price: Option<Decimal>,
    #[serde(default)]
    pub upc: String,
    #[serde(default)]
    pub gtin: String,
    #[serde(default)]
    pub mpn: String,
    #[serde(default)]
    pub inventory_tracking: String,
    #[serde(default)]
    pub base_variant_id: Option<i64>,
    /// Absent from some exports; the live API always sends it.
    #[serde(default)]
    pub date_modified: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Variant {
    pub id: i64,
    pub product_id: i64,
    #[serde(default)]
    pub sku: String,
    #[serde(default, with = "rust_decimal::serde::float_option")]
    pub price: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::float_option")]
    pub sale_price: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::float_option")]
    pub calculated_price: Option<Decimal>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub upc: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub gtin: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub mpn: String,
    #[serde(default)]
    pub inventory_level: i64,
    #[serde(default)]
    pub option_values: Vec<VariantOptionValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct VariantOptionValue {
    pub id: i64,
    pub label: String,
    pub option_id: i64,
    pub option_display_name: String,
}

/// One element of a `PUT /v3/catalog/variants` batch: only the fields being changed are sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct VariantUpdate {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::float_option")]
    pub price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::float_option")]
    pub sale_price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Location {
    pub id: i64,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub address: Option<LocationAddress>,
}

/// What Tillbridge reads of `GET /v2/store` (Store Information): the store's name and time zone.
/// Every field of the spec's `StoreInformation` is optional, so each is read leniently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StoreInformation {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub timezone: Option<StoreTimezone>,
}

/// The spec's `Timezone`: `name` is an IANA zone (`America/Chicago`); the offsets are in seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StoreTimezone {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub raw_offset: Option<i64>,
    #[serde(default)]
    pub dst_offset: Option<i64>,
    #[serde(default)]
    pub dst_correction: Option<bool>,
}

impl StoreInformation {
    /// The store's IANA zone name, when it gives a non-empty one.
    pub fn time_zone(&self) -> Option<&str> {
        self.timezone.as_ref()?.name.as_deref().map(str::trim).filter(|z| !z.is_empty())
    }
}

/// Where a location is, as far as pairing it with the other store's location needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct LocationAddress {
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
}

/// `GET /v3/inventory/items`: one SKU with its stock at each location.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InventoryItem {
    pub identity: InventoryIdentity,
    pub locations: Vec<InventoryAtLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InventoryIdentity {
    #[serde(default)]
    pub sku: Option<String>,
    pub variant_id: i64,
    pub product_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InventoryAtLocation {
    pub location_id: i64,
    /// The sellable quantity: on hand minus safety stock. This is what Tillbridge syncs.
    pub available_to_sell: i64,
    pub total_inventory_onhand: i64,
    #[serde(default)]
    pub settings: Option<InventorySettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InventorySettings {
    #[serde(default)]
    pub safety_stock: i64,
}

/// One item of an absolute or relative inventory adjustment. BigCommerce adjusts an item by the
/// identity it tracks stock by: the variant, or the product for a product tracked as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryAdjustment {
    pub location_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<i64>,
    pub quantity: i64,
}

impl InventoryAdjustment {
    pub fn of_variant(location_id: i64, variant_id: i64, quantity: i64) -> InventoryAdjustment {
        InventoryAdjustment { location_id, variant_id: Some(variant_id), product_id: None, quantity }
    }

    pub fn of_product(location_id: i64, product_id: i64, quantity: i64) -> InventoryAdjustment {
        InventoryAdjustment { location_id, variant_id: None, product_id: Some(product_id), quantity }
    }

    /// The id the item is adjusted by, whichever it is.
    pub fn item_id(&self) -> i64 {
        self.variant_id.or(self.product_id).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Transaction {
    pub transaction_id: String,
}

/// `POST /v2/orders` body, for a POS sale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewOrder {
    pub customer_id: i64,
    pub status_id: i64,
    pub channel_id: i64,
    pub external_source: String,
    /// Our idempotency anchor: the POS order's id. Looked up before any retried create.
    pub external_order_id: String,
    pub billing_address: BillingAddress,
    pub products: Vec<NewOrderLine>,
    #[serde(with = "money4")]
    pub discount_amount: Decimal,
    /// The totals are sent, not left to BigCommerce's own arithmetic, so the order shows the
    /// source order's figures to the cent.
    #[serde(with = "money4")]
    pub subtotal_ex_tax: Decimal,
    #[serde(with = "money4")]
    pub subtotal_inc_tax: Decimal,
    #[serde(with = "money4")]
    pub shipping_cost_ex_tax: Decimal,
    #[serde(with = "money4")]
    pub shipping_cost_inc_tax: Decimal,
    #[serde(with = "money4")]
    pub total_ex_tax: Decimal,
    #[serde(with = "money4")]
    pub total_inc_tax: Decimal,
    pub payment_method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_notes: Option<String>,
}

/// `PUT /v2/orders/{id}`: what an edit of the source order may change. Absent fields are left as
/// they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_notes: Option<String>,
}

/// `POST /v3/channels`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewChannel {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub platform: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BillingAddress {
    pub first_name: String,
    pub last_name: String,
    pub street_1: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub country_iso2: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NewOrderLine {
    /// A line for a catalog variant.
    Catalog {
        product_id: i64,
        variant_id: i64,
        quantity: i64,
        #[serde(with = "money4")]
        price_inc_tax: Decimal,
        #[serde(with = "money4")]
        price_ex_tax: Decimal,
    },
    /// A line not in the catalog (an unmatched POS item).
    Custom {
        name: String,
        sku: String,
        quantity: i64,
        #[serde(with = "money4")]
        price_inc_tax: Decimal,
        #[serde(with = "money4")]
        price_ex_tax: Decimal,
    },
}

/// `GET /v2/orders/{id}` (the fields Tillbridge reads).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Order {
    pub id: i64,
    pub status_id: i64,
    #[serde(default)]
    pub external_order_id: Option<String>,
    #[serde(default)]
    pub external_source: Option<String>,
    #[serde(with = "money4")]
    pub total_inc_tax: Decimal,
    #[serde(with = "money4")]
    pub total_ex_tax: Decimal,
    #[serde(default, with = "money4")]
    pub refunded_amount: Decimal,
    #[serde(default)]
    pub payment_status: String,
    #[serde(with = "rfc2822")]
    pub date_created: DateTime<FixedOffset>,
    #[serde(with = "rfc2822")]
    pub date_modified: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderProduct {
    pub id: i64,
    pub order_id: i64,
    #[serde(default)]
    pub product_id: i64,
    #[serde(default)]
    pub variant_id: Option<i64>,
    #[serde(default)]
    pub sku: String,
    pub quantity: i64,
    #[serde(with = "money4")]
    pub price_inc_tax: Decimal,
    #[serde(default)]
    pub quantity_refunded: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Customer {
    pub id: i64,
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// BigCommerce v2 money: written as a string with exactly four decimals, read from a string or a number.
pub mod money4 {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let mut rounded = d.round_dp(4);
        rounded.rescale(4);
        s.serialize_str(&rounded.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(t) => t,
            Raw::Number(n) => n.to_string(),
        };
        text.trim().parse::<Decimal>().map_err(|e| serde::de::Error::custom(format!("money {text:?}: {e}")))
    }
}

/// RFC 2822 dates, as v2 sends them; the offset is kept so the text round-trips exactly.
pub mod rfc2822 {
    use chrono::{DateTime, FixedOffset};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        // BigCommerce pads the day ("Tue, 05 Mar 2019 …"); chrono's to_rfc2822 does not.
        s.serialize_str(&t.format("%a, %d %b %Y %H:%M:%S %z").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc2822(&text).map_err(|e| serde::de::Error::custom(format!("date {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_money_and_dates_round_trip_exactly() {
        #[derive(Deserialize, Serialize)]
        struct T {
            #[serde(with = "money4")]
            m: Decimal,
            #[serde(with = "rfc2822")]
            d: DateTime<FixedOffset>,
        }
        let text = r#"{"m":"336.3200","d":"Wed, 10 Jan 2018 21:05:30 +0000"}"#;
        let t: T = serde_json::from_str(text).unwrap();
        assert_eq!(t.m, Decimal::new(33632, 2), "the amount is read exactly, not through a float");
        assert_eq!(serde_json::to_string(&t).unwrap(), text, "and written back byte for byte");
        let from_number: T = serde_json::from_str(r#"{"m":19.99,"d":"Wed, 10 Jan 2018 21:05:30 +0000"}"#).unwrap();
        assert_eq!(from_number.m.to_string(), "19.99", "a JSON number is accepted without float noise");
    }

    #[test]
    fn reads_the_published_order_sample() {
        let Some(root) = crate::tests_support::shared_dir() else { return };
        let text =
            std::fs::read_to_string(root.join("samples/bigcommerce/v2_order_response_POST_or_GET_orders_id.json"))
                .unwrap();
        let order: Order = serde_json::from_str(&text).expect("the vendor's own sample must parse");
        assert!(order.id > 0, "the order id is read");
        let back = serde_json::to_value(&order).unwrap();
        let original: serde_json::Value = serde_json::from_str(&text).unwrap();
        for field in ["total_inc_tax", "date_created", "date_modified"] {
            assert_eq!(back[field], original[field], "{field} must round-trip exactly");
        }
    }
}

/// One element of a `PUT /v3/catalog/products` batch.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ProductUpdate {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::float_option")]
    pub price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::float_option")]
    pub sale_price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCustomer {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// `POST /v3/customers/subscribers`: an email with the consents it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSubscriber {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<i64>,
    /// "marketing_newsletter".
    pub consents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub platform: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Hook {
    pub id: i64,
    pub scope: String,
    pub destination: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewHook {
    pub scope: String,
    pub destination: String,
    pub is_active: bool,
    /// Echoed on every delivery; Tillbridge puts a shared secret here.
    pub headers: std::collections::BTreeMap<String, String>,
}

/// `POST /v3/orders/{id}/payment_actions/refunds`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewRefund {
    pub items: Vec<RefundItem>,
    pub payments: Vec<RefundPayment>,
    /// The amount and tax as the merchant computed them, in place of BigCommerce's own share of
    /// the lines: a refund carried from another system keeps that system's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_calculated_override: Option<RefundOverride>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundOverride {
    #[serde(with = "rust_decimal::serde::float")]
    pub total_amount: Decimal,
    #[serde(with = "rust_decimal::serde::float")]
    pub total_tax: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "item_type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundItem {
    /// Units of an order line (`item_id` is the order product id). Refunds never restock in BigCommerce.
    Product { item_id: i64, quantity: i64 },
    /// An amount against the whole order (`item_id` is the order id).
    Order {
        item_id: i64,
        #[serde(with = "rust_decimal::serde::float")]
        amount: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundPayment {
    pub provider_id: String,
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    /// True for money that moved outside BigCommerce (cash at the till).
    pub offline: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    /// A number in most responses, a string in some; both are read exactly.
    #[serde(deserialize_with = "money4::deserialize")]
    pub total_amount: Decimal,
}
