import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type {
  ApiError,
  Connection,
  LocationsView,
  OnboardingStep,
  OnboardingView,
  OrderChannelsView,
  OrdersConfig,
  StockOwner,
} from '../api';
import {
  chooseOrderChannel,
  locations,
  mapLocations,
  onboarding,
  orderChannels,
  orders,
  setOnboardingDismissed,
  setOrdersConfig,
  setOwnership,
  toApiError,
} from '../api';
import { hashFor } from '../nav';
import { STATE_LABELS, STEPS, SUGGESTED_BY_LABELS, doneCount, nextStep, previousStep, shownStep, stepTitle } from '../onboarding';
import { OWNERS } from '../stock';
import { useConnections } from '../useConnections';
import { useOwnership } from '../useOwnership';
import { useSync } from '../useSync';
import { useSyncChanges } from '../useSyncChanges';
import { Outcome } from './Outcome';
import { OwnershipCard } from './OwnershipCard';
import { ScheduleCard } from './ScheduleCard';
import { StockOwnerSelect } from './StockOwnerSelect';
import { StoreConnectForms } from './StoreConnectForms';
import { SyncChanges } from './SyncChanges';
import { SyncRunCard } from './SyncRunCard';

interface Props {
  /** Called after a store was connected, so the header and the home screen reload. */
  onConnected: () => void;
}

const STATE_BADGES = { done: 'badge badge-ok', current: 'badge badge-accent', waiting: 'badge badge-muted' } as const;

/** Runs one action of a step: busy while it goes, its error or notice after. */
function useAction(onChanged: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
      onChanged();
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, notice, run, setError };
}

function ConnectStep({ done, onConnected }: { done: boolean; onConnected: () => void }) {
  const [list, { saved }] = useConnections();
  const connected = (c: Connection) => {
    saved(c);
    onConnected();
  };
  return (
    <>
      <div class="hint-box" data-testid="onboarding-demo">
        <p>
          <strong>Try it first on emulated stores.</strong> The demo starts a BigCommerce and a Shopify store seeded
          with a realistically messy catalog, connects Tillbridge to them and opens this panel on its own database,
          so nothing real is touched. Quit this window and run:
        </p>
        <pre class="command">tillbridge demo</pre>
        <p class="muted">On the demo, this step is already done: both emulated stores are connected.</p>
      </div>
      {!done && (
        <>
          <p>Or connect your own stores: each token is checked with one call before it is saved.</p>
          <StoreConnectForms connections={list.connections} onConnected={connected} />
        </>
      )}
    </>
  );
}

function PosChannelStep({ onChanged }: { onChanged: () => void }) {
  const [config, setConfig] = useState<OrdersConfig | null>(null);
  const [shops, setShops] = useState<LocationsView['shopify']>([]);
  const [channels, setChannels] = useState<OrderChannelsView | null>(null);
  // The channel's id as the select holds it; '' is Tillbridge's own channel.
  const [channel, setChannel] = useState('');
  const action = useAction(onChanged);
  const channelsRead = (v: OrderChannelsView) => {
    setChannels(v);
    setChannel(v.chosen === null ? '' : String(v.chosen));
  };
  useEffect(() => {
    orders(null, 1).then((v) => setConfig(v.config), (r: unknown) => action.setError(toApiError(r)));
    locations().then((v) => setShops(v.shopify.filter((l) => l.active)), (r: unknown) => action.setError(toApiError(r)));
    orderChannels().then(channelsRead, (r: unknown) => action.setError(toApiError(r)));
  }, []);
  if (config === null) {
    return <Outcome id="pos" error={action.error} notice={null} />;
  }
  const toggle = (id: string, on: boolean) =>
    setConfig({ ...config, locations: on ? [...config.locations, id] : config.locations.filter((l) => l !== id) });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const saved = await setOrdersConfig(config);
          setConfig(saved);
          if (!saved.enabled) {
            return 'Saved: POS sales stay in Shopify.';
          }
          let on = '';
          if (channels !== null) {
            const view = await chooseOrderChannel({ channel_id: channel === '' ? null : Number(channel) });
            channelsRead(view);
            const picked = view.channels.find((c) => c.id === view.chosen);
            on = picked ? ` on the channel ${picked.name}` : ` on Tillbridge's own channel ${view.default_name}`;
          }
          return `Saved: POS sales become BigCommerce orders${on} from the next orders cycle.`;
        });
      }}
    >
      <label class="field field-check">
        <input
          type="checkbox"
          data-testid="pos-enabled"
          checked={config.enabled}
          disabled={action.busy}
          onChange={(e) => setConfig({ ...config, enabled: (e.target as HTMLInputElement).checked })}
        />
        <span>Carry Shopify POS sales into BigCommerce as orders</span>
      </label>
      {channels !== null && (
        <label class="field">
          <span>BigCommerce channel the orders are recorded on</span>
          <select
            data-testid="pos-channel"
            value={channel}
            disabled={action.busy || !config.enabled}
            onChange={(e) => setChannel((e.target as HTMLSelectElement).value)}
          >
            <option value="">Tillbridge's own "{channels.default_name}" (found or created with the first order)</option>
            {channels.channels.map((c) => (
              <option value={String(c.id)} key={c.id}>
                {c.name} ({c.kind}, {c.platform}, id {c.id})
              </option>
            ))}
          </select>
        </label>
      )}
      <p class="muted">Sales from before the first orders cycle are left alone.</p>
      {shops.length > 0 && (
        <fieldset class="fieldset" disabled={action.busy || !config.enabled}>
          <legend>Only the sales rung up at these locations (none ticked: every location)</legend>
          {shops.map((l) => (
            <label class="field field-check" key={l.id}>
              <input
                type="checkbox"
                data-testid="pos-location"
                value={l.id}
                checked={config.locations.includes(l.id)}
                onChange={(e) => toggle(l.id, (e.target as HTMLInputElement).checked)}
              />
              <span>{l.name}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={action.busy} data-testid="pos-save">
          Save the POS choice
        </button>
      </div>
      <Outcome id="pos" error={action.error} notice={action.notice} />
    </form>
  );
}

function LocationsStep({ onChanged }: { onChanged: () => void }) {
  const [view, setView] = useState<LocationsView | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [owner, setOwner] = useState<StockOwner>('both');
  const load = useCallback(async () => {
    const v = await locations();
    setView(v);
    setChosen(new Set(v.suggestions.map((s) => `${s.bigcommerce_location_id}|${s.shopify_location_id}`)));
  }, []);
  const action = useAction(() => {
    onChanged();
    void load().catch(() => {});
  });
  useEffect(() => {
    load().catch((r: unknown) => action.setError(toApiError(r)));
  }, [load]);
  if (view === null) {
    return action.error ? <Outcome id="suggestions" error={action.error} notice={null} /> : <p class="muted">Reading both stores' locations…</p>;
  }
  const picked = view.suggestions.filter((s) => chosen.has(`${s.bigcommerce_location_id}|${s.shopify_location_id}`));
  return (
    <>
      {view.pairs.length > 0 && (
        <ul class="plain-list" data-testid="onboarding-pairs" aria-label="Paired locations">
          {view.pairs.map((p) => (
            <li key={p.id}>
              {p.name} <span class="muted">(stock owned by {OWNERS.find((o) => o.value === p.owner)?.label ?? p.owner})</span>
            </li>
          ))}
        </ul>
      )}
      {view.suggestions.length === 0 ? (
        <p class="muted" data-testid="suggestions-none">
          No location left with the same name or address on both stores.
        </p>
      ) : (
        <fieldset class="fieldset" disabled={action.busy}>
          <legend>Suggested pairs</legend>
          {view.suggestions.map((s) => {
            const key = `${s.bigcommerce_location_id}|${s.shopify_location_id}`;
            return (
              <label class="field field-check" key={key}>
                <input
                  type="checkbox"
                  data-testid="suggestion"
                  checked={chosen.has(key)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if ((e.target as HTMLInputElement).checked) next.add(key);
                    else next.delete(key);
                    setChosen(next);
                  }}
                />
                <span>
                  {s.name} <span class="muted">({SUGGESTED_BY_LABELS[s.by]})</span>
                </span>
              </label>
            );
          })}
          <label class="field">
            <span>Which store's stock counts</span>
            <StockOwnerSelect testId="suggestion-owner" value={owner} onChange={setOwner} />
          </label>
          <div class="form-actions">
            <button
              type="button"
              class="button button-primary"
              data-testid="suggestions-pair"
              disabled={picked.length === 0}
              onClick={() =>
                void action.run(async () => {
                  for (const s of picked) {
                    await mapLocations({
                      bigcommerce_location_id: s.bigcommerce_location_id,
                      shopify_location_id: s.shopify_location_id,
                      owner,
                      same_window: 'merge',
                      hold_back: 0,
                      cap: null,
                    });
                  }
                  return `Paired ${picked.length === 1 ? '1 location' : `${picked.length} locations`}; their stock is aligned with the next stock cycle.`;
                })
              }
            >
              Pair the {picked.length === 1 ? 'chosen location' : `${picked.length} chosen locations`}
            </button>
          </div>
        </fieldset>
      )}
      <p class="muted">
        Anything else (another pairing, a buffer held back, what happens when both stores sell the last unit) is on the{' '}
        <a href={hashFor('locations')}>Locations screen</a>.
      </p>
      <Outcome id="suggestions" error={action.error} notice={action.notice} />
    </>
  );
}

function OwnersStep({ onChanged }: { onChanged: () => void }) {
  const [state, change] = useOwnership();
  const action = useAction(onChanged);
  useEffect(() => {
    if (state.saved) onChanged();
  }, [state.saved]);
  return (
    <>
      <OwnershipCard state={state} onChange={change} />
      <div class="form-actions">
        <button
          type="button"
          class="button button-primary"
          data-testid="owners-keep"
          disabled={state.ownership === null || state.saving || action.busy}
          onClick={() =>
            void action.run(async () => {
              if (state.ownership === null) return 'Nothing to save yet.';
              await setOwnership(state.ownership);
              return 'Saved: the next sync moves each field from its owner.';
            })
          }
        >
          Keep these owners
        </button>
      </div>
      <Outcome id="owners" error={action.error} notice={action.notice} />
    </>
  );
}

function SyncStep({ showChanges, onChanged }: { showChanges: boolean; onChanged: () => void }) {
  const [sync, start] = useSync();
  const progress = sync.progress;
  const runKey = progress === null || progress.running ? 'pending' : `${progress.run_id}:${progress.finished_at}`;
  const [changes, setOffset] = useSyncChanges(runKey);
  useEffect(() => {
    if (runKey !== 'pending') onChanged();
  }, [runKey]);
  return (
    <>
      <SyncRunCard state={sync} preview={changes.preview} onStart={start} />
      {showChanges && <SyncChanges state={changes} onOffset={setOffset} />}
    </>
  );
}

function StepBody({ step, view, onChanged, onConnected }: { step: OnboardingStep; view: OnboardingView; onChanged: () => void; onConnected: () => void }) {
  const done = view.steps.find((s) => s.step === step)?.state === 'done';
  switch (step) {
    case 'connect':
      return (
        <ConnectStep
          done={done}
          onConnected={() => {
            onConnected();
            onChanged();
          }}
        />
      );
    case 'pos_channel':
      return <PosChannelStep onChanged={onChanged} />;
    case 'locations':
      return <LocationsStep onChanged={onChanged} />;
    case 'owners':
      return <OwnersStep onChanged={onChanged} />;
    case 'preview':
      return (
        <>
          <p class="muted">Press Preview: both catalogs are read and matched, and every change a sync would make is listed. Nothing is written.</p>
          <SyncStep showChanges onChanged={onChanged} />
        </>
      );
    case 'full_sync':
      return (
        <>
          <p class="muted">
            Press Full sync to make the changes the preview listed. Writes that fail wait on the Failed screen with
            their reason; the rest go on.
          </p>
          <SyncStep showChanges={false} onChanged={onChanged} />
        </>
      );
    case 'schedule':
      return <ScheduleCard onSaved={onChanged} />;
  }
}

/** The first-run setup, one step at a time; each step uses the same calls as the screen it stands for. */
export function OnboardingScreen({ onConnected }: Props) {
  const [view, setView] = useState<OnboardingView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [picked, setPicked] = useState<OnboardingStep | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  const reload = useCallback(() => {
    onboarding().then(
      (v) => {
        setView(v);
        // The step shown first is the current one, and it stays shown when it turns done: the
        // operator reads the outcome before moving on.
        setPicked((p) => p ?? shownStep(v, null));
        setError(null);
      },
      (reason: unknown) => setError(toApiError(reason)),
    );
  }, []);
  useEffect(reload, [reload]);

  // Moving to another step moves the keyboard focus to its title, so the next Tab starts there.
  useEffect(() => {
    if (moved.current) {
      moved.current = false;
      heading.current?.focus();
    }
  }, [picked]);
  const go = (step: OnboardingStep) => {
    moved.current = true;
    setPicked(step);
  };

  const skip = async () => {
    try {
      await setOnboardingDismissed(true);
      window.location.hash = hashFor('home');
    } catch (reason) {
      setError(toApiError(reason));
    }
  };

  if (view === null) {
    return (
      <div class="screen" data-testid="onboarding">
        <h2 class="screen-title">Set up Tillbridge</h2>
        {error ? <Outcome id="onboarding" error={error} notice={null} /> : <p class="muted">Loading…</p>}
      </div>
    );
  }

  const step = shownStep(view, picked);
  const index = STEPS.findIndex((s) => s.id === step);
  const shown = view.steps.find((s) => s.step === step);
  const next = nextStep(step);
  const back = previousStep(step);

  return (
    <div class="screen" data-testid="onboarding">
      <div class="toolbar">
        <h2 class="screen-title">Set up Tillbridge</h2>
        <div class="toolbar-right">
          <span class="muted" data-testid="onboarding-count">
            {doneCount(view)} of {view.steps.length} done
          </span>
          <button
            type="button"
            class="button button-quiet"
            data-testid="onboarding-skip"
            title="Settings opens the setup again"
            onClick={() => void skip()}
          >
            {view.complete ? 'Close' : 'Skip setup'}
          </button>
        </div>
      </div>
      <Outcome id="onboarding" error={error} notice={null} />
      {view.complete && (
        <p class="form-success" role="status" data-testid="onboarding-complete">
          Tillbridge is set up: both stores are connected, synced once, and the morning sync is chosen.{' '}
          <a href={hashFor('home')}>Open the home screen</a>.
        </p>
      )}
      <div class="onboarding">
        <ol class="onboarding-steps" aria-label="Setup steps">
          {view.steps.map((s, i) => (
            <li key={s.step}>
              <button
                type="button"
                class={s.step === step ? 'onboarding-step selected' : 'onboarding-step'}
                aria-current={s.step === step ? 'step' : undefined}
                data-testid={`onboarding-step-${s.step}`}
                data-state={s.state}
                onClick={() => go(s.step)}
              >
                <span class="onboarding-step-title">
                  {i + 1}. {stepTitle(s.step)}
                </span>
                <span class={STATE_BADGES[s.state]}>{STATE_LABELS[s.state]}</span>
              </button>
            </li>
          ))}
        </ol>
        <section class="card onboarding-panel" aria-labelledby="onboarding-title" data-testid="onboarding-panel" data-step={step} data-state={shown?.state}>
          <h3 class="card-title" id="onboarding-title" tabIndex={-1} ref={heading}>
            {index + 1}. {stepTitle(step)}
          </h3>
          <p data-testid="onboarding-summary">{shown?.summary}</p>
          <StepBody key={step} step={step} view={view} onChanged={reload} onConnected={onConnected} />
          <div class="form-actions onboarding-nav">
            <button type="button" class="button" data-testid="onboarding-back" disabled={back === null} onClick={() => back && go(back)}>
              Back
            </button>
            {next !== null ? (
              <button type="button" class="button button-primary" data-testid="onboarding-next" onClick={() => go(next)}>
                Next: {stepTitle(next)}
              </button>
            ) : (
              <a class="button button-primary" data-testid="onboarding-finish" href={hashFor('home')}>
                Open the home screen
              </a>
            )}
          </div>
        </section>
      </div>
    </div>
  );
}
