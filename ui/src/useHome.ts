// Loads what the home screen shows: its figures since the operator's last visit, and the charts.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api';
import { charts, home, toApiError } from './api';
import type { ChartsView, HomeView } from './generated/engine';
import { takeLastVisit } from './home';

export interface HomeState {
  loading: boolean;
  home: HomeView | null;
  charts: ChartsView | null;
  error: ApiError | null;
}

/** Read once per session: the figures keep counting from the last visit however often they reload. */
let lastVisit: string | null | undefined;

function since(): string | null {
  if (lastVisit === undefined) {
    try {
      lastVisit = takeLastVisit(window.localStorage, new Date());
    } catch {
      lastVisit = null; // storage refused (a private window): the engine's default night is used
    }
  }
  return lastVisit;
}

export function useHome(): [HomeState, () => void] {
  const [state, setState] = useState<HomeState>({ loading: true, home: null, charts: null, error: null });
  const generation = useRef(0);
  const load = useCallback(() => {
    const mine = ++generation.current;
    setState((prev) => ({ ...prev, loading: true }));
    Promise.all([home(since()), charts()])
      .then(([h, c]) => {
        if (mine === generation.current) {
          setState({ loading: false, home: h, charts: c, error: null });
        }
      })
      .catch((reason: unknown) => {
        if (mine === generation.current) {
          setState((prev) => ({ ...prev, loading: false, error: toApiError(reason) }));
        }
      });
  }, []);
  useEffect(() => {
    load();
    // The figures move while the runtime works: a minute is fresh enough for a morning glance.
    const timer = window.setInterval(load, 60_000);
    return () => window.clearInterval(timer);
  }, [load]);
  return [state, load];
}
