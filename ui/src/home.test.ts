import { describe, expect, it } from 'vitest';
import type { ChartsView, HomeView } from './generated/engine';
import {
  LAST_VISIT_KEY,
  driftSeries,
  historySeries,
  hourAxis,
  lastRunText,
  nextRunText,
  perHour,
  quotaSeries,
  reviewFigures,
  reviewSentence,
  takeLastVisit,
} from './home';

const HOME: HomeView = {
  now: '2026-12-07T07:00:00Z',
  since: '2026-12-06T18:00:00Z',
  runs: [
    {
      capability: 'stock',
      last: {
        id: 9,
        capability: 'stock',
        mode: 'delta',
        dry_run: false,
        trigger: 'scheduled',
        started_at: '2026-12-07T06:31:00Z',
        finished_at: '2026-12-07T06:31:03Z',
        duration_ms: 3_200,
        phase: 'done',
        changes: 12,
        written: 11,
        failed: 1,
        superseded: 0,
        result: 'done_with_failures',
        error: null,
        approval_reason: null,
      },
      next_at: '2026-12-07T12:31:00Z',
      cadence: 'polled every 30 s, checked whole every 6 h',
    },
    { capability: 'orders', last: null, next_at: null, cadence: 'polled every 30 s' },
  ],
  queue: { written: 40, failed: 2, waiting: 0 },
  review: { unmatched: 3, conflict: 0, ambiguous: 1, stock_conflicts: 1, orders_needing_attention: 0 },
  orders_carried: 5,
  stock_moved: 11,
  health: [],
  paused: false,
};

const CHARTS: ChartsView = {
  from_hour: '2026-12-06T08:00:00Z',
  hours: 24,
  quota: [
    { system: 'shopify', hour: '2026-12-06T08:00:00Z', requests: 5, throttled: 0, least_left: 1900 },
    { system: 'bigcommerce', hour: '2026-12-06T10:00:00Z', requests: 7, throttled: 1, least_left: 3 },
    { system: 'shopify', hour: '2026-12-07T07:00:00Z', requests: 2, throttled: 0, least_left: null },
  ],
  history: [
    {
      run_id: 4,
      capability: 'catalog',
      started_at: '2026-12-07T06:30:00Z',
      changes: 3,
      written: 3,
      failed: 0,
      duration_ms: 1500,
    },
    { run_id: 5, capability: 'stock', started_at: '2026-12-07T06:31:00Z', changes: 2, written: 1, failed: 1, duration_ms: null },
  ],
  orders: [],
  drift: [{ id: 1, checked_at: '2026-12-07T00:00:00Z', cells: 300, drifted: 4 }],
};

const UTC = (iso: string) => iso.slice(0, 16).replace('T', ' ');

describe('home words', () => {
  it('keeps the previous visit for this session and records this one', () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    expect(takeLastVisit(storage, new Date('2026-12-06T18:00:00Z')), 'a first visit has nothing to count from').toBeNull();
    expect(
      takeLastVisit(storage, new Date('2026-12-07T07:00:00Z')),
      'the next visit counts from the one before it, not from now',
    ).toBe('2026-12-06T18:00:00.000Z');
    stored.set(LAST_VISIT_KEY, 'yesterday');
    expect(takeLastVisit(storage, new Date()), 'an unreadable visit is dropped rather than sent to the engine').toBeNull();
  });

  it('says how the last run ended, with its counts in one unit each', () => {
    const text = lastRunText(HOME.runs[0]!, UTC);
    expect(text, 'failures are not hidden and each count is named').toBe(
      'Done, with failures at 2026-12-07 06:31: 12 changes, 11 written, 1 failed, in 3.2 s.',
    );
    expect(lastRunText(HOME.runs[1]!, UTC), 'a kind that never ran says so').toBe('No run yet.');
    expect(nextRunText(HOME.runs[0]!, UTC), 'a known next moment is given with its cadence').toBe(
      'Next at 2026-12-07 12:31: polled every 30 s, checked whole every 6 h.',
    );
    expect(nextRunText(HOME.runs[1]!, UTC), 'a polled kind gives its cadence').toBe('polled every 30 s');
  });

  it('counts what needs a person and links each to its screen', () => {
    const figures = reviewFigures(HOME);
    expect(
      figures.filter((f) => f.needsYou).map((f) => [f.key, f.href]),
      'only non-zero counts ask for a person, each where it is resolved',
    ).toEqual([
      ['unmatched', '#/mapping?class=unmatched'],
      ['ambiguous', '#/mapping?class=ambiguous'],
      ['stock_conflicts', '#/conflicts'],
    ]);
    expect(reviewSentence(figures), 'the sentence adds the counts up').toBe('5 things need you.');
    expect(reviewSentence(reviewFigures({ ...HOME, review: { ...HOME.review, unmatched: 0, ambiguous: 0, stock_conflicts: 0 } }))).toBe(
      'Nothing needs you.',
    );
  });
});

describe('home charts', () => {
  it('fills every hour of the day, zero where nothing was sent', () => {
    const axis = hourAxis(CHARTS);
    expect(axis.length, 'one point per hour').toBe(24);
    expect(axis[1]! - axis[0]!, 'an hour apart, in seconds').toBe(3600);
    expect(quotaSeries(CHARTS, 'shopify'), 'the first and the last hour had Shopify requests').toEqual([
      5,
      ...Array<number>(22).fill(0),
      2,
    ]);
    expect(quotaSeries(CHARTS, 'bigcommerce')[2], 'BigCommerce requests sit at their own hour').toBe(7);
    expect(
      perHour(axis, [{ hour: '2026-12-06T08:00:00Z' }, { hour: '2026-12-06T08:00:00Z' }], () => 1)[0],
      'two points at one hour add up',
    ).toBe(2);
  });

  it('keeps each run and validation as a point, a missing duration as a gap', () => {
    const [x, changes, written, failed, seconds] = historySeries(CHARTS);
    expect(x.length).toBe(2);
    expect([changes, written, failed], 'each series keeps its own unit').toEqual([
      [3, 2],
      [3, 1],
      [0, 1],
    ]);
    expect(seconds, 'a run still going has no duration, drawn as a gap, not as zero').toEqual([1.5, null]);
    expect(driftSeries(CHARTS)[1], 'drift per validation').toEqual([4]);
  });
});
