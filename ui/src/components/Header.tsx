import type { StoreTimeZone } from '../generated/engine';
import { timeZoneLabel } from '../format';

interface Props {
  version: string | null;
  schemaVersion: number | null;
  /** The zone every time is shown in; null until the status has loaded. */
  timeZone: StoreTimeZone | null;
}

export function Header({ version, schemaVersion, timeZone }: Props) {
  return (
    <header class="app-header">
      <h1 class="app-title">Tillbridge</h1>
      <dl class="app-meta">
        <div>
          <dt>Version</dt>
          <dd data-testid="app-version">{version ?? '…'}</dd>
        </div>
        <div>
          <dt>Schema</dt>
          <dd data-testid="schema-version">{schemaVersion ?? '…'}</dd>
        </div>
        <div>
          <dt>Times in</dt>
          <dd
            data-testid="time-zone"
            data-zone={timeZone?.zone ?? ''}
            data-source={timeZone?.source ?? ''}
            title={timeZone ? timeZoneLabel(timeZone) : undefined}
          >
            {timeZone?.zone ?? '…'}
          </dd>
        </div>
      </dl>
    </header>
  );
}
