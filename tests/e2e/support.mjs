// What the end-to-end tests share: where things are, starting a tillbridge process and waiting
// for the line it prints when ready, stopping it, and launching the system Chromium.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = process.env.TILLBRIDGE_BIN || join(repo, 'target', 'debug', 'tillbridge');
export const uiDir = join(repo, 'ui', 'dist');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const artifacts = join(repo, 'tests', 'artifacts');

export const READY_TIMEOUT_MS = 30_000;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+/;

/** Fails loudly (rather than skipping) when the binary or the built UI is missing. */
export function assertBuilt() {
  assert.ok(
    existsSync(bin),
    `the tillbridge binary is missing at ${bin}; run \`cargo build --bin tillbridge\` ` +
      '(or set TILLBRIDGE_BIN to a built binary) before the end-to-end tests',
  );
  assert.ok(
    existsSync(join(uiDir, 'index.html')),
    `the built UI is missing at ${uiDir}; run \`npm ci && npm run build\` in ui/ so the server has pages to serve`,
  );
}

export function assertChromium() {
  assert.ok(
    existsSync(chromiumPath),
    `Chromium is missing at ${chromiumPath}; install it (apt-get install chromium) or set CHROMIUM`,
  );
}

/** The environment with every XDG folder inside `workDir`, so a test writes nothing elsewhere. */
export function isolatedEnv(workDir) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: join(workDir, 'config'),
    XDG_DATA_HOME: join(workDir, 'data'),
    XDG_STATE_HOME: join(workDir, 'state'),
    XDG_CACHE_HOME: join(workDir, 'cache'),
  };
}

/**
 * Starts `bin args...` and resolves `ready` with the first non-undefined value `readyWhen`
 * returns for a stdout line. `what` names the process and the line it should print, for the
 * error when it does not (which carries the command, its stdout and the tail of its stderr).
 * stdout and stderr keep being drained afterwards so the process never blocks on a full pipe.
 */
export function startProcess({ args, env, what, readyWhen, timeoutMs = READY_TIMEOUT_MS }) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const stdoutLines = [];
  const explain = (problem) =>
    `${problem}\ncommand: ${bin} ${args.join(' ')}\n` +
    `stdout so far:\n${stdoutLines.join('\n') || '(nothing)'}\nstderr tail:\n${stderr || '(nothing)'}`;

  const ready = new Promise((resolveReady, rejectReady) => {
    let done = false;
    const finish = (fn, value) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        fn(value);
      }
    };
    const timer = setTimeout(() => {
      finish(rejectReady, new Error(explain(`${what} within ${timeoutMs} ms`)));
    }, timeoutMs);

    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      if (done) {
        return;
      }
      let value;
      try {
        value = readyWhen(line);
      } catch (err) {
        finish(rejectReady, new Error(explain(`could not read the ready line: ${err.message}`)));
        return;
      }
      if (value !== undefined) {
        finish(resolveReady, value);
      }
    });
    child.on('error', (err) => {
      finish(rejectReady, new Error(explain(`could not start tillbridge: ${err.message}`)));
    });
    child.on('exit', (code, signal) => {
      finish(
        rejectReady,
        new Error(explain(`tillbridge exited (code ${code}, signal ${signal}) before it was ready: expected ${what}`)),
      );
    });
  });

  return { child, ready };
}

/** `tillbridge serve` on a free loopback port with its own database; `ready` gives the base URL. */
export function startServe(workDir) {
  return startProcess({
    args: [
      'serve',
      '--addr', '127.0.0.1:0',
      '--db', join(workDir, 't.db'),
      '--secret-store', 'memory',
      '--ui-dir', uiDir,
    ],
    env: isolatedEnv(workDir),
    what: 'tillbridge serve printed no http://127.0.0.1:<port> line on stdout',
    readyWhen: (line) => URL_PATTERN.exec(line)?.[0],
  });
}

/**
 * `tillbridge demo --no-window`: emulated stores seeded with a messy catalog, a fresh database in
 * `workDir` with both stores connected, and the UI served on a free loopback port. `ready` gives
 * the base URL. The same seed gives the same catalogs, so a test can rely on what they hold.
 */
export function startDemo(workDir, { variants = 300, seed = 42, timeoutMs = 60_000 } = {}) {
  return startProcess({
    args: [
      'demo',
      '--no-window',
      '--addr', '127.0.0.1:0',
      '--db', join(workDir, 'demo.db'),
      '--variants', String(variants),
      '--seed', String(seed),
    ],
    // The demo has no --ui-dir flag; this points it at the build under test rather than whatever
    // it would find next to the binary.
    env: { ...isolatedEnv(workDir), TILLBRIDGE_UI_DIR: uiDir },
    what: 'tillbridge demo printed no http://127.0.0.1:<port> line on stdout',
    readyWhen: (line) => URL_PATTERN.exec(line)?.[0],
    timeoutMs,
  });
}

/**
 * `tillbridge emulate`: the emulated stores on free loopback ports. `ready` gives the credentials
 * it prints as one JSON line: `{bigcommerce: {api_url, store_hash, access_token},
 * shopify: {shop_url, api_version, access_token, webhook_secret}}`.
 */
export function startEmulator(workDir, { variants = 50, locations = 2 } = {}) {
  return startProcess({
    args: ['emulate', '--variants', String(variants), '--locations', String(locations)],
    env: isolatedEnv(workDir),
    what: 'tillbridge emulate printed no JSON line with the stores\' credentials on stdout',
    readyWhen: (line) => {
      if (!line.trimStart().startsWith('{')) {
        return undefined;
      }
      const creds = JSON.parse(line);
      assert.ok(
        typeof creds?.bigcommerce?.api_url === 'string' && typeof creds?.shopify?.shop_url === 'string',
        `the emulator's ready line must carry both stores' credentials; got ${line}`,
      );
      return creds;
    },
  });
}

/** SIGTERM, then SIGKILL if the process has not exited after five seconds. */
export async function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), 5_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The system Chromium, headless, with nothing that reaches the network on its own. */
export async function launchChromium() {
  assertChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export async function getJson(baseUrl, path) {
  const response = await fetch(new URL(path, baseUrl), { headers: { Accept: 'application/json' } });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { response, text, body };
}

/** GETs `url` and answers the parsed JSON; anything but a 2xx fails the test with the reply. */
export async function getOkJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const text = await response.text();
  assert.ok(response.ok, `GET ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Sends a JSON body and answers the parsed reply; anything but a 2xx fails the test with the reply. */
export async function sendJson(url, method, body, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url} answered ${response.status}: ${text}`);
  return text === '' ? null : JSON.parse(text);
}

/** Connects the server at `baseUrl` to both emulated stores, through the same API the screens use. */
export async function connectStores(baseUrl, creds) {
  await sendJson(new URL('/api/connect/bigcommerce', baseUrl), 'POST', {
    api_url: creds.bigcommerce.api_url,
    store_hash: creds.bigcommerce.store_hash,
    token: creds.bigcommerce.access_token,
  });
  await sendJson(new URL('/api/connect/shopify', baseUrl), 'POST', {
    shop_url: creds.shopify.shop_url,
    api_version: creds.shopify.api_version,
    token: creds.shopify.access_token,
  });
}

/**
 * What a browser test runs against, in a fresh work directory named after `name`: the demo
 * (`demo: { variants }`), or `tillbridge serve` with emulated stores (`emulator: { variants,
 * locations }`, connected through the API when `connect` is set) or alone; then, given `page`
 * (playwright's page options: viewport, timezoneId), headless Chromium with one page whose errors
 * gather in `pageErrors`. `close()` saves the page as `screenshot`.png when
 * TILLBRIDGE_E2E_SCREENSHOTS is set, closes the browser, stops the processes and removes the
 * directory; a start that fails half-way does the same before it throws.
 */
export async function startScene(name, { demo, emulator, connect = false, page: pageOptions, screenshot } = {}) {
  assertBuilt();
  const workDir = mkdtempSync(join(tmpdir(), `tillbridge-e2e-${name}-`));
  const children = [];
  const scene = { workDir, baseUrl: undefined, creds: undefined, browser: undefined, page: undefined, pageErrors: [] };
  scene.close = async () => {
    if (scene.page && screenshot && process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      mkdirSync(artifacts, { recursive: true });
      await scene.page.screenshot({ path: join(artifacts, `${screenshot}.png`), fullPage: true }).catch(() => {});
    }
    await scene.browser?.close().catch(() => {});
    await Promise.all(children.map((child) => stopProcess(child)));
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    if (demo) {
      const started = startDemo(workDir, demo);
      children.push(started.child);
      scene.baseUrl = await started.ready;
    } else {
      const server = startServe(workDir);
      children.push(server.child);
      if (emulator) {
        const stores = startEmulator(join(workDir, 'emulator'), emulator);
        children.push(stores.child);
        [scene.creds, scene.baseUrl] = await Promise.all([stores.ready, server.ready]);
        if (connect) {
          await connectStores(scene.baseUrl, scene.creds);
        }
      } else {
        scene.baseUrl = await server.ready;
      }
    }
    if (pageOptions) {
      scene.browser = await launchChromium();
      scene.page = await scene.browser.newPage(pageOptions);
      scene.page.on('pageerror', (err) => scene.pageErrors.push(err.message));
    }
    return scene;
  } catch (err) {
    await scene.close();
    throw err;
  }
}
