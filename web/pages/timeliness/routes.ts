/**
 * `/app/timeliness` (issue 17): EHC plans issued within 20 weeks by month, calendar year and officer, with
 * and without the regulation's exceptions, as the SEN2 return counts them (core/deadlines/timeliness.ts);
 * a chart with its table; the assessments that will breach unless something happens this week; the CSV
 * export (`?format=csv`, every cell through core/export/csv-safe.ts). For a SEN team manager or an admin of
 * a local authority (core/access/policy.ts `canViewTimeliness`); anyone else gets the 403 page, audited.
 * Every view and export is audited (period and counts only).
 */
import type { DeadlineService } from '../../../app/deadlines/service.ts';
import { canViewTimeliness, hasTimelinessRole } from '../../../core/access/policy.ts';
import { toSafeCsv } from '../../../core/export/csv-safe.ts';
import { forbiddenVars, render, type WebRoutes } from '../../kit.ts';
import { TIMELINESS_CSV_HEADER, timelinessCsvRows, timelinessView } from './view.ts';

export function registerTimeliness(pages: WebRoutes): void {
  pages.page(
    '/app/timeliness',
    {
      title: 'EHC plan timeliness',
      nav: {
        label: 'Timeliness',
        order: 40,
        description: 'EHC plans issued within 20 weeks, as the SEN2 return counts them',
      },
      laOnly: true,
      // No link (and the 403 page) unless the page can open: an LA's SEN team manager or admin.
      allow: (actor, org) => (org ? canViewTimeliness(actor, org) : hasTimelinessRole(actor)),
    },
    async (req, res, ctx) => {
      const { hub, actor } = ctx;
      const org = await hub.orgs.byId(actor.orgId);
      const audit = (action: string, details: Record<string, unknown>) =>
        hub.audit.record({
          orgId: actor.orgId,
          actorId: actor.staffId,
          actorKind: 'staff',
          action,
          subjectType: 'web_page',
          subjectId: '/app/timeliness',
          channel: 'WEB',
          details,
        });
      if (!org || !canViewTimeliness(actor, org)) {
        // An admin of a school: the figures are a local authority's (SEN2 is the LA's return).
        await audit('web.forbidden', { method: req.method, reason: 'not a local authority' });
        ctx.title = 'You cannot open this page';
        render(res, ctx, 'errors/403.njk', forbiddenVars(ctx, { laOnly: true }), 403);
        return;
      }
      const svc = hub.services.get('deadlines') as DeadlineService | undefined;
      if (!svc) throw new Error('the deadlines module is not loaded: the timeliness page needs it');
      const view = await timelinessView(ctx, svc, req.query as Record<string, unknown>);
      const csv = req.query.format === 'csv';
      await audit(csv ? 'web.timeliness.exported' : 'web.timeliness.viewed', {
        from: view.from,
        to: view.to,
        plans: view.counts.total.plans,
        breachThisWeek: view.breach.length,
      });
      if (csv && view.errors.length === 0) {
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .attachment(`ehc-plan-timeliness-${view.from}-to-${view.to}.csv`)
          .send(toSafeCsv(TIMELINESS_CSV_HEADER, timelinessCsvRows(view)));
        return;
      }
      render(res, ctx, 'timeliness/timeliness.njk', view, view.errors.length ? 400 : 200);
    },
  );
}
