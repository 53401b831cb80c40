import { useEffect, useState } from 'preact/hooks';
import type { ApiError, BigCommerceVariant, MappingRow, ShopifyVariant } from '../api';
import { mapping, toApiError } from '../api';
import { asSentence } from '../format';
import { listingName, shortId, variantName, visibleWhitespace } from '../mapping';

interface Props {
  /** Any record of the group; the backend lists every record sharing its key. */
  memberId: number;
  reason: string;
  busy: boolean;
  /** Changes after every action, so the group is read again. */
  revision: number;
  onLink: (bigcommerce: BigCommerceVariant, shopify: ShopifyVariant) => void;
  onClose: () => void;
}

/** The most a group is read at once; a key shared by more variants than this is a catalog problem. */
const GROUP_LIMIT = 500;

/**
 * An ambiguous group in one block: each BigCommerce variant sharing the key, with every Shopify
 * listing that shares it beside a Link button, wherever the rows fall in the table's pages.
 */
export function MappingGroup({ memberId, reason, busy, revision, onLink, onClose }: Props) {
  const [members, setMembers] = useState<MappingRow[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let alive = true;
    mapping({ class: 'all', q: '', offset: 0, limit: GROUP_LIMIT, group: memberId }).then(
      (page) => alive && (setMembers(page.rows), setError(null)),
      (reason: unknown) => alive && setError(toApiError(reason)),
    );
    return () => {
      alive = false;
    };
  }, [memberId, revision]);

  const bigcommerce = (members ?? []).flatMap((r) => (r.bigcommerce !== null ? [r.bigcommerce] : []));
  const shopify = (members ?? []).flatMap((r) => (r.shopify !== null ? [r.shopify] : []));

  return (
    <section class="mapping-group" aria-label="Candidates of an ambiguous group" data-testid="mapping-group">
      <div class="mapping-group-head">
        <strong>{reason}</strong>
        <button type="button" class="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          <strong>Could not load the group.</strong> {asSentence(error.message)}
        </p>
      )}
      {members === null && error === null && <p class="muted">Loading the candidates…</p>}
      {members !== null && members.length === 0 && (
        <p class="muted" data-testid="mapping-group-empty">
          This group is settled: none of its variants is ambiguous any more.
        </p>
      )}
      {bigcommerce.length > 0 && shopify.length === 0 && (
        <p class="muted">No Shopify listing is left in this group; link the BigCommerce variants by hand.</p>
      )}
      {bigcommerce.map((bc) => (
        <div class="mapping-group-block" key={bc.variant_id} data-testid={`group-bigcommerce-${bc.variant_id}`}>
          <div class="mapping-group-bc">
            <span class="badge badge-muted">BigCommerce</span> <strong>{bc.title || '(no title)'}</strong>
            {bc.options && <span class="muted"> · {bc.options}</span>}{' '}
            <span class="mono">{visibleWhitespace(variantName(bc))}</span>
            <span class="muted">
              {' '}
              · product {bc.product_id} · variant {bc.variant_id}
            </span>
          </div>
          <table class="table mapping-group-table">
            <thead>
              <tr>
                <th scope="col">Shopify listing</th>
                <th scope="col">Options</th>
                <th scope="col">SKU</th>
                <th scope="col">Barcode</th>
                <th scope="col">
                  <span class="visually-hidden">Link</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shopify.map((sh) => (
                <tr key={sh.variant_id} data-testid="group-candidate" data-shopify-variant={sh.variant_id}>
                  <td>
                    <div class="variant-title">{sh.title || '(no title)'}</div>
                    <div class="muted">
                      product {shortId(sh.product_id)} · variant {shortId(sh.variant_id)}
                    </div>
                  </td>
                  <td>{sh.options || <span class="muted">none</span>}</td>
                  <td class="mono">{sh.sku ? visibleWhitespace(sh.sku) : <span class="muted">none</span>}</td>
                  <td class="mono">{sh.barcode ? visibleWhitespace(sh.barcode) : <span class="muted">none</span>}</td>
                  <td class="mapping-actions">
                    <button
                      type="button"
                      class="button button-small button-primary"
                      data-testid={`group-link-${bc.variant_id}-${shortId(sh.variant_id)}`}
                      aria-label={`Link BigCommerce ${variantName(bc)} with Shopify ${listingName(sh)}`}
                      disabled={busy}
                      onClick={() => onLink(bc, sh)}
                    >
                      Link this one
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {bigcommerce.length === 0 && shopify.length > 0 && (
        <p class="muted">
          Only Shopify listings are left in this group ({shopify.length}); select one and its BigCommerce variant
          to link them by hand, or ignore the duplicates.
        </p>
      )}
    </section>
  );
}
