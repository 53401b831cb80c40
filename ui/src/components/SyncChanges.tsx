import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { exportSyncPreviewCsv, toApiError } from '../api';
import { finishExport } from '../download';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { csvFileName, formatCount, pageRange } from '../mapping';
import { CHANGES_PAGE_SIZE, changeValue, directionLabel, fieldLabel, kindLabel } from '../sync';
import type { SyncChangesState } from '../useSyncChanges';
import { changeResultLabel } from '../runtime';
import { Pager } from './Pager';

interface Props {
  state: SyncChangesState;
  onOffset: (offset: number) => void;
}

/** The diff of the latest run, dry or not: counts per kind and a paged list of the changes. */
export function SyncChanges({ state, onOffset }: Props) {
  const zone = useTimeZone();
  const { preview, loading, error } = state;
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportNotice, setExportNotice] = useState<string | null>(null);

  const onExport = async () => {
    setExporting(true);
    setExportError(null);
    setExportNotice(null);
    try {
      setExportNotice(finishExport(await exportSyncPreviewCsv(), csvFileName('changes', new Date(), zone)));
    } catch (reason) {
      setExportError(toApiError(reason));
    } finally {
      setExporting(false);
    }
  };

  const changes = preview?.changes ?? [];
  const range = pageRange(state.offset, changes.length, preview?.total ?? 0, CHANGES_PAGE_SIZE);

  return (
    <section class="card" aria-label="Changes of the latest run" data-testid="sync-changes" aria-busy={loading}>
      <div class="card-head">
        <h2 class="card-title">Changes</h2>
        <div class="form-actions">
          {preview?.taken_at && (
            <span class="muted">
              {preview.dry_run === false ? 'synced' : 'planned'} {formatTimestamp(preview.taken_at, zone, { abbreviation: true })}
            </span>
          )}
          <button
            type="button"
            class="button"
            data-testid="changes-export"
            disabled={exporting || !preview || preview.run_id === null}
            onClick={() => void onExport()}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </div>

      {error && (
        <p class="form-error" role="alert" data-testid="changes-error">
          <strong>Could not load the changes.</strong> {asSentence(error.message)}
        </p>
      )}
      {exportNotice && (
        <p class="form-success" role="status" data-testid="changes-export-notice">
          {exportNotice}
        </p>
      )}
      {exportError && (
        <p class="form-error" role="alert">
          <strong>Not exported.</strong> {asSentence(exportError.message)}
        </p>
      )}
      {preview === null && loading && <p class="muted">Loading…</p>}
      {preview !== null && preview.run_id === null && (
        <p class="muted" data-testid="changes-none">
          No run has finished yet. Press Preview to see what a sync would change.
        </p>
      )}
      {preview !== null && preview.run_id !== null && (
        <>
          {preview.by_kind.length === 0 ? (
            <p class="muted" data-testid="changes-none">
              The latest run found nothing to change.
            </p>
          ) : (
            <table class="table kinds-table" data-testid="changes-by-kind">
              <caption class="visually-hidden">Changes per field and direction</caption>
              <thead>
                <tr>
                  <th scope="col">Field and direction</th>
                  <th scope="col" class="num">
                    Changes
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.by_kind.map((kind) => (
                  <tr key={`${kind.field}:${kind.direction}`} data-field={kind.field} data-direction={kind.direction}>
                    <td>{kindLabel(kind)}</td>
                    <td class="num">{formatCount(kind.changes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {changes.length > 0 && (
            <div class="table-wrap">
              <table class="table changes-table" data-testid="changes-table">
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Old → new</th>
                    <th scope="col">Direction</th>
                    <th scope="col">SKU</th>
                    <th scope="col">Title</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.map((change, i) => {
                    const before = changeValue(change.old);
                    const after = changeValue(change.new);
                    return (
                      <tr key={`${state.offset + i}`} data-testid="change-row">
                        <td>{fieldLabel(change.field)}</td>
                        <td class="change-values">
                          <span class={before.empty ? 'change-old muted' : 'change-old'}>{before.text}</span>
                          <span aria-label="becomes"> → </span>
                          <span class={after.empty ? 'change-new muted' : 'change-new'}>{after.text}</span>
                        </td>
                        <td class="nowrap">{directionLabel(change.direction)}</td>
                        <td class="mono">{change.sku}</td>
                        <td>{change.title}</td>
                        <td class="nowrap" data-testid="change-result" data-result={change.result ?? ''}>
                          {changeResultLabel(change.result)}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {preview.total > 0 && (
            <Pager range={range} testId="changes-page" label="Change pages" busy={loading} onOffset={onOffset} />
          )}
        </>
      )}
    </section>
  );
}
