/**
 * What the imports pages show (pure): runs as rows, one run's report and its rejected rows. The report tables
 * hold no cell values by design (file, line, field, reason: app/imports/run-import.ts); these functions add a
 * second guard so no value can reach the page even if a reason ever quoted one, and show "ignored columns" as a
 * count (a file without a header row would make its first data row look like column names).
 */

import { UNLISTED_PREFIX } from '../../../app/imports/unlisted-categories.ts';
import type { ImportRunDto, RejectionDto } from '../../../store/import-repository.ts';

export const IMPORTS_PER_PAGE = 25;
/** Rejected rows shown on a run's page (the CLI report has them all: `send-hub import report <id>`). */
export const REJECTIONS_SHOWN = 500;

export type TagColour = 'green' | 'yellow' | 'red' | 'blue' | 'grey';
export interface Tag {
  text: string;
  colour: TagColour;
}

const kindLabels: Record<string, string> = {
  cpoms: 'CPOMS incidents',
  'arbor-students': 'Arbor students',
  'arbor-staff': 'Arbor staff',
  'arbor-behaviour': 'Arbor behaviour',
  'arbor-attendance': 'Arbor attendance',
};
export const kindLabel = (kind: string): string => kindLabels[kind] ?? kind;

const viaLabels: Record<string, string> = {
  cli: 'an admin (send-hub import)',
  'drop-folder': 'the drop folder',
  pull: 'a scheduled pull',
  schedule: 'a scheduled pull',
  test: 'a test',
};
/** Who started a run: the report records the route it came by (the CLI, the drop folder, a pull). */
export const viaLabel = (via: string): string => viaLabels[via] ?? via;

export function formatWhen(at: Date | null, zone: string): string {
  if (!at) return '';
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
  }).format(at);
}

export function runTag(run: Pick<ImportRunDto, 'status' | 'rejected'>): Tag {
  if (run.status === 'COMPLETED')
    return run.rejected > 0
      ? { text: 'Completed with rejected rows', colour: 'yellow' }
      : { text: 'Completed', colour: 'green' };
  if (run.status === 'RUNNING') return { text: 'Running', colour: 'blue' };
  if (run.status === 'REFUSED') return { text: 'Refused', colour: 'red' };
  return { text: 'Failed', colour: 'red' };
}

/** Quoted text in a message could be a cell's value: replace it. */
export function withoutQuotedValues(text: string): string {
  return text.replace(/"[^"]*"|“[^”]*”|'[^']*'/g, '[value not shown]');
}

/**
 * The run's message as the page shows it, a note a line: the ignored columns and the categories treated as
 * behaviour are counted, not named (`send-hub import report` names them).
 */
export function runMessage(message: string | null): string | null {
  if (!message) return null;
  return message
    .split('\n')
    .map((line) => {
      const ignored = /^ignored columns: (.*)$/s.exec(line);
      if (ignored) {
        const n = (ignored[1] ?? '').split(', ').filter(Boolean).length;
        return `${n} column${n === 1 ? '' : 's'} in the file ${n === 1 ? 'was' : 'were'} not used (send-hub import report lists their headers)`;
      }
      if (line.startsWith(UNLISTED_PREFIX)) {
        const asks = (line.match(/\? \(\d+ rows?\)/g) ?? []).length;
        return `Some categories were treated as behaviour, not safeguarding${asks ? `, ${asks} of them sounding like safeguarding` : ''} (send-hub import report names them)`;
      }
      return withoutQuotedValues(line);
    })
    .join('. ');
}

export interface RunRow {
  id: string;
  href: string;
  kind: string;
  fileName: string;
  when: string;
  who: string;
  rowsRead: number;
  imported: number;
  rejected: number;
  tag: Tag;
}

export function runRow(run: ImportRunDto, zone: string): RunRow {
  return {
    id: run.id,
    href: `/app/admin/imports/${encodeURIComponent(run.id)}`,
    kind: kindLabel(run.kind),
    fileName: run.fileName,
    when: formatWhen(run.startedAt, zone),
    who: viaLabel(run.via),
    rowsRead: run.rowsRead,
    imported: run.created + run.updated + run.unchanged,
    rejected: run.rejected,
    tag: runTag(run),
  };
}

export interface Pagination {
  previous?: { href: string };
  next?: { href: string };
  items: { number: number; href: string; current: boolean }[];
}

/** govukPagination's parameters (numbered pages, at most 9 around the current one). */
export function pagination(page: number, total: number, perPage: number, base: string): Pagination | null {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const href = (n: number) => (n === 1 ? base : `${base}?page=${n}`);
  const from = Math.max(1, Math.min(page - 4, pages - 8));
  const items = [];
  for (let n = from; n <= Math.min(pages, from + 8); n++)
    items.push({ number: n, href: href(n), current: n === page });
  return {
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
    items,
  };
}

/** `?page=` as a page number from 1 (anything else is page 1). */
export function pageNumber(q: unknown): number {
  const n = typeof q === 'string' && /^\d{1,6}$/.test(q) ? Number(q) : 1;
  return n >= 1 ? n : 1;
}

export interface RunReport {
  row: RunRow;
  /** govukSummaryList rows after the state: kind, file, when, who, the counts, the note. */
  summary: { key: { text: string }; value: { text: string } }[];
  rejections: { file: string; line: number; field: string; reason: string }[];
  moreRejections: number;
}

export function runReport(run: ImportRunDto, rejections: RejectionDto[], zone: string): RunReport {
  const row = runRow(run, zone);
  const message = runMessage(run.message);
  const pairs: [string, string | number][] = [
    ['Kind', row.kind],
    ['File', row.fileName],
    ['Started', row.when],
    ['Finished', formatWhen(run.finishedAt, zone) || 'Not finished'],
    ['Started by', row.who],
    ['Rows read', run.rowsRead],
    ['Created', run.created],
    ['Updated', run.updated],
    ['Unchanged', run.unchanged],
    ['Rejected', run.rejected],
    ...(message ? [['Note', message] as [string, string]] : []),
  ];
  return {
    row,
    summary: pairs.map(([k, v]) => ({ key: { text: k }, value: { text: String(v) } })),
    rejections: rejections.map((r) => ({
      file: r.file,
      line: r.line,
      field: withoutQuotedValues(r.field),
      reason: withoutQuotedValues(r.reason),
    })),
    moreRejections: Math.max(0, run.rejected - rejections.length),
  };
}
