// End-to-end walk of the first-run setup in headless Chromium, against a fresh `tillbridge serve`
// and the emulated stores: the app opens on the setup, the stores are connected through its forms,
// POS orders are turned on, the suggested location pairs are made, the owners kept, a preview and
// the first full sync run, and the morning schedule is set. At each step the API must agree with
// what the screen says; once every step is done the app opens on the home screen again.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/onboarding.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getOkJson, startScene } from './support.mjs';

const TIMEOUT_MS = 120_000;
const STEP_IDS = ['connect', 'pos_channel', 'locations', 'owners', 'preview', 'full_sync', 'schedule'];

describe('the first-run setup', () => {
  let scene;
  let creds;
  let baseUrl;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('onboarding', {
        emulator: { variants: 40, locations: 2 },
        page: { viewport: { width: 1400, height: 1000 } },
      });
      ({ creds, baseUrl, page, pageErrors } = scene);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  const api = (path) => getOkJson(new URL(path, baseUrl));
  const setup = () => api('/api/onboarding');
  const stepOf = (view, id) => view.steps.find((s) => s.step === id);

  /** A picture of a step, for a person checking the layout (TILLBRIDGE_E2E_SCREENSHOTS=1). */
  async function snapshot(name) {
    if (process.env.TILLBRIDGE_E2E_SCREENSHOTS) {
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, `onboarding-${name}.png`), fullPage: true });
    }
  }

  /** Waits until the step's button in the list shows `state`; the screen reloads the setup after each action. */
  async function stepShows(id, state) {
    try {
      await page.waitForFunction(
        ([testId, wanted]) => document.querySelector(`[data-testid="${testId}"]`)?.getAttribute('data-state') === wanted,
        [`onboarding-step-${id}`, state],
        { timeout: TIMEOUT_MS / 2 },
      );
    } catch (e) {
      const shown = await page.locator('main').innerText().catch(() => '(unreadable)');
      throw new Error(`step ${id} never showed ${state}; the screen said:\n${shown}`, { cause: e });
    }
  }

  /** The screen's list of step states and the panel's summary must be the API's. */
  async function screenAgreesWithApi(id) {
    const view = await setup();
    for (const s of view.steps) {
      assert.equal(
        await page.getByTestId(`onboarding-step-${s.step}`).getAttribute('data-state'),
        s.state,
        `the list must show step ${s.step} as the API says (${s.state}) while on ${id}`,
      );
    }
    assert.equal(await page.getByTestId('onboarding-panel').getAttribute('data-step'), id, `the panel shows ${id}`);
    assert.equal(
      (await page.getByTestId('onboarding-summary').innerText()).trim(),
      stepOf(view, id).summary,
      `the summary of ${id} on screen must be the API's`,
    );
    return view;
  }

  /** Moves on with the keyboard: Next is reachable and pressing Enter shows the next step. */
  async function next(id) {
    await page.getByTestId('onboarding-next').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (wanted) => document.querySelector('[data-testid="onboarding-panel"]')?.getAttribute('data-step') === wanted,
      id,
      { timeout: 10_000 },
    );
    // The focus moves in an effect after the step renders: wait for it, briefly, then say where it is.
    await page
      .waitForFunction(() => document.activeElement?.id === 'onboarding-title', null, { timeout: 5_000 })
      .catch(() => {});
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'onboarding-title',
      `after Next the keyboard focus must be on the title of ${id}, so Tab continues in the new step`,
    );
  }

  test('walks from a fresh server to the first full sync and the morning schedule', { timeout: TIMEOUT_MS * 4 }, async () => {
    if (setupError) throw setupError;

    // A fresh server opens on the setup, at step 1.
    const fresh = await setup();
    assert.equal(fresh.show, true, 'a fresh database must ask for the setup');
    await page.goto(new URL('/', baseUrl).href, { waitUntil: 'load' });
    await page.getByTestId('onboarding').waitFor({ state: 'visible', timeout: 20_000 });
    assert.match(page.url(), /#\/setup$/, 'the app opened on the setup, at its own address');
    await stepShows('connect', 'current');
    await screenAgreesWithApi('connect');
    assert.match(
      await page.getByTestId('onboarding-demo').innerText(),
      /tillbridge demo/,
      'step 1 explains the command that starts the demo, since the app cannot start emulated stores itself',
    );
    await snapshot('connect');

    // 1. Connect both stores through the setup's own forms.
    await page.getByTestId('bc-api-url').fill(creds.bigcommerce.api_url);
    await page.getByTestId('bc-store-hash').fill(creds.bigcommerce.store_hash);
    await page.getByTestId('bc-token').fill(creds.bigcommerce.access_token);
    await page.getByTestId('bc-connect').click();
    await page.getByTestId('sh-shop-url').fill(creds.shopify.shop_url);
    await page.getByTestId('sh-api-version').fill(creds.shopify.api_version);
    await page.getByTestId('sh-token').fill(creds.shopify.access_token);
    await page.getByTestId('sh-connect').click();
    await stepShows('connect', 'done');
    const connections = await api('/api/connections');
    assert.deepEqual(
      connections.map((c) => c.system).sort(),
      ['bigcommerce', 'shopify'],
      'the API holds both connections the screen calls done',
    );
    await screenAgreesWithApi('connect');

    // 2. POS orders on, from every location, on a channel the store already has.
    await next('pos_channel');
    assert.equal(stepOf(await setup(), 'pos_channel').state, 'current', 'the POS choice is next');
    await page.getByTestId('pos-enabled').check();
    const channels = await api('/api/orders/channel');
    const posChannel = channels.channels.find((c) => c.kind === 'pos');
    assert.ok(posChannel, `the emulated store lists a POS channel: ${JSON.stringify(channels.channels)}`);
    assert.equal(
      await page.getByTestId('pos-channel').locator('option').count(),
      channels.channels.length + 1,
      "every channel the store lists is offered, and Tillbridge's own",
    );
    await page.getByTestId('pos-channel').selectOption(String(posChannel.id));
    await page.getByTestId('pos-save').click();
    await stepShows('pos_channel', 'done');
    const ordersView = await api('/api/orders?limit=1');
    assert.equal(ordersView.config.enabled, true, 'the API carries POS orders, as the screen chose');
    assert.deepEqual(ordersView.config.locations, [], 'no location ticked means every location');
    assert.equal((await api('/api/orders/channel')).chosen, posChannel.id, 'the API records the channel picked on the screen');
    await screenAgreesWithApi('pos_channel');

    // 3. The suggested location pairs.
    await next('locations');
    const live = await api('/api/locations');
    assert.equal(live.suggestions.length, 2, 'the emulated stores name both locations alike, so both are suggested');
    await page.getByTestId('suggestion').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await page.getByTestId('suggestion').count(), live.suggestions.length, 'every suggestion is offered');
    await snapshot('locations');
    await page.getByTestId('suggestions-pair').click();
    await stepShows('locations', 'done');
    const paired = await api('/api/locations');
    assert.equal(paired.pairs.length, 2, 'both suggested pairs were made');
    assert.equal(paired.suggestions.length, 0, 'a pair made is no longer suggested');
    await page.getByTestId('suggestions-none').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(
      await page.getByTestId('onboarding-pairs').locator('li').count(),
      paired.pairs.length,
      'the screen lists the pairs the API holds',
    );
    await screenAgreesWithApi('locations');

    // 4. The owners, kept as they are.
    await next('owners');
    await page.getByTestId('owner-title').waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByTestId('owners-keep').click();
    await stepShows('owners', 'done');
    const ownership = await api('/api/ownership');
    for (const field of ['title', 'price', 'sale_price', 'barcode', 'sku']) {
      assert.equal(
        await page.getByTestId(`owner-${field}`).inputValue(),
        ownership[field],
        `the owner of ${field} on screen is the one the API saved`,
      );
    }
    await screenAgreesWithApi('owners');

    // 5. The first preview.
    await next('preview');
    await page.getByTestId('sync-preview').click();
    await stepShows('preview', 'done');
    await snapshot('preview');
    const previewed = await screenAgreesWithApi('preview');
    assert.ok(previewed.preview_run_id !== null, 'the API names the finished preview');
    const runsAfterPreview = await api('/api/runs?limit=20');
    const preview = runsAfterPreview.runs.find((r) => r.id === previewed.preview_run_id);
    assert.ok(preview?.dry_run && preview.capability === 'catalog', 'the run the setup counts is a catalog preview');
    assert.equal(previewed.full_sync_run_id, null, 'a preview does not count as the full sync');

    // 6. The first full sync.
    await next('full_sync');
    await page.getByTestId('sync-full').click();
    await stepShows('full_sync', 'done');
    const synced = await screenAgreesWithApi('full_sync');
    const runs = await api('/api/runs?limit=20');
    const full = runs.runs.find((r) => r.id === synced.full_sync_run_id);
    assert.ok(full, `the full sync the setup names (${synced.full_sync_run_id}) is in the run history`);
    assert.equal(full.dry_run, false, 'it wrote');
    assert.equal(full.mode, 'full', 'it was a full sync');
    assert.ok(['done', 'done_with_failures'].includes(full.result), `it finished: ${full.result}`);
    assert.match(
      await page.getByTestId('onboarding-summary').innerText(),
      new RegExp(`Full sync ${full.id} wrote ${full.written} change`),
      'the screen states the run and the count the run history has',
    );

    // 7. The morning schedule.
    await next('schedule');
    assert.equal(stepOf(await setup(), 'schedule').state, 'current', 'the schedule is the last step left');
    await page.getByTestId('schedule-at').fill('06:45');
    await page.getByTestId('schedule-zone').fill('Europe/Paris');
    await page.getByTestId('schedule-save').click();
    await stepShows('schedule', 'done');
    const plan = await api('/api/schedule');
    assert.deepEqual(
      [plan.enabled, plan.at, plan.time_zone],
      [true, '06:45', 'Europe/Paris'],
      'the API holds the schedule typed on screen',
    );
    await screenAgreesWithApi('schedule');
    const finished = await setup();
    assert.equal(finished.complete, true, 'every step is done');
    assert.equal(finished.show, false, 'a finished setup does not open again');
    await page.getByTestId('onboarding-complete').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(
      await page.getByTestId('onboarding-count').innerText(),
      new RegExp(`^${STEP_IDS.length} of ${STEP_IDS.length} done$`),
      'the screen counts every step done',
    );

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'onboarding.png'), fullPage: true });

    // The next start opens on the home screen.
    await page.goto(new URL('/', baseUrl).href, { waitUntil: 'load' });
    await page.locator('[data-testid="doctor-checks"]').waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await page.getByTestId('onboarding').count(), 0, 'the setup stays shut once complete');

    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });
});
