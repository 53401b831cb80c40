import type { Attempt } from '../api';
import { formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';

/** A job's attempts, each with the requests it made: method, endpoint, status, outcome, time taken. */
export function AttemptList({ attempts, testId }: { attempts: readonly Attempt[]; testId?: string }) {
  const zone = useTimeZone();
  return (
    <ol class="timeline" data-testid={testId}>
      {attempts.map((a) => (
        <li key={a.request_id + a.attempt}>
          <strong>Attempt {a.attempt}</strong> {formatTimestamp(a.started_at, zone, { abbreviation: true })}: {a.outcome}
          {a.message && <> — {a.message}</>}
          <ul>
            {a.requests.map((r, i) => (
              <li key={i} class="mono">
                {r.method} {r.endpoint} → {r.status ?? 'no answer'} ({r.outcome}, {r.duration_ms} ms)
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
