import { describe, expect, it } from 'vitest';
import type { Connection } from './api';
import {
  DEFAULT_BIGCOMMERCE_API_URL,
  DEFAULT_SHOPIFY_API_VERSION,
  apiVersionProblem,
  bigCommerceFormFrom,
  bigCommerceRequest,
  hasErrors,
  mergeConnection,
  shopifyFormFrom,
  shopifyRequest,
  storeHashProblem,
  tokenProblem,
  urlProblem,
  validateBigCommerce,
  validateShopify,
} from './connectForm';

function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    system: 'bigcommerce',
    name: 'abc123',
    store_ref: 'abc123',
    api_url: 'https://api.bigcommerce.com',
    api_version: null,
    verified_at: '2026-05-01T10:00:00Z',
    has_secret: true,
    time_zone: 'America/Chicago',
    ...overrides,
  };
}

describe('urlProblem', () => {
  it('accepts http and https URLs with a host', () => {
    for (const url of [
      'https://api.bigcommerce.com',
      'http://127.0.0.1:4321',
      '  https://shop.myshopify.com/  ',
    ]) {
      expect(urlProblem(url, 'The API URL', 'x'), `${JSON.stringify(url)} is a usable URL`).toBeNull();
    }
  });

  it('names the field and gives an example when the URL is missing or has no scheme', () => {
    expect(
      urlProblem('', 'The API URL', DEFAULT_BIGCOMMERCE_API_URL),
      'an empty URL must say the field is required and show what to type',
    ).toBe(`The API URL is required, for example ${DEFAULT_BIGCOMMERCE_API_URL}`);
    expect(
      urlProblem('shop.myshopify.com', 'The shop URL', 'https://your-shop.myshopify.com'),
      'a bare host name is the commonest mistake; the message must ask for https://',
    ).toMatch(/^The shop URL must start with https:\/\//);
  });

  it('refuses other schemes, spaces and URLs without a host', () => {
    expect(
      urlProblem('ftp://example.com', 'The API URL', 'x'),
      'only http(s) reaches a store API',
    ).toMatch(/must start with https:\/\//);
    expect(
      urlProblem('HTTPS://example.com', 'The API URL', 'x'),
      'the backend expects a lower-case scheme, so the form asks for one rather than fail later',
    ).toMatch(/must start with https:\/\//);
    expect(
      urlProblem('https://api.big commerce.com', 'The API URL', 'x'),
      'a space inside the URL is a typing mistake',
    ).toMatch(/must not contain spaces/);
    expect(urlProblem('https://', 'The API URL', 'x'), 'a scheme alone is not a URL').not.toBeNull();
  });
});

describe('storeHashProblem', () => {
  it('accepts letters and digits, ignoring surrounding spaces', () => {
    expect(storeHashProblem('abc123XYZ'), 'a typical hash is alphanumeric').toBeNull();
    expect(storeHashProblem('  abc123 '), 'pasted hashes often carry spaces').toBeNull();
  });

  it('refuses empty hashes and anything beyond letters and digits', () => {
    expect(storeHashProblem(''), 'the hash is required').toMatch(/required/);
    for (const bad of ['stores/abc123', 'abc-123', 'abc 123', 'äbc']) {
      expect(
        storeHashProblem(bad),
        `${JSON.stringify(bad)} is not a store hash (someone may have pasted the path)`,
      ).toMatch(/letters and digits only/);
    }
  });
});

describe('apiVersionProblem', () => {
  it('accepts year-month versions, unstable and empty (the default)', () => {
    for (const v of [DEFAULT_SHOPIFY_API_VERSION, '2025-01', 'unstable', '', ' 2026-04 ']) {
      expect(apiVersionProblem(v), `${JSON.stringify(v)} is a usable API version`).toBeNull();
    }
  });

  it('refuses versions that are not year-month', () => {
    for (const v of ['2026-13', '2026-1', 'latest', '26-10']) {
      expect(apiVersionProblem(v), `${JSON.stringify(v)} is not a Shopify API version`).toMatch(
        /year-month/,
      );
    }
  });
});

describe('form validation', () => {
  it('reports nothing for a complete BigCommerce form', () => {
    const errors = validateBigCommerce({
      api_url: DEFAULT_BIGCOMMERCE_API_URL,
      store_hash: 'abc123',
      token: 'secret',
    });
    expect(errors, 'a valid form has no field errors').toEqual({});
    expect(hasErrors(errors), 'a valid form may be sent').toBe(false);
  });

  it('reports each wrong BigCommerce field by name', () => {
    const errors = validateBigCommerce({ api_url: 'api.bigcommerce.com', store_hash: 'a/b', token: ' ' });
    expect(Object.keys(errors).sort(), 'every wrong field gets its own message').toEqual([
      'api_url',
      'store_hash',
      'token',
    ]);
    expect(hasErrors(errors), 'a form with errors must not be sent').toBe(true);
    expect(tokenProblem(' '), 'a blank token must ask for the token').toBe('Paste the access token');
  });

  it('reports each wrong Shopify field by name', () => {
    expect(
      validateShopify({ shop_url: 'https://s.myshopify.com', api_version: '', token: 't' }),
      'an empty API version means the default and is fine',
    ).toEqual({});
    const errors = validateShopify({ shop_url: '', api_version: 'latest', token: '' });
    expect(Object.keys(errors).sort(), 'every wrong field gets its own message').toEqual([
      'api_version',
      'shop_url',
      'token',
    ]);
  });

  it('hasErrors ignores fields whose message was cleared', () => {
    expect(hasErrors({ token: undefined }), 'a cleared message is no error').toBe(false);
  });
});

describe('requests', () => {
  it('trims fields and drops trailing slashes from URLs', () => {
    expect(
      bigCommerceRequest({ api_url: ' https://api.bigcommerce.com/ ', store_hash: ' abc ', token: ' t ' }),
      'the backend compares URLs and hashes as given, so the form sends them tidy',
    ).toEqual({ api_url: 'https://api.bigcommerce.com', store_hash: 'abc', token: 't' });
    expect(
      shopifyRequest({ shop_url: 'https://s.myshopify.com//', api_version: ' 2026-10 ', token: 't' }),
      'the Shopify request carries the chosen version',
    ).toEqual({ shop_url: 'https://s.myshopify.com', api_version: '2026-10', token: 't' });
  });

  it('leaves out an empty Shopify API version so the backend uses its default', () => {
    const req = shopifyRequest({ shop_url: 'https://s.myshopify.com', api_version: '  ', token: 't' });
    expect('api_version' in req, 'an empty string would be sent as a version and fail').toBe(false);
  });
});

describe('initial forms', () => {
  it('start from the defaults without a connection', () => {
    expect(bigCommerceFormFrom(undefined), 'the usual API URL is filled in').toEqual({
      api_url: DEFAULT_BIGCOMMERCE_API_URL,
      store_hash: '',
      token: '',
    });
    expect(shopifyFormFrom(undefined), 'the default API version is filled in').toEqual({
      shop_url: '',
      api_version: DEFAULT_SHOPIFY_API_VERSION,
      token: '',
    });
  });

  it('start from the stored connection, never with a token', () => {
    expect(
      bigCommerceFormFrom(connection({ api_url: 'http://127.0.0.1:9000', store_ref: 'h1' })),
      'connecting again starts from the stored URL and hash',
    ).toEqual({ api_url: 'http://127.0.0.1:9000', store_hash: 'h1', token: '' });
    expect(
      shopifyFormFrom(
        connection({ system: 'shopify', api_url: 'https://s.myshopify.com', api_version: '2025-07' }),
      ),
      'connecting again starts from the stored shop URL and version',
    ).toEqual({ shop_url: 'https://s.myshopify.com', api_version: '2025-07', token: '' });
    expect(
      shopifyFormFrom(connection({ system: 'shopify', api_version: null })).api_version,
      'a connection without a version falls back to the default',
    ).toBe(DEFAULT_SHOPIFY_API_VERSION);
  });
});

describe('mergeConnection', () => {
  it('replaces the entry for the same store and keeps the order', () => {
    const a = connection({ store_ref: 'a', verified_at: null });
    const b = connection({ system: 'shopify', store_ref: 'b' });
    const newA = connection({ store_ref: 'a', verified_at: '2026-06-01T00:00:00Z' });
    expect(mergeConnection([a, b], newA), 'reconnecting a store updates it in place').toEqual([newA, b]);
  });

  it('adds a store that was not listed', () => {
    const a = connection({ store_ref: 'a' });
    const c = connection({ system: 'shopify', store_ref: 'a' });
    expect(
      mergeConnection([a], c),
      'the same store_ref on another system is a different connection',
    ).toEqual([a, c]);
  });
});
