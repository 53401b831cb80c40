import { describe, expect, it } from 'vitest';
import { DEFAULT_SCREEN, SCREENS, SETUP_SCREEN, hashFor, screenFromHash } from './nav';

describe('screenFromHash', () => {
  it('selects the home screen from its hash, and from the old Status address, and round-trips hashFor', () => {
    expect(screenFromHash('#/home'), 'the home tab link must open the home screen').toBe('home');
    expect(screenFromHash('#/status'), 'a bookmark of the Status screen the home replaced still opens it').toBe(
      'home',
    );
    for (const s of SCREENS) {
      expect(
        screenFromHash(hashFor(s.id)),
        `the nav link for ${s.id} must lead back to the same screen`,
      ).toBe(s.id);
    }
  });

  it('selects the settings screen, listed last', () => {
    expect(screenFromHash('#/settings'), 'the settings tab link must open the settings screen').toBe(
      'settings',
    );
    expect(
      SCREENS.map((s) => s.id).at(-1),
      'Settings is set up once and then rarely visited, so it is the last tab',
    ).toBe('settings');
  });

  it('lists Mapping right after Home, then Sync, then stock, then orders', () => {
    expect(screenFromHash('#/mapping'), 'the mapping tab link must open the mapping screen').toBe('mapping');
    expect(screenFromHash('#/sync'), 'the sync tab link must open the sync screen').toBe('sync');
    expect(
      SCREENS.map((s) => s.id),
      'mapping review is the daily work, so it follows the home screen; a sync comes after reviewing, stock (locations, items, conflicts) after products, POS orders after stock, and the history and failures after them',
    ).toEqual(['home', 'mapping', 'sync', 'locations', 'inventory', 'conflicts', 'orders', 'runs', 'failed', 'settings']);
  });

  it('falls back to the default screen for empty or unknown hashes', () => {
    expect(screenFromHash(''), 'a fresh window has no hash and must still show a screen').toBe(
      DEFAULT_SCREEN,
    );
    expect(
      screenFromHash('#/no-such-screen'),
      'a stale bookmark must not leave the window blank',
    ).toBe(DEFAULT_SCREEN);
  });

  it('ignores sub-paths and queries after the screen id', () => {
    expect(
      screenFromHash('#/orders/detail?x=1'),
      'later screens may add sub-paths; the screen id is the first segment',
    ).toBe('orders');
  });

  it('opens the first-run setup at its address, which has no tab', () => {
    expect(screenFromHash(hashFor(SETUP_SCREEN)), 'Settings and a first start lead to the setup by its address').toBe(
      'setup',
    );
    expect(
      SCREENS.some((s) => s.id === SETUP_SCREEN),
      'the setup is done once; a tab for it would sit in the bar every day after',
    ).toBe(false);
  });
});
