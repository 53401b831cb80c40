import type { Connection } from '../api';
import { connectionZoneText, tokenText, verifiedText } from '../format';
import { useTimeZone } from '../useTimeZone';

interface Props {
  connection: Connection;
  now: Date;
}

/** What is known about one connected store; never its token, only whether one is stored. */
export function ConnectionFacts({ connection: c, now }: Props) {
  const zone = useTimeZone();
  return (
    <dl class="facts">
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
      <dd>{verifiedText(c.verified_at, now, zone)}</dd>
      <dt>Time zone</dt>
      <dd class="mono" data-testid={`connection-zone-${c.system}`}>
        {connectionZoneText(c)}
      </dd>
      <dt>Token</dt>
      <dd class={c.has_secret ? undefined : 'text-warn'}>{tokenText(c.has_secret)}</dd>
    </dl>
  );
}

interface BadgeProps {
  /** Null while the connections have not loaded (or failed to load). */
  connections: readonly Connection[] | null;
}

export function ConnectionBadge({ connections }: BadgeProps) {
  if (connections === null) {
    return <span class="badge badge-muted">Unknown</span>;
  }
  return connections.length > 0 ? (
    <span class="badge badge-ok">Connected</span>
  ) : (
    <span class="badge badge-muted">Not connected</span>
  );
}
