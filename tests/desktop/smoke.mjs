// Desktop smoke test: the real `tillbridge-desktop` window, driven over WebDriver.
//
// tauri-driver (a WebDriver proxy) starts WebKitWebDriver, which launches the app with
// automation enabled; this script talks plain WebDriver HTTP to it with fetch (no npm packages).
// It checks that the Status screen renders the version from the engine, that a command answers
// through Tauri's IPC, and saves a screenshot to tests/artifacts/desktop-status.png.
//
// Run it through tests/desktop/run.sh, which provides the X display (xvfb-run) and finds the
// drivers. Environment:
//   TILLBRIDGE_DESKTOP_BIN  the app (default: <repo>/target/debug/tillbridge-desktop)
//   TAURI_DRIVER            tauri-driver (default: `tauri-driver` on PATH)
//   WEBKIT_WEBDRIVER        WebKitWebDriver (default: /usr/bin/WebKitWebDriver)

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const app = process.env.TILLBRIDGE_DESKTOP_BIN || join(repo, 'target', 'debug', 'tillbridge-desktop');
const tauriDriver = process.env.TAURI_DRIVER || 'tauri-driver';
const nativeDriver = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver';
const artifacts = join(repo, 'tests', 'artifacts');
const screenshotPath = join(artifacts, 'desktop-status.png');

const DRIVER_READY_MS = 20_000;
const RENDER_TIMEOUT_MS = 30_000;
const VERSION_SELECTOR = '[data-testid="app-version"]';
const ERROR_SELECTOR = '[data-testid="error"]';
const LOADING_SELECTOR = '[data-testid="loading"]';
const CHECKS_SELECTOR = '[data-testid="doctor-checks"]';
const SKIP_SETUP_SELECTOR = '[data-testid="onboarding-skip"]';
const TEXT_OF = 'const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;';

/** A port nobody listens on right now (the OS picks it). */
function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.unref();
    server.on('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A small WebDriver client: every call returns `value` or throws with the driver's error. */
function webdriver(base) {
  async function call(method, path, body) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`);
    }
    if (!response.ok || (json.value && json.value.error)) {
      const v = json.value || {};
      throw new Error(`${method} ${path}: HTTP ${response.status} ${v.error || ''}: ${v.message || text.slice(0, 500)}`);
    }
    return json.value;
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    delete: (path) => call('DELETE', path),
  };
}

describe('tillbridge-desktop window', () => {
  let workDir;
  let driverProcess;
  let driverLog = '';
  let wd;
  let session;
  let expectedVersion;

  before(async () => {
    assert.ok(
      existsSync(app),
      `the app binary must exist at ${app}; build it first with \`cargo build -p tillbridge-desktop\``,
    );
    assert.ok(
      existsSync(nativeDriver),
      `WebKitWebDriver must exist at ${nativeDriver} (apt install webkit2gtk-driver); tauri-driver drives the window through it`,
    );
    assert.ok(
      process.env.DISPLAY || process.env.WAYLAND_DISPLAY,
      'a display is needed to open the window; run this through tests/desktop/run.sh, which starts Xvfb',
    );

    // The version this build reports on its command line: the window and the IPC must agree with it.
    const versionLine = execFileSync(app, ['--version'], { encoding: 'utf8' }).trim();
    expectedVersion = versionLine.split(/\s+/).pop();
    assert.match(expectedVersion, /^\d+\.\d+\.\d+/, `\`${app} --version\` must print a version, got ${versionLine}`);

    workDir = mkdtempSync(join(tmpdir(), 'tillbridge-desktop-smoke-'));
    const port = await freePort();
    const nativePort = await freePort();
    // The app inherits this environment (tauri-driver → WebKitWebDriver → app): keep its logs and
    // any per-user files inside the temporary folder.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(workDir, 'config'),
      XDG_DATA_HOME: join(workDir, 'data'),
      XDG_STATE_HOME: join(workDir, 'state'),
      XDG_CACHE_HOME: join(workDir, 'cache'),
    };
    // Its own process group, so cleanup can stop tauri-driver, WebKitWebDriver and the app together.
    driverProcess = spawn(
      tauriDriver,
      ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk) => {
      driverLog = (driverLog + chunk).slice(-8_000);
    };
    driverProcess.stdout.setEncoding('utf8').on('data', keep);
    driverProcess.stderr.setEncoding('utf8').on('data', keep);
    const spawnError = new Promise((_, rejectSpawn) => driverProcess.once('error', rejectSpawn));
    spawnError.catch(() => {});

    wd = webdriver(`http://127.0.0.1:${port}`);
    const deadline = Date.now() + DRIVER_READY_MS;
    for (;;) {
      if (driverProcess.exitCode !== null) {
        assert.fail(`tauri-driver exited with code ${driverProcess.exitCode} before answering; its output:\n${driverLog}`);
      }
      const ready = await Promise.race([
        wd.get('/status').then((v) => v && v.ready !== false, () => false),
        spawnError.catch((e) => {
          assert.fail(`cannot start tauri-driver (${tauriDriver}): ${e.message}. Install it with \`cargo install tauri-driver --locked --version 2.1.0\``);
        }),
      ]);
      if (ready) break;
      assert.ok(Date.now() < deadline, `tauri-driver must answer /status within ${DRIVER_READY_MS} ms; its output:\n${driverLog}`);
      await sleep(100);
    }

    const created = await wd.post('/session', {
      capabilities: {
        alwaysMatch: {
          'tauri:options': {
            application: app,
            args: ['--db', join(workDir, 't.db'), '--secret-store', 'memory'],
          },
        },
      },
    });
    session = `/session/${created.sessionId}`;
    await wd.post(`${session}/timeouts`, { script: 15_000, implicit: 0 });
  });

  after(async () => {
    if (session) {
      await wd.delete(session).catch((e) => console.error(`deleting the WebDriver session failed: ${e.message}`));
    }
    if (driverProcess && driverProcess.exitCode === null && driverProcess.pid) {
      const exited = new Promise((r) => driverProcess.once('exit', r));
      try {
        process.kill(-driverProcess.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const stopped = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
      if (!stopped) {
        try {
          process.kill(-driverProcess.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('the status screen shows the version reported by the engine', async () => {
    let text = '';
    const deadline = Date.now() + RENDER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      text = await wd.post(`${session}/execute/sync`, { script: TEXT_OF, args: [VERSION_SELECTOR] }).catch(() => null);
      if (text && text !== '…') break;
      await sleep(100);
    }
    assert.equal(
      text,
      expectedVersion,
      `the header (${VERSION_SELECTOR}) must show this build's version, which the UI only gets from the engine through the health/status commands; a mismatch or a placeholder means the IPC path is broken`,
    );

    // A fresh database opens on the first-run setup; it is skipped here to reach the home screen.
    // The rest of the screen (status and doctor) arrives through the other two commands.
    let loaded = false;
    while (!loaded && Date.now() < deadline) {
      loaded = await wd
        .post(`${session}/execute/sync`, {
          script:
            'const skip = document.querySelector(arguments[2]); if (skip) skip.click();' +
            ' return !document.querySelector(arguments[0]) && !!document.querySelector(arguments[1]);',
          args: [LOADING_SELECTOR, CHECKS_SELECTOR, SKIP_SETUP_SELECTOR],
        })
        .catch(() => false);
      if (!loaded) await sleep(100);
    }
    const error = await wd.post(`${session}/execute/sync`, { script: TEXT_OF, args: [ERROR_SELECTOR] });
    assert.equal(error, null, `the status screen must load without an error banner, but it shows: ${error}`);
    assert.ok(
      loaded,
      `the status screen must finish loading (${LOADING_SELECTOR} gone, ${CHECKS_SELECTOR} shown) within ${RENDER_TIMEOUT_MS} ms; the status and doctor commands feed it`,
    );
  });

  test('a command answers through Tauri IPC', async () => {
    const result = await wd.post(`${session}/execute/async`, {
      script: `
        const done = arguments[arguments.length - 1];
        if (!window.__TAURI_INTERNALS__) { done({ error: 'window.__TAURI_INTERNALS__ is missing' }); return; }
        window.__TAURI_INTERNALS__.invoke('health').then(
          (value) => done({ value }),
          (error) => done({ error: typeof error === 'string' ? error : JSON.stringify(error) }),
        );`,
      args: [],
    });
    assert.equal(result.error, undefined, `invoke('health') must succeed inside the window; it failed with ${result.error}`);
    assert.equal(
      result.value.version,
      expectedVersion,
      'the health command must report the running build\'s version; another value means the window talks to something else',
    );
    assert.ok(
      Number.isInteger(result.value.schema_version) && result.value.schema_version > 0,
      `health must report the migrated schema version (> 0), got ${JSON.stringify(result.value)}`,
    );
  });

  test('a screenshot of the status screen is saved', async () => {
    // Let the last frame reach the screen: a screenshot taken at once may show a stale frame.
    await wd.post(`${session}/execute/async`, {
      script: 'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      args: [],
    });
    await sleep(150);
    const png = Buffer.from(await wd.get(`${session}/screenshot`), 'base64');
    assert.ok(
      png.length > 1_000 && png.subarray(1, 4).toString('latin1') === 'PNG',
      `the driver must return a PNG of the window (for the CI artifacts), got ${png.length} bytes`,
    );
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(screenshotPath, png);
  });
});
