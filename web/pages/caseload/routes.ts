/**
 * `/app/caseload` (issue 17): the caseload timeline. An officer sees their own open cases, a manager their
 * team's, a SENDCo or admin the organisation's (core/access/policy.ts `caseloadScope`, `canViewCase`);
 * each case as a bar with its key dates and each deadline's state, in a server-drawn SVG chart with the
 * same rows in a table beside it; sorted and filtered by a GET form (no script). Every view is audited
 * (counts and filters only: no names).
 */
import type { DeadlineService } from '../../../app/deadlines/service.ts';
import { canOpenCaseload } from '../../../core/access/policy.ts';
import { toSafeCsv } from '../../../core/export/csv-safe.ts';
import { render, type WebRoutes } from '../../kit.ts';
import { caseloadView } from './view.ts';

export function registerCaseload(pages: WebRoutes): void {
  pages.page(
    '/app/caseload',
    {
      title: 'Caseload timeline',
      nav: {
        label: 'Caseload',
        order: 30,
        description: 'Your cases (and your team’s) as timelines with their deadlines',
      },
      allow: canOpenCaseload,
    },
    async (req, res, ctx) => {
      const svc = ctx.hub.services.get('deadlines') as DeadlineService | undefined;
      if (!svc) throw new Error('the deadlines module is not loaded: the caseload page needs it');
      const csv = req.query.format === 'csv';
      const view = await caseloadView(ctx, svc, req.query as Record<string, unknown>, { all: csv });
      await ctx.hub.audit.record({
        orgId: ctx.actor.orgId,
        actorId: ctx.actor.staffId,
        actorKind: 'staff',
        action: csv ? 'web.caseload.exported' : 'web.caseload.viewed',
        subjectType: 'web_page',
        subjectId: '/app/caseload',
        channel: 'WEB',
        details: {
          cases: view.rows.length,
          total: view.total,
          page: view.query.page,
          sort: view.query.sort,
          filters: {
            officer: view.query.officer ?? null,
            kind: view.query.kind ?? null,
            state: view.query.state ?? null,
          },
        },
      });
      if (csv && view.errors.length === 0) {
        const header = [
          'Case',
          'Kind',
          'Child',
          'Officer',
          'Started',
          'Week',
          'State',
          'Next deadline',
          'At risk because',
        ];
        const body = view.rows.map((r) => [
          r.ref,
          r.kind,
          r.child,
          r.officer,
          r.startedOn,
          r.week,
          r.stateLabel,
          r.next,
          r.risk,
        ]);
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .attachment(`caseload-${view.today}.csv`)
          .send(toSafeCsv(header, body));
        return;
      }
      render(res, ctx, 'caseload/caseload.njk', view, view.errors.length ? 400 : 200);
    },
  );
}
