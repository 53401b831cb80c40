import { describe, expect, it } from 'vitest';
import type { OrdersSyncReport } from './api';
import { cents, differenceLabel, formatAmount, moneyCheck, orderStateLabel, ordersReportSentence, storeDay } from './orders';

describe('moneyCheck', () => {
  it('agrees when the totals are the same money written differently', () => {
    expect(moneyCheck({ shopify_total: '12.5', bigcommerce_total: '12.5000' })).toEqual({ kind: 'equal' });
  });

  it('shows the difference in cents, signed from Shopify to BigCommerce', () => {
    expect(moneyCheck({ shopify_total: '48.60', bigcommerce_total: '48.59' })).toEqual({
      kind: 'differs',
      difference: '-0.01',
    });
    expect(moneyCheck({ shopify_total: '10', bigcommerce_total: '110.05' })).toEqual({
      kind: 'differs',
      difference: '+100.05',
    });
  });

  it('says nothing when BigCommerce has no order yet', () => {
    expect(moneyCheck({ shopify_total: '10.00', bigcommerce_total: null })).toEqual({ kind: 'unknown' });
  });
});

describe('cents', () => {
  it('reads decimal strings exactly, without floating point', () => {
    // 0.1 + 0.2 is the classic float trap; as cents it is exact.
    expect(cents('0.1')! + cents('0.2')!).toBe(30n);
    expect(cents('-3.07')).toBe(-307n);
    expect(cents('9007199254740993.99')).toBe(900719925474099399n);
  });

  it('refuses what is not an amount', () => {
    expect(cents('12,50')).toBeNull();
    expect(cents('')).toBeNull();
  });
});

describe('ordersReportSentence', () => {
  const base: OrdersSyncReport = {
    run_id: 1,
    dry_run: false,
    read: 3,
    before_start: 0,
    in_step: 1,
    queued: 2,
    carried: 1,
    failed: 1,
    orders: [],
  };

  it('counts what was carried and what waits', () => {
    expect(ordersReportSentence(base)).toBe('3 POS orders read, 1 already carried; 1 carried, 1 need attention.');
  });

  it('says a dry run sent nothing', () => {
    const preview = { ...base, dry_run: true, orders: [] };
    expect(ordersReportSentence(preview)).toContain('Nothing was sent.');
  });
});

describe('orderStateLabel', () => {
  it('names each state for a person', () => {
    expect(orderStateLabel('needs_attention')).toBe('Needs attention');
    expect(orderStateLabel('creating')).toBe('In doubt');
  });
});

describe('formatAmount', () => {
  it('shows two decimals whatever precision the store sent', () => {
    expect(formatAmount('30.0000')).toBe('30.00');
    expect(formatAmount('12.5')).toBe('12.50');
    expect(formatAmount('-0.05')).toBe('-0.05');
    expect(formatAmount(null)).toBe('–');
  });
});

describe('differenceLabel', () => {
  it('marks agreement and shows any difference to the cent', () => {
    expect(differenceLabel({ difference: '0' })).toBe('0.00 ✓');
    expect(differenceLabel({ difference: '0.00' })).toBe('0.00 ✓');
    expect(differenceLabel({ difference: '-5' })).toBe('-5.00');
  });
});

describe('storeDay', () => {
  it("is the store's calendar day, not the computer's or UTC's", () => {
    const lateInChicago = new Date('2026-12-07T04:30:00Z'); // 22:30 on the 6th in Chicago
    expect(storeDay(lateInChicago, 'America/Chicago'), 'a sale late in the evening belongs to that day').toBe(
      '2026-12-06',
    );
    expect(storeDay(lateInChicago, 'Asia/Tokyo'), 'the same instant is already the 7th in Tokyo').toBe('2026-12-07');
    expect(storeDay(new Date('2026-01-02T00:05:00Z'), 'UTC'), 'months and days are zero-padded').toBe('2026-01-02');
  });
});
