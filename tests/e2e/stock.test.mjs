// End-to-end check of the stock screens in headless Chromium, against `tillbridge serve` and the
// emulated stores: rules that cannot apply are refused on the Locations screen before anything is
// saved; a pair made there aligns its stock with "Sync stock now"; both stores changing an item
// under "Ask me" raises a conflict; a negative or fractional count typed in Conflicts is refused
// and settles nothing; one click settles it; Inventory shows both stores in step afterwards; and a
// count made in BigCommerce's control panel is found by "Validate now", with its likely reason.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getOkJson, sendJson, startScene } from './support.mjs';

const TIMEOUT_MS = 120_000;
const BROWSER_ZONE = 'Asia/Tokyo';
const STORE_ZONE = 'America/Chicago';

/** "2026-12-07 06:31 CST": `iso` on the wall clock of `zone`, as the screens write a lone time. */
function wallClock(iso, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

describe('stock in the control panel', () => {
  let scene;
  let creds;
  let baseUrl;
  let browser;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('stock', {
        emulator: { variants: 60, locations: 2 },
        connect: true,
        // The browser runs in Tokyo while the emulated stores keep Chicago's clock (America/Chicago,
        // read from BigCommerce's store profile): every time on screen must still be the store's.
        page: { viewport: { width: 1400, height: 1000 }, timezoneId: BROWSER_ZONE },
        screenshot: 'stock',
      });
      ({ creds, baseUrl, browser, page, pageErrors } = scene);
      // Stock follows the matched products: the catalog is synced first.
      await sendJson(new URL('/api/sync', baseUrl), 'POST', { mode: 'full', dry_run: false });
      const deadline = Date.now() + TIMEOUT_MS;
      for (;;) {
        const p = await getOkJson(new URL('/api/sync/progress', baseUrl));
        if (!p.running && ['done', 'failed'].includes(p.phase)) {
          assert.equal(p.phase, 'done', `the catalog sync finished: ${p.error}`);
          break;
        }
        assert.ok(Date.now() < deadline, 'the catalog sync finished in time');
        await new Promise((r) => setTimeout(r, 300));
      }
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  async function snapshot(name) {
    if (process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, `stock-${name}.png`), fullPage: true });
    }
  }

  async function openTab(name) {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name, exact: true }).click();
  }

  async function notice(testId, pattern) {
    const el = page.getByTestId(testId);
    await el.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    try {
      await page.waitForFunction(
        ([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
        [testId, pattern.source],
        { timeout: TIMEOUT_MS / 4 },
      );
    } catch (e) {
      const shown = await page.locator('main').innerText().catch(() => '(unreadable)');
      throw new Error(`${testId} never matched ${pattern}; the screen said:\n${shown}`, { cause: e });
    }
    return el.innerText();
  }

  test('pair, align, conflict, refuse bad counts, settle by click, and see both stores in step', {
    timeout: TIMEOUT_MS * 3,
  }, async () => {
    if (setupError) throw setupError;
    await page.goto(new URL('/#/locations', baseUrl).href, { waitUntil: 'load' });
    await page.getByTestId('locations-none').waitFor({ state: 'visible', timeout: 20_000 });

    // Rules that cannot apply are refused before anything is saved.
    const firstBc = await page.getByTestId('new-bc').locator('option').nth(1).getAttribute('value');
    const firstShop = await page.getByTestId('new-shop').locator('option').nth(1).getAttribute('value');
    await page.getByTestId('new-bc').selectOption(firstBc);
    await page.getByTestId('new-shop').selectOption(firstShop);
    await page.getByTestId('new-same-window').selectOption('owner-wins');
    await page.getByTestId('new-pair').click();
    assert.match(await page.getByTestId('new-problem').innerText(), /cannot win/, 'owner-wins needs an owner');
    await page.getByTestId('new-owner').selectOption('bigcommerce');
    await page.getByTestId('new-hold-back').fill('-1');
    await page.getByTestId('new-pair').click();
    assert.match(await page.getByTestId('new-problem').innerText(), /negative/, 'a negative buffer is refused');
    assert.equal((await getOkJson(new URL('/api/locations', baseUrl))).pairs.length, 0, 'nothing was paired');

    // A valid pair under "Ask me".
    await page.getByTestId('new-owner').selectOption('both');
    await page.getByTestId('new-same-window').selectOption('manual');
    await page.getByTestId('new-hold-back').fill('0');
    await page.getByTestId('new-pair').click();
    await notice('locations-notice', /is paired/);
    const [pair] = (await getOkJson(new URL('/api/locations', baseUrl))).pairs;
    assert.equal(pair.same_window, 'manual', 'the pair keeps the rule chosen on screen');

    // The first cycle's plan names every item; one with stock on both sides is picked.
    const preview = await sendJson(new URL('/api/stock/sync', baseUrl), 'POST', {
      dry_run: true,
      full: false,
      pair_id: null,
      bigcommerce_variant_id: null,
    });
    const cell = preview.cells.find((c) => (c.bigcommerce ?? 0) >= 3 && (c.shopify ?? 0) >= 3);
    assert.ok(cell, 'an item with three units or more on both stores');
    await page.getByTestId('stock-sync').click();
    await notice('locations-notice', /items at paired locations/);

    // Both stores change the item before the next cycle.
    const shopNumber = pair.shopify_location_id.split('/').pop();
    const itemNumber = cell.shopify_item_id.split('/').pop();
    await sendJson(new URL('/__admin/pos/adjust', creds.shopify.shop_url), 'POST', {
      location_id: Number(shopNumber),
      inventory_item_id: Number(itemNumber),
      delta: -1,
    });
    await sendJson(
      new URL(`/stores/${creds.bigcommerce.store_hash}/v3/inventory/adjustments/relative`, creds.bigcommerce.api_url),
      'POST',
      { reason: 'counted', items: [{ location_id: pair.bigcommerce_location_id, variant_id: cell.bigcommerce_variant_id, quantity: -2 }] },
      { 'X-Auth-Token': creds.bigcommerce.access_token },
    );
    await page.getByTestId('stock-sync').click();
    await notice('locations-notice', /1 conflict waits for you/);
    await snapshot('locations');

    await openTab('Conflicts');
    const card = page.getByTestId('conflict').first();
    await card.waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(await card.getByTestId('conflict-story').innerText(), /\(-2\).*\(-1\)/, 'the card says what each store did');
    for (const [typed, why] of [
      ['-2', /negative/],
      ['2.5', /whole number/],
    ]) {
      await card.getByTestId('conflict-count').fill(typed);
      await card.getByTestId('conflict-set').click();
      assert.match(await card.getByTestId('conflict-problem').innerText(), why, `${typed} is refused`);
    }
    assert.equal(
      (await getOkJson(new URL('/api/stock/conflicts', baseUrl))).length,
      1,
      'a refused count settles nothing',
    );
    await snapshot('conflicts');
    const sumLabel = await card.getByTestId('conflict-sum').innerText();
    const expected = Number(sumLabel.split('→').pop().trim());
    await card.getByTestId('conflict-sum').click();
    await notice('conflicts-notice', new RegExp(`is set to ${expected}`));
    await page.getByTestId('conflicts-none').waitFor({ state: 'visible', timeout: 20_000 });

    await openTab('Inventory');
    await page.getByTestId('inventory-search').fill(String(cell.bigcommerce_variant_id));
    await page.getByTestId('inventory-go').click();
    const row = page.getByTestId('inventory-row').first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await row.getByTestId('inventory-bc').innerText(), String(expected), 'BigCommerce holds both changes');
    assert.equal(await row.getByTestId('inventory-shopify').innerText(), String(expected), 'and so does Shopify');

    // Counted in BigCommerce's control panel, with no order to say so: a validation finds it. The
    // item is one the alignment did not write to BigCommerce: for a minute after a write of ours, a
    // read showing neither the value before it nor after it is held, not judged.
    const counted = preview.cells.find(
      (c) => c.bigcommerce_variant_id !== cell.bigcommerce_variant_id && !c.writes.some((w) => w.includes('BigCommerce')),
    );
    assert.ok(counted, 'an item the alignment did not write to BigCommerce');
    await sendJson(
      new URL(`/stores/${creds.bigcommerce.store_hash}/v3/inventory/adjustments/relative`, creds.bigcommerce.api_url),
      'POST',
      { reason: 'counted', items: [{ location_id: pair.bigcommerce_location_id, variant_id: counted.bigcommerce_variant_id, quantity: 3 }] },
      { 'X-Auth-Token': creds.bigcommerce.access_token },
    );
    await page.getByTestId('drift-validate').click();
    await notice('drift-summary', /1 of \d+ items had drifted: 1 changed outside Tillbridge/);
    assert.equal(
      await page.getByTestId('drift-row').first().getByTestId('drift-reason').innerText(),
      'Changed outside Tillbridge',
      'the likely reason is named',
    );
    const api = await getOkJson(new URL('/api/stock/drift', baseUrl));
    assert.equal(api.rows.length, 1, 'the screen shows what the API reports');
    assert.equal(api.rows[0].seen_bigcommerce - api.rows[0].base_bigcommerce, 3, 'BigCommerce moved by the count');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('drift-export').click()]);
    assert.match(download.suggestedFilename(), /^tillbridge-stock-drift-\d+\.csv$/, 'the CSV is offered as a download');
    await snapshot('drift');
    assert.deepEqual(pageErrors, [], 'the page threw no errors');
  });

  test('the home screen counts what the API counts, links each figure, and draws the charts', {
    timeout: TIMEOUT_MS,
  }, async () => {
    if (setupError) throw setupError;
    await openTab('Home');
    const figures = page.getByTestId('home-review-figures');
    await figures.waitFor({ state: 'visible', timeout: 20_000 });
    const shown = async (list, key) => Number(await page.getByTestId(list).locator(`[data-key="${key}"]`).getAttribute('data-count'));
    // The API is asked from the same moment the screen counts from (a first visit: the night before).
    const since = await page.getByTestId('home-since').getAttribute('data-since');
    const home = await getOkJson(new URL(`/api/home?since=${encodeURIComponent(since)}`, baseUrl));
    // The time stands in the store's zone, not the browser's.
    const status = await getOkJson(new URL('/api/status', baseUrl));
    assert.deepEqual(
      status.time_zone,
      { zone: STORE_ZONE, source: 'bigcommerce' },
      "the API answers the zone read from the emulated BigCommerce store's profile",
    );
    assert.equal(
      await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
      BROWSER_ZONE,
      'the browser really runs in another zone than the store, or the check below proves nothing',
    );
    const storeSince = `Since ${wallClock(since, STORE_ZONE)}`;
    assert.notEqual(storeSince, `Since ${wallClock(since, BROWSER_ZONE)}`, 'the two zones read differently');
    const sinceText = await page
      .waitForFunction(
        (expected) => {
          const text = document.querySelector('[data-testid="home-since"]')?.textContent ?? '';
          return text === expected ? text : false;
        },
        storeSince,
        { timeout: 20_000 },
      )
      .then((handle) => handle.jsonValue())
      .catch(async () => page.getByTestId('home-since').innerText());
    assert.equal(
      sinceText,
      storeSince,
      "an operator on a PC set to another zone reads the shop's wall-clock time, with the zone named once",
    );
    assert.equal(
      await page.getByTestId('time-zone').innerText(),
      STORE_ZONE,
      'the header says which zone every time on screen is in',
    );
    const mapping = await getOkJson(new URL('/api/mapping?class=all&offset=0&limit=1', baseUrl));
    const conflicts = await getOkJson(new URL('/api/stock/conflicts', baseUrl));
    for (const key of ['unmatched', 'conflict', 'ambiguous']) {
      assert.equal(await shown('home-review-figures', key), mapping.counts[key], `${key} is the Mapping screen's count`);
    }
    assert.equal(await shown('home-review-figures', 'stock_conflicts'), conflicts.length, 'stock conflicts are the Conflicts screen\'s');
    assert.equal(await shown('home-queue', 'failed'), home.queue.failed, 'failed writes are the API\'s');
    assert.ok(
      (await page.getByTestId('home-carried').innerText()).includes(`${home.stock_moved} stock`),
      `the stock moved since the visit is the API's ${home.stock_moved}`,
    );
    assert.ok(home.stock_moved > 0, 'this session aligned and settled stock, so stock moved');
    const stockRun = page.getByTestId('home-runs').locator('[data-capability="stock"]');
    assert.match(await stockRun.innerText(), /Stock: Done/, 'the last stock run is shown with its result');
    await page.getByTestId('home-review-figures').locator('[data-key="stock_conflicts"] a').click();
    await page.waitForFunction(() => window.location.hash === '#/conflicts', null, { timeout: 10_000 });
    await openTab('Home');
    const charts = await getOkJson(new URL('/api/charts', baseUrl));
    for (const [id, points] of [
      ['chart-quota', charts.hours],
      ['chart-history', charts.history.length],
      ['chart-drift', charts.drift.length],
    ]) {
      const chart = page.getByTestId(id);
      await chart.locator('canvas').waitFor({ state: 'attached', timeout: 20_000 });
      assert.equal(Number(await chart.getAttribute('data-points')), points, `${id} draws every point the API gave`);
    }
    assert.ok(charts.drift.length >= 1, 'the validation above is charted');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'home.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'the page threw no errors');
  });
});
