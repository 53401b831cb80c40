//! The UI's TypeScript types for the engine's requests and answers (the runtime, status, doctor,
//! ownership, sync progress, stock and POS orders) are generated from the Rust types (`ui/src/generated/engine.ts`);
//! this test fails when the two drift apart.
//!
//! After changing one of these types, regenerate the file with
//! `TILLBRIDGE_WRITE_TS=1 cargo test -p tillbridge-engine --test ts_types` and commit it.

use std::path::Path;

use tillbridge_domain::catalog::{ChangeCount, Direction, Field, FlaggedPriceChange, Staleness};
use tillbridge_domain::orders::{DayRow, Figures};
use tillbridge_domain::stock::{DriftAction, DriftReason, Side, StockCounts};
use tillbridge_domain::work::Lane;
use tillbridge_engine::{
    AttemptRecord, AttemptRequest, CancelRequest, CancelView, Capability, Check, CheckState, ConnectionView,
    DatabaseView, DoctorReport, FailedJobView, FailedView, GuardRails, Health, HealthState, JobState, JobTimelineView,
    Owner, Ownership, PauseView, QueueActionView, RetryRequest, RunResult, RunView, RunsView, ScheduleRequest,
    ScheduleView, Scope, SecretStoreView, SkipRequest, Status, StoreHealth, StoreWait, SyncPhase, SyncProgress,
    SyncRequest, SyncSummary, Trigger,
};
use tillbridge_engine::{CapabilityRuns, ChartsView, HistoryPoint, HomeQuery, HomeView, ReviewCounts};
use tillbridge_engine::{
    ChooseOrderChannel, OrderChannel, OrderChannelsView, OrderLink, OrderLinkCounts, OrderLinkState, OrderPreview,
    OrderRef, OrderTimelineView, OrdersConfig, OrdersQuery, OrdersSyncReport, OrdersSyncRequest, OrdersView,
    ReconcileRequest, ReconcileView, RetryOrdersRequest,
};
use tillbridge_engine::{
    ConflictsQuery, DriftQuery, DriftReport, DriftView, LocationPairView, LocationRules, LocationRulesRequest,
    LocationsView, MapLocationsRequest, ResolveConflictRequest, SameWindow, StockCellView, StockConflictView,
    StockItemQuery, StockItemView, StockOwner, StockSyncReport, StockSyncRequest, StoreLocation, StoreWrites,
    UnmapLocationsRequest, ValidationView,
};
use tillbridge_engine::{
    LocationSuggestion, OnboardingDismissRequest, OnboardingStep, OnboardingStepView, OnboardingView, StepState,
    SuggestedBy,
};
use tillbridge_engine::{StoreTimeZone, TimeZoneSource};
use tillbridge_secrets::SecretStoreKind;
use tillbridge_store::{OrdersHour, QueueTotals, QuotaHour};
use tillbridge_transport::{System, WaitCause};
use ts_rs::{Config, TS};

/// Every generated type the UI reads or sends, dependencies first.
fn declarations() -> String {
    // JSON numbers are JavaScript numbers; every count and id here stays far below 2^53.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        System::decl(&cfg),
        Lane::decl(&cfg),
        Capability::decl(&cfg),
        Scope::decl(&cfg),
        Trigger::decl(&cfg),
        JobState::decl(&cfg),
        GuardRails::decl(&cfg),
        HealthState::decl(&cfg),
        StoreHealth::decl(&cfg),
        RunResult::decl(&cfg),
        RunView::decl(&cfg),
        RunsView::decl(&cfg),
        FailedJobView::decl(&cfg),
        FailedView::decl(&cfg),
        AttemptRequest::decl(&cfg),
        AttemptRecord::decl(&cfg),
        JobTimelineView::decl(&cfg),
        RetryRequest::decl(&cfg),
        SkipRequest::decl(&cfg),
        QueueActionView::decl(&cfg),
        CancelRequest::decl(&cfg),
        CancelView::decl(&cfg),
        PauseView::decl(&cfg),
        ScheduleRequest::decl(&cfg),
        ScheduleView::decl(&cfg),
        Health::decl(&cfg),
        DatabaseView::decl(&cfg),
        SecretStoreKind::decl(&cfg),
        SecretStoreView::decl(&cfg),
        ConnectionView::decl(&cfg),
        TimeZoneSource::decl(&cfg),
        StoreTimeZone::decl(&cfg),
        Status::decl(&cfg),
        CheckState::decl(&cfg),
        Check::decl(&cfg),
        DoctorReport::decl(&cfg),
        Field::decl(&cfg),
        Owner::decl(&cfg),
        Ownership::decl(&cfg),
        Direction::decl(&cfg),
        ChangeCount::decl(&cfg),
        SyncRequest::decl(&cfg),
        SyncPhase::decl(&cfg),
        SyncSummary::decl(&cfg),
        WaitCause::decl(&cfg),
        StoreWait::decl(&cfg),
        SyncProgress::decl(&cfg),
        FlaggedPriceChange::decl(&cfg),
        Staleness::decl(&cfg),
        StockOwner::decl(&cfg),
        SameWindow::decl(&cfg),
        StockCounts::decl(&cfg),
        StoreLocation::decl(&cfg),
        SuggestedBy::decl(&cfg),
        LocationSuggestion::decl(&cfg),
        LocationPairView::decl(&cfg),
        LocationsView::decl(&cfg),
        LocationRules::decl(&cfg),
        MapLocationsRequest::decl(&cfg),
        LocationRulesRequest::decl(&cfg),
        UnmapLocationsRequest::decl(&cfg),
        StockSyncRequest::decl(&cfg),
        StockCellView::decl(&cfg),
        Side::decl(&cfg),
        StoreWrites::decl(&cfg),
        StockSyncReport::decl(&cfg),
        StockItemQuery::decl(&cfg),
        StockItemView::decl(&cfg),
        ConflictsQuery::decl(&cfg),
        StockConflictView::decl(&cfg),
        ResolveConflictRequest::decl(&cfg),
        DriftReason::decl(&cfg),
        DriftAction::decl(&cfg),
        DriftQuery::decl(&cfg),
        ValidationView::decl(&cfg),
        DriftView::decl(&cfg),
        DriftReport::decl(&cfg),
        OrderLinkState::decl(&cfg),
        OrderLink::decl(&cfg),
        OrderLinkCounts::decl(&cfg),
        OrdersConfig::decl(&cfg),
        OrderChannel::decl(&cfg),
        OrderChannelsView::decl(&cfg),
        ChooseOrderChannel::decl(&cfg),
        OrdersQuery::decl(&cfg),
        OrdersView::decl(&cfg),
        RetryOrdersRequest::decl(&cfg),
        OrdersSyncRequest::decl(&cfg),
        OrderPreview::decl(&cfg),
        OrdersSyncReport::decl(&cfg),
        OrderRef::decl(&cfg),
        OrderTimelineView::decl(&cfg),
        Figures::decl(&cfg),
        DayRow::decl(&cfg),
        ReconcileRequest::decl(&cfg),
        ReconcileView::decl(&cfg),
        HomeQuery::decl(&cfg),
        CapabilityRuns::decl(&cfg),
        QueueTotals::decl(&cfg),
        ReviewCounts::decl(&cfg),
        HomeView::decl(&cfg),
        QuotaHour::decl(&cfg),
        HistoryPoint::decl(&cfg),
        OrdersHour::decl(&cfg),
        ChartsView::decl(&cfg),
        OnboardingStep::decl(&cfg),
        StepState::decl(&cfg),
        OnboardingStepView::decl(&cfg),
        OnboardingView::decl(&cfg),
        OnboardingDismissRequest::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by crates/engine/tests/ts_types.rs; do not edit by hand.\n\
         // Regenerate: TILLBRIDGE_WRITE_TS=1 cargo test -p tillbridge-engine --test ts_types\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[test]
fn the_ui_types_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated/engine.ts");
    let generated = declarations();
    if std::env::var_os("TILLBRIDGE_WRITE_TS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the Rust types: run `TILLBRIDGE_WRITE_TS=1 cargo test -p tillbridge-engine --test ts_types` and commit the file",
        path.display()
    );
}
