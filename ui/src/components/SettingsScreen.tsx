import type { Connection, Status } from '../api';
import { connectBigCommerce, connectShopify } from '../api';
import type { BigCommerceForm, ShopifyForm } from '../connectForm';
import {
  DEFAULT_BIGCOMMERCE_API_URL,
  DEFAULT_SHOPIFY_API_VERSION,
  bigCommerceFormFrom,
  bigCommerceRequest,
  shopifyFormFrom,
  shopifyRequest,
  validateBigCommerce,
  validateShopify,
} from '../connectForm';
import type { SystemInfo } from '../format';
import { SYSTEMS, connectionsFor } from '../format';
import { useConnections } from '../useConnections';
import type { FieldSpec } from './ConnectForm';
import { ConnectForm } from './ConnectForm';
import { StorageCard } from './StorageCard';

interface Props {
  /** Called after a store was connected, so other screens can reload what they show. */
  onConnected: () => void;
  /** Where the database and the tokens are kept; null until loaded. */
  status: Status | null;
}

const BIGCOMMERCE_FIELDS: readonly FieldSpec<BigCommerceForm>[] = [
  {
    name: 'api_url',
    label: 'API URL',
    testId: 'bc-api-url',
    type: 'url',
    help: `Usually ${DEFAULT_BIGCOMMERCE_API_URL}.`,
  },
  {
    name: 'store_hash',
    label: 'Store hash',
    testId: 'bc-store-hash',
    type: 'text',
    help: 'The code after /stores/ in the API path of your API account, such as abc123xyz.',
    placeholder: 'abc123xyz',
  },
  {
    name: 'token',
    label: 'Access token',
    testId: 'bc-token',
    type: 'password',
    help: "The store-level API account's access token. It goes to the secret store and is not shown again.",
  },
];

const SHOPIFY_FIELDS: readonly FieldSpec<ShopifyForm>[] = [
  {
    name: 'shop_url',
    label: 'Shop URL',
    testId: 'sh-shop-url',
    type: 'url',
    help: 'The address of the shop, such as https://your-shop.myshopify.com.',
    placeholder: 'https://your-shop.myshopify.com',
  },
  {
    name: 'api_version',
    label: 'API version',
    testId: 'sh-api-version',
    type: 'text',
    help: `The Admin API version, such as ${DEFAULT_SHOPIFY_API_VERSION}. Leave it empty for Tillbridge's default.`,
    optional: true,
  },
  {
    name: 'token',
    label: 'Access token',
    testId: 'sh-token',
    type: 'password',
    help: "The app's Admin API access token. It goes to the secret store and is not shown again.",
  },
];

function systemInfo(id: SystemInfo['id']): SystemInfo {
  const info = SYSTEMS.find((s) => s.id === id);
  if (!info) {
    throw new Error(`unknown system ${id}`);
  }
  return info;
}

const connectBigCommerceForm = (form: BigCommerceForm) => connectBigCommerce(bigCommerceRequest(form));
const connectShopifyForm = (form: ShopifyForm) => connectShopify(shopifyRequest(form));

export function SettingsScreen({ onConnected, status }: Props) {
  const [list, { reload, saved }] = useConnections();
  const all = list.connections;
  const firstLoad = list.loading && all === null && list.error === null;

  const connected = (connection: Connection) => {
    saved(connection);
    onConnected();
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Settings</h2>
        <div class="toolbar-right">
          <button type="button" class="button" onClick={reload} disabled={list.loading}>
            {list.loading ? 'Loading…' : 'Reload'}
          </button>
        </div>
      </div>
      <p class="muted intro">
        Tillbridge checks the credentials with one call to the store before it saves anything. Tokens
        are kept in the secret store and never shown again; to change one, connect again.
      </p>

      {list.error && (
        <p class="form-error" role="alert" data-testid="connections-error">
          <strong>Could not load the current connections.</strong> {list.error.message}
        </p>
      )}

      {firstLoad ? (
        <div class="loading" data-testid="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading connections…
        </div>
      ) : (
        <div class="grid">
          <ConnectForm<BigCommerceForm>
            system={systemInfo('bigcommerce')}
            fields={BIGCOMMERCE_FIELDS}
            submitTestId="bc-connect"
            current={all ? connectionsFor('bigcommerce', all) : null}
            initial={bigCommerceFormFrom}
            validate={validateBigCommerce}
            submit={connectBigCommerceForm}
            onConnected={connected}
          />
          <ConnectForm<ShopifyForm>
            system={systemInfo('shopify')}
            fields={SHOPIFY_FIELDS}
            submitTestId="sh-connect"
            current={all ? connectionsFor('shopify', all) : null}
            initial={shopifyFormFrom}
            validate={validateShopify}
            submit={connectShopifyForm}
            onConnected={connected}
          />
        </div>
      )}
      {status && <StorageCard status={status} />}
    </div>
  );
}
