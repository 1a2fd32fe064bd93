/**
 * The DSL board (issue 17): `/app/board` (the organisation's open concerns, unacknowledged first and red
 * with their age; filters by status, category and owner as a GET form; 100 a page, `?page=N`, the filters
 * kept in the page links, and the total shown), `/app/board/concerns/:ref` (the
 * chronology, printable; `?format=pdf` for a child-protection conference), and the Acknowledge and Take
 * ownership buttons (POST, through the chat's own ConcernService.acknowledge: the ladder stops, the others
 * are told in chat, it is audited). Access: core/access/policy.ts (canViewConcernBoard, then
 * canViewConcern for each concern). Flash messages carry references, never a child's name.
 */
import type { Request, Response } from 'express';
import type { Hub } from '../../../app/container.ts';
import { ConcernBoard } from '../../../app/safeguarding/concern-board.ts';
import { safeguardingOf } from '../../../app/safeguarding/module.ts';
import { canViewConcernBoard } from '../../../core/access/policy.ts';
import { NotFoundError } from '../../../core/errors.ts';
import { parseBoardFilter, statusLabels } from '../../../core/escalations/concern-board.ts';
import { concernRef } from '../../../core/escalations/concern-messages.ts';
import { flash, render, type WebContext, type WebRoutes } from '../../kit.ts';
import { pageNumber } from '../admin/imports-view.ts';
import { boardHref, boardPagination, filterQuery, showing } from './board-paging.ts';

const boards = new WeakMap<Hub, ConcernBoard>();
function boardOf(hub: Hub): ConcernBoard {
  let b = boards.get(hub);
  if (!b) {
    b = new ConcernBoard(hub, safeguardingOf(hub).service);
    boards.set(hub, b);
  }
  return b;
}

/** A reference as typed in a URL: C-1A2B3C (six letters or digits), nothing else. */
const REF = /^C-[A-Z0-9]{6}$/i;

function notFound(res: Response, ctx: WebContext): void {
  ctx.title = 'Concern not found';
  render(res, ctx, 'errors/404.njk', {}, 404);
}

/** Where to go back to after a button: the board (with its filters) or the chronology; never elsewhere. */
function backTo(req: Request, ref: string): string {
  const back = typeof req.body?.back === 'string' ? req.body.back : '';
  if (back === 'chronology') return `/app/board/concerns/${encodeURIComponent(ref)}`;
  return /^\/app\/board(\?[\w=&%+.-]*)?$/.test(back) ? back : '/app/board';
}

export function registerBoard(pages: WebRoutes): void {
  pages.page(
    '/app/board',
    {
      title: 'Safeguarding board',
      nav: {
        label: 'DSL board',
        order: 10,
        description:
          'Open safeguarding concerns, unacknowledged first; acknowledge, take ownership, chronology.',
      },
      allow: canViewConcernBoard,
    },
    async (req, res, ctx) => {
      const filter = parseBoardFilter(req.query as Record<string, unknown>);
      const page = pageNumber(req.query.page);
      const view = await boardOf(ctx.hub).board(ctx.actor, filter, page);
      const query = filterQuery(filter);
      render(res, ctx, 'board/board.njk', {
        ...view,
        filter,
        filtered: filter.status !== 'open' || !!filter.category || !!filter.owner,
        // After a button: back to this page of the board, with its filters.
        back: boardHref(query, page),
        firstPage: boardHref(query, 1),
        showing: showing(view.from, view.to, view.total),
        pagination: boardPagination(page, view.total, view.perPage, query),
        statuses: [
          { value: '', text: 'Open (not closed)' },
          ...Object.entries(statusLabels).map(([value, text]) => ({ value: value.toLowerCase(), text })),
        ].map((o) => ({
          ...o,
          selected: o.value === (filter.status === 'open' ? '' : filter.status.toLowerCase()),
        })),
        categoryItems: [
          { value: '', text: 'Any category' },
          ...view.categories.map((c) => ({ value: c, text: c })),
        ].map((o) => ({ ...o, selected: o.value === (filter.category ?? '') })),
        ownerItems: [
          { value: '', text: 'Anyone or nobody' },
          { value: 'none', text: 'Nobody yet' },
          ...view.owners.map((o) => ({ value: o.id, text: o.name })),
        ].map((o) => ({ ...o, selected: o.value === (filter.owner ?? '') })),
        fmt: (d: Date) => boardOf(ctx.hub).fmt(d),
        actorId: ctx.actor.staffId,
      });
    },
  );

  pages.page(
    '/app/board/concerns/:ref',
    { title: 'Concern chronology', allow: canViewConcernBoard },
    async (req, res, ctx) => {
      const ref = String(req.params.ref ?? '');
      const board = boardOf(ctx.hub);
      let id: string;
      try {
        if (!REF.test(ref)) throw new NotFoundError('Concern', 'given');
        id = await board.find(ctx.actor, ref);
      } catch (err) {
        if (err instanceof NotFoundError) return notFound(res, ctx);
        throw err;
      }
      if (req.query.format === 'pdf') {
        const pdf = await board.pdf(ctx.actor, id);
        res
          .status(200)
          .type('application/pdf')
          .set('Content-Disposition', `attachment; filename="${concernRef(id)}-chronology.pdf"`)
          .send(pdf);
        return;
      }
      const view = await board.chronology(ctx.actor, id);
      ctx.title = `Concern ${view.ref}`;
      render(res, ctx, 'board/chronology.njk', {
        ...view,
        fmt: (iso: string) => board.fmt(new Date(iso)),
        actorId: ctx.actor.staffId,
      });
    },
  );

  for (const [verb, own] of [
    ['acknowledge', false],
    ['own', true],
  ] as const) {
    pages.action(
      `/app/board/concerns/:ref/${verb}`,
      { allow: canViewConcernBoard },
      async (req, res, ctx) => {
        const ref = String(req.params.ref ?? '');
        let id: string;
        try {
          if (!REF.test(ref)) throw new NotFoundError('Concern', 'given');
          id = await boardOf(ctx.hub).find(ctx.actor, ref);
        } catch (err) {
          if (err instanceof NotFoundError) return notFound(res, ctx);
          throw err;
        }
        const service = safeguardingOf(ctx.hub).service;
        const { outcome, result } = await service.acknowledgeWithOutcome(ctx.actor, id, 'WEB', own);
        const r = concernRef(id);
        const text =
          outcome === 'acked'
            ? own
              ? `Concern ${r} acknowledged: you own it. The ladder has stopped and the others have been told.`
              : `Concern ${r} acknowledged. The ladder has stopped and the others have been told.`
            : outcome === 'owned'
              ? `You now own concern ${r}.`
              : outcome === 'closed'
                ? `Concern ${r} is closed: it already has an outcome.`
                : `Concern ${r} was ${result.resolved?.text.replace(/^Already a/, 'already a').replace(/\.$/, '') ?? 'already acknowledged'}: nothing changed.`;
        await flash(res, ctx, text, outcome === 'acked' || outcome === 'owned' ? 'success' : 'important');
        res.redirect(303, backTo(req, r));
      },
    );
  }
}
