// The matching rules editor without the DOM: the synonym tables as editable rows, and the checks
// a draft must pass before it is sent (every kept row has both sides, no alias twice).

import type { MappingCounts, MatchRules, SkuRules, SynonymMap } from './api';
import { formatCount } from './mapping';

export type SynonymTable = 'names' | 'values';
export type SynonymCell = 'alias' | 'canonical';
export type SkuRule = keyof SkuRules;

export const SYNONYM_TABLES: readonly SynonymTable[] = ['names', 'values'];

export const TABLE_LABELS: Record<SynonymTable, string> = {
  names: 'Option names',
  values: 'Option values',
};

/** What each table's cells hold, for placeholders and messages. */
export const TABLE_EXAMPLES: Record<SynonymTable, Record<SynonymCell, string>> = {
  names: { alias: 'colour', canonical: 'color' },
  values: { alias: 'xl', canonical: 'x-large' },
};

export const SKU_RULES: readonly { id: SkuRule; label: string; help: string }[] = [
  { id: 'trim', label: 'Ignore spaces at the start and end', help: '" AB-1 " matches "AB-1"' },
  { id: 'case_fold', label: 'Ignore upper and lower case', help: '"ab-1" matches "AB-1"' },
  { id: 'collapse_whitespace', label: 'Treat a run of spaces as one', help: '"AB  1" matches "AB 1"' },
];

export interface SynonymRow {
  /** Stable while the row is edited, so typing never moves focus to another row. */
  key: number;
  alias: string;
  canonical: string;
}

export interface RulesDraft {
  sku: SkuRules;
  names: SynonymRow[];
  values: SynonymRow[];
  /** The key the next added row gets. */
  nextKey: number;
}

/** A row that cannot be sent as it is, with the cell to point at. */
export interface RowProblem {
  table: SynonymTable;
  key: number;
  cell: SynonymCell;
  message: string;
}

/** The map as rows, in the map's order (the backend sends its tables sorted by alias). */
export function rowsFromMap(map: SynonymMap, firstKey = 0): SynonymRow[] {
  return Object.entries(map).map(([alias, canonical], i) => ({ key: firstKey + i, alias, canonical }));
}

export function draftFromRules(rules: MatchRules): RulesDraft {
  const names = rowsFromMap(rules.synonyms.names, 0);
  const values = rowsFromMap(rules.synonyms.values, names.length);
  return { sku: { ...rules.sku }, names, values, nextKey: names.length + values.length };
}

export function withSkuRule(draft: RulesDraft, rule: SkuRule, on: boolean): RulesDraft {
  return { ...draft, sku: { ...draft.sku, [rule]: on } };
}

/** Appends an empty row; answers the new draft and the new row's key (for focusing it). */
export function addRow(draft: RulesDraft, table: SynonymTable): [RulesDraft, number] {
  const key = draft.nextKey;
  const row: SynonymRow = { key, alias: '', canonical: '' };
  return [{ ...draft, [table]: [...draft[table], row], nextKey: key + 1 }, key];
}

export function removeRow(draft: RulesDraft, table: SynonymTable, key: number): RulesDraft {
  return { ...draft, [table]: draft[table].filter((r) => r.key !== key) };
}

export function editRow(
  draft: RulesDraft,
  table: SynonymTable,
  key: number,
  cell: SynonymCell,
  text: string,
): RulesDraft {
  return { ...draft, [table]: draft[table].map((r) => (r.key === key ? { ...r, [cell]: text } : r)) };
}

function isBlank(row: SynonymRow): boolean {
  return row.alias.trim() === '' && row.canonical.trim() === '';
}

/**
 * The table as the map the backend takes: both sides trimmed, rows left wholly empty dropped
 * (an added row nobody filled in). A row with one side empty, or an alias already used by an
 * earlier row (compared case-insensitively, as the backend compares them), is a problem instead.
 */
export function mapFromRows(table: SynonymTable, rows: readonly SynonymRow[]): { map: SynonymMap; problems: RowProblem[] } {
  const map: SynonymMap = {};
  const problems: RowProblem[] = [];
  const firstRowOf = new Map<string, number>();
  const label = TABLE_LABELS[table];
  rows.forEach((row, i) => {
    if (isBlank(row)) {
      return;
    }
    const place = `${label}, row ${i + 1}`;
    const alias = row.alias.trim();
    const canonical = row.canonical.trim();
    if (alias === '') {
      problems.push({ table, key: row.key, cell: 'alias', message: `${place}: fill in the alias, or remove the row.` });
      return;
    }
    if (canonical === '') {
      problems.push({
        table,
        key: row.key,
        cell: 'canonical',
        message: `${place}: fill in what “${alias}” means, or remove the row.`,
      });
      return;
    }
    const folded = alias.toLowerCase();
    const earlier = firstRowOf.get(folded);
    if (earlier !== undefined) {
      problems.push({
        table,
        key: row.key,
        cell: 'alias',
        message: `${place}: “${alias}” is already on row ${earlier + 1}; keep one of them.`,
      });
      return;
    }
    firstRowOf.set(folded, i);
    map[alias] = canonical;
  });
  return { map, problems };
}

export type DraftCheck = { rules: MatchRules; problems: [] } | { rules: null; problems: RowProblem[] };

/** The rules to send, or every problem that keeps the draft from being sent. */
export function rulesFromDraft(draft: RulesDraft): DraftCheck {
  const names = mapFromRows('names', draft.names);
  const values = mapFromRows('values', draft.values);
  const problems = [...names.problems, ...values.problems];
  if (problems.length > 0) {
    return { rules: null, problems };
  }
  return { rules: { sku: { ...draft.sku }, synonyms: { names: names.map, values: values.map } }, problems: [] };
}

function comparableTable(rows: readonly SynonymRow[]): string[] {
  return rows
    .filter((r) => !isBlank(r))
    .map((r) => `${r.alias.trim()}\u0000${r.canonical.trim()}`)
    .sort();
}

/** True when saving the draft would change what the backend holds (an added empty row does not). */
export function isDirty(draft: RulesDraft, saved: MatchRules): boolean {
  const before = draftFromRules(saved);
  return (
    draft.sku.trim !== before.sku.trim ||
    draft.sku.case_fold !== before.sku.case_fold ||
    draft.sku.collapse_whitespace !== before.sku.collapse_whitespace ||
    comparableTable(draft.names).join('\u0001') !== comparableTable(before.names).join('\u0001') ||
    comparableTable(draft.values).join('\u0001') !== comparableTable(before.values).join('\u0001')
  );
}

/** The problem for one cell, if any, for marking the input. */
export function problemAt(
  problems: readonly RowProblem[],
  table: SynonymTable,
  key: number,
  cell: SynonymCell,
): RowProblem | undefined {
  return problems.find((p) => p.table === table && p.key === key && p.cell === cell);
}

/** `120 matched, 3 ambiguous, 1 conflict, 17 unmatched, 0 ignored`: the counts after a re-match. */
export function countsSummary(counts: MappingCounts): string {
  const conflicts = counts.conflict === 1 ? 'conflict' : 'conflicts';
  return (
    `${formatCount(counts.matched)} matched, ${formatCount(counts.ambiguous)} ambiguous, ` +
    `${formatCount(counts.conflict)} ${conflicts}, ${formatCount(counts.unmatched)} unmatched, ` +
    `${formatCount(counts.ignored)} ignored`
  );
}
