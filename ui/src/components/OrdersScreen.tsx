import { useCallback, useEffect, useState } from 'preact/hooks';
import type {
  ApiError,
  OrderLinkState,
  OrdersConfig,
  OrdersSyncReport,
  OrdersView,
  OrderTimelineView,
  ReconcileView,
} from '../api';
import {
  exportReconcileCsv,
  orderTimeline,
  orders,
  ordersReconcile,
  ordersSync,
  retryOrders,
  setOrdersConfig,
  skipOrder,
  toApiError,
} from '../api';
import { finishExport } from '../download';
import { AttemptList } from './AttemptList';
import { asSentence, formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import {
  ORDER_STATES,
  differenceLabel,
  formatAmount,
  moneyCheck,
  orderStateLabel,
  ordersReportSentence,
  storeDay,
} from '../orders';

/**
 * POS orders carried into BigCommerce: counts, a money check per order (Shopify's total beside
 * BigCommerce's), the reason an order waits, Retry, a preview of the next cycle, and the settings.
 */
export function OrdersScreen() {
  const zone = useTimeZone();
  const [view, setView] = useState<OrdersView | null>(null);
  const [state, setState] = useState<OrderLinkState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<OrdersSyncReport | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The store's day, counted in the store's zone: both follow the zone until a day is picked.
  const [day, setDay] = useState(() => storeDay(new Date(), zone));
  const [dayPicked, setDayPicked] = useState(false);
  useEffect(() => {
    if (!dayPicked) {
      setDay(storeDay(new Date(), zone));
    }
  }, [zone]);
  const [reconciled, setReconciled] = useState<ReconcileView | null>(null);
  const [timeline, setTimeline] = useState<OrderTimelineView | null>(null);

  const load = useCallback(async () => {
    try {
      setView(await orders(state));
      setError(null);
    } catch (reason) {
      setError(toApiError(reason));
    }
  }, [state]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
      await load();
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  const cycle = (dryRun: boolean) =>
    act(async () => {
      setReport(await ordersSync({ dry_run: dryRun, since: null }));
    });

  const retry = (order: string | null) =>
    act(async () => {
      const done = await retryOrders(order);
      setNotice(`Sent ${done.ids.length} ${done.ids.length === 1 ? 'order' : 'orders'} again.`);
      // A retried order goes out within a moment; the list then shows what still waits.
      await new Promise((resolve) => window.setTimeout(resolve, 1_500));
    });

  const saveConfig = (change: Partial<OrdersConfig>) =>
    act(async () => {
      if (!view) {
        return;
      }
      await setOrdersConfig({ ...view.config, ...change });
      setNotice('Saved.');
    });

  const showTimeline = (order: string) =>
    act(async () => {
      setTimeline(timeline?.link.shopify_order_gid === order ? null : await orderTimeline(order));
    });

  const skip = (order: string) =>
    act(async () => {
      setTimeline(await skipOrder(order));
      setNotice('Skipped: it will not be carried.');
    });

  const reconcile = () =>
    act(async () => {
      setReconciled(await ordersReconcile(day, zone));
    });

  const exportCsv = () =>
    act(async () => {
      const result = await exportReconcileCsv(day, zone);
      setNotice(finishExport(result, `tillbridge-reconciliation-${day}.csv`) ?? 'Exported.');
    });

  const counts = view?.counts;
  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">POS orders</h2>
        <div class="toolbar-right">
          <button type="button" class="button" data-testid="orders-preview" disabled={busy} onClick={() => void cycle(true)}>
            Preview
          </button>
          <button
            type="button"
            class="button button-primary"
            data-testid="orders-carry"
            disabled={busy}
            onClick={() => void cycle(false)}
          >
            Carry POS orders now
          </button>
          <button
            type="button"
            class="button"
            data-testid="orders-retry-all"
            disabled={busy || !counts || counts.needs_attention + counts.refunds_needing_attention === 0}
            onClick={() => void retry(null)}
          >
            Retry all waiting
          </button>
        </div>
      </div>
      {error && (
        <p class="form-error" role="alert">
          <strong>That did not work.</strong> {asSentence(error.message)}
        </p>
      )}
      {notice && (
        <p class="form-success" role="status">
          {notice}
        </p>
      )}
      {report && (
        <section class="card" aria-label="Last cycle" data-testid="orders-report">
          <p>{ordersReportSentence(report)}</p>
          {report.orders.length > 0 && (
            <ul class="plain-list">
              {report.orders.map((o) => (
                <li key={o.shopify_order_gid}>
                  <strong>{o.name}</strong> {o.action}: {o.shopify_total} {o.currency}, {o.lines}{' '}
                  {o.lines === 1 ? 'line' : 'lines'}
                  {o.unmatched.length > 0 && <> · custom lines for {o.unmatched.join(', ')}</>}
                  {o.reason && <div class="muted">{asSentence(o.reason)}</div>}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section class="card" aria-label="Daily reconciliation">
        <h3>Daily reconciliation</h3>
        <div class="toolbar">
          <label class="field field-inline">
            <span>Day</span>
            <input
              type="date"
              class="input"
              data-testid="reconcile-day"
              value={day}
              onInput={(e) => {
                setDayPicked(true);
                setDay((e.target as HTMLInputElement).value);
              }}
            />
          </label>
          <div class="toolbar-right">
            <button type="button" class="button" data-testid="reconcile" disabled={busy || day === ''} onClick={() => void reconcile()}>
              Reconcile
            </button>
            <button type="button" class="button" disabled={busy || day === ''} onClick={() => void exportCsv()}>
              Export CSV
            </button>
          </div>
        </div>
        {reconciled && (
          <div class="table-wrap">
            <table class="table" data-testid="reconcile-table">
              <thead>
                <tr>
                  <th>Location</th>
                  <th class="num">Orders</th>
                  <th class="num">Sales Shopify</th>
                  <th class="num">Sales BigCommerce</th>
                  <th class="num">Refunds Shopify</th>
                  <th class="num">Refunds BigCommerce</th>
                  <th class="num">Tax Shopify</th>
                  <th class="num">Tax BigCommerce</th>
                  <th class="num">Difference</th>
                </tr>
              </thead>
              <tbody>
                {reconciled.rows.map((r) => (
                  <tr key={r.location} data-testid="reconcile-row">
                    <td>
                      {r.location}
                      {r.not_carried > 0 && <div class="muted">{r.not_carried} not carried yet</div>}
                    </td>
                    <td class="num">{r.orders}</td>
                    <td class="num">{formatAmount(r.shopify.sales)}</td>
                    <td class="num">{formatAmount(r.bigcommerce.sales)}</td>
                    <td class="num">{formatAmount(r.shopify.refunds)}</td>
                    <td class="num">{formatAmount(r.bigcommerce.refunds)}</td>
                    <td class="num">{formatAmount(r.shopify.tax)}</td>
                    <td class="num">{formatAmount(r.bigcommerce.tax)}</td>
                    <td class="num" data-testid="reconcile-difference">
                      {differenceLabel(r)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {view && (
        <section class="card" aria-label="Settings">
          <h3>How POS orders are carried</h3>
          <label class="check">
            <input
              type="checkbox"
              data-testid="orders-enabled"
              checked={view.config.enabled}
              disabled={busy}
              onChange={(e) => void saveConfig({ enabled: (e.target as HTMLInputElement).checked })}
            />{' '}
            Carry new POS orders automatically while Tillbridge runs
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={view.config.create_customers}
              disabled={busy}
              onChange={(e) => void saveConfig({ create_customers: (e.target as HTMLInputElement).checked })}
            />{' '}
            Create a BigCommerce customer for a shopper no customer matches by email (otherwise a guest order)
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={view.config.bigcommerce_lowers_stock}
              disabled={busy}
              onChange={(e) => void saveConfig({ bigcommerce_lowers_stock: (e.target as HTMLInputElement).checked })}
            />{' '}
            BigCommerce lowers its stock when an order is placed (its default): count that as the POS sale, once
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={view.config.newsletter_from_consent}
              disabled={busy}
              onChange={(e) => void saveConfig({ newsletter_from_consent: (e.target as HTMLInputElement).checked })}
            />{' '}
            Subscribe shoppers who agree at the till to marketing email to the BigCommerce newsletter
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={view.config.include_web_orders}
              disabled={busy}
              onChange={(e) => void saveConfig({ include_web_orders: (e.target as HTMLInputElement).checked })}
            />{' '}
            Carry the online store's orders too, not only POS sales
          </label>
          <p class="muted">
            BigCommerce sells in {view.config.store_currencies.join(', ')}; an order in another currency waits for you.
            {view.cursor && <> Read up to {formatTimestamp(view.cursor, zone, { abbreviation: true })}.</>}
          </p>
        </section>
      )}
      {counts && (
        <p class="muted" data-testid="orders-counts">
          {counts.created} carried · {counts.needs_attention} need attention · {counts.creating} in doubt ·{' '}
          {counts.refunds_sent} refunds carried · {counts.refunds_needing_attention} refunds need attention
        </p>
      )}
      <label class="field field-inline">
        <span>Show</span>
        <select
          class="input"
          data-testid="orders-state"
          value={state ?? ''}
          onChange={(e) => setState(((e.target as HTMLSelectElement).value || null) as OrderLinkState | null)}
        >
          {ORDER_STATES.map((s) => (
            <option key={s.label} value={s.value ?? ''}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {view === null && !error && <p class="muted">Loading…</p>}
      {view !== null && view.orders.length === 0 && (
        <p class="muted" data-testid="orders-none">
          No POS orders here yet. "Carry POS orders now" reads Shopify's POS orders and carries them to BigCommerce.
        </p>
      )}
      {view !== null && view.orders.length > 0 && (
        <div class="table-wrap">
        <table class="table" data-testid="orders-table">
          <thead>
            <tr>
              <th>Order</th>
              <th>State</th>
              <th class="num">Shopify</th>
              <th class="num">BigCommerce</th>
              <th>Money check</th>
              <th>BigCommerce order</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {view.orders.map((o) => {
              const check = moneyCheck(o);
              return (
                <tr key={o.shopify_order_gid} data-testid="order-row" data-state={o.state}>
                  <td>
                    {o.name}
                    {o.processed_at && <div class="muted">{formatTimestamp(o.processed_at, zone)}</div>}
                  </td>
                  <td>
                    {orderStateLabel(o.state)}
                    {o.unmatched_lines > 0 && <div class="muted">{o.unmatched_lines} custom lines (unmatched)</div>}
                    {o.reason && <div class="muted">{asSentence(o.reason)}</div>}
                  </td>
                  <td class="num">{formatAmount(o.shopify_total)}</td>
                  <td class="num">{formatAmount(o.bigcommerce_total)}</td>
                  <td data-testid="money-check" data-kind={check.kind}>
                    {check.kind === 'equal' && '✓ equal'}
                    {check.kind === 'differs' && `differs by ${check.difference}`}
                    {check.kind === 'unknown' && '–'}
                  </td>
                  <td>{o.bigcommerce_order_id ?? '–'}</td>
                  <td class="form-actions">
                    {(o.state === 'needs_attention' || o.state === 'creating') && (
                      <button
                        type="button"
                        class="button button-small"
                        disabled={busy}
                        onClick={() => void retry(o.shopify_order_gid)}
                      >
                        Retry
                      </button>
                    )}
                    {o.state === 'needs_attention' && (
                      <button
                        type="button"
                        class="button button-small button-quiet"
                        data-testid="order-skip"
                        disabled={busy}
                        onClick={() => void skip(o.shopify_order_gid)}
                      >
                        Skip
                      </button>
                    )}
                    <button
                      type="button"
                      class="button button-small button-quiet"
                      data-testid="order-timeline"
                      disabled={busy}
                      onClick={() => void showTimeline(o.shopify_order_gid)}
                    >
                      Timeline
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
      {timeline && (
        <section class="card" aria-label="Order timeline" data-testid="order-timeline-panel">
          <h3>
            {timeline.link.name}: {orderStateLabel(timeline.link.state)}
          </h3>
          {timeline.link.reason && <p class="muted">{asSentence(timeline.link.reason)}</p>}
          {timeline.jobs.length === 0 && <p class="muted">No attempt yet.</p>}
          <AttemptList attempts={timeline.jobs.flatMap((j) => j.attempts)} />
        </section>
      )}
    </div>
  );
}
