import type { ScreenId } from '../nav';
import { SCREENS, hashFor } from '../nav';

interface Props {
  current: ScreenId;
}

export function Nav({ current }: Props) {
  return (
    <nav class="app-nav" aria-label="Screens">
      {SCREENS.map((s) => (
        <a
          key={s.id}
          href={hashFor(s.id)}
          class={s.id === current ? 'tab active' : 'tab'}
          aria-current={s.id === current ? 'page' : undefined}
        >
          {s.label}
        </a>
      ))}
    </nav>
  );
}
