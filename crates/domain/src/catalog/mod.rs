//! The catalog capability's pure core: who owns which product field ([`vocabulary`]), what a sync
//! should change ([`plan`]), and the units of work and requests that carry the changes ([`writes`]).
//! The engine's `catalog` module reads the stores, persists the plan and executes its writes.

pub mod guard;
pub mod plan;
pub mod review;
pub mod vocabulary;
pub mod writes;

pub use crate::Scope;
pub use guard::{GuardRails, needs_approval};
pub use plan::{SyncPlan, plan_pairs, plan_sync};
pub use review::{
    FlaggedPriceChange, FullSyncRefusal, PlanInputs, PreviewRecord, Staleness, check_full_sync, flag_price_changes,
    unaccepted_in_plan,
};
pub use vocabulary::*;
pub use writes::{
    BIGCOMMERCE_PRODUCTS_PER_WRITE, BIGCOMMERCE_VARIANTS_PER_WRITE, Batch, BigCommerceNameWrite,
    BigCommerceVariantWrite, CatalogRequest, CatalogWrite, SHOPIFY_VARIANTS_PER_WRITE, ShopifyVariantWrite, batch,
    bigcommerce_entity, field_group, shopify_entity,
};

#[cfg(test)]
mod tests;
