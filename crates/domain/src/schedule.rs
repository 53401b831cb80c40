//! The daily schedule: "a full sync every day at 06:30", in the operator's own time zone.
//!
//! Pure: the clock is an argument. [`due`] answers whether a scheduled run should start now, given
//! when the last one fired, so a PC that slept through three mornings runs once on waking, not
//! three times. Daylight-saving changes follow the wall clock: on the night the clocks go forward
//! a time inside the missing hour fires when the gap ends; on the night they go back, an hour that
//! happens twice fires on its first pass only.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A time of day in a time zone. `at` is "HH:MM"; `time_zone` an IANA name such as "Europe/Berlin".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySchedule {
    pub at: String,
    pub time_zone: String,
}

/// Why a schedule cannot be used, said so the operator can correct it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    BadTime(String),
    BadZone(String),
}

/// A schedule whose text has been read: the form [`due`] and [`next_after`] take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParsedSchedule {
    pub at: NaiveTime,
    pub zone: Tz,
}

impl DailySchedule {
    pub fn parse(&self) -> Result<ParsedSchedule, ScheduleError> {
        let at =
            NaiveTime::parse_from_str(self.at.trim(), "%H:%M").map_err(|_| ScheduleError::BadTime(self.at.clone()))?;
        let zone: Tz = self.time_zone.trim().parse().map_err(|_| ScheduleError::BadZone(self.time_zone.clone()))?;
        Ok(ParsedSchedule { at, zone })
    }
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleError::BadTime(t) => write!(f, "{t:?} is not a time of day; write it as HH:MM, such as 06:30"),
            ScheduleError::BadZone(z) => {
                write!(f, "{z:?} is not a time zone name; use an IANA name such as Europe/Berlin or America/New_York")
            }
        }
    }
}

impl std::error::Error for ScheduleError {}

/// The instant the schedule fires on `date` (a calendar day in its zone).
pub fn occurrence_on(schedule: &ParsedSchedule, date: NaiveDate) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, schedule.at);
    match schedule.zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        // The hour happens twice (clocks went back): its first pass.
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // The time does not exist (clocks went forward): the first minute after the gap. Gaps are
        // at most a few hours in every zone the database knows.
        LocalResult::None => (1..=24 * 60)
            .map(|m| local + Duration::minutes(m))
            .find_map(|t| schedule.zone.from_local_datetime(&t).earliest())
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc)),
    }
}

/// The latest occurrence in `(last_fired, now]`, if any: the run that is due now. However many
/// occurrences were missed, there is at most one answer, so a missed week runs once.
pub fn due(schedule: &ParsedSchedule, last_fired: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if now <= last_fired {
        return None;
    }
    let today = now.with_timezone(&schedule.zone).date_naive();
    // Today's occurrence if it has passed, else yesterday's; the day before covers a time zone
    // whose "today" starts after UTC's.
    [today, today.pred_opt().unwrap_or(today), today.pred_opt().and_then(|d| d.pred_opt()).unwrap_or(today)]
        .into_iter()
        .map(|d| occurrence_on(schedule, d))
        .find(|&t| t <= now)
        .filter(|&t| t > last_fired)
}

/// The first occurrence strictly after `now`: what the screens show as "next run".
pub fn next_after(schedule: &ParsedSchedule, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.with_timezone(&schedule.zone).date_naive();
    let mut day = today.pred_opt().unwrap_or(today);
    loop {
        let t = occurrence_on(schedule, day);
        if t > now {
            return t;
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => return t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(at: &str, zone: &str) -> ParsedSchedule {
        DailySchedule { at: at.into(), time_zone: zone.into() }.parse().expect("a valid schedule")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("an RFC 3339 time").with_timezone(&Utc)
    }

    #[test]
    fn fires_at_the_local_time_in_winter_and_in_summer() {
        let s = schedule("06:30", "Europe/Berlin");
        assert_eq!(
            occurrence_on(&s, NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()),
            utc("2026-01-15T05:30:00Z"),
            "CET is UTC+1 in January"
        );
        assert_eq!(
            occurrence_on(&s, NaiveDate::from_ymd_opt(2026, 7, 15).unwrap()),
            utc("2026-07-15T04:30:00Z"),
            "CEST is UTC+2 in July"
        );
    }

    #[test]
    fn the_night_the_clocks_go_forward_a_missing_time_fires_when_the_gap_ends() {
        // Europe/Berlin skips 02:00–03:00 on 29 March 2026.
        let s = schedule("02:30", "Europe/Berlin");
        let t = occurrence_on(&s, NaiveDate::from_ymd_opt(2026, 3, 29).unwrap());
        assert_eq!(t, utc("2026-03-29T01:00:00Z"), "03:00 CEST, the first minute that exists, is 01:00 UTC");
        let the_day_before = utc("2026-03-28T01:30:00Z");
        assert_eq!(due(&s, the_day_before, utc("2026-03-29T01:05:00Z")), Some(t), "it still fires that night");
    }

    #[test]
    fn the_night_the_clocks_go_back_a_doubled_time_fires_once() {
        // Europe/Berlin passes 02:00–03:00 twice on 25 October 2026.
        let s = schedule("02:30", "Europe/Berlin");
        let first = occurrence_on(&s, NaiveDate::from_ymd_opt(2026, 10, 25).unwrap());
        assert_eq!(first, utc("2026-10-25T00:30:00Z"), "the first 02:30 is still CEST");
        let second_pass = utc("2026-10-25T01:31:00Z");
        assert_eq!(due(&s, first, second_pass), None, "the second 02:30 must not run the sync again");
    }

    #[test]
    fn a_pc_that_slept_through_several_mornings_runs_once_on_waking() {
        let s = schedule("06:30", "America/New_York");
        let fired = utc("2026-12-01T11:30:00Z"); // 06:30 EST on 1 December
        let wake = utc("2026-12-04T15:00:00Z"); // 10:00 EST three days later
        let missed = due(&s, fired, wake).expect("a run is owed");
        assert_eq!(missed, utc("2026-12-04T11:30:00Z"), "the latest missed morning, not the first");
        assert_eq!(due(&s, missed, wake), None, "once it fired, nothing else is owed until tomorrow");
        assert_eq!(next_after(&s, wake), utc("2026-12-05T11:30:00Z"), "the next one is tomorrow morning");
    }

    #[test]
    fn nothing_is_due_before_the_time_or_twice_the_same_day() {
        let s = schedule("06:30", "Europe/London");
        let enabled = utc("2026-12-05T09:00:00Z");
        assert_eq!(due(&s, enabled, utc("2026-12-05T12:00:00Z")), None, "enabled after today's time: tomorrow");
        assert_eq!(
            due(&s, enabled, utc("2026-12-06T06:30:00Z")),
            Some(utc("2026-12-06T06:30:00Z")),
            "due on the minute"
        );
        assert_eq!(due(&s, enabled, utc("2026-12-06T06:29:59Z")), None, "not a second early");
    }

    #[test]
    fn bad_text_is_refused_with_what_to_write() {
        let bad_time = DailySchedule { at: "6.30am".into(), time_zone: "UTC".into() }.parse().unwrap_err();
        assert!(bad_time.to_string().contains("HH:MM"), "says how to write a time: {bad_time}");
        let bad_zone = DailySchedule { at: "06:30".into(), time_zone: "Berlin".into() }.parse().unwrap_err();
        assert!(bad_zone.to_string().contains("Europe/Berlin"), "gives an example zone: {bad_zone}");
    }
}
