import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MappingUndo } from './api';
import {
  ApiError,
  SYNC_RUNNING,
  confirmAllMatched,
  confirmPairs,
  connectBigCommerce,
  connectShopify,
  connections,
  exportMappingCsv,
  exportSyncPreviewCsv,
  health,
  ignoreVariant,
  inTauri,
  linkVariants,
  mapping,
  mappingCsv,
  matchingRules,
  ownership,
  setMatchingRules,
  setOwnership,
  startSync,
  status,
  syncPreview,
  syncPreviewCsv,
  runs,
  failedJobs,
  jobTimeline,
  retryJobs,
  skipJobs,
  setPaused,
  cancelSync,
  syncProgress,
  toApiError,
  unignoreVariant,
  unlinkVariants,
  undoMapping,
} from './api';

afterEach(() => {
  vi.unstubAllGlobals();
});

function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/json' },
    ...init,
  });
}

describe('toApiError', () => {
  it('keeps the backend error object as code and message', () => {
    const e = toApiError({ code: 'keychain_unavailable', message: 'Keyring is locked' });
    expect(e, 'callers rely on instanceof to tell API failures apart').toBeInstanceOf(ApiError);
    expect(e.code, 'the code drives the keychain hint').toBe('keychain_unavailable');
    expect(e.message, 'the backend message is what the banner shows').toBe('Keyring is locked');
  });

  it('maps null or empty codes to null', () => {
    expect(toApiError({ code: null, message: 'm' }).code, 'null code stays null').toBeNull();
    expect(toApiError({ code: '', message: 'm' }).code, 'an empty code is no code').toBeNull();
  });

  it('wraps strings, Errors and unknown values without losing the text', () => {
    expect(
      toApiError('command status not found').message,
      'Tauri rejects with a bare string when a command is missing',
    ).toBe('command status not found');
    expect(
      toApiError(new TypeError('Failed to fetch'), 'Could not reach').message,
      'network failures get context so the operator knows what was being tried',
    ).toBe('Could not reach: Failed to fetch');
    expect(toApiError(42).message, 'odd rejection values still give a readable message').toBe(
      'Unknown error',
    );
  });
});

describe('HTTP transport (outside Tauri)', () => {
  it('is used when the Tauri internals are absent', () => {
    expect(inTauri(), 'unit tests run outside the Tauri webview').toBe(false);
  });

  it('GETs /api/health and returns the parsed body', async () => {
    const fetchMock = vi.fn(async (_path: string) =>
      jsonResponse({ version: '0.1.0', schema_version: 1 }),
    );
    vi.stubGlobal('fetch', fetchMock);
    await expect(health(), 'the health body is passed through unchanged').resolves.toEqual({
      version: '0.1.0',
      schema_version: 1,
    });
    expect(
      fetchMock.mock.calls[0]?.[0],
      'the path is part of the fixed contract with the backend',
    ).toBe('/api/health');
  });

  it('turns a non-2xx JSON error body into an ApiError', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse({ code: 'keychain_unavailable', message: 'locked' }, { status: 503 }),
      ),
    );
    const err = await status().catch((e: unknown) => e);
    expect(err, 'a failed call must reject with ApiError').toBeInstanceOf(ApiError);
    expect((err as ApiError).code, 'the code must survive the HTTP path').toBe(
      'keychain_unavailable',
    );
    expect((err as ApiError).message, 'the message must survive the HTTP path').toBe('locked');
  });

  it('reports non-JSON answers and bare HTTP errors clearly', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html></html>', { headers: { 'content-type': 'text/html' } })),
    );
    await expect(
      status(),
      'an HTML page (e.g. a different server on the port) must not be mistaken for status',
    ).rejects.toThrow(/did not return JSON/);

    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('', { status: 500, statusText: 'Internal Server Error' })),
    );
    await expect(
      status(),
      'an error without a body still names the request and the status',
    ).rejects.toThrow('GET /api/status failed with HTTP 500 Internal Server Error');
  });

  it('reports an unreachable backend with context', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const err = await health().catch((e: unknown) => e);
    expect(err, 'network failures are ApiErrors too').toBeInstanceOf(ApiError);
    expect((err as ApiError).code, 'network failures carry no backend code').toBeNull();
    expect(
      (err as ApiError).message,
      'the operator must learn the backend could not be reached',
    ).toMatch(/Could not reach the Tillbridge backend/);
  });
});

const CONNECTION = {
  system: 'bigcommerce',
  name: 'abc123',
  store_ref: 'abc123',
  api_url: 'https://api.bigcommerce.com',
  api_version: null,
  verified_at: '2026-05-01T10:00:00Z',
  has_secret: true,
  time_zone: 'America/Chicago',
};

describe('connection calls over HTTP', () => {
  it('GETs /api/connections', async () => {
    const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) => jsonResponse([CONNECTION]));
    vi.stubGlobal('fetch', fetchMock);
    await expect(connections(), 'the list is passed through unchanged').resolves.toEqual([CONNECTION]);
    expect(fetchMock.mock.calls[0]?.[0], 'the path is part of the contract').toBe('/api/connections');
    expect(fetchMock.mock.calls[0]?.[1]?.method, 'reading the list must not POST').toBeUndefined();
  });

  it('POSTs the BigCommerce request as JSON and returns the saved connection', async () => {
    const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) => jsonResponse(CONNECTION));
    vi.stubGlobal('fetch', fetchMock);
    const req = { api_url: 'https://api.bigcommerce.com', store_hash: 'abc123', token: 'tok' };
    await expect(connectBigCommerce(req), 'the saved connection is returned').resolves.toEqual(
      CONNECTION,
    );
    const [path, init] = fetchMock.mock.calls[0] ?? [];
    expect(path, 'the path is part of the contract').toBe('/api/connect/bigcommerce');
    expect(init?.method, 'connecting changes state, so it is a POST').toBe('POST');
    expect(
      new Headers(init?.headers).get('content-type'),
      'the server refuses POSTs that are not labelled JSON',
    ).toBe('application/json');
    expect(JSON.parse(String(init?.body)), 'the body is the request object as JSON').toEqual(req);
  });

  it('POSTs the Shopify request to its own path', async () => {
    const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) =>
      jsonResponse({ ...CONNECTION, system: 'shopify' }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const req = { shop_url: 'https://s.myshopify.com', api_version: '2026-10', token: 'tok' };
    await connectShopify(req);
    const [path, init] = fetchMock.mock.calls[0] ?? [];
    expect(path, 'the path is part of the contract').toBe('/api/connect/shopify');
    expect(JSON.parse(String(init?.body)), 'the body is the request object as JSON').toEqual(req);
  });

  it('rejects with the backend message when the store refuses the token', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(
          { code: 'invalid', message: 'BigCommerce rejected the access token (401).' },
          { status: 400 },
        ),
      ),
    );
    const err = await connectBigCommerce({ api_url: 'https://x', store_hash: 'h', token: 'wrong' }).catch(
      (e: unknown) => e,
    );
    expect(err, 'a refused connect is an ApiError').toBeInstanceOf(ApiError);
    expect((err as ApiError).message, 'the form shows the backend message as it is').toBe(
      'BigCommerce rejected the access token (401).',
    );
    expect((err as ApiError).message, 'the token must never appear in an error').not.toContain('wrong');
  });

  it('names the POST when the backend cannot be reached', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(
      connectShopify({ shop_url: 'https://s', token: 't' }),
      'the operator must learn which request failed',
    ).rejects.toThrow('Could not reach the Tillbridge backend (POST /api/connect/shopify)');
  });
});

describe('Tauri transport', () => {
  it('passes the connect request as the `req` argument', async () => {
    const invoke = vi.fn(async (_cmd: string, _args?: unknown) => CONNECTION);
    vi.stubGlobal('window', { __TAURI_INTERNALS__: { invoke } });
    const req = { api_url: 'https://api.bigcommerce.com', store_hash: 'abc123', token: 'tok' };
    await expect(connectBigCommerce(req), 'the command result is returned as-is').resolves.toEqual(
      CONNECTION,
    );
    expect(invoke.mock.calls[0]?.[0], 'command names are part of the fixed contract').toBe(
      'connect_bigcommerce',
    );
    expect(invoke.mock.calls[0]?.[1], 'the command takes its request as `req`').toEqual({ req });

    await connectShopify({ shop_url: 'https://s.myshopify.com', token: 'tok' });
    expect(invoke.mock.calls[1]?.[0], 'the Shopify command name is fixed too').toBe('connect_shopify');
    await connections();
    expect(invoke.mock.calls[2]?.[0], 'listing uses the connections command').toBe('connections');
  });

  it('invokes the named command and maps its rejection to ApiError', async () => {
    const invoke = vi.fn(async (cmd: string) => {
      if (cmd === 'health') {
        return { version: '9.9.9', schema_version: 3 };
      }
      throw { code: 'keychain_unavailable', message: 'no keyring' };
    });
    vi.stubGlobal('window', { __TAURI_INTERNALS__: { invoke } });
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);

    expect(inTauri(), 'the Tauri internals mark the desktop webview').toBe(true);
    await expect(health(), 'the command result is returned as-is').resolves.toEqual({
      version: '9.9.9',
      schema_version: 3,
    });
    expect(invoke.mock.calls[0]?.[0], 'command names are part of the fixed contract').toBe(
      'health',
    );
    const err = await status().catch((e: unknown) => e);
    expect(err, 'a rejected command must become an ApiError').toBeInstanceOf(ApiError);
    expect((err as ApiError).code, 'the code must survive the Tauri path').toBe(
      'keychain_unavailable',
    );
    expect(fetchMock, 'inside Tauri no HTTP request may be made').not.toHaveBeenCalled();
  });
});

const PAIR = { bigcommerce_variant_id: 11, shopify_variant_id: 'gid://shopify/ProductVariant/21' };
const UNDO: MappingUndo = { added: [{ kind: 'link', ...PAIR }], removed: [{ kind: 'unlink', ...PAIR }] };
const OWNERSHIP = {
  title: 'bigcommerce',
  price: 'shopify',
  sale_price: 'shopify',
  barcode: 'none',
  sku: 'bigcommerce',
} as const;
const RULES = {
  sku: { trim: true, case_fold: false, collapse_whitespace: true },
  synonyms: { names: { colour: 'color' }, values: { xl: 'x-large', xxxl: 'xxx-large' } },
};

/**
 * Every mapping and sync call with what it must send: the Tauri command and its arguments, and
 * the HTTP method, path and body. The two transports ask for the same thing.
 */
const CALLS: {
  name: string;
  run: () => Promise<unknown>;
  command: string;
  args: unknown;
  method: string | undefined;
  path: string;
  body?: unknown;
}[] = [
  {
    name: 'mapping',
    run: () => mapping({ class: 'unmatched', q: ' tee ', offset: 100, limit: 100 }),
    command: 'mapping',
    args: { req: { class: 'unmatched', q: 'tee', offset: 100, limit: 100 } },
    method: undefined,
    path: '/api/mapping?class=unmatched&q=tee&offset=100&limit=100',
  },
  {
    name: 'mappingCsv',
    run: () => mappingCsv({ class: 'all', q: '' }),
    command: 'mapping_csv',
    args: { req: { class: 'all', q: '' } },
    method: undefined,
    path: '/api/mapping/csv?class=all',
  },
  {
    name: 'linkVariants',
    run: () => linkVariants(PAIR),
    command: 'mapping_link',
    args: { req: PAIR },
    method: 'POST',
    path: '/api/mapping/link',
    body: PAIR,
  },
  {
    name: 'unlinkVariants',
    run: () => unlinkVariants(PAIR),
    command: 'mapping_unlink',
    args: { req: PAIR },
    method: 'POST',
    path: '/api/mapping/unlink',
    body: PAIR,
  },
  {
    name: 'ignoreVariant',
    run: () => ignoreVariant({ system: 'bigcommerce', variant_id: '11' }),
    command: 'mapping_ignore',
    args: { req: { system: 'bigcommerce', variant_id: '11' } },
    method: 'POST',
    path: '/api/mapping/ignore',
    body: { system: 'bigcommerce', variant_id: '11' },
  },
  {
    name: 'unignoreVariant',
    run: () => unignoreVariant({ system: 'shopify', variant_id: 'gid://shopify/ProductVariant/21' }),
    command: 'mapping_unignore',
    args: { req: { system: 'shopify', variant_id: 'gid://shopify/ProductVariant/21' } },
    method: 'POST',
    path: '/api/mapping/unignore',
    body: { system: 'shopify', variant_id: 'gid://shopify/ProductVariant/21' },
  },
  {
    name: 'exportMappingCsv',
    run: () => exportMappingCsv({ class: 'ignored', q: ' tee ' }),
    command: 'save_mapping_csv',
    args: { req: { class: 'ignored', q: 'tee' } },
    method: undefined,
    path: '/api/mapping/csv?class=ignored&q=tee',
  },
  {
    name: 'matchingRules',
    run: () => matchingRules(),
    command: 'matching_rules',
    args: {},
    method: undefined,
    path: '/api/matching/rules',
  },
  {
    name: 'setMatchingRules',
    run: () => setMatchingRules(RULES),
    command: 'set_matching_rules',
    args: { req: RULES },
    method: 'PUT',
    path: '/api/matching/rules',
    body: RULES,
  },
  {
    name: 'confirmPairs',
    run: () => confirmPairs({ pairs: [PAIR] }),
    command: 'mapping_confirm',
    args: { req: { pairs: [PAIR] } },
    method: 'POST',
    path: '/api/mapping/confirm',
    body: { pairs: [PAIR] },
  },
  {
    name: 'confirmAllMatched',
    run: () => confirmAllMatched({ q: 'tee', expected: 12 }),
    command: 'mapping_confirm_all',
    args: { req: { q: 'tee', expected: 12 } },
    method: 'POST',
    path: '/api/mapping/confirm-all',
    body: { q: 'tee', expected: 12 },
  },
  {
    name: 'undoMapping',
    run: () => undoMapping(UNDO),
    command: 'mapping_undo',
    args: { req: UNDO },
    method: 'POST',
    path: '/api/mapping/undo',
    body: UNDO,
  },
  {
    name: 'ownership',
    run: () => ownership(),
    command: 'ownership',
    args: {},
    method: undefined,
    path: '/api/ownership',
  },
  {
    name: 'setOwnership',
    run: () => setOwnership(OWNERSHIP),
    command: 'set_ownership',
    args: { req: OWNERSHIP },
    method: 'PUT',
    path: '/api/ownership',
    body: OWNERSHIP,
  },
  {
    name: 'startSync',
    run: () => startSync({ mode: 'full', dry_run: true, accept_price_changes: false }),
    command: 'sync_start',
    args: { req: { mode: 'full', dry_run: true, accept_price_changes: false } },
    method: 'POST',
    path: '/api/sync',
    body: { mode: 'full', dry_run: true, accept_price_changes: false },
  },
  {
    name: 'syncProgress',
    run: () => syncProgress(),
    command: 'sync_progress',
    args: {},
    method: undefined,
    path: '/api/sync/progress',
  },
  {
    name: 'syncPreview',
    run: () => syncPreview({ offset: 200, limit: 100 }),
    command: 'sync_preview',
    args: { req: { offset: 200, limit: 100 } },
    method: undefined,
    path: '/api/sync/preview?offset=200&limit=100',
  },
  {
    name: 'syncPreviewCsv',
    run: () => syncPreviewCsv(),
    command: 'sync_preview_csv',
    args: { req: {} },
    method: undefined,
    path: '/api/sync/preview/csv',
  },
  {
    name: 'exportSyncPreviewCsv',
    run: () => exportSyncPreviewCsv(),
    command: 'save_sync_preview_csv',
    args: { req: {} },
    method: undefined,
    path: '/api/sync/preview/csv',
  },
  {
    name: 'runs',
    run: () => runs(20),
    command: 'runs',
    args: { req: { limit: 20 } },
    method: undefined,
    path: '/api/runs?limit=20',
  },
  {
    name: 'failedJobs',
    run: () => failedJobs(50),
    command: 'failed_jobs',
    args: { req: { limit: 50 } },
    method: undefined,
    path: '/api/jobs/failed?limit=50',
  },
  {
    name: 'jobTimeline',
    run: () => jobTimeline(7),
    command: 'job_timeline',
    args: { req: { id: 7 } },
    method: undefined,
    path: '/api/jobs/7/timeline',
  },
  {
    name: 'retryJobs',
    run: () => retryJobs({ ids: [3, 4], all: false }),
    command: 'retry_jobs',
    args: { req: { ids: [3, 4], all: false } },
    method: 'POST',
    path: '/api/jobs/retry',
    body: { ids: [3, 4], all: false },
  },
  {
    name: 'skipJobs',
    run: () => skipJobs([5]),
    command: 'skip_jobs',
    args: { req: { ids: [5] } },
    method: 'POST',
    path: '/api/jobs/skip',
    body: { ids: [5] },
  },
  {
    name: 'setPaused',
    run: () => setPaused(true),
    command: 'set_paused',
    args: { req: { paused: true } },
    method: 'PUT',
    path: '/api/pause',
    body: { paused: true },
  },
  {
    name: 'cancelSync',
    run: () => cancelSync(),
    command: 'sync_cancel',
    args: { req: { capability: 'catalog' } },
    method: 'POST',
    path: '/api/sync/cancel',
    body: { capability: 'catalog' },
  },
];

describe('mapping and sync calls', () => {
  for (const c of CALLS) {
    it(`${c.name} sends ${c.method ?? 'GET'} ${c.path} over HTTP`, async () => {
      const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) =>
        c.path.includes('/csv')
          ? new Response('a,b\n1,2\n', { headers: { 'content-type': 'text/csv' } })
          : jsonResponse({}),
      );
      vi.stubGlobal('fetch', fetchMock);
      await c.run();
      const [path, init] = fetchMock.mock.calls[0] ?? [];
      expect(path, 'the path and query are part of the contract with the backend').toBe(c.path);
      expect(init?.method, 'the method is part of the contract').toBe(c.method);
      if (c.body !== undefined) {
        expect(JSON.parse(String(init?.body)), 'the body is the request object as JSON').toEqual(c.body);
        expect(
          new Headers(init?.headers).get('content-type'),
          'the server refuses writes that are not labelled JSON',
        ).toBe('application/json');
      } else {
        expect(init?.body, 'a read sends no body').toBeUndefined();
      }
    });

    it(`${c.name} invokes ${c.command} inside Tauri`, async () => {
      const invoke = vi.fn(async (_cmd: string, _args?: unknown) => ({}));
      vi.stubGlobal('window', { __TAURI_INTERNALS__: { invoke } });
      const fetchMock = vi.fn();
      vi.stubGlobal('fetch', fetchMock);
      await c.run();
      expect(invoke.mock.calls[0]?.[0], 'command names are part of the fixed contract').toBe(c.command);
      expect(invoke.mock.calls[0]?.[1], 'requests travel as `req`, the same object HTTP sends').toEqual(c.args);
      expect(fetchMock, 'inside Tauri no HTTP request may be made').not.toHaveBeenCalled();
    });
  }

  it('returns CSV exports as text, not parsed', async () => {
    const csv = 'bigcommerce_variant_id,shopify_variant_id\n11,gid://shopify/ProductVariant/21\n';
    const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) =>
      new Response(csv, { headers: { 'content-type': 'text/csv' } }),
    );
    vi.stubGlobal('fetch', fetchMock);
    await expect(syncPreviewCsv(), 'the file is saved exactly as the backend wrote it').resolves.toBe(csv);
    expect(
      new Headers(fetchMock.mock.calls[0]?.[1]?.headers).get('accept'),
      'the export asks for CSV, so a server can tell it from a JSON read',
    ).toMatch(/text\/csv/);
  });

  it('exports as CSV text in a browser and as the saved path in the desktop app', async () => {
    const csv = 'bigcommerce_variant_id,shopify_variant_id\n11,gid://shopify/ProductVariant/21\n';
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(csv, { headers: { 'content-type': 'text/csv' } })),
    );
    await expect(exportMappingCsv({ class: 'all', q: '' }), 'a browser gets the CSV to download').resolves.toEqual({
      csv,
    });
    await expect(exportSyncPreviewCsv(), 'the changes export works the same way').resolves.toEqual({ csv });

    const path = '/home/ana/Downloads/tillbridge-mapping-20261127-134800.csv';
    const invoke = vi.fn(async (_cmd: string, _args?: unknown) => path);
    vi.stubGlobal('window', { __TAURI_INTERNALS__: { invoke } });
    await expect(
      exportMappingCsv({ class: 'all', q: '' }),
      'the desktop app answers where the backend saved the file, since its web view cannot download',
    ).resolves.toEqual({ savedTo: path });
    await expect(exportSyncPreviewCsv(), 'the changes export answers its path too').resolves.toEqual({
      savedTo: path,
    });
  });

  it('keeps the message of a refused rules save, which names the row', async () => {
    const message =
      'an option value synonym needs both sides filled in; remove or complete the row for "xl"';
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse({ code: null, message }, { status: 400 })));
    await expect(setMatchingRules(RULES), 'the editor shows the backend refusal as it is').rejects.toThrow(message);
  });

  it('turns a failed CSV export into an ApiError with the backend message', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse({ code: null, message: 'no catalog has been read yet' }, { status: 400 })),
    );
    await expect(mappingCsv({ class: 'all', q: '' }), 'the operator sees why nothing was saved').rejects.toThrow(
      'no catalog has been read yet',
    );
  });

  it('keeps the sync_running code of a refused start', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse({ code: 'sync_running', message: 'a sync is running' }, { status: 409 })),
    );
    const err = await startSync({ mode: 'full', dry_run: false, accept_price_changes: false }).catch((e: unknown) => e);
    expect(err, 'a refused start is an ApiError').toBeInstanceOf(ApiError);
    expect((err as ApiError).code, 'the screen shows the running sync instead when it sees this code').toBe(
      SYNC_RUNNING,
    );
  });

  it('names the PUT when saving ownership cannot reach the backend', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(setOwnership(OWNERSHIP), 'the operator must learn which request failed').rejects.toThrow(
      'Could not reach the Tillbridge backend (PUT /api/ownership)',
    );
  });
});
