/**
 * The admin pages (issue 17): `/app/admin/imports` (runs and one run's report: file, line, field, reason;
 * never a cell's value), `/app/admin/rota` (see and change the safeguarding rota through the same service as
 * the chat's `rota add|remove`: app/safeguarding/rota-service.ts) and `/app/admin/health` (the /healthz
 * details from the HealthCache, with "needs attention" tags). Admins and heads only (canAdminister).
 */
import type { Request, Response } from 'express';
import { safeguardingOf } from '../../../app/safeguarding/module.ts';
import { RotaAdmin, type RotaChange } from '../../../app/safeguarding/rota-service.ts';
import { healthCacheFor } from '../../../app/server.ts';
import { canAdminister } from '../../../core/access/policy.ts';
import type { Actor } from '../../../core/ports.ts';
import { ImportRunList } from '../../../store/import-run-list.ts';
import { flash, render, type WebContext, type WebRoutes } from '../../kit.ts';
import { healthView } from './health-view.ts';
import {
  IMPORTS_PER_PAGE,
  kindLabel,
  pageNumber,
  pagination,
  REJECTIONS_SHOWN,
  runReport,
  runRow,
} from './imports-view.ts';
import { rotaView } from './rota-view.ts';

const admin = (a: Actor) => canAdminister(a, a.orgId);
const zoneOf = (ctx: WebContext) => ctx.hub.config.env.TIME_ZONE;

/** The rota page, with the add form's values and problems when a change was refused. */
async function renderRota(
  res: Response,
  ctx: WebContext,
  refused?: { problems: { field: string; message: string }[]; values: Record<string, string> },
): Promise<void> {
  const { service } = safeguardingOf(ctx.hub);
  const entries = await service.rota.list(ctx.actor.orgId);
  const ladder = await service.ladderFor(ctx.actor.orgId, ctx.now);
  const names = new Map<string, string>();
  for (const id of new Set([...entries.map((e) => e.staffId), ...ladder.flat().map((m) => m.staffId)]))
    names.set(id, (await ctx.hub.staff.byId(id))?.displayName ?? 'Someone no longer on the staff list');
  const view = rotaView(entries, ladder, (id) => names.get(id) ?? id);
  // Each problem links to the field it is about (govukErrorSummary); entry problems to the entries' table.
  const anchor: Record<string, string> = {
    email: '#rota-email',
    level: '#rota-level',
    rank: '#rota-rank',
    window: '#rota-window',
    from: '#rota-from',
    to: '#rota-to',
    staff: '#rota-email',
    entry: '#rota-entries',
  };
  const errors = (refused?.problems ?? []).map((p) => ({
    text: p.message,
    href: anchor[p.field] ?? '#rota-entries',
  }));
  const fieldError = (f: string) => refused?.problems.find((p) => p.field === f)?.message;
  if (errors.length) ctx.title = 'Safeguarding rota';
  render(
    res,
    ctx,
    'admin/rota.njk',
    {
      view,
      errors,
      errorTitle: errors.length > 0,
      values: refused?.values ?? {},
      fieldErrors: {
        email: fieldError('email') ?? fieldError('staff'),
        level: fieldError('level'),
        rank: fieldError('rank'),
        window: fieldError('window'),
        from: fieldError('from'),
        to: fieldError('to'),
      },
    },
    errors.length ? 400 : 200,
  );
}

/** After a rota change: back to the page with a flash (a staff name, never a child's), or the page again with the problems. */
async function answer(req: Request, res: Response, ctx: WebContext, r: RotaChange): Promise<void> {
  if (r.ok) {
    await flash(res, ctx, `Rota changed. ${r.text}`);
    res.redirect(303, '/app/admin/rota');
    return;
  }
  const body = (req.body ?? {}) as Record<string, string>;
  const values = Object.fromEntries(
    ['level', 'email', 'rank', 'window', 'from', 'to'].map((k) => [
      k,
      typeof body[k] === 'string' ? body[k] : '',
    ]),
  );
  await renderRota(res, ctx, { problems: r.problems, values });
}

export function registerAdmin(pages: WebRoutes): void {
  pages.page(
    '/app/admin/imports',
    {
      title: 'Imports',
      nav: {
        label: 'Imports',
        order: 60,
        description: 'Each import of an MIS or CPOMS export: its report and rejected rows.',
      },
      allow: admin,
    },
    async (req, res, ctx) => {
      const page = pageNumber(req.query.page);
      const list = new ImportRunList(ctx.hub.dbh.db);
      const { runs, total } = await list.page(ctx.actor.orgId, page, IMPORTS_PER_PAGE);
      render(res, ctx, 'admin/imports.njk', {
        rows: runs.map((r) => runRow(r, zoneOf(ctx))),
        total,
        page,
        pagination: pagination(page, total, IMPORTS_PER_PAGE, '/app/admin/imports'),
      });
    },
  );

  pages.page('/app/admin/imports/:id', { title: 'Import report', allow: admin }, async (req, res, ctx) => {
    const list = new ImportRunList(ctx.hub.dbh.db);
    const id = String(req.params.id ?? '');
    const run = /^[\w-]{1,64}$/.test(id) ? await list.inOrg(ctx.actor.orgId, id) : null;
    if (!run) {
      ctx.title = 'Page not found';
      render(res, ctx, 'admin/not-found.njk', {}, 404);
      return;
    }
    const report = runReport(run, await list.rejections(run.id, REJECTIONS_SHOWN), zoneOf(ctx));
    await ctx.hub.audit.record({
      orgId: ctx.actor.orgId,
      actorId: ctx.actor.staffId,
      actorKind: 'staff',
      action: 'import.report_viewed',
      subjectType: 'import',
      subjectId: run.id,
      channel: 'WEB',
      details: { rejected: run.rejected },
    });
    ctx.title = `${kindLabel(run.kind)}: ${run.fileName}`;
    render(res, ctx, 'admin/import-run.njk', { report, runId: run.id });
  });

  pages.page(
    '/app/admin/rota',
    {
      title: 'Safeguarding rota',
      nav: {
        label: 'Rota',
        order: 61,
        description: 'Who a safeguarding concern goes to, in order: see and change it.',
      },
      allow: admin,
    },
    async (_req, res, ctx) => renderRota(res, ctx),
  );

  const rota = (ctx: WebContext) => new RotaAdmin(ctx.hub, safeguardingOf(ctx.hub).service);
  const field = (req: Request, k: string) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[k];
    return typeof v === 'string' ? v.trim() : '';
  };
  pages.action('/app/admin/rota/add', { allow: admin }, async (req, res, ctx) => {
    const input = {
      level: field(req, 'level'),
      email: field(req, 'email'),
      rank: field(req, 'rank'),
      window: field(req, 'window'),
      from: field(req, 'from'),
      to: field(req, 'to'),
    };
    await answer(req, res, ctx, await rota(ctx).add(ctx.actor, input, 'WEB'));
  });
  pages.action('/app/admin/rota/remove', { allow: admin }, async (req, res, ctx) => {
    await answer(req, res, ctx, await rota(ctx).removeEntry(ctx.actor, field(req, 'key'), 'WEB'));
  });
  pages.action('/app/admin/rota/move', { allow: admin }, async (req, res, ctx) => {
    const by = field(req, 'by') === 'up' ? -1 : 1;
    await answer(req, res, ctx, await rota(ctx).move(ctx.actor, field(req, 'key'), by, 'WEB'));
  });

  pages.page(
    '/app/admin/health',
    {
      title: 'Health',
      nav: {
        label: 'Health',
        order: 62,
        description: 'Channels, imports and syncs, and the message queue: what needs attention.',
      },
      allow: admin,
    },
    async (_req, res, ctx) => {
      // The /healthz figures (computed in the background at most every 2 s), plus two indexed reads of this
      // organisation's import runs.
      const report = await healthCacheFor(ctx.hub).get();
      const list = new ImportRunList(ctx.hub.dbh.db);
      const [lastCompleted, lastFailure] = await Promise.all([
        list.lastCompletedByKind(ctx.actor.orgId),
        list.lastFailure(ctx.actor.orgId),
      ]);
      const view = healthView({
        report,
        imports: { lastCompleted, lastFailure },
        kindLabel,
        now: ctx.now,
        zone: zoneOf(ctx),
      });
      render(res, ctx, 'admin/health.njk', { view });
    },
  );
}
