import { describe, expect, it } from 'vitest';
import type { Connection, DoctorCheck } from './api';
import { ApiError } from './api';
import {
  SYSTEMS,
  asSentence,
  checkStateLabel,
  connectionZoneText,
  connectionsFor,
  dayIn,
  distinctErrors,
  errorHint,
  formatAge,
  formatTimestamp,
  secretStoreLabel,
  summarizeChecks,
  timeZoneLabel,
  tokenText,
  usableZone,
  verifiedText,
  zoneAbbreviation,
} from './format';

const conn = (system: Connection['system'], name: string): Connection => ({
  system,
  name,
  store_ref: `${name}-ref`,
  api_url: `https://${name}.example.invalid`,
  api_version: null,
  verified_at: null,
  has_secret: true,
  time_zone: null,
});

const check = (state: DoctorCheck['state'], name = state): DoctorCheck => ({
  name,
  state,
  detail: '',
  fix: null,
});

describe('SYSTEMS', () => {
  it('lists BigCommerce then Shopify with the exact connect commands', () => {
    expect(
      SYSTEMS.map((s) => s.id),
      'the status screen shows one card per system, in this order',
    ).toEqual(['bigcommerce', 'shopify']);
    expect(
      SYSTEMS[0]?.connectHint,
      'operators copy this command verbatim; it must match the CLI flags',
    ).toBe('tillbridge connect bigcommerce --api-url URL --store-hash HASH');
    expect(
      SYSTEMS[1]?.connectHint,
      'operators copy this command verbatim; it must match the CLI flags',
    ).toBe('tillbridge connect shopify --shop-url URL');
  });
});

describe('connectionsFor', () => {
  it('keeps only the connections of the asked system, in backend order', () => {
    const all = [conn('shopify', 'a'), conn('bigcommerce', 'b'), conn('shopify', 'c')];
    expect(
      connectionsFor('shopify', all).map((c) => c.name),
      'a Shopify card must not show a BigCommerce connection, and order must be stable',
    ).toEqual(['a', 'c']);
    expect(
      connectionsFor('bigcommerce', []),
      'no connections means the card shows "Not connected"',
    ).toEqual([]);
  });
});

describe('formatTimestamp', () => {
  it('formats RFC 3339 as YYYY-MM-DD HH:MM on the given zone\'s clock', () => {
    expect(
      formatTimestamp('2026-03-04T05:06:07Z', 'UTC', { abbreviation: true }),
      'single-digit fields are zero-padded so times line up and read unambiguously',
    ).toBe('2026-03-04 05:06 UTC');
    expect(
      formatTimestamp('2026-03-04T23:30:00-02:00', 'UTC'),
      'offsets from the backend are honoured, not dropped',
    ).toBe('2026-03-05 01:30');
  });

  it("shows a fixed instant as the store's wall time, whatever zone this process runs in", () => {
    const instant = '2026-12-07T12:31:00Z';
    // A store zone this process is not in, so the computer's own clock cannot pass for it.
    const here = new Date(instant).getHours();
    const store = here === 6 ? 'Asia/Tokyo' : 'America/Chicago';
    const expected = store === 'America/Chicago' ? '2026-12-07 06:31 CST' : '2026-12-07 21:31 GMT+9';
    expect(
      formatTimestamp(instant, store, { abbreviation: true }),
      "an operator reads the shop's 06:31 on a PC set to another zone, with the zone named once",
    ).toBe(expected);
    expect(
      formatTimestamp(instant, store).slice(11, 13),
      "the hour is the store's, not this computer's",
    ).not.toBe(String(here).padStart(2, '0'));
    expect(
      formatTimestamp('2026-07-07T11:31:00Z', 'America/Chicago', { abbreviation: true }),
      'summer time is the zone database\'s, and its abbreviation says so',
    ).toBe('2026-07-07 06:31 CDT');
    expect(
      formatTimestamp('2026-12-07T06:00:00Z', 'America/Chicago'),
      'midnight reads 00, never 24',
    ).toBe('2026-12-07 00:00');
  });

  it('falls back to a zone it can use when the store gives one this runtime does not know', () => {
    expect(usableZone('Mars/Olympus'), 'an unknown zone is replaced rather than throwing').toBe(usableZone(null));
    expect(usableZone('Europe/London'), 'a known zone is kept').toBe('Europe/London');
    expect(
      formatTimestamp('2026-12-07T12:31:00Z', 'Mars/Olympus'),
      'and a time is still shown',
    ).toMatch(/^2026-12-07 \d\d:31$/);
  });

  it('returns text that is not a timestamp unchanged', () => {
    expect(
      formatTimestamp('yesterday-ish', 'UTC'),
      'an unexpected value is shown as-is rather than as "Invalid Date"',
    ).toBe('yesterday-ish');
  });
});

describe('dayIn and zoneAbbreviation', () => {
  it("give the store's calendar day and the zone's short name at that moment", () => {
    const evening = new Date('2026-12-07T04:30:00Z');
    expect(dayIn(evening, 'America/Chicago'), 'still the 6th in Chicago').toBe('2026-12-06');
    expect(dayIn(evening, 'UTC'), 'already the 7th in UTC').toBe('2026-12-07');
    expect(zoneAbbreviation(evening, 'America/Chicago'), 'standard time in December').toBe('CST');
  });
});

describe('timeZoneLabel and connectionZoneText', () => {
  it('say which zone the times are in and whose it is', () => {
    expect(
      timeZoneLabel({ zone: 'America/Chicago', source: 'bigcommerce' }),
      'the header names the zone and the store it came from',
    ).toBe("America/Chicago (the BigCommerce store's)");
    expect(
      timeZoneLabel({ zone: 'UTC', source: 'machine' }),
      'a fallback to the computer says why',
    ).toBe("UTC (this computer's: neither store gave one)");
    expect(
      connectionZoneText({ system: 'bigcommerce', time_zone: null }),
      'a BigCommerce store without a zone points at the missing scope',
    ).toMatch(/Information & Settings/);
    expect(connectionZoneText({ system: 'shopify', time_zone: 'Europe/London' }), 'a zone given is shown').toBe(
      'Europe/London',
    );
  });
});

describe('formatAge', () => {
  const now = new Date('2026-01-10T12:00:00Z');

  it('words the age at minute, hour and day granularity', () => {
    expect(formatAge('2026-01-10T11:59:30Z', now), 'under a minute reads as "just now"').toBe(
      'just now',
    );
    expect(formatAge('2026-01-10T11:59:00Z', now), 'one minute is singular').toBe('1 minute ago');
    expect(formatAge('2026-01-10T11:15:00Z', now), 'minutes are floored').toBe('45 minutes ago');
    expect(formatAge('2026-01-10T09:00:00Z', now), 'hours below two days').toBe('3 hours ago');
    expect(formatAge('2026-01-07T12:00:00Z', now), 'days beyond 48 hours').toBe('3 days ago');
  });

  it('flags timestamps in the future and rejects garbage', () => {
    expect(
      formatAge('2026-01-10T13:00:00Z', now),
      'a verification time in the future points at a wrong clock, which the operator should see',
    ).toBe('in the future (check the clock)');
    expect(formatAge('not a date', now), 'no age can be given for a non-timestamp').toBeNull();
  });
});

describe('verifiedText', () => {
  const now = new Date('2026-01-10T12:00:00Z');

  it('says "Never verified" for a missing time', () => {
    expect(
      verifiedText(null, now, 'UTC'),
      'a connection that was never checked must not look verified',
    ).toBe('Never verified');
  });

  it('combines the time and its age', () => {
    expect(
      verifiedText('2026-01-10T10:00:00Z', now, 'UTC'),
      'operators need both when it was verified and how stale that is',
    ).toBe('2026-01-10 10:00 UTC (2 hours ago)');
  });
});

describe('labels', () => {
  it('names check states and secret stores in plain words', () => {
    expect(checkStateLabel('ok'), 'ok reads as OK').toBe('OK');
    expect(checkStateLabel('warn'), 'warn reads as Warning').toBe('Warning');
    expect(checkStateLabel('fail'), 'fail reads as Failed').toBe('Failed');
    expect(
      secretStoreLabel('memory'),
      'the memory store loses tokens on exit; the label must say so',
    ).toContain('forgotten on exit');
    expect(secretStoreLabel('keychain'), 'keychain reads as the system keychain').toBe(
      'System keychain',
    );
  });

  it('tells whether a token is stored', () => {
    expect(tokenText(true), 'a stored token is reported as stored').toBe(
      'Stored in the secret store',
    );
    expect(
      tokenText(false),
      'a missing token must tell the operator what to do about it',
    ).toContain('connect');
  });
});

describe('summarizeChecks', () => {
  it('reports all-clear only when every check is ok', () => {
    expect(
      summarizeChecks([check('ok'), check('ok')]),
      'a fully healthy report is summarized as passed, in the ok tone',
    ).toEqual({ text: 'All 2 checks passed', tone: 'ok' });
  });

  it('counts failures before warnings and takes the worst tone', () => {
    expect(
      summarizeChecks([check('ok'), check('warn'), check('fail'), check('warn')]),
      'a failure must dominate the tone even when warnings are more numerous',
    ).toEqual({ text: '1 failed, 2 warnings of 4 checks', tone: 'fail' });
    expect(
      summarizeChecks([check('warn'), check('ok')]),
      'warnings alone give the warn tone and a singular noun for one warning',
    ).toEqual({ text: '1 warning of 2 checks', tone: 'warn' });
  });

  it('does not call an empty report healthy', () => {
    expect(
      summarizeChecks([]).tone,
      'no checks at all is suspicious, not a pass',
    ).toBe('warn');
  });
});

describe('errorHint', () => {
  it('explains keychain_unavailable with both ways out', () => {
    const hint = errorHint(new ApiError('keychain_unavailable', 'locked'));
    expect(hint, 'the one error code the UI acts on must produce a hint').not.toBeNull();
    expect(hint, 'the hint must name the file store fallback flag exactly').toContain(
      '--secret-store file:PATH',
    );
    expect(hint, 'the hint must mention unlocking the keyring').toMatch(/unlock/i);
  });

  it('gives no hint for other codes or none', () => {
    expect(errorHint(new ApiError('db_locked', 'x')), 'other codes show their message only').toBeNull();
    expect(errorHint(new ApiError(null, 'x')), 'errors without a code get no hint').toBeNull();
  });
});

describe('distinctErrors', () => {
  it('drops repeats of the same code and message, keeping first-seen order', () => {
    const errors = [
      new ApiError('keychain_unavailable', 'locked'),
      new ApiError(null, 'network down'),
      new ApiError('keychain_unavailable', 'locked'),
      new ApiError(null, 'locked'),
    ];
    expect(
      distinctErrors(errors).map((e) => `${e.code}:${e.message}`),
      'status and doctor often fail for the same reason; the banner should say it once',
    ).toEqual(['keychain_unavailable:locked', 'null:network down', 'null:locked']);
  });
});

describe('asSentence', () => {
  it('capitalises the first letter and keeps the rest', () => {
    expect(
      asSentence('could not reach Shopify at http://x: check the shop URL'),
      'backend messages may start in lower case; shown after "Not connected." they must read as a sentence',
    ).toBe('Could not reach Shopify at http://x: check the shop URL');
    expect(asSentence('BigCommerce rejected the access token (401).'), 'capitalised text is unchanged').toBe(
      'BigCommerce rejected the access token (401).',
    );
    expect(asSentence('   '), 'blank stays blank rather than throwing').toBe('');
  });
});
