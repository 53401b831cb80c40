import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiError, FailedPage, JobTimeline } from '../api';
import { failedJobs, jobTimeline, retryJobs, skipJobs, toApiError } from '../api';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { nextAttemptLabel } from '../runtime';
import { AttemptList } from './AttemptList';

/** Every write that failed, in plain words, with Retry, Retry selected, Retry all and Skip. */
export function FailedScreen() {
  const zone = useTimeZone();
  const [page, setPage] = useState<FailedPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [timeline, setTimeline] = useState<JobTimeline | null>(null);

  const load = useCallback(async () => {
    try {
      const p = await failedJobs(500);
      setPage(p);
      setError(null);
      const present = new Set(p.jobs.map((j) => j.id));
      setSelected((prev) => new Set([...prev].filter((id) => present.has(id))));
    } catch (reason) {
      setError(toApiError(reason));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (what: () => Promise<{ ids: number[]; left: number[] }>, verb: string) => {
    setBusy(true);
    setNotice(null);
    setError(null);
    try {
      const done = await what();
      const left = done.left.length > 0 ? `; ${done.left.length} left alone (no longer failed, or a newer write is queued)` : '';
      setNotice(`${verb} ${done.ids.length} ${done.ids.length === 1 ? 'write' : 'writes'}${left}.`);
      setSelected(new Set());
      setTimeline(null);
      // A retried write goes out within a moment; the list then shows what is still failing.
      await new Promise((resolve) => window.setTimeout(resolve, 1_500));
      await load();
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) {
        next.delete(id);
      } else {
        next.add(id);
      }
      return next;
    });

  const showTimeline = async (id: number) => {
    try {
      setTimeline(await jobTimeline(id));
    } catch (reason) {
      setError(toApiError(reason));
    }
  };

  const jobs = page?.jobs ?? [];
  const ids = [...selected];

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Failed writes</h2>
        <div class="toolbar-right">
          <button
            type="button"
            class="button"
            data-testid="retry-selected"
            disabled={busy || ids.length === 0}
            onClick={() => void act(() => retryJobs({ ids, all: false }), 'Retried')}
          >
            Retry selected
          </button>
          <button
            type="button"
            class="button"
            data-testid="skip-selected"
            disabled={busy || ids.length === 0}
            onClick={() => void act(() => skipJobs(ids), 'Skipped')}
          >
            Skip selected
          </button>
          <button
            type="button"
            class="button button-primary"
            data-testid="retry-all"
            disabled={busy || jobs.length === 0}
            onClick={() => void act(() => retryJobs({ ids: [], all: true }), 'Retried')}
          >
            Retry all
          </button>
          <button type="button" class="button" disabled={busy} onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </div>
      {error && (
        <p class="form-error" role="alert">
          <strong>That did not work.</strong> {asSentence(error.message)}
        </p>
      )}
      {notice && (
        <p class="form-success" role="status" data-testid="failed-notice">
          {notice}
        </p>
      )}
      {page === null && !error && <p class="muted">Loading…</p>}
      {page !== null && jobs.length === 0 && (
        <p class="muted" data-testid="failed-none">
          No failed writes. Everything Tillbridge planned reached the stores, or waits in the queue.
        </p>
      )}
      {jobs.length > 0 && (
        <section class="card" aria-label="Failed writes">
          <p class="muted">
            {page?.total} failed {page?.total === 1 ? 'write' : 'writes'}. Fix the cause in the store, then Retry; or Skip
            what should not be sent.
          </p>
          <ul class="failed-list" data-testid="failed-list">
            {jobs.map((job) => (
              <li key={job.id} class="failed-item" data-testid="failed-job" data-job-id={job.id} data-state={job.state}>
                <label class="failed-pick">
                  <input
                    type="checkbox"
                    checked={selected.has(job.id)}
                    onChange={() => toggle(job.id)}
                    aria-label={`Select job ${job.id}`}
                  />
                </label>
                <div class="failed-body">
                  <p class="failed-sentence">{job.sentence}</p>
                  <p class="muted">
                    Job {job.id} · {job.attempts} {job.attempts === 1 ? 'attempt' : 'attempts'} ·{' '}
                    {nextAttemptLabel(job, (t) => formatTimestamp(t, zone))}
                    {job.run_id !== null && <> · run #{job.run_id}</>}
                  </p>
                  <div class="form-actions">
                    <button
                      type="button"
                      class="button button-small"
                      disabled={busy}
                      onClick={() => void act(() => retryJobs({ ids: [job.id], all: false }), 'Retried')}
                    >
                      Retry
                    </button>
                    <button
                      type="button"
                      class="button button-small button-quiet"
                      disabled={busy}
                      onClick={() => void act(() => skipJobs([job.id]), 'Skipped')}
                    >
                      Skip
                    </button>
                    <button
                      type="button"
                      class="button button-small button-quiet"
                      data-testid="show-timeline"
                      onClick={() => void showTimeline(job.id)}
                    >
                      Timeline
                    </button>
                  </div>
                  {timeline?.job.id === job.id && <AttemptList attempts={timeline.attempts} testId="job-timeline" />}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
