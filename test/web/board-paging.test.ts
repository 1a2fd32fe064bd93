/**
 * The DSL board in pages (issue 17), over real HTTP on both providers: 230 concerns (60 unacknowledged,
 * 120 acknowledged or owned, 50 closed; raised times with ties). Every open concern is on exactly one page,
 * pages follow one another in the board's order (unacknowledged first, then the oldest first, ties by id),
 * the page says "Showing 101 to 180 of 180 concerns" and how many wait over all pages, a filter survives
 * the page links, a page past the end says so, and each viewing is audited with its page and counts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { providers } from '../support/db.ts';
import {
  type School,
  type SignedInClient,
  seedWebSchool,
  signIn,
  startWebHub,
  type WebHub,
} from '../support/web.ts';
import { seedConcerns } from './board-seed.ts';

const rowOrder = (html: string) => [...html.matchAll(/data-ref="(C-[A-Z0-9]{6})"/g)].map((m) => m[1]!);
/** The pagination's "Next" link, as the page writes it (HTML-escaped &). */
const nextHref = (html: string) =>
  /<div class="govuk-pagination__next">\s*<a[^>]*href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ??
  null;
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe.each(providers)('DSL board pages on %s', (provider) => {
  let w: WebHub;
  let s: School;
  let dsl: SignedInClient;

  beforeEach(async () => {
    w = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    s = await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  /** The board's order: unacknowledged first, then the others; the oldest first; ties by id. */
  const boardOrder = (rows: { id: string; status: string; raisedAt: Date }[]) =>
    [...rows]
      .sort(
        (a, b) =>
          Number(b.status === 'RAISED') - Number(a.status === 'RAISED') ||
          a.raisedAt.getTime() - b.raisedAt.getTime() ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .map((r) => concernRef(r.id));

  /** Every page from the first, by following "Next" as a person would. */
  async function allPages(first: string): Promise<string[]> {
    const pages: string[] = [];
    let href: string | null = first;
    while (href && pages.length < 10) {
      const res = await dsl.fetch(href);
      expect(res.status).toBe(200);
      const html = await res.text();
      pages.push(html);
      href = nextHref(html);
    }
    return pages;
  }

  it('shows every open concern on exactly one page, in order, with the total; a filter survives paging', async () => {
    const all = await seedConcerns(w, s);
    const open = all.filter((c) => c.status !== 'CLOSED');
    expect(open).toHaveLength(180);
    // Signed in after the seeding: a connection left idle through it could be closed by the server's
    // keep-alive timeout just as it is reused.
    dsl = await signIn(w, 'dsl@quarrydene.example');

    const pages = await allPages('/app/board');
    expect(pages).toHaveLength(2);
    const [one, two] = pages.map(rowOrder);
    expect(one).toHaveLength(100);
    expect(two).toHaveLength(80);
    expect(new Set([...one!, ...two!]).size).toBe(180);
    expect([...one!, ...two!]).toEqual(boardOrder(open));
    expect(text(pages[0]!)).toContain(
      '60 concerns are waiting to be acknowledged. Showing 1 to 100 of 180 concerns.',
    );
    expect(text(pages[1]!)).toContain(
      '60 concerns are waiting to be acknowledged. Showing 101 to 180 of 180 concerns.',
    );
    expect(pages[1]).toContain('href="/app/board"'); // "Previous" and page 1: the board without `page`

    // Filtered: only Neglect, still every one once and in order; the page links keep the filter.
    const neglect = open.filter((c) => c.category === 'Neglect');
    const filtered = await allPages('/app/board?category=Neglect');
    expect(nextHref(filtered[0]!)).toBe('/app/board?category=Neglect&page=2');
    expect(filtered.flatMap(rowOrder)).toEqual(boardOrder(neglect));
    expect(text(filtered[0]!)).toContain(`Showing 1 to 100 of ${neglect.length} concerns (filtered).`);
    // The buttons bring the DSL back to this page, with the filter.
    expect(filtered[1]).toContain('name="back" value="/app/board?category=Neglect&amp;page=2"');

    // A status filter over all pages: the 60 unacknowledged on one page.
    const raised = await allPages('/app/board?status=raised');
    expect(raised.flatMap(rowOrder)).toEqual(boardOrder(all.filter((c) => c.status === 'RAISED')));
    expect(text(raised[0]!)).toContain('Showing 60 concerns (filtered).');

    // Past the end: said, with a way back to the first page (filters kept).
    const past = await (await dsl.fetch('/app/board?category=Neglect&page=9')).text();
    expect(rowOrder(past)).toEqual([]);
    expect(text(past)).toContain('There is no page 9');
    expect(past).toContain('href="/app/board?category=Neglect"');

    const audited = await w.hub.dbh.db.auditEvent.findMany({
      where: { action: 'concern.board_viewed' },
      orderBy: { seq: 'asc' },
    });
    expect(audited.slice(0, 2).map((a) => a.details)).toEqual([
      { status: 'open', filtered: false, page: 1, count: 100, total: 180 },
      { status: 'open', filtered: false, page: 2, count: 80, total: 180 },
    ]);
  });
});
