// Loads the connected stores for the Settings screen and keeps the list current after a connect.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Connection } from './api';
import { connections, toApiError } from './api';
import { mergeConnection } from './connectForm';

export interface ConnectionList {
  loading: boolean;
  /** Null before the first load finished, or when it failed. */
  connections: Connection[] | null;
  error: ApiError | null;
}

export interface ConnectionActions {
  reload: () => void;
  /** Shows a connection the backend just saved, without another round trip. */
  saved: (connection: Connection) => void;
}

export function useConnections(): [ConnectionList, ConnectionActions] {
  const [state, setState] = useState<ConnectionList>({ loading: true, connections: null, error: null });
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((prev) => ({ ...prev, loading: true }));
    connections().then(
      (list) => {
        if (mine === generation.current) {
          setState({ loading: false, connections: list, error: null });
        }
      },
      (reason: unknown) => {
        if (mine === generation.current) {
          setState({ loading: false, connections: null, error: toApiError(reason) });
        }
      },
    );
  }, []);

  const saved = useCallback(
    (connection: Connection) => {
      if (state.connections === null) {
        reload(); // the list never loaded, so there is nothing to add the connection to
        return;
      }
      // A load still in flight may predate the save; its answer must not hide the new connection.
      generation.current += 1;
      setState((prev) => ({
        loading: false,
        connections: mergeConnection(prev.connections ?? [], connection),
        error: null,
      }));
    },
    [state.connections, reload],
  );

  useEffect(reload, [reload]);

  return [state, { reload, saved }];
}
