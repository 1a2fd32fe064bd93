/**
 * England and Wales bank holidays (https://www.gov.uk/bank-holidays.json; docs/deadlines.md "Bank holidays"). The package ships the gov.uk feed for
 * 2018-2028 (england-and-wales.json, same format as https://www.gov.uk/bank-holidays.json);
 * `send-hub holidays refresh --file <path>` loads a newer gov.uk file into the BankHoliday table, and
 * the HolidaySet the hub uses prefers the table's years over the bundled ones.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { type IsoDate, isIsoDate } from '../../core/calendar/iso-date.ts';
import type { HolidaySet } from '../../core/calendar/working-days.ts';
import { ValidationError } from '../../core/errors.ts';

export const DIVISION = 'england-and-wales';

const eventSchema = z.object({
  title: z.string().min(1),
  date: z.string().refine(isIsoDate, { message: 'expected a date YYYY-MM-DD' }),
  notes: z.string().default(''),
  bunting: z.boolean().default(false),
});
const divisionSchema = z.object({ division: z.string().min(1), events: z.array(z.unknown()) });

export interface BankHolidayEvent {
  division: string;
  date: IsoDate;
  title: string;
}

export interface ParsedFeed {
  events: BankHolidayEvent[];
  /** Bad rows, each naming the file, the division, the event index and the field; good rows are kept. */
  problems: string[];
}

/** Parse a gov.uk bank-holidays.json document. Throws only when the document as a whole is unusable. */
export function parseGovUkFeed(text: string, file: string): ParsedFeed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new ValidationError(`${file}: expected an object of divisions like {"england-and-wales": …}`);
  const events: BankHolidayEvent[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const div = divisionSchema.safeParse(value);
    if (!div.success) {
      problems.push(`${file}: division "${key}": expected {division, events: [...]}`);
      continue;
    }
    div.data.events.forEach((raw, i) => {
      const e = eventSchema.safeParse(raw);
      if (!e.success) {
        const issue = e.error.issues[0];
        problems.push(
          `${file}: ${key} event ${i + 1}: field "${String(issue?.path[0] ?? '?')}" ${issue?.message ?? 'invalid'}`,
        );
        return;
      }
      events.push({ division: div.data.division, date: e.data.date, title: e.data.title });
    });
  }
  if (events.length === 0) throw new ValidationError(`${file}: no valid bank holiday events`);
  return { events, problems };
}

const bundledPath = new URL('./england-and-wales.json', import.meta.url);

/** The bundled England and Wales list (2018-2028). */
export function bundledEvents(): BankHolidayEvent[] {
  return parseGovUkFeed(fs.readFileSync(bundledPath, 'utf8'), 'england-and-wales.json').events.filter(
    (e) => e.division === DIVISION,
  );
}

/**
 * The HolidaySet the hub uses. For each year the stored table has, its dates win (a refreshed feed can
 * add a one-off holiday such as a coronation); other years come from the bundled file.
 */
export class BankHolidayCalendar implements HolidaySet {
  private dates = new Set<IsoDate>();
  private readonly bundled: BankHolidayEvent[];

  constructor(bundled: BankHolidayEvent[] = bundledEvents()) {
    this.bundled = bundled;
    this.load([]);
  }

  /**
   * Bumped by a load that changes the dates, so memoised date arithmetic over this calendar is recomputed.
   * A load of the same dates (the deadline planner reloads them each day) keeps it: the memos stay valid.
   */
  version = 0;

  load(stored: { date: IsoDate }[]): void {
    const storedYears = new Set(stored.map((s) => s.date.slice(0, 4)));
    const dates = new Set([
      ...this.bundled.filter((b) => !storedYears.has(b.date.slice(0, 4))).map((b) => b.date),
      ...stored.map((s) => s.date),
    ]);
    if (this.version > 0 && dates.size === this.dates.size && [...dates].every((d) => this.dates.has(d)))
      return;
    this.version++;
    this.dates = dates;
  }

  has(date: IsoDate): boolean {
    return this.dates.has(date);
  }

  /** First and last year known (for `doctor` / health: warn when the list is about to run out). */
  span(): { from: string; to: string } {
    const all = [...this.dates].sort();
    return { from: all[0]?.slice(0, 4) ?? '', to: all.at(-1)?.slice(0, 4) ?? '' };
  }
}
