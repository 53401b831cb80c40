//! What a webhook delivery wakes. A hook is a wake-up call, never a source of truth: it names a
//! resource, and the capability that owns the resource reads it again from the store. Polling
//! stays correct with no webhook at all; a hook only makes the next read come sooner.

use serde::{Deserialize, Serialize};

/// The three privacy requests Shopify sends every app (GDPR/CCPA), also run by hand from the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyTopic {
    /// `customers/redact`: remove every stored trace of a customer.
    RedactCustomer,
    /// `customers/data_request`: export what is stored about a customer.
    ExportCustomer,
    /// `shop/redact`: remove the shop's data (48 hours after the app is uninstalled).
    RedactShop,
}

impl PrivacyTopic {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyTopic::RedactCustomer => "redact_customer",
            PrivacyTopic::ExportCustomer => "export_customer",
            PrivacyTopic::RedactShop => "redact_shop",
        }
    }
}

/// What a delivery wakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The next stock poll, now. `bigcommerce_moved`: BigCommerce's stock changed, so the poll
    /// reads it whole instead of trusting the orders look alone.
    Stock { bigcommerce_moved: bool },
    /// The next POS orders poll, now.
    Orders,
    /// A privacy request, done on receipt.
    Privacy(PrivacyTopic),
    /// Nothing, and why.
    Nothing(&'static str),
}

impl Wake {
    /// "stock", "orders", "privacy" or "nothing": the inbox's `woke` column.
    pub fn label(self) -> &'static str {
        match self {
            Wake::Stock { .. } => "stock",
            Wake::Orders => "orders",
            Wake::Privacy(_) => "privacy",
            Wake::Nothing(_) => "nothing",
        }
    }
}

const CATALOG_ON_SCHEDULE: &str =
    "products are read by the catalog sync on its schedule; run a sync to take this change now";

/// What a Shopify topic (`X-Shopify-Topic`, such as `inventory_levels/update`) wakes.
pub fn shopify_wake(topic: &str) -> Wake {
    let (resource, _) = topic.split_once('/').unwrap_or((topic, ""));
    match (resource, topic) {
        (_, "customers/redact") => Wake::Privacy(PrivacyTopic::RedactCustomer),
        (_, "customers/data_request") => Wake::Privacy(PrivacyTopic::ExportCustomer),
        (_, "shop/redact") => Wake::Privacy(PrivacyTopic::RedactShop),
        ("inventory_levels" | "inventory_items", _) => Wake::Stock { bigcommerce_moved: false },
        ("orders" | "refunds" | "returns" | "order_transactions", _) => Wake::Orders,
        ("products", _) => Wake::Nothing(CATALOG_ON_SCHEDULE),
        _ => Wake::Nothing("Tillbridge does not act on this topic"),
    }
}

/// What a BigCommerce scope (`store/sku/inventory/updated`, `store/channel/1/order/created`) wakes.
pub fn bigcommerce_wake(scope: &str) -> Wake {
    let parts: Vec<&str> = scope.split('/').collect();
    // Channel-scoped events name the channel second: store/channel/{id}/…
    let rest: &[&str] = match parts.as_slice() {
        ["store", "channel", _, rest @ ..] => rest,
        ["store", rest @ ..] => rest,
        _ => &[],
    };
    match rest {
        ["sku" | "product", "inventory", ..] | ["inventory", ..] => Wake::Stock { bigcommerce_moved: true },
        // An order (placed, edited, refunded, cancelled) moves BigCommerce's stock.
        ["order", ..] => Wake::Stock { bigcommerce_moved: true },
        ["product" | "sku", ..] => Wake::Nothing(CATALOG_ON_SCHEDULE),
        _ => Wake::Nothing("Tillbridge does not act on this scope"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shopify_topics_wake_the_capability_that_owns_the_resource() {
        assert_eq!(shopify_wake("inventory_levels/update"), Wake::Stock { bigcommerce_moved: false });
        assert_eq!(shopify_wake("orders/create"), Wake::Orders, "a POS sale is carried by the orders poll");
        assert_eq!(shopify_wake("refunds/create"), Wake::Orders, "a refund follows its order");
        assert_eq!(shopify_wake("customers/redact"), Wake::Privacy(PrivacyTopic::RedactCustomer));
        assert_eq!(shopify_wake("customers/data_request"), Wake::Privacy(PrivacyTopic::ExportCustomer));
        assert_eq!(shopify_wake("shop/redact"), Wake::Privacy(PrivacyTopic::RedactShop));
        assert!(matches!(shopify_wake("products/update"), Wake::Nothing(why) if why.contains("catalog")));
        assert!(matches!(shopify_wake("carts/create"), Wake::Nothing(_)), "an unknown topic wakes nothing");
    }

    #[test]
    fn bigcommerce_scopes_wake_stock_with_its_side_marked_moved() {
        let moved = Wake::Stock { bigcommerce_moved: true };
        assert_eq!(bigcommerce_wake("store/sku/inventory/updated"), moved);
        assert_eq!(bigcommerce_wake("store/product/inventory/order/updated"), moved);
        assert_eq!(bigcommerce_wake("store/channel/1/inventory/product/stock_changed"), moved, "channel-scoped");
        assert_eq!(bigcommerce_wake("store/order/created"), moved, "an online order lowers BigCommerce's stock");
        assert_eq!(bigcommerce_wake("store/channel/3/order/refund/created"), moved);
        assert!(matches!(bigcommerce_wake("store/product/updated"), Wake::Nothing(_)));
        assert!(matches!(bigcommerce_wake("store/app/uninstalled"), Wake::Nothing(_)));
        assert!(matches!(bigcommerce_wake(""), Wake::Nothing(_)), "an empty scope wakes nothing");
    }
}
