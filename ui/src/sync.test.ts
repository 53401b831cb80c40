import { describe, expect, it } from 'vitest';
import type { StoreWait, SyncProgress } from './api';
import {
  DEFAULT_OWNERSHIP,
  SYNC_FIELDS,
  canStart,
  changeValue,
  formatEta,
  kindLabel,
  progressLine,
  progressPercent,
  runName,
  summaryText,
  waitingSentence,
  withOwner,
} from './sync';

function progress(extra: Partial<SyncProgress>): SyncProgress {
  return {
    running: true,
    run_id: 7,
    mode: 'full',
    dry_run: false,
    phase: 'reading_shopify',
    done: 0,
    total: 0,
    eta_s: null,
    started_at: '2026-05-01T10:00:00Z',
    finished_at: null,
    error: null,
    approval_reason: null,
    summary: null,
    waiting: null,
    changes: null,
    ...extra,
  };
}

describe('formatEta', () => {
  it('rounds to calm, readable estimates', () => {
    expect(formatEta(3), 'seconds are not counted down one by one').toBe('a few seconds');
    expect(formatEta(44), 'under a minute rounds to tens of seconds').toBe('about 40 s');
    expect(formatEta(130), 'the example in the issue').toBe('about 2 min');
    expect(formatEta(3_600), 'whole hours drop the minutes').toBe('about 1 h');
    expect(formatEta(5_000), 'long runs show hours and minutes').toBe('about 1 h 23 min');
  });

  it('shows nothing when there is no usable estimate', () => {
    expect(formatEta(null), 'the backend cannot tell yet').toBeNull();
    expect(formatEta(-1), 'a negative estimate is a bug, not a time').toBeNull();
    expect(formatEta(Number.POSITIVE_INFINITY), 'an infinite estimate must not read "about Infinity min"').toBeNull();
  });
});

describe('progress', () => {
  it('is whole percent of done over total, kept within 0–100', () => {
    expect(progressPercent({ done: 1, total: 3 }), 'rounded down so 100% means done').toBe(33);
    expect(progressPercent({ done: 12, total: 10 }), 'an overshoot must not overflow the bar').toBe(100);
    expect(progressPercent({ done: 0, total: 0 }), 'no total means the bar shows activity only').toBeNull();
  });

  it('says the phase, the counts and the time left on one line', () => {
    expect(
      progressLine(progress({ done: 1_200, total: 5_000, eta_s: 130 })),
      'the line under the bar tells the operator what is happening and how long it will take',
    ).toBe('Reading Shopify: 1,200 of 5,000 variants · about 2 min left');
    expect(progressLine(progress({ phase: 'matching' })), 'phases without counts show just the phase').toBe(
      'Matching variants',
    );
    expect(
      progressLine(progress({ running: false, phase: 'done', done: 10, total: 10, eta_s: 0 })),
      'a finished run has no time left to show',
    ).toBe('Done: 10 of 10');
    expect(
      progressLine(progress({ phase: 'writing', done: 0, total: 305, changes: 367, eta_s: 240 })),
      'writes and changes are different units, so each count is labelled',
    ).toBe('Writing changes: 0 of 305 writes · 367 changes · about 4 min left');
  });

  it('names the kind of run', () => {
    expect(runName({ mode: 'full', dry_run: true }), 'a dry run is what the Preview button starts').toBe('Preview');
    expect(runName({ mode: 'full', dry_run: false }), 'the Full sync button').toBe('Full sync');
  });

  it('allows a start only when nothing runs and no start is pending', () => {
    expect(canStart(progress({ running: true }), false), 'a second run must not start over the first').toBe(false);
    expect(canStart(progress({ running: false }), true), 'a double click must not start two runs').toBe(false);
    expect(canStart(progress({ running: false, phase: 'done' }), false), 'after a run, another may start').toBe(
      true,
    );
    expect(canStart(null, false), 'before the first answer a run may be going (the demo opens on one)').toBe(false);
  });
});

describe('summaries and changes', () => {
  it('says a preview wrote nothing', () => {
    expect(
      summaryText({ changes: 12, written: 0, failed: 0, superseded: 0, queued: 0, by_kind: [] }, true),
      'the operator must not think a preview changed the stores',
    ).toBe('Preview: 12 changes would be made. Nothing was written.');
    expect(summaryText({ changes: 0, written: 0, failed: 0, superseded: 0, queued: 0, by_kind: [] }, true), 'nothing to do').toMatch(
      /already agree/,
    );
  });

  it('counts what a sync wrote and what failed', () => {
    expect(
      summaryText({ changes: 1_500, written: 1_498, failed: 2, superseded: 0, queued: 0, by_kind: [] }, false),
      'failures must be visible in the summary line',
    ).toBe('Sync finished: 1,500 changes in 1,500 writes: 1,498 written, 2 failed.');
    expect(
      summaryText({ changes: 1, written: 1, failed: 0, superseded: 0, queued: 0, by_kind: [] }, false),
      'no failure clause when nothing failed',
    ).toBe('Sync finished: 1 change in 1 write: 1 written.');
  });

  it('labels a kind of change by field and direction', () => {
    expect(
      kindLabel({ field: 'sale_price', direction: 'shopify_to_bigcommerce' }),
      'the diff summary names the field and which way it goes',
    ).toBe('Sale price, Shopify → BigCommerce');
  });

  it('names empty values instead of showing nothing', () => {
    expect(changeValue(null), 'a cleared sale price is shown as empty').toEqual({ text: '(empty)', empty: true });
    expect(changeValue('  '), 'blank counts as empty').toEqual({ text: '(empty)', empty: true });
    expect(changeValue('19.99'), 'values are shown as the backend wrote them').toEqual({
      text: '19.99',
      empty: false,
    });
  });
});

describe('ownership', () => {
  it('covers the five fields with BigCommerce owning all by default', () => {
    expect(SYNC_FIELDS, 'the contract names these fields').toEqual(['title', 'price', 'sale_price', 'barcode', 'sku']);
    expect(
      SYNC_FIELDS.every((f) => DEFAULT_OWNERSHIP[f] === 'bigcommerce'),
      'the contract defaults every field to BigCommerce',
    ).toBe(true);
  });

  it('changes one field and leaves the others', () => {
    const next = withOwner(DEFAULT_OWNERSHIP, 'barcode', 'none');
    expect(next.barcode, 'the chosen field changes').toBe('none');
    expect(next.price, 'the other fields keep their owner').toBe('bigcommerce');
    expect(DEFAULT_OWNERSHIP.barcode, 'the old settings object is not modified').toBe('bigcommerce');
  });
});

describe('what a run waits on', () => {
  const wait = (extra: Partial<StoreWait>): StoreWait => ({
    system: 'shopify',
    cause: 'not_answering',
    until: '2026-05-01T10:00:08Z',
    seconds_left: 8,
    ...extra,
  });

  it('names the store, the cause and the seconds left', () => {
    expect(waitingSentence(wait({})), 'a store that does not answer is retried').toBe(
      'Shopify not answering, retrying in 8 s',
    );
    expect(
      waitingSentence(wait({ system: 'bigcommerce', cause: 'rate_limited', seconds_left: 25 })),
      'a spent quota resumes by itself',
    ).toBe('BigCommerce rate limit, resumes in 25 s');
    expect(waitingSentence(wait({ seconds_left: 0 })), 'a wait about to end never reads 0 s').toBe(
      'Shopify not answering, retrying in 1 s',
    );
  });

  it('replaces the estimate while the run waits', () => {
    const line = progressLine(
      progress({ phase: 'writing', done: 40, total: 305, changes: 367, eta_s: 240, waiting: wait({}) }),
    );
    expect(line, 'the wait is said instead of a stale estimate').toBe(
      'Writing changes: 40 of 305 writes · 367 changes · Shopify not answering, retrying in 8 s',
    );
    expect(line, 'no estimate stands beside the wait').not.toMatch(/left/);
    expect(
      progressLine(progress({ running: false, phase: 'done', done: 305, total: 305, waiting: wait({}) })),
      'a finished run waits on nothing',
    ).toBe('Done: 305 of 305');
  });
});
