/**
 * The DSL board's pages (pure): govukPagination's parameters whose links keep the filters (status,
 * category, owner) and add `page`, and the "Showing 1 to 100 of 612 concerns" line.
 */
import type { BoardFilter } from '../../../core/escalations/concern-board.ts';
import type { Pagination } from '../admin/imports-view.ts';

/** The filters as a query string ('' when none), in a fixed order, as the GET form sends them. */
export function filterQuery(filter: BoardFilter): string {
  return new URLSearchParams(
    Object.entries({
      status: filter.status === 'open' ? '' : filter.status.toLowerCase(),
      category: filter.category ?? '',
      owner: filter.owner ?? '',
    }).filter(([, v]) => v !== ''),
  ).toString();
}

/** The board's address for a page, with the filters (page 1 has no `page`). */
export function boardHref(query: string, page: number): string {
  const q = [query, page > 1 ? `page=${page}` : ''].filter(Boolean).join('&');
  return q ? `/app/board?${q}` : '/app/board';
}

/** govukPagination's parameters (numbered pages, at most 9 around the current one); null for one page. */
export function boardPagination(
  page: number,
  total: number,
  perPage: number,
  query: string,
): Pagination | null {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const from = Math.max(1, Math.min(page - 4, pages - 8));
  const items = [];
  for (let n = from; n <= Math.min(pages, from + 8); n++)
    items.push({ number: n, href: boardHref(query, n), current: n === page });
  return {
    ...(page > 1 && page <= pages ? { previous: { href: boardHref(query, page - 1) } } : {}),
    ...(page < pages ? { next: { href: boardHref(query, page + 1) } } : {}),
    items,
  };
}

/**
 * "Showing 1 to 100 of 612 concerns", "Showing 1 concern", "Showing 3 concerns".
 * @example showing(101, 200, 612) // 'Showing 101 to 200 of 612 concerns'
 */
export function showing(from: number, to: number, total: number): string {
  const noun = total === 1 ? 'concern' : 'concerns';
  if (from <= 1 && to >= total) return `Showing ${total} ${noun}`;
  return `Showing ${from} to ${to} of ${total} ${noun}`;
}
