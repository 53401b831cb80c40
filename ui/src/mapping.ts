// The Mapping screen without the DOM: filter tabs and their counts, paging, which actions a row
// offers, and how the operator's selection becomes a link request.

import { dayIn } from './format';
import type {
  BigCommerceVariant,
  MappingChange,
  MappingClass,
  MappingCounts,
  MappingFilter,
  MappingQuery,
  MappingRow,
  MappingSort,
  MatchKey,
  Ownership,
  ShopifyVariant,
  System,
  VariantPair,
} from './api';

/** Rows per page: enough to scan, small enough that 100,000 rows never load at once. */
export const PAGE_SIZE = 100;

/** The page sizes offered; the backend serves at most 500 rows a page. */
export const PAGE_SIZES: readonly number[] = [25, 50, 100, 200, 500];

export const SORTS: readonly { id: MappingSort; label: string }[] = [
  { id: 'attention', label: 'Needs a decision first' },
  { id: 'sku', label: 'SKU' },
  { id: 'title', label: 'Title' },
];

/** How long typing must pause before the search is sent. */
export const SEARCH_DEBOUNCE_MS = 250;

export interface FilterInfo {
  id: MappingFilter;
  label: string;
}

/** The tabs in the order the operator works through them: what needs a decision comes first. */
export const FILTERS: readonly FilterInfo[] = [
  { id: 'all', label: 'All' },
  { id: 'unmatched', label: 'Unmatched' },
  { id: 'conflict', label: 'Conflict' },
  { id: 'ambiguous', label: 'Ambiguous' },
  { id: 'matched', label: 'Matched' },
  { id: 'ignored', label: 'Ignored' },
];

export const CLASS_LABELS: Record<MappingClass, string> = {
  matched: 'Matched',
  ambiguous: 'Ambiguous',
  conflict: 'Conflict',
  unmatched: 'Unmatched',
  ignored: 'Ignored',
};

/** The badge tone for a class: settled rows look calm, rows needing a decision stand out. */
export const CLASS_TONES: Record<MappingClass, 'ok' | 'warn' | 'fail' | 'muted'> = {
  matched: 'ok',
  ambiguous: 'warn',
  conflict: 'fail',
  unmatched: 'warn',
  ignored: 'muted',
};

export const KEY_LABELS: Record<MatchKey, string> = {
  sku: 'SKU',
  normalized_sku: 'Normalized SKU',
  gtin: 'GTIN',
};

export function classLabel(cls: MappingClass): string {
  return CLASS_LABELS[cls] ?? cls;
}

export function keyLabel(key: MatchKey | null): string | null {
  return key === null ? null : (KEY_LABELS[key] ?? key);
}

/**
 * A flag as the table shows it. The backend writes flags as sentences, which are shown as they are
 * (they quote SKUs and barcodes, whose dashes matter); a bare `snake_case` code is turned into words.
 */
export function flagLabel(flag: string): string {
  const text = flag.trim();
  return /^[a-z0-9]+(_[a-z0-9]+)+$/.test(text) ? text.replace(/_/g, ' ') : text;
}

/** `1234567` → `1,234,567`, the same on every machine so tests and screenshots agree. */
export function formatCount(n: number): string {
  return Math.trunc(n).toLocaleString('en-US');
}

/** How many rows a tab holds; `all` is every class together. Null while the counts are unknown. */
export function countFor(filter: MappingFilter, counts: MappingCounts | null): number | null {
  if (counts === null) {
    return null;
  }
  if (filter === 'all') {
    return (
      counts.matched + counts.ambiguous + counts.conflict + counts.unmatched + counts.ignored
    );
  }
  return counts[filter];
}

export interface FilterTab extends FilterInfo {
  count: number | null;
  /** The count as shown (`1,204`); null while counts load. */
  countText: string | null;
  /** What the tab says: `Unmatched 1,204`, or just the label while counts load. */
  text: string;
  active: boolean;
}

export function filterTabs(counts: MappingCounts | null, current: MappingFilter): FilterTab[] {
  return FILTERS.map((f) => {
    const count = countFor(f.id, counts);
    const countText = count === null ? null : formatCount(count);
    return {
      ...f,
      count,
      countText,
      text: countText === null ? f.label : `${f.label} ${countText}`,
      active: f.id === current,
    };
  });
}

export interface PageRange {
  /** `rows 101–200 of 1,234`, or `no rows`. */
  text: string;
  hasPrev: boolean;
  hasNext: boolean;
  prevOffset: number;
  nextOffset: number;
}

/** Where the page that starts at `offset` and shows `shown` rows sits among `total`. */
export function pageRange(offset: number, shown: number, total: number, pageSize = PAGE_SIZE): PageRange {
  const prevOffset = Math.max(0, offset - pageSize);
  const nextOffset = offset + pageSize;
  const text =
    shown === 0 || total === 0
      ? 'no rows'
      : `rows ${formatCount(offset + 1)}–${formatCount(offset + shown)} of ${formatCount(total)}`;
  return { text, hasPrev: offset > 0, hasNext: nextOffset < total, prevOffset, nextOffset };
}

/** How many pages `total` rows fill; at least 1, so "page 1 of 1" reads right on an empty list. */
export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The 1-based page that starts at `offset`. */
export function pageNumber(offset: number, pageSize = PAGE_SIZE): number {
  return Math.floor(offset / pageSize) + 1;
}

/** The offset of page `page` (1-based) as typed, kept within the pages there are; null when it is not a number. */
export function offsetOfPage(page: string, total: number, pageSize = PAGE_SIZE): number | null {
  const n = Number(page.trim());
  if (page.trim() === '' || !Number.isFinite(n)) {
    return null;
  }
  const within = Math.min(pageCount(total, pageSize), Math.max(1, Math.trunc(n)));
  return (within - 1) * pageSize;
}

/** A new page size starts where the first row of the current page lands, so the operator keeps their place. */
export function withPageSize(query: MappingQuery, limit: number): MappingQuery {
  return { ...query, limit, offset: Math.floor(query.offset / limit) * limit };
}

export function withSort(query: MappingQuery, sort: MappingSort): MappingQuery {
  return { ...query, sort, offset: 0 };
}

/**
 * The start of the last page when `offset` has run past `total` (an action emptied the last
 * page), otherwise `offset` unchanged.
 */
export function clampOffset(offset: number, total: number, pageSize = PAGE_SIZE): number {
  if (offset < total || offset === 0) {
    return offset;
  }
  return total === 0 ? 0 : Math.floor((total - 1) / pageSize) * pageSize;
}

/**
 * The first page, on the tab the address names (`#/mapping?class=conflict`, as the home screen's
 * counts link), else every record.
 */
export function initialQuery(hash = ''): MappingQuery {
  const asked = new URLSearchParams(hash.split('?')[1] ?? '').get('class');
  const tab = FILTERS.find((f) => f.id === asked)?.id ?? 'all';
  return { class: tab, q: '', offset: 0, limit: PAGE_SIZE };
}

/** Another tab starts from its first page: the old offset means nothing in another list. */
export function withFilter(query: MappingQuery, filter: MappingFilter): MappingQuery {
  return { ...query, class: filter, offset: 0 };
}

/** A new search starts from the first page; the same search (typing a space) keeps the page. */
export function withSearch(query: MappingQuery, q: string): MappingQuery {
  return q.trim() === query.q.trim() ? query : { ...query, q, offset: 0 };
}

export function withOffset(query: MappingQuery, offset: number): MappingQuery {
  return { ...query, offset: Math.max(0, offset) };
}

/** A row with one side only: a variant waiting for its partner. */
export function isSingleton(row: MappingRow): boolean {
  return (row.bigcommerce === null) !== (row.shopify === null);
}

export function pairOf(row: MappingRow): VariantPair | null {
  if (row.bigcommerce === null || row.shopify === null) {
    return null;
  }
  return { bigcommerce_variant_id: row.bigcommerce.variant_id, shopify_variant_id: row.shopify.variant_id };
}

export interface RowActions {
  /** The side the operator may select to link by hand; only singletons that are not ignored have one. */
  select: System | null;
  /** Set for a conflict: the pair to link as it is. */
  keep: VariantPair | null;
  /** Set for an ambiguous row: the id whose group lists every candidate together. */
  group: number | null;
  unlink: VariantPair | null;
  /** Set for an automatic match that no decision holds yet. */
  confirm: VariantPair | null;
  /** The sides that may be ignored: every side present, unless the row is ignored already. */
  ignore: System[];
  /** The sides whose ignore may be taken back: the side present on an ignored row. */
  unignore: System[];
}

export function rowActions(row: MappingRow): RowActions {
  const pair = pairOf(row);
  const sides: System[] = [];
  if (row.bigcommerce !== null) {
    sides.push('bigcommerce');
  }
  if (row.shopify !== null) {
    sides.push('shopify');
  }
  return {
    // An ignored variant cannot be linked until the ignore is taken back.
    select: isSingleton(row) && row.class !== 'ignored' ? (sides[0] ?? null) : null,
    // A conflict is kept by linking the pair as it is shown: the owner's codes then win on the next sync.
    keep: pair !== null && row.class === 'conflict' ? pair : null,
    group: row.class === 'ambiguous' ? row.id : null,
    unlink: pair,
    confirm: pair !== null && row.class === 'matched' && !row.decided ? pair : null,
    ignore: row.class === 'ignored' ? [] : sides,
    unignore: row.class === 'ignored' ? sides : [],
  };
}

/** The pairs "Confirm visible" sends: matched pairs on the page that no decision holds yet. */
export function confirmablePairs(rows: readonly MappingRow[]): VariantPair[] {
  return rows.flatMap((row) => {
    const confirm = rowActions(row).confirm;
    return confirm === null ? [] : [confirm];
  });
}

/** The ignore (and un-ignore) request's id: BigCommerce ids travel as decimal strings, Shopify's as they are. */
export function ignoreId(row: MappingRow, system: System): string | null {
  if (system === 'bigcommerce') {
    return row.bigcommerce === null ? null : String(row.bigcommerce.variant_id);
  }
  return row.shopify === null ? null : row.shopify.variant_id;
}

/**
 * At most one variant per store, kept across pages, tabs and searches, so the operator can find
 * the BigCommerce variant in one search and its Shopify partner in another.
 */
export interface Selection {
  bigcommerce: BigCommerceVariant | null;
  shopify: ShopifyVariant | null;
}

export const EMPTY_SELECTION: Selection = { bigcommerce: null, shopify: null };

export type SideChoice =
  | { system: 'bigcommerce'; variant: BigCommerceVariant }
  | { system: 'shopify'; variant: ShopifyVariant };

export function isSelected(selection: Selection, system: System, variantId: number | string): boolean {
  const chosen = selection[system];
  return chosen !== null && chosen.variant_id === variantId;
}

/** Selecting the chosen variant again clears it; another variant of the same store replaces it. */
export function toggleSelection(selection: Selection, pick: SideChoice): Selection {
  if (isSelected(selection, pick.system, pick.variant.variant_id)) {
    return { ...selection, [pick.system]: null };
  }
  return pick.system === 'bigcommerce'
    ? { ...selection, bigcommerce: pick.variant }
    : { ...selection, shopify: pick.variant };
}

/** The link request once one variant of each store is selected; null until then. */
export function linkRequest(selection: Selection): VariantPair | null {
  if (selection.bigcommerce === null || selection.shopify === null) {
    return null;
  }
  return {
    bigcommerce_variant_id: selection.bigcommerce.variant_id,
    shopify_variant_id: selection.shopify.variant_id,
  };
}

/** The numeric end of a Shopify GID (`gid://shopify/Product/42` → `42`); other ids as they are. */
export function shortId(id: string | number): string {
  const text = String(id);
  const slash = text.lastIndexOf('/');
  return slash >= 0 && text.startsWith('gid://') ? text.slice(slash + 1) : text;
}

/**
 * Which listing a variant is, beyond its SKU (which an ambiguous group shares): the product's
 * title, the product id and the variant id.
 */
export function listingName(variant: SideChoice['variant']): string {
  const title = variant.title.trim() || '(no title)';
  return `${title} · product ${shortId(variant.product_id)} · variant ${shortId(variant.variant_id)}`;
}

/**
 * A SKU or barcode with what a person cannot see made visible: a tab as ⇥, a space at either end
 * as ␣. Two SKUs that differ only there look different on screen too.
 */
export function visibleWhitespace(raw: string): string {
  const inner = raw.replace(/^ +| +$/g, '');
  if (inner === '') {
    return '␣'.repeat(raw.length);
  }
  const leading = raw.match(/^ */)?.[0].length ?? 0;
  const trailing = raw.match(/ *$/)?.[0].length ?? 0;
  return '␣'.repeat(leading) + inner.replace(/\t/g, '⇥') + '␣'.repeat(trailing);
}

export type SyncedCode = 'barcode' | 'sku';

const CODE_LABELS: Record<SyncedCode, string> = { barcode: 'barcode', sku: 'SKU' };

/**
 * What keeping a conflicting pair will do to the codes the two sides disagree on, under the
 * current ownership: which store's value wins and is written to the other. One sentence per code
 * that differs; a field neither store owns is left as each store has it.
 */
export function winnersOnKeep(row: MappingRow, ownership: Ownership): string[] {
  if (row.bigcommerce === null || row.shopify === null) {
    return [];
  }
  const out: string[] = [];
  for (const code of ['barcode', 'sku'] as const) {
    const bc = row.bigcommerce[code];
    const sh = row.shopify[code];
    if (bc.trim() === '' || sh.trim() === '' || bc === sh) {
      continue;
    }
    const label = CODE_LABELS[code];
    const owner = ownership[code];
    if (owner === 'bigcommerce') {
      out.push(`BigCommerce's ${label} “${visibleWhitespace(bc)}” wins and replaces Shopify's “${visibleWhitespace(sh)}”.`);
    } else if (owner === 'shopify') {
      out.push(`Shopify's ${label} “${visibleWhitespace(sh)}” wins and replaces BigCommerce's “${visibleWhitespace(bc)}”.`);
    } else {
      out.push(`Neither store owns the ${label}: both keep their own (“${visibleWhitespace(bc)}”, “${visibleWhitespace(sh)}”).`);
    }
  }
  if (out.length === 0) {
    out.push('Barcode and SKU agree; only what is not synced differs, so both keep it as it is.');
  }
  return out;
}

/** An action's undo, when it changed a decision; null when there is nothing to take back. */
export function undoOf(change: unknown): MappingChange['undo'] | null {
  if (typeof change !== 'object' || change === null || !('undo' in change)) {
    return null;
  }
  const undo = (change as MappingChange).undo;
  return undo.added.length > 0 || undo.removed.length > 0 ? undo : null;
}

/** What to call a variant in the selection bar: its SKU, else its barcode, else its title. */
export function variantName(variant: SideChoice['variant']): string {
  const sku = variant.sku.trim();
  if (sku !== '') {
    return sku;
  }
  const barcode = variant.barcode.trim();
  if (barcode !== '') {
    return barcode;
  }
  const title = variant.title.trim();
  return title === '' ? `variant ${variant.variant_id}` : title;
}

/** What the selection bar says about the selection and what is missing before a link. */
export function selectionHint(selection: Selection): string {
  const bc = selection.bigcommerce !== null;
  const sh = selection.shopify !== null;
  if (bc && sh) {
    return 'Ready to link.';
  }
  if (bc) {
    return 'Now select the Shopify variant it is.';
  }
  if (sh) {
    return 'Now select the BigCommerce variant it is.';
  }
  return 'Select one BigCommerce and one Shopify variant (rows with one side) to link them by hand.';
}

/** `tillbridge-mapping-unmatched-2026-05-01.csv`, dated on the store's calendar (`zone`). */
export function csvFileName(what: string, now: Date, zone: string): string {
  const day = dayIn(now, zone);
  const safe = what.replace(/[^a-z0-9-]+/gi, '-').replace(/^-+|-+$/g, '');
  return `tillbridge-${safe}-${day}.csv`;
}
