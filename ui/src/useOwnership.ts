// Field ownership: loaded once, saved as soon as the operator changes a field. The change shows
// at once and is taken back if the backend refuses it, so the screen never claims a setting the
// backend does not hold.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Owner, Ownership, SyncField } from './api';
import { ownership as loadOwnership, setOwnership, toApiError } from './api';
import { withOwner } from './sync';

export interface OwnershipState {
  ownership: Ownership | null;
  saving: boolean;
  /** Set after a save the backend accepted, until the next change. */
  saved: boolean;
  error: ApiError | null;
}

export function useOwnership(): [OwnershipState, (field: SyncField, owner: Owner) => void] {
  const [state, setState] = useState<OwnershipState>({
    ownership: null,
    saving: false,
    saved: false,
    error: null,
  });
  const alive = useRef(true);
  const generation = useRef(0);

  useEffect(() => {
    alive.current = true;
    loadOwnership().then(
      (ownership) => alive.current && setState((prev) => ({ ...prev, ownership })),
      (reason: unknown) => alive.current && setState((prev) => ({ ...prev, error: toApiError(reason) })),
    );
    return () => {
      alive.current = false;
    };
  }, []);

  const change = useCallback(
    (field: SyncField, owner: Owner) => {
      const before = state.ownership;
      if (before === null) {
        return;
      }
      const next = withOwner(before, field, owner);
      const mine = ++generation.current;
      setState({ ownership: next, saving: true, saved: false, error: null });
      setOwnership(next).then(
        (stored) => {
          if (alive.current && mine === generation.current) {
            setState({ ownership: stored, saving: false, saved: true, error: null });
          }
        },
        (reason: unknown) => {
          if (alive.current && mine === generation.current) {
            setState({ ownership: before, saving: false, saved: false, error: toApiError(reason) });
          }
        },
      );
    },
    [state.ownership],
  );

  return [state, change];
}
