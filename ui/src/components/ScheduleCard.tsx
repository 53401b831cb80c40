import { useEffect, useState } from 'preact/hooks';
import type { ApiError, ScheduleView } from '../api';
import { schedule, setSchedule, toApiError } from '../api';
import { formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { scheduleRequest } from '../onboarding';
import { Outcome } from './Outcome';

interface Props {
  /** Called with the schedule the backend saved. */
  onSaved?: (view: ScheduleView) => void;
}

/** The morning full sync: when it runs, in which time zone, or none. */
export function ScheduleCard({ onSaved }: Props) {
  // A new schedule runs on the store's mornings unless the operator names another zone.
  const storeZone = useTimeZone();
  const [view, setView] = useState<ScheduleView | null>(null);
  const [at, setAt] = useState('06:30');
  const [zone, setZone] = useState(storeZone);
  const [zoneTyped, setZoneTyped] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const show = (v: ScheduleView) => {
    setView(v);
    if (v.at) setAt(v.at);
    if (v.time_zone) setZone(v.time_zone);
  };

  useEffect(() => {
    schedule().then(show, (reason: unknown) => setError(toApiError(reason)));
  }, []);

  // The store's zone may be learnt after the card opened (a store just connected): it becomes the
  // default until a schedule is saved or the operator types a zone.
  useEffect(() => {
    if (!zoneTyped && !view?.time_zone) {
      setZone(storeZone);
    }
  }, [storeZone]);

  const save = async (turnOff: boolean) => {
    let req;
    if (turnOff) {
      req = { at: null, time_zone: null, guard: null };
    } else {
      const checked = scheduleRequest(at, zone);
      if ('problem' in checked) {
        setProblem(checked.problem);
        return;
      }
      req = checked.req;
    }
    setProblem(null);
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const saved = await setSchedule(req);
      show(saved);
      setNotice(
        saved.enabled
          ? `Saved: a full sync every morning at ${saved.at} (${saved.time_zone}).`
          : 'Saved: no morning sync; full syncs run when you start them.',
      );
      onSaved?.(saved);
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-label="Morning schedule" data-testid="schedule">
      <h2 class="card-title">Morning schedule</h2>
      <p class="muted card-note">
        A full sync every morning before opening hours. It writes only within its guard rails (at most{' '}
        {view?.guard.max_changes ?? 500} changes, no price moving more than {view?.guard.max_price_change_pct ?? 50} %);
        beyond them it waits for your approval in Runs.
      </p>
      <p data-testid="schedule-current">
        {view === null
          ? 'Loading…'
          : view.enabled
            ? `Every morning at ${view.at} (${view.time_zone})${view.next_run_at ? `; next ${formatTimestamp(view.next_run_at, storeZone, { abbreviation: true })}` : ''}.`
            : 'No morning sync is scheduled.'}
      </p>
      <form
        class="form-fields form-fields-inline"
        onSubmit={(e) => {
          e.preventDefault();
          void save(false);
        }}
      >
        <label class="field">
          <span>Time</span>
          <input
            class="input input-narrow"
            type="time"
            data-testid="schedule-at"
            value={at}
            disabled={busy}
            onInput={(e) => setAt((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field">
          <span>Time zone</span>
          <input
            class="input"
            type="text"
            data-testid="schedule-zone"
            value={zone}
            disabled={busy}
            onInput={(e) => {
              setZoneTyped(true);
              setZone((e.target as HTMLInputElement).value);
            }}
          />
        </label>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy} data-testid="schedule-save">
            Save the schedule
          </button>
          <button
            type="button"
            class="button button-quiet"
            disabled={busy}
            data-testid="schedule-off"
            onClick={() => void save(true)}
          >
            No morning sync
          </button>
        </div>
      </form>
      {problem && (
        <p class="field-problem" role="alert" data-testid="schedule-problem">
          {problem}
        </p>
      )}
      <Outcome id="schedule" error={error} notice={notice} />
    </section>
  );
}
