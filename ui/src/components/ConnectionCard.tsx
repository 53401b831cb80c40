import { Fragment } from 'preact';
import type { Connection } from '../api';
import type { SystemInfo } from '../format';
import { tokenText, verifiedText } from '../format';

interface Props {
  system: SystemInfo;
  /** Null while the status has not loaded (or failed to load). */
  connections: Connection[] | null;
  now: Date;
}

export function ConnectionCard({ system, connections, now }: Props) {
  const connected = connections !== null && connections.length > 0;
  let badge = <span class="badge badge-muted">Unknown</span>;
  if (connections !== null) {
    badge = connected ? (
      <span class="badge badge-ok">Connected</span>
    ) : (
      <span class="badge badge-muted">Not connected</span>
    );
  }

  return (
    <section class="card" data-testid={`connection-${system.id}`} aria-label={system.label}>
      <div class="card-head">
        <h2 class="card-title">{system.label}</h2>
        {badge}
      </div>
      {connections === null && <p class="muted">Connection status is not available.</p>}
      {connections !== null && !connected && (
        <div class="hint">
          <p>Connect it from a terminal:</p>
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
          <dl class="facts" key={`${c.name}:${c.store_ref}`}>
            <dt>Name</dt>
            <dd>{c.name}</dd>
            <dt>Store</dt>
            <dd class="mono">{c.store_ref}</dd>
            <dt>API URL</dt>
            <dd class="mono break">{c.api_url}</dd>
            {c.api_version && (
              <>
                <dt>API version</dt>
                <dd class="mono">{c.api_version}</dd>
              </>
            )}
            <dt>Verified</dt>
            <dd>{verifiedText(c.verified_at, now)}</dd>
            <dt>Token</dt>
            <dd class={c.has_secret ? undefined : 'text-warn'}>{tokenText(c.has_secret)}</dd>
          </dl>
        ))}
    </section>
  );
}
