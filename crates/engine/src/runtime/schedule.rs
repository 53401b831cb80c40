//! The engine-owned scheduler: "a full sync every day at 06:30" in the operator's time zone, and
//! the kill switch that pauses every outgoing write.
//!
//! The runtime loop asks [`App::start_due_schedule`] on every tick. What is due comes from the pure
//! [`tillbridge_domain::schedule::due`], given the instant the schedule last fired (kept in the
//! database), so a PC that slept through mornings runs once when it wakes. A scheduled run plans
//! like any other but writes only within the guard rails; otherwise it stops as "needs approval".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::Scope;
use tillbridge_domain::catalog::GuardRails;
use tillbridge_domain::schedule::{DailySchedule, due, next_after};
use tillbridge_store::Trigger;

use crate::catalog::SyncRequest;
use crate::{ApiError, App, ErrorCode};

/// Where the schedule of the full catalog sync is kept.
pub(crate) const SCHEDULE_SETTING: &str = "schedule.catalog_full";
/// The occurrence the schedule last fired for.
const LAST_FIRED_SETTING: &str = "schedule.catalog_full.last_fired";
/// Whether outgoing writes are paused (the kill switch).
pub(crate) const PAUSED_SETTING: &str = "runtime.paused";

/// The saved schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ScheduleSetting {
    pub enabled: bool,
    /// "HH:MM".
    pub at: String,
    /// An IANA zone name.
    pub time_zone: String,
    #[serde(default)]
    pub guard: GuardRails,
    /// When it was set: an occurrence earlier than this does not fire, so setting 06:30 at 09:00
    /// does not start a sync at once.
    pub set_at: DateTime<Utc>,
}

/// What the operator asks for: a time (None turns the schedule off), a zone (the computer's when
/// absent) and, optionally, other guard rails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct ScheduleRequest {
    pub at: Option<String>,
    pub time_zone: Option<String>,
    pub guard: Option<GuardRails>,
}

/// The schedule as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ScheduleView {
    pub enabled: bool,
    pub at: Option<String>,
    pub time_zone: Option<String>,
    pub guard: GuardRails,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_fired_at: Option<DateTime<Utc>>,
}

/// The kill switch as the screens show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PauseView {
    pub paused: bool,
}

/// The computer's own time zone, or UTC when it cannot be read or the zone database lacks it.
pub(crate) fn local_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| DailySchedule { at: "00:00".into(), time_zone: z.clone() }.parse().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

impl App {
    pub async fn schedule(&self) -> Result<ScheduleView, ApiError> {
        self.blocking(|app| app.schedule_view()).await
    }

    pub(crate) fn schedule_view(&self) -> Result<ScheduleView, ApiError> {
        let setting = self.store.setting::<ScheduleSetting>(SCHEDULE_SETTING)?;
        let last_fired_at = self.store.setting::<DateTime<Utc>>(LAST_FIRED_SETTING)?;
        let Some(s) = setting else {
            return Ok(ScheduleView {
                enabled: false,
                at: None,
                time_zone: None,
                guard: GuardRails::default(),
                next_run_at: None,
                last_fired_at,
            });
        };
        let next_run_at = if s.enabled {
            DailySchedule { at: s.at.clone(), time_zone: s.time_zone.clone() }
                .parse()
                .ok()
                .map(|p| next_after(&p, self.now()))
        } else {
            None
        };
        Ok(ScheduleView {
            enabled: s.enabled,
            at: Some(s.at),
            time_zone: Some(s.time_zone),
            guard: s.guard,
            next_run_at,
            last_fired_at,
        })
    }

    /// Sets the daily full sync (or turns it off, keeping the guard rails).
    pub async fn set_schedule(&self, request: ScheduleRequest) -> Result<ScheduleView, ApiError> {
        self.blocking(move |app| {
            let now = app.now();
            let old = app.store.setting::<ScheduleSetting>(SCHEDULE_SETTING)?;
            let guard = request.guard.or(old.as_ref().map(|o| o.guard)).unwrap_or_default();
            let setting = match request.at {
                None => ScheduleSetting {
                    enabled: false,
                    at: old.as_ref().map_or_else(|| "06:30".to_string(), |o| o.at.clone()),
                    time_zone: match old.as_ref() {
                        Some(o) => o.time_zone.clone(),
                        None => app.store_zone()?,
                    },
                    guard,
                    set_at: now,
                },
                Some(at) => {
                    // The stores' mornings, unless told otherwise.
                    let time_zone = match request.time_zone {
                        Some(zone) => zone,
                        None => app.store_zone()?,
                    };
                    let schedule = DailySchedule { at: at.trim().to_string(), time_zone };
                    schedule.parse().map_err(|e| ApiError::invalid(e.to_string()))?;
                    ScheduleSetting {
                        enabled: true,
                        at: schedule.at,
                        time_zone: schedule.time_zone,
                        guard,
                        set_at: now,
                    }
                }
            };
            app.store.set_setting(SCHEDULE_SETTING, &setting, now)?;
            app.schedule_view()
        })
        .await
    }

    /// Starts the scheduled full sync when it is due. Called by the runtime loop on every tick.
    pub(crate) async fn start_due_schedule(&self) {
        let due_at = self
            .blocking(|app| {
                let Some(s) = app.store.setting::<ScheduleSetting>(SCHEDULE_SETTING)? else { return Ok(None) };
                if !s.enabled {
                    return Ok(None);
                }
                let parsed = DailySchedule { at: s.at.clone(), time_zone: s.time_zone.clone() }
                    .parse()
                    .map_err(|e| ApiError::invalid(e.to_string()))?;
                let last = app.store.setting::<DateTime<Utc>>(LAST_FIRED_SETTING)?.unwrap_or(s.set_at).max(s.set_at);
                Ok(due(&parsed, last, app.now()))
            })
            .await;
        let due_at = match due_at {
            Ok(Some(t)) => t,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "the schedule could not be read; no scheduled sync starts");
                return;
            }
        };
        let request = SyncRequest::new(Scope::Full, false);
        match self.spawn_catalog_run(request, Trigger::Scheduled).await {
            // A sync already running: the scheduled one starts on a later tick.
            Err(e) if e.code == Some(ErrorCode::SyncRunning) => return,
            Err(e) => tracing::warn!(error = %e, "the scheduled sync could not start"),
            Ok(p) => tracing::info!(run_id = p.run_id, "the scheduled full sync started"),
        }
        let recorded =
            self.blocking(move |app| Ok(app.store.set_setting(LAST_FIRED_SETTING, &due_at, app.now())?)).await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record that the schedule fired");
        }
    }

    /// Whether outgoing writes are paused. A corrupt value pauses: writing when the operator may
    /// have asked not to is the worse mistake.
    pub(crate) fn paused_now(&self) -> Result<bool, ApiError> {
        match self.store.setting::<bool>(PAUSED_SETTING) {
            Ok(v) => Ok(v.unwrap_or(false)),
            Err(e) => {
                tracing::warn!(error = %e, "the kill switch setting is unreadable; writes stay paused until it is set again");
                Ok(true)
            }
        }
    }

    pub async fn paused(&self) -> Result<PauseView, ApiError> {
        self.blocking(|app| Ok(PauseView { paused: app.paused_now()? })).await
    }

    /// The kill switch: paused, no lane sends anything (reads for previews still run); resumed,
    /// the queue goes out where it stopped.
    pub async fn set_paused(&self, paused: bool) -> Result<PauseView, ApiError> {
        let view = self
            .blocking(move |app| {
                app.store.set_setting(PAUSED_SETTING, &paused, app.now())?;
                Ok(PauseView { paused })
            })
            .await?;
        tracing::warn!(paused, "the kill switch was {}", if paused { "turned on" } else { "turned off" });
        self.wake_lanes();
        Ok(view)
    }
}
