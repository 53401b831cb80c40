import type { Status } from '../api';
import { secretStoreLabel } from '../format';

interface Props {
  status: Status;
}

export function StorageCard({ status }: Props) {
  const store = status.secret_store;
  return (
    <section class="card" aria-label="Local storage">
      <div class="card-head">
        <h2 class="card-title">Local storage</h2>
      </div>
      <dl class="facts">
        <dt>Database</dt>
        <dd class="mono break">{status.database.path}</dd>
      </dl>
      <div class="secret-store" data-testid="secret-store">
        <div class="card-subhead">
          <h3>Secret store</h3>
          {store.ok ? (
            <span class="badge badge-ok">Available</span>
          ) : (
            <span class="badge badge-fail">Unavailable</span>
          )}
        </div>
        <dl class="facts">
          <dt>Kind</dt>
          <dd>{secretStoreLabel(store.kind)}</dd>
          <dt>Details</dt>
          <dd class="break">{store.description}</dd>
          {store.problem && (
            <>
              <dt>Problem</dt>
              <dd class="text-fail">{store.problem}</dd>
            </>
          )}
        </dl>
      </div>
    </section>
  );
}
