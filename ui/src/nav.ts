// The screens of the app and how the location hash selects one.

export type ScreenId =
  | 'home'
  | 'mapping'
  | 'sync'
  | 'locations'
  | 'inventory'
  | 'conflicts'
  | 'orders'
  | 'runs'
  | 'failed'
  | 'settings'
  | 'setup';

export interface Screen {
  id: ScreenId;
  label: string;
}

/**
 * New screens are added here and in App's switch. Home answers what happened overnight and what
 * needs a person. Mapping comes right after it: it is the daily
 * work. Stock follows products: its locations, the items, and the conflicts that wait for a person;
 * then the POS orders carried into BigCommerce.
 */
export const SCREENS: readonly Screen[] = [
  { id: 'home', label: 'Home' },
  { id: 'mapping', label: 'Mapping' },
  { id: 'sync', label: 'Sync' },
  { id: 'locations', label: 'Locations' },
  { id: 'inventory', label: 'Inventory' },
  { id: 'conflicts', label: 'Conflicts' },
  { id: 'orders', label: 'Orders' },
  { id: 'runs', label: 'Runs' },
  { id: 'failed', label: 'Failed' },
  { id: 'settings', label: 'Settings' },
];

export const DEFAULT_SCREEN: ScreenId = 'home';

/**
 * The first-run setup has an address but no tab: the app opens it on a first start, and Settings
 * opens it again.
 */
export const SETUP_SCREEN: ScreenId = 'setup';

/** Old addresses still open their screen: the home screen replaced Status. */
const RENAMED: Record<string, ScreenId> = { status: 'home' };

/** `#/mapping` → `mapping`; anything unknown falls back to the default screen. */
export function screenFromHash(hash: string): ScreenId {
  const given = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  const id = RENAMED[given] ?? given;
  if (id === SETUP_SCREEN) {
    return SETUP_SCREEN;
  }
  const match = SCREENS.find((s) => s.id === id);
  return match ? match.id : DEFAULT_SCREEN;
}

export function hashFor(id: ScreenId): string {
  return `#/${id}`;
}
