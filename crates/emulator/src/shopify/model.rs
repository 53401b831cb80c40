//! The emulated shop's records and every state change the API, the POS counter and the admin
//! endpoints can make. All writes go through `ShopData` under one lock so that quantities,
//! orders and the webhook outbox always agree with each other.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub(crate) use super::money::{Exchange, MoneyBag};
use crate::world::{SeedCustomer, ShOption, ShopifyWorld};

// ---------------------------------------------------------------- ids, times, money

pub(crate) fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// Parses `gid://shopify/{kind}/{id}`; a bare number is accepted too, since REST-era ids still
/// circulate in clients.
pub(crate) fn parse_gid(value: &str, kind: &str) -> Option<u64> {
    if let Ok(n) = value.parse::<u64>() {
        return Some(n);
    }
    let rest = value.strip_prefix("gid://shopify/")?.strip_prefix(kind)?.strip_prefix('/')?;
    let number = rest.split(['?', '/']).next()?;
    number.parse().ok()
}

/// InventoryLevel GIDs carry a per-location number plus the item as a query parameter
/// (`gid://shopify/InventoryLevel/97912455357?inventory_item_id=42185200631997` in the bulk
/// samples). The number is not the location id, so clients must not read one from it.
pub(crate) fn level_gid(level_group: u64, item_id: u64) -> String {
    format!("gid://shopify/InventoryLevel/{level_group}?inventory_item_id={item_id}")
}

pub(crate) fn parse_level_gid(value: &str) -> Option<(u64, u64)> {
    let rest = value.strip_prefix("gid://shopify/InventoryLevel/")?;
    let (group, query) = rest.split_once('?')?;
    let item = query.strip_prefix("inventory_item_id=")?;
    Some((group.parse().ok()?, item.parse().ok()?))
}

/// GraphQL `DateTime` as Shopify sends it: UTC, whole seconds, `Z`.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// REST and webhook timestamps carry an offset instead of `Z`.
pub(crate) fn rest_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Shopify's `Money` scalar and REST money fields: two decimals ("59.00").
pub(crate) fn money(d: Decimal) -> String {
    format!("{:.2}", d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// `MoneyV2.amount` (a `Decimal` scalar): normalized with at least one decimal ("59.0", "15.99").
pub(crate) fn decimal_amount(d: Decimal) -> String {
    let n = d.normalize();
    if n.scale() == 0 { format!("{n}.0") } else { n.to_string() }
}

pub(crate) fn round_money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

// ---------------------------------------------------------------- inventory

/// The quantity names `InventoryLevel.quantities(names:)` accepts.
pub(crate) const QUANTITY_NAMES: [&str; 8] =
    ["available", "committed", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock"];

/// Reasons `inventorySetQuantities`/`inventoryAdjustQuantities` accept (facts §2.5).
pub(crate) const REASONS: [&str; 17] = [
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Quantities {
    pub available: i64,
    pub committed: i64,
    pub reserved: i64,
    pub damaged: i64,
    pub safety_stock: i64,
    pub quality_control: i64,
    /// Not physically present, so not part of on_hand.
    pub incoming: i64,
}

impl Quantities {
    pub fn on_hand(&self) -> i64 {
        self.available + self.committed + self.reserved + self.damaged + self.safety_stock + self.quality_control
    }

    pub fn get(&self, name: &str) -> Option<i64> {
        Some(match name {
            "available" => self.available,
            "committed" => self.committed,
            "reserved" => self.reserved,
            "damaged" => self.damaged,
            "safety_stock" => self.safety_stock,
            "quality_control" => self.quality_control,
            "incoming" => self.incoming,
            "on_hand" => self.on_hand(),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub quantities: Quantities,
    /// False once deactivated: the item is then "not stocked" at the location.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub id: u64,
    pub name: String,
    pub active: bool,
    /// The number inside this location's InventoryLevel GIDs.
    pub level_group: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub id: u64,
    pub title: String,
    pub handle: String,
    pub vendor: String,
    pub options: Vec<ShOption>,
    pub variant_ids: Vec<u64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub id: u64,
    pub product_id: u64,
    pub title: String,
    pub sku: String,
    pub barcode: String,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub selected_options: Vec<(String, String)>,
    pub inventory_item_id: u64,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub id: u64,
    pub variant_id: u64,
    pub tracked: bool,
    pub levels: BTreeMap<u64, Level>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- orders

#[derive(Debug, Clone)]
pub(crate) struct TaxLineRec {
    pub title: String,
    pub rate: Decimal,
    pub amount: MoneyBag,
}

/// What a discount application takes off: a percentage, or a fixed amount in the presentment
/// currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiscountValue {
    Percentage(Decimal),
    FixedAmount(Decimal),
}

/// How a discount came about: a cashier's custom discount, an automatic discount, or a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DiscountKind {
    Manual,
    Automatic,
    Code(String),
}

/// A line-level discount names its line (EXPLICIT); an order-level one spreads ACROSS all
/// lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiscountTarget {
    Explicit,
    All,
}

/// One entry of an order's `discountApplications`; line allocations point at it by index.
#[derive(Debug, Clone)]
pub(crate) struct DiscountApplicationRec {
    pub kind: DiscountKind,
    pub title: String,
    pub value: DiscountValue,
    pub target: DiscountTarget,
}

/// A discount application's share of one line, as `discount_allocations` carry it.
#[derive(Debug, Clone)]
pub(crate) struct AllocationRec {
    pub application_index: usize,
    pub amount: MoneyBag,
}

#[derive(Debug, Clone)]
pub(crate) struct LineItemRec {
    pub id: u64,
    /// None for a gift card sold at the till.
    pub variant_id: Option<u64>,
    pub product_id: Option<u64>,
    pub title: String,
    pub variant_title: Option<String>,
    pub sku: String,
    pub vendor: String,
    pub quantity: i64,
    pub unit_price: MoneyBag,
    pub allocations: Vec<AllocationRec>,
    pub tax_lines: Vec<TaxLineRec>,
    pub taxable: bool,
    pub gift_card: bool,
    /// Custom attributes typed at the till (REST `properties`).
    pub properties: Vec<(String, String)>,
    /// Units handed over: all of them at the counter, none yet for a ship-from-store sale.
    pub fulfilled: i64,
}

impl LineItemRec {
    pub fn name(&self) -> String {
        match &self.variant_title {
            Some(v) if v != "Default Title" => format!("{} - {}", self.title, v),
            _ => self.title.clone(),
        }
    }
    pub fn original_total(&self) -> MoneyBag {
        self.unit_price.times(self.quantity)
    }
    pub fn discount(&self) -> MoneyBag {
        self.allocations.iter().map(|a| a.amount).sum()
    }
    pub fn discounted_total(&self) -> MoneyBag {
        self.original_total() - self.discount()
    }
    pub fn tax_total(&self) -> MoneyBag {
        self.tax_lines.iter().map(|t| t.amount).sum()
    }
    pub fn discounted_unit_price(&self) -> MoneyBag {
        if self.quantity == 0 {
            return self.unit_price;
        }
        let quantity = Decimal::from(self.quantity);
        self.discounted_total().map(|d| round_money(d / quantity))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ShippingLineRec {
    pub id: u64,
    pub title: String,
    pub code: String,
    pub price: MoneyBag,
    pub tax_lines: Vec<TaxLineRec>,
}

/// A postal address as orders carry it (`billing_address`, `shipping_address`; GraphQL
/// `MailingAddress`). Every field is optional, as on Shopify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailingAddress {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
}

impl MailingAddress {
    pub fn name(&self) -> Option<String> {
        let name =
            [self.first_name.as_deref(), self.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        (!name.is_empty()).then_some(name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    Sale,
    Refund,
}

impl TxKind {
    pub fn rest(self) -> &'static str {
        match self {
            TxKind::Sale => "sale",
            TxKind::Refund => "refund",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TransactionRec {
    pub id: u64,
    pub kind: TxKind,
    pub gateway: String,
    pub amount: MoneyBag,
    /// Cash rounding: what the drawer took or paid out on top of `amount` (−0.02 when 10.02
    /// was settled with 10.00). None where no rounding applies.
    pub rounding: Option<MoneyBag>,
    pub parent_id: Option<u64>,
    pub location_id: Option<u64>,
    pub processed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RestockType {
    Cancel,
    Return,
    NoRestock,
    LegacyRestock,
}

impl RestockType {
    pub fn rest(self) -> &'static str {
        match self {
            RestockType::Cancel => "cancel",
            RestockType::Return => "return",
            RestockType::NoRestock => "no_restock",
            RestockType::LegacyRestock => "legacy_restock",
        }
    }
    pub fn restocks(self) -> bool {
        self != RestockType::NoRestock
    }
}

/// Which units of a line a refund line takes: Shopify cancels units that were never handed
/// over (restock type CANCEL) and returns units that were (RETURN), and stock moves differently
/// for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundedUnits {
    Unfulfilled,
    Fulfilled,
}

#[derive(Debug, Clone)]
pub(crate) struct RefundLineRec {
    pub id: u64,
    pub line_item_id: u64,
    pub quantity: i64,
    pub restock_type: RestockType,
    pub units: RefundedUnits,
    pub location_id: Option<u64>,
    /// The refunded units' share of the line after discounts (tax included when the order's
    /// prices include it).
    pub subtotal: MoneyBag,
    pub total_tax: MoneyBag,
    /// The refunded units' share of the line's discount allocations.
    pub discount: MoneyBag,
}

impl RefundLineRec {
    /// What the customer gets back for these units.
    pub fn value(&self, taxes_included: bool) -> MoneyBag {
        if taxes_included { self.subtotal } else { self.subtotal + self.total_tax }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RefundRec {
    pub id: u64,
    pub created_at: DateTime<Utc>,
    pub note: Option<String>,
    pub lines: Vec<RefundLineRec>,
    pub transactions: Vec<TransactionRec>,
    pub return_id: Option<u64>,
}

impl RefundRec {
    pub fn total(&self) -> MoneyBag {
        self.transactions.iter().map(|t| t.amount).sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnLineRec {
    pub id: u64,
    pub line_item_id: u64,
    pub quantity: i64,
    pub note: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ReturnRec {
    pub id: u64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub lines: Vec<ReturnLineRec>,
    pub refund_ids: Vec<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct FulfillmentRec {
    pub id: u64,
    /// "#1001.1": the order's name and the fulfillment's position on it.
    pub name: String,
    pub location_id: u64,
    pub created_at: DateTime<Utc>,
    /// (line item id, quantity)
    pub lines: Vec<(u64, i64)>,
}

impl FulfillmentRec {
    pub fn total_quantity(&self) -> i64 {
        self.lines.iter().map(|(_, q)| q).sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct OrderRec {
    pub id: u64,
    pub number: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub source_name: String,
    pub source_identifier: Option<String>,
    pub location_id: Option<u64>,
    pub customer_id: Option<u64>,
    pub email: Option<String>,
    /// The shop's currency.
    pub currency: String,
    /// The currency the customer paid in.
    pub presentment_currency: String,
    pub exchange: Exchange,
    pub taxes_included: bool,
    /// The cash increment POS rounds cash payments to (0.05 in Canada); None where it does not.
    pub cash_rounding: Option<Decimal>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub billing_address: Option<MailingAddress>,
    pub shipping_address: Option<MailingAddress>,
    pub line_items: Vec<LineItemRec>,
    pub discount_applications: Vec<DiscountApplicationRec>,
    pub shipping_lines: Vec<ShippingLineRec>,
    pub transactions: Vec<TransactionRec>,
    pub refunds: Vec<RefundRec>,
    pub returns: Vec<ReturnRec>,
    pub fulfillments: Vec<FulfillmentRec>,
    /// The POS staff member who rang the sale up (`user_id` in REST payloads).
    pub staff_member_id: Option<u64>,
    /// The POS device (register) the sale was rung up on.
    pub device_id: Option<u64>,
}

/// An order's money, every total a sum of its parts in both currencies:
/// `line_items − discounts = subtotal`, `subtotal + shipping + tax (unless included) = total`,
/// and the same for the current figures after refunded units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OrderTotals {
    pub line_items: MoneyBag,
    pub discounts: MoneyBag,
    pub subtotal: MoneyBag,
    pub shipping: MoneyBag,
    pub tax: MoneyBag,
    pub total: MoneyBag,
}

impl OrderRec {
    pub fn name(&self) -> String {
        format!("#{}", self.number)
    }
    fn totals_from(&self, line_items: MoneyBag, discounts: MoneyBag, tax: MoneyBag) -> OrderTotals {
        let subtotal = line_items - discounts;
        let shipping: MoneyBag = self.shipping_lines.iter().map(|s| s.price).sum();
        let total = subtotal + shipping + if self.taxes_included { MoneyBag::ZERO } else { tax };
        OrderTotals { line_items, discounts, subtotal, shipping, tax, total }
    }
    /// The order as sold.
    pub fn totals(&self) -> OrderTotals {
        let line_items = self.line_items.iter().map(LineItemRec::original_total).sum();
        let discounts = self.line_items.iter().map(LineItemRec::discount).sum();
        let tax = self.line_items.iter().map(LineItemRec::tax_total).sum::<MoneyBag>()
            + self.shipping_lines.iter().flat_map(|s| &s.tax_lines).map(|t| t.amount).sum();
        self.totals_from(line_items, discounts, tax)
    }
    /// The order after refunded units left it (Shopify's `current_*` figures).
    pub fn current_totals(&self) -> OrderTotals {
        let sold = self.totals();
        let refunded = self.refunds.iter().flat_map(|r| &r.lines);
        let (mut discounts, mut subtotal, mut tax) = (sold.discounts, sold.subtotal, sold.tax);
        for line in refunded {
            discounts -= line.discount;
            subtotal -= line.subtotal;
            tax -= line.total_tax;
        }
        self.totals_from(subtotal + discounts, discounts, tax)
    }
    pub fn total_price(&self) -> MoneyBag {
        self.totals().total
    }
    pub fn total_received(&self) -> MoneyBag {
        self.transactions.iter().filter(|t| t.kind == TxKind::Sale).map(|t| t.amount).sum()
    }
    pub fn total_refunded(&self) -> MoneyBag {
        self.refunds.iter().map(RefundRec::total).sum()
    }
    /// Cash rounding on payments and on refunds (`totalCashRoundingAdjustment`).
    pub fn cash_rounding_totals(&self) -> (MoneyBag, MoneyBag) {
        let rounding = |kind: TxKind| {
            self.all_transactions().into_iter().filter(|t| t.kind == kind).filter_map(|t| t.rounding).sum()
        };
        (rounding(TxKind::Sale), rounding(TxKind::Refund))
    }
    pub fn refunded_quantity(&self, line_item_id: u64) -> i64 {
        self.refunds.iter().flat_map(|r| &r.lines).filter(|l| l.line_item_id == line_item_id).map(|l| l.quantity).sum()
    }
    fn refunded_units(&self, line_item_id: u64, units: RefundedUnits) -> i64 {
        self.refunds
            .iter()
            .flat_map(|r| &r.lines)
            .filter(|l| l.line_item_id == line_item_id && l.units == units)
            .map(|l| l.quantity)
            .sum()
    }
    /// Units still waiting to be handed over: neither fulfilled nor cancelled by a refund.
    pub fn unfulfilled_quantity(&self, line: &LineItemRec) -> i64 {
        (line.quantity - line.fulfilled - self.refunded_units(line.id, RefundedUnits::Unfulfilled)).max(0)
    }
    /// Units handed over and not refunded since.
    pub fn fulfilled_refundable(&self, line: &LineItemRec) -> i64 {
        (line.fulfilled - self.refunded_units(line.id, RefundedUnits::Fulfilled)).max(0)
    }
    /// REST `line_items[].fulfillment_status`: null until a unit is handed over.
    pub fn line_fulfillment_status(&self, line: &LineItemRec) -> Option<&'static str> {
        match (line.fulfilled, self.unfulfilled_quantity(line)) {
            (0, _) => None,
            (_, 0) => Some("fulfilled"),
            _ => Some("partial"),
        }
    }
    /// OrderDisplayFulfillmentStatus: FULFILLED once nothing is left to hand over.
    pub fn fulfillment_status(&self) -> &'static str {
        let fulfilled: i64 = self.line_items.iter().map(|l| l.fulfilled).sum();
        let waiting: i64 = self.line_items.iter().map(|l| self.unfulfilled_quantity(l)).sum();
        let all_restocked = self.refunds.iter().flat_map(|r| &r.lines).all(|l| l.restock_type.restocks());
        match (fulfilled, waiting) {
            // Every unit was cancelled back into stock before it left.
            (0, 0) if all_restocked => "RESTOCKED",
            (0, _) => "UNFULFILLED",
            (_, 0) => "FULFILLED",
            _ => "PARTIALLY_FULFILLED",
        }
    }
    pub fn returned_quantity(&self, line_item_id: u64) -> i64 {
        self.returns.iter().flat_map(|r| &r.lines).filter(|l| l.line_item_id == line_item_id).map(|l| l.quantity).sum()
    }
    /// OrderDisplayFinancialStatus, from the money actually moved (in the customer's currency).
    pub fn financial_status(&self) -> &'static str {
        let received = self.total_received().presentment;
        let refunded = self.total_refunded().presentment;
        if received.is_zero() && !self.total_price().presentment.is_zero() {
            "PENDING"
        } else if refunded.is_zero() {
            "PAID"
        } else if refunded >= received {
            "REFUNDED"
        } else {
            "PARTIALLY_REFUNDED"
        }
    }
    /// Every transaction on the order, sales and refunds, oldest first.
    pub fn all_transactions(&self) -> Vec<&TransactionRec> {
        let mut all: Vec<&TransactionRec> =
            self.transactions.iter().chain(self.refunds.iter().flat_map(|r| &r.transactions)).collect();
        all.sort_by_key(|t| (t.processed_at, t.id));
        all
    }
    /// 1-based position among the order's transactions: REST `payment_id` is "#1001.2".
    pub fn transaction_position(&self, transaction_id: u64) -> usize {
        self.all_transactions().iter().position(|t| t.id == transaction_id).map_or(0, |p| p + 1)
    }
    /// What is left to refund of one sale transaction (its amount less the refunds against it).
    pub fn refundable_of(&self, sale: &TransactionRec) -> MoneyBag {
        let refunded: MoneyBag = self
            .refunds
            .iter()
            .flat_map(|r| &r.transactions)
            .filter(|t| t.parent_id == Some(sale.id))
            .map(|t| t.amount)
            .sum();
        sale.amount - refunded
    }
    pub fn gateways(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for t in &self.transactions {
            if !names.contains(&t.gateway) {
                names.push(t.gateway.clone());
            }
        }
        names
    }
    /// Taxes merged by title and rate, as the order-level `taxLines` shows them: the lines'
    /// and the shipping's.
    pub fn tax_lines(&self) -> Vec<TaxLineRec> {
        let mut merged: Vec<TaxLineRec> = Vec::new();
        let all = self
            .line_items
            .iter()
            .flat_map(|l| &l.tax_lines)
            .chain(self.shipping_lines.iter().flat_map(|s| &s.tax_lines));
        for t in all {
            match merged.iter_mut().find(|m| m.title == t.title && m.rate == t.rate) {
                Some(m) => m.amount += t.amount,
                None => merged.push(t.clone()),
            }
        }
        merged
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CustomerRec {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// When the customer agreed to marketing email (at the till, single opt-in); None: not subscribed.
    pub marketing_consent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A staff member who can log in to POS. The emulated shop has a fixed roster.
#[derive(Debug, Clone)]
pub(crate) struct StaffRec {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub is_shop_owner: bool,
}

impl StaffRec {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The shop's staff: the owner, and the cashier who is logged in to POS unless a sale names
/// someone else.
fn staff_roster() -> BTreeMap<u64, StaffRec> {
    let member = |id: u64, first: &str, last: &str, email: &str, owner: bool| {
        (
            id,
            StaffRec {
                id,
                first_name: first.into(),
                last_name: last.into(),
                email: email.into(),
                is_shop_owner: owner,
            },
        )
    };
    BTreeMap::from([
        member(COUNTER_STAFF_ID, "Sam", "Counter", "sam.counter@example.com", false),
        member(OWNER_STAFF_ID, "Morgan", "Owner", "morgan.owner@example.com", true),
    ])
}

/// The cashier logged in to POS: sales name this staff member unless they say otherwise.
pub const COUNTER_STAFF_ID: u64 = 109_650_444_568;
/// The shop's owner, also a POS user.
pub const OWNER_STAFF_ID: u64 = 109_650_444_569;

// ---------------------------------------------------------------- webhooks and bulk

#[derive(Debug, Clone)]
pub(crate) struct SubscriptionRec {
    pub id: u64,
    /// GraphQL enum name, e.g. "ORDERS_CREATE".
    pub topic: String,
    pub uri: String,
    pub format: String,
    pub api_version: String,
    pub include_fields: Vec<String>,
    pub filter: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// REST topic ("orders/create") for a GraphQL topic enum value ("ORDERS_CREATE").
pub(crate) fn rest_topic(topic: &str) -> String {
    let lower = topic.to_ascii_lowercase();
    // Every supported topic is RESOURCE_ACTION with a one-word action at the end.
    match lower.rsplit_once('_') {
        Some((resource, action)) => format!("{resource}/{action}"),
        None => lower,
    }
}

/// A webhook waiting to be signed and sent once the state lock is released.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// GraphQL topic enum value.
    pub topic: &'static str,
    pub body: Value,
    pub triggered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BulkStatus {
    Created,
    Running,
    Completed,
    Failed,
    Canceling,
    Canceled,
}

impl BulkStatus {
    pub fn is_active(self) -> bool {
        matches!(self, BulkStatus::Created | BulkStatus::Running | BulkStatus::Canceling)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct BulkRec {
    pub id: u64,
    pub status: BulkStatus,
    pub query: String,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    pub url: Option<String>,
    pub error_code: Option<&'static str>,
}

// ---------------------------------------------------------------- the shop

#[derive(Debug)]
pub(crate) struct ShopData {
    pub currency: String,
    pub locations: BTreeMap<u64, Location>,
    pub products: BTreeMap<u64, Product>,
    pub variants: BTreeMap<u64, Variant>,
    pub items: BTreeMap<u64, Item>,
    /// Lower-cased SKU → variant ids, for `sku:` searches and POS lookups.
    pub sku_index: HashMap<String, Vec<u64>>,
    pub barcode_index: HashMap<String, Vec<u64>>,
    pub orders: BTreeMap<u64, OrderRec>,
    pub customers: BTreeMap<u64, CustomerRec>,
    pub staff: BTreeMap<u64, StaffRec>,
    pub subscriptions: BTreeMap<u64, SubscriptionRec>,
    pub bulk_operations: BTreeMap<u64, BulkRec>,
    pub bulk_files: HashMap<u64, std::sync::Arc<Vec<u8>>>,
    pub outbox: Vec<Outgoing>,
    next_id: u64,
    next_order_number: u64,
}

/// Ids handed out by the emulator start here, well above anything a seed produces, so a new
/// record never collides with a seeded one.
const FIRST_NEW_ID: u64 = 9_000_000_000_000;

impl ShopData {
    pub fn from_world(world: &ShopifyWorld, customers: &[SeedCustomer], currency: &str) -> ShopData {
        let now = Utc::now();
        let mut data = ShopData {
            currency: currency.to_string(),
            locations: BTreeMap::new(),
            products: BTreeMap::new(),
            variants: BTreeMap::new(),
            items: BTreeMap::new(),
            sku_index: HashMap::new(),
            barcode_index: HashMap::new(),
            orders: BTreeMap::new(),
            customers: BTreeMap::new(),
            staff: staff_roster(),
            subscriptions: BTreeMap::new(),
            bulk_operations: BTreeMap::new(),
            bulk_files: HashMap::new(),
            outbox: Vec::new(),
            next_id: FIRST_NEW_ID,
            next_order_number: 1001,
        };
        for (i, l) in world.locations.iter().enumerate() {
            data.locations.insert(
                l.id,
                Location {
                    id: l.id,
                    name: l.name.clone(),
                    active: true,
                    level_group: 97_000_000_000 + (i as u64 + 1) * 1_031,
                    created_at: now,
                    updated_at: now,
                },
            );
        }
        for p in &world.products {
            data.products.insert(
                p.id,
                Product {
                    id: p.id,
                    title: p.title.clone(),
                    handle: p.handle.clone(),
                    vendor: p.vendor.clone(),
                    options: p.options.clone(),
                    variant_ids: p.variants.iter().map(|v| v.id).collect(),
                    created_at: p.created_at,
                    updated_at: p.updated_at,
                },
            );
            for (pos, v) in p.variants.iter().enumerate() {
                let levels = v
                    .levels
                    .iter()
                    .map(|l| {
                        // The seed states on_hand; whatever is neither available nor committed
                        // is held as reserved so the on_hand identity holds.
                        let reserved = (l.on_hand - l.available - l.committed).max(0);
                        let quantities = Quantities {
                            available: l.available,
                            committed: l.committed,
                            reserved,
                            ..Default::default()
                        };
                        (
                            l.location_id,
                            Level { quantities, active: true, created_at: v.updated_at, updated_at: v.updated_at },
                        )
                    })
                    .collect();
                data.items.insert(
                    v.inventory_item_id,
                    Item {
                        id: v.inventory_item_id,
                        variant_id: v.id,
                        tracked: true,
                        levels,
                        created_at: p.created_at,
                        updated_at: v.updated_at,
                    },
                );
                data.variants.insert(
                    v.id,
                    Variant {
                        id: v.id,
                        product_id: p.id,
                        title: v.title.clone(),
                        sku: v.sku.clone(),
                        barcode: v.barcode.clone(),
                        price: v.price,
                        compare_at_price: v.compare_at_price,
                        selected_options: v.selected_options.clone(),
                        inventory_item_id: v.inventory_item_id,
                        position: pos as i32 + 1,
                        created_at: p.created_at,
                        updated_at: v.updated_at,
                    },
                );
                data.index_variant(v.id, &v.sku, &v.barcode);
            }
        }
        for c in customers.iter().filter(|c| c.on_shopify) {
            let id = data.new_id();
            data.customers.insert(
                id,
                CustomerRec {
                    id,
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    email: c.email.clone(),
                    marketing_consent_at: None,
                    created_at: now,
                    updated_at: now,
                },
            );
        }
        data
    }

    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn index_variant(&mut self, id: u64, sku: &str, barcode: &str) {
        if !sku.is_empty() {
            self.sku_index.entry(sku.to_lowercase()).or_default().push(id);
        }
        if !barcode.is_empty() {
            self.barcode_index.entry(barcode.to_lowercase()).or_default().push(id);
        }
    }

    fn unindex_variant(&mut self, id: u64, sku: &str, barcode: &str) {
        for (index, key) in [(&mut self.sku_index, sku), (&mut self.barcode_index, barcode)] {
            if let Some(ids) = index.get_mut(&key.to_lowercase()) {
                ids.retain(|v| *v != id);
                if ids.is_empty() {
                    index.remove(&key.to_lowercase());
                }
            }
        }
    }

    pub fn variant_by_sku(&self, sku: &str) -> Vec<u64> {
        self.sku_index.get(&sku.to_lowercase()).cloned().unwrap_or_default()
    }

    pub fn level(&self, item_id: u64, location_id: u64) -> Option<&Level> {
        self.items.get(&item_id)?.levels.get(&location_id)
    }

    pub fn location_by_group(&self, group: u64) -> Option<&Location> {
        self.locations.values().find(|l| l.level_group == group)
    }

    // ------------------------------------------------------------ inventory writes

    /// Applies `change` to one level and queues `inventory_levels/update` when `available`
    /// moved. Callers have validated that the level exists.
    pub fn change_level(
        &mut self,
        item_id: u64,
        location_id: u64,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut Quantities),
    ) {
        let Some(level) = self.items.get_mut(&item_id).and_then(|i| i.levels.get_mut(&location_id)) else {
            return;
        };
        let before = level.quantities;
        change(&mut level.quantities);
        level.updated_at = now;
        let after = level.quantities;
        if let Some(item) = self.items.get_mut(&item_id) {
            item.updated_at = now;
        }
        if before != after {
            self.queue_level_update(item_id, location_id, now);
        }
    }

    pub fn queue_level_update(&mut self, item_id: u64, location_id: u64, now: DateTime<Utc>) {
        let Some(level) = self.level(item_id, location_id) else { return };
        let group = self.locations.get(&location_id).map_or(location_id, |l| l.level_group);
        let body = json!({
            "inventory_item_id": item_id,
            "location_id": location_id,
            "available": level.quantities.available,
            "updated_at": rest_time(level.updated_at),
            "admin_graphql_api_id": level_gid(group, item_id),
        });
        self.outbox.push(Outgoing { topic: "INVENTORY_LEVELS_UPDATE", body, triggered_at: now });
    }

    /// Stocks an item at a location (inventoryActivate). Returns false when either is unknown.
    pub fn activate(&mut self, item_id: u64, location_id: u64, available: Option<i64>, now: DateTime<Utc>) -> bool {
        if !self.locations.contains_key(&location_id) {
            return false;
        }
        let Some(item) = self.items.get_mut(&item_id) else { return false };
        let level = item.levels.entry(location_id).or_insert_with(|| Level {
            quantities: Quantities::default(),
            active: false,
            created_at: now,
            updated_at: now,
        });
        let was_active = level.active;
        level.active = true;
        if let Some(a) = available {
            // Shopify applies `available` only when the item was not stocked there yet.
            if !was_active {
                level.quantities.available = a;
            }
        }
        level.updated_at = now;
        if !was_active {
            self.queue_level_update(item_id, location_id, now);
        }
        true
    }

    // ------------------------------------------------------------ catalog writes

    pub fn update_variant(&mut self, id: u64, now: DateTime<Utc>, change: impl FnOnce(&mut Variant)) {
        let Some(v) = self.variants.get(&id).cloned() else { return };
        let mut updated = v.clone();
        change(&mut updated);
        updated.updated_at = now;
        self.unindex_variant(id, &v.sku, &v.barcode);
        self.index_variant(id, &updated.sku, &updated.barcode);
        if let Some(item) = self.items.get_mut(&updated.inventory_item_id) {
            item.updated_at = now;
        }
        self.variants.insert(id, updated);
    }

    pub fn touch_product(&mut self, product_id: u64, now: DateTime<Utc>) {
        if let Some(p) = self.products.get_mut(&product_id) {
            p.updated_at = now;
        }
        let body = self.rest_product(product_id);
        if let Some(body) = body {
            self.outbox.push(Outgoing { topic: "PRODUCTS_UPDATE", body, triggered_at: now });
        }
    }

    // ------------------------------------------------------------ orders

    pub fn next_order_number(&mut self) -> u64 {
        let n = self.next_order_number;
        self.next_order_number += 1;
        n
    }

    pub fn customer_by_email(&self, email: &str) -> Option<&CustomerRec> {
        self.customers.values().find(|c| c.email.eq_ignore_ascii_case(email))
    }

    /// Finds or creates the customer a POS cashier attached by email.
    pub fn customer_for_email(&mut self, email: &str, now: DateTime<Utc>) -> u64 {
        if let Some(c) = self.customer_by_email(email) {
            return c.id;
        }
        let id = self.new_id();
        let local = email.split('@').next().unwrap_or(email);
        let mut parts = local.split(['.', '_']);
        let cap = |s: Option<&str>| {
            let s = s.unwrap_or_default();
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        };
        let first_name = cap(parts.next());
        let last_name = cap(parts.next());
        self.customers.insert(
            id,
            CustomerRec {
                id,
                first_name,
                last_name,
                email: email.to_string(),
                marketing_consent_at: None,
                created_at: now,
                updated_at: now,
            },
        );
        id
    }

    pub fn queue_order(&mut self, topic: &'static str, order_id: u64, now: DateTime<Utc>) {
        if let Some(body) = self.rest_order(order_id) {
            self.outbox.push(Outgoing { topic, body, triggered_at: now });
        }
    }

    pub fn queue_refund(&mut self, order_id: u64, refund_id: u64, now: DateTime<Utc>) {
        if let Some(body) = self.rest_refund(order_id, refund_id) {
            self.outbox.push(Outgoing { topic: "REFUNDS_CREATE", body, triggered_at: now });
        }
    }

    /// Moves stock for refunded units. Units never handed over sit in `committed` at the
    /// sale's location (`release_committed_at`); units handed over left on_hand at the sale.
    /// A restock (CANCEL, RETURN) puts the units into `available` at `restock_at`; without one
    /// the committed units leave on_hand and handed-over units stay with the customer.
    pub fn restock(
        &mut self,
        item_id: u64,
        quantity: i64,
        release_committed_at: Option<u64>,
        restock_at: Option<u64>,
        now: DateTime<Utc>,
    ) {
        let release = |q: &mut Quantities| q.committed -= quantity.min(q.committed.max(0));
        match (release_committed_at, restock_at) {
            (Some(a), Some(b)) if a == b => self.change_level(item_id, a, now, |q| {
                release(q);
                q.available += quantity;
            }),
            (release_at, restock_at) => {
                if let Some(loc) = release_at {
                    self.change_level(item_id, loc, now, release);
                }
                if let Some(loc) = restock_at {
                    self.change_level(item_id, loc, now, |q| q.available += quantity);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_match_what_shopify_sends() {
        let d = Decimal::new(5900, 2);
        assert_eq!(money(d), "59.00", "Money scalar and REST money carry two decimals");
        assert_eq!(
            decimal_amount(d),
            "59.0",
            "MoneyV2.amount is normalized but keeps one decimal, as in the bulk samples"
        );
        assert_eq!(decimal_amount(Decimal::new(1599, 2)), "15.99", "cents stay");
    }

    #[test]
    fn gids_round_trip_and_reject_other_kinds() {
        assert_eq!(parse_gid(&gid("ProductVariant", 42), "ProductVariant"), Some(42), "a variant GID parses back");
        assert_eq!(parse_gid("gid://shopify/Product/42", "ProductVariant"), None, "a product GID is not a variant GID");
        assert_eq!(parse_level_gid(&level_gid(7, 9)), Some((7, 9)), "level GIDs keep the item in the query string");
        assert_eq!(rest_topic("INVENTORY_LEVELS_UPDATE"), "inventory_levels/update", "REST topic names use a slash");
    }
}
