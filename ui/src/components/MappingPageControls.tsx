import { useState } from 'preact/hooks';
import type { MappingSort } from '../api';
import { PAGE_SIZES, SORTS, formatCount, offsetOfPage, pageCount, pageNumber } from '../mapping';

interface Props {
  offset: number;
  limit: number;
  total: number;
  sort: MappingSort;
  busy: boolean;
  onOffset: (offset: number) => void;
  onLimit: (limit: number) => void;
  onSort: (sort: MappingSort) => void;
}

/** Rows per page, a page to jump to and the order: what a catalog of thousands of rows needs. */
export function MappingPageControls({ offset, limit, total, sort, busy, onOffset, onLimit, onSort }: Props) {
  const [jump, setJump] = useState('');
  const pages = pageCount(total, limit);
  const go = () => {
    const target = offsetOfPage(jump, total, limit);
    if (target !== null) {
      onOffset(target);
      setJump('');
    }
  };
  return (
    <div class="page-controls" role="group" aria-label="Paging and order">
      <label class="inline-field">
        <span>Sort</span>
        <select
          class="input input-small"
          data-testid="mapping-sort"
          value={sort}
          onChange={(e) => onSort((e.currentTarget as HTMLSelectElement).value as MappingSort)}
        >
          {SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      <label class="inline-field">
        <span>Rows</span>
        <select
          class="input input-small"
          data-testid="mapping-page-size"
          value={String(limit)}
          onChange={(e) => onLimit(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <form
        class="inline-field"
        onSubmit={(e) => {
          e.preventDefault();
          go();
        }}
      >
        <label for="mapping-page-jump">
          Page <span data-testid="mapping-page-number">{formatCount(pageNumber(offset, limit))}</span> of{' '}
          <span data-testid="mapping-page-count">{formatCount(pages)}</span>
        </label>
        <input
          id="mapping-page-jump"
          class="input input-small page-jump"
          data-testid="mapping-page-jump"
          inputMode="numeric"
          placeholder="page"
          value={jump}
          onInput={(e) => setJump((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="button button-small" data-testid="mapping-page-go" disabled={busy || jump.trim() === ''}>
          Go
        </button>
      </form>
    </div>
  );
}
