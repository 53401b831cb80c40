//! Shopify global ids ("gid://shopify/ProductVariant/123"), one type per resource so a location id
//! can never be passed where an inventory item id belongs.

use serde::{Deserialize, Serialize};

macro_rules! gid {
    ($name:ident, $kind:literal) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub const KIND: &'static str = $kind;

            pub fn from_number(n: u64) -> Self {
                $name(format!("gid://shopify/{}/{}", $kind, n))
            }

            /// The numeric id, as REST-shaped webhook payloads carry it.
            pub fn number(&self) -> Option<u64> {
                let rest = self.0.strip_prefix(concat!("gid://shopify/", $kind, "/"))?;
                rest.split(['?', '/']).next()?.parse().ok()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

gid!(ProductId, "Product");
gid!(VariantId, "ProductVariant");
gid!(InventoryItemId, "InventoryItem");
gid!(LocationId, "Location");
gid!(OrderId, "Order");
gid!(LineItemId, "LineItem");
gid!(RefundId, "Refund");
gid!(ReturnId, "Return");
gid!(CustomerId, "Customer");
gid!(InventoryLevelId, "InventoryLevel");
gid!(InventoryAdjustmentGroupId, "InventoryAdjustmentGroup");
gid!(TransactionId, "OrderTransaction");
gid!(ReturnLineItemId, "ReturnLineItem");
gid!(BulkOperationId, "BulkOperation");
gid!(WebhookSubscriptionId, "WebhookSubscription");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_numbers_and_refuses_other_kinds() {
        let v = VariantId::from_number(45_000_000_123);
        assert_eq!(v.0, "gid://shopify/ProductVariant/45000000123", "the GID format Shopify uses");
        assert_eq!(v.number(), Some(45_000_000_123), "the number comes back out");
        assert_eq!(VariantId("gid://shopify/Product/1".into()).number(), None, "a product id is not a variant id");
        let level = InventoryLevelId("gid://shopify/InventoryLevel/97000001031?inventory_item_id=502001".into());
        assert_eq!(level.number(), Some(97_000_001_031), "a level id's query string is not part of its number");
    }
}
