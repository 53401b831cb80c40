import { useEffect, useState } from 'preact/hooks';
import type {
  ApiError,
  BigCommerceVariant,
  MappingFilter,
  MappingRow,
  MappingUndo,
  ShopifyVariant,
  System,
  VariantPair,
} from '../api';
import {
  confirmAllMatched,
  confirmPairs,
  exportMappingCsv,
  ignoreVariant,
  linkVariants,
  toApiError,
  undoMapping,
  unignoreVariant,
  unlinkVariants,
} from '../api';
import { finishExport } from '../download';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import type { SideChoice } from '../mapping';
import {
  EMPTY_SELECTION,
  SEARCH_DEBOUNCE_MS,
  confirmablePairs,
  csvFileName,
  filterTabs,
  formatCount,
  listingName,
  ignoreId,
  initialQuery,
  linkRequest,
  pageRange,
  toggleSelection,
  undoOf,
  variantName,
  withFilter,
  withOffset,
  withPageSize,
  withSearch,
  withSort,
} from '../mapping';
import { hashFor } from '../nav';
import { useDebounced } from '../useDebounced';
import { useMapping } from '../useMapping';
import { useOwnership } from '../useOwnership';
import { MappingFilters } from './MappingFilters';
import { MappingPageControls } from './MappingPageControls';
import { MappingTable } from './MappingTable';
import { MatchingRulesCard } from './MatchingRulesCard';
import { Pager } from './Pager';
import { SelectionBar } from './SelectionBar';

/** The outcome of the last action, shown above the table until the next one, with its undo when it has one. */
type Outcome = { ok: true; text: string; undo: MappingUndo | null } | { ok: false; error: ApiError };

export function MappingScreen() {
  const zone = useTimeZone();
  const [query, setQuery] = useState(() => initialQuery(window.location.hash));
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText, SEARCH_DEBOUNCE_MS);
  const [state, reload] = useMapping(query, (offset) => setQuery((q) => withOffset(q, offset)));
  const [selection, setSelection] = useState(EMPTY_SELECTION);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [revision, setRevision] = useState(0);
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [{ ownership }] = useOwnership();

  useEffect(() => setQuery((q) => withSearch(q, search)), [search]);

  const page = state.page;
  const rows = page?.rows ?? [];
  const tabs = filterTabs(page?.counts ?? null, query.class);
  const range = pageRange(state.shown?.offset ?? 0, rows.length, page?.total ?? 0, query.limit);
  const confirmable = confirmablePairs(rows);
  const firstLoad = state.loading && page === null && state.error === null;

  /** Runs one action; on success says what happened and reloads the page and the counts. */
  const act = async (what: string, action: () => Promise<unknown>, after?: () => void, undoable = true) => {
    if (busy) {
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      const change = await action();
      after?.();
      setOutcome({ ok: true, text: what, undo: undoable ? undoOf(change) : null });
    } catch (reason) {
      setOutcome({ ok: false, error: toApiError(reason) });
    } finally {
      setBusy(false);
      setRevision((r) => r + 1);
      reload();
    }
  };

  const onUndo = (undo: MappingUndo, what: string) =>
    void act(`Undone: ${what.replace(/\.$/, '')}.`, () => undoMapping(undo), undefined, false);

  const onLink = () => {
    const req = linkRequest(selection);
    if (req === null || selection.bigcommerce === null || selection.shopify === null) {
      return;
    }
    const bc = variantName(selection.bigcommerce);
    const what = `Linked BigCommerce ${bc} with Shopify ${listingName(selection.shopify)}.`;
    void act(what, () => linkVariants(req), () => setSelection(EMPTY_SELECTION));
  };

  const onUnlink = (pair: VariantPair) => void act('Unlinked the pair.', () => unlinkVariants(pair));

  const onKeep = (row: MappingRow, pair: VariantPair) => {
    const bc = row.bigcommerce ? variantName(row.bigcommerce) : String(pair.bigcommerce_variant_id);
    const sh = row.shopify ? listingName(row.shopify) : pair.shopify_variant_id;
    void act(`Kept BigCommerce ${bc} with Shopify ${sh}.`, () => linkVariants(pair));
  };

  const onLinkCandidate = (bc: BigCommerceVariant, sh: ShopifyVariant) => {
    const pair = { bigcommerce_variant_id: bc.variant_id, shopify_variant_id: sh.variant_id };
    void act(`Linked BigCommerce ${variantName(bc)} with Shopify ${listingName(sh)}.`, () => linkVariants(pair));
  };

  const confirmAllCount = page?.confirmable ?? 0;
  const onConfirmAll = () => {
    setConfirmingAll(false);
    const n = confirmAllCount;
    const what = `Confirmed all ${formatCount(n)} matched ${n === 1 ? 'pair' : 'pairs'}.`;
    void act(what, () => confirmAllMatched({ q: query.q.trim(), expected: n }));
  };

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
    void act(what, () => unignoreVariant({ system, variant_id: variantId }), undefined, false);
  };

  const onToggle = (choice: SideChoice) => setSelection((s) => toggleSelection(s, choice));

  const onFilter = (filter: MappingFilter) => setQuery((q) => withFilter(q, filter));

  const onExport = async () => {
    setExporting(true);
    setOutcome(null);
    try {
      const result = await exportMappingCsv({ class: query.class, q: query.q });
      const notice = finishExport(result, csvFileName(`mapping-${query.class}`, new Date(), zone));
      if (notice !== null) {
        setOutcome({ ok: true, text: notice, undo: null });
      }
    } catch (reason) {
      setOutcome({ ok: false, error: toApiError(reason) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <div class="screen screen-wide">
      <div class="toolbar">
        <h2 class="screen-title">Mapping</h2>
        <div class="toolbar-right">
          {page?.snapshot_at && (
            <span class="muted" data-testid="snapshot-at">
              Catalogs read {formatTimestamp(page.snapshot_at, zone, { abbreviation: true })}
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
        {confirmingAll ? (
          <span class="confirm-all-ask" role="group" aria-label="Confirm all matched" data-testid="confirm-all-ask">
            Confirm all {formatCount(confirmAllCount)} matched {confirmAllCount === 1 ? 'pair' : 'pairs'}
            {query.q.trim() !== '' ? ' the search finds' : ''}? Re-matching will never change them.
            <button
              type="button"
              class="button button-small button-primary"
              data-testid="confirm-all-yes"
              disabled={busy}
              onClick={onConfirmAll}
            >
              Confirm {formatCount(confirmAllCount)}
            </button>
            <button type="button" class="button button-small" onClick={() => setConfirmingAll(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button
            type="button"
            class="button"
            data-testid="confirm-all"
            disabled={busy || confirmAllCount === 0}
            onClick={() => setConfirmingAll(true)}
            title="Keep every automatic match the search finds, on every page"
          >
            Confirm all {formatCount(confirmAllCount)} matched
          </button>
        )}
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
        <p class="form-success mapping-notice" role="status" data-testid="mapping-notice">
          <span>{outcome.text}</span>
          {outcome.undo !== null && (
            <button
              type="button"
              class="button button-small"
              data-testid="mapping-undo"
              disabled={busy}
              onClick={() => outcome.undo && onUndo(outcome.undo, outcome.text)}
            >
              Undo
            </button>
          )}
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
                ownership={ownership}
                revision={revision}
                onToggle={onToggle}
                onUnlink={onUnlink}
                onConfirm={onConfirm}
                onKeep={onKeep}
                onIgnore={onIgnore}
                onUnignore={onUnignore}
                onLinkCandidate={onLinkCandidate}
              />
            )}
            <MappingPageControls
              offset={state.shown?.offset ?? 0}
              limit={query.limit}
              total={page.total}
              sort={query.sort ?? 'attention'}
              busy={state.loading}
              onOffset={(offset) => setQuery((q) => withOffset(q, offset))}
              onLimit={(limit) => setQuery((q) => withPageSize(q, limit))}
              onSort={(sort) => setQuery((q) => withSort(q, sort))}
            />
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
