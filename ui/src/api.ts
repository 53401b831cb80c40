// The only module that talks to the Tillbridge backend.
//
// Inside the desktop app the calls go through Tauri commands; in a plain browser (the page
// served by `tillbridge serve`) they go to the same-origin HTTP API under /api. Both paths
// return the same JSON shapes and fail with the same error object, which is surfaced here as
// an `ApiError`.

import { invoke } from '@tauri-apps/api/core';

export type System = 'bigcommerce' | 'shopify';
export type SecretStoreKind = 'keychain' | 'file' | 'memory';
export type CheckState = 'ok' | 'warn' | 'fail';

export interface Health {
  version: string;
  schema_version: number;
}

export interface SecretStoreStatus {
  kind: SecretStoreKind;
  description: string;
  ok: boolean;
  problem: string | null;
}

export interface Connection {
  system: System;
  name: string;
  store_ref: string;
  api_url: string;
  api_version: string | null;
  verified_at: string | null;
  has_secret: boolean;
}

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

export interface Status {
  version: string;
  schema_version: number;
  database: { path: string };
  secret_store: SecretStoreStatus;
  connections: Connection[];
}

export interface DoctorCheck {
  name: string;
  state: CheckState;
  detail: string;
  fix: string | null;
}

export interface DoctorReport {
  healthy: boolean;
  checks: DoctorCheck[];
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

interface HttpRequest {
  path: string;
  /** A JSON body to POST; without one the request is a GET. */
  body?: unknown;
}

async function viaHttp<T>({ path, body: payload }: HttpRequest): Promise<T> {
  const post = payload !== undefined;
  const label = `${post ? 'POST' : 'GET'} ${path}`;
  // The server refuses POSTs that are not JSON (a cross-site form cannot send that header).
  const init: RequestInit = post
    ? {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      }
    : { headers: { Accept: 'application/json' } };
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (reason) {
    throw toApiError(reason, `Could not reach the Tillbridge backend (${label})`);
  }

  const text = await response.text();
  let body: unknown = undefined;
  let parsed = false;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }

  if (!response.ok) {
    if (parsed && isRecord(body) && typeof body.message === 'string') {
      throw toApiError(body);
    }
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new ApiError(null, `${label} failed with HTTP ${response.status}${statusText}`);
  }
  if (!parsed) {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new ApiError(
      null,
      `${label} did not return JSON (HTTP ${response.status}, ${type}); is this a Tillbridge server?`,
    );
  }
  return body as T;
}

function call<T>(command: string, path: string): Promise<T> {
  return inTauri() ? viaTauri<T>(command) : viaHttp<T>({ path });
}

/** A command that takes one request object: Tauri gets it as `req`, HTTP as the JSON body. */
function send<T>(command: string, path: string, req: object): Promise<T> {
  return inTauri() ? viaTauri<T>(command, { req }) : viaHttp<T>({ path, body: req });
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
