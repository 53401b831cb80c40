// End-to-end check of `tillbridge serve`: the real binary serves the built UI and the HTTP API,
// and the system Chromium renders the Status screen from it.
//
// Needs: `cargo build --bin tillbridge` (or TILLBRIDGE_BIN), `npm ci && npm run build` in ui/,
// Chromium at /usr/bin/chromium (or CHROMIUM), and `npm ci` in tests/ for playwright-core.
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.TILLBRIDGE_BIN || join(repo, 'target', 'debug', 'tillbridge');
const uiDir = join(repo, 'ui', 'dist');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = join(repo, 'tests', 'artifacts');

const READY_TIMEOUT_MS = 30_000;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+/;

/** Starts the server and resolves with its base URL once it prints one on stdout. */
function startServer(workDir) {
  const args = [
    'serve',
    '--addr', '127.0.0.1:0',
    '--db', join(workDir, 't.db'),
    '--secret-store', 'memory',
    '--ui-dir', uiDir,
  ];
  // Keep anything the binary writes under XDG folders inside the temporary directory.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(workDir, 'config'),
    XDG_DATA_HOME: join(workDir, 'data'),
    XDG_STATE_HOME: join(workDir, 'state'),
    XDG_CACHE_HOME: join(workDir, 'cache'),
  };
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const stdoutLines = [];

  const ready = new Promise((resolveReady, rejectReady) => {
    const explain = (what) =>
      `${what}\ncommand: ${bin} ${args.join(' ')}\n` +
      `stdout so far:\n${stdoutLines.join('\n') || '(nothing)'}\nstderr tail:\n${stderr || '(nothing)'}`;
    const timer = setTimeout(() => {
      rejectReady(new Error(explain(
        `tillbridge serve printed no http://127.0.0.1:<port> line on stdout within ${READY_TIMEOUT_MS} ms`,
      )));
    }, READY_TIMEOUT_MS);

    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      const match = URL_PATTERN.exec(line);
      if (match) {
        clearTimeout(timer);
        resolveReady(match[0]);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      rejectReady(new Error(explain(`could not start tillbridge: ${err.message}`)));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(explain(
        `tillbridge serve exited (code ${code}, signal ${signal}) before it printed its URL`,
      )));
    });
  });

  return { child, ready };
}

async function stopServer(child) {
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

async function getJson(baseUrl, path) {
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

describe('tillbridge serve with the built UI', () => {
  let workDir;
  let server;
  let baseUrl;
  let browser;

  // Set-up problems are recorded and rethrown by each test, so they count as failed tests
  // (with the reason) rather than as cancelled ones that a summary could read as "nothing failed".
  let setupError;

  before(async () => {
    try {
      // Fail loudly rather than skip: a skipped e2e test would hide that nothing was checked.
      assert.ok(
        existsSync(bin),
        `the tillbridge binary is missing at ${bin}; run \`cargo build --bin tillbridge\` ` +
          '(or set TILLBRIDGE_BIN to a built binary) before the end-to-end tests',
      );
      assert.ok(
        existsSync(join(uiDir, 'index.html')),
        `the built UI is missing at ${uiDir}; run \`npm ci && npm run build\` in ui/ so the server has pages to serve`,
      );
      workDir = mkdtempSync(join(tmpdir(), 'tillbridge-e2e-'));
      server = startServer(workDir);
      baseUrl = await server.ready;
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    if (browser) {
      await browser.close().catch(() => {});
    }
    await stopServer(server?.child);
    if (workDir) {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  let health;

  test('GET /api/health answers with the version and schema version', { timeout: 30_000 }, async () => {
    if (setupError) throw setupError;
    const { response, text, body } = await getJson(baseUrl, '/api/health');
    assert.equal(
      response.status,
      200,
      `the UI and monitoring depend on /api/health answering 200; got ${response.status}: ${text}`,
    );
    assert.match(
      response.headers.get('content-type') ?? '',
      /application\/json/,
      'the UI parses /api/health as JSON, so the server must label it as JSON',
    );
    assert.equal(typeof body?.version, 'string', `health must carry a version string; body was ${text}`);
    assert.ok(body.version.length > 0, 'an empty version would leave the UI header blank');
    assert.ok(
      Number.isInteger(body.schema_version),
      `schema_version must be an integer so the UI can show and compare it; body was ${text}`,
    );
    health = body;
  });

  test('the Status screen renders the backend state in Chromium', { timeout: 90_000 }, async () => {
    if (setupError) throw setupError;
    assert.ok(health, 'the health check must pass first: the page is compared against its answer');
    assert.ok(
      existsSync(chromiumPath),
      `Chromium is missing at ${chromiumPath}; install it (apt-get install chromium) or set CHROMIUM`,
    );

    const { body: doctorBody, text: doctorText } = await getJson(baseUrl, '/api/doctor');
    assert.ok(
      Array.isArray(doctorBody?.checks),
      `/api/doctor must list its checks for the UI to render them; body was ${doctorText}`,
    );

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
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
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const response = await page.goto(new URL('/', baseUrl).href, { waitUntil: 'load' });
    assert.equal(
      response?.status(),
      200,
      'the server must serve ui/dist/index.html at / so a browser can open the control panel',
    );

    // The screen is done loading when the checks list or an error banner appears.
    await page
      .locator('[data-testid="doctor-checks"], [data-testid="error"]')
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-status.png'), fullPage: true });

    const errorBanner = page.locator('[data-testid="error"]');
    const bannerText = (await errorBanner.count()) > 0 ? await errorBanner.innerText() : '';
    assert.equal(
      bannerText,
      '',
      'a fresh server with a memory secret store must load without errors; the banner said: ' + bannerText,
    );

    assert.equal(
      (await page.getByTestId('app-version').innerText()).trim(),
      health.version,
      'the header must show the version the backend reports, so operators know what they run',
    );
    assert.equal(
      (await page.getByTestId('schema-version').innerText()).trim(),
      String(health.schema_version),
      'the header must show the database schema version the backend reports',
    );

    for (const [system, command] of [
      ['bigcommerce', 'tillbridge connect bigcommerce'],
      ['shopify', 'tillbridge connect shopify'],
    ]) {
      const card = page.getByTestId(`connection-${system}`);
      const text = await card.innerText();
      assert.match(
        text,
        /Not connected/,
        `a fresh database has no ${system} connection, and the card must say so instead of implying one`,
      );
      assert.ok(
        text.includes(command),
        `the ${system} card must show the command that connects it, so the operator knows the next step`,
      );
    }

    const secretStore = await page.getByTestId('secret-store').innerText();
    assert.match(
      secretStore,
      /memory/i,
      'the server was started with --secret-store memory; the UI must show which store holds the tokens',
    );

    const rows = page.locator('[data-testid="doctor-checks"] > li');
    assert.equal(
      await rows.count(),
      doctorBody.checks.length,
      'every doctor check the backend reports must appear as a row; a dropped row could hide a failure',
    );
    for (let i = 0; i < doctorBody.checks.length; i += 1) {
      const check = doctorBody.checks[i];
      const row = rows.nth(i);
      assert.equal(
        await row.getAttribute('data-state'),
        check.state,
        `the row for "${check.name}" must show the state the backend reported`,
      );
      const rowText = await row.innerText();
      assert.ok(
        rowText.includes(check.name),
        `the row must name the check ("${check.name}") so the operator knows what was tested`,
      );
      if (check.fix) {
        assert.ok(
          rowText.includes(check.fix),
          `the fix for "${check.name}" must be shown, since it tells the operator what to do`,
        );
      }
    }

    assert.deepEqual(
      pageErrors,
      [],
      'the page must run without uncaught script errors, which would leave parts of it blank',
    );
  });
});
