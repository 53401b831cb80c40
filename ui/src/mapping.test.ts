import { describe, expect, it } from 'vitest';
import type { BigCommerceVariant, MappingCounts, MappingRow, ShopifyVariant } from './api';
import {
  EMPTY_SELECTION,
  FILTERS,
  PAGE_SIZE,
  clampOffset,
  confirmablePairs,
  countFor,
  csvFileName,
  filterTabs,
  flagLabel,
  ignoreId,
  initialQuery,
  isSelected,
  linkRequest,
  listingName,
  offsetOfPage,
  pageCount,
  pageNumber,
  pageRange,
  rowActions,
  undoOf,
  visibleWhitespace,
  winnersOnKeep,
  withPageSize,
  selectionHint,
  toggleSelection,
  variantName,
  withFilter,
  withOffset,
  withSearch,
} from './mapping';

const COUNTS: MappingCounts = { matched: 9_000, ambiguous: 12, conflict: 3, unmatched: 1_204, ignored: 0 };

function bc(id: number, extra: Partial<BigCommerceVariant> = {}): BigCommerceVariant {
  return { product_id: 1, variant_id: id, sku: `BC-${id}`, barcode: '', title: 'Tee', options: 'Size: M', ...extra };
}

function sh(n: number, extra: Partial<ShopifyVariant> = {}): ShopifyVariant {
  return {
    product_id: 'gid://shopify/Product/1',
    variant_id: `gid://shopify/ProductVariant/${n}`,
    sku: `SH-${n}`,
    barcode: '',
    title: 'Tee',
    options: 'Size: M',
    ...extra,
  };
}

function row(extra: Partial<MappingRow>): MappingRow {
  return {
    id: 1,
    class: 'matched',
    key: 'sku',
    reason: 'same SKU',
    flags: [],
    decided: false,
    bigcommerce: bc(11),
    shopify: sh(21),
    ...extra,
  };
}

describe('filter tabs', () => {
  it('lists the tabs in working order, All first', () => {
    expect(
      FILTERS.map((f) => f.label),
      'the rows needing a decision come right after All',
    ).toEqual(['All', 'Unmatched', 'Conflict', 'Ambiguous', 'Matched', 'Ignored']);
  });

  it('counts All as every class together and each class as the backend says', () => {
    expect(countFor('all', COUNTS), 'All is the sum of the classes').toBe(10_219);
    expect(countFor('unmatched', COUNTS), 'a class tab shows its own count').toBe(1_204);
    expect(countFor('ignored', COUNTS), 'an empty class still shows 0 rather than nothing').toBe(0);
    expect(countFor('all', null), 'before the first answer the count is unknown, not 0').toBeNull();
  });

  it('marks the current tab and writes counts with thousands separators', () => {
    const tabs = filterTabs(COUNTS, 'unmatched');
    expect(tabs.filter((t) => t.active).map((t) => t.id), 'exactly the current filter is pressed').toEqual([
      'unmatched',
    ]);
    expect(tabs.find((t) => t.id === 'all')?.text, 'large counts must be readable at a glance').toBe('All 10,219');
    expect(tabs.find((t) => t.id === 'unmatched')?.countText, 'the count shown beside the label').toBe('1,204');
  });

  it('shows bare labels while the counts load', () => {
    const tabs = filterTabs(null, 'all');
    expect(
      tabs.map((t) => t.text),
      'a tab must not claim 0 rows before the backend has answered',
    ).toEqual(FILTERS.map((f) => f.label));
    expect(tabs.every((t) => t.countText === null), 'no count text while loading').toBe(true);
  });
});

describe('paging', () => {
  it('describes the visible rows as "rows X–Y of N"', () => {
    const range = pageRange(100, 100, 1_234);
    expect(range.text, 'the second page of 100 starts at row 101').toBe('rows 101–200 of 1,234');
    expect([range.hasPrev, range.hasNext], 'a middle page can go both ways').toEqual([true, true]);
    expect([range.prevOffset, range.nextOffset], 'pages are PAGE_SIZE apart').toEqual([0, 200]);
  });

  it('stops at the last page and at the first', () => {
    const last = pageRange(1_200, 34, 1_234);
    expect(last.text, 'the last page ends at the total').toBe('rows 1,201–1,234 of 1,234');
    expect(last.hasNext, 'there is nothing after the last page').toBe(false);
    const first = pageRange(0, 100, 100);
    expect([first.hasPrev, first.hasNext], 'exactly one full page has no neighbours').toEqual([false, false]);
  });

  it('says "no rows" for an empty list', () => {
    expect(pageRange(0, 0, 0).text, 'an empty list must not read "rows 1–0 of 0"').toBe('no rows');
  });

  it('moves an offset that ran past the end back to the last page', () => {
    expect(clampOffset(200, 200), 'ignoring the last row of page 3 leaves two full pages').toBe(100);
    expect(clampOffset(300, 150), 'the last page starts at a page boundary').toBe(100);
    expect(clampOffset(100, 0), 'an emptied list goes back to the start').toBe(0);
    expect(clampOffset(100, 101), 'an offset inside the list stays').toBe(100);
  });

  it('uses pages of 100 rows', () => {
    expect(PAGE_SIZE, 'the issue asks for 100 rows a page').toBe(100);
    expect(initialQuery(), 'the screen opens on All, first page, no search').toEqual({
      class: 'all',
      q: '',
      offset: 0,
      limit: 100,
    });
  });

  it('opens on the tab the address names', () => {
    expect(initialQuery('#/mapping?class=conflict').class, "the home screen's conflict count opens the Conflict tab").toBe(
      'conflict',
    );
    expect(initialQuery('#/mapping?class=nonsense').class, 'an unknown tab opens All rather than an empty list').toBe('all');
    expect(initialQuery('#/mapping').class, 'a plain address opens All').toBe('all');
  });
});

describe('query changes', () => {
  const onPage3 = { class: 'unmatched' as const, q: 'tee', offset: 200, limit: 100 };

  it('goes back to the first page on another filter or search', () => {
    expect(withFilter(onPage3, 'conflict').offset, 'page 3 of Unmatched means nothing in Conflict').toBe(0);
    expect(withSearch(onPage3, 'shirt'), 'a new search starts at its first row').toEqual({
      ...onPage3,
      q: 'shirt',
      offset: 0,
    });
  });

  it('keeps the page when the search only gained spaces', () => {
    expect(withSearch(onPage3, ' tee '), 'trailing spaces do not change what is searched').toBe(onPage3);
  });

  it('never pages before the first row', () => {
    expect(withOffset(onPage3, -100).offset, 'Prev on the first page stays there').toBe(0);
  });
});

describe('row actions', () => {
  it('offers Confirm and Unlink on an undecided matched pair, and Ignore on both sides', () => {
    const actions = rowActions(row({}));
    const pair = { bigcommerce_variant_id: 11, shopify_variant_id: 'gid://shopify/ProductVariant/21' };
    expect(actions.confirm, 'an automatic match can be confirmed').toEqual(pair);
    expect(actions.unlink, 'any pair can be unlinked').toEqual(pair);
    expect(actions.select, 'a pair is not selectable for a hand-made link').toBeNull();
    expect(actions.ignore, 'either side of a pair may be ignored').toEqual(['bigcommerce', 'shopify']);
  });

  it('does not offer Confirm on a decided pair or a pair that is not matched', () => {
    expect(rowActions(row({ decided: true })).confirm, 'a decided pair is confirmed already').toBeNull();
    expect(
      rowActions(row({ class: 'conflict' })).confirm,
      'a conflict must be looked at, not waved through by Confirm',
    ).toBeNull();
  });

  it('offers Select on a singleton, on the side it has', () => {
    expect(rowActions(row({ class: 'unmatched', shopify: null })).select, 'a lone BigCommerce variant').toBe(
      'bigcommerce',
    );
    expect(rowActions(row({ class: 'unmatched', bigcommerce: null })).select, 'a lone Shopify variant').toBe(
      'shopify',
    );
    expect(
      rowActions(row({ class: 'unmatched', bigcommerce: null })).unlink,
      'a singleton has nothing to unlink',
    ).toBeNull();
  });

  it('offers no Ignore on a row that is ignored already', () => {
    expect(rowActions(row({ class: 'ignored', shopify: null })).ignore, 'ignoring twice means nothing').toEqual([]);
  });

  it('offers Un-ignore on the side an ignored row has, and nothing else', () => {
    const bcOnly = rowActions(row({ class: 'ignored', shopify: null }));
    expect(bcOnly.unignore, 'the ignored BigCommerce variant can be taken back').toEqual(['bigcommerce']);
    expect(bcOnly.select, 'an ignored variant cannot be linked until the ignore is taken back').toBeNull();
    expect(
      rowActions(row({ class: 'ignored', bigcommerce: null })).unignore,
      'the ignored Shopify variant can be taken back',
    ).toEqual(['shopify']);
    expect(rowActions(row({})).unignore, 'a row that is not ignored has no ignore to take back').toEqual([]);
    expect(
      rowActions(row({ class: 'unmatched', shopify: null })).unignore,
      'an unmatched singleton is not ignored either',
    ).toEqual([]);
  });

  it('sends BigCommerce ids as decimal strings when ignoring', () => {
    const r = row({});
    expect(ignoreId(r, 'bigcommerce'), 'the contract sends every variant id as a string').toBe('11');
    expect(ignoreId(r, 'shopify'), 'Shopify ids go as their GraphQL id').toBe('gid://shopify/ProductVariant/21');
    expect(ignoreId(row({ shopify: null }), 'shopify'), 'a missing side has no id').toBeNull();
  });

  it('confirms only the undecided matched pairs of the page', () => {
    const rows = [
      row({ id: 1 }),
      row({ id: 2, decided: true, bigcommerce: bc(12), shopify: sh(22) }),
      row({ id: 3, class: 'unmatched', shopify: null }),
      row({ id: 4, class: 'ambiguous', bigcommerce: bc(14), shopify: sh(24) }),
      row({ id: 5, bigcommerce: bc(15), shopify: sh(25) }),
    ];
    expect(
      confirmablePairs(rows).map((p) => p.bigcommerce_variant_id),
      'decided, singleton and ambiguous rows are left out of "Confirm visible"',
    ).toEqual([11, 15]);
  });

  it('shows flag sentences as written and words bare codes for people', () => {
    expect(
      flagLabel('Shopify barcode "SH-000156-RED-L" has a wrong check digit'),
      'a sentence quoting a SKU must keep its dashes, or the operator cannot search for it',
    ).toBe('Shopify barcode "SH-000156-RED-L" has a wrong check digit');
    expect(flagLabel('bad_check_digit'), 'a bare code reads as words').toBe('bad check digit');
  });
});

describe('selection and the link request', () => {
  it('links once one variant of each store is selected', () => {
    let s = toggleSelection(EMPTY_SELECTION, { system: 'bigcommerce', variant: bc(11) });
    expect(linkRequest(s), 'one side alone cannot be linked').toBeNull();
    expect(selectionHint(s), 'the bar says what is missing').toMatch(/Shopify/);
    s = toggleSelection(s, { system: 'shopify', variant: sh(21) });
    expect(linkRequest(s), 'the request names both variants by their ids').toEqual({
      bigcommerce_variant_id: 11,
      shopify_variant_id: 'gid://shopify/ProductVariant/21',
    });
    expect(selectionHint(s), 'the bar says the link can be made').toBe('Ready to link.');
  });

  it('keeps one variant per store: another replaces it, the same one clears it', () => {
    let s = toggleSelection(EMPTY_SELECTION, { system: 'bigcommerce', variant: bc(11) });
    s = toggleSelection(s, { system: 'bigcommerce', variant: bc(12) });
    expect(s.bigcommerce?.variant_id, 'a link pairs exactly one variant per store').toBe(12);
    expect(isSelected(s, 'bigcommerce', 11), 'the replaced variant is no longer selected').toBe(false);
    s = toggleSelection(s, { system: 'bigcommerce', variant: bc(12) });
    expect(s, 'selecting the selected variant again is how it is unselected').toEqual(EMPTY_SELECTION);
  });

  it('does not mix up stores that share an id', () => {
    const s = toggleSelection(EMPTY_SELECTION, { system: 'shopify', variant: sh(11) });
    expect(isSelected(s, 'bigcommerce', 11), 'a Shopify pick must not mark a BigCommerce row').toBe(false);
    expect(isSelected(s, 'shopify', 'gid://shopify/ProductVariant/11'), 'the Shopify row is marked').toBe(true);
  });

  it('names a variant by SKU, else barcode, else title', () => {
    expect(variantName(bc(1)), 'the SKU is what operators search by').toBe('BC-1');
    expect(variantName(bc(1, { sku: ' ', barcode: '012345678905' })), 'a blank SKU falls back').toBe(
      '012345678905',
    );
    expect(variantName(bc(1, { sku: '', title: '' })), 'a variant without any name still gets one').toBe(
      'variant 1',
    );
  });
});

describe('csvFileName', () => {
  it('dates the file and keeps the name safe for any file system', () => {
    expect(
      csvFileName('mapping-unmatched', new Date('2026-05-01T09:30:00Z'), 'UTC'),
      'the date tells two exports apart',
    ).toBe('tillbridge-mapping-unmatched-2026-05-01.csv');
    expect(
      csvFileName('a/b c', new Date('2026-01-02T12:00:00Z'), 'UTC'),
      'slashes and spaces would break the path',
    ).toBe('tillbridge-a-b-c-2026-01-02.csv');
    expect(
      csvFileName('changes', new Date('2026-05-02T03:00:00Z'), 'America/Chicago'),
      "an evening export is dated with the store's day, not UTC's",
    ).toBe('tillbridge-changes-2026-05-01.csv');
  });
});

describe('resolving in place', () => {
  const ownership = { title: 'bigcommerce', price: 'bigcommerce', sale_price: 'bigcommerce', barcode: 'bigcommerce', sku: 'shopify' } as const;

  it('offers Keep this pair on a conflict only, and the group on an ambiguous row only', () => {
    const pair = { bigcommerce_variant_id: 11, shopify_variant_id: 'gid://shopify/ProductVariant/21' };
    expect(rowActions(row({ class: 'conflict' })).keep, 'a conflict is kept by linking the pair shown').toEqual(pair);
    expect(rowActions(row({})).keep, 'a match needs no keeping').toBeNull();
    expect(rowActions(row({ class: 'ambiguous', id: 7, shopify: null })).group, 'the group is asked by row id').toBe(7);
    expect(rowActions(row({ class: 'unmatched', shopify: null })).group, 'an unmatched row has no group').toBeNull();
  });

  it('says whose barcode and SKU win when a conflict is kept, from the ownership', () => {
    const conflict = row({
      class: 'conflict',
      bigcommerce: bc(11, { sku: 'TEE-1', barcode: '012345678905' }),
      shopify: sh(21, { sku: 'TEE-1\t', barcode: '4006381333931' }),
    });
    const said = winnersOnKeep(conflict, ownership);
    expect(said, 'one sentence per code that differs').toHaveLength(2);
    expect(said[0], 'BigCommerce owns the barcode').toMatch(/^BigCommerce's barcode “012345678905” wins .*“4006381333931”/);
    expect(said[1], 'Shopify owns the SKU, and its trailing tab is shown').toMatch(/^Shopify's SKU “TEE-1⇥” wins/);
    const unowned = winnersOnKeep(conflict, { ...ownership, barcode: 'none' });
    expect(unowned[0], 'a field neither store owns is left alone').toMatch(/^Neither store owns the barcode/);
    const sameCodes = row({ class: 'conflict', bigcommerce: bc(11, { sku: 'A' }), shopify: sh(21, { sku: 'A' }) });
    expect(winnersOnKeep(sameCodes, ownership)[0], 'options alone differ').toMatch(/agree/);
  });

  it('makes tabs and spaces at the ends visible, and leaves inner spaces alone', () => {
    expect(visibleWhitespace('ABC\t'), 'a trailing tab').toBe('ABC⇥');
    expect(visibleWhitespace(' ABC  '), 'spaces at the ends').toBe('␣ABC␣␣');
    expect(visibleWhitespace('A B'), 'a space inside').toBe('A B');
    expect(visibleWhitespace('  '), 'only spaces').toBe('␣␣');
  });

  it('names a listing by product title, product id and variant id, not only by SKU', () => {
    expect(listingName(sh(21, { title: 'Tee, blue', product_id: 'gid://shopify/Product/900' }))).toBe(
      'Tee, blue · product 900 · variant 21',
    );
  });

  it('offers an undo only when the action changed a decision', () => {
    const counts = COUNTS;
    const undo = { added: [{ kind: 'ignore_bigcommerce' as const, variant_id: 4 }], removed: [] };
    expect(undoOf({ counts, undo }), 'an ignore can be taken back').toEqual(undo);
    expect(undoOf({ counts, undo: { added: [], removed: [] } }), 'nothing changed, nothing to undo').toBeNull();
    expect(undoOf(counts), 'an answer with counts only has no undo').toBeNull();
  });
});

describe('large catalogs', () => {
  it('counts pages and jumps to one, kept within the pages there are', () => {
    expect(pageCount(1_001, 100), 'a last, partial page counts').toBe(11);
    expect(pageCount(0, 100), 'an empty list is one page').toBe(1);
    expect(pageNumber(200, 100), 'offset 200 is page 3').toBe(3);
    expect(offsetOfPage('3', 1_001, 100), 'page 3 starts at row 201').toBe(200);
    expect(offsetOfPage('99', 1_001, 100), 'past the end goes to the last page').toBe(1_000);
    expect(offsetOfPage('0', 1_001, 100), 'before the start goes to the first').toBe(0);
    expect(offsetOfPage('x', 1_001, 100), 'not a number goes nowhere').toBeNull();
  });

  it('keeps the first row of the page in view when the page size changes', () => {
    const q = { ...initialQuery(), offset: 250, limit: 50 };
    expect(withPageSize(q, 200).offset, 'row 251 is on the page starting at 200').toBe(200);
  });
});
