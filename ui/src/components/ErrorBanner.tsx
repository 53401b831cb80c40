import type { ApiError } from '../api';
import { distinctErrors, errorHint } from '../format';

interface Props {
  errors: readonly ApiError[];
}

export function ErrorBanner({ errors }: Props) {
  const shown = distinctErrors(errors);
  if (shown.length === 0) {
    return null;
  }
  return (
    <div class="banner banner-error" role="alert" data-testid="error">
      <strong class="banner-title">Something went wrong talking to Tillbridge</strong>
      <ul class="banner-list">
        {shown.map((e) => {
          const hint = errorHint(e);
          return (
            <li key={`${e.code ?? ''}:${e.message}`}>
              <span class="banner-message">{e.message}</span>
              {e.code && <code class="banner-code">{e.code}</code>}
              {hint && <p class="banner-hint">{hint}</p>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
