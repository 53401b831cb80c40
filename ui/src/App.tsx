import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { MappingScreen } from './components/MappingScreen';
import { Nav } from './components/Nav';
import { SettingsScreen } from './components/SettingsScreen';
import { StatusScreen } from './components/StatusScreen';
import { SyncScreen } from './components/SyncScreen';
import { screenFromHash } from './nav';
import { useOverview } from './useOverview';

export function App() {
  const [screen, setScreen] = useState(() => screenFromHash(window.location.hash));
  const [overview, reload] = useOverview();

  useEffect(() => {
    const onHash = () => setScreen(screenFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const versions = overview.health ?? overview.status;

  return (
    <div class="shell">
      <Header version={versions?.version ?? null} schemaVersion={versions?.schema_version ?? null} />
      <Nav current={screen} />
      <main class="content">
        <ErrorBanner errors={overview.errors} />
        {screen === 'status' && <StatusScreen overview={overview} onRefresh={reload} />}
        {screen === 'mapping' && <MappingScreen />}
        {screen === 'sync' && <SyncScreen />}
        {screen === 'settings' && <SettingsScreen onConnected={reload} />}
      </main>
    </div>
  );
}
