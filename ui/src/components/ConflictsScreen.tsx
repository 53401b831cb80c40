import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiError, StockConflict } from '../api';
import { resolveStockConflict, stockConflicts, stockSync, toApiError } from '../api';
import { formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { conflictChoices, parseCount, reportSentence, signed } from '../stock';
import { Outcome } from './Outcome';

/** One conflict: what each store did, a button per choice, and a box for a counted quantity. */
function ConflictCard(props: { conflict: StockConflict; busy: boolean; decide: (c: StockConflict, keep: string) => void }) {
  const zone = useTimeZone();
  const { conflict: c, busy, decide } = props;
  const [count, setCount] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const bcDelta = c.seen_bigcommerce - c.base_bigcommerce;
  const shopDelta = c.seen_shopify - c.base_shopify;
  const setTyped = () => {
    const parsed = parseCount(count);
    if (!parsed.ok) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(null);
    decide(c, String(parsed.value));
  };
  return (
    <li class="conflict card" data-testid="conflict" data-conflict-id={c.id}>
      <div class="conflict-head">
        <strong class="mono">{c.label || '(no SKU)'}</strong> at {c.location}
        <span class="muted"> · raised {formatTimestamp(c.raised_at, zone, { abbreviation: true })}</span>
      </div>
      <p data-testid="conflict-story">
        {c.reason === 'in_doubt'
          ? `A write to BigCommerce may or may not have landed; BigCommerce now shows ${c.seen_bigcommerce}. Count the shelf, or choose.`
          : `Both stores changed since the last cycle: BigCommerce ${c.base_bigcommerce} → ${c.seen_bigcommerce} (${signed(bcDelta)}), Shopify ${c.base_shopify} → ${c.seen_shopify} (${signed(shopDelta)}).`}
      </p>
      <div class="form-actions">
        {conflictChoices(c).map((choice) => (
          <button
            key={choice.keep}
            type="button"
            class="button"
            disabled={busy}
            data-testid={`conflict-${choice.keep}`}
            onClick={() => decide(c, choice.keep)}
          >
            {choice.label} → {choice.stock}
          </button>
        ))}
        <label class="field field-inline">
          <span>Counted</span>
          <input
            class="input input-narrow"
            inputMode="numeric"
            data-testid="conflict-count"
            value={count}
            disabled={busy}
            onInput={(e) => setCount((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="button" class="button" disabled={busy} data-testid="conflict-set" onClick={setTyped}>
          Set count
        </button>
      </div>
      {problem && (
        <p class="field-problem" role="alert" data-testid="conflict-problem">
          {problem}
        </p>
      )}
    </li>
  );
}

/** Stock conflicts: both stores changed an item in one cycle under the "ask me" rule. */
export function ConflictsScreen() {
  const [conflicts, setConflicts] = useState<StockConflict[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setConflicts(await stockConflicts(false));
      setError(null);
    } catch (reason) {
      setError(toApiError(reason));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const decide = (c: StockConflict, keep: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    void (async () => {
      try {
        const settled = await resolveStockConflict(c.id, keep);
        // The held writes go out now rather than at the next poll.
        const report = await stockSync({ dry_run: false, full: false, pair_id: c.pair_id, bigcommerce_variant_id: c.bigcommerce_variant_id });
        setNotice(`${settled.label} at ${settled.location} is set to ${settled.stock ?? '?'}. ${reportSentence(report)}`);
      } catch (reason) {
        setError(toApiError(reason));
      } finally {
        setBusy(false);
        await load();
      }
    })();
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Conflicts</h2>
        <div class="toolbar-right">
          <button type="button" class="button" disabled={busy} onClick={() => void load()}>
            Refresh
          </button>
        </div>
      </div>
      <Outcome id="conflicts" error={error} notice={notice} />
      {conflicts === null && !error && <p class="muted">Loading…</p>}
      {conflicts !== null && conflicts.length === 0 && (
        <p class="muted" data-testid="conflicts-none">
          No conflict waits for you. Conflicts appear when both stores change an item in one cycle at a location whose
          rule is "Ask me".
        </p>
      )}
      {conflicts !== null && conflicts.length > 0 && (
        <ul class="conflict-list" data-testid="conflict-list">
          {conflicts.map((c) => (
            <ConflictCard key={c.id} conflict={c} busy={busy} decide={decide} />
          ))}
        </ul>
      )}
    </div>
  );
}
