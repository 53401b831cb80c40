// Loads one page of the mapping for the current filter, search and offset, and keeps only the
// newest answer when the operator clicks through tabs faster than the backend replies.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, MappingPage, MappingQuery } from './api';
import { mapping, toApiError } from './api';
import { clampOffset } from './mapping';

export interface MappingState {
  loading: boolean;
  /** The last page that loaded; kept while the next one loads so the table does not flash empty. */
  page: MappingPage | null;
  /** The query `page` answers. */
  shown: MappingQuery | null;
  error: ApiError | null;
}

/**
 * `query` is the page to show; `onOffsetClamped` is told when an action emptied the last page
 * and the page before it should be shown instead.
 */
export function useMapping(
  query: MappingQuery,
  onOffsetClamped: (offset: number) => void,
): [MappingState, () => void] {
  const [state, setState] = useState<MappingState>({ loading: true, page: null, shown: null, error: null });
  const generation = useRef(0);
  const clamped = useRef(onOffsetClamped);
  clamped.current = onOffsetClamped;

  const load = useCallback(() => {
    const mine = ++generation.current;
    setState((prev) => ({ ...prev, loading: true }));
    mapping(query).then(
      (page) => {
        if (mine !== generation.current) {
          return; // a newer load started; its answer wins
        }
        const offset = clampOffset(query.offset, page.total, query.limit);
        if (page.rows.length === 0 && offset !== query.offset) {
          clamped.current(offset);
          return;
        }
        setState({ loading: false, page, shown: query, error: null });
      },
      (reason: unknown) => {
        if (mine === generation.current) {
          setState((prev) => ({ ...prev, loading: false, error: toApiError(reason) }));
        }
      },
    );
  }, [query.class, query.q, query.offset, query.limit, query.sort, query.group]);

  useEffect(load, [load]);

  return [state, load];
}
