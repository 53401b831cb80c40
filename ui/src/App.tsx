import { useEffect, useState } from 'preact/hooks';
import { onboarding, pauseState } from './api';
import { ConflictsScreen } from './components/ConflictsScreen';
import { ErrorBanner } from './components/ErrorBanner';
import { FailedScreen } from './components/FailedScreen';
import { HomeScreen } from './components/HomeScreen';
import { KillSwitchBanner } from './components/KillSwitch';
import { RunsScreen } from './components/RunsScreen';
import { Header } from './components/Header';
import { InventoryScreen } from './components/InventoryScreen';
import { LocationsScreen } from './components/LocationsScreen';
import { MappingScreen } from './components/MappingScreen';
import { Nav } from './components/Nav';
import { OnboardingScreen } from './components/OnboardingScreen';
import { OrdersScreen } from './components/OrdersScreen';
import { SettingsScreen } from './components/SettingsScreen';
import { SyncScreen } from './components/SyncScreen';
import { SETUP_SCREEN, hashFor, screenFromHash } from './nav';
import { opensOnStart } from './onboarding';
import { useOverview } from './useOverview';
import { usableZone } from './format';
import { TimeZoneContext } from './useTimeZone';

export function App() {
  const [screen, setScreen] = useState(() => screenFromHash(window.location.hash));
  const [overview, reload] = useOverview();
  // The kill switch is read on its own, every few seconds: another window or the CLI may flip it.
  const [paused, setPaused] = useState<boolean | null>(null);
  useEffect(() => {
    const read = () =>
      pauseState()
        .then((p) => setPaused(p.paused))
        .catch(() => {});
    read();
    const timer = window.setInterval(read, 5_000);
    return () => window.clearInterval(timer);
  }, []);

  // A first start opens the setup. The answer may come after the operator already picked a
  // screen; the address is read again then, so their choice stands.
  useEffect(() => {
    onboarding()
      .then((view) => {
        if (opensOnStart(view, window.location.hash)) {
          window.location.hash = hashFor(SETUP_SCREEN);
        }
      })
      .catch(() => {});
  }, []);

  useEffect(() => {
    const onHash = () => setScreen(screenFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const versions = overview.health ?? overview.status;
  // Every time on every screen is the store's wall-clock time, whatever this computer is set to.
  const timeZone = overview.status?.time_zone ?? null;
  const zone = usableZone(timeZone?.zone);

  return (
    <TimeZoneContext.Provider value={zone}>
      <div class="shell">
        <Header
          version={versions?.version ?? null}
          schemaVersion={versions?.schema_version ?? null}
          timeZone={timeZone}
        />
        <Nav current={screen} />
        <main class="content">
          <KillSwitchBanner paused={paused} onChanged={setPaused} />
          <ErrorBanner errors={overview.errors} />
          {screen === 'home' && (
            <HomeScreen overview={overview} onRefresh={reload} paused={paused} onPaused={setPaused} />
          )}
          {screen === 'mapping' && <MappingScreen />}
          {screen === 'sync' && <SyncScreen />}
          {screen === 'locations' && <LocationsScreen />}
          {screen === 'inventory' && <InventoryScreen />}
          {screen === 'conflicts' && <ConflictsScreen />}
          {screen === 'orders' && <OrdersScreen />}
          {screen === 'runs' && <RunsScreen />}
          {screen === 'failed' && <FailedScreen />}
          {screen === 'settings' && <SettingsScreen onConnected={reload} status={overview.status} />}
          {screen === 'setup' && <OnboardingScreen onConnected={reload} />}
        </main>
      </div>
    </TimeZoneContext.Provider>
  );
}
