import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { BigCommerceVariant, MappingRow, Ownership, ShopifyVariant, System, VariantPair } from '../api';
import type { Selection, SideChoice } from '../mapping';
import {
  CLASS_TONES,
  classLabel,
  flagLabel,
  isSelected,
  keyLabel,
  listingName,
  rowActions,
  variantName,
  visibleWhitespace,
  winnersOnKeep,
} from '../mapping';
import { MappingGroup } from './MappingGroup';

export interface RowHandlers {
  onToggle: (choice: SideChoice) => void;
  onUnlink: (pair: VariantPair) => void;
  onConfirm: (pair: VariantPair) => void;
  onKeep: (row: MappingRow, pair: VariantPair) => void;
  onIgnore: (row: MappingRow, system: System) => void;
  onUnignore: (row: MappingRow, system: System) => void;
  /** Links a pair chosen in an ambiguous group. */
  onLinkCandidate: (bigcommerce: BigCommerceVariant, shopify: ShopifyVariant) => void;
}

interface Props extends RowHandlers {
  rows: readonly MappingRow[];
  selection: Selection;
  busy: boolean;
  /** Who owns each synced field, to say what keeping a conflict does; null while it loads. */
  ownership: Ownership | null;
  /** Bumped after every action, so an open group shows what the action left. */
  revision: number;
}

const STORE_LABELS: Record<System, string> = { bigcommerce: 'BigCommerce', shopify: 'Shopify' };

export function MappingTable({ rows, selection, busy, ownership, revision, ...handlers }: Props) {
  // The ambiguous row whose group is open; one at a time, so the page stays readable.
  const [openGroup, setOpenGroup] = useState<number | null>(null);
  return (
    <div class="table-wrap">
      <table class="table mapping-table" data-testid="mapping-table">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">BigCommerce</th>
            <th scope="col">Shopify</th>
            <th scope="col">Why</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <Fragment key={row.id}>
              <MappingTableRow
                row={row}
                startsGroup={row.class === 'ambiguous' && rows[i - 1]?.reason !== row.reason}
                selection={selection}
                busy={busy}
                ownership={ownership}
                groupOpen={openGroup === row.id}
                onGroup={() => setOpenGroup((open) => (open === row.id ? null : row.id))}
                {...handlers}
              />
              {openGroup === row.id && (
                <tr class="mapping-group-row">
                  <td colSpan={5}>
                    <MappingGroup
                      memberId={row.id}
                      reason={row.reason}
                      busy={busy}
                      revision={revision}
                      onLink={handlers.onLinkCandidate}
                      onClose={() => setOpenGroup(null)}
                    />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps extends RowHandlers {
  row: MappingRow;
  selection: Selection;
  busy: boolean;
  ownership: Ownership | null;
  groupOpen: boolean;
  /** The first row of an ambiguous group on the page; its members follow it in the Ambiguous tab. */
  startsGroup: boolean;
  onGroup: () => void;
}

function MappingTableRow(props: RowProps) {
  const { row, selection, busy, ownership, groupOpen, startsGroup, onGroup } = props;
  const { onToggle, onUnlink, onConfirm, onKeep, onIgnore, onUnignore } = props;
  const actions = rowActions(row);
  const key = keyLabel(row.key);
  const winners = actions.keep !== null && ownership !== null ? winnersOnKeep(row, ownership) : [];
  return (
    <tr
      class={startsGroup ? 'mapping-group-start' : undefined}
      data-testid="mapping-row"
      data-class={row.class}
      data-decided={String(row.decided)}
      data-bigcommerce-variant={row.bigcommerce?.variant_id}
      data-shopify-variant={row.shopify?.variant_id}
    >
      <td class="mapping-class">
        <div class="mapping-class-stack">
          <span class={`badge badge-${CLASS_TONES[row.class] ?? 'muted'}`}>{classLabel(row.class)}</span>
          {row.decided && (
            <span class="badge badge-accent" title="Held by an operator decision; re-matching never changes it">
              Decided
            </span>
          )}
          {key && <span class="mapping-key muted">by {key}</span>}
        </div>
      </td>
      <SideCell
        store="bigcommerce"
        variant={row.bigcommerce}
        selectable={actions.select === 'bigcommerce'}
        selected={row.bigcommerce !== null && isSelected(selection, 'bigcommerce', row.bigcommerce.variant_id)}
        ignorable={actions.ignore.includes('bigcommerce')}
        unignorable={actions.unignore.includes('bigcommerce')}
        busy={busy}
        onToggle={() => row.bigcommerce && onToggle({ system: 'bigcommerce', variant: row.bigcommerce })}
        onIgnore={() => onIgnore(row, 'bigcommerce')}
        onUnignore={() => onUnignore(row, 'bigcommerce')}
      />
      <SideCell
        store="shopify"
        variant={row.shopify}
        selectable={actions.select === 'shopify'}
        selected={row.shopify !== null && isSelected(selection, 'shopify', row.shopify.variant_id)}
        ignorable={actions.ignore.includes('shopify')}
        unignorable={actions.unignore.includes('shopify')}
        busy={busy}
        onToggle={() => row.shopify && onToggle({ system: 'shopify', variant: row.shopify })}
        onIgnore={() => onIgnore(row, 'shopify')}
        onUnignore={() => onUnignore(row, 'shopify')}
      />
      <td class="mapping-reason">
        <span>{row.reason}</span>
        {winners.length > 0 && (
          <ul class="keep-outcome" aria-label="If kept" data-testid={`keep-outcome-${row.id}`}>
            {winners.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        )}
        {row.flags.length > 0 && (
          <ul class="flags" aria-label="Flags">
            {row.flags.map((flag) => (
              <li key={flag} class="flag">
                {flagLabel(flag)}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td class="mapping-actions">
        {actions.keep && (
          <button
            type="button"
            class="button button-small button-primary"
            data-testid={`keep-${row.id}`}
            aria-label={`Keep the pair ${pairName(row)}`}
            title="Link these two as they are; the owner's barcode and SKU win on the next sync"
            disabled={busy}
            onClick={() => actions.keep && onKeep(row, actions.keep)}
          >
            Keep this pair
          </button>
        )}
        {actions.group !== null && (
          <button
            type="button"
            class={groupOpen ? 'button button-small button-selected' : 'button button-small'}
            data-testid={`group-${row.id}`}
            aria-expanded={groupOpen}
            disabled={busy}
            onClick={onGroup}
          >
            {groupOpen ? 'Hide candidates' : 'Compare candidates'}
          </button>
        )}
        {actions.confirm && (
          <button
            type="button"
            class="button button-small"
            data-testid={`confirm-${row.id}`}
            aria-label={`Confirm match of ${pairName(row)}`}
            disabled={busy}
            onClick={() => actions.confirm && onConfirm(actions.confirm)}
          >
            Confirm
          </button>
        )}
        {actions.unlink && (
          <button
            type="button"
            class="button button-small"
            data-testid={`unlink-${row.id}`}
            aria-label={`Unlink ${pairName(row)}`}
            disabled={busy}
            onClick={() => actions.unlink && onUnlink(actions.unlink)}
          >
            Unlink
          </button>
        )}
      </td>
    </tr>
  );
}

function pairName(row: MappingRow): string {
  const bc = row.bigcommerce ? variantName(row.bigcommerce) : '?';
  const sh = row.shopify ? variantName(row.shopify) : '?';
  return `BigCommerce ${bc} and Shopify ${sh}`;
}

interface SideProps {
  store: System;
  variant: BigCommerceVariant | ShopifyVariant | null;
  selectable: boolean;
  selected: boolean;
  ignorable: boolean;
  unignorable: boolean;
  busy: boolean;
  onToggle: () => void;
  onIgnore: () => void;
  onUnignore: () => void;
}

function SideCell(props: SideProps) {
  const { store, variant, selectable, selected, ignorable, unignorable, busy, onToggle, onIgnore, onUnignore } = props;
  // Ignore takes a variant out of syncing, so a lone Enter (the focus may have landed on the button
  // after another action) only arms it; a second press or a click ignores.
  const [armed, setArmed] = useState(false);
  if (variant === null) {
    return (
      <td class="mapping-side mapping-side-empty">
        <span class="muted">No {STORE_LABELS[store]} variant</span>
      </td>
    );
  }
  const name = variantName(variant);
  return (
    <td class={selected ? 'mapping-side selected' : 'mapping-side'}>
      <div class="variant-title" title={listingName(variant)}>
        {variant.title || <span class="muted">(no title)</span>}
        {variant.options && <span class="variant-options muted"> · {variant.options}</span>}
      </div>
      <dl class="variant-codes">
        <dt>SKU</dt>
        <dd class="mono">{variant.sku ? visibleWhitespace(variant.sku) : <span class="muted">none</span>}</dd>
        <dt>Barcode</dt>
        <dd class="mono">{variant.barcode ? visibleWhitespace(variant.barcode) : <span class="muted">none</span>}</dd>
      </dl>
      {(selectable || ignorable || unignorable) && (
        <div class="side-actions">
          {selectable && (
            <button
              type="button"
              class={selected ? 'button button-small button-selected' : 'button button-small'}
              data-testid={`select-${store}-${variant.variant_id}`}
              aria-pressed={selected}
              aria-label={`Select ${STORE_LABELS[store]} variant ${name}`}
              disabled={busy}
              onClick={onToggle}
            >
              {selected ? 'Selected ✓' : 'Select'}
            </button>
          )}
          {ignorable && (
            <button
              type="button"
              class={armed ? 'button button-small button-danger' : 'button button-small button-quiet'}
              data-testid={`ignore-${store}-${variant.variant_id}`}
              data-armed={String(armed)}
              aria-label={armed ? `Press again to ignore ${STORE_LABELS[store]} variant ${name}` : `Ignore ${STORE_LABELS[store]} variant ${name}`}
              disabled={busy}
              onBlur={() => setArmed(false)}
              onClick={(e) => {
                // A click made with the keyboard has no pointer press behind it (detail 0).
                if (e.detail === 0 && !armed) {
                  setArmed(true);
                  return;
                }
                setArmed(false);
                onIgnore();
              }}
            >
              {armed ? 'Press again to ignore' : 'Ignore'}
            </button>
          )}
          {unignorable && (
            <button
              type="button"
              class="button button-small"
              data-testid={`unignore-${store}-${variant.variant_id}`}
              aria-label={`Un-ignore ${STORE_LABELS[store]} variant ${name}`}
              title="Match and sync this variant again"
              disabled={busy}
              onClick={onUnignore}
            >
              Un-ignore
            </button>
          )}
        </div>
      )}
    </td>
  );
}
