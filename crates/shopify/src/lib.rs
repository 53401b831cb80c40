//! The Shopify Admin GraphQL client: paced by query cost so the store never has to throttle us,
//! retried where that is safe, and recorded call by call in the audit log.

mod client;
mod error;
pub mod gid;
pub mod governor;

pub use client::{DEFAULT_API_VERSION, Operation, ShopifyClient, ShopifyConnection, VERIFY};
pub use error::ShopifyError;
pub use tillbridge_transport::ClientParts;
