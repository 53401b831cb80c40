// Pure helpers of the Orders screen: the words for an order's state, the money check that puts
// Shopify's total beside BigCommerce's, and a cycle's report as a sentence.

import type { DayRow, OrderLink, OrderLinkState, OrdersSyncReport } from './api';
import { dayIn } from './format';

export const ORDER_STATES: readonly { value: OrderLinkState | null; label: string }[] = [
  { value: null, label: 'All' },
  { value: 'needs_attention', label: 'Needs attention' },
  { value: 'created', label: 'Carried' },
  { value: 'creating', label: 'In doubt' },
  { value: 'skipped', label: 'Skipped' },
];

export function orderStateLabel(state: OrderLinkState): string {
  return ORDER_STATES.find((s) => s.value === state)?.label ?? state;
}

export type MoneyCheck = { kind: 'equal' } | { kind: 'differs'; difference: string } | { kind: 'unknown' };

/**
 * Shopify's total against BigCommerce's, compared in cents so "12.5" and "12.5000" agree. Both
 * are decimal strings from the engine; no floating point touches them.
 */
export function moneyCheck(order: Pick<OrderLink, 'shopify_total' | 'bigcommerce_total'>): MoneyCheck {
  const a = cents(order.shopify_total);
  const b = cents(order.bigcommerce_total);
  if (a === null || b === null) {
    return { kind: 'unknown' };
  }
  if (a === b) {
    return { kind: 'equal' };
  }
  const diff = b - a;
  const sign = diff < 0n ? '-' : '+';
  const abs = diff < 0n ? -diff : diff;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return { kind: 'differs', difference: `${sign}${whole}.${frac}` };
}

/** An amount with two decimals ("30.0000" → "30.00"); the text as given when it is not an amount. */
export function formatAmount(amount: string | null): string {
  const c = cents(amount);
  if (c === null) {
    return amount ?? '–';
  }
  const sign = c < 0n ? '-' : '';
  const abs = c < 0n ? -c : c;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** "12.5" → 1250n; null for a missing or unreadable amount. Amounts past a cent are rounded down. */
export function cents(amount: string | null): bigint | null {
  if (amount === null) {
    return null;
  }
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) {
    return null;
  }
  const [, sign, whole, frac = ''] = m;
  const value = BigInt(whole ?? '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return sign === '-' ? -value : value;
}

/** A cycle's report in one sentence. */
export function ordersReportSentence(r: OrdersSyncReport): string {
  const older = r.before_start > 0 ? `, ${r.before_start} from before carrying began left alone` : '';
  const read = `${r.read} POS ${r.read === 1 ? 'order' : 'orders'} read, ${r.in_step} already carried${older}`;
  if (r.dry_run) {
    const held = r.orders.filter((o) => o.action === 'held').length;
    const would = r.orders.length - held;
    return `${read}; ${would} would be carried${held > 0 ? `, ${held} would wait for you` : ''}. Nothing was sent.`;
  }
  const failed = r.failed > 0 ? `, ${r.failed} need attention` : '';
  return `${read}; ${r.carried} carried${failed}.`;
}

/** A reconciliation row's difference as shown: "0.00 ✓" when both stores agree. */
export function differenceLabel(row: Pick<DayRow, 'difference'>): string {
  const c = cents(row.difference);
  return c === 0n ? '0.00 ✓' : formatAmount(row.difference);
}

/**
 * Today in the store's calendar, as the date input wants it ("2026-12-06"): the day the
 * reconciliation counts, which the engine bounds in the same zone.
 */
export function storeDay(now: Date, zone: string): string {
  return dayIn(now, zone);
}
