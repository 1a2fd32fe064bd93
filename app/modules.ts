/**
 * The feature modules the hub runs, in order. Each lives in its own folder and plugs in through
 * app/module.ts; adding a feature is adding a line here.
 */

import { slackModule } from '../bots/slack/slack-module.ts';
import { teamsModule } from '../bots/teams/module.ts';
import { webAuthModule } from '../web/auth/module.ts';
import { webModule } from '../web/web-module.ts';
import { contactsModule } from './contacts/contacts-module.ts';
import { dataProtectionModule } from './data-protection/data-protection-module.ts';
import { deadlinesModule } from './deadlines/module.ts';
import { tourModule } from './demo/tour.ts';
import { importsModule } from './imports/imports-module.ts';
import { meetingsModule } from './meetings/meetings-module.ts';
import { metricsModule } from './metrics/metrics-module.ts';
import type { FeatureModule } from './module.ts';
import { safeguardingModule } from './safeguarding/module.ts';

export function defaultModules(): FeatureModule[] {
  return [
    deadlinesModule(),
    importsModule(),
    dataProtectionModule(),
    // E-mail and SMS behind the chat (issue 16): before safeguarding, which sends through them.
    contactsModule(),
    meetingsModule(),
    safeguardingModule(),
    teamsModule(),
    slackModule(),
    metricsModule(),
    // The web pages (issue 17): sign-in, the page kit and every page area (web/pages).
    webModule(),
    // Its sign-in methods' settings, checked when the hub is built (web/auth mounts with the pages).
    webAuthModule(),
    // Last: the demo school's guided tour (development only) uses the other modules' services.
    tourModule(),
  ];
}
