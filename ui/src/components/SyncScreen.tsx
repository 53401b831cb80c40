import { useOwnership } from '../useOwnership';
import { useSync } from '../useSync';
import { useSyncChanges } from '../useSyncChanges';
import { OwnershipCard } from './OwnershipCard';
import { SyncChanges } from './SyncChanges';
import { SyncRunCard } from './SyncRunCard';

export function SyncScreen() {
  const [ownership, changeOwner] = useOwnership();
  const [sync, start] = useSync();
  // The changes are reloaded when a run finishes (or another one is found finished).
  const progress = sync.progress;
  const runKey = progress === null || progress.running ? 'pending' : `${progress.run_id}:${progress.finished_at}`;
  // Reloaded after an ownership save too: it makes the preview stale.
  const [changes, setChangesOffset] = useSyncChanges(`${runKey}:${ownership.saving}`);

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Sync</h2>
      </div>
      <p class="muted intro">
        Choose which store owns each field, preview what a sync would change, then run it. Only matched
        variants are synced; review the rest on the Mapping screen.
      </p>
      <OwnershipCard state={ownership} onChange={changeOwner} />
      <SyncRunCard state={sync} preview={changes.preview} onStart={start} />
      <SyncChanges state={changes} onOffset={setChangesOffset} />
    </div>
  );
}
