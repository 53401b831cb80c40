import { useEffect, useRef, useState } from 'preact/hooks';
import type { MappingCounts } from '../api';
import { asSentence } from '../format';
import type { RowProblem, RulesDraft, SynonymCell, SynonymRow, SynonymTable } from '../rules';
import {
  SKU_RULES,
  SYNONYM_TABLES,
  TABLE_EXAMPLES,
  TABLE_LABELS,
  addRow,
  countsSummary,
  editRow,
  isDirty,
  problemAt,
  removeRow,
  withSkuRule,
} from '../rules';
import { useMatchingRules } from '../useMatchingRules';

interface Props {
  /** Told after the backend accepted new rules and re-matched, so the screen reloads its rows. */
  onSaved: (counts: MappingCounts) => void;
}

/**
 * How SKUs are compared and which option names and values mean the same thing. Folded away by
 * default: it is set once, then rarely touched.
 */
export function MatchingRulesCard({ onSaved }: Props) {
  const [state, controls] = useMatchingRules(onSaved);
  const { saved, draft, saving, problems, saveError, savedCounts, loadError } = state;
  const dirty = draft !== null && saved !== null && isDirty(draft, saved);

  return (
    <details class="card rules" data-testid="matching-rules">
      <summary class="rules-summary">
        <span class="card-title">Matching rules</span>
        <span class="muted">SKU comparison and option synonyms</span>
        {dirty && <span class="badge badge-warn">Not saved</span>}
      </summary>
      <p class="muted card-note rules-note">
        How Tillbridge compares SKUs, and which option names and values mean the same (an alias is read as its
        canonical word, in any case). Saving matches the catalogs read last again under the new rules; your links
        and ignores are kept.
      </p>
      {loadError && (
        <p class="form-error" role="alert" data-testid="rules-load-error">
          <strong>Could not load the rules.</strong> {asSentence(loadError.message)}
        </p>
      )}
      {draft === null && !loadError && <p class="muted">Loading…</p>}
      {draft !== null && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            controls.save();
          }}
        >
          <fieldset class="rules-sku" disabled={saving}>
            <legend class="section-label">SKU</legend>
            {SKU_RULES.map((rule) => (
              <label key={rule.id} class="check-option">
                <input
                  type="checkbox"
                  data-testid={`sku-${rule.id}`}
                  checked={draft.sku[rule.id]}
                  onChange={(e) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    controls.edit((d) => withSkuRule(d, rule.id, on));
                  }}
                />
                <span>
                  {rule.label} <span class="muted mono">{rule.help}</span>
                </span>
              </label>
            ))}
          </fieldset>

          <div class="rules-tables">
            {SYNONYM_TABLES.map((table) => (
              <SynonymTableEditor
                key={table}
                table={table}
                draft={draft}
                problems={problems}
                disabled={saving}
                onEdit={controls.edit}
              />
            ))}
          </div>

          {problems.length > 0 && (
            <div class="form-error" role="alert" data-testid="rules-problems">
              <strong>Not saved.</strong> Fix these rows first:
              <ul class="rules-problem-list">
                {problems.map((p) => (
                  <li key={`${p.table}:${p.key}`}>{p.message}</li>
                ))}
              </ul>
            </div>
          )}
          {saveError && (
            <p class="form-error" role="alert" data-testid="rules-error">
              <strong>Not saved.</strong> {asSentence(saveError.message)}
            </p>
          )}
          {savedCounts && (
            <p class="form-success" role="status" data-testid="rules-saved">
              <strong>Saved and matched again.</strong> The mapping now has {countsSummary(savedCounts)}.
            </p>
          )}

          <div class="form-actions rules-actions">
            <button
              type="submit"
              class="button button-primary"
              data-testid="rules-save"
              disabled={saving || !dirty}
            >
              {saving ? 'Saving and matching…' : 'Save'}
            </button>
            <button
              type="button"
              class="button"
              data-testid="rules-discard"
              disabled={saving || !dirty}
              onClick={controls.discard}
            >
              Discard changes
            </button>
          </div>
        </form>
      )}
    </details>
  );
}

interface TableProps {
  table: SynonymTable;
  draft: RulesDraft;
  problems: readonly RowProblem[];
  disabled: boolean;
  onEdit: (update: (draft: RulesDraft) => RulesDraft) => void;
}

function SynonymTableEditor({ table, draft, problems, disabled, onEdit }: TableProps) {
  const rows = draft[table];
  const label = TABLE_LABELS[table];
  const body = useRef<HTMLTableSectionElement>(null);
  // The row just added gets the focus, so the operator can type its alias at once.
  const [focusKey, setFocusKey] = useState<number | null>(null);

  useEffect(() => {
    if (focusKey === null) {
      return;
    }
    body.current?.querySelector<HTMLInputElement>(`input[data-key="${focusKey}"]`)?.focus();
    setFocusKey(null);
  }, [focusKey]);

  const onAdd = () => {
    onEdit((d) => addRow(d, table)[0]);
    setFocusKey(draft.nextKey);
  };

  return (
    <section class="rules-table" aria-label={`${label} synonyms`} data-testid={`synonyms-${table}`}>
      <h3 class="section-label">{label}</h3>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Alias</th>
            <th scope="col">Means</th>
            <th scope="col">
              <span class="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.map((row, i) => (
            <SynonymRowEditor
              key={row.key}
              table={table}
              row={row}
              index={i}
              problems={problems}
              disabled={disabled}
              onEdit={onEdit}
            />
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p class="muted rules-empty">No {label.toLowerCase()} synonyms.</p>}
      <button
        type="button"
        class="button button-small rules-add"
        data-testid={`synonyms-${table}-add`}
        disabled={disabled}
        onClick={onAdd}
      >
        Add row
      </button>
    </section>
  );
}

interface RowProps {
  table: SynonymTable;
  row: SynonymRow;
  index: number;
  problems: readonly RowProblem[];
  disabled: boolean;
  onEdit: (update: (draft: RulesDraft) => RulesDraft) => void;
}

function SynonymRowEditor({ table, row, index, problems, disabled, onEdit }: RowProps) {
  const place = `${TABLE_LABELS[table]} row ${index + 1}`;
  const cell = (which: SynonymCell) => {
    const problem = problemAt(problems, table, row.key, which);
    return (
      <td>
        <input
          class="input rules-input"
          data-testid={`synonym-${which}`}
          data-key={which === 'alias' ? row.key : undefined}
          aria-label={`${place} ${which === 'alias' ? 'alias' : 'meaning'}`}
          aria-invalid={problem ? 'true' : undefined}
          title={problem?.message}
          placeholder={TABLE_EXAMPLES[table][which]}
          value={row[which]}
          disabled={disabled}
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => {
            const text = (e.currentTarget as HTMLInputElement).value;
            onEdit((d) => editRow(d, table, row.key, which, text));
          }}
        />
      </td>
    );
  };
  return (
    <tr data-testid="synonym-row">
      {cell('alias')}
      {cell('canonical')}
      <td class="rules-remove">
        <button
          type="button"
          class="button button-small button-quiet"
          data-testid="synonym-remove"
          aria-label={`Remove ${place}`}
          disabled={disabled}
          onClick={() => onEdit((d) => removeRow(d, table, row.key))}
        >
          Remove
        </button>
      </td>
    </tr>
  );
}
