import { useState } from 'preact/hooks';
import type { ApiError, StockItem } from '../api';
import { stockItem, stockSync, toApiError } from '../api';
import { formatTimestamp } from '../format';
import { useTimeZone } from '../useTimeZone';
import { reportSentence } from '../stock';
import { DriftCard } from './DriftCard';
import { Outcome } from './Outcome';

function shown(q: number | null): string {
  return q === null ? '–' : String(q);
}

/** One item's stock at every paired location: both stores, the base, and what is still on its way. */
export function InventoryScreen() {
  const zone = useTimeZone();
  const [q, setQ] = useState('');
  const [rows, setRows] = useState<StockItem[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const search = async (text = q) => {
    setBusy(true);
    setError(null);
    try {
      setRows(await stockItem(text));
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  const resync = async (row: StockItem) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const r = await stockSync({ dry_run: false, full: false, pair_id: row.pair_id, bigcommerce_variant_id: row.bigcommerce_variant_id });
      setNotice(`${row.label} at ${row.location}: ${reportSentence(r)}`);
      setRows(await stockItem(q));
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="screen">
      <div class="toolbar">
        <h2 class="screen-title">Inventory</h2>
      </div>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label class="field">
          <span>SKU, BigCommerce variant id or Shopify inventory item id</span>
          <input
            class="input"
            data-testid="inventory-search"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            placeholder="TB-1001-RED-M"
          />
        </label>
        <button type="submit" class="button button-primary" disabled={busy || q.trim() === ''} data-testid="inventory-go">
          Search
        </button>
      </form>
      <Outcome id="inventory" error={error} notice={notice} />
      {rows !== null && rows.length === 0 && (
        <p class="muted" data-testid="inventory-none">
          No synced item matches. Items appear here after a stock cycle has read them (Locations → Sync stock now).
        </p>
      )}
      {rows !== null && rows.length > 0 && (
        <section class="card" aria-label="Stock by location">
          <div class="table-wrap">
            <table class="table" data-testid="inventory-table">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Location</th>
                  <th scope="col" class="num">BigCommerce</th>
                  <th scope="col" class="num">Shopify</th>
                  <th scope="col" class="num">Base (BC / Shopify)</th>
                  <th scope="col">Last change</th>
                  <th scope="col">On its way</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.pair_id}-${r.bigcommerce_variant_id}`} data-testid="inventory-row">
                    <td class="mono">{r.label || '(no SKU)'}</td>
                    <td>{r.location}</td>
                    <td class="num" data-testid="inventory-bc">
                      {shown(r.bigcommerce)}
                    </td>
                    <td class="num" data-testid="inventory-shopify">
                      {shown(r.shopify)}
                    </td>
                    <td class="num">
                      {shown(r.base_bigcommerce)} / {shown(r.base_shopify)}
                    </td>
                    <td>{r.changed_at ? formatTimestamp(r.changed_at, zone) : '–'}</td>
                    <td>{r.pending.length > 0 ? r.pending.join('; ') : '–'}</td>
                    <td>
                      <button
                        type="button"
                        class="button button-small"
                        disabled={busy}
                        data-testid="inventory-resync"
                        onClick={() => void resync(r)}
                      >
                        Resync
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <DriftCard />
    </div>
  );
}
