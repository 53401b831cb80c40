import type { Owner, SyncField } from '../api';
import { asSentence } from '../format';
import { OWNERS, OWNER_LABELS, SYNC_FIELDS, fieldLabel } from '../sync';
import type { OwnershipState } from '../useOwnership';

interface Props {
  state: OwnershipState;
  onChange: (field: SyncField, owner: Owner) => void;
}

/** Which store's value wins for each field; a change is saved at once and used by the next run. */
export function OwnershipCard({ state, onChange }: Props) {
  const { ownership, saving, saved, error } = state;
  return (
    <section class="card" aria-label="Field ownership" data-testid="ownership">
      <div class="card-head">
        <h2 class="card-title">Field ownership</h2>
        {saving && <span class="muted">Saving…</span>}
        {!saving && saved && (
          <span class="badge badge-ok" role="status" data-testid="ownership-saved">
            Saved
          </span>
        )}
      </div>
      <p class="muted card-note">
        The owner's value is copied to the other store. Don't sync leaves the field alone on both sides.
      </p>
      {ownership === null && !error && <p class="muted">Loading…</p>}
      {ownership !== null && (
        <div class="ownership-grid">
          {SYNC_FIELDS.map((field) => {
            const id = `owner-${field}`;
            return (
              <div class="field ownership-field" key={field}>
                <label for={id}>{fieldLabel(field)}</label>
                <select
                  id={id}
                  class="input"
                  data-testid={id}
                  value={ownership[field]}
                  disabled={saving}
                  onChange={(e) => onChange(field, (e.currentTarget as HTMLSelectElement).value as Owner)}
                >
                  {OWNERS.map((owner) => (
                    <option key={owner} value={owner}>
                      {OWNER_LABELS[owner]}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
        </div>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="ownership-error">
          <strong>Not saved.</strong> {asSentence(error.message)}
        </p>
      )}
    </section>
  );
}
