import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Connection } from '../api';
import { toApiError } from '../api';
import type { FieldErrors } from '../connectForm';
import { hasErrors } from '../connectForm';
import type { SystemInfo } from '../format';
import { asSentence } from '../format';
import { ConnectionBadge, ConnectionFacts } from './ConnectionFacts';

/** The token field is always called `token`: it is the one that is cleared and never shown. */
type FormValues = Record<string, string> & { token: string };

export interface FieldSpec<F extends FormValues> {
  name: keyof F & string;
  label: string;
  testId: string;
  type: 'url' | 'text' | 'password';
  help: string;
  placeholder?: string;
  /** May be left empty (the backend then uses its default). */
  optional?: boolean;
}

interface Props<F extends FormValues> {
  system: SystemInfo;
  fields: readonly FieldSpec<F>[];
  submitTestId: string;
  /** This system's connections; null while they load or when loading failed. */
  current: Connection[] | null;
  /** The form to start from, given the current connection (if any). */
  initial: (current: Connection | undefined) => F;
  validate: (form: F) => FieldErrors<F>;
  /** Sends the form to the backend, which checks it against the store and saves it. */
  submit: (form: F) => Promise<Connection>;
  onConnected: (saved: Connection) => void;
  children?: ComponentChildren;
}

export function ConnectForm<F extends FormValues>({
  system,
  fields,
  submitTestId,
  current,
  initial,
  validate,
  submit,
  onConnected,
  children,
}: Props<F>) {
  const [form, setForm] = useState<F>(() => initial(current?.[0]));
  const [edited, setEdited] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<F>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<Connection | null>(null);
  const mounted = useRef(true);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  // Until the operator types, follow the stored connection so "connect again" starts from it.
  const first = current?.[0];
  useEffect(() => {
    if (!edited) {
      setForm(initial(first));
    }
    // `initial` is a plain function of its argument; the stored connection is what changes.
  }, [first?.store_ref, first?.api_url, first?.api_version, edited]);

  const idFor = (name: string) => `${system.id}-${name}`;

  const onInput = (name: keyof F & string, value: string) => {
    setEdited(true);
    setForm((prev) => ({ ...prev, [name]: value }));
    if (fieldErrors[name]) {
      setFieldErrors((prev) => ({ ...prev, [name]: undefined }));
    }
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    setError(null);
    setSaved(null);
    const problems = validate(form);
    setFieldErrors(problems);
    if (hasErrors(problems)) {
      const firstBad = fields.find((f) => problems[f.name]);
      if (firstBad) {
        formRef.current?.querySelector<HTMLInputElement>(`#${idFor(firstBad.name)}`)?.focus();
      }
      return; // nothing was sent, so the token stays for the operator to fix the other field
    }
    setBusy(true);
    try {
      const connection = await submit(form);
      if (mounted.current) {
        setSaved(connection);
      }
      onConnected(connection);
    } catch (reason) {
      if (mounted.current) {
        setError(toApiError(reason));
      }
    } finally {
      if (mounted.current) {
        // Whatever the answer, the token leaves the page: it is in the secret store or it was wrong.
        setForm((prev) => ({ ...prev, token: '' }));
        setBusy(false);
      }
    }
  };

  // Shared by every field; `type` is written out per kind because Preact types each kind apart.
  const inputProps = (field: FieldSpec<F>, id: string, describedBy: string, problem: string | undefined) => ({
    id,
    name: field.name,
    class: 'input',
    'data-testid': field.testId,
    value: form[field.name] ?? '',
    placeholder: field.placeholder,
    autocomplete: 'off',
    autocapitalize: 'off' as const,
    spellcheck: false,
    required: !field.optional,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': describedBy,
    onInput: (e: Event) => onInput(field.name, (e.currentTarget as HTMLInputElement).value),
  });

  const connected = current !== null && current.length > 0;

  return (
    <section class="card" aria-label={`${system.label} connection`} data-testid={`settings-${system.id}`}>
      <div class="card-head">
        <h2 class="card-title">{system.label}</h2>
        <ConnectionBadge connections={current} />
      </div>
      {children}

      {connected && (
        <div class="current" data-testid={`connection-detail-${system.id}`}>
          <h3 class="section-label">{current.length === 1 ? 'Current connection' : 'Current connections'}</h3>
          {current.map((c) => (
            <ConnectionFacts key={`${c.name}:${c.store_ref}`} connection={c} now={new Date()} />
          ))}
        </div>
      )}

      <form class="form" ref={formRef} onSubmit={onSubmit} noValidate aria-busy={busy}>
        <fieldset class="form-fields" disabled={busy}>
          <legend class="section-label">{connected ? 'Connect again' : 'Connect'}</legend>
          {fields.map((field) => {
            const id = idFor(field.name);
            const problem = fieldErrors[field.name];
            const describedBy = problem ? `${id}-help ${id}-problem` : `${id}-help`;
            return (
              <div class="field" key={field.name}>
                <label for={id}>{field.label}</label>
                {field.type === 'password' && (
                  <input type="password" {...inputProps(field, id, describedBy, problem)} />
                )}
                {field.type === 'url' && <input type="url" {...inputProps(field, id, describedBy, problem)} />}
                {field.type === 'text' && <input type="text" {...inputProps(field, id, describedBy, problem)} />}
                <p class="field-help" id={`${id}-help`}>
                  {field.help}
                </p>
                {problem && (
                  <p class="field-problem" id={`${id}-problem`}>
                    {problem}
                  </p>
                )}
              </div>
            );
          })}
          <div class="form-actions">
            <button
              type="submit"
              class="button button-primary"
              data-testid={submitTestId}
              disabled={busy}
            >
              {busy ? 'Checking…' : 'Connect'}
            </button>
            {busy && (
              <span class="muted" role="status">
                Checking the credentials with {system.label}…
              </span>
            )}
          </div>
        </fieldset>
      </form>

      {error && (
        <div class="form-error" role="alert" data-testid={`connect-error-${system.id}`}>
          <strong>Not connected.</strong> {asSentence(error.message)}
          <p class="form-note">Nothing was saved. Correct the settings, paste the token again and retry.</p>
        </div>
      )}
      {saved && (
        <div class="form-success" role="status" data-testid={`connect-success-${system.id}`}>
          <strong>Connected.</strong> {system.label} accepted the token for{' '}
          <span class="mono">{saved.store_ref}</span>; it is kept in the secret store.
        </div>
      )}
    </section>
  );
}
