/**
 * `/app`: the home page of the web pages (issue 17). It lists the pages this person's role lets them open
 * (each page's own `allow`, from core/access/policy.ts), so nobody is shown a link to a page that would
 * refuse them.
 */
import { canOpenWebHome } from '../../../core/access/policy.ts';
import { render, type WebRoutes } from '../../kit.ts';

export function registerHome(pages: WebRoutes): void {
  pages.page('/app', { title: 'Home', allow: canOpenWebHome }, async (_req, res, ctx) => {
    render(res, ctx, 'home/home.njk', { greeting: `Hello, ${ctx.actor.displayName}`, pages: ctx.nav });
  });
}
