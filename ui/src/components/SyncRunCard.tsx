import type { StartSyncRequest, SyncProgress } from '../api';
import { SYNC_RUNNING, cancelSync } from '../api';
import { asSentence, formatTimestamp } from '../format';
import { canStart, progressLine, progressPercent, runName, summaryText } from '../sync';
import type { SyncState } from '../useSync';

interface Props {
  state: SyncState;
  onStart: (req: StartSyncRequest) => void;
}

const PREVIEW: StartSyncRequest = { mode: 'full', dry_run: true };
const FULL_SYNC: StartSyncRequest = { mode: 'full', dry_run: false };

/** Starts a preview or a full sync and shows how the current (or last) run is going. */
export function SyncRunCard({ state, onStart }: Props) {
  const { progress, starting, error, pollError } = state;
  const startable = canStart(progress, starting);
  return (
    <section class="card" aria-label="Sync run" data-testid="sync-run">
      <div class="card-head">
        <h2 class="card-title">Run</h2>
        <div class="form-actions">
          {progress?.running && (
            <button
              type="button"
              class="button button-quiet"
              data-testid="sync-cancel"
              onClick={() => void cancelSync().catch(() => {})}
              title="Stop between requests: writes already sent stay, queued ones are cancelled"
            >
              Cancel
            </button>
          )}
          <button
            type="button"
            class="button"
            data-testid="sync-preview"
            disabled={!startable}
            onClick={() => onStart(PREVIEW)}
            title="Read both stores and list what a sync would change; nothing is written"
          >
            Preview
          </button>
          <button
            type="button"
            class="button button-primary"
            data-testid="sync-full"
            disabled={!startable}
            onClick={() => onStart(FULL_SYNC)}
            title="Read both stores and write every change the field ownership calls for"
          >
            Full sync
          </button>
        </div>
      </div>
      <p class="muted card-note">
        Preview reads both catalogs, matches them and lists every change a sync would make, without writing.
        Full sync makes those changes.
      </p>

      {progress === null && !pollError && <p class="muted">Asking for the current run…</p>}
      {progress !== null && <RunStatus progress={progress} />}

      {error && (
        <p class="form-error" role="alert" data-testid="sync-start-error">
          <strong>{error.code === SYNC_RUNNING ? 'A run is already going.' : 'Not started.'}</strong>{' '}
          {asSentence(error.message)}
        </p>
      )}
      {pollError && (
        <p class="form-error" role="alert" data-testid="sync-poll-error">
          <strong>Could not ask for the progress.</strong> {asSentence(pollError.message)}
        </p>
      )}
    </section>
  );
}

function RunStatus({ progress }: { progress: SyncProgress }) {
  if (progress.phase === 'idle' && progress.run_id === null && !progress.running) {
    return (
      <p class="muted" data-testid="sync-never-run">
        No run yet.
      </p>
    );
  }
  const percent = progressPercent(progress);
  const finished =
    !progress.running && (progress.phase === 'done' || progress.phase === 'failed' || progress.phase === 'cancelled');
  return (
    <div
      class="run-status"
      data-testid="sync-status"
      data-run-id={progress.run_id ?? undefined}
      data-phase={progress.phase}
      data-running={String(progress.running)}
    >
      <div class="run-head">
        <strong>{runName(progress)}</strong>
        {progress.started_at && <span class="muted">started {formatTimestamp(progress.started_at)}</span>}
        {progress.finished_at && <span class="muted">finished {formatTimestamp(progress.finished_at)}</span>}
      </div>
      {progress.running && (
        <div
          class={percent === null ? 'progress progress-unknown' : 'progress'}
          role="progressbar"
          aria-label={`${runName(progress)} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
          data-testid="sync-progress"
        >
          <div class="progress-fill" style={{ width: percent === null ? undefined : `${percent}%` }} />
        </div>
      )}
      <p class="run-line" data-testid="sync-progress-line" aria-live="polite">
        {progressLine(progress)}
      </p>
      {progress.phase === 'failed' && progress.error && (
        <p class="form-error" role="alert" data-testid="sync-failed">
          <strong>The run failed.</strong> {asSentence(progress.error)}
        </p>
      )}
      {finished && progress.summary && (
        <p class={progress.summary.failed > 0 ? 'form-error' : 'form-success'} data-testid="sync-summary">
          {summaryText(progress.summary, progress.dry_run)}
          {progress.summary.failed > 0 && (
            <>
              {' '}
              <a href="#/failed" data-testid="sync-see-failed">
                See what failed and retry it
              </a>
            </>
          )}
        </p>
      )}
      {progress.approval_reason && (
        <p class="form-error" data-testid="sync-needs-approval">
          <strong>Waiting for your approval.</strong> {asSentence(progress.approval_reason)} Review the changes, then
          press Full sync.
        </p>
      )}
    </div>
  );
}
