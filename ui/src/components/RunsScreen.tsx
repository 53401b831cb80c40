import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiError, RunsPage } from '../api';
import { runs, toApiError } from '../api';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { formatCount } from '../mapping';
import { formatDuration, runKindLabel, runResultLabel } from '../runtime';

/** How often the list refreshes while it is open, so a running sync's counts move. */
const REFRESH_MS = 5_000;

/** Every run, newest first: a Preview never hides the full sync before it. */
export function RunsScreen() {
  const zone = useTimeZone();
  const [page, setPage] = useState<RunsPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    runs(200)
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((reason: unknown) => setError(toApiError(reason)));
  }, []);

  useEffect(() => {
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Runs</h2>
        <div class="toolbar-right">
          <button type="button" class="button" onClick={load}>
            Refresh
          </button>
        </div>
      </div>
      {error && (
        <p class="form-error" role="alert">
          <strong>Could not load the runs.</strong> {asSentence(error.message)}
        </p>
      )}
      {page === null && !error && <p class="muted">Loading…</p>}
      {page !== null && page.runs.length === 0 && (
        <p class="muted" data-testid="runs-none">
          No sync has run yet. Open Sync and press Preview.
        </p>
      )}
      {page !== null && page.runs.length > 0 && (
        <section class="card" aria-label="Runs">
          <div class="table-wrap">
            <table class="table" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Started</th>
                  <th scope="col" class="num">
                    Duration
                  </th>
                  <th scope="col" class="num">
                    Changes
                  </th>
                  <th scope="col" class="num">
                    Written
                  </th>
                  <th scope="col" class="num">
                    Failed
                  </th>
                  <th scope="col" class="num">
                    Superseded
                  </th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {page.runs.map((run) => (
                  <tr key={run.id} data-testid="run-row" data-result={run.result} data-dry-run={String(run.dry_run)}>
                    <td class="mono">#{run.id}</td>
                    <td>
                      {run.capability === 'catalog' ? 'Products' : run.capability}: {runKindLabel(run)}
                    </td>
                    <td>{run.trigger}</td>
                    <td class="nowrap">{formatTimestamp(run.started_at, zone)}</td>
                    <td class="num">{formatDuration(run.duration_ms)}</td>
                    <td class="num">{formatCount(run.changes)}</td>
                    <td class="num">{formatCount(run.written)}</td>
                    <td class="num">{formatCount(run.failed)}</td>
                    <td class="num">{formatCount(run.superseded)}</td>
                    <td>{runResultLabel(run)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
