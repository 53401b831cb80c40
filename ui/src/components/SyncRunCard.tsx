import { useState } from 'preact/hooks';
import type { FlaggedPriceChange, StartSyncRequest, SyncPreview, SyncProgress } from '../api';
import { PREVIEW_STALE, PRICE_CHANGES_UNCONFIRMED, SYNC_RUNNING, cancelSync } from '../api';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { formatCount } from '../mapping';
import { canStart, flaggedLine, progressLine, progressPercent, runName, summaryText } from '../sync';
import type { SyncState } from '../useSync';

interface Props {
  state: SyncState;
  /** The latest run's diff: whether the preview is stale, and the price moves it flagged. */
  preview: SyncPreview | null;
  onStart: (req: StartSyncRequest) => void;
}

const PREVIEW: StartSyncRequest = { mode: 'full', dry_run: true, accept_price_changes: false };
const FULL_SYNC: StartSyncRequest = { mode: 'full', dry_run: false, accept_price_changes: false };
const FULL_SYNC_ACCEPTING: StartSyncRequest = { ...FULL_SYNC, accept_price_changes: true };
/** How many flagged moves the confirmation lists; the rest are counted. */
const FLAGGED_LISTED = 5;

const REFUSALS: Record<string, string> = {
  [SYNC_RUNNING]: 'A run is already going.',
  [PREVIEW_STALE]: 'Preview again first.',
  [PRICE_CHANGES_UNCONFIRMED]: 'Large price changes need your confirmation.',
};

/** Starts a preview or a full sync and shows how the current (or last) run is going. */
export function SyncRunCard({ state, preview, onStart }: Props) {
  const zone = useTimeZone();
  const { progress, starting, error, pollError } = state;
  const startable = canStart(progress, starting);
  const [confirming, setConfirming] = useState(false);
  // A stale preview's flags no longer hold; the backend refuses the Full sync with the reason.
  const flagged = preview && !preview.stale ? (preview.flagged ?? []) : [];
  const flaggedTotal = preview && !preview.stale ? (preview.flagged_total ?? flagged.length) : 0;
  const onFullSync = () => {
    if (flaggedTotal > 0) {
      setConfirming(true);
    } else {
      onStart(FULL_SYNC);
    }
  };
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
            onClick={() => {
              setConfirming(false);
              onStart(PREVIEW);
            }}
            title="Read both stores and list what a sync would change; nothing is written"
          >
            Preview
          </button>
          <button
            type="button"
            class="button button-primary"
            data-testid="sync-full"
            disabled={!startable || confirming}
            onClick={onFullSync}
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

      {preview?.stale && (
        <p class="form-error" role="status" data-testid="sync-preview-stale">
          <strong>The preview is out of date.</strong> {asSentence(preview.stale.what)} changed
          {preview.stale.changed_at ? ` ${formatTimestamp(preview.stale.changed_at, zone, { abbreviation: true })}` : ''}, after the preview was
          taken. Press Preview again and review it before Full sync.
        </p>
      )}
      {confirming && startable && (
        <PriceConfirmation
          flagged={flagged}
          total={flaggedTotal}
          thresholdPct={preview?.price_flag_pct ?? 50}
          onAccept={() => {
            setConfirming(false);
            onStart(FULL_SYNC_ACCEPTING);
          }}
          onCancel={() => setConfirming(false)}
        />
      )}
      {progress === null && !pollError && <p class="muted">Asking for the current run…</p>}
      {progress !== null && <RunStatus progress={progress} />}

      {error && (
        <p class="form-error" role="alert" data-testid="sync-start-error">
          <strong>{(error.code && REFUSALS[error.code]) || 'Not started.'}</strong>{' '}
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

interface ConfirmationProps {
  flagged: FlaggedPriceChange[];
  total: number;
  thresholdPct: number;
  onAccept: () => void;
  onCancel: () => void;
}

/** Asks before a Full sync writes the price moves the preview flagged, naming them. */
function PriceConfirmation({ flagged, total, thresholdPct, onAccept, onCancel }: ConfirmationProps) {
  const more = total - Math.min(flagged.length, FLAGGED_LISTED);
  return (
    <div class="confirm-panel" role="alertdialog" aria-label="Confirm large price changes" data-testid="sync-confirm-prices">
      <p>
        <strong>
          {formatCount(total)} price {total === 1 ? 'change moves' : 'changes move'} more than {thresholdPct} %.
        </strong>{' '}
        A wrong link or owner can reprice items by mistake; check them before the Full sync writes them.
      </p>
      <ul class="flagged-list" data-testid="sync-flagged">
        {flagged.slice(0, FLAGGED_LISTED).map((change) => (
          <li key={change.entity_key} class="mono" data-testid="sync-flagged-change">
            {flaggedLine(change)}
          </li>
        ))}
      </ul>
      {more > 0 && <p class="muted">and {formatCount(more)} more in the changes below.</p>}
      <div class="form-actions">
        <button type="button" class="button" data-testid="sync-confirm-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="button button-primary" data-testid="sync-confirm-accept" onClick={onAccept}>
          Write these prices and sync
        </button>
      </div>
    </div>
  );
}

function RunStatus({ progress }: { progress: SyncProgress }) {
  const zone = useTimeZone();
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
        {progress.started_at && <span class="muted">started {formatTimestamp(progress.started_at, zone, { abbreviation: true })}</span>}
        {progress.finished_at && <span class="muted">finished {formatTimestamp(progress.finished_at, zone, { abbreviation: true })}</span>}
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
      <p class="run-line" data-testid="sync-progress-line" aria-live="polite" data-waiting={progress.waiting ? 'true' : undefined}>
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
          <strong>Waiting for your approval.</strong> {asSentence(progress.approval_reason)} Review the changes (Preview),
          then press Full sync.
        </p>
      )}
    </div>
  );
}
