import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiError, LocationPair, LocationRules, LocationsView, SameWindow, StockOwner, StockSyncReport } from '../api';
import { locations, mapLocations, setLocationRules, stockSync, toApiError, unmapLocations } from '../api';
import { SUGGESTED_BY_LABELS } from '../onboarding';
import { SAME_WINDOW, parseOptionalCount, reportSentence, rulesProblem } from '../stock';
import { Outcome } from './Outcome';
import { StockOwnerSelect } from './StockOwnerSelect';

/** The rules as typed: numbers stay text until they are checked. */
interface RulesDraft {
  owner: StockOwner;
  sameWindow: SameWindow;
  holdBack: string;
  cap: string;
}

/** The rules of a draft, or what is wrong with them. */
function checkedRules(d: RulesDraft): { rules: LocationRules } | { problem: string } {
  const hold = parseOptionalCount(d.holdBack);
  if (!hold.ok) {
    return { problem: `Held back: ${hold.problem}` };
  }
  const cap = parseOptionalCount(d.cap);
  if (!cap.ok) {
    return { problem: `Cap: ${cap.problem}` };
  }
  const rules: LocationRules = { owner: d.owner, same_window: d.sameWindow, hold_back: hold.value ?? 0, cap: cap.value };
  const problem = rulesProblem(rules);
  return problem ? { problem } : { rules };
}

function RulesFields(props: { draft: RulesDraft; onChange: (d: RulesDraft) => void; idPrefix: string; disabled: boolean }) {
  const { draft, onChange, idPrefix, disabled } = props;
  return (
    <>
      <label class="field">
        <span>Owner</span>
        <StockOwnerSelect
          testId={`${idPrefix}-owner`}
          value={draft.owner}
          disabled={disabled}
          onChange={(owner) => onChange({ ...draft, owner })}
        />
      </label>
      <label class="field">
        <span>Both changed in one cycle</span>
        <select
          class="input"
          data-testid={`${idPrefix}-same-window`}
          value={draft.sameWindow}
          disabled={disabled}
          onChange={(e) => onChange({ ...draft, sameWindow: (e.target as HTMLSelectElement).value as SameWindow })}
        >
          {SAME_WINDOW.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>Held back</span>
        <input
          class="input input-narrow"
          inputMode="numeric"
          data-testid={`${idPrefix}-hold-back`}
          value={draft.holdBack}
          disabled={disabled}
          onInput={(e) => onChange({ ...draft, holdBack: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label class="field">
        <span>Cap</span>
        <input
          class="input input-narrow"
          inputMode="numeric"
          placeholder="none"
          data-testid={`${idPrefix}-cap`}
          value={draft.cap}
          disabled={disabled}
          onInput={(e) => onChange({ ...draft, cap: (e.target as HTMLInputElement).value })}
        />
      </label>
    </>
  );
}

function draftOf(p: LocationPair): RulesDraft {
  return { owner: p.owner, sameWindow: p.same_window, holdBack: String(p.hold_back), cap: p.cap === null ? '' : String(p.cap) };
}

/** One pair, with its rules editable, a Resync and an Unmap. */
function PairRow(props: {
  pair: LocationPair;
  busy: boolean;
  run: (what: () => Promise<string>) => Promise<void>;
}) {
  const { pair, busy, run } = props;
  const [draft, setDraft] = useState<RulesDraft>(() => draftOf(pair));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(draftOf(pair)), [pair]);
  const save = () => {
    const checked = checkedRules(draft);
    if ('problem' in checked) {
      setProblem(checked.problem);
      return;
    }
    setProblem(null);
    void run(async () => {
      await setLocationRules({ id: pair.id, ...checked.rules });
      return `The rules of ${pair.name} are saved; they apply from the next stock cycle.`;
    });
  };
  return (
    <li class="pair" data-testid="location-pair" data-pair-id={pair.id}>
      <div class="pair-name">
        <strong>{pair.name}</strong>
        <span class="muted mono">
          BigCommerce {pair.bigcommerce_location_id} · {pair.shopify_location_id}
        </span>
      </div>
      <div class="form-fields form-fields-inline">
        <RulesFields draft={draft} onChange={setDraft} idPrefix={`pair-${pair.id}`} disabled={busy} />
      </div>
      {problem && (
        <p class="field-problem" role="alert" data-testid="pair-problem">
          {problem}
        </p>
      )}
      <div class="form-actions">
        <button type="button" class="button" disabled={busy} onClick={save} data-testid="pair-save">
          Save rules
        </button>
        <button
          type="button"
          class="button"
          disabled={busy}
          data-testid="pair-resync"
          onClick={() =>
            void run(async () => {
              const r = await stockSync({ dry_run: false, full: false, pair_id: pair.id, bigcommerce_variant_id: null });
              return `${pair.name}: ${reportSentence(r)}`;
            })
          }
        >
          Resync this location
        </button>
        <button
          type="button"
          class="button button-quiet"
          disabled={busy}
          data-testid="pair-unmap"
          onClick={() =>
            void run(async () => {
              await unmapLocations(pair.id);
              return `${pair.name} is no longer synced; neither store was changed.`;
            })
          }
        >
          Unmap
        </button>
      </div>
    </li>
  );
}

/** Which BigCommerce location is synced with which Shopify location, and under which rules. */
export function LocationsScreen() {
  const [view, setView] = useState<LocationsView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<StockSyncReport | null>(null);
  const [bc, setBc] = useState('');
  const [shop, setShop] = useState('');
  const [draft, setDraft] = useState<RulesDraft>({ owner: 'both', sameWindow: 'merge', holdBack: '0', cap: '' });
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await locations());
      setError(null);
    } catch (reason) {
      setError(toApiError(reason));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
      await load();
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  const paired = new Set(view?.pairs.flatMap((p) => [`bc:${p.bigcommerce_location_id}`, `sh:${p.shopify_location_id}`]) ?? []);
  const freeBc = view?.bigcommerce.filter((l) => !paired.has(`bc:${l.id}`)) ?? [];
  const freeShop = view?.shopify.filter((l) => !paired.has(`sh:${l.id}`)) ?? [];

  const add = () => {
    const checked = checkedRules(draft);
    if (bc === '' || shop === '') {
      setProblem('Choose a location on each store.');
      return;
    }
    if ('problem' in checked) {
      setProblem(checked.problem);
      return;
    }
    setProblem(null);
    void run(async () => {
      const pair = await mapLocations({ bigcommerce_location_id: Number(bc), shopify_location_id: shop, ...checked.rules });
      setBc('');
      setShop('');
      return `${pair.name} is paired. Its stock is aligned with the next stock cycle (Preview shows how).`;
    });
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Locations</h2>
        <div class="toolbar-right">
          <button
            type="button"
            class="button"
            disabled={busy || !view || view.pairs.length === 0}
            data-testid="stock-preview"
            onClick={() =>
              void run(async () => {
                const r = await stockSync({ dry_run: true, full: false, pair_id: null, bigcommerce_variant_id: null });
                setPreview(r);
                return `Preview, nothing written: ${reportSentence(r)}`;
              })
            }
          >
            Preview
          </button>
          <button
            type="button"
            class="button"
            disabled={busy || !view || view.pairs.length === 0}
            data-testid="stock-full"
            title="Reads every paired Shopify location whole, not only what changed since the last cycle"
            onClick={() =>
              void run(async () => {
                setPreview(null);
                const r = await stockSync({ dry_run: false, full: true, pair_id: null, bigcommerce_variant_id: null });
                return `Full check: ${reportSentence(r)}`;
              })
            }
          >
            Full check
          </button>
          <button
            type="button"
            class="button button-primary"
            disabled={busy || !view || view.pairs.length === 0}
            data-testid="stock-sync"
            onClick={() =>
              void run(async () => {
                setPreview(null);
                return reportSentence(await stockSync({ dry_run: false, full: false, pair_id: null, bigcommerce_variant_id: null }));
              })
            }
          >
            Sync stock now
          </button>
        </div>
      </div>
      <Outcome id="locations" error={error} notice={notice} />
      {view === null && !error && <p class="muted">Loading…</p>}
      {view !== null && (
        <section class="card" aria-label="Location pairs">
          <h3 class="card-title">Pairs</h3>
          {view.pairs.length === 0 && (
            <p class="muted" data-testid="locations-none">
              No location is paired yet. Pair a BigCommerce location with the Shopify location that sells from the same
              shelf; unpaired locations are left alone.
            </p>
          )}
          <ul class="pair-list">
            {view.pairs.map((p) => (
              <PairRow key={p.id} pair={p} busy={busy} run={run} />
            ))}
          </ul>
        </section>
      )}
      {view !== null && (
        <section class="card" aria-label="Pair two locations">
          <h3 class="card-title">Pair two locations</h3>
          {view.suggestions.length > 0 && (
            <ul class="plain-list" aria-label="Suggested pairs" data-testid="location-suggestions">
              {view.suggestions.map((s) => (
                <li key={`${s.bigcommerce_location_id}|${s.shopify_location_id}`}>
                  <button
                    type="button"
                    class="button button-small"
                    disabled={busy}
                    onClick={() => {
                      setBc(String(s.bigcommerce_location_id));
                      setShop(s.shopify_location_id);
                    }}
                  >
                    Use
                  </button>{' '}
                  {s.name} <span class="muted">(suggested: {SUGGESTED_BY_LABELS[s.by]})</span>
                </li>
              ))}
            </ul>
          )}
          <div class="form-fields form-fields-inline">
            <label class="field">
              <span>BigCommerce location</span>
              <select class="input" data-testid="new-bc" value={bc} disabled={busy} onChange={(e) => setBc((e.target as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {freeBc.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name} ({l.id})
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span>Shopify location</span>
              <select class="input" data-testid="new-shop" value={shop} disabled={busy} onChange={(e) => setShop((e.target as HTMLSelectElement).value)}>
                <option value="">Choose…</option>
                {freeShop.map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
            <RulesFields draft={draft} onChange={setDraft} idPrefix="new" disabled={busy} />
          </div>
          {problem && (
            <p class="field-problem" role="alert" data-testid="new-problem">
              {problem}
            </p>
          )}
          <div class="form-actions">
            <button type="button" class="button button-primary" disabled={busy} data-testid="new-pair" onClick={add}>
              Pair
            </button>
          </div>
        </section>
      )}
      {preview && preview.cells.length > 0 && (
        <section class="card" aria-label="Stock preview">
          <h3 class="card-title">What the next cycle would do</h3>
          <div class="table-wrap">
            <table class="table" data-testid="stock-preview-table">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Location</th>
                  <th scope="col" class="num">BigCommerce</th>
                  <th scope="col" class="num">Shopify</th>
                  <th scope="col">Writes and notes</th>
                </tr>
              </thead>
              <tbody>
                {preview.cells.slice(0, 200).map((c) => (
                  <tr key={`${c.pair_id}-${c.bigcommerce_variant_id}`}>
                    <td class="mono">{c.label || '(no SKU)'}</td>
                    <td>{c.location}</td>
                    <td class="num">{c.bigcommerce ?? '–'}</td>
                    <td class="num">{c.shopify ?? '–'}</td>
                    <td>{[...c.writes, ...c.notes].join('; ')}</td>
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
