// End-to-end check of connecting stores from the Settings screen: the real binary serves the UI,
// `tillbridge emulate` plays BigCommerce and Shopify, and the system Chromium fills in the forms.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getJson, startScene } from './support.mjs';

const WRONG_TOKEN = 'wrong-token-for-the-e2e-test';

describe('connecting stores from the Settings screen', () => {
  let scene;
  let creds;
  let baseUrl;
  let browser;
  let page;
  let pageErrors = [];
  const consoleLines = [];

  // Set-up problems are rethrown by each test so they count as failures with their reason.
  let setupError;

  before(async () => {
    try {
      scene = await startScene('connect', { emulator: { variants: 50 }, page: { viewport: { width: 1100, height: 900 } } });
      ({ creds, baseUrl, browser, page, pageErrors } = scene);
      page.on('console', (msg) => consoleLines.push(msg.text()));
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  async function openTab(name) {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name }).click();
  }

  /** Reloads the page on the home screen and waits until it has loaded. */
  async function reloadHome() {
    await openTab('Home');
    await page.reload({ waitUntil: 'load' });
    await page
      .locator('[data-testid="doctor-checks"], [data-testid="error"]')
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });
  }

  async function cardText(system) {
    return page.getByTestId(`connection-${system}`).innerText();
  }

  async function assertConnectedOnHome(when) {
    for (const system of ['bigcommerce', 'shopify']) {
      await page
        .locator(`[data-testid="connection-${system}"] .badge-ok`)
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(() => {});
      const text = await cardText(system);
      assert.match(text, /Connected/, `${when}, the home screen's card for ${system} must say Connected; it said:\n${text}`);
      assert.doesNotMatch(
        text,
        /Not connected/,
        `${when}, the home screen's card for ${system} must not also say "Not connected"; it said:\n${text}`,
      );
    }
  }

  async function assertNoTokenInPage(tokens, when) {
    const html = await page.content();
    for (const token of tokens) {
      assert.ok(!html.includes(token), `${when}, a token must not appear anywhere in the page`);
      assert.ok(
        !consoleLines.some((line) => line.includes(token)),
        `${when}, a token must not be written to the browser console`,
      );
    }
  }

  test('the Settings screen offers both forms with labelled fields and defaults', { timeout: 60_000 }, async () => {
    if (setupError) throw setupError;
    const response = await page.goto(new URL('/', baseUrl).href, { waitUntil: 'load' });
    assert.equal(response?.status(), 200, 'the server must serve the UI at /');
    await openTab('Settings');
    await page.getByTestId('bc-connect').waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(page.url(), /#\/settings$/, 'the Settings tab must have its own address, so it can be reloaded');

    assert.equal(
      await page.getByTestId('bc-api-url').inputValue(),
      'https://api.bigcommerce.com',
      'the BigCommerce API URL must default to the one almost every store uses',
    );
    assert.equal(
      await page.getByTestId('sh-api-version').inputValue(),
      '2026-10',
      'the Shopify API version must default to the one Tillbridge is built against',
    );
    for (const id of ['bc-api-url', 'bc-store-hash', 'bc-token', 'sh-shop-url', 'sh-api-version', 'sh-token']) {
      const labels = await page
        .getByTestId(id)
        .evaluate((el) => Array.from(el.labels ?? []).map((l) => l.textContent?.trim() ?? ''));
      assert.ok(
        labels.length > 0 && labels.every((l) => l !== ''),
        `the ${id} field must have a visible label, so screen readers and people know what it asks for`,
      );
    }
    for (const id of ['bc-token', 'sh-token']) {
      assert.equal(
        await page.getByTestId(id).getAttribute('type'),
        'password',
        `the ${id} field must be a password field so the token is not shown on screen`,
      );
    }
    for (const system of ['bigcommerce', 'shopify']) {
      const text = await page.getByTestId(`settings-${system}`).innerText();
      assert.match(text, /Not connected/, `a fresh database has no ${system} connection and the form must say so`);
    }
  });

  test('a wrong BigCommerce token is refused inline and nothing is saved', { timeout: 90_000 }, async () => {
    if (setupError) throw setupError;
    await page.getByTestId('bc-connect').waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByTestId('bc-api-url').fill(creds.bigcommerce.api_url);
    await page.getByTestId('bc-store-hash').fill(creds.bigcommerce.store_hash);
    await page.getByTestId('bc-token').fill(WRONG_TOKEN);

    // Hold the request until the in-flight state has been seen, so the check is not a race.
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    const route = '**/api/connect/bigcommerce';
    await page.route(route, async (r) => {
      await held;
      await r.continue();
    });
    try {
      await page.getByTestId('bc-connect').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="bc-connect"]')?.disabled === true,
        null,
        { timeout: 10_000 },
      );
      assert.equal(
        (await page.getByTestId('bc-connect').innerText()).trim(),
        'Checking…',
        'while the store is being asked, the button must say so and stay disabled against double submits',
      );
    } finally {
      release();
    }
    const error = page.getByTestId('connect-error-bigcommerce');
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    await page.unroute(route);

    const message = await error.innerText();
    assert.match(message, /token/i, `the error must say the token is what was wrong; it said:\n${message}`);
    assert.ok(!message.includes(WRONG_TOKEN), 'the error must not repeat the token');
    assert.equal(
      await page.getByTestId('bc-token').inputValue(),
      '',
      'the token field must be cleared after a failed attempt',
    );
    assert.ok(
      await page.getByTestId('bc-connect').isEnabled(),
      'after the answer the operator must be able to try again',
    );
    await assertNoTokenInPage([WRONG_TOKEN], 'after a refused token');

    const { body, text } = await getJson(baseUrl, '/api/connections');
    assert.deepEqual(body, [], `a refused connection must not be saved; /api/connections said ${text}`);

    await reloadHome();
    for (const system of ['bigcommerce', 'shopify']) {
      const card = await cardText(system);
      assert.match(card, /Not connected/, `after a refused token, the home screen must still show ${system} as not connected`);
    }
  });

  test('both stores connect with the right credentials and stay connected', { timeout: 120_000 }, async () => {
    if (setupError) throw setupError;
    const bc = creds.bigcommerce;
    const sh = creds.shopify;
    const tokens = [bc.access_token, sh.access_token];

    await openTab('Settings');
    await page.getByTestId('bc-connect').waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByTestId('bc-api-url').fill(bc.api_url);
    await page.getByTestId('bc-store-hash').fill(bc.store_hash);
    await page.getByTestId('bc-token').fill(bc.access_token);
    await page.getByTestId('bc-connect').click();
    await page.getByTestId('connect-success-bigcommerce').waitFor({ state: 'visible', timeout: 30_000 });

    const bcDetail = await page.getByTestId('connection-detail-bigcommerce').innerText();
    assert.ok(bcDetail.includes(bc.store_hash), `the BigCommerce connection must name its store; it showed:\n${bcDetail}`);
    assert.ok(
      bcDetail.includes(bc.api_url.replace(/\/+$/, '')),
      `the BigCommerce connection must show its API URL; it showed:\n${bcDetail}`,
    );
    assert.match(bcDetail, /Stored in the secret store/, 'the connection must say its token is stored');
    assert.equal(await page.getByTestId('connect-error-bigcommerce').count(), 0, 'the old error must go once connected');
    assert.equal(await page.getByTestId('bc-token').inputValue(), '', 'the token field must be cleared after success');

    await page.getByTestId('sh-shop-url').fill(sh.shop_url);
    await page.getByTestId('sh-api-version').fill(sh.api_version);
    await page.getByTestId('sh-token').fill(sh.access_token);
    await page.getByTestId('sh-connect').click();
    await page.getByTestId('connect-success-shopify').waitFor({ state: 'visible', timeout: 30_000 });

    const shDetail = await page.getByTestId('connection-detail-shopify').innerText();
    const shopHost = new URL(sh.shop_url).host;
    assert.ok(shDetail.includes(shopHost), `the Shopify connection must name its shop (${shopHost}); it showed:\n${shDetail}`);
    assert.ok(shDetail.includes(sh.api_version), 'the Shopify connection must show its API version');
    assert.equal(await page.getByTestId('sh-token').inputValue(), '', 'the token field must be cleared after success');
    await assertNoTokenInPage(tokens, 'after connecting');

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-settings.png'), fullPage: true });

    const { body, text } = await getJson(baseUrl, '/api/connections');
    assert.deepEqual(
      (body ?? []).map((c) => [c.system, c.has_secret]).sort(),
      [['bigcommerce', true], ['shopify', true]],
      `both connections must be saved with their tokens; /api/connections said ${text}`,
    );

    // The home screen reloads after a connect, without the operator pressing Refresh.
    await openTab('Home');
    await assertConnectedOnHome('right after connecting');

    await reloadHome();
    await assertConnectedOnHome('after reloading the page');

    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });
});
