/**
 * The guided tour of the demo school (issue 19, "the first five minutes"). In development, with the demo
 * school loaded and the console on, the hub says what is about to happen and lets the newcomer take part:
 * a meeting reminder, a statutory deadline nudge, a safeguarding concern climbing the ladder on 1-minute
 * demo timers, and a TAC notes prompt. A planner driven by the hub's clock plays it (tests use a
 * FakeClock); `tour` replays it; `staff` lists the demo staff by role with their emails.
 *
 * Only in development (SEND_HUB_ENV=development, the default of `npm start`): nothing here runs in
 * production (or in the test environment), and the short ladder timers and the quiet hours left out are
 * for the demo organisation only (ConcernCore.setOrgPolicy, hub.notBefore), never for a real one.
 */
import type { ConsoleChannel } from '../../bots/console/console-channel.ts';
import { ROLE_WORDS } from '../../bots/console/render-text.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from '../deadlines/service.ts';
import type { FeatureModule } from '../module.ts';
import type { Safeguarding } from '../safeguarding/module.ts';
import { DEMO_ORG_NAME } from './demo-school.ts';
import {
  dateEhcRequest,
  demoOrg,
  demoPupil,
  demoStaffIds,
  markTourSeen,
  placeTourMeetings,
  tourSeenAt,
} from './tour-data.ts';
import { DEMO_LADDER, NOTES_MEETING_ENDS_AT, TOUR_STEPS, type TourStep } from './tour-script.ts';

interface TourRun {
  orgId: string;
  startedAt: number;
  run: number;
  done: Set<string>;
}

/** SEND_HUB_ENV=development (the default of `npm start`), never production. */
export const inDevelopment = (hub: Hub) =>
  hub.config.env.SEND_HUB_ENV === 'development' && !hub.config.production;

export class Tour {
  private current: TourRun | undefined;
  private runs = 0;
  private quietWrapped = false;

  constructor(private readonly hub: Hub) {}

  /** The console the tour speaks through (none: no tour). */
  private console(): ConsoleChannel | undefined {
    return this.hub.channels.find((c) => c.platform === 'CONSOLE') as ConsoleChannel | undefined;
  }

  /** Development (`npm start`'s default; never production or test), the demo organisation, a console. */
  async available(): Promise<{ id: string; settings: unknown } | null> {
    if (!inDevelopment(this.hub) || !this.console()) return null;
    return demoOrg(this.hub.dbh.db);
  }

  /**
   * Short demo ladder timers and no quiet hours, for the demo organisation only (never in production,
   * never another organisation).
   */
  async armTimers(): Promise<string | null> {
    if (!inDevelopment(this.hub)) return null;
    const org = await demoOrg(this.hub.dbh.db);
    const sg = this.hub.services.get('safeguarding') as Safeguarding | undefined;
    if (!org || !sg) return null;
    sg.service.setOrgPolicy(org.id, DEMO_LADDER);
    // A newcomer may try the hub on a Saturday or an evening: the demo school's nudges do not wait for
    // the morning (quiet hours stay for every other organisation).
    if (!this.quietWrapped) {
      this.quietWrapped = true;
      const demoId = org.id;
      const quiet = this.hub.notBefore.bind(this.hub);
      this.hub.notBefore = (orgId, at) => (orgId === demoId ? at : quiet(orgId, at));
    }
    return org.id;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Start (or restart) the tour now: the demo moments are placed afresh, dated from the hub's clock. */
  async begin(): Promise<boolean> {
    const org = await this.available();
    if (!org) return false;
    await this.armTimers();
    const now = this.hub.clock.now();
    const run = ++this.runs;
    const db = this.hub.dbh.db;
    // The demo EHC needs assessment waits (request dated today) until moment 2 makes the LA's decision
    // whether to assess pass (6 weeks and a day back): Priya, holding the case at school, is told.
    await this.moveEhcRequest(org.id, 0);
    await placeTourMeetings(
      db,
      org.id,
      now,
      new Date(now.getTime() + NOTES_MEETING_ENDS_AT),
      `${run}-${now.getTime()}`,
    );
    await markTourSeen(db, org.id, org.settings, now);
    this.current = { orgId: org.id, startedAt: now.getTime(), run, done: new Set() };
    await this.advance(now);
    return true;
  }

  /** At start-up: the first time the demo school runs (a restart does not replay it; `tour` does). */
  async beginIfNew(): Promise<void> {
    const org = await this.available();
    if (!org) return;
    await this.armTimers();
    if (tourSeenAt(org.settings)) {
      this.console()?.narrate(
        'Type `tour` for the five-minute guided tour of the demo school, `staff` to see who is who.',
      );
      return;
    }
    await this.begin();
  }

  /** The planner: every step whose time has come, in order. */
  async advance(now: Date): Promise<Record<string, number>> {
    const t = this.current;
    if (!t) return {};
    let steps = 0;
    for (const step of TOUR_STEPS) {
      if (t.done.has(step.id) || now.getTime() - t.startedAt < step.at) continue;
      t.done.add(step.id);
      await this.play(t, step, now);
      steps++;
    }
    if (t.done.size === TOUR_STEPS.length) this.current = undefined;
    return steps ? { steps } : {};
  }

  private async play(t: TourRun, step: TourStep, now: Date): Promise<void> {
    if (step.lines.length) this.console()?.narrate(step.lines.join('\n'));
    if (step.act === 'deadline_due') await this.moveEhcRequest(t.orgId, 43);
    if (step.act === 'raise_concern') await this.raiseConcern(t.orgId, now);
  }

  /** Date the demo EHC request `daysAgo` days back and recompute its deadlines (the next tick nudges). */
  private async moveEhcRequest(orgId: string, daysAgo: number): Promise<void> {
    const today = localDate(this.hub.clock.now(), this.hub.config.env.TIME_ZONE);
    const caseId = await dateEhcRequest(this.hub.dbh.db, orgId, today, daysAgo);
    const deadlines = this.hub.services.get('deadlines') as DeadlineService | undefined;
    if (!caseId || !deadlines) return;
    await deadlines.recompute(caseId);
    deadlines.touch();
  }

  /** Ellie Marsh, a teacher, raises a concern about a demo pupil: it goes to the DSL at once. */
  private async raiseConcern(orgId: string, now: Date): Promise<void> {
    const sg = this.hub.services.get('safeguarding') as Safeguarding | undefined;
    if (!sg) return;
    const db = this.hub.dbh.db;
    const teacher = (await demoStaffIds(db, orgId, ['e.marsh@elmfield.example'])).get(
      'e.marsh@elmfield.example',
    );
    await sg.service.raise({
      orgId,
      studentId: await demoPupil(db, orgId, 'C123456789012'),
      raisedById: teacher ?? null,
      source: 'chat',
      externalId: null,
      category: 'Welfare concern',
      immediateRisk: false,
      text: 'Demo: came in without a coat again and said there was no food at home last night.',
      actionsTaken: 'Demo: gave breakfast from the club; told the DSL.',
      occurredAt: now,
      via: 'SYSTEM',
    });
  }
}

const tours = new WeakMap<Hub, Tour>();

/** The hub's tour (tests and app/start.ts). */
export function tourOf(hub: Hub): Tour | undefined {
  return tours.get(hub);
}

function tourCommand(hub: Hub, tour: Tour): Command {
  return {
    name: 'tour',
    usage: 'tour',
    summary: 'play the five-minute guided tour of the demo school again (development only)',
    async run({ actor }) {
      const org = await tour.available();
      const text = (title: string) => ({
        kind: 'message' as const,
        message: message({ kind: 'text', audience: 'private', title }),
      });
      if (!org || org.id !== actor.orgId)
        return text(
          hub.config.production
            ? 'The guided tour is for the demo school in development; it never runs in production.'
            : 'The guided tour runs in the console of `npm start`, for the demo school.',
        );
      await tour.begin();
      return text(
        'The tour starts again: new demo meetings, a new concern and the EHC deadline, dated from now.',
      );
    },
  };
}

function staffCommand(hub: Hub): Command {
  return {
    name: 'staff',
    usage: 'staff',
    summary: 'who is who in the demo school, by role, with the email to type after `as`',
    async run({ actor }) {
      const org = hub.config.production ? null : await demoOrg(hub.dbh.db);
      if (!org || org.id !== actor.orgId)
        return {
          kind: 'message',
          message: message({
            kind: 'text',
            audience: 'private',
            title:
              '`staff` lists the demo school’s people; for a real school an admin uses `send-hub staff list`.',
          }),
        };
      const people = (await hub.staff.all(org.id)).filter((s) => s.active);
      const lines = people.map((p) => {
        const roles = p.roles.filter((r) => r !== 'STAFF').map((r) => ROLE_WORDS[r] ?? r.toLowerCase());
        return `${p.displayName}, ${roles.length ? roles.join(' and ') : 'teacher'}: as ${p.email}`;
      });
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title: `${DEMO_ORG_NAME}: who is who`,
          sections: [{ heading: 'Type `as <email>` to act as one of them', lines }],
          text: 'For the safeguarding moment: `as dsl@elmfield.example` (Tom Reed, the DSL).',
        }),
      };
    },
  };
}

export function tourModule(): FeatureModule {
  return {
    name: 'demo-tour',
    setup(hub) {
      // The commands answer everywhere (in production: that the tour is for the demo in development);
      // the tour itself, its planner and its timers exist only in development.
      const tour = new Tour(hub);
      if (inDevelopment(hub)) tours.set(hub, tour);
      hub.commands.register(tourCommand(hub, tour));
      hub.commands.register(staffCommand(hub));
    },
    planners(hub) {
      const tour = tours.get(hub);
      return tour ? [{ name: 'demo-tour', run: (now) => tour.advance(now) }] : [];
    },
    async start(hub) {
      await tours.get(hub)?.beginIfNew();
    },
  };
}
