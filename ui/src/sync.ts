// The Sync screen without the DOM: labels for fields, owners and directions, progress and ETA
// wording, and the one-line summary of a finished run.

import type {
  ChangeCount,
  Direction,
  FlaggedPriceChange,
  StoreWait,
  Owner,
  Ownership,
  SyncField,
  SyncPhase,
  SyncProgress,
  SyncSummary,
} from './api';
import { formatCount } from './mapping';

/** How often the progress is asked for while a run goes. */
export const PROGRESS_POLL_MS = 500;

/** Changes per page of the diff table. */
export const CHANGES_PAGE_SIZE = 100;

/** The fields in the order a product page shows them. */
export const SYNC_FIELDS: readonly SyncField[] = ['title', 'price', 'sale_price', 'barcode', 'sku'];

export const FIELD_LABELS: Record<SyncField, string> = {
  title: 'Title',
  price: 'Price',
  sale_price: 'Sale price',
  barcode: 'Barcode',
  sku: 'SKU',
};

export const OWNERS: readonly Owner[] = ['bigcommerce', 'shopify', 'none'];

export const OWNER_LABELS: Record<Owner, string> = {
  bigcommerce: 'BigCommerce',
  shopify: 'Shopify',
  none: "Don't sync",
};

export const DIRECTION_LABELS: Record<Direction, string> = {
  bigcommerce_to_shopify: 'BigCommerce → Shopify',
  shopify_to_bigcommerce: 'Shopify → BigCommerce',
};

export const PHASE_LABELS: Record<SyncPhase, string> = {
  idle: 'Idle',
  reading_bigcommerce: 'Reading BigCommerce',
  reading_shopify: 'Reading Shopify',
  matching: 'Matching variants',
  planning: 'Planning changes',
  writing: 'Writing changes',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Every field owned by BigCommerce: what the backend uses until the operator changes it. */
export const DEFAULT_OWNERSHIP: Ownership = {
  title: 'bigcommerce',
  price: 'bigcommerce',
  sale_price: 'bigcommerce',
  barcode: 'bigcommerce',
  sku: 'bigcommerce',
};

export function fieldLabel(field: SyncField): string {
  return FIELD_LABELS[field] ?? field;
}

export function directionLabel(direction: Direction): string {
  return DIRECTION_LABELS[direction] ?? direction;
}

export function phaseLabel(phase: SyncPhase): string {
  return PHASE_LABELS[phase] ?? phase;
}

/** `Price, BigCommerce → Shopify`: one kind of change in the diff summary. */
export function kindLabel(kind: Pick<ChangeCount, 'field' | 'direction'>): string {
  return `${fieldLabel(kind.field)}, ${directionLabel(kind.direction)}`;
}

/** The ownership with one field's owner changed. */
export function withOwner(ownership: Ownership, field: SyncField, owner: Owner): Ownership {
  return { ...ownership, [field]: owner };
}

/**
 * A rough, calm estimate ("about 2 min") rather than a ticking count of seconds, since the
 * backend's estimate moves with the stores' rate limits. Null when there is no estimate.
 */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    return null;
  }
  if (seconds < 10) {
    return 'a few seconds';
  }
  if (seconds < 60) {
    return `about ${Math.round(seconds / 10) * 10} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `about ${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours} h` : `about ${hours} h ${rest} min`;
}

/** Whole percent done, or null while the total is unknown (the bar then shows activity only). */
export function progressPercent(progress: Pick<SyncProgress, 'done' | 'total'>): number | null {
  if (!(progress.total > 0)) {
    return null;
  }
  const ratio = progress.done / progress.total;
  return Math.min(100, Math.max(0, Math.floor(ratio * 100)));
}

const STORE_NAMES: Record<StoreWait['system'], string> = { bigcommerce: 'BigCommerce', shopify: 'Shopify' };

/**
 * What a run waits on, in words: `Shopify not answering, retrying in 8 s` or `BigCommerce rate
 * limit, resumes in 25 s`. Shown instead of the estimate, which cannot know when a store recovers.
 */
export function waitingSentence(wait: StoreWait): string {
  const store = STORE_NAMES[wait.system] ?? wait.system;
  const seconds = Math.max(1, wait.seconds_left);
  return wait.cause === 'not_answering'
    ? `${store} not answering, retrying in ${seconds} s`
    : `${store} rate limit, resumes in ${seconds} s`;
}

/**
 * `Reading Shopify: 1,200 of 5,000 variants · about 2 min left`, the line under the progress bar.
 * Every count names its unit: variants while reading, writes while writing (a write carries one
 * item's changes, so the planned changes are given beside them).
 */
export function progressLine(progress: SyncProgress): string {
  const parts = [phaseLabel(progress.phase)];
  const writing = progress.phase === 'writing';
  if (progress.total > 0) {
    const unit = writing ? 'writes' : progress.phase.startsWith('reading') ? 'variants' : '';
    parts[0] += `: ${formatCount(progress.done)} of ${formatCount(progress.total)}${unit ? ` ${unit}` : ''}`;
  }
  if (writing && progress.changes !== null && progress.changes !== undefined) {
    parts.push(plural(progress.changes, 'change'));
  }
  if (progress.running && progress.waiting) {
    parts.push(waitingSentence(progress.waiting));
    return parts.join(' · ');
  }
  const eta = progress.running ? formatEta(progress.eta_s) : null;
  if (eta !== null) {
    parts.push(`${eta} left`);
  }
  return parts.join(' · ');
}

/** `TB-1 price 136.31 → 8.31 (−94 %)`: one flagged price move. */
export function flaggedLine(change: FlaggedPriceChange): string {
  const sign = change.pct < 0 ? '−' : '+';
  const what = change.field === 'sale_price' ? 'sale price' : 'price';
  const item = change.sku.trim() === '' ? change.title : change.sku;
  return `${item} ${what} ${change.old ?? '(none)'} → ${change.new ?? '(none)'} (${sign}${Math.abs(change.pct)} %)`;
}

/** `Preview` or `Full sync` (or `Delta sync`): what kind of run this is. */
export function runName(progress: Pick<SyncProgress, 'mode' | 'dry_run'>): string {
  if (progress.dry_run) {
    return 'Preview';
  }
  return progress.mode === 'delta' ? 'Delta sync' : 'Full sync';
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** One line for a finished run: what a preview would change, or what a sync wrote. */
export function summaryText(summary: SyncSummary, dryRun: boolean): string {
  if (dryRun) {
    return summary.changes === 0
      ? 'Preview: both stores already agree; nothing would change.'
      : `Preview: ${plural(summary.changes, 'change')} would be made. Nothing was written.`;
  }
  if (summary.changes === 0) {
    return 'Sync finished: both stores already agreed; nothing was written.';
  }
  // Changes are fields; writes are what went to the stores, one per item and field group.
  const writes = summary.written + summary.failed + summary.superseded + summary.queued;
  const failed = summary.failed > 0 ? `, ${formatCount(summary.failed)} failed` : '';
  return `Sync finished: ${plural(summary.changes, 'change')} in ${plural(writes, 'write')}: ${formatCount(summary.written)} written${failed}.`;
}

/** A changed value as shown in the diff; an absent or blank value is named, not left invisible. */
export function changeValue(value: string | null): { text: string; empty: boolean } {
  if (value === null || value.trim() === '') {
    return { text: '(empty)', empty: true };
  }
  return { text: value, empty: false };
}

/**
 * Whether the Full sync / Preview buttons may start a run: not while one runs, not while a start
 * is pending, and not before the first progress answer says whether one runs.
 */
export function canStart(progress: SyncProgress | null, starting: boolean): boolean {
  return !starting && progress !== null && !progress.running;
}
