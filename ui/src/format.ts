// Pure presentation helpers: no DOM, no I/O, so they can be unit-tested on their own.

import type { ApiError, CheckState, Connection, DoctorCheck, SecretStoreKind, System } from './api';
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

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export type Zone = 'local' | 'utc';

/**
 * Formats an RFC 3339 timestamp as `YYYY-MM-DD HH:MM` (local time unless `zone` is `utc`,
 * which then gets a ` UTC` suffix). Text that is not a timestamp is returned unchanged so an
 * unexpected value is still shown rather than hidden.
 */
export function formatTimestamp(iso: string, zone: Zone = 'local'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  if (zone === 'utc') {
    return (
      `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
      `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())} UTC`
    );
  }
  return (
    `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}`
  );
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

/** The "verified" line of a connection card. */
export function verifiedText(verifiedAt: string | null, now: Date, zone: Zone = 'local'): string {
  if (verifiedAt === null || verifiedAt.trim() === '') {
    return 'Never verified';
  }
  const age = formatAge(verifiedAt, now);
  const when = formatTimestamp(verifiedAt, zone);
  return age === null ? when : `${when} (${age})`;
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
