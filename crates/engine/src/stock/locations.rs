//! Location pairs: which BigCommerce location is synced with which Shopify location, and under
//! which rules. Each location is checked against the store before it is paired.

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use tillbridge_domain::stock::{Buffer, Owner, PairPolicy, SameWindow};
use tillbridge_shopify::gid::LocationId;
use tillbridge_store::{LocationPairRecord, NewLocationPair};

use crate::{ApiError, App};

/// A location as a store lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StoreLocation {
    pub id: String,
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LocationPairView {
    pub id: i64,
    pub bigcommerce_location_id: i64,
    pub shopify_location_id: String,
    pub name: String,
    pub owner: Owner,
    pub same_window: SameWindow,
    pub hold_back: i64,
    pub cap: Option<i64>,
}

impl From<LocationPairRecord> for LocationPairView {
    fn from(r: LocationPairRecord) -> Self {
        LocationPairView {
            id: r.id,
            bigcommerce_location_id: r.bigcommerce_location_id,
            shopify_location_id: r.shopify_location_id,
            name: r.name,
            owner: r.policy.owner,
            same_window: r.policy.same_window,
            hold_back: r.policy.buffer.hold_back,
            cap: r.policy.buffer.cap,
        }
    }
}

/// Both stores' locations and the pairs made of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LocationsView {
    pub bigcommerce: Vec<StoreLocation>,
    pub shopify: Vec<StoreLocation>,
    pub pairs: Vec<LocationPairView>,
}

/// The rules of a pair, as a person sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct LocationRules {
    pub owner: Owner,
    #[serde(default)]
    pub same_window: SameWindow,
    #[serde(default)]
    pub hold_back: i64,
    #[serde(default)]
    pub cap: Option<i64>,
}

impl LocationRules {
    fn policy(self) -> Result<PairPolicy, ApiError> {
        PairPolicy::new(self.owner, self.same_window, Buffer { hold_back: self.hold_back, cap: self.cap })
            .map_err(|e| ApiError::invalid(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct MapLocationsRequest {
    pub bigcommerce_location_id: i64,
    /// A Shopify location GID, or its number.
    pub shopify_location_id: String,
    #[serde(flatten)]
    pub rules: LocationRules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct LocationRulesRequest {
    pub id: i64,
    #[serde(flatten)]
    pub rules: LocationRules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct UnmapLocationsRequest {
    pub id: i64,
}

/// A Shopify location named by GID or by number, as a GID.
fn shopify_location(raw: &str) -> Result<LocationId, ApiError> {
    let raw = raw.trim();
    if let Ok(n) = raw.parse::<u64>() {
        return Ok(LocationId::from_number(n));
    }
    let id = LocationId(raw.to_string());
    if id.number().is_none() || !raw.starts_with("gid://shopify/Location/") {
        return Err(ApiError::invalid(format!(
            "{} is not a Shopify location: give its number or its gid://shopify/Location/… id (`tillbridge locations` lists them)",
            crate::quoted(raw)
        )));
    }
    Ok(id)
}

impl App {
    /// Both stores' locations, read live, and the pairs.
    pub async fn locations(&self) -> Result<LocationsView, ApiError> {
        let clients = self.shared_clients().await?;
        let bc = clients
            .bigcommerce
            .locations()
            .await
            .map_err(|e| ApiError::unavailable(format!("reading BigCommerce's locations failed: {e}")))?;
        let shop: Vec<Vec<tillbridge_shopify::models::Location>> = clients
            .shopify
            .locations()
            .try_collect()
            .await
            .map_err(|e| ApiError::unavailable(format!("reading Shopify's locations failed: {e}")))?;
        let pairs = self.blocking(|app| Ok(app.store.location_pairs()?)).await?;
        Ok(LocationsView {
            bigcommerce: bc
                .into_iter()
                .map(|l| StoreLocation {
                    id: l.id.to_string(),
                    name: if l.label.is_empty() { l.code } else { l.label },
                    active: l.enabled,
                })
                .collect(),
            shopify: shop
                .into_iter()
                .flatten()
                .map(|l| StoreLocation { id: l.id.0, name: l.name, active: l.is_active })
                .collect(),
            pairs: pairs.into_iter().map(LocationPairView::from).collect(),
        })
    }

    /// Pairs a BigCommerce location with a Shopify location. Both must exist in their stores, and
    /// neither may be in another pair.
    pub async fn map_locations(&self, request: MapLocationsRequest) -> Result<LocationPairView, ApiError> {
        let policy = request.rules.policy()?;
        let shopify_id = shopify_location(&request.shopify_location_id)?;
        let live = self.locations().await?;
        let bc =
            live.bigcommerce.iter().find(|l| l.id == request.bigcommerce_location_id.to_string()).ok_or_else(|| {
                ApiError::invalid(format!(
                    "BigCommerce has no location {}; `tillbridge locations` lists the ones it has",
                    request.bigcommerce_location_id
                ))
            })?;
        let shop = live.shopify.iter().find(|l| l.id == shopify_id.0).ok_or_else(|| {
            ApiError::invalid(format!(
                "Shopify has no location {}; `tillbridge locations` lists the ones it has",
                shopify_id.0
            ))
        })?;
        let new = NewLocationPair {
            bigcommerce_location_id: request.bigcommerce_location_id,
            shopify_location_id: shopify_id.0.clone(),
            name: format!("{} ↔ {}", bc.name, shop.name),
            policy,
        };
        self.blocking(move |app| {
            let id = app.store.add_location_pair(&new, app.now())?;
            tracing::info!(pair = id, bigcommerce = new.bigcommerce_location_id, shopify = %new.shopify_location_id, "paired two locations");
            let pair = app.store.location_pairs()?.into_iter().find(|p| p.id == id);
            pair.map(LocationPairView::from).ok_or_else(|| ApiError::internal("the new pair could not be read back"))
        })
        .await
    }

    /// Changes a pair's rules; they apply from the next stock cycle.
    pub async fn set_location_rules(&self, request: LocationRulesRequest) -> Result<LocationPairView, ApiError> {
        let policy = request.rules.policy()?;
        let id = request.id;
        self.blocking(move |app| {
            app.store.set_location_policy(id, &policy, app.now())?;
            let pair = app.store.location_pairs()?.into_iter().find(|p| p.id == id);
            pair.map(LocationPairView::from).ok_or_else(|| ApiError::not_found(format!("no location pair {id}")))
        })
        .await
    }

    /// Unpairs two locations; neither store's stock is touched.
    pub async fn unmap_locations(&self, request: UnmapLocationsRequest) -> Result<LocationsView, ApiError> {
        let id = request.id;
        self.blocking(move |app| Ok(app.store.remove_location_pair(id)?)).await?;
        tracing::info!(pair = id, "unpaired two locations");
        self.locations().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shopify_location_is_named_by_gid_or_number() {
        assert_eq!(shopify_location("42").map(|l| l.0).ok().as_deref(), Some("gid://shopify/Location/42"), "a number");
        assert!(shopify_location("gid://shopify/Location/42").is_ok(), "a location GID");
        let wrong = shopify_location("gid://shopify/Product/42").err().map(|e| e.message).unwrap_or_default();
        assert!(wrong.contains("is not a Shopify location"), "another kind of GID is refused: {wrong}");
    }
}
