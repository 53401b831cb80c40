import { describe, expect, it } from 'vitest';
import type { DriftReport, StockConflict, StockSyncReport } from './api';
import { conflictChoices, driftSentence, parseCount, reportSentence, rulesProblem, signed } from './stock';

describe('parseCount', () => {
  it('accepts a whole number of units, spaces around it included', () => {
    expect(parseCount(' 12 '), 'a counted shelf is sent as a number').toEqual({ ok: true, value: 12 });
    expect(parseCount('0'), 'an empty shelf is a count too').toEqual({ ok: true, value: 0 });
  });

  it('refuses what is not a count, saying why', () => {
    const problem = (t: string) => {
      const c = parseCount(t);
      return c.ok ? '' : c.problem;
    };
    expect(problem('-1'), 'a negative count would tell a store to sell what is not there').toContain('negative');
    expect(problem('2.5'), 'half a unit cannot be sold').toContain('whole number');
    expect(problem('lots'), 'words are not counts').toContain('not a number');
    expect(problem(''), 'an empty box asks for a count').toContain('Type');
  });
});

describe('rulesProblem', () => {
  it('explains the rules the engine refuses', () => {
    const base = { owner: 'both', same_window: 'merge', hold_back: 0, cap: null } as const;
    expect(rulesProblem(base), 'merging both stores is the default and always applies').toBeNull();
    expect(rulesProblem({ ...base, same_window: 'owner-wins' }), 'no owner, nothing can win').toContain('choose an owner');
    expect(rulesProblem({ ...base, hold_back: 2 }), 'a buffer needs an owner to hold back from').toContain('buffer');
    expect(
      rulesProblem({ owner: 'bigcommerce', same_window: 'owner-wins', hold_back: 2, cap: 5 }),
      'with an owner, owner-wins and buffers apply',
    ).toBeNull();
  });
});

describe('conflictChoices', () => {
  it('names each choice with the stock it leads to', () => {
    const conflict = { keep_bigcommerce: 4, keep_shopify: 3, sum: 2 } as StockConflict;
    expect(
      conflictChoices(conflict).map((c) => `${c.label} → ${c.stock}`),
      'a person sees the result before clicking',
    ).toEqual(['Keep BigCommerce → 4', 'Keep Shopify → 3', 'Add both changes → 2']);
    expect(signed(-2), 'a drop shows its sign').toBe('-2');
    expect(signed(3), 'so does a rise').toBe('+3');
  });
});

describe('reportSentence', () => {
  it('says what a cycle did, and what waits for a person', () => {
    const report: StockSyncReport = {
      run_id: 1,
      dry_run: false,
      counts: { cells: 120, in_step: 117, writes: 2, conflicts: 1, held: 0, first_alignments: 0, oversold: 0 },
      cells: [],
      writes_by_store: [],
      bigcommerce_read: 'read whole: asked for',
      validation_id: null,
      drifted: 0,
      written: 2,
      failed: 0,
      superseded: 0,
    };
    expect(reportSentence(report), 'counts in plain words').toBe(
      '120 items at paired locations, 117 already in step, 2 of 2 writes done, 1 conflict waits for you.',
    );
    expect(reportSentence({ ...report, dry_run: true }), 'a preview writes nothing').toContain('2 writes would go out');
    expect(
      reportSentence({ ...report, written: 0, counts: { ...report.counts, writes: 0 } }),
      'a cycle with nothing to do says so, not "0 of 0"',
    ).toContain('nothing to write');
  });
});

describe('driftSentence', () => {
  const validation = { id: 3, checked_at: '2026-12-06T06:00:00Z', cells: 120, drifted: 2 };
  const row = {
    pair_id: 1,
    location: 'Downtown',
    label: 'TB-1',
    bigcommerce_variant_id: 11,
    shopify_item_id: 'gid://shopify/InventoryItem/1',
    base_bigcommerce: 5,
    base_shopify: 5,
    seen_bigcommerce: 8,
    seen_shopify: 5,
    likely: '',
    action: 'carried' as const,
  };

  it('counts the drifted items by their likely reason', () => {
    const report: DriftReport = {
      validations: [validation],
      shown: validation,
      rows: [
        { ...row, reason: 'outside_change' },
        { ...row, bigcommerce_variant_id: 12, reason: 'negative' },
      ],
    };
    expect(driftSentence(report), 'each reason is counted apart').toBe(
      '2 of 120 items had drifted: 1 changed outside Tillbridge, 1 below zero.',
    );
  });

  it('says when nothing drifted and when no validation ran', () => {
    const quiet = { ...validation, drifted: 0 };
    expect(driftSentence({ validations: [quiet], shown: quiet, rows: [] })).toBe('All 120 items were in step with their base.');
    expect(driftSentence({ validations: [], shown: null, rows: [] }), 'the first visit explains what runs it').toContain(
      'No validation has run yet',
    );
  });
});
