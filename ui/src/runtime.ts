// Words for the runtime's screens: how a run ended, how a change turned out, what a job waits for.

import type { ChangeResult, FailedJob, Run, RunResult } from './api';

const RUN_RESULTS: Record<RunResult, string> = {
  running: 'Running',
  done: 'Done',
  done_with_failures: 'Done, with failures',
  failed: 'Failed',
  cancelled: 'Cancelled',
  needs_approval: 'Needs approval',
};

/** The result column of the Runs view: the outcome, with the error or approval reason when there is one. */
export function runResultLabel(run: Run): string {
  const label = RUN_RESULTS[run.result] ?? run.result;
  if (run.error) {
    return `${label}: ${run.error}`;
  }
  if (run.approval_reason) {
    return `${label}: ${run.approval_reason}`;
  }
  return label;
}

/** "Full sync", "Delta preview": what a run did, in the words of the Sync screen's buttons. */
export function runKindLabel(run: Run): string {
  const mode = run.mode === 'full' ? 'Full' : 'Delta';
  const kind = run.dry_run ? `${mode} preview` : `${mode} sync`;
  // Product syncs are named as the Sync screen names them; the other capabilities say what they sync.
  switch (run.capability) {
    case 'catalog':
      return kind;
    case 'stock':
      return `Stock: ${kind.toLowerCase()}`;
    case 'orders':
      return `Orders: ${kind.toLowerCase()}`;
  }
}

/** "1.2 s", "3 min 5 s"; a dash while the run is going. */
export function formatDuration(ms: number | null): string {
  if (ms === null) {
    return '–';
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

const CHANGE_RESULTS: Record<ChangeResult, string> = {
  planned: 'planned',
  pending: 'pending',
  running: 'sending',
  done: 'written',
  failed: 'failed, retrying',
  dead: 'failed',
  superseded: 'superseded',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** The Changes table's result column. */
export function changeResultLabel(result: ChangeResult | null | undefined): string {
  return result ? (CHANGE_RESULTS[result] ?? result) : '–';
}

/** What a failed job waits for: its own retry, or a person. */
export function nextAttemptLabel(job: FailedJob, format: (iso: string) => string): string {
  return job.next_attempt_at === null ? 'waits for you' : `retries by itself ${format(job.next_attempt_at)}`;
}
