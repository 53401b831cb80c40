//! The work-keyed queue: the same work is one job, a newer value supersedes an older one still
//! queued, a running job finishes before its successor starts, and only a dead or silent process
//! loses its claims.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use tillbridge_domain::work::{Capability, Lane};
use tillbridge_store::{AttemptOutcome, Enqueued, JobState, NewJob, Settlement, Store};

const ME: &str = "host/100/7/me";
const OTHER: &str = "host/200/9/other";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 6, 30, 0).unwrap()
}

fn job(entity: &str, value: &str) -> NewJob {
    NewJob {
        kind: "catalog_write".into(),
        capability: Capability::Catalog,
        lane: Lane::Shopify,
        entity_key: entity.into(),
        idempotency_key: format!("{entity}={value}"),
        payload: json!({ "value": value }),
        summary: format!("{entity} → {value}"),
        priority: 10,
        run_id: Some(1),
    }
}

fn claim_all(store: &Store, owner: &str, at: DateTime<Utc>) -> Vec<i64> {
    let due: Vec<i64> = store.due_jobs(Lane::Shopify, at, 100).unwrap().iter().map(|j| j.id).collect();
    store.claim(&due, owner, at + Duration::seconds(30), at).unwrap().iter().map(|j| j.id).collect()
}

fn settle(store: &Store, id: i64, settlement: Settlement, at: DateTime<Utc>) {
    let outcome = AttemptOutcome { job_id: id, request_id: format!("job-{id}.1"), started_at: at, settlement };
    store.settle(&[outcome], at).unwrap();
}

#[test]
fn the_same_work_twice_is_one_job_and_a_finished_one_does_not_block_it_coming_back() {
    let store = Store::open_in_memory(now()).unwrap();
    let first = store.enqueue(&job("product:1:price", "21.00"), now()).unwrap();
    let again = store.enqueue(&job("product:1:price", "21.00"), now()).unwrap();
    assert_eq!(again, Enqueued::Existing { id: first.id() }, "a duplicate plan or event adds nothing");

    let claimed = claim_all(&store, ME, now());
    assert_eq!(claimed, vec![first.id()], "one job to run");
    settle(&store, first.id(), Settlement::Done, now());
    // The price goes to 22 and back to 21 later: writing 21 again is new work.
    let later = store.enqueue(&job("product:1:price", "21.00"), now() + Duration::hours(1)).unwrap();
    assert!(matches!(later, Enqueued::Created { .. }), "a value written before may be written again: {later:?}");
}

#[test]
fn a_newer_value_supersedes_an_older_one_still_queued_even_a_failed_one() {
    let store = Store::open_in_memory(now()).unwrap();
    let old = store.enqueue(&job("product:1:price", "21.00"), now()).unwrap().id();
    claim_all(&store, ME, now());
    settle(&store, old, Settlement::RetryAt { at: now() + Duration::minutes(1), error: "HTTP 503".into() }, now());
    assert_eq!(store.job(old).unwrap().state, JobState::Failed, "the 503 waits for its retry");

    let newer = store.enqueue(&job("product:1:price", "25.00"), now() + Duration::seconds(10)).unwrap();
    assert_eq!(newer, Enqueued::Created { id: newer.id(), superseded: Some(old) }, "the newer plan replaces it");
    let old_job = store.job(old).unwrap();
    assert_eq!(old_job.state, JobState::Superseded, "the old write will never go out");
    assert_eq!(old_job.superseded_by, Some(newer.id()), "and says what replaced it, for the timeline");
    let later = now() + Duration::minutes(5);
    assert_eq!(claim_all(&store, ME, later), vec![newer.id()], "only the newer value is sent");
}

#[test]
fn a_running_write_finishes_before_its_successor_starts_and_a_failure_then_yields_to_it() {
    let store = Store::open_in_memory(now()).unwrap();
    let running = store.enqueue(&job("product:1:price", "21.00"), now()).unwrap().id();
    assert_eq!(claim_all(&store, OTHER, now()), vec![running], "another process has it in flight");

    let newer = store.enqueue(&job("product:1:price", "25.00"), now()).unwrap().id();
    assert!(claim_all(&store, ME, now()).is_empty(), "the successor waits: sending it now could land before the old");
    let due_ids: Vec<i64> = store.due_jobs(Lane::Shopify, now(), 10).unwrap().iter().map(|j| j.id).collect();
    assert!(due_ids.is_empty(), "it is not even offered as due while its predecessor runs");

    settle(&store, running, Settlement::RetryAt { at: now() + Duration::minutes(1), error: "HTTP 503".into() }, now());
    assert_eq!(store.job(running).unwrap().state, JobState::Superseded, "a failed old value yields to the queued one");
    assert_eq!(claim_all(&store, ME, now()), vec![newer], "the newer value goes out next");
}

#[test]
fn only_a_dead_or_silent_owner_loses_its_jobs_and_they_come_back_in_doubt() {
    let store = Store::open_in_memory(now()).unwrap();
    let theirs = store.enqueue(&job("product:1:price", "21.00"), now()).unwrap().id();
    claim_all(&store, OTHER, now());

    assert_eq!(store.recover_orphans(|_| false, now() + Duration::seconds(10)).unwrap(), 0, "a live owner keeps it");
    assert_eq!(store.job(theirs).unwrap().state, JobState::Running, "still running for them");
    store.renew_leases(OTHER, now() + Duration::seconds(25), now() + Duration::seconds(55)).unwrap();
    assert_eq!(
        store.recover_orphans(|_| false, now() + Duration::seconds(40)).unwrap(),
        0,
        "a renewed lease outlives its first expiry"
    );

    assert_eq!(store.recover_orphans(|o| o == OTHER, now() + Duration::seconds(41)).unwrap(), 1, "a dead pid: at once");
    let back = store.job(theirs).unwrap();
    assert_eq!((back.state, back.in_doubt), (JobState::Pending, true), "due again, flagged: it may have landed");
    assert_eq!(back.lease_owner, None, "nobody holds it");
    let timeline = store.job_timeline(theirs).unwrap();
    assert_eq!(timeline.last().map(|a| a.outcome.as_str()), Some("in_doubt"), "the timeline says what happened");

    let silent = store.enqueue(&job("product:2:price", "5.00"), now()).unwrap().id();
    let claimed = claim_all(&store, OTHER, now() + Duration::minutes(1));
    assert_eq!(claimed, vec![theirs, silent], "a process takes both, then goes silent");
    assert_eq!(
        store.recover_orphans(|_| false, now() + Duration::minutes(2)).unwrap(),
        2,
        "a lease nobody renewed runs out, even when liveness cannot be proven"
    );
    assert_eq!(store.job(silent).unwrap().state, JobState::Pending, "taken back");
}

#[test]
fn a_lane_has_one_holder_across_processes_and_a_dead_holder_loses_it_at_once() {
    let store = Store::open_in_memory(now()).unwrap();
    let until = now() + Duration::seconds(15);
    assert!(store.acquire_lane(Lane::Shopify, ME, until, now(), |_| false).unwrap(), "a free lane is taken");
    assert!(!store.acquire_lane(Lane::Shopify, OTHER, until, now(), |_| false).unwrap(), "a held lane is not");
    assert!(store.acquire_lane(Lane::BigCommerce, OTHER, until, now(), |_| false).unwrap(), "lanes are separate");
    assert!(store.acquire_lane(Lane::Shopify, ME, until, now(), |_| false).unwrap(), "the holder keeps it");
    assert!(
        store.acquire_lane(Lane::Shopify, OTHER, until, now(), |o| o == ME).unwrap(),
        "a holder whose process is gone loses the lane without waiting for the lease"
    );
    assert!(
        store
            .acquire_lane(Lane::Shopify, ME, until + Duration::seconds(1), until + Duration::seconds(1), |_| false)
            .unwrap(),
        "an expired lease is free"
    );
}

#[test]
fn a_person_can_retry_or_skip_what_failed_but_never_over_a_newer_write() {
    let store = Store::open_in_memory(now()).unwrap();
    let dead = store.enqueue(&job("product:1:barcode", "0123"), now()).unwrap().id();
    let failed = store.enqueue(&job("product:2:price", "9.00"), now()).unwrap().id();
    claim_all(&store, ME, now());
    settle(&store, dead, Settlement::Dead { error: "barcode already used".into() }, now());
    settle(&store, failed, Settlement::RetryAt { at: now() + Duration::hours(1), error: "HTTP 500".into() }, now());
    assert_eq!(store.job(dead).unwrap().last_error.as_deref(), Some("barcode already used"), "the store's words");

    let (total, listed) = store.jobs_in_states(&[JobState::Failed, JobState::Dead], None, 0, 10).unwrap();
    assert_eq!(total, 2, "both show in the Failed list");
    assert!(listed.iter().any(|j| j.id == dead) && listed.iter().any(|j| j.id == failed), "each one");

    assert_eq!(store.retry_all_failed(now()).unwrap(), vec![dead, failed], "Retry all makes both due now");
    assert_eq!(claim_all(&store, ME, now()).len(), 2, "and they go out at once, not in an hour");
    settle(&store, dead, Settlement::Dead { error: "barcode already used".into() }, now());
    settle(&store, failed, Settlement::Done, now());
    assert_eq!(store.skip_jobs(&[dead], now()).unwrap(), vec![dead], "Skip parks it for good");
    assert_eq!(store.job(dead).unwrap().state, JobState::Skipped, "skipped");

    let newer = store.enqueue(&job("product:1:barcode", "0456"), now()).unwrap().id();
    assert!(
        store.retry_jobs(&[dead], now()).unwrap().is_empty(),
        "retrying the old barcode over the newer one is refused"
    );
    assert_eq!(store.job(newer).unwrap().state, JobState::Pending, "the newer write stays queued");

    let timeline = store.job_timeline(dead).unwrap();
    let outcomes: Vec<&str> = timeline.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["refused", "refused"], "every attempt is on the timeline");
    assert_eq!(timeline[0].message.as_deref(), Some("barcode already used"), "with the reason");
}

#[test]
fn a_cancelled_run_leaves_no_job_queued_and_a_full_plan_clears_what_it_no_longer_needs() {
    let store = Store::open_in_memory(now()).unwrap();
    let kept = store.enqueue(&job("product:1:price", "1"), now()).unwrap().id();
    let gone = store.enqueue(&job("product:2:price", "2"), now()).unwrap().id();
    let planned: std::collections::HashSet<String> = ["product:1:price".to_string()].into();
    let n =
        store.write(|tx| tillbridge_store::supersede_unplanned_in(tx, Capability::Catalog, &planned, now())).unwrap();
    assert_eq!(n, 1, "the job the new full plan did not need is superseded");
    assert_eq!(store.job(gone).unwrap().state, JobState::Superseded, "the stores already agree on it");
    assert_eq!(store.job(kept).unwrap().state, JobState::Pending, "the planned one stays");

    let cancelled = store.request_cancel(1, now()).unwrap();
    assert_eq!(cancelled, 1, "the run's queued job is cancelled");
    assert_eq!(store.job(kept).unwrap().state, JobState::Cancelled, "and will not go out");
    assert_eq!(store.job_counts(Some(1)).unwrap().unsettled(), 0, "nothing of the run is left in the queue");
}
