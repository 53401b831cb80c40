// End-to-end check of the Sync screen's safeguards before a Full sync: a price move beyond the
// threshold is flagged by the preview and asked about before anything is written, and a preview
// taken before the ownership changed blocks Full sync until a fresh one is taken.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/sync.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getOkJson, sendJson, startScene } from './support.mjs';

const RUN_TIMEOUT_MS = 120_000;

describe('the Sync screen asks before a risky Full sync', () => {
  let scene;
  let creds;
  let baseUrl;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('sync', {
        emulator: { variants: 200 },
        connect: true,
        page: { viewport: { width: 1300, height: 1000 } },
      });
      ({ creds, baseUrl, page, pageErrors } = scene);
      await page.goto(new URL('/#/sync', baseUrl).href, { waitUntil: 'load' });
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  const runId = () =>
    page.evaluate(() => document.querySelector('[data-testid="sync-status"]')?.getAttribute('data-run-id') ?? null);

  async function waitStartable(testId) {
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="${id}"]`)?.disabled === false,
      testId,
      { timeout: 20_000 },
    );
  }

  /** Waits for a run other than `earlier` to finish, as the screen shows it. */
  async function waitFinished(earlier) {
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid="sync-status"]');
        return (
          el !== null &&
          el.getAttribute('data-run-id') !== prev &&
          el.getAttribute('data-running') === 'false' &&
          ['done', 'failed', 'cancelled'].includes(el.getAttribute('data-phase'))
        );
      },
      earlier,
      { timeout: RUN_TIMEOUT_MS },
    );
  }

  async function previewFromScreen() {
    await waitStartable('sync-preview');
    const earlier = await runId();
    await page.getByTestId('sync-preview').click();
    await waitFinished(earlier);
    // The changes card reloads after the run; its answer carries the flags and the staleness.
    await page.getByTestId('changes-by-kind').or(page.getByTestId('changes-none')).first().waitFor({ timeout: 20_000 });
  }

  /** Sets a matched BigCommerce variant's price straight in the store, as a merchant would. */
  async function setBigCommercePrice(variantId, price) {
    const url = `${creds.bigcommerce.api_url}/stores/${creds.bigcommerce.store_hash}/v3/catalog/variants`;
    await sendJson(url, 'PUT', [{ id: variantId, price }], { 'X-Auth-Token': creds.bigcommerce.access_token });
  }

  test('a price change beyond the threshold asks before Full sync, and is written only once confirmed', {
    timeout: RUN_TIMEOUT_MS * 3,
  }, async () => {
    if (setupError) throw setupError;
    await previewFromScreen();
    const matched = await getOkJson(new URL('/api/mapping?class=matched&limit=50', baseUrl));
    const pair = matched.rows.find((r) => r.key === 'sku' && r.bigcommerce && r.shopify);
    assert.ok(pair, `the seed has a SKU-matched pair: ${JSON.stringify(matched.rows.slice(0, 2))}`);
    // Seeded prices stay under 205, so 1000.00 moves the Shopify price by far more than 50 %.
    await setBigCommercePrice(pair.bigcommerce.variant_id, 1000);

    await previewFromScreen();
    const preview = await getOkJson(new URL('/api/sync/preview', baseUrl));
    const flagged = preview.flagged.find((f) => f.bigcommerce_variant_id === pair.bigcommerce.variant_id);
    assert.ok(flagged, `the preview flags the price jump: ${JSON.stringify(preview.flagged)}`);

    const beforeFull = await runId();
    await page.getByTestId('sync-full').click();
    const confirm = page.getByTestId('sync-confirm-prices');
    await confirm.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await confirm.innerText();
    assert.match(text, /more than 50 %/, `the question names the threshold: ${text}`);
    assert.match(text, /→ 1000(\.00)?/, `and lists the flagged move with its new price: ${text}`);
    assert.equal(await runId(), beforeFull, 'asking starts no run');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'sync-confirm-prices.png'), fullPage: true });

    await page.getByTestId('sync-confirm-cancel').click();
    await confirm.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await runId(), beforeFull, 'Cancel starts no run either');

    await page.getByTestId('sync-full').click();
    await confirm.waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('sync-confirm-accept').click();
    await waitFinished(beforeFull);
    const phase = await page.getByTestId('sync-status').getAttribute('data-phase');
    assert.equal(phase, 'done', 'the confirmed Full sync finishes');
    const runs = await getOkJson(new URL('/api/runs?limit=1', baseUrl));
    assert.equal(runs.runs[0].dry_run, false, 'the newest run is the Full sync');
    assert.ok(runs.runs[0].written > 0, `and it wrote, the flagged price included: ${JSON.stringify(runs.runs[0])}`);

    await previewFromScreen();
    const after = await getOkJson(new URL('/api/sync/preview', baseUrl));
    assert.equal(
      after.flagged.some((f) => f.bigcommerce_variant_id === pair.bigcommerce.variant_id),
      false,
      'once written, the price no longer moves, so a new preview flags nothing for it',
    );
  });

  test('a preview taken before an ownership change blocks Full sync until a fresh one', {
    timeout: RUN_TIMEOUT_MS * 2,
  }, async () => {
    if (setupError) throw setupError;
    await previewFromScreen();
    assert.equal(await page.getByTestId('sync-preview-stale').count(), 0, 'a fresh preview is not marked stale');

    const select = page.getByTestId('owner-barcode');
    const current = await select.inputValue();
    await select.selectOption(current === 'shopify' ? 'bigcommerce' : 'shopify');
    await page.getByTestId('ownership-saved').waitFor({ state: 'visible', timeout: 10_000 });
    const stale = page.getByTestId('sync-preview-stale');
    await stale.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await stale.innerText(), /ownership/, 'the notice says what changed');

    const beforeFull = await runId();
    await page.getByTestId('sync-full').click();
    const refusal = page.getByTestId('sync-start-error');
    await refusal.waitFor({ state: 'visible', timeout: 10_000 });
    const said = await refusal.innerText();
    assert.match(said, /out of date/, `the refusal says why: ${said}`);
    assert.match(said, /preview again/i, `and what to do next: ${said}`);
    assert.equal(await runId(), beforeFull, 'no Full sync started');
    const runs = await getOkJson(new URL('/api/runs?limit=1', baseUrl));
    assert.equal(runs.runs[0].dry_run, true, 'the newest run is still the preview');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'sync-stale-preview.png'), fullPage: true });

    await previewFromScreen();
    await stale.waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(pageErrors, [], 'no script error on the Sync screen');
  });
});
