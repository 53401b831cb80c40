//! Which BigCommerce order status a POS sale carries. The table (also in ARCHITECTURE.md):
//!
//! | Shopify payment                        | fulfilment           | BigCommerce            |
//! |----------------------------------------|----------------------|------------------------|
//! | cancelled order, or voided             | any                  | Cancelled (5)          |
//! | paid (refunds included)                | fulfilled at counter | Completed (10)         |
//! | paid (refunds included)                | partially fulfilled  | Partially Shipped (3)  |
//! | paid (refunds included)                | unfulfilled          | Awaiting Fulfillment (11) |
//! | partially paid, pending, authorized    | any                  | Awaiting Payment (7)   |
//!
//! Refunds are not in the table: a sale is created with the status it had when paid, and each
//! BigCommerce refund moves the order to Partially Refunded (14) or Refunded (4) itself, exactly
//! when Shopify's refunds do.

use super::sale::{Fulfilment, Payment, Sale};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BcStatus {
    PartiallyShipped,
    Refunded,
    Cancelled,
    AwaitingPayment,
    Completed,
    AwaitingFulfillment,
    PartiallyRefunded,
}

impl BcStatus {
    /// The id `POST /v2/orders` takes.
    pub fn id(self) -> i64 {
        match self {
            BcStatus::PartiallyShipped => 3,
            BcStatus::Refunded => 4,
            BcStatus::Cancelled => 5,
            BcStatus::AwaitingPayment => 7,
            BcStatus::Completed => 10,
            BcStatus::AwaitingFulfillment => 11,
            BcStatus::PartiallyRefunded => 14,
        }
    }

    /// Statuses BigCommerce's refunds set; an update never writes over them.
    pub fn set_by_refunds(id: i64) -> bool {
        id == BcStatus::Refunded.id() || id == BcStatus::PartiallyRefunded.id()
    }
}

pub fn status_for(sale: &Sale) -> BcStatus {
    if sale.cancelled || sale.payment == Payment::Voided {
        return BcStatus::Cancelled;
    }
    match sale.payment {
        Payment::Paid | Payment::PartiallyRefunded | Payment::Refunded => match sale.fulfilment {
            Fulfilment::Fulfilled => BcStatus::Completed,
            Fulfilment::PartiallyFulfilled => BcStatus::PartiallyShipped,
            Fulfilment::Unfulfilled => BcStatus::AwaitingFulfillment,
        },
        Payment::PartiallyPaid | Payment::Pending | Payment::Authorized | Payment::Unknown => BcStatus::AwaitingPayment,
        Payment::Voided => BcStatus::Cancelled,
    }
}
