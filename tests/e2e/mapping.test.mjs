// End-to-end check of the Mapping and Sync screens on `tillbridge demo`: the real binary seeds and
// emulates both stores, connects them and serves the UI; the system Chromium previews a sync,
// then links an unmatched BigCommerce variant to an unmatched Shopify variant by hand and checks
// the link survives a reload, adds an option-value synonym in the matching rules editor, and
// ignores a variant and takes the ignore back.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getJson, startScene } from './support.mjs';

/** How long a preview of the demo catalog may take: reads are paced by the emulated rate limits. */
const RUN_TIMEOUT_MS = 120_000;

describe('reviewing the mapping on the demo stores', () => {
  let scene;
  let baseUrl;
  let page;
  let pageErrors = [];

  // Set-up problems are rethrown by each test so they count as failures with their reason.
  let setupError;

  before(async () => {
    try {
      scene = await startScene('mapping', { demo: { variants: 300 }, page: { viewport: { width: 1200, height: 1000 } } });
      ({ baseUrl, page, pageErrors } = scene);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  async function openTab(name) {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name, exact: true }).click();
  }

  /** The mapping as the API reports it, for choosing variants and checking what the UI shows. */
  async function apiMapping(params) {
    const query = new URLSearchParams({ class: 'all', offset: '0', limit: '100', ...params });
    const { response, text, body } = await getJson(baseUrl, `/api/mapping?${query}`);
    assert.equal(response.status, 200, `GET /api/mapping?${query} must answer 200; it said ${text}`);
    assert.ok(Array.isArray(body?.rows), `the mapping must carry rows; it said ${text}`);
    return body;
  }

  /** Waits until the mapping table (or its empty message) shows the answer to the current query. */
  async function waitForMappingIdle() {
    await page.waitForFunction(
      () => {
        const card = document.querySelector('section[aria-label="Mapping rows"]');
        return card !== null && card.getAttribute('aria-busy') !== 'true';
      },
      null,
      { timeout: 20_000 },
    );
  }

  async function search(text) {
    await page.getByTestId('mapping-search').fill(text);
    // The search is debounced: wait for the page range to describe the searched rows.
    await page.waitForTimeout(400);
    await waitForMappingIdle();
  }

  /**
   * A singleton of `system` among the unmatched rows whose SKU (else barcode) finds it on the
   * first page of a search, so the test can bring it on screen the way an operator would.
   */
  async function findSearchableSingleton(system) {
    const other = system === 'bigcommerce' ? 'shopify' : 'bigcommerce';
    const first = await apiMapping({ class: 'unmatched', limit: '1' });
    for (let offset = 0; offset < first.total; offset += 100) {
      const { rows } = await apiMapping({ class: 'unmatched', offset: String(offset) });
      for (const row of rows) {
        const side = row[system];
        if (side === null || row[other] !== null) {
          continue;
        }
        const term = side.sku.trim() || side.barcode.trim();
        if (term === '') {
          continue;
        }
        const found = await apiMapping({ class: 'unmatched', q: term });
        if (found.rows.some((r) => r[system]?.variant_id === side.variant_id)) {
          return { side, term };
        }
      }
    }
    assert.fail(
      `the demo catalog (seed 42) must hold an unmatched ${system} variant with a SKU or barcode to link by hand; ` +
        `there were ${first.total} unmatched rows`,
    );
  }

  function rowOf(bigcommerceVariantId) {
    return page.locator(`[data-testid="mapping-row"][data-bigcommerce-variant="${bigcommerceVariantId}"]`);
  }

  async function assertLinkedOnScreen(bc, sh, when) {
    await page.getByTestId('filter-all').click();
    await search(bc.term);
    const row = rowOf(bc.side.variant_id);
    await row.first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(
      await row.count(),
      1,
      `${when}, the BigCommerce variant ${bc.term} must appear in exactly one row: every variant lands in one record`,
    );
    assert.equal(
      await row.getAttribute('data-shopify-variant'),
      sh.side.variant_id,
      `${when}, the BigCommerce variant ${bc.term} must be paired with the Shopify variant ${sh.term} it was linked to`,
    );
    assert.equal(await row.getAttribute('data-class'), 'matched', `${when}, a linked pair must be shown as matched`);
    assert.equal(
      await row.getAttribute('data-decided'),
      'true',
      `${when}, a hand-made link must be shown as decided, so the operator knows re-matching will not undo it`,
    );
    const text = await row.innerText();
    assert.match(text, /Decided/, `${when}, the row must say it is decided; it said:\n${text}`);
    assert.equal(
      await row.getByRole('button', { name: /^Confirm/ }).count(),
      0,
      `${when}, a decided pair must not offer Confirm again`,
    );
  }

  test('a Preview reads both stores, reports its progress and lists what it would change', {
    timeout: RUN_TIMEOUT_MS + 60_000,
  }, async () => {
    if (setupError) throw setupError;
    const response = await page.goto(new URL('/#/sync', baseUrl).href, { waitUntil: 'load' });
    assert.equal(response?.status(), 200, 'the demo must serve the UI at /');
    const previewButton = page.getByTestId('sync-preview');
    await previewButton.waitFor({ state: 'visible', timeout: 20_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sync-preview"]')?.disabled === false,
      null,
      { timeout: 20_000 },
    );

    // The demo opens on a finished preview of its own; this run must be told apart from it.
    const earlierRun = await page.evaluate(
      () => document.querySelector('[data-testid="sync-status"]')?.getAttribute('data-run-id') ?? null,
    );

    // Hold the start request until the buttons have been seen disabled, so the check is not a race.
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    let passed;
    const sent = new Promise((r) => {
      passed = r;
    });
    await page.route('**/api/sync', async (r) => {
      await held;
      await r.continue();
      passed();
    });
    try {
      await previewButton.click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="sync-full"]')?.disabled === true,
        null,
        { timeout: 10_000 },
      );
    } finally {
      release();
    }
    await sent;
    await page.unroute('**/api/sync');

    // This run finished, or was refused at the start (which would otherwise look like a run that never ends).
    await page.waitForFunction(
      (earlier) => {
        if (document.querySelector('[data-testid="sync-start-error"]')) {
          return true;
        }
        const el = document.querySelector('[data-testid="sync-status"]');
        return (
          el !== null &&
          el.getAttribute('data-run-id') !== earlier &&
          el.getAttribute('data-running') === 'false' &&
          ['done', 'failed'].includes(el.getAttribute('data-phase'))
        );
      },
      earlierRun,
      { timeout: RUN_TIMEOUT_MS },
    );
    const startError = page.getByTestId('sync-start-error');
    assert.equal(
      await startError.count(),
      0,
      `the demo must accept a preview; the screen said: ${(await startError.count()) ? await startError.innerText() : ''}`,
    );
    const status = page.getByTestId('sync-status');
    const statusText = await status.innerText();
    assert.equal(
      await status.getAttribute('data-phase'),
      'done',
      `the preview of the demo stores must finish, not fail; the screen said:\n${statusText}`,
    );
    assert.match(statusText, /Preview/, `the finished run must be named a Preview; it said:\n${statusText}`);
    const summary = await page.getByTestId('sync-summary').innerText();
    assert.match(
      summary,
      /Nothing was written|nothing would change/,
      `a preview must say it wrote nothing; it said: ${summary}`,
    );
    assert.ok(
      await page.getByTestId('sync-full').isEnabled(),
      'once the preview is done, a full sync may be started',
    );

    const { body: preview, text: previewText } = await getJson(baseUrl, '/api/sync/preview?offset=0&limit=100');
    assert.equal(typeof preview?.total, 'number', `the preview must report its total; it said ${previewText}`);
    await page
      .locator('[data-testid="changes-by-kind"], [data-testid="changes-none"]')
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 });
    if (preview.total > 0) {
      const kinds = page.locator('[data-testid="changes-by-kind"] tbody tr');
      assert.equal(
        await kinds.count(),
        preview.by_kind.length,
        'every kind of change the backend counted must have a row in the summary',
      );
      assert.equal(
        await page.getByTestId('change-row').count(),
        Math.min(100, preview.changes.length),
        'the first page of changes must list what the backend returned for it',
      );
    }

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-sync.png'), fullPage: true });
  });

  test('an unmatched pair linked by hand shows as matched and decided, and stays after a reload', {
    timeout: 180_000,
  }, async () => {
    if (setupError) throw setupError;
    const bc = await findSearchableSingleton('bigcommerce');
    const sh = await findSearchableSingleton('shopify');
    const before = await apiMapping({ limit: '1' });

    await page.goto(new URL('/#/mapping', baseUrl).href, { waitUntil: 'load' });
    await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 20_000 });
    await waitForMappingIdle();
    assert.match(page.url(), /#\/mapping$/, 'the Mapping tab must have its own address, so it can be reloaded');
    const tabs = await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allInnerTexts();
    assert.equal(tabs[1]?.trim(), 'Mapping', `Mapping must be the tab right after Status; the tabs were ${tabs}`);

    await page.getByTestId('filter-unmatched').click();
    // The filter's request may not have gone out yet when the list first looks idle: wait for the
    // rows to be replaced (the assertion below says what was shown if they never are).
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="mapping-row"]')].every(
            (r) => r.getAttribute('data-class') === 'unmatched',
          ),
        null,
        { timeout: 20_000 },
      )
      .catch(() => {});
    await waitForMappingIdle();
    assert.equal(
      await page.getByTestId('filter-unmatched').getAttribute('aria-pressed'),
      'true',
      'the Unmatched filter must show as the current one',
    );
    assert.equal(
      Number(await page.getByTestId('filter-unmatched').getAttribute('data-count')),
      before.counts.unmatched,
      'the Unmatched tab must show the count the backend reports',
    );
    const classes = await page
      .locator('[data-testid="mapping-row"]')
      .evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-class')))]);
    assert.deepEqual(classes, ['unmatched'], 'the Unmatched filter must show unmatched rows only');

    await search(bc.term);
    await page.getByTestId(`select-bigcommerce-${bc.side.variant_id}`).click();
    await search(sh.term);
    await page.getByTestId(`select-shopify-${sh.side.variant_id}`).click();
    assert.equal(
      await page.getByTestId(`select-shopify-${sh.side.variant_id}`).getAttribute('aria-pressed'),
      'true',
      'a selected variant must show as selected',
    );
    const selection = await page.getByTestId('selection-bar').innerText();
    assert.ok(
      selection.includes(bc.term) && selection.includes(sh.term),
      `the selection must hold both variants across searches (${bc.term}, ${sh.term}); it said:\n${selection}`,
    );

    const linkButton = page.getByTestId('link-selected');
    assert.ok(await linkButton.isEnabled(), 'with one variant of each store selected, Link selected must be enabled');
    await linkButton.click();
    await page
      .locator('[data-testid="mapping-notice"], [data-testid="mapping-error"]')
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const errorBox = page.getByTestId('mapping-error');
    assert.equal(
      await errorBox.count(),
      0,
      `linking two unmatched variants must succeed; the screen said: ${(await errorBox.count()) ? await errorBox.innerText() : ''}`,
    );
    await waitForMappingIdle();
    assert.ok(
      (await page.getByTestId('selected-bigcommerce').innerText()).includes('none selected'),
      'after linking, the selection must be cleared for the next pair',
    );

    const afterLink = await apiMapping({ limit: '1' });
    assert.equal(
      afterLink.counts.unmatched,
      before.counts.unmatched - 2,
      'the two linked variants must leave the unmatched list',
    );
    assert.equal(afterLink.counts.matched, before.counts.matched + 1, 'the linked pair must join the matched list');
    // The tabs count what the search shows, and the search still holds the Shopify variant's term.
    const searchedAfterLink = await apiMapping({ limit: '1', q: sh.term });
    assert.equal(
      Number(await page.getByTestId('filter-unmatched').getAttribute('data-count')),
      searchedAfterLink.counts.unmatched,
      'the tab counts must be reloaded after the action, for the search shown',
    );

    await assertLinkedOnScreen(bc, sh, 'right after linking');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-mapping.png'), fullPage: true });

    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 20_000 });
    await waitForMappingIdle();
    await assertLinkedOnScreen(bc, sh, 'after reloading the page');

    const persisted = await apiMapping({ q: bc.term });
    const pair = persisted.rows.find((r) => r.bigcommerce?.variant_id === bc.side.variant_id);
    assert.equal(
      pair?.shopify?.variant_id,
      sh.side.variant_id,
      'the backend must keep the link, not just the page',
    );
    assert.equal(pair?.decided, true, 'the backend must record the link as an operator decision');

    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  async function apiRules() {
    const { response, text, body } = await getJson(baseUrl, '/api/matching/rules');
    assert.equal(response.status, 200, `GET /api/matching/rules must answer 200; it said ${text}`);
    assert.equal(typeof body?.synonyms?.values, 'object', `the rules must carry a value synonyms table; it said ${text}`);
    return body;
  }

  async function openMapping() {
    await page.goto(new URL('/#/mapping', baseUrl).href, { waitUntil: 'load' });
    // A fresh page, so a search left by the last test does not narrow this one's tab counts.
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 20_000 });
    await waitForMappingIdle();
  }

  /** Unfolds the rules editor and waits until the stored rules are in it. */
  async function openRules() {
    const panel = page.getByTestId('matching-rules');
    await panel.locator('summary').click();
    await panel.getByTestId('rules-save').waitFor({ state: 'visible', timeout: 20_000 });
    return panel;
  }

  async function aliasesOnScreen(table) {
    return page
      .getByTestId(`synonyms-${table}`)
      .getByTestId('synonym-alias')
      .evaluateAll((inputs) => inputs.map((i) => i.value));
  }

  test('an option-value synonym added in the rules editor is saved, re-matches and is still there after a reload', {
    timeout: 120_000,
  }, async () => {
    if (setupError) throw setupError;
    const alias = 'e2e-xxxl';
    const canonical = 'xxx-large';
    const before = await apiRules();
    assert.equal(before.synonyms.values[alias], undefined, `the demo must not know the alias ${alias} yet`);

    await openMapping();
    const panel = await openRules();
    assert.deepEqual(
      await aliasesOnScreen('values'),
      Object.keys(before.synonyms.values),
      'the editor must show the value synonyms the backend holds',
    );
    assert.ok(
      await panel.getByTestId('rules-save').isDisabled(),
      'Save must wait until something was changed',
    );

    await panel.getByTestId('synonyms-values-add').click();
    const newRow = panel.getByTestId('synonyms-values').getByTestId('synonym-row').last();
    const aliasInput = newRow.getByTestId('synonym-alias');
    assert.ok(
      await aliasInput.evaluate((el) => el === document.activeElement),
      'the added row must take the focus, so its alias can be typed at once',
    );
    await aliasInput.fill(alias);

    // A half-filled row is stopped in the page, with the row named, and nothing is sent.
    let puts = 0;
    const countPuts = (request) => {
      if (request.method() === 'PUT' && request.url().endsWith('/api/matching/rules')) puts += 1;
    };
    page.on('request', countPuts);
    await panel.getByTestId('rules-save').click();
    const problems = panel.getByTestId('rules-problems');
    await problems.waitFor({ state: 'visible', timeout: 10_000 });
    const problemText = await problems.innerText();
    const rowNumber = Object.keys(before.synonyms.values).length + 1;
    assert.match(
      problemText,
      new RegExp(`Option values, row ${rowNumber}: fill in what “${alias}” means`),
      `the page must name the half-filled row; it said:\n${problemText}`,
    );
    assert.equal(
      await newRow.getByTestId('synonym-canonical').getAttribute('aria-invalid'),
      'true',
      'the empty cell must be marked',
    );
    assert.equal(puts, 0, 'rules with a half-filled row must not be sent');

    // If the backend still refuses, its message is shown as it is.
    await newRow.getByTestId('synonym-canonical').fill(canonical);
    assert.equal(await problems.count(), 0, 'a fixed row must stop being reported at once');
    const refusal = 'an option value synonym needs both sides filled in; remove or complete the row for "x"';
    await page.route('**/api/matching/rules', (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ code: null, message: refusal }) })
        : route.continue(),
    );
    await panel.getByTestId('rules-save').click();
    const saveError = panel.getByTestId('rules-error');
    await saveError.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(
      await saveError.innerText(),
      /An option value synonym needs both sides filled in/,
      "the backend's refusal must be shown",
    );
    await page.unroute('**/api/matching/rules');

    await panel.getByTestId('rules-save').click();
    await panel
      .locator('[data-testid="rules-saved"], [data-testid="rules-error"]')
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
    page.off('request', countPuts);
    assert.equal(
      await panel.getByTestId('rules-error').count(),
      0,
      `saving a complete synonym must succeed; the page said: ${(await saveError.count()) ? await saveError.innerText() : ''}`,
    );
    assert.equal(puts, 2, 'the refused save and the real one each sent the rules once');

    const counts = (await apiMapping({ limit: '1' })).counts;
    const savedText = await panel.getByTestId('rules-saved').innerText();
    assert.match(
      savedText,
      new RegExp(`${counts.matched.toLocaleString('en-US')} matched, .*${counts.unmatched.toLocaleString('en-US')} unmatched`),
      `the page must show the counts the re-match produced (${JSON.stringify(counts)}); it said: ${savedText}`,
    );
    await waitForMappingIdle();
    assert.equal(
      Number(await page.getByTestId('filter-unmatched').getAttribute('data-count')),
      counts.unmatched,
      'the tab counts must be reloaded after the rules are saved',
    );
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-mapping-rules.png'), fullPage: true });

    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 20_000 });
    await openRules();
    const after = await apiRules();
    assert.deepEqual(
      after.synonyms.values,
      { ...before.synonyms.values, [alias]: canonical },
      'after a reload the backend must hold the new synonym beside the old ones',
    );
    assert.deepEqual(after.synonyms.names, before.synonyms.names, 'the option name synonyms must be left as they were');
    assert.deepEqual(after.sku, before.sku, 'the SKU rules must be left as they were');
    assert.ok(
      (await aliasesOnScreen('values')).includes(alias),
      'after a reload the editor must show the saved synonym',
    );

    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  async function waitForTabCount(filter, expected, what) {
    await page
      .waitForFunction(
        ([f, n]) => document.querySelector(`[data-testid="filter-${f}"]`)?.getAttribute('data-count') === String(n),
        [filter, expected],
        { timeout: 30_000 },
      )
      .catch(async () => {
        const error = page.getByTestId('mapping-error');
        const said = (await error.count()) ? await error.innerText() : '(no error shown)';
        const shown = await page.getByTestId(`filter-${filter}`).getAttribute('data-count');
        assert.fail(`${what}: the ${filter} tab must count ${expected}; it counts ${shown}. The page said: ${said}`);
      });
  }

  test('a variant ignored by a click can be un-ignored by a click; the Ignored count goes up and back', {
    timeout: 120_000,
  }, async () => {
    if (setupError) throw setupError;
    const sh = await findSearchableSingleton('shopify');
    const before = (await apiMapping({ limit: '1' })).counts;
    const id = sh.side.variant_id;
    const rowOfShopify = () => page.locator(`[data-testid="mapping-row"][data-shopify-variant="${id}"]`);

    await openMapping();
    await page.getByTestId('filter-all').click();
    await search(sh.term);
    await waitForTabCount('ignored', before.ignored, 'before ignoring');
    assert.equal(
      await page.getByTestId(`unignore-shopify-${id}`).count(),
      0,
      'a variant that is not ignored must not offer Un-ignore',
    );

    await page.getByTestId(`ignore-shopify-${id}`).click();
    await waitForTabCount('ignored', before.ignored + 1, 'after ignoring');
    await waitForMappingIdle();
    const ignoredCounts = (await apiMapping({ limit: '1' })).counts;
    assert.equal(ignoredCounts.ignored, before.ignored + 1, 'the backend must count the ignored variant');
    assert.equal(ignoredCounts.unmatched, before.unmatched - 1, 'the ignored variant must leave the unmatched list');
    assert.equal(await rowOfShopify().getAttribute('data-class'), 'ignored', 'the row must show as ignored');
    assert.equal(
      await page.getByTestId(`select-shopify-${id}`).count(),
      0,
      'an ignored variant must not be offered for a hand-made link',
    );

    await page.getByTestId(`unignore-shopify-${id}`).click();
    await waitForTabCount('ignored', before.ignored, 'after un-ignoring');
    await waitForMappingIdle();
    const notice = await page.getByTestId('mapping-notice').innerText();
    assert.match(notice, /Un-ignored Shopify/, `the page must say what was done; it said: ${notice}`);
    assert.deepEqual(
      (await apiMapping({ limit: '1' })).counts,
      before,
      'taking the ignore back must restore every count as it was',
    );
    assert.equal(
      await rowOfShopify().getAttribute('data-class'),
      'unmatched',
      'the un-ignored variant must be unmatched again, as it was',
    );
    assert.equal(
      await page.getByTestId(`ignore-shopify-${id}`).count(),
      1,
      'an un-ignored variant can be ignored again',
    );

    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });
});
