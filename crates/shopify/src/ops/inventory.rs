//! Locations and stock: reads of levels with their quantities by name, compare-and-swap writes
//! (2026-04: `changeFromQuantity` on every row, `@idempotent` on every write), activation.

use chrono::{DateTime, Utc};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::{InventoryItemId, InventoryLevelId, LocationId};
use crate::models::{InventoryAdjustment, InventoryLevel, Location, Quantities, QuantityName, nested_id};
use crate::ops::catalog::MAX_INPUT_ITEMS;
use crate::paging::{Connection, cursor_pages};
use crate::user_errors::{IdempotencyKey, UserError, WriteOutcome};

pub const LOCATIONS: Operation = Operation {
    name: "TillbridgeLocations",
    document: r#"query TillbridgeLocations($after: String) {
  locations(first: 50, after: $after, sortKey: ID) {
    nodes { id name isActive fulfillsOnlineOrders address { address1 city zip } }
    pageInfo { hasNextPage endCursor }
  }
}"#,
    // Each location and its address are an object each.
    estimated_cost: 2 + 50 * 2,
};

/// Levels per page of one location: each costs 3 (itself, its item, its quantities).
pub const LEVELS_PER_PAGE: u32 = 250;

pub const INVENTORY_LEVELS_AT_LOCATION: Operation = Operation {
    name: "TillbridgeInventoryLevelsAtLocation",
    document: r#"query TillbridgeInventoryLevelsAtLocation($locationId: ID!, $after: String) {
  location(id: $locationId) {
    inventoryLevels(first: 250, after: $after) {
      nodes {
        id updatedAt
        item { id }
        quantities(names: ["available", "committed", "on_hand"]) { name quantity }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    estimated_cost: 1 + 2 + LEVELS_PER_PAGE * 3,
};

/// Levels per page of a changed-since read: small, because most polls find few changes and a
/// query is charged for the page it asks for.
pub const CHANGED_LEVELS_PER_PAGE: u32 = 50;

/// The levels at one location changed since a time (`updated_at:>='…'`): what a stock poll reads
/// instead of the whole location.
pub const INVENTORY_LEVELS_CHANGED_AT_LOCATION: Operation = Operation {
    name: "TillbridgeInventoryLevelsChangedAtLocation",
    document: r#"query TillbridgeInventoryLevelsChangedAtLocation($locationId: ID!, $query: String!, $after: String) {
  location(id: $locationId) {
    inventoryLevels(first: 50, after: $after, query: $query) {
      nodes {
        id updatedAt
        item { id }
        quantities(names: ["available", "committed", "on_hand"]) { name quantity }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#,
    estimated_cost: 1 + 2 + CHANGED_LEVELS_PER_PAGE * 3,
};

/// Items per call of [`INVENTORY_LEVELS_FOR_ITEMS`]; with up to 50 locations each, 5 items keep
/// the call at 766 points even if Shopify prices every id in `nodes` separately.
pub const ITEMS_PER_LEVEL_READ: usize = 5;
/// Locations read per item in one call; an item stocked at more is reported, not truncated.
pub const LOCATIONS_PER_ITEM: u32 = 50;

pub const INVENTORY_LEVELS_FOR_ITEMS: Operation = Operation {
    name: "TillbridgeInventoryLevelsForItems",
    document: r#"query TillbridgeInventoryLevelsForItems($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevels(first: 50) {
        nodes {
          id updatedAt
          location { id }
          quantities(names: ["available", "committed", "on_hand"]) { name quantity }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"#,
    estimated_cost: 1 + ITEMS_PER_LEVEL_READ as u32 * (1 + 2 + LOCATIONS_PER_ITEM * 3),
};

/// One item at one location: the fresh read before a compare-and-swap write.
pub const INVENTORY_LEVEL: Operation = Operation {
    name: "TillbridgeInventoryLevel",
    document: r#"query TillbridgeInventoryLevel($itemId: ID!, $locationId: ID!) {
  inventoryItem(id: $itemId) {
    inventoryLevel(locationId: $locationId) {
      id updatedAt
      quantities(names: ["available", "committed", "on_hand"]) { name quantity }
    }
  }
}"#,
    estimated_cost: 3,
};

pub const INVENTORY_SET_QUANTITIES: Operation = Operation {
    name: "TillbridgeInventorySetQuantities",
    document: r#"mutation TillbridgeInventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      id createdAt reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { field message code }
  }
}"#,
    estimated_cost: 10,
};

pub const INVENTORY_ADJUST_QUANTITIES: Operation = Operation {
    name: "TillbridgeInventoryAdjustQuantities",
    document: r#"mutation TillbridgeInventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      id createdAt reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { field message code }
  }
}"#,
    estimated_cost: 10,
};

pub const INVENTORY_ACTIVATE: Operation = Operation {
    name: "TillbridgeInventoryActivate",
    document: r#"mutation TillbridgeInventoryActivate($itemId: ID!, $locationId: ID!) {
  inventoryActivate(inventoryItemId: $itemId, locationId: $locationId) {
    inventoryLevel {
      id updatedAt
      quantities(names: ["available", "committed", "on_hand"]) { name quantity }
    }
    userErrors { field message }
  }
}"#,
    estimated_cost: 10,
};

/// Why stock changed, as Shopify's inventory history shows it (api-facts §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryReason {
    Correction,
    CycleCountAvailable,
    Damaged,
    MovementCreated,
    MovementUpdated,
    MovementReceived,
    MovementCanceled,
    Other,
    Promotion,
    QualityControl,
    Received,
    ReservationCreated,
    ReservationDeleted,
    ReservationUpdated,
    Restock,
    SafetyStock,
    Shrinkage,
}

/// The only states `inventorySetQuantities` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettableQuantity {
    Available,
    OnHand,
}

/// One absolute quantity to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuantitySet {
    #[serde(rename = "inventoryItemId")]
    pub item_id: InventoryItemId,
    pub location_id: LocationId,
    pub quantity: i64,
    /// The quantity we read before deciding; Shopify refuses the row with
    /// `CHANGE_FROM_QUANTITY_STALE` if it has moved since. `None` is sent as an explicit null,
    /// which skips the check: from 2026-04 the field must always be present.
    #[serde(rename = "changeFromQuantity")]
    pub change_from: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetQuantities {
    pub name: SettableQuantity,
    pub reason: InventoryReason,
    /// Where the change came from, e.g. `gid://tillbridge/Job/123`; shown in Shopify's history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_document_uri: Option<String>,
    pub quantities: Vec<QuantitySet>,
}

/// One relative change to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuantityChange {
    #[serde(rename = "inventoryItemId")]
    pub item_id: InventoryItemId,
    pub location_id: LocationId,
    pub delta: i64,
    /// The quantity before the delta, as we read it; see [`QuantitySet::change_from`].
    #[serde(rename = "changeFromQuantity")]
    pub change_from: Option<i64>,
    /// Required by Shopify for every state but `available`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_document_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdjustQuantities {
    pub name: QuantityName,
    pub reason: InventoryReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_document_uri: Option<String>,
    pub changes: Vec<QuantityChange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocationsPage {
    locations: Connection<Location>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LevelOfLocation {
    id: InventoryLevelId,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nested_id")]
    item: InventoryItemId,
    quantities: Quantities,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocationLevels {
    inventory_levels: Connection<LevelOfLocation>,
}

#[derive(Deserialize)]
struct LevelsAtLocationPage {
    location: Option<LocationLevels>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LevelOfItem {
    id: InventoryLevelId,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "nested_id")]
    location: LocationId,
    quantities: Quantities,
}

/// A `nodes` entry: an inventory item, or `{}` / null for an id that is not one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemLevels {
    #[serde(default)]
    id: Option<InventoryItemId>,
    #[serde(default)]
    inventory_levels: Option<Connection<LevelOfItem>>,
}

#[derive(Deserialize)]
struct LevelsForItems {
    nodes: Vec<Option<ItemLevels>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SingleLevel {
    id: InventoryLevelId,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    quantities: Quantities,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemWithLevel {
    inventory_level: Option<SingleLevel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LevelRead {
    inventory_item: Option<ItemWithLevel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdjustmentPayload {
    inventory_adjustment_group: Option<InventoryAdjustment>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetData {
    inventory_set_quantities: Option<AdjustmentPayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdjustData {
    inventory_adjust_quantities: Option<AdjustmentPayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivatePayload {
    inventory_level: Option<SingleLevel>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivateData {
    inventory_activate: Option<ActivatePayload>,
}

fn too_many(operation: &str, count: usize) -> ShopifyError {
    ShopifyError::Rejected {
        operation: operation.into(),
        message: format!(
            "{count} rows in one write; Shopify takes at most {MAX_INPUT_ITEMS}: split it into several writes, each with its own idempotency key"
        ),
    }
}

fn adjustment_outcome(payload: Option<AdjustmentPayload>, operation: &str) -> WriteOutcome<InventoryAdjustment> {
    let payload = payload.unwrap_or(AdjustmentPayload { inventory_adjustment_group: None, user_errors: vec![] });
    WriteOutcome::from_payload(payload.inventory_adjustment_group, payload.user_errors, operation)
}

impl ShopifyClient {
    /// Every active location, 50 a page.
    pub fn locations(&self) -> impl Stream<Item = Result<Vec<Location>, ShopifyError>> + Send + 'static + use<> {
        cursor_pages(
            self.clone(),
            &LOCATIONS,
            |after| json!({ "after": after }),
            |page: LocationsPage| Ok((page.locations.nodes, page.locations.page_info)),
        )
    }

    /// Every level stocked at `location` with available, committed and on_hand, 250 a page:
    /// the stock snapshot of one location.
    pub fn inventory_levels_at(
        &self,
        location: &LocationId,
    ) -> impl Stream<Item = Result<Vec<InventoryLevel>, ShopifyError>> + Send + 'static + use<> {
        self.levels_of_location(&INVENTORY_LEVELS_AT_LOCATION, location, None)
    }

    /// The levels at `location` updated at or after `since`'s whole second (Shopify's clock), 50 a
    /// page. Shopify's search and its `updatedAt` speak whole seconds, so the caller names the
    /// first second it wants, and `>=` takes that second whole.
    pub fn inventory_levels_changed_at(
        &self,
        location: &LocationId,
        since: DateTime<Utc>,
    ) -> impl Stream<Item = Result<Vec<InventoryLevel>, ShopifyError>> + Send + 'static + use<> {
        let query = format!("updated_at:>='{}'", since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.levels_of_location(&INVENTORY_LEVELS_CHANGED_AT_LOCATION, location, Some(query))
    }

    /// The pages of one location's levels through `op`, optionally filtered by a search `query`.
    fn levels_of_location(
        &self,
        op: &'static Operation,
        location: &LocationId,
        query: Option<String>,
    ) -> impl Stream<Item = Result<Vec<InventoryLevel>, ShopifyError>> + Send + 'static + use<> {
        let location = location.clone();
        let for_vars = location.clone();
        cursor_pages(
            self.clone(),
            op,
            move |after| match &query {
                Some(q) => json!({ "locationId": for_vars, "query": q, "after": after }),
                None => json!({ "locationId": for_vars, "after": after }),
            },
            move |page: LevelsAtLocationPage| {
                let Some(found) = page.location else {
                    return Err(ShopifyError::Missing {
                        operation: op.name.into(),
                        what: format!("location {location}"),
                    });
                };
                let levels = found
                    .inventory_levels
                    .nodes
                    .into_iter()
                    .map(|l| InventoryLevel {
                        id: l.id,
                        item_id: l.item,
                        location_id: location.clone(),
                        quantities: l.quantities,
                        updated_at: l.updated_at,
                    })
                    .collect();
                Ok((levels, found.inventory_levels.page_info))
            },
        )
    }

    /// Every level of each item, at every location it is stocked at, read directly by id (no
    /// search index, so a level written a moment ago is seen). Ids that are not inventory items
    /// are skipped; an item stocked at more than 50 locations is an error, never a silent cut.
    pub async fn inventory_levels_for_items(
        &self,
        items: &[InventoryItemId],
    ) -> Result<Vec<InventoryLevel>, ShopifyError> {
        let mut out = Vec::new();
        for chunk in items.chunks(ITEMS_PER_LEVEL_READ) {
            let data: LevelsForItems = self.execute(&INVENTORY_LEVELS_FOR_ITEMS, &json!({ "ids": chunk })).await?;
            for item in data.nodes.into_iter().flatten() {
                let (Some(item_id), Some(levels)) = (item.id, item.inventory_levels) else { continue };
                if levels.page_info.has_next_page {
                    return Err(ShopifyError::Rejected {
                        operation: INVENTORY_LEVELS_FOR_ITEMS.name.into(),
                        message: format!(
                            "inventory item {item_id} is stocked at more than {LOCATIONS_PER_ITEM} locations; read it location by location with inventory_levels_at"
                        ),
                    });
                }
                out.extend(levels.nodes.into_iter().map(|l| InventoryLevel {
                    id: l.id,
                    item_id: item_id.clone(),
                    location_id: l.location,
                    quantities: l.quantities,
                    updated_at: l.updated_at,
                }));
            }
        }
        Ok(out)
    }

    /// The level of `item` at `location`, or None when the item is not stocked there.
    pub async fn inventory_level(
        &self,
        item: &InventoryItemId,
        location: &LocationId,
    ) -> Result<Option<InventoryLevel>, ShopifyError> {
        let data: LevelRead =
            self.execute(&INVENTORY_LEVEL, &json!({ "itemId": item, "locationId": location })).await?;
        let Some(found) = data.inventory_item else {
            return Err(ShopifyError::Missing {
                operation: INVENTORY_LEVEL.name.into(),
                what: format!("inventory item {item}"),
            });
        };
        Ok(found.inventory_level.map(|l| InventoryLevel {
            id: l.id,
            item_id: item.clone(),
            location_id: location.clone(),
            quantities: l.quantities,
            updated_at: l.updated_at,
        }))
    }

    /// Sets absolute quantities with compare-and-swap. `key` makes a resend after a lost
    /// response harmless; derive it from the job ([`IdempotencyKey::for_job`]).
    pub async fn set_quantities(
        &self,
        input: &SetQuantities,
        key: &IdempotencyKey,
    ) -> Result<WriteOutcome<InventoryAdjustment>, ShopifyError> {
        if input.quantities.len() > MAX_INPUT_ITEMS {
            return Err(too_many(INVENTORY_SET_QUANTITIES.name, input.quantities.len()));
        }
        let data: SetData =
            self.execute(&INVENTORY_SET_QUANTITIES, &json!({ "input": input, "idempotencyKey": key })).await?;
        Ok(adjustment_outcome(data.inventory_set_quantities, INVENTORY_SET_QUANTITIES.name))
    }

    /// Adjusts quantities by deltas, each checked against the quantity it expects to change.
    pub async fn adjust_quantities(
        &self,
        input: &AdjustQuantities,
        key: &IdempotencyKey,
    ) -> Result<WriteOutcome<InventoryAdjustment>, ShopifyError> {
        if input.changes.len() > MAX_INPUT_ITEMS {
            return Err(too_many(INVENTORY_ADJUST_QUANTITIES.name, input.changes.len()));
        }
        let data: AdjustData =
            self.execute(&INVENTORY_ADJUST_QUANTITIES, &json!({ "input": input, "idempotencyKey": key })).await?;
        Ok(adjustment_outcome(data.inventory_adjust_quantities, INVENTORY_ADJUST_QUANTITIES.name))
    }

    /// Stocks `item` at `location` (the answer to `ITEM_NOT_STOCKED_AT_LOCATION`). Activating
    /// an item already stocked changes nothing, so a resend is harmless.
    pub async fn activate_inventory(
        &self,
        item: &InventoryItemId,
        location: &LocationId,
    ) -> Result<WriteOutcome<InventoryLevel>, ShopifyError> {
        let data: ActivateData =
            self.execute(&INVENTORY_ACTIVATE, &json!({ "itemId": item, "locationId": location })).await?;
        let payload = data.inventory_activate.unwrap_or(ActivatePayload { inventory_level: None, user_errors: vec![] });
        let level = payload.inventory_level.map(|l| InventoryLevel {
            id: l.id,
            item_id: item.clone(),
            location_id: location.clone(),
            quantities: l.quantities,
            updated_at: l.updated_at,
        });
        Ok(WriteOutcome::from_payload(level, payload.user_errors, INVENTORY_ACTIVATE.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_from_quantity_is_always_sent_even_when_unchecked() {
        let input = SetQuantities {
            name: SettableQuantity::Available,
            reason: InventoryReason::Correction,
            reference_document_uri: None,
            quantities: vec![
                QuantitySet {
                    item_id: InventoryItemId::from_number(1),
                    location_id: LocationId::from_number(2),
                    quantity: 5,
                    change_from: Some(3),
                },
                QuantitySet {
                    item_id: InventoryItemId::from_number(1),
                    location_id: LocationId::from_number(3),
                    quantity: 5,
                    change_from: None,
                },
            ],
        };
        let v = serde_json::to_value(&input).unwrap();
        assert_eq!(v["quantities"][0]["changeFromQuantity"], 3, "the expected quantity goes with the row");
        assert!(
            v["quantities"][1].get("changeFromQuantity").is_some_and(|c| c.is_null()),
            "an unchecked row sends an explicit null: from 2026-04 omitting the field is an error"
        );
        assert_eq!(v["name"], "available", "state names are Shopify's snake_case strings");
        assert!(v.get("ignoreCompareQuantity").is_none(), "the deprecated pre-2026 switch is never sent");
    }

    #[test]
    fn adjustments_carry_change_from_quantity_too() {
        let input = AdjustQuantities {
            name: QuantityName::Available,
            reason: InventoryReason::Correction,
            reference_document_uri: Some("gid://tillbridge/Job/7".into()),
            changes: vec![QuantityChange {
                item_id: InventoryItemId::from_number(1),
                location_id: LocationId::from_number(2),
                delta: -2,
                change_from: None,
                ledger_document_uri: None,
            }],
        };
        let v = serde_json::to_value(&input).unwrap();
        assert!(v["changes"][0].get("changeFromQuantity").is_some(), "the 2026-04 rule applies to adjustments as well");
        assert!(v["changes"][0].get("ledgerDocumentUri").is_none(), "available takes no ledger document");
    }

    #[test]
    fn the_estimated_costs_stay_under_shopifys_ceiling() {
        for op in [
            LOCATIONS,
            INVENTORY_LEVELS_AT_LOCATION,
            INVENTORY_LEVELS_CHANGED_AT_LOCATION,
            INVENTORY_LEVELS_FOR_ITEMS,
            INVENTORY_LEVEL,
        ] {
            assert!(
                op.estimated_cost <= 1000,
                "{} would be refused with MAX_COST_EXCEEDED ({})",
                op.name,
                op.estimated_cost
            );
        }
    }
}
