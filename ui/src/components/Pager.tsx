import type { PageRange } from '../mapping';

interface Props {
  range: PageRange;
  /** Prefix for the test ids of the buttons and the range text (`mapping` → `mapping-next`). */
  testId: string;
  /** What the rows are, for screen readers: "Mapping pages". */
  label: string;
  busy: boolean;
  onOffset: (offset: number) => void;
}

export function Pager({ range, testId, label, busy, onOffset }: Props) {
  return (
    <nav class="pager" aria-label={label}>
      <button
        type="button"
        class="button"
        data-testid={`${testId}-prev`}
        disabled={busy || !range.hasPrev}
        onClick={() => onOffset(range.prevOffset)}
      >
        ← Prev
      </button>
      <span class="pager-range muted" data-testid={`${testId}-range`} aria-live="polite">
        {range.text}
      </span>
      <button
        type="button"
        class="button"
        data-testid={`${testId}-next`}
        disabled={busy || !range.hasNext}
        onClick={() => onOffset(range.nextOffset)}
      >
        Next →
      </button>
    </nav>
  );
}
