// The state of sync runs: asks for the progress once, then every PROGRESS_POLL_MS while a run
// goes, and starts runs. The backend owns the run; this only watches it, so a run started in
// another window (or before a reload) is picked up the same way.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, StartSyncRequest, SyncProgress } from './api';
import { SYNC_RUNNING, startSync, syncProgress, toApiError } from './api';
import { PROGRESS_POLL_MS } from './sync';

export interface SyncState {
  /** Null until the first answer. */
  progress: SyncProgress | null;
  /** True between pressing a start button and the backend's answer. */
  starting: boolean;
  /** Why the last start was refused. */
  error: ApiError | null;
  /** Why the last progress question failed; cleared by the next answer. */
  pollError: ApiError | null;
}

export function useSync(): [SyncState, (req: StartSyncRequest) => void] {
  const [state, setState] = useState<SyncState>({
    progress: null,
    starting: false,
    error: null,
    pollError: null,
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  /** Whether the last answer said a run was going (unknown counts as going, so polling goes on). */
  const running = useRef(true);

  const poll = useCallback(() => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    syncProgress().then(
      (progress) => {
        if (!alive.current) {
          return;
        }
        running.current = progress.running;
        setState((prev) => ({ ...prev, progress, pollError: null }));
        if (progress.running) {
          timer.current = setTimeout(poll, PROGRESS_POLL_MS);
        }
      },
      (reason: unknown) => {
        if (!alive.current) {
          return;
        }
        // Keep asking: one lost answer must not freeze the bar of a run that is still going.
        setState((prev) => ({ ...prev, pollError: toApiError(reason) }));
        if (running.current) {
          timer.current = setTimeout(poll, PROGRESS_POLL_MS * 4);
        }
      },
    );
  }, []);

  useEffect(() => {
    alive.current = true;
    poll();
    return () => {
      alive.current = false;
      if (timer.current !== null) {
        clearTimeout(timer.current);
      }
    };
  }, [poll]);

  const start = useCallback(
    (req: StartSyncRequest) => {
      setState((prev) => ({ ...prev, starting: true, error: null }));
      startSync(req).then(
        (progress) => {
          if (alive.current) {
            setState({ progress, starting: false, error: null, pollError: null });
            poll();
          }
        },
        (reason: unknown) => {
          if (!alive.current) {
            return;
          }
          const error = toApiError(reason);
          setState((prev) => ({ ...prev, starting: false, error }));
          if (error.code === SYNC_RUNNING) {
            poll(); // someone else's run: show its progress instead
          }
        },
      );
    },
    [poll],
  );

  return [state, start];
}
