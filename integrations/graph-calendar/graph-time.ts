/**
 * Graph's dateTimeTimeZone (https://learn.microsoft.com/graph/api/resources/datetimetimezone): a wall-clock
 * "dateTime" ("2026-11-03T10:00:00.0000000") and a "timeZone" that is UTC when we ask for it with
 * `Prefer: outlook.timezone="UTC"`, but may be a Windows zone name ("Pacific Standard Time"), an IANA name,
 * or a custom zone ("tzone://Microsoft/Custom") when the header is not honoured or an event comes from
 * another client. Windows names are mapped to IANA with the CLDR windowsZones table (the windows-iana
 * package: the territory "001" zone, first in its list).
 */
import { findIana } from 'windows-iana';
import { zonedInstant } from '../../core/calendar/zoned-time.ts';

/** A value this module cannot turn into an instant: the field and the rule, never the value. */
export class GraphTimeError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
  }
}

const ianaCache = new Map<string, string | null>();

function isIana(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA zone for a Graph timeZone, or null when it names none we know.
 * @example ianaZone('Pacific Standard Time') // 'America/Los_Angeles'
 */
export function ianaZone(name: string | undefined | null): string | null {
  const key = (name ?? '').trim();
  if (!key) return 'UTC';
  const hit = ianaCache.get(key);
  if (hit !== undefined) return hit;
  let zone: string | null = null;
  // Windows names first: "UTC" and "GMT Standard Time" are both; an IANA name passes through.
  const windows = findIana(key)[0];
  if (windows && isIana(windows)) zone = windows;
  else if (key.length <= 64 && /^[A-Za-z0-9_+\-/]+$/.test(key) && isIana(key)) zone = key;
  if (ianaCache.size > 1000) ianaCache.clear();
  ianaCache.set(key, zone);
  return zone;
}

const WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;

/** The instant of a Graph dateTimeTimeZone; throws GraphTimeError naming `field` and the rule broken. */
export function graphInstant(dt: { dateTime: string; timeZone?: string | undefined }, field: string): Date {
  const m = WALL_CLOCK.exec(dt.dateTime.trim());
  if (!m) throw new GraphTimeError(`${field}.dateTime`, 'expected a date and time like 2026-11-03T10:00:00');
  const [, date = '', hh = '', mm = '', ss = '00'] = m;
  const check = new Date(`${date}T${hh}:${mm}:${ss}Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== date || Number(hh) > 23)
    throw new GraphTimeError(`${field}.dateTime`, 'not a real calendar date and time');
  const zone = ianaZone(dt.timeZone);
  if (!zone)
    throw new GraphTimeError(`${field}.timeZone`, 'not a Windows (CLDR windowsZones) or IANA time-zone name');
  if (zone === 'UTC' || zone === 'Etc/UTC') return check;
  const wall = zonedInstant(date, `${hh}:${mm}`, zone);
  return new Date(wall.getTime() + Number(ss) * 1000);
}
