// How fast the Mapping screen answers on a large catalog, in headless Chromium: page turns, searches
// and actions (ignore, then Undo), each timed from the person's input to the rows shown again.
// Run by hand, not in CI (a benchmark prints figures; it asserts no timing):
//
//   cargo build --release --bin tillbridge && npm --prefix ui run build
//   TILLBRIDGE_BIN=target/release/tillbridge node tests/e2e/bench-mapping.mjs [VARIANTS] [ROUNDS]
//
// VARIANTS defaults to 100000, ROUNDS (samples per kind) to 40. The last line is one JSON object.
// Target: p95 ≤ 300 ms for each kind.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, launchChromium, startDemo, stopProcess } from './support.mjs';

const variants = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 40);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const workDir = mkdtempSync(join(tmpdir(), 'tillbridge-bench-mapping-'));
const started = Date.now();
const demo = startDemo(workDir, { variants, timeoutMs: 30 * 60_000 });
let browser;
try {
  const baseUrl = await demo.ready;
  const { body: first } = await getJson(baseUrl, '/api/mapping?class=all&offset=0&limit=1');
  console.log(`demo of ${variants} variants ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${first.total} mapping rows`);

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const idle = () =>
    page.waitForFunction(
      () => document.querySelector('section[aria-label="Mapping rows"]')?.getAttribute('aria-busy') === 'false',
      null,
      { timeout: 60_000, polling: 'raf' },
    );
  await page.goto(new URL('/#/mapping', baseUrl).href, { waitUntil: 'load' });
  await page.getByTestId('mapping-search').waitFor({ state: 'visible', timeout: 60_000 });
  await page.getByTestId('filter-all').click();
  await idle();

  // Page turns: from the click to the next page's rows.
  const turns = [];
  for (let i = 0; i < rounds; i += 1) {
    const number = await page.getByTestId('mapping-page-number').innerText();
    const t0 = performance.now();
    await page.getByTestId('mapping-page-next').click();
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="mapping-page-number"]')?.textContent !== before,
      number,
      { polling: 'raf' },
    );
    await idle();
    turns.push(performance.now() - t0);
  }

  // Searches: from the request the debounced search sends to its rows shown (the debounce itself is
  // a pause for typing, not waiting on Tillbridge).
  // Distinct terms, each a whole SKU: typing what the box already holds sends nothing.
  const rows = (await getJson(baseUrl, `/api/mapping?class=all&offset=0&limit=${rounds * 4}`)).body.rows;
  const terms = [...new Set(rows.map((r) => (r.bigcommerce ?? r.shopify).sku.trim()).filter((t) => /^[\w-]+$/.test(t)))];
  const searches = [];
  for (const term of terms.slice(0, rounds)) {
    const sent = page.waitForRequest((r) => r.url().includes('/api/mapping?') && r.url().includes(encodeURIComponent(term)));
    await page.getByTestId('mapping-search').fill(term);
    await sent;
    const t0 = performance.now();
    await page.waitForResponse((r) => r.url().includes('/api/mapping?') && r.url().includes(encodeURIComponent(term)));
    await idle();
    searches.push(performance.now() - t0);
  }
  await page.getByTestId('mapping-search').fill('');
  await idle();

  // Actions: Ignore a variant, then Undo it, each from the click to the notice and the rows shown.
  const actions = [];
  const unmatched = (await getJson(baseUrl, `/api/mapping?class=unmatched&offset=0&limit=${rounds * 4}`)).body.rows;
  // Rows a search finds by a plain SKU of their own (the search reads SKUs, barcodes and titles).
  const searchable = unmatched.filter((r) => /^[\w-]+$/.test((r.shopify ?? r.bigcommerce).sku.trim()));
  for (const row of searchable.slice(0, Math.ceil(rounds / 2))) {
    const side = row.shopify ? 'shopify' : 'bigcommerce';
    const id = row[side].variant_id;
    await page.getByTestId('mapping-search').fill(row[side].sku.trim());
    await idle();
    await page.waitForTimeout(400); // let the debounced search settle before timing the click
    await idle();
    for (const testId of [`ignore-${side}-${id}`, 'mapping-undo']) {
      const t0 = performance.now();
      await page.getByTestId(testId).click();
      await page.getByTestId('mapping-notice').waitFor({ state: 'visible' });
      await idle();
      actions.push(performance.now() - t0);
      await page.waitForTimeout(50);
    }
  }

  const figures = {};
  for (const [kind, samples] of [
    ['page_turn', turns],
    ['search', searches],
    ['action', actions],
  ]) {
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    figures[`${kind}_p50_ms`] = Math.round(p50);
    figures[`${kind}_p95_ms`] = Math.round(p95);
    console.log(
      `${kind.replace('_', ' ')}: ${samples.length} samples, p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target p95 ≤ 300 ms, ${p95 <= 300 ? 'met' : 'MISSED'})`,
    );
  }
  console.log(JSON.stringify({ variants, rows: first.total, ...figures }));
} finally {
  await browser?.close().catch(() => {});
  await stopProcess(demo.child);
  rmSync(workDir, { recursive: true, force: true });
}
