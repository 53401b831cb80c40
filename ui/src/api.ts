// The only module that talks to the Tillbridge backend.
//
// Inside the desktop app the calls go through Tauri commands; in a plain browser (the page
// served by `tillbridge serve`) they go to the same-origin HTTP API under /api. Both paths
// return the same JSON shapes and fail with the same error object, which is surfaced here as
// an `ApiError`.

import { invoke } from '@tauri-apps/api/core';
import type {
  ChartsView,
  ChooseOrderChannel,
  OrderChannelsView,
  DriftReport,
  HomeView,
  OnboardingView,
  ScheduleRequest,
  ScheduleView,
  FailedView,
  JobTimelineView,
  LocationPairView,
  LocationRulesRequest,
  LocationsView,
  MapLocationsRequest,
  OrdersConfig,
  OrdersSyncReport,
  OrdersSyncRequest,
  OrdersView,
  OrderLinkState,
  OrderTimelineView,
  ReconcileView,
  PauseView,
  QueueActionView,
  RetryRequest,
  RunsView,
  StockConflictView,
  StockItemView,
  StockSyncReport,
  StockSyncRequest,
} from './generated/engine';
import {
  mappingCsvQueryString,
  mappingQueryString,
  normalizeMappingQuery,
  normalizePreviewQuery,
  previewQueryString,
} from './queryString';

// The engine's request and answer types, generated from the Rust types (see ./generated); the
// aliases keep the names the screens were written with.
import type {
  ChangeCount,
  CheckState,
  ConnectionView as Connection,
  Direction,
  DoctorReport,
  Check as DoctorCheck,
  FlaggedPriceChange,
  Health,
  Owner,
  Ownership,
  SecretStoreKind,
  SecretStoreView as SecretStoreStatus,
  Staleness,
  StoreWait,
  Field as SyncField,
  Scope as SyncMode,
  SyncPhase,
  SyncProgress,
  SyncRequest as StartSyncRequest,
  SyncSummary,
  Status,
  System,
} from './generated/engine';

export type {
  ChangeCount,
  CheckState,
  Connection,
  Direction,
  DoctorReport,
  DoctorCheck,
  FlaggedPriceChange,
  Health,
  Owner,
  Ownership,
  SecretStoreKind,
  SecretStoreStatus,
  Staleness,
  StoreWait,
  SyncField,
  SyncMode,
  SyncPhase,
  SyncProgress,
  StartSyncRequest,
  SyncSummary,
  Status,
  System,
};


/** What `connectBigCommerce` sends. The token goes to the secret store and is never sent back. */
export interface ConnectBigCommerceRequest {
  api_url: string;
  store_hash: string;
  token: string;
}

export interface ConnectShopifyRequest {
  shop_url: string;
  /** Left out to use the backend's default version. */
  api_version?: string;
  token: string;
}

/** Error codes the UI reacts to. Any other code is shown as its message only. */
export const KEYCHAIN_UNAVAILABLE = 'keychain_unavailable';

export class ApiError extends Error {
  readonly code: string | null;

  constructor(code: string | null, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Turns whatever a failed call produced (the backend's `{code, message}` object, a bare
 * string from the Tauri runtime, a network `TypeError`, ...) into an `ApiError`.
 */
export function toApiError(reason: unknown, context?: string): ApiError {
  if (reason instanceof ApiError) {
    return reason;
  }
  if (isRecord(reason) && typeof reason.message === 'string' && !(reason instanceof Error)) {
    const code = typeof reason.code === 'string' && reason.code !== '' ? reason.code : null;
    return new ApiError(code, reason.message);
  }
  let message: string;
  if (reason instanceof Error) {
    message = reason.message;
  } else if (typeof reason === 'string') {
    message = reason;
  } else {
    message = 'Unknown error';
  }
  if (message.trim() === '') {
    message = 'Unknown error';
  }
  return new ApiError(null, context ? `${context}: ${message}` : message);
}

/** True when the page runs inside the Tauri webview rather than a normal browser tab. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

type Args = Record<string, unknown>;

async function viaTauri<T>(command: string, args?: Args): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toApiError(reason);
  }
}

type HttpMethod = 'GET' | 'POST' | 'PUT';

interface HttpRequest {
  path: string;
  /** GET unless given; POST and PUT send `body` as JSON. */
  method?: HttpMethod;
  body?: unknown;
  /** What the caller reads from a successful answer: parsed JSON (the default) or the raw text (CSV). */
  expect?: 'json' | 'text';
}

interface HttpAnswer {
  text: string;
  status: number;
  contentType: string;
}

/** Sends the request; a 2xx answer comes back as its text, anything else as an `ApiError`. */
async function httpText(req: HttpRequest): Promise<HttpAnswer> {
  const { path, method = 'GET', body: payload, expect = 'json' } = req;
  const label = `${method} ${path}`;
  const accept = expect === 'json' ? 'application/json' : 'text/csv, application/json;q=0.9';
  // The server refuses writes that are not JSON (a cross-site form cannot send that header).
  const init: RequestInit =
    method === 'GET'
      ? { headers: { Accept: accept } }
      : {
          method,
          headers: { Accept: accept, 'Content-Type': 'application/json' },
          body: JSON.stringify(payload ?? {}),
        };
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (reason) {
    throw toApiError(reason, `Could not reach the Tillbridge backend (${label})`);
  }

  const text = await response.text();
  if (!response.ok) {
    const error = parseJson(text);
    if (error.parsed && isRecord(error.value) && typeof error.value.message === 'string') {
      throw toApiError(error.value);
    }
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new ApiError(null, `${label} failed with HTTP ${response.status}${statusText}`);
  }
  return { text, status: response.status, contentType: response.headers.get('content-type') ?? 'no content type' };
}

function parseJson(text: string): { parsed: boolean; value: unknown } {
  if (text.trim() === '') {
    return { parsed: false, value: undefined };
  }
  try {
    return { parsed: true, value: JSON.parse(text) };
  } catch {
    return { parsed: false, value: undefined };
  }
}

async function viaHttp<T>(req: HttpRequest): Promise<T> {
  const answer = await httpText({ ...req, expect: 'json' });
  const body = parseJson(answer.text);
  if (!body.parsed) {
    const label = `${req.method ?? 'GET'} ${req.path}`;
    throw new ApiError(
      null,
      `${label} did not return JSON (HTTP ${answer.status}, ${answer.contentType}); is this a Tillbridge server?`,
    );
  }
  return body.value as T;
}

function call<T>(command: string, path: string): Promise<T> {
  return inTauri() ? viaTauri<T>(command) : viaHttp<T>({ path });
}

/** A command that takes one request object: Tauri gets it as `req`, HTTP as the JSON body. */
function send<T>(command: string, path: string, req: object, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
  return inTauri() ? viaTauri<T>(command, { req }) : viaHttp<T>({ path, method, body: req });
}

/**
 * A read that takes parameters: Tauri gets them as `req`, HTTP as the query string of `path`
 * (built by the caller from the same object, so both paths ask for the same thing).
 */
function query<T>(command: string, path: string, req: object): Promise<T> {
  return inTauri() ? viaTauri<T>(command, { req }) : viaHttp<T>({ path });
}

/** Like `query`, for a CSV export: the command returns the CSV as a string, HTTP as the body. */
function queryCsv(command: string, path: string, req?: object): Promise<string> {
  if (inTauri()) {
    return viaTauri<string>(command, req === undefined ? undefined : { req });
  }
  return httpText({ path, expect: 'text' }).then((answer) => answer.text);
}

export function health(): Promise<Health> {
  return call<Health>('health', '/api/health');
}

export function status(): Promise<Status> {
  return call<Status>('status', '/api/status');
}

export function doctor(): Promise<DoctorReport> {
  return call<DoctorReport>('doctor', '/api/doctor');
}

/** The home screen's figures, counted since `since` (an ISO time; the engine's default when null). */
export function home(since: string | null): Promise<HomeView> {
  const path = since === null ? '/api/home' : `/api/home?since=${encodeURIComponent(since)}`;
  return query<HomeView>('home', path, { since });
}

/** The charts' series: quota and POS orders per hour over a day, the run history, drift per validation. */
export function charts(): Promise<ChartsView> {
  return call<ChartsView>('charts', '/api/charts');
}

/** The connected stores (the same list as `status().connections`); never their tokens. */
export function connections(): Promise<Connection[]> {
  return call<Connection[]>('connections', '/api/connections');
}

/**
 * Checks the credentials with one call to BigCommerce, then saves the connection. On failure
 * nothing is saved and the error message says what was wrong (token, URL, store hash, scope).
 */
export function connectBigCommerce(req: ConnectBigCommerceRequest): Promise<Connection> {
  return send<Connection>('connect_bigcommerce', '/api/connect/bigcommerce', req);
}

/** Like `connectBigCommerce`, for a Shopify shop. Without `api_version` the backend's default is used. */
export function connectShopify(req: ConnectShopifyRequest): Promise<Connection> {
  return send<Connection>('connect_shopify', '/api/connect/shopify', req);
}

// Mapping review: which BigCommerce variant is which Shopify variant, and the operator's decisions.

export type MappingClass = 'matched' | 'ambiguous' | 'conflict' | 'unmatched' | 'ignored';
/** A filter tab: one class, or every row. */
export type MappingFilter = MappingClass | 'all';
export type MatchKey = 'sku' | 'normalized_sku' | 'gtin';

export type MappingCounts = Record<MappingClass, number>;

export interface BigCommerceVariant {
  product_id: number;
  variant_id: number;
  sku: string;
  barcode: string;
  title: string;
  options: string;
}

export interface ShopifyVariant {
  product_id: string;
  /** The variant's GraphQL id (`gid://shopify/ProductVariant/…`). */
  variant_id: string;
  sku: string;
  barcode: string;
  title: string;
  options: string;
}

export interface MappingRow {
  id: number;
  class: MappingClass;
  /** The key a match was made on; null for rows that are not matched. */
  key: MatchKey | null;
  reason: string;
  flags: string[];
  /** True when an operator decision (a link or a confirmation) holds the row, not the matcher. */
  decided: boolean;
  bigcommerce: BigCommerceVariant | null;
  shopify: ShopifyVariant | null;
}

export interface MappingPage {
  /** Rows matching the filter and search, across all pages. */
  total: number;
  /** Rows per class among those the search finds, whatever the class filter. */
  counts: MappingCounts;
  /** Automatic matches no decision holds yet, among those the search finds: what "Confirm all" confirms. */
  confirmable: number;
  /** When the catalogs the mapping was built from were read; null before the first read. */
  snapshot_at: string | null;
  rows: MappingRow[];
}

/** The order rows are listed in: what needs a decision first (the default), or by SKU or title. */
export type MappingSort = 'attention' | 'sku' | 'title';

export interface MappingQuery {
  class: MappingFilter;
  /** Searches SKU, barcode and title on both sides; empty for no search. */
  q: string;
  offset: number;
  limit: number;
  sort?: MappingSort;
  /** The id of an ambiguous row: lists every variant of its group, on both sides. */
  group?: number;
}

/** One operator decision as the backend stores it. */
export type MappingDecision =
  | { kind: 'link'; bigcommerce_variant_id: number; shopify_variant_id: string }
  | { kind: 'unlink'; bigcommerce_variant_id: number; shopify_variant_id: string }
  | { kind: 'ignore_bigcommerce'; variant_id: number }
  | { kind: 'ignore_shopify'; variant_id: string };

/** What an action stored and what it replaced; sent back to `undoMapping`, it takes the action back. */
export interface MappingUndo {
  added: MappingDecision[];
  removed: MappingDecision[];
}

/** What a mapping action answers: the new counts, and how to take it back. */
export interface MappingChange {
  counts: MappingCounts;
  undo: MappingUndo;
}

export interface ConfirmAllRequest {
  /** The search the count was shown for; empty for every row. */
  q: string;
  /** How many the operator was told would be confirmed; refused when the mapping changed since. */
  expected: number;
}

export type MappingCsvFilter = Pick<MappingQuery, 'class' | 'q'>;

export interface VariantPair {
  bigcommerce_variant_id: number;
  shopify_variant_id: string;
}

export interface IgnoreRequest {
  system: System;
  /** BigCommerce ids as decimal strings, Shopify ids as their GraphQL id. */
  variant_id: string;
}

export interface ConfirmRequest {
  pairs: VariantPair[];
}

/** How SKUs are normalized before they are compared (the `normalized_sku` match key). */
export interface SkuRules {
  trim: boolean;
  case_fold: boolean;
  collapse_whitespace: boolean;
}

/** Alias → canonical spelling, compared case-insensitively: `{"colour": "color"}`. */
export type SynonymMap = Record<string, string>;

export interface OptionSynonyms {
  /** Option names (`Colour` → `Color`). */
  names: SynonymMap;
  /** Option values (`XL` → `X-Large`). */
  values: SynonymMap;
}

export interface MatchRules {
  sku: SkuRules;
  synonyms: OptionSynonyms;
}

/**
 * What a CSV export produced: in a browser the CSV text, for the page to offer as a download; in
 * the desktop app the path of the file the backend saved, because its web view cannot download.
 */
export type CsvExport = { csv: string } | { savedTo: string };

// Field ownership and sync runs.

export interface PreviewQuery {
  offset: number;
  limit: number;
}

/** What became of a change: its job's state, or `planned` in a preview. */
export type ChangeResult =
  | 'planned'
  | 'pending'
  | 'running'
  | 'done'
  | 'failed'
  | 'dead'
  | 'superseded'
  | 'skipped'
  | 'cancelled';

export interface Change {
  bigcommerce_variant_id: number;
  shopify_variant_id: string;
  title: string;
  sku: string;
  field: SyncField;
  old: string | null;
  new: string | null;
  direction: Direction;
  job_id?: number | null;
  result?: ChangeResult | null;
}

/** The changes of the latest run, dry or not. */
export interface SyncPreview {
  run_id: number | null;
  taken_at: string | null;
  /** Whether the run was a preview; beyond the written contract, so it may be absent. */
  dry_run?: boolean;
  total: number;
  by_kind: ChangeCount[];
  changes: Change[];
  /** Set when the ownership, the rules or the mapping changed after the last Full preview. */
  stale?: Staleness | null;
  /** A price moving by more than this percentage is flagged. */
  price_flag_pct?: number;
  /** The price moves this run flagged, when it is the last Full preview (the first 100). */
  flagged?: FlaggedPriceChange[];
  flagged_total?: number;
}

/** `POST /api/sync` answers 409 with this code while another run is going. */
export const SYNC_RUNNING = 'sync_running';
/** A Full sync was refused: the last preview is out of date. */
export const PREVIEW_STALE = 'preview_stale';
/** A Full sync was refused: the preview flagged price moves nobody accepted. */
export const PRICE_CHANGES_UNCONFIRMED = 'price_changes_unconfirmed';

/** One page of the mapping, filtered by class and search. Never the whole catalog at once. */
export function mapping(req: MappingQuery): Promise<MappingPage> {
  const clean = normalizeMappingQuery(req);
  return query<MappingPage>('mapping', `/api/mapping?${mappingQueryString(clean)}`, clean);
}

function cleanCsvFilter(filter: MappingCsvFilter): MappingCsvFilter {
  return { class: filter.class, q: filter.q.trim() };
}

/** Every row matching the filter as CSV text. */
export function mappingCsv(filter: MappingCsvFilter): Promise<string> {
  const clean = cleanCsvFilter(filter);
  return queryCsv('mapping_csv', `/api/mapping/csv?${mappingCsvQueryString(clean)}`, clean);
}

/**
 * Exports every row matching the filter: the desktop app has the backend save the file in the
 * Downloads folder (and answers where); a browser gets the CSV to download.
 */
export async function exportMappingCsv(filter: MappingCsvFilter): Promise<CsvExport> {
  if (inTauri()) {
    return { savedTo: await viaTauri<string>('save_mapping_csv', { req: cleanCsvFilter(filter) }) };
  }
  return { csv: await mappingCsv(filter) };
}

/** Records that the two variants are the same item; it outranks whatever the matcher concludes. */
export function linkVariants(req: VariantPair): Promise<MappingChange> {
  return send<MappingChange>('mapping_link', '/api/mapping/link', req);
}

/** Records that the two variants are not the same item, so they are not paired again. */
export function unlinkVariants(req: VariantPair): Promise<MappingChange> {
  return send<MappingChange>('mapping_unlink', '/api/mapping/unlink', req);
}

/** Leaves one variant out of matching and syncing. */
export function ignoreVariant(req: IgnoreRequest): Promise<MappingChange> {
  return send<MappingChange>('mapping_ignore', '/api/mapping/ignore', req);
}

/** Takes an ignore back: the variant is matched again like any other. */
export function unignoreVariant(req: IgnoreRequest): Promise<MappingCounts> {
  return send<MappingCounts>('mapping_unignore', '/api/mapping/unignore', req);
}

/** Stores automatic matches as links, so a later re-match can never change them. */
export function confirmPairs(req: ConfirmRequest): Promise<MappingChange> {
  return send<MappingChange>('mapping_confirm', '/api/mapping/confirm', req);
}

/** Confirms every automatic match the search finds, when there are still `expected` of them. */
export function confirmAllMatched(req: ConfirmAllRequest): Promise<MappingChange> {
  return send<MappingChange>('mapping_confirm_all', '/api/mapping/confirm-all', req);
}

/** Takes an action back: removes the decisions it stored and restores those it replaced. */
export function undoMapping(req: MappingUndo): Promise<MappingChange> {
  return send<MappingChange>('mapping_undo', '/api/mapping/undo', req);
}

export function matchingRules(): Promise<MatchRules> {
  return call<MatchRules>('matching_rules', '/api/matching/rules');
}

/** Replaces the rules; the backend re-matches the catalogs it last read and answers the new counts. */
export function setMatchingRules(rules: MatchRules): Promise<MappingCounts> {
  return send<MappingCounts>('set_matching_rules', '/api/matching/rules', rules, 'PUT');
}

export function ownership(): Promise<Ownership> {
  return call<Ownership>('ownership', '/api/ownership');
}

export function setOwnership(req: Ownership): Promise<Ownership> {
  return send<Ownership>('set_ownership', '/api/ownership', req, 'PUT');
}

/** Starts a run; rejects with code `sync_running` while one is going. */
export function startSync(req: StartSyncRequest): Promise<SyncProgress> {
  return send<SyncProgress>('sync_start', '/api/sync', req);
}

export function syncProgress(): Promise<SyncProgress> {
  return call<SyncProgress>('sync_progress', '/api/sync/progress');
}

/** One page of the latest run's changes. */
export function syncPreview(req: PreviewQuery): Promise<SyncPreview> {
  const clean = normalizePreviewQuery(req);
  return query<SyncPreview>('sync_preview', `/api/sync/preview?${previewQueryString(clean)}`, clean);
}

/** Every change of the latest run as CSV text. */
export function syncPreviewCsv(): Promise<string> {
  return queryCsv('sync_preview_csv', '/api/sync/preview/csv', {});
}

/** Like `exportMappingCsv`, for the changes of the latest run. */
export async function exportSyncPreviewCsv(): Promise<CsvExport> {
  if (inTauri()) {
    return { savedTo: await viaTauri<string>('save_sync_preview_csv', { req: {} }) };
  }
  return { csv: await syncPreviewCsv() };
}

// The runtime: run history, failed writes, the kill switch.

// The runtime's request and answer types are generated from the Rust types (see ./generated).
export type {
  AttemptRecord as Attempt,
  AttemptRequest,
  Capability,
  FailedJobView as FailedJob,
  FailedView as FailedPage,
  HealthState,
  JobState,
  JobTimelineView as JobTimeline,
  PauseView as PauseState,
  QueueActionView as QueueAction,
  RetryRequest,
  RunResult,
  RunView as Run,
  RunsView as RunsPage,
  StoreHealth,
  Trigger,
} from './generated/engine';

/** Every run, newest first. */
export function runs(limit = 100): Promise<RunsView> {
  const req = { limit };
  return query<RunsView>('runs', `/api/runs?limit=${limit}`, req);
}

/** Every failed or dead write, newest first. */
export function failedJobs(limit = 500): Promise<FailedView> {
  const req = { limit };
  return query<FailedView>('failed_jobs', `/api/jobs/failed?limit=${limit}`, req);
}

/** A job's attempts, each with the requests the audit log holds for it. */
export function jobTimeline(id: number): Promise<JobTimelineView> {
  return query<JobTimelineView>('job_timeline', `/api/jobs/${id}/timeline`, { id });
}

/** Sends the listed failed writes again now, or every failed one with `all`. */
export function retryJobs(req: RetryRequest): Promise<QueueActionView> {
  return send<QueueActionView>('retry_jobs', '/api/jobs/retry', req);
}

/** Gives up on the listed writes: kept in the history as skipped, never sent. */
export function skipJobs(ids: number[]): Promise<QueueActionView> {
  return send<QueueActionView>('skip_jobs', '/api/jobs/skip', { ids });
}

export function pauseState(): Promise<PauseView> {
  return call<PauseView>('paused', '/api/pause');
}

/** The kill switch: paused, no write goes to either store until it is turned off. */
export function setPaused(paused: boolean): Promise<PauseView> {
  return send<PauseView>('set_paused', '/api/pause', { paused }, 'PUT');
}

/** Asks the running catalog sync to stop between requests. */
export function cancelSync(): Promise<{ run_id: number | null }> {
  return send<{ run_id: number | null }>('sync_cancel', '/api/sync/cancel', { capability: 'catalog' });
}

export type {
  ConflictsQuery,
  DriftAction,
  DriftReason,
  DriftReport,
  DriftView,
  LocationPairView as LocationPair,
  LocationRules,
  LocationsView,
  MapLocationsRequest,
  SameWindow,
  StockCellView as StockCell,
  StockConflictView as StockConflict,
  StockCounts,
  StockItemView as StockItem,
  StockOwner,
  StockSyncReport,
  StockSyncRequest,
  StoreLocation,
  ValidationView,
} from './generated/engine';

/** Both stores' locations, read live, and the pairs whose stock is synced. */
export function locations(): Promise<LocationsView> {
  return call<LocationsView>('locations', '/api/locations');
}

/** Pairs a BigCommerce location with a Shopify location, under the given rules. */
export function mapLocations(req: MapLocationsRequest): Promise<LocationPairView> {
  return send<LocationPairView>('map_locations', '/api/locations', req);
}

/** Changes a pair's rules; they apply from the next stock cycle. */
export function setLocationRules(req: LocationRulesRequest): Promise<LocationPairView> {
  return send<LocationPairView>('set_location_rules', '/api/locations/rules', req, 'PUT');
}

/** Stops syncing a pair's stock; neither store is changed. */
export function unmapLocations(id: number): Promise<LocationsView> {
  return send<LocationsView>('unmap_locations', '/api/locations/unmap', { id });
}

/** Runs a stock cycle (all locations, one pair, or one item) and answers when its writes settle. */
export function stockSync(req: StockSyncRequest): Promise<StockSyncReport> {
  return send<StockSyncReport>('stock_sync', '/api/stock/sync', req);
}

/** One item's stock at every paired location. */
export function stockItem(q: string): Promise<StockItemView[]> {
  return query<StockItemView[]>('stock_item', `/api/stock?q=${encodeURIComponent(q)}`, { q });
}

/** The stock conflicts waiting for a person (with `all`, the settled ones too). */
export function stockConflicts(all = false): Promise<StockConflictView[]> {
  return query<StockConflictView[]>('stock_conflicts', `/api/stock/conflicts?all=${all}`, { all });
}

function driftQuery(validationId: number | null): string {
  return validationId === null ? '' : `?validation_id=${validationId}`;
}

/** What a stock validation found out of step (the latest, or `validationId`), and every validation kept. */
export function stockDrift(validationId: number | null = null): Promise<DriftReport> {
  return query<DriftReport>('stock_drift', `/api/stock/drift${driftQuery(validationId)}`, {
    validation_id: validationId,
  });
}

/** The drift report as CSV: saved by the desktop app's backend, or handed to the browser. */
export async function exportDriftCsv(validationId: number | null = null): Promise<CsvExport> {
  const req = { validation_id: validationId };
  if (inTauri()) {
    return { savedTo: await viaTauri<string>('save_stock_drift_csv', { req }) };
  }
  return { csv: await queryCsv('stock_drift_csv', `/api/stock/drift/csv${driftQuery(validationId)}`, req) };
}

/** Settles a conflict: `bigcommerce`, `shopify`, `sum`, or a whole number of units. */
export function resolveStockConflict(id: number, keep: string): Promise<StockConflictView> {
  return send<StockConflictView>('resolve_stock_conflict', '/api/stock/conflicts/resolve', { id, keep });
}

export type {
  ChooseOrderChannel,
  OrderChannel,
  OrderChannelsView,
  OrderLink,
  OrderLinkCounts,
  OrderLinkState,
  OrderPreview,
  OrdersConfig,
  OrdersSyncReport,
  OrdersSyncRequest,
  OrdersView,
  OrderTimelineView,
  DayRow,
  Figures,
  ReconcileView,
} from './generated/engine';

/** The POS orders carried into BigCommerce (newest first), optionally in one state, with counts. */
export function orders(state: OrderLinkState | null = null, limit = 200): Promise<OrdersView> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (state !== null) {
    q.set('state', state);
  }
  return query<OrdersView>('orders', `/api/orders?${q.toString()}`, { state, limit });
}

/** Reads the POS orders changed since the last cycle and carries them (or previews them). */
export function ordersSync(req: OrdersSyncRequest): Promise<OrdersSyncReport> {
  return send<OrdersSyncReport>('orders_sync', '/api/orders/sync', req);
}

/** Carries the failed orders again: one (its number, name or GID), or every one. */
export function retryOrders(order: string | null): Promise<QueueActionView> {
  return send<QueueActionView>('retry_orders', '/api/orders/retry', { order });
}

/** Saves how POS orders are carried. */
export function setOrdersConfig(config: OrdersConfig): Promise<OrdersConfig> {
  return send<OrdersConfig>('set_orders_config', '/api/orders/config', config, 'PUT');
}

/** BigCommerce's channels, read live, and the one POS orders are recorded on. */
export function orderChannels(): Promise<OrderChannelsView> {
  return call<OrderChannelsView>('order_channels', '/api/orders/channel');
}

/** Records POS orders on this BigCommerce channel from the next order on; null: Tillbridge's own. */
export function chooseOrderChannel(req: ChooseOrderChannel): Promise<OrderChannelsView> {
  return send<OrderChannelsView>('choose_order_channel', '/api/orders/channel', req, 'PUT');
}

function reconcileQuery(day: string, timeZone: string | null): string {
  const q = new URLSearchParams({ day });
  if (timeZone !== null) {
    q.set('time_zone', timeZone);
  }
  return q.toString();
}

/** A day's POS sales, refunds and tax per retail location, Shopify's beside BigCommerce's. */
export function ordersReconcile(day: string, timeZone: string | null = null): Promise<ReconcileView> {
  return query<ReconcileView>('orders_reconcile', `/api/orders/reconcile?${reconcileQuery(day, timeZone)}`, {
    day,
    time_zone: timeZone,
  });
}

/** The reconciliation as CSV: saved by the desktop app's backend, or handed to the browser. */
export async function exportReconcileCsv(day: string, timeZone: string | null = null): Promise<CsvExport> {
  const req = { day, time_zone: timeZone };
  if (inTauri()) {
    return { savedTo: await viaTauri<string>('save_orders_reconcile_csv', { req }) };
  }
  return { csv: await queryCsv('orders_reconcile_csv', `/api/orders/reconcile/csv?${reconcileQuery(day, timeZone)}`, req) };
}

/** One order's link and every attempt to carry it, with each request's status. */
export function orderTimeline(order: string): Promise<OrderTimelineView> {
  return query<OrderTimelineView>('order_timeline', `/api/orders/timeline?order=${encodeURIComponent(order)}`, {
    order,
  });
}

/** Never carry this order: its waiting jobs are skipped. */
export function skipOrder(order: string): Promise<OrderTimelineView> {
  return send<OrderTimelineView>('skip_order', '/api/orders/skip', { order });
}

// The first-run setup and the morning schedule.

export type {
  GuardRails,
  LocationSuggestion,
  OnboardingDismissRequest,
  OnboardingStep,
  OnboardingStepView,
  OnboardingView,
  ScheduleRequest,
  ScheduleView,
  StepState,
  SuggestedBy,
} from './generated/engine';

/** Each setup step's state, read from what exists, and whether the setup was put away. */
export function onboarding(): Promise<OnboardingView> {
  return call<OnboardingView>('onboarding', '/api/onboarding');
}

/** Puts the setup away (true) or brings it back for the next start (false). */
export function setOnboardingDismissed(dismissed: boolean): Promise<OnboardingView> {
  return send<OnboardingView>('set_onboarding_dismissed', '/api/onboarding', { dismissed }, 'PUT');
}

/** The daily full sync: when it runs, its guard rails, the next run. */
export function schedule(): Promise<ScheduleView> {
  return call<ScheduleView>('schedule', '/api/schedule');
}

/** Sets the daily full sync (`at` null turns it off, keeping the guard rails). */
export function setSchedule(req: ScheduleRequest): Promise<ScheduleView> {
  return send<ScheduleView>('set_schedule', '/api/schedule', req, 'PUT');
}
