//! Location pairs: which BigCommerce location is synced with which Shopify location, and under
//! which rules. Each location is checked against the store before it is paired.

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use tillbridge_domain::onboarding::{Place, SuggestedBy, suggest_pairs};
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
    /// "12 Harbour Street, Boston 02101", when the store gives a street address.
    pub address: Option<String>,
}

/// One street address from a store's parts, written the same way for both stores so that the
/// same place reads the same.
fn street_address(address1: Option<&str>, city: Option<&str>, zip: Option<&str>) -> Option<String> {
    let street = address1.map(str::trim).filter(|s| !s.is_empty())?;
    let town = [city, zip].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    Some(if town.is_empty() { street.to_string() } else { format!("{street}, {}", town.join(" ")) })
}

/// Two locations not paired yet that look like one place: the same name, else the same address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct LocationSuggestion {
    pub bigcommerce_location_id: i64,
    pub shopify_location_id: String,
    /// "Main Warehouse ↔ Main Warehouse", as the pair would be named.
    pub name: String,
    pub by: SuggestedBy,
}

/// The active locations of both stores that are in no pair, suggested as pairs.
fn suggestions(
    bigcommerce: &[StoreLocation],
    shopify: &[StoreLocation],
    pairs: &[LocationPairView],
) -> Vec<LocationSuggestion> {
    let free = |locations: &[StoreLocation], paired: &dyn Fn(&str) -> bool| -> Vec<Place> {
        locations
            .iter()
            .filter(|l| l.active && !paired(&l.id))
            .map(|l| Place { id: l.id.clone(), name: l.name.clone(), address: l.address.clone() })
            .collect()
    };
    let bc = free(bigcommerce, &|id| pairs.iter().any(|p| p.bigcommerce_location_id.to_string() == id));
    let sh = free(shopify, &|id| pairs.iter().any(|p| p.shopify_location_id == id));
    let name_of = |places: &[StoreLocation], id: &str| {
        places.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_default()
    };
    suggest_pairs(&bc, &sh)
        .into_iter()
        .filter_map(|s| {
            Some(LocationSuggestion {
                bigcommerce_location_id: s.bigcommerce.parse().ok()?,
                name: format!("{} ↔ {}", name_of(bigcommerce, &s.bigcommerce), name_of(shopify, &s.shopify)),
                shopify_location_id: s.shopify,
                by: s.by,
            })
        })
        .collect()
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
    /// Locations not paired yet that look like one place, for the operator to confirm.
    pub suggestions: Vec<LocationSuggestion>,
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
        let pairs: Vec<LocationPairView> = self
            .blocking(|app| Ok(app.store.location_pairs()?))
            .await?
            .into_iter()
            .map(LocationPairView::from)
            .collect();
        let bigcommerce: Vec<StoreLocation> = bc
            .into_iter()
            .map(|l| {
                let a = l.address.unwrap_or_default();
                StoreLocation {
                    id: l.id.to_string(),
                    name: if l.label.is_empty() { l.code } else { l.label },
                    active: l.enabled,
                    address: street_address(a.address1.as_deref(), a.city.as_deref(), a.zip.as_deref()),
                }
            })
            .collect();
        let shopify: Vec<StoreLocation> = shop
            .into_iter()
            .flatten()
            .map(|l| {
                let a = l.address.unwrap_or_default();
                StoreLocation {
                    id: l.id.0,
                    name: l.name,
                    active: l.is_active,
                    address: street_address(a.address1.as_deref(), a.city.as_deref(), a.zip.as_deref()),
                }
            })
            .collect();
        let suggestions = suggestions(&bigcommerce, &shopify, &pairs);
        Ok(LocationsView { bigcommerce, shopify, pairs, suggestions })
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

    fn location(id: &str, name: &str, address: Option<&str>) -> StoreLocation {
        StoreLocation { id: id.into(), name: name.into(), active: true, address: address.map(Into::into) }
    }

    #[test]
    fn both_stores_write_an_address_the_same_way() {
        assert_eq!(
            street_address(Some(" 12 Harbour Street "), Some("Boston"), Some("02101")).as_deref(),
            Some("12 Harbour Street, Boston 02101"),
            "street, then town and postcode"
        );
        assert_eq!(street_address(Some(""), Some("Boston"), None), None, "no street, no address to compare");
    }

    #[test]
    fn suggestions_leave_out_paired_and_inactive_locations() {
        let bc = [location("1", "Main Warehouse", None), location("2", "Downtown Store", None)];
        let mut closed = location("gid://shopify/Location/3", "Airport Kiosk", None);
        closed.active = false;
        let sh = [
            location("gid://shopify/Location/1", "Main Warehouse", None),
            location("gid://shopify/Location/2", "Downtown Store", None),
            closed,
        ];
        let pair = LocationPairView {
            id: 1,
            bigcommerce_location_id: 1,
            shopify_location_id: "gid://shopify/Location/1".into(),
            name: "Main Warehouse ↔ Main Warehouse".into(),
            owner: Owner::Both,
            same_window: SameWindow::Merge,
            hold_back: 0,
            cap: None,
        };
        let s = suggestions(&bc, &sh, &[pair]);
        assert_eq!(s.len(), 1, "the paired warehouse is not suggested again: {s:?}");
        assert_eq!(s[0].bigcommerce_location_id, 2, "the store still free is");
        assert_eq!(s[0].name, "Downtown Store ↔ Downtown Store", "named as the pair would be");
    }

    #[test]
    fn a_shopify_location_is_named_by_gid_or_number() {
        assert_eq!(shopify_location("42").map(|l| l.0).ok().as_deref(), Some("gid://shopify/Location/42"), "a number");
        assert!(shopify_location("gid://shopify/Location/42").is_ok(), "a location GID");
        let wrong = shopify_location("gid://shopify/Product/42").err().map(|e| e.message).unwrap_or_default();
        assert!(wrong.contains("is not a Shopify location"), "another kind of GID is refused: {wrong}");
    }
}
