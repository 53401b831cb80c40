import { describe, expect, it } from 'vitest';
import {
  MAX_PAGE_SIZE,
  mappingCsvQueryString,
  mappingQueryString,
  normalizeMappingQuery,
  previewQueryString,
} from './queryString';

describe('mappingQueryString', () => {
  it('sends class, offset and limit in the order of the contract', () => {
    expect(
      mappingQueryString({ class: 'unmatched', q: '', offset: 100, limit: 100 }),
      'the backend reads exactly these parameter names',
    ).toBe('class=unmatched&offset=100&limit=100');
  });

  it('sends a sort other than the default, and a group, after the paging', () => {
    expect(
      mappingQueryString({ class: 'all', q: '', offset: 0, limit: 50, sort: 'sku', group: 17 }),
      'the backend reads sort and group by these names',
    ).toBe('class=all&offset=0&limit=50&sort=sku&group=17');
    expect(
      mappingQueryString({ class: 'all', q: '', offset: 0, limit: 50, sort: 'attention' }),
      'the default order is left out, so the plain query keeps its shape',
    ).toBe('class=all&offset=0&limit=50');
  });

  it('leaves an empty or blank search out rather than sending q=', () => {
    expect(
      mappingQueryString({ class: 'all', q: '   ', offset: 0, limit: 100 }),
      'spaces alone are no search, and must not filter the rows down to nothing',
    ).toBe('class=all&offset=0&limit=100');
  });

  it('trims and encodes the search text', () => {
    expect(
      mappingQueryString({ class: 'all', q: '  TEE-RED & blue/xl ', offset: 0, limit: 100 }),
      'SKUs carry &, / and spaces; unencoded they would split into other parameters',
    ).toBe('class=all&q=TEE-RED%20%26%20blue%2Fxl&offset=0&limit=100');
  });

  it('sends whole, non-negative numbers within the page size limit', () => {
    expect(
      normalizeMappingQuery({ class: 'matched', q: '', offset: -5.7, limit: 250.9 }),
      'a negative or fractional offset would be refused by the backend',
    ).toEqual({ class: 'matched', q: '', offset: 0, limit: 250 });
    expect(
      normalizeMappingQuery({ class: 'matched', q: '', offset: Number.NaN, limit: 1e9 }).limit,
      'a huge limit would load the whole catalog at once, which the screen must never do',
    ).toBe(MAX_PAGE_SIZE);
    expect(
      normalizeMappingQuery({ class: 'matched', q: '', offset: 0, limit: 0 }).limit,
      'a zero limit would show an empty page that looks like an empty catalog',
    ).toBe(1);
  });
});

describe('mappingCsvQueryString', () => {
  it('carries the filter and search but no paging, since the export is every matching row', () => {
    expect(mappingCsvQueryString({ class: 'conflict', q: 'gid' }), 'the export follows the table filter').toBe(
      'class=conflict&q=gid',
    );
    expect(mappingCsvQueryString({ class: 'all', q: '' }), 'no search means no q parameter').toBe('class=all');
  });
});

describe('previewQueryString', () => {
  it('sends the page of changes asked for', () => {
    expect(previewQueryString({ offset: 200, limit: 100 }), 'offset and limit are the contract names').toBe(
      'offset=200&limit=100',
    );
  });
});
