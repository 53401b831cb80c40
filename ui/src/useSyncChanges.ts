// One page of the latest run's changes. Reloads from the first page whenever `runKey` changes
// (a run finished), and keeps only the newest answer.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, SyncPreview } from './api';
import { syncPreview, toApiError } from './api';
import { CHANGES_PAGE_SIZE } from './sync';

export interface SyncChangesState {
  loading: boolean;
  preview: SyncPreview | null;
  offset: number;
  error: ApiError | null;
}

export function useSyncChanges(runKey: string): [SyncChangesState, (offset: number) => void] {
  const [offset, setOffset] = useState(0);
  const [state, setState] = useState<SyncChangesState>({ loading: true, preview: null, offset: 0, error: null });
  const generation = useRef(0);

  useEffect(() => setOffset(0), [runKey]);

  const load = useCallback(() => {
    const mine = ++generation.current;
    setState((prev) => ({ ...prev, loading: true }));
    syncPreview({ offset, limit: CHANGES_PAGE_SIZE }).then(
      (preview) => {
        if (mine === generation.current) {
          setState({ loading: false, preview, offset, error: null });
        }
      },
      (reason: unknown) => {
        if (mine === generation.current) {
          setState((prev) => ({ ...prev, loading: false, error: toApiError(reason) }));
        }
      },
    );
  }, [offset, runKey]);

  useEffect(load, [load]);

  return [state, setOffset];
}
