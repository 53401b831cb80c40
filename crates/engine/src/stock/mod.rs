//! The stock capability's orchestration: location pairs ([`locations`]), the cycle that reads both
//! stores and plans every cell ([`sync`]), the lane executor that sends the writes and records
//! them in the bookkeeping ([`execute`]), the conflicts a person decides ([`conflicts`]), and the
//! drift each validation found ([`drift`]).
//! The arithmetic is `tillbridge_domain::stock`'s; this module only reads, saves and sends.

pub mod conflicts;
pub mod drift;
pub(crate) mod execute;
pub mod locations;
pub mod sync;

/// Where the BigCommerce products whose stock is tracked for the product as a whole (not per
/// variant) are kept: their adjustments must name the product. The catalog read records them (its
/// inventory listing does not say), and a refusal that says so adds one.
pub(crate) const TRACKED_BY_PRODUCT: &str = "stock.bigcommerce.tracked_by_product";

pub use conflicts::{ConflictsQuery, ResolveConflictRequest, StockConflictView, StockItemQuery, StockItemView};
pub use drift::{DriftQuery, DriftReport, DriftView, ValidationView};
pub use locations::{
    LocationPairView, LocationRules, LocationRulesRequest, LocationSuggestion, LocationsView, MapLocationsRequest,
    StoreLocation, UnmapLocationsRequest,
};
pub use sync::{StockCellView, StockSyncReport, StockSyncRequest, StoreWrites};
