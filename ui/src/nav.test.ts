import { describe, expect, it } from 'vitest';
import { DEFAULT_SCREEN, SCREENS, hashFor, screenFromHash } from './nav';

describe('screenFromHash', () => {
  it('selects the status screen from its hash and round-trips hashFor', () => {
    expect(screenFromHash('#/status'), 'the status tab link must open the status screen').toBe(
      'status',
    );
    for (const s of SCREENS) {
      expect(
        screenFromHash(hashFor(s.id)),
        `the nav link for ${s.id} must lead back to the same screen`,
      ).toBe(s.id);
    }
  });

  it('selects the settings screen, listed after status', () => {
    expect(screenFromHash('#/settings'), 'the settings tab link must open the settings screen').toBe(
      'settings',
    );
    expect(
      SCREENS.map((s) => s.id),
      'Settings is the second tab, after the Status overview',
    ).toEqual(['status', 'settings']);
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
      screenFromHash('#/status/detail?x=1'),
      'later screens may add sub-paths; the screen id is the first segment',
    ).toBe('status');
  });
});
