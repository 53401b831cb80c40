//! Every operation Tillbridge sends to Shopify: a named document, its variables and its answer,
//! and the client method that wraps them.

pub mod bulk;
pub mod catalog;
pub mod customers;
pub mod inventory;
pub mod orders;
pub mod webhooks;

use crate::client::{Operation, VERIFY};

/// All of them, for the schema check and the cost check.
pub const ALL: [&Operation; 20] = [
    &VERIFY,
    &catalog::PRODUCT_VARIANTS,
    &catalog::PRODUCT_VARIANTS_BULK_UPDATE,
    &catalog::PRODUCT_TITLE_UPDATE,
    &inventory::LOCATIONS,
    &inventory::INVENTORY_LEVELS_AT_LOCATION,
    &inventory::INVENTORY_LEVELS_FOR_ITEMS,
    &inventory::INVENTORY_LEVEL,
    &inventory::INVENTORY_SET_QUANTITIES,
    &inventory::INVENTORY_ADJUST_QUANTITIES,
    &inventory::INVENTORY_ACTIVATE,
    &orders::POS_ORDERS,
    &orders::ORDER,
    &orders::REFUND_CREATE,
    &customers::CUSTOMERS_BY_EMAIL,
    &webhooks::WEBHOOK_SUBSCRIPTION_CREATE,
    &webhooks::WEBHOOK_SUBSCRIPTION_DELETE,
    &bulk::BULK_OPERATION_RUN_QUERY,
    &bulk::BULK_OPERATION,
    &bulk::CURRENT_BULK_OPERATION,
];

/// Query texts sent inside `bulkOperationRunQuery` rather than as requests of their own.
pub const BULK_QUERIES: [&str; 2] = [bulk::BULK_PRODUCTS_WITH_VARIANTS, bulk::BULK_VARIANTS_WITH_STOCK];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_named_as_it_is_declared_and_named_once() {
        let mut names = std::collections::HashSet::new();
        for op in ALL {
            assert!(
                names.insert(op.name),
                "{} is declared twice: the cost learned for one would pace the other",
                op.name
            );
            let declared = op.document.split(['(', '{']).next().unwrap_or_default();
            assert!(
                declared.trim_end().ends_with(op.name),
                "{} must be the document's operation name (the audit log and operationName use it): {declared:?}",
                op.name
            );
            assert!(op.estimated_cost <= 1000, "{} exceeds Shopify's single-query ceiling", op.name);
        }
    }
}
