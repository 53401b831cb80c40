import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { setPaused, toApiError } from '../api';
import { asSentence } from '../format';

interface Props {
  paused: boolean | null;
  onChanged: (paused: boolean) => void;
}

/** While writes are paused, a banner on every screen says so and offers to resume them. */
export function KillSwitchBanner({ paused, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (!paused) {
    return null;
  }
  const resume = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged((await setPaused(false)).paused);
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="banner banner-warn" role="status" data-testid="kill-switch-banner">
      <strong class="banner-title">Writes are paused.</strong> Nothing is sent to either store until you resume;
      reads and previews still run, and queued writes wait.{' '}
      <button type="button" class="button button-small" disabled={busy} onClick={() => void resume()}>
        {busy ? 'Resuming…' : 'Resume writes'}
      </button>
      {error && <p class="form-error">{asSentence(error.message)}</p>}
    </div>
  );
}

/** The kill switch's "off" side: a button that pauses every outgoing write. */
export function PauseButton({ paused, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (paused !== false) {
    return null;
  }
  const pause = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged((await setPaused(true)).paused);
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="button"
        data-testid="pause-writes"
        disabled={busy}
        onClick={() => void pause()}
        title="Hold every write to both stores until you resume"
      >
        Pause all writes
      </button>
      {error && (
        <span class="form-error" role="alert">
          Not paused: {asSentence(error.message)}
        </span>
      )}
    </>
  );
}
