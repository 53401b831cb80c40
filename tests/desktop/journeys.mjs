// Journeys through the real `tillbridge-desktop` window (WebDriver, see window.mjs), against
// emulated stores started with `tillbridge emulate`:
// - retrying a failed write: Shopify refuses every variant write during a full sync; the Failed
//   screen names the store and its answer; once Shopify takes writes again, Retry all in the window
//   sends them and the queue empties;
// - resolving a stock conflict: a location pair under "Ask me", both stores change one item, "Sync
//   stock now" in the window raises the conflict, and one click on "add both changes" settles it.
// Set-up that is not the journey (connecting, pairing) goes through the same IPC commands the
// screens call. The third journey, onboarding to the first sync, needs a database of its own and is
// in onboarding.mjs. Run it through tests/desktop/run.sh.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../e2e/support.mjs';
import { openWindowOnEmulatedStores } from './window.mjs';

const RUN_TIMEOUT_MS = 120_000;

describe('journeys in the desktop window', () => {
  let session;
  let creds;
  let desktop;

  before(async () => {
    session = await openWindowOnEmulatedStores('journeys');
    ({ creds, desktop } = session);
    await desktop.waitFor('the window to load', 'return !!document.querySelector("[data-testid=app-version]");');
    await desktop.invoke('connect_bigcommerce', {
      req: { api_url: creds.bigcommerce.api_url, store_hash: creds.bigcommerce.store_hash, token: creds.bigcommerce.access_token },
    });
    await desktop.invoke('connect_shopify', {
      req: { shop_url: creds.shopify.shop_url, api_version: creds.shopify.api_version, token: creds.shopify.access_token },
    });
  });

  after(async () => {
    await session?.close();
  });

  const shopifyFaults = (config) => sendJson(new URL('/__admin/faults', creds.shopify.shop_url), 'PUT', config);

  /** Waits for the catalog run started by `sync_start` to end; answers its last progress. */
  async function catalogRunEnds() {
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const p = await desktop.invoke('sync_progress');
      if (!p.running && ['done', 'failed', 'cancelled', 'needs_approval'].includes(p.phase)) return p;
      assert.ok(Date.now() < deadline, `the catalog run ended in time; it was at ${p.phase}`);
      await sleep(300);
    }
  }

  test('retrying a failed write from the Failed screen', { timeout: RUN_TIMEOUT_MS * 2 }, async () => {
    await shopifyFaults({ error_rate: 1.0, target: 'ProductVariantsBulkUpdate' });
    await desktop.invoke('sync_start', { req: { mode: 'full', dry_run: false, accept_price_changes: true } });
    // Each failed write waits for its next attempt; Shopify takes writes again once one has failed.
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let failed = 0;
    while (failed === 0 && Date.now() < deadline) {
      failed = (await desktop.invoke('failed_jobs', { req: {} })).total;
      if (failed === 0) await sleep(300);
    }
    await shopifyFaults({});
    assert.ok(failed > 0, 'the injected 500s made at least one write fail');
    await catalogRunEnds();

    await desktop.go('#/failed');
    const sentence = await desktop.textWhenShown('[data-testid="failed-job"]');
    assert.match(sentence, /Shopify/, `the failure names the store: ${sentence}`);
    assert.match(sentence, /50[03]/, `and says what it answered: ${sentence}`);
    await desktop.screenshot('desktop-failed');
    await desktop.click('[data-testid="retry-all"]');
    await desktop.waitFor('the Failed list to empty', 'return !!document.querySelector("[data-testid=failed-none]");', [], 60_000);
    const left = await desktop.invoke('failed_jobs', { req: {} });
    assert.equal(left.total, 0, 'Retry all in the window sent them, and Shopify took them');
  });

  test('resolving a stock conflict in one click', { timeout: RUN_TIMEOUT_MS * 2 }, async () => {
    const live = await desktop.invoke('locations');
    const bc = live.bigcommerce[0];
    const shop = live.shopify.find((l) => l.name === bc.name);
    assert.ok(shop, `the emulated stores share location names: ${JSON.stringify(live)}`);
    const pair = await desktop.invoke('map_locations', {
      req: {
        bigcommerce_location_id: Number(bc.id),
        shopify_location_id: shop.id,
        owner: 'both',
        same_window: 'manual',
        hold_back: 0,
        cap: null,
      },
    });
    const aligned = await desktop.invoke('stock_sync', { req: {} });
    const cell = aligned.cells.find((c) => c.bigcommerce >= 3 && c.shopify >= 3);
    assert.ok(cell, `the alignment names an item with stock on both stores: ${JSON.stringify(aligned.cells.slice(0, 3))}`);

    // Both stores change the item before the next cycle: a till sale of one, a count of -2.
    await sendJson(new URL('/__admin/pos/adjust', creds.shopify.shop_url), 'POST', {
      location_id: Number(pair.shopify_location_id.split('/').pop()),
      inventory_item_id: Number(cell.shopify_item_id.split('/').pop()),
      delta: -1,
    });
    await sendJson(
      new URL(`/stores/${creds.bigcommerce.store_hash}/v3/inventory/adjustments/relative`, creds.bigcommerce.api_url),
      'POST',
      { reason: 'counted', items: [{ location_id: pair.bigcommerce_location_id, variant_id: cell.bigcommerce_variant_id, quantity: -2 }] },
      { 'X-Auth-Token': creds.bigcommerce.access_token },
    );

    await desktop.go('#/locations');
    await desktop.click('[data-testid="stock-sync"]');
    // The runtime also polls every 30 s: whichever cycle reads first raises the conflict.
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let open = [];
    while (open.length === 0 && Date.now() < deadline) {
      open = await desktop.invoke('stock_conflicts', { req: {} });
      if (open.length === 0) await sleep(300);
    }
    assert.equal(open.length, 1, 'both stores changed the item under "Ask me": one conflict waits for a person');
    await desktop.go('#/conflicts');
    const story = await desktop.textWhenShown('[data-testid="conflict-story"]');
    assert.match(story, /\(-2\).*\(-1\)/, `the card says what each store did: ${story}`);
    await desktop.screenshot('desktop-conflict');
    await desktop.click('[data-testid="conflict-sum"]');
    await desktop.waitFor('the conflict to settle', 'return !!document.querySelector("[data-testid=conflicts-none]");', [], 60_000);
    assert.equal((await desktop.invoke('stock_conflicts', { req: {} })).length, 0, 'no conflict is left open');
    const items = await desktop.invoke('stock_item', { req: { q: String(cell.bigcommerce_variant_id) } });
    const at = items.find((i) => i.pair_id === pair.id);
    assert.ok(at, `the item is found by its BigCommerce id at the pair: ${JSON.stringify(items)}`);
    assert.deepEqual(
      [at.bigcommerce, at.shopify],
      [open[0].sum, open[0].sum],
      'both stores hold both changes after the click',
    );
  });
});
