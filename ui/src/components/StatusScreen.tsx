import { SYSTEMS, connectionsFor, formatTimestamp } from '../format';
import type { Overview } from '../useOverview';
import { ConnectionCard } from './ConnectionCard';
import { DoctorChecks } from './DoctorChecks';
import { StorageCard } from './StorageCard';

interface Props {
  overview: Overview;
  onRefresh: () => void;
}

export function StatusScreen({ overview, onRefresh }: Props) {
  const { loading, status, doctor, loadedAt } = overview;
  const firstLoad = loading && loadedAt === null;

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Status</h2>
        <div class="toolbar-right">
          {loadedAt && <span class="muted">Checked {formatTimestamp(loadedAt.toISOString())}</span>}
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
          {status && <StorageCard status={status} />}
          {doctor && <DoctorChecks report={doctor} />}
        </>
      )}
    </div>
  );
}
