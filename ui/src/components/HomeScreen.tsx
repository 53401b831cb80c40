import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { SYSTEMS, connectionsFor, formatTimestamp } from '../format';
import {
  capabilityLabel,
  driftSeries,
  historySeries,
  hourAxis,
  lastRunText,
  nextRunText,
  perHour,
  queueFigures,
  quotaSeries,
  reviewFigures,
  reviewSentence,
  throttledSeries,
  total,
} from '../home';
import type { Figure } from '../home';
import type { Overview } from '../useOverview';
import { useHome } from '../useHome';
import { useTimeZone } from '../useTimeZone';
import type { ChartSeries } from './Chart';
import { Chart } from './Chart';
import { ConnectionCard } from './ConnectionCard';
import { DoctorChecks } from './DoctorChecks';
import { PauseButton } from './KillSwitch';

interface Props {
  overview: Overview;
  onRefresh: () => void;
  paused: boolean | null;
  onPaused: (paused: boolean) => void;
}

const HEALTH_BADGE = { healthy: 'badge-ok', degraded: 'badge-warn', down: 'badge-fail', unknown: 'badge-muted' };

const BIGCOMMERCE = '#34313f';
const SHOPIFY = '#5e8e3e';
const FAILED = '#c0392b';

const QUOTA_SERIES: readonly ChartSeries[] = [
  { label: 'BigCommerce requests', stroke: BIGCOMMERCE },
  { label: 'Shopify requests', stroke: SHOPIFY },
  { label: 'throttled', stroke: FAILED },
];
const HISTORY_SERIES: readonly ChartSeries[] = [
  { label: 'changes', stroke: '#2c6fbb', bars: true },
  { label: 'written', stroke: SHOPIFY },
  { label: 'failed', stroke: FAILED },
  { label: 'seconds', stroke: '#888', right: true },
];
const ORDERS_SERIES: readonly ChartSeries[] = [{ label: 'POS orders carried', stroke: SHOPIFY, bars: true }];
const DRIFT_SERIES: readonly ChartSeries[] = [{ label: 'cells drifted', stroke: FAILED, bars: true }];

function FigureList({ figures, testId }: { figures: readonly Figure[]; testId: string }) {
  return (
    <ul class="figures" data-testid={testId}>
      {figures.map((f) => (
        <li key={f.key} data-key={f.key} data-count={f.count} class={f.needsYou ? 'figure figure-attention' : 'figure'}>
          <a href={f.href}>
            <strong class="figure-count">{f.count}</strong> {f.label}
          </a>
        </li>
      ))}
    </ul>
  );
}

function Card({ title, testId, children }: { title: string; testId: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-label={title} data-testid={testId}>
      <h2 class="card-title">{title}</h2>
      {children}
    </section>
  );
}

export function HomeScreen({ overview, onRefresh, paused, onPaused }: Props) {
  const [state, reload] = useHome();
  const { home, charts } = state;
  // The store's clock: "Since 06:31 CST" means the shop's 06:31, whatever this computer is set to.
  const zone = useTimeZone();
  const at = (iso: string) => formatTimestamp(iso, zone, { abbreviation: true });
  const refresh = () => {
    reload();
    onRefresh();
  };
  const series = useMemo(() => {
    if (!charts) {
      return null;
    }
    const axis = hourAxis(charts);
    const shopifyThrottled = throttledSeries(charts, 'shopify');
    const throttled = throttledSeries(charts, 'bigcommerce').map((n, i) => n + (shopifyThrottled[i] ?? 0));
    return {
      quota: [axis, quotaSeries(charts, 'bigcommerce'), quotaSeries(charts, 'shopify'), throttled],
      history: historySeries(charts),
      orders: [axis, perHour(axis, charts.orders, (o) => o.orders)],
      drift: driftSeries(charts),
    };
  }, [charts]);

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Home</h2>
        <div class="toolbar-right">
          {home && (
            <span class="muted" data-testid="home-since" data-since={home.since} data-zone={zone}>
              Since {at(home.since)}
            </span>
          )}
          <PauseButton paused={paused} onChanged={onPaused} />
          <button type="button" class="button" onClick={refresh} disabled={state.loading}>
            {state.loading ? 'Checking…' : 'Refresh'}
          </button>
        </div>
      </div>
      {state.error && (
        <p class="field-problem" role="alert" data-testid="home-error">
          {state.error.message}
        </p>
      )}
      {home === null && state.loading && (
        <div class="loading" data-testid="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading…
        </div>
      )}
      {home && (
        <div class="grid">
          <Card title="What needs you" testId="home-review">
            <p class="lead" data-testid="home-review-sentence">
              {reviewSentence(reviewFigures(home))}
            </p>
            <FigureList figures={reviewFigures(home)} testId="home-review-figures" />
          </Card>
          <Card title={`Since ${at(home.since)}`} testId="home-since-card">
            <p data-testid="home-carried">
              <a href="#/orders">
                <strong>{home.orders_carried}</strong> POS {home.orders_carried === 1 ? 'order' : 'orders'} carried
              </a>{' '}
              into BigCommerce;{' '}
              <a href="#/inventory">
                <strong>{home.stock_moved}</strong> stock {home.stock_moved === 1 ? 'write' : 'writes'}
              </a>{' '}
              landed.
            </p>
            <FigureList figures={queueFigures(home)} testId="home-queue" />
          </Card>
          <Card title="Runs" testId="home-runs">
            <ul class="plain-list">
              {home.runs.map((r) => (
                <li key={r.capability} data-capability={r.capability} data-result={r.last?.result ?? 'none'}>
                  <strong>{capabilityLabel(r.capability)}</strong>: {lastRunText(r, at)}
                  <br />
                  <span class="muted">{nextRunText(r, at)}</span>
                </li>
              ))}
            </ul>
            <p>
              <a href="#/runs">Every run</a> · <a href="#/sync">Products sync</a>
            </p>
          </Card>
          <Card title="Store health, from the latest requests" testId="store-health">
            <ul class="plain-list">
              {home.health.map((h) => (
                <li key={h.system} data-system={h.system} data-state={h.state}>
                  <span class={`badge ${HEALTH_BADGE[h.state]}`}>{h.state}</span>{' '}
                  <strong>{h.system === 'bigcommerce' ? 'BigCommerce' : 'Shopify'}</strong>: {h.detail}
                </li>
              ))}
            </ul>
          </Card>
        </div>
      )}
      {charts && series && (
        <section class="card" aria-label="Charts" data-testid="home-charts">
          <h2 class="card-title">The last 24 hours</h2>
          <div class="chart-grid">
            <Chart
              title={`API requests per hour (${total(series.quota[1]!) + total(series.quota[2]!)} sent, ${total(series.quota[3]!)} throttled)`}
              testId="chart-quota"
              data={series.quota}
              series={QUOTA_SERIES}
              timeZone={zone}
            />
            <Chart
              title={`Sync history (${charts.history.length} runs)`}
              testId="chart-history"
              data={series.history}
              series={HISTORY_SERIES}
              rightUnit="seconds"
              timeZone={zone}
            />
            <Chart
              title={`POS orders carried per hour (${total(series.orders[1]!)})`}
              testId="chart-orders"
              data={series.orders}
              series={ORDERS_SERIES}
              timeZone={zone}
            />
            <Chart
              title={`Stock drift per validation (${charts.drift.length} validations)`}
              testId="chart-drift"
              data={series.drift}
              series={DRIFT_SERIES}
              timeZone={zone}
            />
          </div>
        </section>
      )}
      <div class="grid">
        {SYSTEMS.map((system) => (
          <ConnectionCard
            key={system.id}
            system={system}
            connections={overview.status ? connectionsFor(system.id, overview.status.connections) : null}
            now={overview.loadedAt ?? new Date()}
          />
        ))}
      </div>
      {overview.doctor && <DoctorChecks report={overview.doctor} />}
    </div>
  );
}
