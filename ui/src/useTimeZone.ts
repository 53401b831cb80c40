// The zone every screen shows its times in: the store's (BigCommerce's, else Shopify's, else this
// computer's), as the engine's status answers it. App provides it once; screens read it here and
// pass it to the one formatter, `formatTimestamp`.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { machineTimeZone } from './format';

/** This computer's zone until the status has loaded. */
export const TimeZoneContext = createContext<string>(machineTimeZone());

export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}
