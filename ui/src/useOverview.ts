// Loads what the home screen and Settings show of the engine: health, status (connections,
// storage) and the doctor's checks. Kept out of the components so they only present.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, DoctorReport, Health, Status } from './api';
import { doctor, health, status, toApiError } from './api';

export interface Overview {
  /** True while a load is in flight (the first one or a refresh). */
  loading: boolean;
  health: Health | null;
  status: Status | null;
  doctor: DoctorReport | null;
  errors: ApiError[];
  /** When the last load finished; null before the first one has. */
  loadedAt: Date | null;
}

const EMPTY: Overview = {
  loading: true,
  health: null,
  status: null,
  doctor: null,
  errors: [],
  loadedAt: null,
};

function settled<T>(result: PromiseSettledResult<T>, errors: ApiError[]): T | null {
  if (result.status === 'fulfilled') {
    return result.value;
  }
  errors.push(toApiError(result.reason));
  return null;
}

export function useOverview(): [Overview, () => void] {
  const [state, setState] = useState<Overview>(EMPTY);
  const generation = useRef(0);

  const load = useCallback(() => {
    const mine = ++generation.current;
    setState((prev) => ({ ...prev, loading: true }));
    void Promise.allSettled([health(), status(), doctor()]).then(([h, s, d]) => {
      if (mine !== generation.current) {
        return; // a newer load started; its answer wins
      }
      const errors: ApiError[] = [];
      setState({
        loading: false,
        health: settled(h, errors),
        status: settled(s, errors),
        doctor: settled(d, errors),
        errors,
        loadedAt: new Date(),
      });
    });
  }, []);

  useEffect(load, [load]);

  return [state, load];
}
