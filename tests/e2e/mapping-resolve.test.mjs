// End-to-end check that the Mapping screen resolves in place, on `tillbridge demo` in a 1920×1080
// window: a conflict kept with one click (and the owner's codes named before it), an ambiguous
// group compared and linked on one page, an Ignore that a lone Enter does not fire and that Undo
// takes back, tab counts that follow the search, paging and sorting for large catalogs, and
// "Confirm all N matched". The Mapping screenshot for the README is taken here.
//
// Needs what serve.test.mjs needs (see there). Run: node --test tests/e2e/mapping-resolve.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifacts, getJson, startScene } from './support.mjs';

describe('resolving the mapping in place on the demo stores', () => {
  let scene;
  let baseUrl;
  let page;
  let pageErrors = [];
  let setupError;

  before(async () => {
    try {
      scene = await startScene('resolve', { demo: { variants: 300 }, page: { viewport: { width: 1920, height: 1080 } } });
      ({ baseUrl, page, pageErrors } = scene);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await scene?.close();
  });

  async function apiMapping(params) {
    const query = new URLSearchParams({ class: 'all', offset: '0', limit: '500', ...params });
    const { response, text, body } = await getJson(baseUrl, `/api/mapping?${query}`);
    assert.equal(response.status, 200, `GET /api/mapping?${query} must answer 200; it said ${text}`);
    assert.ok(Array.isArray(body?.rows), `the mapping must carry rows; it said ${text}`);
    return body;
  }

  /** Every row of a class, page by page. */
  async function allRows(cls) {
    const rows = [];
    for (let offset = 0; ; offset += 500) {
      const page = await apiMapping({ class: cls, offset: String(offset) });
      rows.push(...page.rows);
      if (rows.length >= page.total || page.rows.length === 0) {
        return rows;
      }
    }
  }

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

  async function openMapping() {
    await page.goto(new URL('/#/mapping', baseUrl).href, { waitUntil: 'load' });
    // A fresh page: the last test's notice and search must not show in this one (or its screenshot).
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 20_000 });
    await waitForMappingIdle();
  }

  async function search(text) {
    await page.getByTestId('mapping-search').fill(text);
    await page.waitForTimeout(400); // the search is debounced
    await waitForMappingIdle();
  }

  /** Waits for the outcome of an action and fails with the page's own words when it was refused. */
  async function expectNotice(what) {
    await page
      .locator('[data-testid="mapping-notice"], [data-testid="mapping-error"]')
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    const error = page.getByTestId('mapping-error');
    assert.equal(await error.count(), 0, `${what} must succeed; the page said: ${(await error.count()) ? await error.innerText() : ''}`);
    await waitForMappingIdle();
    return page.getByTestId('mapping-notice').innerText();
  }

  const samePair = (row, bc, sh) => row.bigcommerce?.variant_id === bc && row.shopify?.variant_id === sh;

  test('a conflict is kept with one click, says first whose codes win, and Undo brings the conflict back', {
    timeout: 120_000,
  }, async () => {
    if (setupError) throw setupError;
    const conflicts = await allRows('conflict');
    assert.ok(conflicts.length > 0, 'the demo catalog (seed 42) must hold a conflicting pair to keep');
    const conflict = conflicts[0];
    const bc = conflict.bigcommerce.variant_id;
    const sh = conflict.shopify.variant_id;
    const before = (await apiMapping({ limit: '1' })).counts;
    const { body: ownership } = await getJson(baseUrl, '/api/ownership');

    await openMapping();
    await page.getByTestId('filter-conflict').click();
    await search(conflict.bigcommerce.sku.trim() || conflict.bigcommerce.barcode.trim());
    const row = page.locator(`[data-testid="mapping-row"][data-bigcommerce-variant="${bc}"]`);
    await row.waitFor({ state: 'visible', timeout: 20_000 });

    // What keeping does is said before the click, from the ownership the backend holds.
    const outcome = await row.getByTestId(`keep-outcome-${conflict.id}`).innerText();
    for (const code of ['barcode', 'sku']) {
      const [b, s] = [conflict.bigcommerce[code], conflict.shopify[code]];
      if (b.trim() === '' || s.trim() === '' || b === s) continue;
      const label = code === 'sku' ? 'SKU' : 'barcode';
      const expected =
        ownership[code] === 'bigcommerce'
          ? `BigCommerce's ${label}`
          : ownership[code] === 'shopify'
            ? `Shopify's ${label}`
            : `Neither store owns the ${label}`;
      assert.ok(outcome.includes(expected), `the ${label}s differ, so the row must say "${expected}" wins; it said:\n${outcome}`);
    }

    let requests = 0;
    const countWrites = (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/mapping/')) requests += 1;
    };
    page.on('request', countWrites);
    await row.getByTestId(`keep-${conflict.id}`).click();
    const notice = await expectNotice('keeping the conflicting pair');
    page.off('request', countWrites);
    assert.equal(requests, 1, 'keeping a pair is one click and one request, not unlink, select, select and link');
    assert.match(notice, /^Kept BigCommerce/, `the page must say what was kept; it said: ${notice}`);

    const kept = (await allRows('matched')).find((r) => samePair(r, bc, sh));
    assert.ok(kept, 'the kept pair must be matched');
    assert.equal(kept.decided, true, 'the kept pair is held by the operator decision, so re-matching keeps it');
    const afterKeep = (await apiMapping({ limit: '1' })).counts;
    assert.deepEqual(
      [afterKeep.conflict, afterKeep.matched],
      [before.conflict - 1, before.matched + 1],
      'the pair moved from the conflicts to the matches',
    );

    await page.getByTestId('mapping-undo').click();
    await expectNotice('undoing the keep');
    assert.deepEqual((await apiMapping({ limit: '1' })).counts, before, 'Undo must restore every count');
    assert.ok(
      (await allRows('conflict')).some((r) => samePair(r, bc, sh) && !r.decided),
      'after Undo the pair is a conflict again, with no decision left behind',
    );
    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  test('an ambiguous group is compared in one block and resolved on one page', { timeout: 120_000 }, async () => {
    if (setupError) throw setupError;
    const ambiguous = await allRows('ambiguous');
    let chosen = null;
    for (const row of ambiguous.filter((r) => r.bigcommerce !== null)) {
      const group = await apiMapping({ group: String(row.id) });
      if (group.rows.filter((r) => r.shopify !== null).length >= 2) {
        chosen = { row, group: group.rows };
        break;
      }
    }
    assert.ok(
      chosen,
      `the demo catalog must hold an ambiguous group of a BigCommerce variant and at least two Shopify listings; ` +
        `it has ${ambiguous.length} ambiguous rows`,
    );
    const { row, group } = chosen;
    const bc = row.bigcommerce;
    const listings = group.flatMap((r) => (r.shopify ? [r.shopify] : []));
    assert.ok(
      group.every((r) => r.reason === row.reason && r.class === 'ambiguous'),
      'every member of the group shares the key its reason names',
    );

    await openMapping();
    await page.getByTestId('filter-ambiguous').click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="mapping-row"]')].every((r) => r.dataset.class === 'ambiguous'),
      null,
      { timeout: 20_000 },
    );
    await waitForMappingIdle();
    // In the Ambiguous tab a group's rows follow one another, its BigCommerce variant first.
    const ids = new Set([String(bc.variant_id), ...listings.map((l) => l.variant_id)]);
    const positions = await page
      .locator('[data-testid="mapping-row"]')
      .evaluateAll((rows, wanted) => rows.flatMap((r, i) => {
        const id = r.getAttribute('data-bigcommerce-variant') ?? r.getAttribute('data-shopify-variant');
        return wanted.includes(id) ? [i] : [];
      }), [...ids]);
    assert.equal(positions.length, ids.size, `every member of the group is on the tab's first page (${ambiguous.length} ambiguous rows)`);
    assert.deepEqual(
      positions,
      positions.map((_, k) => positions[0] + k),
      `the group's rows are shown together, not scattered; they were at rows ${positions.join(', ')}`,
    );

    await search(bc.sku.trim() || bc.barcode.trim());
    const bcRow = page.locator(`[data-testid="mapping-row"][data-bigcommerce-variant="${bc.variant_id}"]`);
    await bcRow.waitFor({ state: 'visible', timeout: 20_000 });
    await bcRow.getByTestId(`group-${row.id}`).click();
    const block = page.getByTestId('mapping-group');
    await block.getByTestId('group-candidate').first().waitFor({ state: 'visible', timeout: 20_000 });

    const block_ = block.getByTestId(`group-bigcommerce-${bc.variant_id}`);
    assert.equal(
      await block_.getByTestId('group-candidate').count(),
      listings.length,
      'the BigCommerce variant and every Shopify listing of its group are shown in one block',
    );
    const shown = await block_.getByTestId('group-candidate').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shopify-variant')));
    assert.deepEqual(shown.sort(), listings.map((l) => l.variant_id).sort(), 'the block lists exactly the group');
    assert.equal(await page.getByTestId('mapping-page-next').isEnabled(), false, 'no paging is needed to see the group');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-mapping-group.png') });

    const pick = listings[listings.length - 1];
    const pickId = pick.variant_id.split('/').pop();
    await block_.getByTestId(`group-link-${bc.variant_id}-${pickId}`).click();
    const notice = await expectNotice('linking a candidate of the group');
    const productId = pick.product_id.split('/').pop();
    assert.ok(
      notice.includes(pick.title) && notice.includes(`product ${productId}`) && notice.includes(`variant ${pickId}`),
      `the page must name the listing picked by title and ids, not only its SKU (${pick.sku}); it said: ${notice}`,
    );
    const linked = (await allRows('matched')).find((r) => samePair(r, bc.variant_id, pick.variant_id));
    assert.ok(linked?.decided, 'the chosen listing is linked to the BigCommerce variant, as an operator decision');
    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  test('a lone Enter does not ignore; a click does, and Undo takes it back', { timeout: 120_000 }, async () => {
    if (setupError) throw setupError;
    const singleton = (await allRows('unmatched')).find((r) => r.bigcommerce === null && r.shopify.sku.trim() !== '');
    assert.ok(singleton, 'the demo catalog must hold an unmatched Shopify variant with a SKU');
    const sh = singleton.shopify;
    const term = sh.sku.trim();
    const before = (await apiMapping({ limit: '1' })).counts;

    await openMapping();
    await page.getByTestId('filter-all').click();
    await search(term);
    const searched = await apiMapping({ q: term, limit: '1' });
    assert.equal(
      Number(await page.getByTestId('filter-all').getAttribute('data-count')),
      searched.total,
      'the All tab counts what the search finds, not the whole catalog',
    );
    assert.equal(
      Number(await page.getByTestId('filter-unmatched').getAttribute('data-count')),
      searched.counts.unmatched,
      'each tab counts what the search finds in its class',
    );

    // The selection names the listing, not only its SKU.
    await page.getByTestId(`select-shopify-${sh.variant_id}`).click();
    const selected = await page.getByTestId('selected-shopify').innerText();
    const productId = sh.product_id.split('/').pop();
    assert.ok(
      selected.includes(sh.title) && selected.includes(`product ${productId}`),
      `the selection must name the product title and id; it said: ${selected}`,
    );
    await page.getByTestId('clear-selection').click();

    const ignore = page.getByTestId(`ignore-shopify-${sh.variant_id}`);
    await ignore.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    assert.equal(await ignore.getAttribute('data-armed'), 'true', 'a lone Enter only arms Ignore');
    assert.deepEqual((await apiMapping({ limit: '1' })).counts, before, 'a lone Enter must not ignore anything');
    await page.getByTestId('mapping-search').focus(); // leaving the button disarms it

    await ignore.click();
    const notice = await expectNotice('ignoring by a click');
    assert.match(notice, /^Ignored Shopify/, `the page must say what was ignored; it said: ${notice}`);
    const ignored = (await apiMapping({ limit: '1' })).counts;
    assert.deepEqual(
      [ignored.ignored, ignored.unmatched],
      [before.ignored + 1, before.unmatched - 1],
      'a click ignores the variant',
    );

    await page.getByTestId('mapping-undo').click();
    await expectNotice('undoing the ignore');
    assert.deepEqual((await apiMapping({ limit: '1' })).counts, before, 'Undo after Ignore restores every count');
    const row = page.locator(`[data-testid="mapping-row"][data-shopify-variant="${sh.variant_id}"]`);
    assert.equal(await row.getAttribute('data-class'), 'unmatched', 'the variant is unmatched again on screen');
    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  test('after an unlink the reason is true: it names the variant it was unlinked from; Undo re-pairs them', {
    timeout: 120_000,
  }, async () => {
    if (setupError) throw setupError;
    const match = (await allRows('matched')).find((r) => !r.decided && r.key === 'sku' && r.bigcommerce.sku.trim() !== '');
    assert.ok(match, 'the demo catalog must hold an automatic match by SKU to unlink');
    const bc = match.bigcommerce;
    const before = (await apiMapping({ limit: '1' })).counts;

    await openMapping();
    await search(bc.sku.trim());
    const row = page.locator(`[data-testid="mapping-row"][data-bigcommerce-variant="${bc.variant_id}"]`);
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await row.getByRole('button', { name: /^Unlink/ }).click();
    await expectNotice('unlinking an automatic match');

    const reasonOnScreen = await row.locator('.mapping-reason').innerText();
    assert.doesNotMatch(
      reasonOnScreen,
      /no Shopify variant has/,
      `a Shopify variant has this SKU, so the reason must not say none has; it said: ${reasonOnScreen}`,
    );
    assert.match(
      reasonOnScreen,
      /has the same SKU, but you unlinked the two/,
      `the reason must name the unlink that keeps the two apart; it said: ${reasonOnScreen}`,
    );
    assert.equal(await row.getAttribute('data-class'), 'unmatched', 'the unlinked BigCommerce variant is unmatched');

    await page.getByTestId('mapping-undo').click();
    await expectNotice('undoing the unlink');
    assert.deepEqual((await apiMapping({ limit: '1' })).counts, before, 'Undo after Unlink restores every count');
    const back = (await allRows('matched')).find((r) => samePair(r, bc.variant_id, match.shopify.variant_id));
    assert.equal(back?.decided, false, 'the pair is matched again by the matcher, with no decision left behind');
    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });

  test('a large list pages by a chosen size, jumps, sorts, and confirms all N matched at once', {
    timeout: 120_000,
  }, async () => {
    if (setupError) throw setupError;
    await openMapping();
    await page.getByTestId('filter-all').click();
    await search('');
    const total = (await apiMapping({ limit: '1' })).total;
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="mapping-row"]').length === Math.min(100, n),
      total,
      { timeout: 20_000 },
    );

    // The table uses the window's width, and a 1080-pixel window shows a screenful of rows.
    const tableWidth = await page.getByTestId('mapping-table').evaluate((t) => t.getBoundingClientRect().width);
    assert.ok(tableWidth > 1600, `the table must use the 1920-pixel window, not a narrow column; it is ${tableWidth}px wide`);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-mapping-resolve.png') });
    const visibleRows = await page.locator('[data-testid="mapping-row"]').evaluateAll(
      (rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length,
    );
    assert.ok(visibleRows >= 10, `at 1920×1080 at least 10 rows must show without scrolling (about 5 did before); ${visibleRows} do`);
    await page.getByTestId('mapping-page-size').selectOption('25');
    await waitForMappingIdle();
    await page.getByTestId('mapping-page-jump').fill('3');
    await page.getByTestId('mapping-page-go').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="mapping-page-number"]')?.textContent === '3',
      null,
      { timeout: 20_000 },
    );
    await waitForMappingIdle();
    assert.equal(
      await page.getByTestId('mapping-page-range').innerText(),
      `rows 51–75 of ${total.toLocaleString('en-US')}`,
      'page 3 of 25-row pages shows rows 51 to 75',
    );
    assert.equal(
      await page.getByTestId('mapping-page-count').innerText(),
      String(Math.ceil(total / 25)),
      'the page count follows the page size',
    );

    await page.getByTestId('mapping-sort').selectOption('sku');
    await waitForMappingIdle();
    await page.waitForFunction(() => document.querySelector('[data-testid="mapping-page-number"]')?.textContent === '1');
    await waitForMappingIdle();
    const bySku = await apiMapping({ sort: 'sku', limit: '25' });
    const onScreen = await page
      .locator('[data-testid="mapping-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bigcommerce-variant') ?? r.getAttribute('data-shopify-variant')));
    assert.deepEqual(
      onScreen,
      bySku.rows.map((r) => String(r.bigcommerce?.variant_id ?? r.shopify?.variant_id)),
      'sorted by SKU, the first page shows what the backend sorts first',
    );

    const confirmable = (await apiMapping({ limit: '1' })).confirmable;
    assert.ok(confirmable > 0, 'the demo must hold automatic matches to confirm');
    await page.getByTestId('confirm-all').click();
    const ask = await page.getByTestId('confirm-all-ask').innerText();
    assert.match(
      ask,
      new RegExp(`Confirm all ${confirmable.toLocaleString('en-US')} matched`),
      `the confirmation must give the count it will confirm; it said: ${ask}`,
    );
    await page.getByTestId('confirm-all-yes').click();
    await expectNotice('confirming all matched');
    assert.equal((await apiMapping({ limit: '1' })).confirmable, 0, 'every automatic match is confirmed');
    await page.getByTestId('mapping-undo').click();
    await expectNotice('undoing the confirmation');
    assert.equal(
      (await apiMapping({ limit: '1' })).confirmable,
      confirmable,
      'Undo takes every confirmation back',
    );
    assert.deepEqual(pageErrors, [], 'the page must run without uncaught script errors');
  });
});
