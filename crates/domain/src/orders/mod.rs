//! The orders capability's pure core: a POS sale as read from Shopify ([`sale`]), the
//! BigCommerce order it becomes ([`draft`]), the status it carries ([`status`]), the BigCommerce
//! refund a Shopify refund becomes ([`refund`]), and the job that carries one sale ([`work`]).
//!
//! Money is `rust_decimal` throughout. BigCommerce's totals are overridden with Shopify's, so
//! the two agree to the cent; a sale whose parts do not add up to its total within a cent is
//! refused with the figures, never adjusted silently.

pub mod draft;
pub mod reconcile;
pub mod refund;
pub mod sale;
pub mod status;
pub mod work;

pub use draft::{
    Billing, CatalogVariant, DraftLine, OrderContext, OrderDraft, OrderEdit, draft_order, order_edit, payment_method,
};
pub use reconcile::{DayRow, Figures, OrderFigures, day_bounds, reconcile};
pub use refund::{OFFLINE_PROVIDER, RefundDraft, RefundItemDraft, RefundPlan, draft_refund};
pub use sale::{
    Fulfilment, Payment, Presentment, RefundedLine, Restock, Sale, SaleCustomer, SaleLine, SaleRefund, Tender,
    TenderKind,
};
pub use status::{BcStatus, status_for};
pub use work::{PosOrderWork, Refusal, pos_order_entity};

#[cfg(test)]
mod tests;
