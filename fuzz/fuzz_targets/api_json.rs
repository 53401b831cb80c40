//! The HTTP API's JSON bodies: any bytes read as each request type the API takes fail with an error
//! or give a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tillbridge_engine as engine;

fn read<T: serde::de::DeserializeOwned>(data: &[u8]) {
    let _ = serde_json::from_slice::<T>(data);
}

fuzz_target!(|data: &[u8]| {
    read::<engine::SyncRequest>(data);
    read::<engine::StockSyncRequest>(data);
    read::<engine::MapLocationsRequest>(data);
    read::<engine::LocationRulesRequest>(data);
    read::<engine::ResolveConflictRequest>(data);
    read::<engine::OrdersConfig>(data);
    read::<engine::OrdersSyncRequest>(data);
    read::<engine::ReconcileRequest>(data);
    read::<engine::RetryRequest>(data);
    read::<engine::ScheduleRequest>(data);
    read::<engine::Ownership>(data);
    read::<engine::MatchRules>(data);
    read::<engine::DriftQuery>(data);
    read::<engine::CustomerRef>(data);
    read::<engine::webhooks::registration::RegisterRequest>(data);
});
