import { useEffect, useState } from 'preact/hooks';
import type { ApiError, MappingFilter, MappingRow, System, VariantPair } from '../api';
import {
  confirmPairs,
  exportMappingCsv,
  ignoreVariant,
  linkVariants,
  toApiError,
  unignoreVariant,
  unlinkVariants,
} from '../api';
import { finishExport } from '../download';
import { asSentence, formatTimestamp } from '../format';
import type { SideChoice } from '../mapping';
import {
  EMPTY_SELECTION,
  SEARCH_DEBOUNCE_MS,
  confirmablePairs,
  csvFileName,
  filterTabs,
  ignoreId,
  initialQuery,
  linkRequest,
  pageRange,
  toggleSelection,
  variantName,
  withFilter,
  withOffset,
  withSearch,
} from '../mapping';
import { hashFor } from '../nav';
import { useDebounced } from '../useDebounced';
import { useMapping } from '../useMapping';
import { MappingFilters } from './MappingFilters';
import { MappingTable } from './MappingTable';
import { MatchingRulesCard } from './MatchingRulesCard';
import { Pager } from './Pager';
import { SelectionBar } from './SelectionBar';

/** The outcome of the last action, shown above the table until the next one. */
type Outcome = { ok: true; text: string } | { ok: false; error: ApiError };

export function MappingScreen() {
  const [query, setQuery] = useState(initialQuery);
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText, SEARCH_DEBOUNCE_MS);
  const [state, reload] = useMapping(query, (offset) => setQuery((q) => withOffset(q, offset)));
  const [selection, setSelection] = useState(EMPTY_SELECTION);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => setQuery((q) => withSearch(q, search)), [search]);

  const page = state.page;
  const rows = page?.rows ?? [];
  const tabs = filterTabs(page?.counts ?? null, query.class);
  const range = pageRange(state.shown?.offset ?? 0, rows.length, page?.total ?? 0, query.limit);
  const confirmable = confirmablePairs(rows);
  const firstLoad = state.loading && page === null && state.error === null;

  /** Runs one action; on success says what happened and reloads the page and the counts. */
  const act = async (what: string, action: () => Promise<unknown>, after?: () => void) => {
    if (busy) {
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      await action();
      after?.();
      setOutcome({ ok: true, text: what });
    } catch (reason) {
      setOutcome({ ok: false, error: toApiError(reason) });
    } finally {
      setBusy(false);
      reload();
    }
  };

  const onLink = () => {
    const req = linkRequest(selection);
    if (req === null || selection.bigcommerce === null || selection.shopify === null) {
      return;
    }
    const bc = variantName(selection.bigcommerce);
    const what = `Linked BigCommerce ${bc} with Shopify ${variantName(selection.shopify)}.`;
    void act(what, () => linkVariants(req), () => setSelection(EMPTY_SELECTION));
  };

  const onUnlink = (pair: VariantPair) => void act('Unlinked the pair.', () => unlinkVariants(pair));

  const onConfirm = (pair: VariantPair) => void act('Confirmed the match.', () => confirmPairs({ pairs: [pair] }));

  const onConfirmVisible = () => {
    const pairs = confirmable;
    const what = `Confirmed ${pairs.length} ${pairs.length === 1 ? 'match' : 'matches'}.`;
    void act(what, () => confirmPairs({ pairs }));
  };

  const onIgnore = (row: MappingRow, system: System) => {
    const variantId = ignoreId(row, system);
    if (variantId === null) {
      return;
    }
    const variant = system === 'bigcommerce' ? row.bigcommerce : row.shopify;
    const store = system === 'bigcommerce' ? 'BigCommerce' : 'Shopify';
    const what = `Ignored ${store} ${variant ? variantName(variant) : variantId}.`;
    // An ignored variant cannot be linked, so it leaves the selection too.
    const deselect = () =>
      setSelection((s) => (s[system]?.variant_id === variant?.variant_id ? { ...s, [system]: null } : s));
    void act(what, () => ignoreVariant({ system, variant_id: variantId }), deselect);
  };

  const onUnignore = (row: MappingRow, system: System) => {
    const variantId = ignoreId(row, system);
    if (variantId === null) {
      return;
    }
    const variant = system === 'bigcommerce' ? row.bigcommerce : row.shopify;
    const store = system === 'bigcommerce' ? 'BigCommerce' : 'Shopify';
    const what = `Un-ignored ${store} ${variant ? variantName(variant) : variantId}; it is matched again.`;
    void act(what, () => unignoreVariant({ system, variant_id: variantId }));
  };

  const onToggle = (choice: SideChoice) => setSelection((s) => toggleSelection(s, choice));

  const onFilter = (filter: MappingFilter) => setQuery((q) => withFilter(q, filter));

  const onExport = async () => {
    setExporting(true);
    setOutcome(null);
    try {
      const result = await exportMappingCsv({ class: query.class, q: query.q });
      const notice = finishExport(result, csvFileName(`mapping-${query.class}`, new Date()));
      if (notice !== null) {
        setOutcome({ ok: true, text: notice });
      }
    } catch (reason) {
      setOutcome({ ok: false, error: toApiError(reason) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Mapping</h2>
        <div class="toolbar-right">
          {page?.snapshot_at && (
            <span class="muted" data-testid="snapshot-at">
              Catalogs read {formatTimestamp(page.snapshot_at)}
            </span>
          )}
          <button type="button" class="button" onClick={reload} disabled={state.loading}>
            {state.loading ? 'Loading…' : 'Reload'}
          </button>
          <button
            type="button"
            class="button"
            data-testid="mapping-export"
            onClick={() => void onExport()}
            disabled={exporting || page === null}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </div>
      <p class="muted intro">
        Which BigCommerce variant is which Shopify variant. Tillbridge pairs them by SKU, then by barcode; review
        what it could not settle, link what belongs together and ignore what should never sync. Links and
        confirmations are kept, so a later match never undoes them.
      </p>

      <MatchingRulesCard onSaved={reload} />

      {page !== null && page.snapshot_at === null && (
        <p class="hint-box" data-testid="no-snapshot">
          Neither store has been read yet. Run a <a href={hashFor('sync')}>Preview</a> to read both catalogs;
          it writes nothing.
        </p>
      )}

      <MappingFilters tabs={tabs} onFilter={onFilter} />

      <div class="mapping-controls">
        <label class="search">
          <span class="visually-hidden">Search SKU, barcode or title</span>
          <input
            type="search"
            class="input"
            data-testid="mapping-search"
            placeholder="Search SKU, barcode or title"
            value={searchText}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setSearchText((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button
          type="button"
          class="button"
          data-testid="confirm-visible"
          disabled={busy || confirmable.length === 0}
          onClick={onConfirmVisible}
          title="Keep the automatic matches shown on this page, so re-matching never changes them"
        >
          Confirm visible{confirmable.length > 0 ? ` (${confirmable.length})` : ''}
        </button>
      </div>

      <SelectionBar
        selection={selection}
        busy={busy}
        onLink={onLink}
        onClear={() => setSelection(EMPTY_SELECTION)}
      />

      {outcome?.ok === true && (
        <p class="form-success" role="status" data-testid="mapping-notice">
          {outcome.text}
        </p>
      )}
      {outcome?.ok === false && (
        <p class="form-error" role="alert" data-testid="mapping-error">
          <strong>Not done.</strong> {asSentence(outcome.error.message)}
        </p>
      )}
      {state.error && (
        <p class="form-error" role="alert" data-testid="mapping-load-error">
          <strong>Could not load the mapping.</strong> {asSentence(state.error.message)}
        </p>
      )}

      {firstLoad ? (
        <div class="loading" data-testid="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading the mapping…
        </div>
      ) : (
        page !== null && (
          <section class="card card-flush" aria-label="Mapping rows" aria-busy={state.loading}>
            {rows.length === 0 ? (
              <p class="empty muted" data-testid="mapping-empty">
                {query.q.trim() !== '' ? 'No rows match the search.' : 'No rows in this list.'}
              </p>
            ) : (
              <MappingTable
                rows={rows}
                selection={selection}
                busy={busy}
                onToggle={onToggle}
                onUnlink={onUnlink}
                onConfirm={onConfirm}
                onIgnore={onIgnore}
                onUnignore={onUnignore}
              />
            )}
            <Pager
              range={range}
              testId="mapping-page"
              label="Mapping pages"
              busy={state.loading}
              onOffset={(offset) => setQuery((q) => withOffset(q, offset))}
            />
          </section>
        )
      )}
    </div>
  );
}
