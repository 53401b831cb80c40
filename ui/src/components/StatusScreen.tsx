import { SYSTEMS, connectionsFor, formatTimestamp } from '../format';
import type { Overview } from '../useOverview';
import { ConnectionCard } from './ConnectionCard';
import { DoctorChecks } from './DoctorChecks';
import { PauseButton } from './KillSwitch';
import { StorageCard } from './StorageCard';

interface Props {
  overview: Overview;
  onRefresh: () => void;
  paused: boolean | null;
  onPaused: (paused: boolean) => void;
}

const HEALTH_BADGE = { healthy: 'badge-ok', degraded: 'badge-warn', down: 'badge-fail', unknown: 'badge-muted' };

export function StatusScreen({ overview, onRefresh, paused, onPaused }: Props) {
  const { loading, status, doctor, loadedAt } = overview;
  const firstLoad = loading && loadedAt === null;

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Status</h2>
        <div class="toolbar-right">
          {loadedAt && <span class="muted">Checked {formatTimestamp(loadedAt.toISOString())}</span>}
          <PauseButton paused={paused} onChanged={onPaused} />
          <button type="button" class="button" onClick={onRefresh} disabled={loading}>
            {loading ? 'Checking…' : 'Refresh'}
          </button>
        </div>
      </div>

      {firstLoad ? (
        <div class="loading" data-testid="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading status…
        </div>
      ) : (
        <>
          <div class="grid">
            {SYSTEMS.map((system) => (
              <ConnectionCard
                key={system.id}
                system={system}
                connections={status ? connectionsFor(system.id, status.connections) : null}
                now={loadedAt ?? new Date()}
              />
            ))}
          </div>
          {status && status.health.length > 0 && (
            <section class="card" aria-label="Store health" data-testid="store-health">
              <h2 class="card-title">Store health, from the latest requests</h2>
              <ul class="plain-list">
                {status.health.map((h) => (
                  <li key={h.system} data-system={h.system} data-state={h.state}>
                    <span class={`badge ${HEALTH_BADGE[h.state]}`}>{h.state}</span>{' '}
                    <strong>{h.system === 'bigcommerce' ? 'BigCommerce' : 'Shopify'}</strong>: {h.detail}
                  </li>
                ))}
              </ul>
              {status.failed_jobs > 0 && (
                <p data-testid="status-failed">
                  <a href="#/failed">
                    {status.failed_jobs} failed {status.failed_jobs === 1 ? 'write' : 'writes'}
                  </a>{' '}
                  wait for a retry or for you.
                </p>
              )}
            </section>
          )}
          {status && <StorageCard status={status} />}
          {doctor && <DoctorChecks report={doctor} />}
        </>
      )}
    </div>
  );
}
