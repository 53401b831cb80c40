import type { Connection } from '../api';
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
import type { FieldSpec } from './ConnectForm';
import { ConnectForm } from './ConnectForm';

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

interface Props {
  /** The current connections; null while they load. */
  connections: Connection[] | null;
  onConnected: (connection: Connection) => void;
}

/** Both stores' connect forms, as Settings and the first-run setup show them. */
export function StoreConnectForms({ connections: all, onConnected: connected }: Props) {
  return (
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
  );
}
