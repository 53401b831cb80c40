import type { ApiError } from '../api';
import { asSentence } from '../format';

/** What the last action on a screen did: its error, or its notice. `id` prefixes the test ids. */
export function Outcome(props: { id: string; error: ApiError | null; notice: string | null }) {
  const { id, error, notice } = props;
  return (
    <>
      {error && (
        <p class="form-error" role="alert" data-testid={`${id}-error`}>
          <strong>That did not work.</strong> {asSentence(error.message)}
        </p>
      )}
      {notice && (
        <p class="form-success" role="status" data-testid={`${id}-notice`}>
          {notice}
        </p>
      )}
    </>
  );
}
