// End-to-end check of the Orders screen in headless Chromium, against `tillbridge serve` and the
// emulated stores: POS sales rung up at the Shopify till are held with a clear reason when the
// BigCommerce store does not sell in their currency, nothing reaches BigCommerce for them, and once
// the currency is fixed one click on "Retry all waiting" carries them, with the money check showing
// Shopify's total equal to BigCommerce's, and the day's reconciliation reads 0.00.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getOkJson, sendJson, startScene } from './support.mjs';

const TIMEOUT_MS = 120_000;

describe('POS orders in the control panel', () => {
  let scene;
  let creds;
  let baseUrl;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('orders', {
        emulator: { variants: 30, locations: 1 },
        connect: true,
        page: { viewport: { width: 1400, height: 1000 } },
        screenshot: 'orders',
      });
      ({ creds, baseUrl, page, pageErrors } = scene);
      const { shopify } = await getOkJson(new URL('/api/locations', baseUrl));
      const location = Number(shopify[0].id.split('/').pop());
      // Gift cards sold at the till: custom lines, so no catalog sync is needed first.
      for (const price of ['12.50', '30.00']) {
        await sendJson(new URL('/__admin/pos/sale', creds.shopify.shop_url), 'POST', {
          location_id: location,
          lines: [{ gift_card: true, price, title: 'Gift card', quantity: 1 }],
        });
      }
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  async function bigcommerceOrders() {
    const url = new URL('/__admin/orders', creds.bigcommerce.api_url);
    return (await getOkJson(url)).orders;
  }

  test('a held order says why, sends nothing, and is carried by one click once fixed', { timeout: TIMEOUT_MS * 2 }, async () => {
    if (setupError) throw setupError;
    // The BigCommerce store, as set here, sells only in Canadian dollars; the sales are in USD.
    await sendJson(new URL('/api/orders/config', baseUrl), 'PUT', {
      enabled: false,
      create_customers: false,
      store_currencies: ['CAD'],
      locations: [],
      bigcommerce_lowers_stock: true,
      carry_from: '2020-01-01T00:00:00Z',
      newsletter_from_consent: false,
      include_web_orders: false,
    });
    await page.goto(new URL('/#/orders', baseUrl).href, { waitUntil: 'load' });
    await page.getByTestId('orders-none').waitFor({ state: 'visible', timeout: 20_000 });

    await page.getByTestId('orders-preview').click();
    const preview = page.getByTestId('orders-report');
    await preview.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    assert.match(await preview.innerText(), /Nothing was sent/, 'a preview says it sent nothing');
    assert.match(await preview.innerText(), /does not sell in/, 'and why the orders would wait');

    await page.getByTestId('orders-carry').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="order-row"]').length === 2, null, {
      timeout: TIMEOUT_MS,
    });
    const held = page.locator('[data-testid="order-row"][data-state="needs_attention"]');
    assert.equal(await held.count(), 2, 'both sales wait for a person');
    assert.match(await held.first().innerText(), /add the currency to BigCommerce/, 'with what to do');
    assert.equal((await bigcommerceOrders()).length, 0, 'and nothing reached BigCommerce');
    await held.first().getByTestId('order-timeline').click();
    const panel = page.getByTestId('order-timeline-panel');
    await panel.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    assert.match(await panel.innerText(), /Attempt 1/, "the order's timeline lists its attempt");

    await sendJson(new URL('/api/orders/config', baseUrl), 'PUT', {
      enabled: false,
      create_customers: false,
      store_currencies: ['USD'],
      locations: [],
      bigcommerce_lowers_stock: true,
      carry_from: '2020-01-01T00:00:00Z',
      newsletter_from_consent: false,
      include_web_orders: false,
    });
    await page.getByTestId('orders-retry-all').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="order-row"][data-state="created"]').length === 2,
      null,
      { timeout: TIMEOUT_MS },
    );
    const checks = await page.locator('[data-testid="money-check"]').evaluateAll((cells) =>
      cells.map((c) => c.getAttribute('data-kind')),
    );
    assert.deepEqual(checks, ['equal', 'equal'], "each row shows Shopify's total equal to BigCommerce's");
    const made = await bigcommerceOrders();
    assert.equal(made.length, 2, 'one BigCommerce order per sale');
    assert.deepEqual(
      made.map((o) => Number(o.total_inc_tax)).sort((a, b) => a - b),
      [12.5, 30],
      'for the amounts rung up',
    );

    // The day's reconciliation puts both stores side by side and reads 0.00.
    await page.getByTestId('reconcile').click();
    await page.getByTestId('reconcile-table').waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    const differences = await page.getByTestId('reconcile-difference').allInnerTexts();
    assert.ok(differences.length >= 2, `a row per location and the total: ${differences}`);
    assert.ok(differences.every((d) => d === '0.00 ✓'), `every difference reads 0.00: ${differences}`);
    assert.deepEqual(pageErrors, [], 'the page raised no script error');
  });
});
