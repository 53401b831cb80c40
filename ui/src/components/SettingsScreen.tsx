import type { Connection, Status } from '../api';
import { setOnboardingDismissed } from '../api';
import { SETUP_SCREEN, hashFor } from '../nav';
import { useConnections } from '../useConnections';
import { ScheduleCard } from './ScheduleCard';
import { StorageCard } from './StorageCard';
import { StoreConnectForms } from './StoreConnectForms';

interface Props {
  /** Called after a store was connected, so other screens can reload what they show. */
  onConnected: () => void;
  /** Where the database and the tokens are kept; null until loaded. */
  status: Status | null;
}

export function SettingsScreen({ onConnected, status }: Props) {
  const [list, { reload, saved }] = useConnections();
  const all = list.connections;
  const firstLoad = list.loading && all === null && list.error === null;

  const connected = (connection: Connection) => {
    saved(connection);
    onConnected();
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Settings</h2>
        <div class="toolbar-right">
          <button type="button" class="button" onClick={reload} disabled={list.loading}>
            {list.loading ? 'Loading…' : 'Reload'}
          </button>
        </div>
      </div>
      <p class="muted intro">
        Tillbridge checks the credentials with one call to the store before it saves anything. Tokens
        are kept in the secret store and never shown again; to change one, connect again.
      </p>

      {list.error && (
        <p class="form-error" role="alert" data-testid="connections-error">
          <strong>Could not load the current connections.</strong> {list.error.message}
        </p>
      )}

      {firstLoad ? (
        <div class="loading" data-testid="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading connections…
        </div>
      ) : (
        <StoreConnectForms connections={all} onConnected={connected} />
      )}
      <ScheduleCard />
      <section class="card" aria-label="First-run setup">
        <h2 class="card-title">First-run setup</h2>
        <p class="muted card-note">
          The seven steps from connecting the stores to the morning schedule, each marked done from what is already set
          up.
        </p>
        <div class="form-actions">
          <button
            type="button"
            class="button"
            data-testid="open-onboarding"
            onClick={() =>
              // Brought back for the next start too; the steps themselves are untouched.
              void setOnboardingDismissed(false)
                .catch(() => {})
                .finally(() => {
                  window.location.hash = hashFor(SETUP_SCREEN);
                })
            }
          >
            Open the setup
          </button>
        </div>
      </section>
      {status && <StorageCard status={status} />}
    </div>
  );
}
