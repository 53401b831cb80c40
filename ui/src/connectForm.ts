// The Settings forms without the DOM: defaults, validation and the request each form sends.
// The backend checks everything again; these checks only catch typing mistakes before a round
// trip to the store, with a message next to the field that is wrong.

import type { Connection, ConnectBigCommerceRequest, ConnectShopifyRequest } from './api';

export const DEFAULT_BIGCOMMERCE_API_URL = 'https://api.bigcommerce.com';
export const DEFAULT_SHOPIFY_API_VERSION = '2026-10';

// Type aliases rather than interfaces so they fit `Record<string, string>` (the form component
// is generic over its fields).
export type BigCommerceForm = {
  api_url: string;
  store_hash: string;
  token: string;
};

export type ShopifyForm = {
  shop_url: string;
  api_version: string;
  token: string;
};

/** One message per field that is wrong; an empty object means the form can be sent. */
export type FieldErrors<F> = Partial<Record<keyof F, string>>;

export function hasErrors<F>(errors: FieldErrors<F>): boolean {
  return Object.values(errors).some((e) => typeof e === 'string' && e !== '');
}

/**
 * Null when `value` is an absolute http(s) URL with a host, otherwise what is wrong with it.
 * `label` names the field and `example` shows a correct value.
 */
export function urlProblem(value: string, label: string, example: string): string | null {
  const text = value.trim();
  if (text === '') {
    return `${label} is required, for example ${example}`;
  }
  if (!/^https?:\/\//.test(text)) {
    return `${label} must start with https:// (or http://), for example ${example}`;
  }
  if (/\s/.test(text)) {
    return `${label} must not contain spaces`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${label} is not a valid URL, for example ${example}`;
  }
  if (url.hostname === '') {
    return `${label} needs a host name, for example ${example}`;
  }
  return null;
}

/** The store hash is the code in the API path (`/stores/HASH/`): letters and digits only. */
export function storeHashProblem(value: string): string | null {
  const text = value.trim();
  if (text === '') {
    return 'The store hash is required: it is the code after /stores/ in the API path';
  }
  if (!/^[A-Za-z0-9]+$/.test(text)) {
    return 'The store hash has letters and digits only: it is the code after /stores/ in the API path';
  }
  return null;
}

/** Shopify versions look like 2026-10; `unstable` is accepted too. Empty means the default. */
export function apiVersionProblem(value: string): string | null {
  const text = value.trim();
  if (text === '' || text === 'unstable' || /^\d{4}-(0[1-9]|1[0-2])$/.test(text)) {
    return null;
  }
  return `The API version looks like ${DEFAULT_SHOPIFY_API_VERSION} (year-month)`;
}

export function tokenProblem(value: string): string | null {
  return value.trim() === '' ? 'Paste the access token' : null;
}

function collect<F>(entries: [keyof F, string | null][]): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const [field, problem] of entries) {
    if (problem !== null) {
      errors[field] = problem;
    }
  }
  return errors;
}

export function validateBigCommerce(form: BigCommerceForm): FieldErrors<BigCommerceForm> {
  return collect<BigCommerceForm>([
    ['api_url', urlProblem(form.api_url, 'The API URL', DEFAULT_BIGCOMMERCE_API_URL)],
    ['store_hash', storeHashProblem(form.store_hash)],
    ['token', tokenProblem(form.token)],
  ]);
}

export function validateShopify(form: ShopifyForm): FieldErrors<ShopifyForm> {
  return collect<ShopifyForm>([
    ['shop_url', urlProblem(form.shop_url, 'The shop URL', 'https://your-shop.myshopify.com')],
    ['api_version', apiVersionProblem(form.api_version)],
    ['token', tokenProblem(form.token)],
  ]);
}

function trimUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

/** The request for a valid form: fields trimmed, trailing slashes dropped. */
export function bigCommerceRequest(form: BigCommerceForm): ConnectBigCommerceRequest {
  return {
    api_url: trimUrl(form.api_url),
    store_hash: form.store_hash.trim(),
    token: form.token.trim(),
  };
}

/** The request for a valid form; an empty API version is left out so the backend picks its default. */
export function shopifyRequest(form: ShopifyForm): ConnectShopifyRequest {
  const version = form.api_version.trim();
  return {
    shop_url: trimUrl(form.shop_url),
    ...(version === '' ? {} : { api_version: version }),
    token: form.token.trim(),
  };
}

/** The form to start from: the current connection's settings if there is one, else the defaults. */
export function bigCommerceFormFrom(current: Connection | undefined): BigCommerceForm {
  return {
    api_url: current?.api_url ?? DEFAULT_BIGCOMMERCE_API_URL,
    store_hash: current?.store_ref ?? '',
    token: '',
  };
}

export function shopifyFormFrom(current: Connection | undefined): ShopifyForm {
  return {
    shop_url: current?.api_url ?? '',
    api_version: current?.api_version ?? DEFAULT_SHOPIFY_API_VERSION,
    token: '',
  };
}

/**
 * The list after `saved` was connected: it replaces the entry for the same store, or is added.
 * Keeps the backend's order otherwise.
 */
export function mergeConnection(list: readonly Connection[], saved: Connection): Connection[] {
  const same = (c: Connection) => c.system === saved.system && c.store_ref === saved.store_ref;
  return list.some(same) ? list.map((c) => (same(c) ? saved : c)) : [...list, saved];
}
