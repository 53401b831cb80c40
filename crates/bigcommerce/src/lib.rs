//! The BigCommerce REST client: paced to the store's quota, retried only where that is safe,
//! and recorded call by call in the audit log. The token never leaves [`tillbridge_secrets::Secret`]
//! except in the `X-Auth-Token` header.

mod api;
mod api_trait;
mod client;
mod error;
pub mod governor;
pub mod models;

pub use api::*;
pub use api_trait::{BigCommerceApi, MemoryBigCommerce};
pub use client::{BcConnection, BigCommerceClient, Resend};
pub use error::BcError;
pub use tillbridge_transport::ClientParts;

#[cfg(test)]
pub(crate) mod tests_support {
    use std::path::PathBuf;

    /// `../shared` beside the checkout, or None (with a notice) when it is absent.
    pub fn shared_dir() -> Option<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: ../shared not found next to the checkout");
            None
        }
    }
}
