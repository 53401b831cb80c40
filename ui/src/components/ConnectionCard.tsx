import { Fragment } from 'preact';
import type { Connection } from '../api';
import type { SystemInfo } from '../format';
import { hashFor } from '../nav';
import { ConnectionBadge, ConnectionFacts } from './ConnectionFacts';

interface Props {
  system: SystemInfo;
  /** Null while the status has not loaded (or failed to load). */
  connections: Connection[] | null;
  now: Date;
}

export function ConnectionCard({ system, connections, now }: Props) {
  const connected = connections !== null && connections.length > 0;

  return (
    <section class="card" data-testid={`connection-${system.id}`} aria-label={system.label}>
      <div class="card-head">
        <h2 class="card-title">{system.label}</h2>
        <ConnectionBadge connections={connections} />
      </div>
      {connections === null && <p class="muted">Connection status is not available.</p>}
      {connections !== null && !connected && (
        <div class="hint">
          <p>
            Connect it on the <a href={hashFor('settings')}>Settings</a> screen, or from a terminal:
          </p>
          <code class="command">
            {system.connectHint.split(' ').map((word, i) => (
              <Fragment key={i}>
                {i > 0 && ' '}
                <span class="nowrap">{word}</span>
              </Fragment>
            ))}
          </code>
        </div>
      )}
      {connected &&
        connections.map((c) => (
          <ConnectionFacts key={`${c.name}:${c.store_ref}`} connection={c} now={now} />
        ))}
    </section>
  );
}
