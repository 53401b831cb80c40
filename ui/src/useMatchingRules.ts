// The matching rules editor's state: the rules the backend holds, the operator's draft of them,
// and saving it (which re-matches the stored catalogs and answers the new counts).

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, MappingCounts, MatchRules } from './api';
import { matchingRules, setMatchingRules, toApiError } from './api';
import type { RowProblem, RulesDraft } from './rules';
import { draftFromRules, rulesFromDraft } from './rules';

export interface MatchingRulesState {
  /** What the backend holds; null until loaded. */
  saved: MatchRules | null;
  draft: RulesDraft | null;
  loadError: ApiError | null;
  saving: boolean;
  /** The draft's problems, once a save has been tried; they follow the edits from then on. */
  problems: RowProblem[];
  /** The backend's refusal of the last save. */
  saveError: ApiError | null;
  /** The counts after the last accepted save, until the next edit. */
  savedCounts: MappingCounts | null;
}

export interface MatchingRulesControls {
  /** Applies an edit to the latest draft (several may arrive before the next render). */
  edit: (update: (draft: RulesDraft) => RulesDraft) => void;
  save: () => void;
  discard: () => void;
}

export function useMatchingRules(onSaved: (counts: MappingCounts) => void): [MatchingRulesState, MatchingRulesControls] {
  const [state, setState] = useState<MatchingRulesState>({
    saved: null,
    draft: null,
    loadError: null,
    saving: false,
    problems: [],
    saveError: null,
    savedCounts: null,
  });
  // Once a save was refused for the draft's problems, they are checked again at every edit, so a
  // fixed cell stops being marked at once.
  const checking = useRef(false);
  const alive = useRef(true);
  const saved = useRef(onSaved);
  saved.current = onSaved;

  useEffect(() => {
    alive.current = true;
    matchingRules().then(
      (rules) => alive.current && setState((prev) => ({ ...prev, saved: rules, draft: draftFromRules(rules) })),
      (reason: unknown) => alive.current && setState((prev) => ({ ...prev, loadError: toApiError(reason) })),
    );
    return () => {
      alive.current = false;
    };
  }, []);

  const edit = useCallback((update: (draft: RulesDraft) => RulesDraft) => {
    setState((prev) => {
      if (prev.draft === null) {
        return prev;
      }
      const next = update(prev.draft);
      return {
        ...prev,
        draft: next,
        problems: checking.current ? rulesFromDraft(next).problems : [],
        savedCounts: null,
      };
    });
  }, []);

  const save = useCallback(() => {
    if (state.draft === null || state.saving) {
      return;
    }
    const check = rulesFromDraft(state.draft);
    if (check.rules === null) {
      checking.current = true;
      setState((prev) => ({ ...prev, problems: check.problems, saveError: null, savedCounts: null }));
      return;
    }
    const rules = check.rules;
    setState((prev) => ({ ...prev, saving: true, problems: [], saveError: null, savedCounts: null }));
    setMatchingRules(rules).then(
      (counts) => {
        if (!alive.current) {
          return;
        }
        checking.current = false;
        // The draft is rebuilt from what was sent: trimmed, empty rows gone.
        setState((prev) => ({
          ...prev,
          saved: rules,
          draft: draftFromRules(rules),
          saving: false,
          savedCounts: counts,
        }));
        saved.current(counts);
      },
      (reason: unknown) => {
        if (alive.current) {
          setState((prev) => ({ ...prev, saving: false, saveError: toApiError(reason) }));
        }
      },
    );
  }, [state.draft, state.saving]);

  const discard = useCallback(() => {
    checking.current = false;
    setState((prev) =>
      prev.saved === null
        ? prev
        : { ...prev, draft: draftFromRules(prev.saved), problems: [], saveError: null, savedCounts: null },
    );
  }, []);

  return [state, { edit, save, discard }];
}
