// Pure presentation helpers: no DOM, no I/O, so they can be unit-tested on their own.

import type { ApiError, CheckState, Connection, DoctorCheck, SecretStoreKind, System } from './api';
import type { StoreTimeZone, TimeZoneSource } from './generated/engine';
import { KEYCHAIN_UNAVAILABLE } from './api';

export interface SystemInfo {
  id: System;
  label: string;
  /** The CLI command an operator runs to connect this system. */
  connectHint: string;
}

export const SYSTEMS: readonly SystemInfo[] = [
  {
    id: 'bigcommerce',
    label: 'BigCommerce',
    connectHint: 'tillbridge connect bigcommerce --api-url URL --store-hash HASH',
  },
  {
    id: 'shopify',
    label: 'Shopify',
    connectHint: 'tillbridge connect shopify --shop-url URL',
  },
];

/** The connections recorded for one system, in the order the backend listed them. */
export function connectionsFor(system: System, connections: readonly Connection[]): Connection[] {
  return connections.filter((c) => c.system === system);
}

/** This computer's IANA zone; UTC when the runtime cannot say. */
export function machineTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// One formatter per zone: tables format hundreds of times per render. The locale is fixed: the
// digits and the zone abbreviation must not depend on the session's language (which may be "C").
const wallClocks = new Map<string, Intl.DateTimeFormat | null>();

function wallClock(zone: string): Intl.DateTimeFormat | null {
  let format = wallClocks.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      });
    } catch {
      format = null; // a zone this runtime does not know
    }
    wallClocks.set(zone, format);
  }
  return format;
}

/** `zone` when this runtime knows it, otherwise this computer's zone (or UTC). */
export function usableZone(zone: string | null | undefined): string {
  if (zone && wallClock(zone) !== null) {
    return zone;
  }
  const machine = machineTimeZone();
  return wallClock(machine) !== null ? machine : 'UTC';
}

interface WallTime {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  /** The zone's short name at that moment: "CST", "CDT", "UTC", or "GMT+1" where it has none. */
  abbreviation: string;
}

/** What a clock on the wall in `zone` reads at `date`. */
function wallTime(date: Date, zone: string): WallTime {
  const format = wallClock(usableZone(zone));
  const parts: Record<string, string> = {};
  for (const part of format?.formatToParts(date) ?? []) {
    parts[part.type] = part.value;
  }
  if (parts.year === undefined) {
    // No Intl time zones at all: UTC, said so.
    const pad2 = (n: number) => String(n).padStart(2, '0');
    return {
      year: String(date.getUTCFullYear()),
      month: pad2(date.getUTCMonth() + 1),
      day: pad2(date.getUTCDate()),
      hour: pad2(date.getUTCHours()),
      minute: pad2(date.getUTCMinutes()),
      abbreviation: 'UTC',
    };
  }
  return {
    year: parts.year,
    month: parts.month ?? '',
    day: parts.day ?? '',
    // Some engines still write midnight as 24 under h23.
    hour: parts.hour === '24' ? '00' : (parts.hour ?? ''),
    minute: parts.minute ?? '',
    abbreviation: parts.timeZoneName ?? zone,
  };
}

export interface TimeOptions {
  /** Add the zone's short name ("06:31 CST"): for a time that stands alone, not a table cell. */
  abbreviation?: boolean;
}

/**
 * Formats an RFC 3339 timestamp as `YYYY-MM-DD HH:MM` on the wall clock of `zone` (the store's
 * zone: every screen shows times in it, whatever the computer is set to). Text that is not a
 * timestamp is returned unchanged so an unexpected value is still shown rather than hidden.
 */
export function formatTimestamp(iso: string, zone: string, options: TimeOptions = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const t = wallTime(date, zone);
  const text = `${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute}`;
  return options.abbreviation ? `${text} ${t.abbreviation}` : text;
}

/** The zone's short name at `date` ("CST" in winter, "CDT" in summer for America/Chicago). */
export function zoneAbbreviation(date: Date, zone: string): string {
  return wallTime(date, zone).abbreviation;
}

/** The day (`YYYY-MM-DD`) it is in `zone` at `date`: the store's day, not the computer's. */
export function dayIn(date: Date, zone: string): string {
  const t = wallTime(date, zone);
  return `${t.year}-${t.month}-${t.day}`;
}

const ZONE_SOURCES: Record<TimeZoneSource, string> = {
  bigcommerce: "the BigCommerce store's",
  shopify: "the Shopify shop's",
  machine: "this computer's: neither store gave one",
};

/** "America/Chicago (the BigCommerce store's)": the zone every time is shown in, and whose it is. */
export function timeZoneLabel(timeZone: StoreTimeZone): string {
  return `${timeZone.zone} (${ZONE_SOURCES[timeZone.source] ?? timeZone.source})`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** How long ago `iso` was, relative to `now`, in words ("3 hours ago"); null if not a timestamp. */
export function formatAge(iso: string, now: Date): string | null {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) {
    return null;
  }
  const seconds = Math.round((now.getTime() - then) / 1000);
  if (seconds < -60) {
    return 'in the future (check the clock)';
  }
  if (seconds < 60) {
    return 'just now';
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${plural(minutes, 'minute')} ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${plural(hours, 'hour')} ago`;
  }
  return `${plural(Math.floor(hours / 24), 'day')} ago`;
}

/** The "verified" line of a connection card, on the store's clock. */
export function verifiedText(verifiedAt: string | null, now: Date, zone: string): string {
  if (verifiedAt === null || verifiedAt.trim() === '') {
    return 'Never verified';
  }
  const age = formatAge(verifiedAt, now);
  const when = formatTimestamp(verifiedAt, zone, { abbreviation: true });
  return age === null ? when : `${when} (${age})`;
}

/** The zone a store gave when it was connected, or why there is none. */
export function connectionZoneText(c: Pick<Connection, 'system' | 'time_zone'>): string {
  if (c.time_zone) {
    return c.time_zone;
  }
  return c.system === 'bigcommerce'
    ? 'Not read: the API account needs Information & Settings (read-only); connect again once it has it'
    : 'Not read yet: connect the shop again to read it';
}

export function tokenText(hasSecret: boolean): string {
  return hasSecret ? 'Stored in the secret store' : 'Missing: run the connect command again';
}

export const CHECK_STATE_LABELS: Record<CheckState, string> = {
  ok: 'OK',
  warn: 'Warning',
  fail: 'Failed',
};

export function checkStateLabel(state: CheckState): string {
  return CHECK_STATE_LABELS[state] ?? state;
}

export type Tone = 'ok' | 'warn' | 'fail';

/** One line that sums up the doctor report, and the tone to show it in. */
export function summarizeChecks(checks: readonly DoctorCheck[]): { text: string; tone: Tone } {
  if (checks.length === 0) {
    return { text: 'No checks were reported', tone: 'warn' };
  }
  const failed = checks.filter((c) => c.state === 'fail').length;
  const warned = checks.filter((c) => c.state === 'warn').length;
  if (failed === 0 && warned === 0) {
    return { text: `All ${plural(checks.length, 'check')} passed`, tone: 'ok' };
  }
  const parts: string[] = [];
  if (failed > 0) {
    parts.push(`${failed} failed`);
  }
  if (warned > 0) {
    parts.push(plural(warned, 'warning'));
  }
  return {
    text: `${parts.join(', ')} of ${plural(checks.length, 'check')}`,
    tone: failed > 0 ? 'fail' : 'warn',
  };
}

export const SECRET_STORE_LABELS: Record<SecretStoreKind, string> = {
  keychain: 'System keychain',
  file: 'File',
  memory: 'In memory (forgotten on exit)',
};

export function secretStoreLabel(kind: SecretStoreKind): string {
  return SECRET_STORE_LABELS[kind] ?? kind;
}

/** Extra guidance for error codes the operator can act on; null when there is none. */
export function errorHint(error: Pick<ApiError, 'code'>): string | null {
  if (error.code === KEYCHAIN_UNAVAILABLE) {
    return (
      'The system keychain could not be used. Unlock your login keyring (or start a Secret ' +
      'Service such as GNOME Keyring) and reload, or start Tillbridge with ' +
      '--secret-store file:PATH to keep secrets in a file instead.'
    );
  }
  return null;
}

/** Errors with the same code and message are shown once. */
export function distinctErrors<E extends Pick<ApiError, 'code' | 'message'>>(errors: readonly E[]): E[] {
  const seen = new Set<string>();
  const out: E[] = [];
  for (const e of errors) {
    const key = `${e.code ?? ''}\u0000${e.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

/** `message` with its first letter in upper case, for showing it after a bold lead-in. */
export function asSentence(message: string): string {
  const text = message.trim();
  return text === '' ? text : text.charAt(0).toUpperCase() + text.slice(1);
}
