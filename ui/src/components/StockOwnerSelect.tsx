import type { StockOwner } from '../api';
import { OWNERS } from '../stock';

/** Which store's stock counts at a location pair: one of the stores, or both changes merged. */
export function StockOwnerSelect({
  testId,
  value,
  disabled = false,
  onChange,
}: {
  testId: string;
  value: StockOwner;
  disabled?: boolean;
  onChange: (owner: StockOwner) => void;
}) {
  return (
    <select
      class="input"
      data-testid={testId}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange((e.target as HTMLSelectElement).value as StockOwner)}
    >
      {OWNERS.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
