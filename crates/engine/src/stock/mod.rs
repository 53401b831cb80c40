//! The stock capability's orchestration: location pairs ([`locations`]), the cycle that reads both
//! stores and plans every cell ([`sync`]), the lane executor that sends the writes and records
//! them in the bookkeeping ([`execute`]), and the conflicts a person decides ([`conflicts`]).
//! The arithmetic is `tillbridge_domain::stock`'s; this module only reads, saves and sends.

pub mod conflicts;
pub(crate) mod execute;
pub mod locations;
pub mod sync;

pub use conflicts::{ConflictsQuery, ResolveConflictRequest, StockConflictView, StockItemQuery, StockItemView};
pub use locations::{
    LocationPairView, LocationRules, LocationRulesRequest, LocationsView, MapLocationsRequest, StoreLocation,
    UnmapLocationsRequest,
};
pub use sync::{StockCellView, StockSyncReport, StockSyncRequest, StoreWrites};
