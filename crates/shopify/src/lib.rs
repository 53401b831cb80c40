//! The Shopify Admin GraphQL client: paced by query cost so the store never has to throttle us,
//! retried where that is safe, and recorded call by call in the audit log.
//!
//! - [`ShopifyClient::execute`] runs any [`Operation`]; the typed methods in [`ops`] wrap the
//!   ones the sync uses (variants, locations, stock, POS orders, refunds, customers, webhooks).
//! - Writes return a [`WriteOutcome`]: applied, or refused with typed [`UserError`] codes.
//! - [`ops::bulk::BulkRunner`] reads a whole catalog through a bulk query, streaming the result.

mod api_trait;
mod client;
mod error;
pub mod gid;
pub mod governor;
pub mod models;
pub mod ops;
mod paging;
mod user_errors;

pub use api_trait::{MemoryShopify, ShopifyApi};
pub use client::{DEFAULT_API_VERSION, Operation, ShopIdentity, ShopifyClient, ShopifyConnection, VERIFY};
pub use error::ShopifyError;
pub use ops::bulk::{BulkObject, BulkOperation, BulkRequestCount, BulkRunner, BulkStatus, PollSchedule};
pub use ops::catalog::{VariantQuery, VariantUpdate};
pub use ops::inventory::{
    AdjustQuantities, InventoryReason, QuantityChange, QuantitySet, SetQuantities, SettableQuantity,
};
pub use ops::orders::{NewRefund, RefundLineInput, RefundMoney};
pub use ops::webhooks::{WebhookSubscription, WebhookTopic};
pub use tillbridge_transport::ClientParts;
pub use user_errors::{IdempotencyKey, UserError, UserErrorCode, WriteOutcome};
