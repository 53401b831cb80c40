import { describe, expect, it } from 'vitest';
import type { FailedJob, Run } from './api';
import { changeResultLabel, formatDuration, nextAttemptLabel, runKindLabel, runResultLabel } from './runtime';

const RUN: Run = {
  id: 3,
  capability: 'catalog',
  mode: 'full',
  dry_run: false,
  trigger: 'manual',
  started_at: '2026-12-05T06:30:00Z',
  finished_at: '2026-12-05T06:31:00Z',
  duration_ms: 60_500,
  phase: 'done',
  changes: 10,
  written: 9,
  failed: 1,
  superseded: 0,
  result: 'done_with_failures',
  error: null,
  approval_reason: null,
};

describe('runtime words', () => {
  it('says how a run ended, with its reason', () => {
    expect(runResultLabel(RUN), 'failures are not hidden behind "done"').toBe('Done, with failures');
    expect(
      runResultLabel({ ...RUN, result: 'needs_approval', approval_reason: '612 changes, more than 500' }),
      'a held scheduled run says why it waits',
    ).toBe('Needs approval: 612 changes, more than 500');
  });

  it('names a run the way the Sync buttons do', () => {
    expect(runKindLabel(RUN)).toBe('Full sync');
    expect(runKindLabel({ ...RUN, mode: 'delta', dry_run: true }), 'a preview is not a sync').toBe('Delta preview');
    expect(
      runKindLabel({ ...RUN, capability: 'stock', mode: 'delta' }),
      'a stock poll is told apart from a product sync in the same list',
    ).toBe('Stock: delta sync');
  });

  it('formats durations for a person', () => {
    expect(formatDuration(1_250)).toBe('1.3 s');
    expect(formatDuration(185_000), 'minutes beyond one minute').toBe('3 min 5 s');
    expect(formatDuration(null), 'a running run has no duration yet').toBe('–');
  });

  it('says what became of a change', () => {
    expect(changeResultLabel('done')).toBe('written');
    expect(changeResultLabel('dead'), 'a refused write reads as failed').toBe('failed');
    expect(changeResultLabel(undefined), 'an older server sends no result').toBe('–');
  });

  it('says whether a failed job retries by itself', () => {
    const job = { next_attempt_at: null } as FailedJob;
    expect(nextAttemptLabel(job, (t) => t)).toBe('waits for you');
    expect(nextAttemptLabel({ ...job, next_attempt_at: 'soon' }, (t) => t)).toBe('retries by itself soon');
  });
});
