//! POS orders (with line items, taxes, discounts, payments, refunds and returns), one order by
//! id, and refunds created under an idempotency key.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::Stream;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::*;
use crate::models::*;
use crate::paging::{Connection, PageInfo, cursor_pages};
use crate::user_errors::{IdempotencyKey, UserError, WriteOutcome};

/// The fields of a POS order, with the page sizes of its nested lists as arguments: small on the
/// orders page (several orders must fit under 1,000 points), larger for one order by id.
macro_rules! pos_order_fragment {
    ($lines:literal, $txs:literal, $refunds:literal, $refund_lines:literal, $refund_txs:literal, $returns:literal, $return_lines:literal) => {
        concat!(
            r#"
fragment TillbridgePosOrder on Order {
  id name createdAt updatedAt processedAt cancelledAt
  sourceName sourceIdentifier email currencyCode presentmentCurrencyCode taxesIncluded
  displayFinancialStatus displayFulfillmentStatus
  retailLocation { id name address { address1 city provinceCode zip countryCode } }
  staffMember { name }
  customer { id firstName lastName defaultEmailAddress { emailAddress marketingState } }
  billingAddress { firstName lastName address1 city provinceCode zip countryCodeV2 }
  subtotalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } }
  totalShippingPriceSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
  totalCashRoundingAdjustment { paymentSet { shopMoney { amount } } }
  totalRefundedSet { shopMoney { amount } }
  taxLines { title rate priceSet { shopMoney { amount } } }
  lineItems(first: "#,
            $lines,
            r#") {
    nodes {
      id name sku quantity currentQuantity isGiftCard
      variant { id }
      originalUnitPriceSet { shopMoney { amount } }
      taxLines { title rate priceSet { shopMoney { amount } } }
      discountAllocations { allocatedAmountSet { shopMoney { amount } } discountApplication { targetSelection } }
    }
    pageInfo { hasNextPage }
  }
  transactions(first: "#,
            $txs,
            r#") { id kind status gateway processedAt amountSet { shopMoney { amount } } parentTransaction { id } }
  refunds(first: "#,
            $refunds,
            r#") {
    id createdAt note
    totalRefundedSet { shopMoney { amount } }
    return { id }
    refundLineItems(first: "#,
            $refund_lines,
            r#") {
      nodes { quantity restockType lineItem { id } location { id } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } }
      pageInfo { hasNextPage }
    }
    transactions(first: "#,
            $refund_txs,
            r#") {
      nodes { id kind status gateway processedAt amountSet { shopMoney { amount } } parentTransaction { id } }
      pageInfo { hasNextPage }
    }
  }
  returns(first: "#,
            $returns,
            r#") {
    nodes {
      id name status createdAt closedAt
      returnLineItems(first: "#,
            $return_lines,
            r#") {
        nodes { id quantity ... on ReturnLineItem { fulfillmentLineItem { lineItem { id } } } }
        pageInfo { hasNextPage }
      }
    }
    pageInfo { hasNextPage }
  }
}"#
        )
    };
}

/// Nested list sizes on the orders page; a longer list marks the order incomplete.
const PAGE_LIMITS: Limits =
    Limits { lines: 10, txs: 5, refunds: 3, refund_lines: 10, refund_txs: 5, returns: 3, return_lines: 10 };
/// The same for one order read by id.
const ORDER_LIMITS: Limits =
    Limits { lines: 50, txs: 25, refunds: 10, refund_lines: 20, refund_txs: 5, returns: 5, return_lines: 10 };

/// Orders per page: two POS orders at the page's list sizes cost about 600 points.
pub const ORDERS_PER_PAGE: u32 = 2;

pub const POS_ORDERS: Operation = Operation {
    name: "TillbridgePosOrders",
    document: concat!(
        r#"query TillbridgePosOrders($after: String, $query: String!) {
  orders(first: 2, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...TillbridgePosOrder }
    pageInfo { hasNextPage endCursor }
  }
}"#,
        pos_order_fragment!("10", "5", "3", "10", "5", "3", "10")
    ),
    estimated_cost: 2 + ORDERS_PER_PAGE * PAGE_LIMITS.order_cost(),
};

pub const ORDER: Operation = Operation {
    name: "TillbridgeOrder",
    document: concat!(
        r#"query TillbridgeOrder($id: ID!) {
  order(id: $id) { ...TillbridgePosOrder }
}"#,
        pos_order_fragment!("50", "25", "10", "20", "5", "5", "10")
    ),
    estimated_cost: ORDER_LIMITS.order_cost(),
};

pub const REFUND_CREATE: Operation = Operation {
    name: "TillbridgeRefundCreate",
    document: r#"mutation TillbridgeRefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund {
      id createdAt note
      totalRefundedSet { shopMoney { amount } }
      return { id }
      refundLineItems(first: 50) {
        nodes { quantity restockType lineItem { id } location { id } subtotalSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } }
      }
      transactions(first: 10) {
        nodes { id kind status gateway processedAt amountSet { shopMoney { amount } } parentTransaction { id } }
      }
    }
    userErrors { field message }
  }
}"#,
    estimated_cost: 10,
};

#[derive(Debug, Clone, Copy)]
struct Limits {
    lines: u32,
    txs: u32,
    refunds: u32,
    refund_lines: u32,
    refund_txs: u32,
    returns: u32,
    return_lines: u32,
}

impl Limits {
    /// One order's requested cost under Shopify's rules: objects 1, connections 2 plus their
    /// page of nodes, money bags 2 (the bag and its shopMoney), and plain lists (transactions,
    /// refunds, tax lines) one object priced by their dearest element.
    const fn order_cost(&self) -> u32 {
        // A line: itself, variant, price, tax lines, and allocations with their application.
        let line = 1 + 1 + 2 + 3 + 4;
        let refund_line = 1 + 1 + 1 + 2 + 2;
        let tx = 1 + 2 + 1;
        let refund = 2 + 1 + (2 + self.refund_lines * refund_line) + (2 + self.refund_txs * tx);
        let ret = 1 + 2 + self.return_lines * 3;
        // The order, retail location and its address, staff member, customer and its email,
        // billing address, seven money bags and the cash rounding, tax lines, then the lists.
        1 + 2 + 1 + 2 + 1 + 7 * 2 + 3 + 3 + (2 + self.lines * line) + (1 + 3) + (1 + refund) + (2 + self.returns * ret)
    }
}

// Shopify refuses any query whose requested cost exceeds 1,000 points; checked when compiling.
const _: () =
    assert!(POS_ORDERS.estimated_cost <= 1000, "the orders page must stay under Shopify's 1,000-point ceiling");
const _: () = assert!(ORDER.estimated_cost <= 1000, "one order must stay under Shopify's 1,000-point ceiling");

// ---------------------------------------------------------------- wire types

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyV2 {
    amount: Decimal,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyBag {
    shop_money: MoneyV2,
}

fn money(bag: Option<MoneyBag>) -> Option<Decimal> {
    bag.map(|b| b.shop_money.amount)
}

#[derive(Deserialize)]
struct Id<T> {
    id: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaxLineWire {
    title: String,
    #[serde(default, deserialize_with = "crate::models::float_as_decimal")]
    rate: Option<Decimal>,
    price_set: MoneyBag,
}

impl From<TaxLineWire> for TaxLine {
    fn from(w: TaxLineWire) -> TaxLine {
        TaxLine { title: w.title, rate: w.rate, amount: w.price_set.shop_money.amount }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiscountApplicationWire {
    target_selection: DiscountTarget,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiscountAllocationWire {
    allocated_amount_set: MoneyBag,
    #[serde(default)]
    discount_application: Option<DiscountApplicationWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItemWire {
    id: LineItemId,
    name: String,
    #[serde(default)]
    sku: Option<String>,
    quantity: i64,
    current_quantity: i64,
    variant: Option<Id<VariantId>>,
    #[serde(default)]
    is_gift_card: bool,
    original_unit_price_set: MoneyBag,
    #[serde(default)]
    tax_lines: Vec<TaxLineWire>,
    #[serde(default)]
    discount_allocations: Vec<DiscountAllocationWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransactionWire {
    id: TransactionId,
    kind: TransactionKind,
    status: TransactionStatus,
    #[serde(default)]
    gateway: Option<String>,
    #[serde(default)]
    processed_at: Option<DateTime<Utc>>,
    amount_set: MoneyBag,
    #[serde(default)]
    parent_transaction: Option<Id<TransactionId>>,
}

impl From<TransactionWire> for Transaction {
    fn from(w: TransactionWire) -> Transaction {
        Transaction {
            id: w.id,
            kind: w.kind,
            status: w.status,
            gateway: w.gateway,
            amount: w.amount_set.shop_money.amount,
            processed_at: w.processed_at,
            parent_id: w.parent_transaction.map(|p| p.id),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundLineWire {
    quantity: i64,
    restock_type: RestockType,
    line_item: Id<LineItemId>,
    #[serde(default)]
    location: Option<Id<LocationId>>,
    subtotal_set: MoneyBag,
    #[serde(default)]
    total_tax_set: Option<MoneyBag>,
}

/// A nested connection read with `nodes` and, where asked, `pageInfo { hasNextPage }`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Nested<T> {
    nodes: Vec<T>,
    #[serde(default)]
    page_info: Option<PageInfoFlag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfoFlag {
    has_next_page: bool,
}

impl<T> Nested<T> {
    fn more(&self) -> bool {
        self.page_info.as_ref().is_some_and(|p| p.has_next_page)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundWire {
    id: RefundId,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    note: Option<String>,
    total_refunded_set: MoneyBag,
    #[serde(default)]
    r#return: Option<Id<ReturnId>>,
    refund_line_items: Nested<RefundLineWire>,
    transactions: Nested<TransactionWire>,
}

impl RefundWire {
    /// The refund, and whether one of its lists was cut short.
    fn into_model(self) -> (Refund, bool) {
        let more = self.refund_line_items.more() || self.transactions.more();
        let refund = Refund {
            id: self.id,
            created_at: self.created_at,
            note: self.note,
            total_refunded: self.total_refunded_set.shop_money.amount,
            return_id: self.r#return.map(|r| r.id),
            lines: self
                .refund_line_items
                .nodes
                .into_iter()
                .map(|l| RefundLine {
                    line_item_id: l.line_item.id,
                    quantity: l.quantity,
                    restock_type: l.restock_type,
                    location_id: l.location.map(|x| x.id),
                    subtotal: l.subtotal_set.shop_money.amount,
                    tax: money(l.total_tax_set).unwrap_or_default(),
                })
                .collect(),
            transactions: self.transactions.nodes.into_iter().map(Transaction::from).collect(),
        };
        (refund, more)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FulfillmentLineWire {
    line_item: Id<LineItemId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReturnLineWire {
    id: ReturnLineItemId,
    quantity: i64,
    #[serde(default)]
    fulfillment_line_item: Option<FulfillmentLineWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReturnWire {
    id: ReturnId,
    name: String,
    status: ReturnStatus,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    closed_at: Option<DateTime<Utc>>,
    return_line_items: Nested<ReturnLineWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailAddressWire {
    email_address: String,
    #[serde(default)]
    marketing_state: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerRefWire {
    id: CustomerId,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    default_email_address: Option<EmailAddressWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetailLocationWire {
    id: LocationId,
    name: String,
    #[serde(default)]
    address: Option<AddressWire>,
}

/// A `LocationAddress` or `MailingAddress`, whichever country field it has.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddressWire {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    address1: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    province_code: Option<String>,
    #[serde(default)]
    zip: Option<String>,
    #[serde(default, alias = "countryCodeV2")]
    country_code: Option<String>,
}

impl From<AddressWire> for Address {
    fn from(w: AddressWire) -> Address {
        Address {
            first_name: w.first_name,
            last_name: w.last_name,
            address1: w.address1,
            city: w.city,
            province_code: w.province_code,
            zip: w.zip,
            country_code: w.country_code,
        }
    }
}

#[derive(Deserialize)]
struct NameWire {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CashRoundingWire {
    payment_set: MoneyBag,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresentedMoneyBag {
    shop_money: MoneyV2,
    #[serde(default)]
    presentment_money: Option<MoneyV2>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderWire {
    id: OrderId,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    processed_at: DateTime<Utc>,
    #[serde(default)]
    cancelled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    source_name: Option<String>,
    #[serde(default)]
    source_identifier: Option<String>,
    #[serde(default)]
    email: Option<String>,
    currency_code: String,
    #[serde(default)]
    presentment_currency_code: Option<String>,
    taxes_included: bool,
    #[serde(default)]
    display_financial_status: Option<FinancialStatus>,
    #[serde(default)]
    display_fulfillment_status: Option<FulfillmentStatus>,
    #[serde(default)]
    retail_location: Option<RetailLocationWire>,
    #[serde(default)]
    staff_member: Option<NameWire>,
    #[serde(default)]
    customer: Option<CustomerRefWire>,
    #[serde(default)]
    billing_address: Option<AddressWire>,
    #[serde(default)]
    subtotal_price_set: Option<MoneyBag>,
    #[serde(default)]
    total_tax_set: Option<MoneyBag>,
    #[serde(default)]
    total_discounts_set: Option<MoneyBag>,
    #[serde(default)]
    total_shipping_price_set: Option<MoneyBag>,
    total_price_set: PresentedMoneyBag,
    #[serde(default)]
    total_cash_rounding_adjustment: Option<CashRoundingWire>,
    total_refunded_set: MoneyBag,
    #[serde(default)]
    tax_lines: Vec<TaxLineWire>,
    line_items: Nested<LineItemWire>,
    #[serde(default)]
    transactions: Vec<TransactionWire>,
    #[serde(default)]
    refunds: Vec<RefundWire>,
    returns: Nested<ReturnWire>,
}

impl OrderWire {
    fn into_model(self, limits: Limits) -> PosOrder {
        // Lists without paging are full when they came back shorter than asked for.
        let mut complete = !self.line_items.more()
            && !self.returns.more()
            && (self.transactions.len() as u32) < limits.txs
            && (self.refunds.len() as u32) < limits.refunds;
        let mut refunds = Vec::with_capacity(self.refunds.len());
        for r in self.refunds {
            let (refund, more) = r.into_model();
            complete &= !more;
            refunds.push(refund);
        }
        let mut returns = Vec::with_capacity(self.returns.nodes.len());
        for r in self.returns.nodes {
            complete &= !r.return_line_items.more();
            returns.push(Return {
                id: r.id,
                name: r.name,
                status: r.status,
                created_at: r.created_at,
                closed_at: r.closed_at,
                lines: r
                    .return_line_items
                    .nodes
                    .into_iter()
                    .map(|l| ReturnLine {
                        id: l.id,
                        quantity: l.quantity,
                        line_item_id: l.fulfillment_line_item.map(|f| f.line_item.id),
                    })
                    .collect(),
            });
        }
        PosOrder {
            id: self.id,
            name: self.name,
            created_at: self.created_at,
            updated_at: self.updated_at,
            processed_at: self.processed_at,
            cancelled_at: self.cancelled_at,
            source_name: self.source_name,
            source_identifier: self.source_identifier,
            email: self.email,
            presentment_currency: self.presentment_currency_code.unwrap_or_else(|| self.currency_code.clone()),
            currency: self.currency_code,
            taxes_included: self.taxes_included,
            financial_status: self.display_financial_status,
            fulfillment_status: self.display_fulfillment_status,
            retail_location: self.retail_location.map(|l| RetailLocation {
                id: l.id,
                name: l.name,
                address: l.address.map(Address::from),
            }),
            staff_member: self.staff_member.map(|s| s.name),
            customer: self.customer.map(|c| OrderCustomer {
                id: c.id,
                first_name: c.first_name,
                last_name: c.last_name,
                accepts_marketing: c
                    .default_email_address
                    .as_ref()
                    .is_some_and(|e| e.marketing_state.as_deref() == Some("SUBSCRIBED")),
                email: c.default_email_address.map(|e| e.email_address),
            }),
            billing_address: self.billing_address.map(Address::from),
            subtotal: money(self.subtotal_price_set),
            total_tax: money(self.total_tax_set),
            total_discounts: money(self.total_discounts_set),
            shipping: money(self.total_shipping_price_set).unwrap_or_default(),
            presentment_total: self
                .total_price_set
                .presentment_money
                .map_or(self.total_price_set.shop_money.amount, |m| m.amount),
            total: self.total_price_set.shop_money.amount,
            cash_rounding: self
                .total_cash_rounding_adjustment
                .map_or(Decimal::ZERO, |c| c.payment_set.shop_money.amount),
            total_refunded: self.total_refunded_set.shop_money.amount,
            tax_lines: self.tax_lines.into_iter().map(TaxLine::from).collect(),
            line_items: self
                .line_items
                .nodes
                .into_iter()
                .map(|l| LineItem {
                    id: l.id,
                    name: l.name,
                    sku: l.sku.filter(|s| !s.is_empty()),
                    variant_id: l.variant.map(|v| v.id),
                    gift_card: l.is_gift_card,
                    quantity: l.quantity,
                    current_quantity: l.current_quantity,
                    unit_price: l.original_unit_price_set.shop_money.amount,
                    tax_lines: l.tax_lines.into_iter().map(TaxLine::from).collect(),
                    discount_allocations: l
                        .discount_allocations
                        .into_iter()
                        .map(|d| DiscountAllocation {
                            amount: d.allocated_amount_set.shop_money.amount,
                            target: d.discount_application.map_or(DiscountTarget::Unknown, |a| a.target_selection),
                        })
                        .collect(),
                })
                .collect(),
            transactions: self.transactions.into_iter().map(Transaction::from).collect(),
            refunds,
            returns,
            complete,
        }
    }
}

#[derive(Deserialize)]
struct OrdersPage {
    orders: Connection<OrderWire>,
}

#[derive(Deserialize)]
struct OneOrder {
    order: Option<OrderWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundPayload {
    refund: Option<RefundWire>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundCreateData {
    refund_create: Option<RefundPayload>,
}

// ---------------------------------------------------------------- refund input

/// One line of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundLineInput {
    pub line_item_id: LineItemId,
    pub quantity: i64,
    pub restock_type: RestockType,
    /// Where restocked goods go; required by Shopify for RETURN and CANCEL restocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<LocationId>,
}

/// Money handed back. Always kind REFUND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundMoney {
    pub amount: Decimal,
    pub gateway: String,
    /// The sale or capture being refunded.
    pub parent_id: Option<TransactionId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub order_id: OrderId,
    pub note: Option<String>,
    pub lines: Vec<RefundLineInput>,
    pub money: Vec<RefundMoney>,
}

impl NewRefund {
    /// The `RefundInput` this refund is sent as (also what a dry run shows).
    pub fn to_input(&self) -> serde_json::Value {
        let transactions: Vec<serde_json::Value> = self
            .money
            .iter()
            .map(|m| json!({ "amount": m.amount, "gateway": m.gateway, "kind": "REFUND", "orderId": self.order_id, "parentId": m.parent_id }))
            .collect();
        // Customers are told by the till, not by a second email from the sync.
        json!({ "orderId": self.order_id, "note": self.note, "notify": false, "refundLineItems": self.lines, "transactions": transactions })
    }
}

// ---------------------------------------------------------------- calls

/// `source_name:pos`, optionally only orders updated after `since`.
/// The orders search: POS sales (and online-store orders when asked), changed after `since`.
fn sale_search(since: Option<DateTime<Utc>>, include_web: bool) -> String {
    let changed = since.map(|t| format!(" updated_at:>'{}'", t.to_rfc3339_opts(SecondsFormat::Secs, true)));
    let one = |source: &str| format!("source_name:{source}{}", changed.as_deref().unwrap_or(""));
    if include_web { format!("{} OR {}", one("pos"), one("web")) } else { one("pos") }
}

impl ShopifyClient {
    /// POS orders, oldest change first, optionally only those updated after `since`. Orders with
    /// more lines, payments, refunds or returns than a page reads are marked `complete: false`;
    /// read those again with [`ShopifyClient::order`].
    pub fn pos_orders(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> impl Stream<Item = Result<Vec<PosOrder>, ShopifyError>> + Send + 'static + use<> {
        self.sale_orders(since, false)
    }

    /// [`ShopifyClient::pos_orders`], with the online store's orders too when `include_web`.
    pub fn sale_orders(
        &self,
        since: Option<DateTime<Utc>>,
        include_web: bool,
    ) -> impl Stream<Item = Result<Vec<PosOrder>, ShopifyError>> + Send + 'static + use<> {
        let query = sale_search(since, include_web);
        cursor_pages(
            self.clone(),
            &POS_ORDERS,
            move |after| json!({ "after": after, "query": query }),
            |page: OrdersPage| {
                let info: PageInfo = page.orders.page_info;
                Ok((page.orders.nodes.into_iter().map(|o| o.into_model(PAGE_LIMITS)).collect(), info))
            },
        )
    }

    /// One order by id with longer nested lists; None if Shopify does not know it.
    pub async fn order(&self, id: &OrderId) -> Result<Option<PosOrder>, ShopifyError> {
        let data: OneOrder = self.execute(&ORDER, &json!({ "id": id })).await?;
        Ok(data.order.map(|o| o.into_model(ORDER_LIMITS)))
    }

    /// Creates a refund once per `key`: a resend after a lost response returns the refund
    /// already made instead of refunding twice.
    pub async fn create_refund(
        &self,
        refund: &NewRefund,
        key: &IdempotencyKey,
    ) -> Result<WriteOutcome<Refund>, ShopifyError> {
        let data: RefundCreateData =
            self.execute(&REFUND_CREATE, &json!({ "input": refund.to_input(), "idempotencyKey": key })).await?;
        let payload = data.refund_create.unwrap_or(RefundPayload { refund: None, user_errors: vec![] });
        Ok(WriteOutcome::from_payload(
            payload.refund.map(|r| r.into_model().0),
            payload.user_errors,
            REFUND_CREATE.name,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pos_filter_uses_shopify_search_syntax() {
        let t = DateTime::parse_from_rfc3339("2026-05-01T08:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(
            sale_search(Some(t), false),
            "source_name:pos updated_at:>'2026-05-01T08:30:00Z'",
            "the documented delta filter"
        );
        assert_eq!(sale_search(None, false), "source_name:pos", "every POS order");
        assert_eq!(
            sale_search(Some(t), true),
            "source_name:pos updated_at:>'2026-05-01T08:30:00Z' OR source_name:web updated_at:>'2026-05-01T08:30:00Z'",
            "each alternative carries the delta filter, since OR binds loosest"
        );
    }

    #[test]
    fn the_limits_used_for_completeness_are_the_ones_in_the_documents() {
        for (op, l) in [(POS_ORDERS, PAGE_LIMITS), (ORDER, ORDER_LIMITS)] {
            for needle in [
                format!("lineItems(first: {})", l.lines),
                format!("transactions(first: {}) {{ id", l.txs),
                format!("refunds(first: {})", l.refunds),
                format!("refundLineItems(first: {})", l.refund_lines),
                format!("transactions(first: {}) {{\n      nodes", l.refund_txs),
                format!("returns(first: {})", l.returns),
                format!("returnLineItems(first: {})", l.return_lines),
            ] {
                assert!(
                    op.document.contains(&needle),
                    "{} must ask for {needle:?}, or `complete` would be judged against the wrong size",
                    op.name
                );
            }
        }
        assert!(
            POS_ORDERS.document.contains(&format!("orders(first: {ORDERS_PER_PAGE},")),
            "the page size the cost was worked out for"
        );
    }

    #[test]
    fn refund_money_goes_as_decimal_strings_and_never_notifies() {
        let r = NewRefund {
            order_id: OrderId::from_number(9),
            note: None,
            lines: vec![],
            money: vec![RefundMoney { amount: Decimal::new(2500, 2), gateway: "cash".into(), parent_id: None }],
        };
        let v = r.to_input();
        assert_eq!(v["transactions"][0]["amount"], "25.00", "Money is a decimal string");
        assert_eq!(v["transactions"][0]["kind"], "REFUND", "refund transactions are kind REFUND");
        assert_eq!(v["notify"], false, "the till already told the customer");
    }
}
