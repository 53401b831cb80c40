// End-to-end check of `tillbridge serve`: the real binary serves the built UI and the HTTP API,
// and the system Chromium renders the home screen from it.
//
// Needs: `cargo build --bin tillbridge` (or TILLBRIDGE_BIN), `npm ci && npm run build` in ui/,
// Chromium at /usr/bin/chromium (or CHROMIUM), and `npm ci` in tests/ for playwright-core.
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getJson, launchChromium, startScene } from './support.mjs';

describe('tillbridge serve with the built UI', () => {
  let scene;
  let baseUrl;
  let browser;

  // Set-up problems are recorded and rethrown by each test, so they count as failed tests
  // (with the reason) rather than as cancelled ones that a summary could read as "nothing failed".
  let setupError;

  before(async () => {
    try {
      // Fail loudly rather than skip: a skipped e2e test would hide that nothing was checked.
      scene = await startScene('serve');
      ({ baseUrl } = scene);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await scene?.close();
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

  test('the home screen renders the backend state in Chromium', { timeout: 90_000 }, async () => {
    if (setupError) throw setupError;
    assert.ok(health, 'the health check must pass first: the page is compared against its answer');

    const { body: doctorBody, text: doctorText } = await getJson(baseUrl, '/api/doctor');
    assert.ok(
      Array.isArray(doctorBody?.checks),
      `/api/doctor must list its checks for the UI to render them; body was ${doctorText}`,
    );

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const response = await page.goto(new URL('/', baseUrl).href, { waitUntil: 'load' });
    assert.equal(
      response?.status(),
      200,
      'the server must serve ui/dist/index.html at / so a browser can open the control panel',
    );

    // A fresh installation opens on the first-run setup; skipping it leads to the home screen
    // and is remembered, so the next start opens there directly.
    await page.getByTestId('onboarding-skip').waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByTestId('onboarding-skip').click();
    await page.waitForFunction(() => window.location.hash === '#/home', null, { timeout: 10_000 });
    const setup = await getJson(baseUrl, '/api/onboarding');
    assert.equal(setup.body?.dismissed, true, `skipping the setup must be saved; /api/onboarding said ${setup.text}`);

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

    // Where the database and the tokens are kept is set up once: it lives on Settings.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByTestId('secret-store').waitFor({ state: 'visible', timeout: 10_000 });
    const secretStore = await page.getByTestId('secret-store').innerText();
    assert.match(
      secretStore,
      /memory/i,
      'the server was started with --secret-store memory; the UI must show which store holds the tokens',
    );

    assert.deepEqual(
      pageErrors,
      [],
      'the page must run without uncaught script errors, which would leave parts of it blank',
    );
  });
});
