// Pure helpers of the stock screens: the words for owners and rules, what each conflict choice
// leads to, a typed count checked before it is sent, and a stock cycle's report as a sentence.
// The engine checks everything again; these only let the operator see a problem before clicking.

import type {
  DriftAction,
  DriftReason,
  DriftReport,
  LocationRules,
  SameWindow,
  StockConflict,
  StockOwner,
  StockSyncReport,
} from './api';

export const OWNERS: readonly { value: StockOwner; label: string }[] = [
  { value: 'both', label: 'Both (changes merged)' },
  { value: 'bigcommerce', label: 'BigCommerce' },
  { value: 'shopify', label: 'Shopify' },
];

export const SAME_WINDOW: readonly { value: SameWindow; label: string }[] = [
  { value: 'merge', label: 'Merge both changes' },
  { value: 'owner-wins', label: "The owner's change wins" },
  { value: 'manual', label: 'Ask me (conflict)' },
];

export function ownerLabel(owner: StockOwner): string {
  return OWNERS.find((o) => o.value === owner)?.label ?? owner;
}

export function sameWindowLabel(rule: SameWindow): string {
  return SAME_WINDOW.find((o) => o.value === rule)?.label ?? rule;
}

export type Count = { ok: true; value: number } | { ok: false; problem: string };

/** A stock count typed by a person: a whole number of units, 0 or more. */
export function parseCount(text: string): Count {
  const t = text.trim();
  if (t === '') {
    return { ok: false, problem: 'Type the number of units on the shelf.' };
  }
  if (!/^-?\d+(\.\d+)?$/.test(t)) {
    return { ok: false, problem: `"${t}" is not a number of units.` };
  }
  const n = Number(t);
  if (!Number.isInteger(n)) {
    return { ok: false, problem: `${t} is not a whole number of units.` };
  }
  if (n < 0) {
    return { ok: false, problem: 'A stock count cannot be negative; type 0 or more.' };
  }
  if (!Number.isSafeInteger(n)) {
    return { ok: false, problem: `${t} is more units than a store can hold.` };
  }
  return { ok: true, value: n };
}

/** A number typed for a buffer: empty means none. */
export function parseOptionalCount(text: string): Count | { ok: true; value: null } {
  return text.trim() === '' ? { ok: true, value: null } : parseCount(text);
}

/** Why a pair's rules cannot apply, or null; the same rules the engine enforces. */
export function rulesProblem(rules: LocationRules): string | null {
  if (rules.owner === 'both' && rules.same_window === 'owner-wins') {
    return "The owner's change cannot win when both stores own the stock: choose an owner, or merge, or ask me.";
  }
  if (rules.owner === 'both' && (rules.hold_back !== 0 || rules.cap !== null)) {
    return 'A buffer holds units back from the store that does not own the stock: choose an owner first.';
  }
  if (rules.hold_back < 0 || (rules.cap !== null && rules.cap < 0)) {
    return 'Buffers are 0 or more units.';
  }
  return null;
}

export interface ConflictChoice {
  keep: 'bigcommerce' | 'shopify' | 'sum';
  label: string;
  stock: number;
}

/** The one-click choices of a conflict, each with the stock it leads to. */
export function conflictChoices(c: StockConflict): ConflictChoice[] {
  return [
    { keep: 'bigcommerce', label: 'Keep BigCommerce', stock: c.keep_bigcommerce },
    { keep: 'shopify', label: 'Keep Shopify', stock: c.keep_shopify },
    { keep: 'sum', label: 'Add both changes', stock: c.sum },
  ];
}

/** "-2" for a drop of two, "+3" for a rise of three, "0" for none. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : `${n}`;
}

/** What a stock cycle did, in one sentence. */
export function reportSentence(r: StockSyncReport): string {
  const c = r.counts;
  const parts = [`${c.cells} items at paired locations`, `${c.in_step} already in step`];
  if (r.dry_run) {
    parts.push(`${c.writes} ${c.writes === 1 ? 'write' : 'writes'} would go out`);
  } else if (c.writes === 0) {
    parts.push('nothing to write');
  } else {
    parts.push(`${r.written} of ${c.writes} ${c.writes === 1 ? 'write' : 'writes'} done`);
    if (r.failed > 0) {
      parts.push(`${r.failed} failed (see Failed)`);
    }
  }
  if (c.conflicts > 0) {
    parts.push(`${c.conflicts} ${c.conflicts === 1 ? 'conflict waits' : 'conflicts wait'} for you`);
  }
  if (c.held > 0) {
    parts.push(`${c.held} waiting for an earlier write`);
  }
  if (c.oversold > 0) {
    parts.push(`${c.oversold} oversold`);
  }
  if (r.validation_id !== null) {
    parts.push(`${r.drifted} drifted from their base (see Drift)`);
  }
  return `${parts.join(', ')}.`;
}

const REASONS: Record<DriftReason, string> = {
  failed_write: 'A write failed',
  negative: 'Below zero',
  outside_change: 'Changed outside Tillbridge',
};

const IN_A_SENTENCE: Record<DriftReason, string> = {
  failed_write: 'after a failed write',
  negative: 'below zero',
  outside_change: 'changed outside Tillbridge',
};

const ACTIONS: Record<DriftAction, string> = {
  carried: 'Carried to the other store',
  overwritten: "Overwritten: the owner's stock stands",
  conflict: 'Waits for you in Conflicts',
  absorbed: 'Nothing to write: already shown',
};

export function driftReasonLabel(reason: DriftReason): string {
  return REASONS[reason];
}

export function driftActionLabel(action: DriftAction): string {
  return ACTIONS[action];
}

/** What the shown validation found, in one sentence. */
export function driftSentence(report: DriftReport): string {
  const v = report.shown;
  if (v === null) {
    return 'No validation has run yet. One runs every 6 hours; "Validate now" runs one.';
  }
  if (v.drifted === 0) {
    return `All ${v.cells} items were in step with their base.`;
  }
  const counts = new Map<DriftReason, number>();
  for (const r of report.rows) {
    counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  }
  const why = [...counts.entries()].map(([reason, n]) => `${n} ${IN_A_SENTENCE[reason]}`).join(', ');
  return `${v.drifted} of ${v.cells} items had drifted: ${why}.`;
}
