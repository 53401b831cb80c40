import type { Selection } from '../mapping';
import { linkRequest, listingName, selectionHint, variantName } from '../mapping';

interface Props {
  selection: Selection;
  busy: boolean;
  onLink: () => void;
  onClear: () => void;
}

/** What is selected for a hand-made link, and the button that makes it. */
export function SelectionBar({ selection, busy, onLink, onClear }: Props) {
  const ready = linkRequest(selection) !== null;
  const any = selection.bigcommerce !== null || selection.shopify !== null;
  return (
    <section class="selection-bar" aria-label="Link by hand" data-testid="selection-bar">
      <dl class="selection-sides">
        <div>
          <dt>BigCommerce</dt>
          <dd class={selection.bigcommerce ? 'mono' : 'muted'} data-testid="selected-bigcommerce">
            {selection.bigcommerce ? (
              <>
                {variantName(selection.bigcommerce)} <span class="selection-listing">{listingName(selection.bigcommerce)}</span>
              </>
            ) : (
              'none selected'
            )}
          </dd>
        </div>
        <div>
          <dt>Shopify</dt>
          <dd class={selection.shopify ? 'mono' : 'muted'} data-testid="selected-shopify">
            {selection.shopify ? (
              <>
                {variantName(selection.shopify)} <span class="selection-listing">{listingName(selection.shopify)}</span>
              </>
            ) : (
              'none selected'
            )}
          </dd>
        </div>
      </dl>
      <span class="selection-hint muted">{selectionHint(selection)}</span>
      <div class="selection-actions">
        <button
          type="button"
          class="button button-primary"
          data-testid="link-selected"
          disabled={busy || !ready}
          onClick={onLink}
        >
          Link selected
        </button>
        <button type="button" class="button" data-testid="clear-selection" disabled={busy || !any} onClick={onClear}>
          Clear
        </button>
      </div>
    </section>
  );
}
