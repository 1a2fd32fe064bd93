/** The BankHoliday table: refreshed from a gov.uk-format file; read by the holiday calendar. */
import type { Db } from './db.ts';

export class BankHolidayRepository {
  constructor(private readonly db: Db) {}

  async forDivision(division: string): Promise<{ date: string; title: string }[]> {
    return this.db.bankHoliday.findMany({
      where: { division },
      select: { date: true, title: true },
      orderBy: { date: 'asc' },
    });
  }

  /**
   * Replace the stored years of each division present in `events` (a refreshed feed is authoritative for
   * the years it covers). Returns how many rows were written.
   */
  async replaceYears(input: { division: string; date: string; title: string }[]): Promise<number> {
    const events = [...new Map(input.map((e) => [`${e.division}|${e.date}`, e])).values()];
    const byDivision = new Map<string, Set<string>>();
    for (const e of events) {
      const years = byDivision.get(e.division) ?? new Set<string>();
      years.add(e.date.slice(0, 4));
      byDivision.set(e.division, years);
    }
    await this.db.$transaction(async (tx) => {
      for (const [division, years] of byDivision) {
        for (const y of years)
          await tx.bankHoliday.deleteMany({
            where: { division, date: { gte: `${y}-01-01`, lte: `${y}-12-31` } },
          });
      }
      await tx.bankHoliday.createMany({
        data: events.map((e) => ({ division: e.division, date: e.date, title: e.title })),
      });
    });
    return events.length;
  }
}
