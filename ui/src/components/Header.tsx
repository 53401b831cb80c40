interface Props {
  version: string | null;
  schemaVersion: number | null;
}

export function Header({ version, schemaVersion }: Props) {
  return (
    <header class="app-header">
      <h1 class="app-title">Tillbridge</h1>
      <dl class="app-meta">
        <div>
          <dt>Version</dt>
          <dd data-testid="app-version">{version ?? '…'}</dd>
        </div>
        <div>
          <dt>Schema</dt>
          <dd data-testid="schema-version">{schemaVersion ?? '…'}</dd>
        </div>
      </dl>
    </header>
  );
}
