// End-to-end check of the runtime's screens: a write that Shopify refuses with 500s shows in the
// Failed view with its reason and Retry all clears it; the Runs view keeps a full sync after a later
// Preview; and the kill switch shows on every screen while it is on.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, sendJson, startScene } from './support.mjs';

/** A full sync whose first write meets a minute of 500s: the client's own retries take their time. */
const RUN_TIMEOUT_MS = 180_000;

describe('the runtime in the control panel', () => {
  let scene;
  let creds;
  let baseUrl;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('runtime', {
        emulator: { variants: 200 },
        connect: true,
        page: { viewport: { width: 1300, height: 1000 } },
        screenshot: 'runtime',
      });
      ({ creds, baseUrl, page, pageErrors } = scene);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  const shopifyFaults = (config) => sendJson(new URL('/__admin/faults', creds.shopify.shop_url), 'PUT', config);

  async function openTab(name) {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name, exact: true }).click();
  }

  async function runFromSyncScreen(buttonTestId) {
    await openTab('Sync');
    const button = page.getByTestId(buttonTestId);
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.disabled === false,
      buttonTestId,
      { timeout: 20_000 },
    );
    const before = await page.evaluate(
      () => document.querySelector('[data-testid="sync-status"]')?.getAttribute('data-run-id') ?? null,
    );
    await button.click();
    await page.waitForFunction(
      (earlier) => {
        const el = document.querySelector('[data-testid="sync-status"]');
        return (
          el !== null &&
          el.getAttribute('data-run-id') !== earlier &&
          el.getAttribute('data-running') === 'false' &&
          ['done', 'failed', 'cancelled'].includes(el.getAttribute('data-phase'))
        );
      },
      before,
      { timeout: RUN_TIMEOUT_MS },
    );
  }

  test('a write Shopify refuses shows in Failed with its reason, and Retry all clears it', {
    timeout: RUN_TIMEOUT_MS + 60_000,
  }, async () => {
    if (setupError) throw setupError;
    await page.goto(new URL('/#/sync', baseUrl).href, { waitUntil: 'load' });
    // Every variant write answers 500 until the first one has failed for good; reads still work.
    await shopifyFaults({ error_rate: 1.0, target: 'ProductVariantsBulkUpdate' });
    const healWhenOneFailed = (async () => {
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const failed = await (await fetch(new URL('/api/jobs/failed', baseUrl))).json();
        if (failed.total > 0) {
          await shopifyFaults({});
          return failed.total;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      await shopifyFaults({});
      return 0;
    })();
    await runFromSyncScreen('sync-full');
    const failedDuringRun = await healWhenOneFailed;
    assert.ok(failedDuringRun > 0, 'the injected 500s made at least one write fail');
    const summary = await page.getByTestId('sync-summary').innerText();
    assert.match(summary, /failed/, `the run's summary says some writes failed: ${summary}`);

    await openTab('Failed');
    const item = page.getByTestId('failed-job').first();
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    const sentence = await item.innerText();
    assert.match(sentence, /Shopify/, `the failure names the store: ${sentence}`);
    assert.match(sentence, /50[03]/, `and says what it answered: ${sentence}`);

    await item.getByTestId('show-timeline').click();
    const timeline = page.getByTestId('job-timeline');
    await timeline.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await timeline.innerText(), /→ 50[03]/, 'the timeline lists the requests that got a 5xx');

    if (process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'runtime-failed.png'), fullPage: true });
    }
    await page.getByTestId('retry-all').click();
    await page.getByTestId('failed-none').waitFor({ state: 'visible', timeout: 60_000 });
    const left = await (await fetch(new URL('/api/jobs/failed', baseUrl))).json();
    assert.equal(left.total, 0, 'Retry all sent them, and the store took them');
  });

  test('the Runs view keeps the full sync after a later Preview', { timeout: RUN_TIMEOUT_MS + 30_000 }, async () => {
    if (setupError) throw setupError;
    await runFromSyncScreen('sync-preview');
    await openTab('Runs');
    const rows = page.getByTestId('run-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    const kinds = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-dry-run')));
    assert.equal(kinds[0], 'true', 'the newest run is the Preview');
    assert.ok(kinds.includes('false'), `the full sync before it is still listed: ${kinds}`);
    assert.match(await page.getByTestId('runs-table').innerText(), /Full sync/, 'named as the Sync screen names it');
    if (process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      await page.screenshot({ path: join(artifacts, 'runtime-runs.png'), fullPage: true });
    }
  });

  test('the kill switch shows on every screen while it is on', { timeout: 60_000 }, async () => {
    if (setupError) throw setupError;
    await openTab('Home');
    await page.getByTestId('pause-writes').click();
    await page.getByTestId('kill-switch-banner').waitFor({ state: 'visible', timeout: 10_000 });
    if (process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      await page.screenshot({ path: join(artifacts, 'runtime-status-paused.png'), fullPage: true });
    }
    for (const name of ['Home', 'Mapping', 'Sync', 'Runs', 'Failed', 'Settings']) {
      await openTab(name);
      await page.getByTestId('kill-switch-banner').waitFor({ state: 'visible', timeout: 10_000 });
    }
    const paused = await (await fetch(new URL('/api/pause', baseUrl))).json();
    assert.equal(paused.paused, true, 'the switch is kept by the backend, not only shown');
    await page.getByTestId('kill-switch-banner').getByRole('button', { name: 'Resume writes' }).click();
    await page.getByTestId('kill-switch-banner').waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(pageErrors, [], 'no script error on any screen');
  });
});
