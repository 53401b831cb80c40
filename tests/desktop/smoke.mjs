// Desktop smoke test: the real `tillbridge-desktop` window, driven over WebDriver (see window.mjs).
// It checks that the home screen renders the version from the engine, that a command answers
// through Tauri's IPC, and saves a screenshot to tests/artifacts/desktop-home.png.
//
// Run it through tests/desktop/run.sh, which provides the X display (xvfb-run) and finds the drivers.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { app, assertDesktopReady, openWindow } from './window.mjs';

const RENDER_TIMEOUT_MS = 30_000;
const VERSION_SELECTOR = '[data-testid="app-version"]';
const ERROR_SELECTOR = '[data-testid="error"]';
const LOADING_SELECTOR = '[data-testid="loading"]';
const CHECKS_SELECTOR = '[data-testid="doctor-checks"]';
const SKIP_SETUP_SELECTOR = '[data-testid="onboarding-skip"]';

describe('tillbridge-desktop window', () => {
  let workDir;
  let desktop;
  let expectedVersion;

  before(async () => {
    assertDesktopReady();
    // The version this build reports on its command line: the desktop and the IPC must agree with it.
    const versionLine = execFileSync(app, ['--version'], { encoding: 'utf8' }).trim();
    expectedVersion = versionLine.split(/\s+/).pop();
    assert.match(expectedVersion, /^\d+\.\d+\.\d+/, `\`${app} --version\` must print a version, got ${versionLine}`);
    workDir = mkdtempSync(join(tmpdir(), 'tillbridge-desktop-smoke-'));
    desktop = await openWindow({ workDir, args: ['--db', join(workDir, 't.db'), '--secret-store', 'memory'] });
  });

  after(async () => {
    await desktop?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('the home screen shows the version reported by the engine', async () => {
    let text = '';
    const deadline = Date.now() + RENDER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      text = await desktop.text(VERSION_SELECTOR).catch(() => null);
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
      loaded = await desktop
        .run(
          'const skip = document.querySelector(arguments[2]); if (skip) skip.click();' +
            ' return !document.querySelector(arguments[0]) && !!document.querySelector(arguments[1]);',
          [LOADING_SELECTOR, CHECKS_SELECTOR, SKIP_SETUP_SELECTOR],
        )
        .catch(() => false);
      if (!loaded) await sleep(100);
    }
    const error = await desktop.text(ERROR_SELECTOR);
    assert.equal(error, null, `the home screen must load without an error banner, but it shows: ${error}`);
    assert.ok(
      loaded,
      `the home screen must finish loading (${LOADING_SELECTOR} gone, ${CHECKS_SELECTOR} shown) within ${RENDER_TIMEOUT_MS} ms; the status and doctor commands feed it`,
    );
  });

  test('a command answers through Tauri IPC', async () => {
    const result = await desktop.invoke('health').then(
      (value) => ({ value }),
      (e) => ({ error: e.message }),
    );
    assert.equal(result.error, undefined, `invoke('health') must succeed inside the desktop; it failed with ${result.error}`);
    assert.equal(
      result.value.version,
      expectedVersion,
      'the health command must report the running build\'s version; another value means the desktop talks to something else',
    );
    assert.ok(
      Number.isInteger(result.value.schema_version) && result.value.schema_version > 0,
      `health must report the migrated schema version (> 0), got ${JSON.stringify(result.value)}`,
    );
  });

  test('a screenshot of the home screen is saved', async () => {
    const png = await desktop.screenshot('desktop-home');
    assert.ok(
      png.length > 1_000 && png.subarray(1, 4).toString('latin1') === 'PNG',
      `the driver must return a PNG of the desktop (for the CI artifacts), got ${png.length} bytes`,
    );
  });
});
