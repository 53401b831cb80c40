// Query strings for the API's paged and filtered reads. Pure, so the exact shape the backend is
// sent can be unit-tested; api.ts sends the same objects to the Tauri commands as `req`.

import type { MappingCsvFilter, MappingQuery, PreviewQuery } from './api';

/** The rows a mapping page may ask for at most; the screen asks for fewer, this only guards typos. */
export const MAX_PAGE_SIZE = 1_000;

function pageNumbers(offset: number, limit: number): { offset: number; limit: number } {
  const whole = (n: number, fallback: number) => (Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : fallback);
  return { offset: whole(offset, 0), limit: Math.min(MAX_PAGE_SIZE, Math.max(1, whole(limit, 100))) };
}

/** The query the screen sends, cleaned: whole non-negative numbers and a trimmed search text. */
export function normalizeMappingQuery(query: MappingQuery): MappingQuery {
  const clean: MappingQuery = { class: query.class, q: query.q.trim(), ...pageNumbers(query.offset, query.limit) };
  // Left out at their defaults, so the plain query keeps its plain shape.
  if (query.sort !== undefined && query.sort !== 'attention') {
    clean.sort = query.sort;
  }
  if (query.group !== undefined && Number.isInteger(query.group)) {
    clean.group = query.group;
  }
  return clean;
}

function encode(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** `class=unmatched&q=abc&offset=100&limit=100`; an empty search is left out rather than sent blank. */
export function mappingQueryString(query: MappingQuery): string {
  const clean = normalizeMappingQuery(query);
  const params: [string, string][] = [['class', clean.class]];
  if (clean.q !== '') {
    params.push(['q', clean.q]);
  }
  params.push(['offset', String(clean.offset)], ['limit', String(clean.limit)]);
  if (clean.sort !== undefined) {
    params.push(['sort', clean.sort]);
  }
  if (clean.group !== undefined) {
    params.push(['group', String(clean.group)]);
  }
  return encode(params);
}

/** The CSV export takes the same filter as the table, without paging: it is every matching row. */
export function mappingCsvQueryString(filter: MappingCsvFilter): string {
  const q = filter.q.trim();
  const params: [string, string][] = [['class', filter.class]];
  if (q !== '') {
    params.push(['q', q]);
  }
  return encode(params);
}

export function normalizePreviewQuery(query: PreviewQuery): PreviewQuery {
  return pageNumbers(query.offset, query.limit);
}

export function previewQueryString(query: PreviewQuery): string {
  const clean = normalizePreviewQuery(query);
  return encode([
    ['offset', String(clean.offset)],
    ['limit', String(clean.limit)],
  ]);
}
