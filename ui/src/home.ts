// Words and series for the home screen: what each figure says, where it leads, and the charts'
// hourly series with the empty hours filled in. Pure, so it is unit-tested on its own.

import type { Capability, CapabilityRuns, ChartsView, HomeView, System } from './generated/engine';
import { formatDuration, runResultLabel } from './runtime';

/** Where the screen keeps the operator's last visit, so "since" means since they last looked. */
export const LAST_VISIT_KEY = 'tillbridge.lastVisit';

/**
 * The previous visit, and records this one: read once when the app opens, so the figures keep
 * counting from the same moment however often the home screen reloads in this session.
 */
export function takeLastVisit(storage: Pick<Storage, 'getItem' | 'setItem'>, now: Date): string | null {
  const previous = storage.getItem(LAST_VISIT_KEY);
  storage.setItem(LAST_VISIT_KEY, now.toISOString());
  return previous !== null && !Number.isNaN(new Date(previous).getTime()) ? previous : null;
}

const CAPABILITY_LABELS: Record<Capability, string> = {
  catalog: 'Products',
  stock: 'Stock',
  orders: 'POS orders',
};

export function capabilityLabel(capability: Capability): string {
  return CAPABILITY_LABELS[capability];
}

/**
 * "Done at 2026-12-07 06:31 CST: 12 changes, 12 written, 0 failed, in 3.2 s.", or that none ran
 * yet; `format` writes a time on the store's clock.
 */
export function lastRunText(runs: CapabilityRuns, format: (iso: string) => string): string {
  const run = runs.last;
  if (!run) {
    return 'No run yet.';
  }
  const when = format(run.finished_at ?? run.started_at);
  const counts = `${run.changes} ${run.changes === 1 ? 'change' : 'changes'}, ${run.written} written, ${run.failed} failed`;
  const preview = run.dry_run ? ' (a preview: nothing was written)' : '';
  return `${runResultLabel(run)} at ${when}: ${counts}${preview}, in ${formatDuration(run.duration_ms)}.`;
}

/** The next run, in words. */
export function nextRunText(runs: CapabilityRuns, format: (iso: string) => string): string {
  if (runs.next_at === null) {
    return runs.cadence;
  }
  return `Next at ${format(runs.next_at)}: ${runs.cadence}.`;
}

export interface Figure {
  key: string;
  label: string;
  count: number;
  /** The screen that lists or resolves what is counted. */
  href: string;
  /** True when a person has something to do. */
  needsYou: boolean;
}

/** The queue's figures: each links to the list it counts. */
export function queueFigures(home: HomeView): Figure[] {
  return [
    { key: 'written', label: 'written', count: home.queue.written, href: '#/runs', needsYou: false },
    { key: 'failed', label: 'failed', count: home.queue.failed, href: '#/failed', needsYou: home.queue.failed > 0 },
    { key: 'waiting', label: 'waiting to be sent', count: home.queue.waiting, href: '#/runs', needsYou: false },
  ];
}

/** What needs a person, each linking to the screen that resolves it. */
export function reviewFigures(home: HomeView): Figure[] {
  const r = home.review;
  const figure = (key: string, label: string, count: number, href: string): Figure => ({
    key,
    label,
    count,
    href,
    needsYou: count > 0,
  });
  return [
    figure('unmatched', 'unmatched products', r.unmatched, '#/mapping?class=unmatched'),
    figure('conflict', 'identifier conflicts', r.conflict, '#/mapping?class=conflict'),
    figure('ambiguous', 'ambiguous matches', r.ambiguous, '#/mapping?class=ambiguous'),
    figure('stock_conflicts', 'stock conflicts', r.stock_conflicts, '#/conflicts'),
    figure('orders', 'POS orders needing attention', r.orders_needing_attention, '#/orders'),
  ];
}

/** "Nothing needs you." or "4 things need you." */
export function reviewSentence(figures: readonly Figure[]): string {
  const n = figures.filter((f) => f.needsYou).reduce((sum, f) => sum + f.count, 0);
  if (n === 0) {
    return 'Nothing needs you.';
  }
  return n === 1 ? '1 thing needs you.' : `${n} things need you.`;
}

/** The hour starts of a chart's x axis, in seconds (as uPlot reads time). */
export function hourAxis(charts: Pick<ChartsView, 'from_hour' | 'hours'>): number[] {
  const start = new Date(charts.from_hour).getTime() / 1000;
  return Array.from({ length: charts.hours }, (_, i) => start + i * 3600);
}

/** A value per hour of `axis`, zero where `points` has none. */
export function perHour<T extends { hour: string }>(
  axis: readonly number[],
  points: readonly T[],
  value: (p: T) => number,
): number[] {
  const at = new Map<number, number>();
  for (const p of points) {
    const x = new Date(p.hour).getTime() / 1000;
    at.set(x, (at.get(x) ?? 0) + value(p));
  }
  return axis.map((x) => at.get(x) ?? 0);
}

/** Requests per hour for one store. */
export function quotaSeries(charts: ChartsView, system: System): number[] {
  return perHour(
    hourAxis(charts),
    charts.quota.filter((q) => q.system === system),
    (q) => q.requests,
  );
}

/** Requests per hour one store refused for its rate limit. */
export function throttledSeries(charts: ChartsView, system: System): number[] {
  return perHour(
    hourAxis(charts),
    charts.quota.filter((q) => q.system === system),
    (q) => q.throttled,
  );
}

/** The run-history chart's series: x is the run's start (seconds), then changes, written, failed, seconds taken. */
export function historySeries(charts: ChartsView): [number[], number[], number[], number[], (number | null)[]] {
  const h = charts.history;
  return [
    h.map((p) => new Date(p.started_at).getTime() / 1000),
    h.map((p) => p.changes),
    h.map((p) => p.written),
    h.map((p) => p.failed),
    h.map((p) => (p.duration_ms === null ? null : p.duration_ms / 1000)),
  ];
}

/** The drift chart's series: x is each validation's time (seconds), y the cells it found drifted. */
export function driftSeries(charts: ChartsView): [number[], number[]] {
  return [charts.drift.map((v) => new Date(v.checked_at).getTime() / 1000), charts.drift.map((v) => v.drifted)];
}

/** What a series sums to, for a chart's caption: the figure is readable without hovering. */
export function total(values: readonly (number | null)[]): number {
  return values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}
