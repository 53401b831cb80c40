// What the desktop tests share: tauri-driver (a WebDriver proxy that starts WebKitWebDriver, which
// launches the app with automation on), a plain-HTTP WebDriver client (fetch, no npm package), and
// the few things a journey does in the real window: read text, click, type, wait, and call the
// engine through Tauri's IPC.
//
// Environment:
//   TILLBRIDGE_DESKTOP_BIN  the app (default: <repo>/target/debug/tillbridge-desktop)
//   TAURI_DRIVER            tauri-driver (default: `tauri-driver` on PATH)
//   WEBKIT_WEBDRIVER        WebKitWebDriver (default: /usr/bin/WebKitWebDriver)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startEmulator, stopProcess } from '../e2e/support.mjs';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const app = process.env.TILLBRIDGE_DESKTOP_BIN || join(repo, 'target', 'debug', 'tillbridge-desktop');
const tauriDriver = process.env.TAURI_DRIVER || 'tauri-driver';
const nativeDriver = process.env.WEBKIT_WEBDRIVER || '/usr/bin/WebKitWebDriver';
export const artifacts = join(repo, 'tests', 'artifacts');

const DRIVER_READY_MS = 20_000;
// WebDriver's key codes.
const CONTROL = '\uE009';
const BACKSPACE = '\uE003';
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

/** Checks what the window tests need before any of them starts. */
export function assertDesktopReady() {
  assert.ok(existsSync(app), `the app binary must exist at ${app}; build it first with \`cargo build -p tillbridge-desktop\``);
  assert.ok(
    existsSync(nativeDriver),
    `WebKitWebDriver must exist at ${nativeDriver} (apt install webkit2gtk-driver); tauri-driver drives the window through it`,
  );
  assert.ok(
    process.env.DISPLAY || process.env.WAYLAND_DISPLAY,
    'a display is needed to open the window; run this through tests/desktop/run.sh, which starts Xvfb',
  );
}

/**
 * Starts tauri-driver and a session that launches the app with `args`, its per-user folders in
 * `workDir`. Answers the window: `wd` and `session` for raw WebDriver calls, the helpers below,
 * and `close()`.
 */
export async function openWindow({ workDir, args }) {
  const port = await freePort();
  const nativePort = await freePort();
  // The app inherits this environment (tauri-driver → WebKitWebDriver → app): its logs and any
  // per-user files stay inside the temporary folder.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(workDir, 'config'),
    XDG_DATA_HOME: join(workDir, 'data'),
    XDG_STATE_HOME: join(workDir, 'state'),
    XDG_CACHE_HOME: join(workDir, 'cache'),
  };
  // Its own process group, so `close` can stop tauri-driver, WebKitWebDriver and the app together.
  const driver = spawn(
    tauriDriver,
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let driverLog = '';
  const keep = (chunk) => {
    driverLog = (driverLog + chunk).slice(-8_000);
  };
  driver.stdout.setEncoding('utf8').on('data', keep);
  driver.stderr.setEncoding('utf8').on('data', keep);
  const spawnError = new Promise((_, rejectSpawn) => driver.once('error', rejectSpawn));
  spawnError.catch(() => {});

  const wd = webdriver(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + DRIVER_READY_MS;
  for (;;) {
    if (driver.exitCode !== null) {
      assert.fail(`tauri-driver exited with code ${driver.exitCode} before answering; its output:\n${driverLog}`);
    }
    const ready = await Promise.race([
      wd.get('/status').then((v) => v && v.ready !== false, () => false),
      spawnError.catch((e) => {
        assert.fail(
          `cannot start tauri-driver (${tauriDriver}): ${e.message}. Install it with \`cargo install tauri-driver --locked --version 2.1.0\``,
        );
      }),
    ]);
    if (ready) break;
    assert.ok(Date.now() < deadline, `tauri-driver must answer /status within ${DRIVER_READY_MS} ms; its output:\n${driverLog}`);
    await sleep(100);
  }

  const created = await wd.post('/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: app, args } } },
  });
  const session = `/session/${created.sessionId}`;
  await wd.post(`${session}/timeouts`, { script: 60_000, implicit: 0 });

  const run = (script, args = []) => wd.post(`${session}/execute/sync`, { script, args });
  const text = (css) => run(TEXT_OF, [css]);

  /** Waits until `script` (run in the page with `args`) returns something truthy; answers it. */
  async function waitFor(what, script, args = [], timeoutMs = 30_000) {
    const until = Date.now() + timeoutMs;
    let last;
    while (Date.now() < until) {
      last = await run(script, args).catch((e) => ({ error: e.message }));
      if (last && !last.error) return last;
      await sleep(150);
    }
    const shown = await run('return document.querySelector("main")?.innerText ?? document.body.innerText;').catch(() => '');
    assert.fail(`${what} did not happen within ${timeoutMs} ms (last: ${JSON.stringify(last)}); the window showed:\n${shown}`);
  }

  /** The WebDriver id of the first element matching `css`, once it shows. */
  async function element(css, timeoutMs) {
    await waitFor(`${css} to show`, 'return !!document.querySelector(arguments[0]);', [css], timeoutMs);
    const found = await wd.post(`${session}/element`, { using: 'css selector', value: css });
    return Object.values(found)[0];
  }

  return {
    wd,
    session,
    run,
    text,
    waitFor,
    /** Waits for the element, then answers its text. */
    async textWhenShown(css, timeoutMs) {
      return waitFor(`${css} to show`, TEXT_OF, [css], timeoutMs);
    },
    /** Clicks the element the way a person does (WebDriver's element click), once it shows. */
    async click(css, timeoutMs) {
      const id = await element(css, timeoutMs);
      await wd.post(`${session}/element/${id}/click`, {});
    },
    /**
     * Types into a field the way a person does, once it shows: select all (Control+A), delete,
     * then the keys of `value`, each a real key event (WebDriver's element send keys). Answers the
     * value the field then holds, for the caller to check.
     */
    async type(css, value, timeoutMs) {
      const id = await element(css, timeoutMs);
      // Control+A goes alone: WebKitWebDriver drops the keys that follow a released modifier in the
      // same command; the end of a command releases it.
      await wd.post(`${session}/element/${id}/value`, { text: `${CONTROL}a` });
      await wd.post(`${session}/element/${id}/value`, { text: `${BACKSPACE}${value}` });
      return run('return document.querySelector(arguments[0]).value;', [css]);
    },
    /** Opens a screen by its address, as a click on the tab does. */
    async go(hash) {
      await run('window.location.hash = arguments[0];', [hash]);
    },
    /** Calls an engine command through Tauri's IPC, as the UI does; answers its value or throws its error. */
    async invoke(command, args = {}) {
      const result = await wd.post(`${session}/execute/async`, {
        script: `
          const done = arguments[arguments.length - 1];
          if (!window.__TAURI_INTERNALS__) { done({ error: 'window.__TAURI_INTERNALS__ is missing' }); return; }
          window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
            (value) => done({ value }),
            (error) => done({ error: typeof error === 'string' ? error : JSON.stringify(error) }),
          );`,
        args: [command, args],
      });
      if (result.error !== undefined) {
        throw new Error(`invoke('${command}') failed: ${result.error}`);
      }
      return result.value;
    },
    /** Saves a screenshot of the window to tests/artifacts/`name`.png, after the last frame is drawn. */
    async screenshot(name) {
      await wd.post(`${session}/execute/async`, {
        script: 'const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
        args: [],
      });
      // A screenshot taken at once may show a stale frame.
      await sleep(150);
      const png = Buffer.from(await wd.get(`${session}/screenshot`), 'base64');
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `${name}.png`), png);
      return png;
    },
    async close() {
      await wd.delete(session).catch((e) => console.error(`deleting the WebDriver session failed: ${e.message}`));
      if (driver.exitCode === null && driver.pid) {
        const exited = new Promise((r) => driver.once('exit', r));
        try {
          process.kill(-driver.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const stopped = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
        if (!stopped) {
          try {
            process.kill(-driver.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    },
  };
}

/**
 * Emulated stores (40 variants, 2 locations) and the window on a database of its own, never opened
 * before, in a fresh work directory named after `name`. Answers { creds, desktop, close }: close()
 * shuts the window, stops the stores and removes the directory, as does a failure on the way.
 */
export async function openWindowOnEmulatedStores(name) {
  assertDesktopReady();
  const workDir = mkdtempSync(join(tmpdir(), `tillbridge-desktop-${name}-`));
  let emulator;
  let desktop;
  const close = async () => {
    await desktop?.close();
    await stopProcess(emulator?.child);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    emulator = startEmulator(join(workDir, 'emulator'), { variants: 40, locations: 2 });
    const creds = await emulator.ready;
    desktop = await openWindow({ workDir, args: ['--db', join(workDir, 't.db'), '--secret-store', 'memory'] });
    return { creds, desktop, close };
  } catch (e) {
    await close();
    throw e;
  }
}
