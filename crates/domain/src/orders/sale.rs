//! A POS sale as the order planner needs it: shop-currency money, each line's discounts split by
//! whether they were aimed at the line or spread from the whole order, the tenders, and the
//! refunds so far. Names, emails and addresses are not here; they stay with the job that reads them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Shopify's `displayFinancialStatus`, reduced to what decides a BigCommerce status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    Pending,
    Authorized,
    PartiallyPaid,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
    /// A status this build does not know (Shopify adds them); treated as not yet paid.
    Unknown,
}

/// Shopify's `displayFulfillmentStatus`: a counter sale is handed over (fulfilled) at once; a
/// ship-from-store sale waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fulfilment {
    Fulfilled,
    PartiallyFulfilled,
    Unfulfilled,
}

/// The amount the customer saw, when it was not in the shop's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentment {
    pub currency: String,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleCustomer {
    pub gid: String,
}

/// One order line, in shop money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    pub gid: String,
    /// The product title as sold, for a custom line when the variant is not matched.
    pub name: String,
    pub sku: Option<String>,
    pub variant_gid: Option<String>,
    /// Units sold, refunded ones included: the BigCommerce order records the sale as made, and
    /// refunds follow as refunds.
    pub quantity: i64,
    pub unit_price: Decimal,
    /// The line's taxes, after every discount.
    pub tax: Decimal,
    /// Discounts aimed at this line alone (explicit target).
    pub line_discount: Decimal,
    /// This line's share of discounts on the whole order.
    pub order_discount: Decimal,
    pub gift_card: bool,
}

impl SaleLine {
    /// The line after its own discounts, before the order's.
    pub fn net(&self) -> Decimal {
        self.unit_price * Decimal::from(self.quantity) - self.line_discount
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderKind {
    Sale,
    Capture,
    Authorization,
    Refund,
    Change,
    Void,
    Other,
}

/// One payment transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tender {
    pub gateway: String,
    pub kind: TenderKind,
    pub succeeded: bool,
    pub amount: Decimal,
}

impl Tender {
    /// Money taken from the customer (a successful sale or capture).
    pub fn took(&self) -> bool {
        self.succeeded && matches!(self.kind, TenderKind::Sale | TenderKind::Capture)
    }
}

/// What happened to the goods of a refunded line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restock {
    /// Returned to stock at a location: Shopify raised `available` there, and the stock sync
    /// carries it to BigCommerce like any other change.
    Return { location_gid: Option<String> },
    /// Never handed over (a ship-from-store sale cancelled before it shipped).
    Cancel { location_gid: Option<String> },
    /// Money only; the goods stay with the customer.
    NoRestock,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedLine {
    pub line_gid: String,
    pub quantity: i64,
    pub restock: Restock,
    /// The refunded units' share of the line, before tax.
    pub subtotal: Decimal,
    pub tax: Decimal,
}

/// One Shopify refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRefund {
    pub gid: String,
    pub created_at: Option<DateTime<Utc>>,
    pub lines: Vec<RefundedLine>,
    /// The refund's transactions; the money that moved is their successful refunds.
    pub tenders: Vec<Tender>,
    /// Part of a return (goods came back over the counter).
    pub is_return: bool,
}

impl SaleRefund {
    /// The money given back.
    pub fn amount(&self) -> Decimal {
        self.tenders.iter().filter(|t| t.succeeded && t.kind == TenderKind::Refund).map(|t| t.amount).sum()
    }

    pub fn tax(&self) -> Decimal {
        self.lines.iter().map(|l| l.tax).sum()
    }
}

/// A Shopify POS order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// `gid://shopify/Order/…`: BigCommerce's `external_order_id`, and the job's key.
    pub gid: String,
    /// "#1001".
    pub name: String,
    pub processed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The shop's currency, which every amount here is in.
    pub currency: String,
    pub presentment: Option<Presentment>,
    pub taxes_included: bool,
    pub payment: Payment,
    pub fulfilment: Fulfilment,
    pub cancelled: bool,
    pub retail_location_gid: Option<String>,
    pub retail_location_name: Option<String>,
    /// The POS's own id for the sale (register and sale number).
    pub source_identifier: Option<String>,
    pub staff_member: Option<String>,
    pub customer: Option<SaleCustomer>,
    pub lines: Vec<SaleLine>,
    /// Shipping charged, after shipping discounts (a ship-from-store sale may charge it).
    pub shipping: Decimal,
    pub total_tax: Decimal,
    /// What the order came to (before cash rounding).
    pub total: Decimal,
    pub tenders: Vec<Tender>,
    /// What cash rounding added to (or took off) the payment.
    pub cash_rounding: Decimal,
    pub refunds: Vec<SaleRefund>,
    /// False when a nested list was cut short: the sale must be read again whole before it is used.
    pub complete: bool,
}
