import { useEffect, useState } from 'preact/hooks';
import type { ApiError, DriftReport } from '../api';
import { exportDriftCsv, stockDrift, stockSync, toApiError } from '../api';
import { finishExport } from '../download';
import { formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { driftActionLabel, driftReasonLabel, driftSentence, signed } from '../stock';
import { Outcome } from './Outcome';

/**
 * The drift report: what each validation (a full check, every 6 hours or on demand) found out of
 * step, per item and location, with the likely reason and what the owner rules did about it.
 */
export function DriftCard() {
  const zone = useTimeZone();
  const [report, setReport] = useState<DriftReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await work();
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    void act(async () => setReport(await stockDrift()));
  }, []);

  const validate = () =>
    act(async () => {
      await stockSync({ dry_run: false, full: true, pair_id: null, bigcommerce_variant_id: null });
      setReport(await stockDrift());
    });

  const show = (id: number) => act(async () => setReport(await stockDrift(id)));

  const exportCsv = () =>
    act(async () => {
      const id = report?.shown?.id ?? null;
      const result = await exportDriftCsv(id);
      setNotice(finishExport(result, `tillbridge-stock-drift-${id ?? 'latest'}.csv`) ?? 'Exported.');
    });

  return (
    <section class="card" aria-label="Drift" data-testid="drift-card">
      <div class="toolbar">
        <h3 class="card-title">Drift found by validations</h3>
        <div class="toolbar-right">
          {report !== null && report.validations.length > 1 && (
            <label class="field field-inline">
              <span>Validation</span>
              <select
                class="input"
                data-testid="drift-validation"
                value={report.shown?.id ?? ''}
                disabled={busy}
                onChange={(e) => void show(Number((e.target as HTMLSelectElement).value))}
              >
                {report.validations.map((v) => (
                  <option key={v.id} value={v.id}>
                    {formatTimestamp(v.checked_at, zone)}: {v.drifted} drifted
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" class="button" data-testid="drift-validate" disabled={busy} onClick={() => void validate()}>
            Validate now
          </button>
          <button
            type="button"
            class="button"
            data-testid="drift-export"
            disabled={busy || report?.shown == null}
            onClick={() => void exportCsv()}
          >
            Export CSV
          </button>
        </div>
      </div>
      <Outcome id="drift" error={error} notice={notice} />
      {report !== null && (
        <p class="muted" data-testid="drift-summary">
          {report.shown !== null && `${formatTimestamp(report.shown.checked_at, zone, { abbreviation: true })}: `}
          {driftSentence(report)}
        </p>
      )}
      {report !== null && report.rows.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="drift-table">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Location</th>
                <th scope="col" class="num">BigCommerce (base → seen)</th>
                <th scope="col" class="num">Shopify (base → seen)</th>
                <th scope="col">Likely reason</th>
                <th scope="col">What was done</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={`${r.pair_id}-${r.bigcommerce_variant_id}`} data-testid="drift-row">
                  <td class="mono">{r.label || '(no SKU)'}</td>
                  <td>{r.location}</td>
                  <td class="num">
                    {r.base_bigcommerce} → {r.seen_bigcommerce} ({signed(r.seen_bigcommerce - r.base_bigcommerce)})
                  </td>
                  <td class="num">
                    {r.base_shopify} → {r.seen_shopify} ({signed(r.seen_shopify - r.base_shopify)})
                  </td>
                  <td data-testid="drift-reason" title={r.likely}>
                    {driftReasonLabel(r.reason)}
                  </td>
                  <td>{driftActionLabel(r.action)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
