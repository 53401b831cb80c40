//! The checks before a person's Full sync (`tillbridge_domain::catalog::review`), with what they
//! need kept in settings: the revision of the plan inputs (bumped by every ownership, rule or
//! mapping change) and the last Full preview (its run, that revision, the price moves it flagged).

use tillbridge_domain::catalog::{FullSyncRefusal, PlanInputs, PreviewRecord, check_full_sync};

use super::SyncRequest;
use crate::{ApiError, App, ErrorCode, ErrorKind};
use tillbridge_domain::Scope;

/// The revision and time of the last change to the ownership, the rules or the mapping.
pub(crate) const PLAN_INPUTS_SETTING: &str = "sync.plan_inputs";
/// The last Full preview, as [`PreviewRecord`].
pub(crate) const FULL_PREVIEW_SETTING: &str = "sync.full_preview";

impl App {
    /// Marks every preview taken so far as stale: `what` changed, so a Full sync would no longer
    /// write what they show.
    pub(crate) fn note_plan_inputs_changed(&self, what: &str) -> Result<(), ApiError> {
        let now = self.now();
        let inputs = self.plan_inputs()?.changed(what, now);
        Ok(self.store.set_setting(PLAN_INPUTS_SETTING, &inputs, now)?)
    }

    pub(crate) fn plan_inputs(&self) -> Result<PlanInputs, ApiError> {
        Ok(self.store.setting::<PlanInputs>(PLAN_INPUTS_SETTING)?.unwrap_or_default())
    }

    pub(crate) fn full_preview(&self) -> Result<Option<PreviewRecord>, ApiError> {
        Ok(self.store.setting::<PreviewRecord>(FULL_PREVIEW_SETTING)?)
    }

    /// Refuses a person's Full sync while the last Full preview is stale or flags price moves the
    /// request does not accept. Previews and deltas are never refused here.
    pub(crate) fn check_full_sync_start(&self, request: SyncRequest) -> Result<(), ApiError> {
        if request.dry_run || request.mode != Scope::Full {
            return Ok(());
        }
        check_full_sync(self.full_preview()?.as_ref(), &self.plan_inputs()?, request.accept_price_changes)
            .map_err(refusal_error)
    }
}

fn refusal_error(refusal: FullSyncRefusal) -> ApiError {
    let code = match refusal {
        FullSyncRefusal::StalePreview(_) => ErrorCode::PreviewStale,
        FullSyncRefusal::UnacceptedPriceChanges { .. } => ErrorCode::PriceChangesUnconfirmed,
    };
    // Permanent: starting again unchanged is refused again until the person previews or confirms.
    ApiError { code: Some(code), message: refusal.message(), kind: ErrorKind::Invalid }
}
