import type { MappingFilter } from '../api';
import type { FilterTab } from '../mapping';

interface Props {
  tabs: readonly FilterTab[];
  onFilter: (filter: MappingFilter) => void;
}

/** The class filter: one button per class with its count; the pressed one is the current filter. */
export function MappingFilters({ tabs, onFilter }: Props) {
  return (
    <div class="filters" role="group" aria-label="Show rows">
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          class={tab.active ? 'filter active' : 'filter'}
          aria-pressed={tab.active}
          data-testid={`filter-${tab.id}`}
          data-count={tab.count ?? undefined}
          onClick={() => onFilter(tab.id)}
        >
          <span class="filter-label">{tab.label}</span>{' '}
          {tab.countText !== null && <span class="filter-count">{tab.countText}</span>}
        </button>
      ))}
    </div>
  );
}
