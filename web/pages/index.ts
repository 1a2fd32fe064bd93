/**
 * Every page area of the web pages (issue 17). Each area adds ONE line here: its import and its call.
 */
import type { WebRoutes } from '../kit.ts';
import { registerAdmin } from './admin/routes.ts';
import { registerBoard } from './board/routes.ts';
import { registerCaseload } from './caseload/routes.ts';
import { registerHome } from './home/routes.ts';
import { registerTimeliness } from './timeliness/routes.ts';

export function registerPages(pages: WebRoutes): void {
  registerHome(pages);
  registerBoard(pages);
  registerCaseload(pages);
  registerTimeliness(pages);
  registerAdmin(pages);
}
