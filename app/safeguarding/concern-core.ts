/**
 * The shared part of the safeguarding workflow (issue 7; split in issue 13): settings, the ladder on
 * duty, who a channel reaches, the content-free summary of a concern, and the small helpers the intake
 * (concern-intake.ts), ladder (concern-ladder.ts) and outcome (concern-outcome.ts) parts use. The
 * public API is ConcernService (concern-service.ts).
 */
import { NotFoundError } from '../../core/errors.ts';
import type { ConcernDto } from '../../core/escalations/concern.ts';
import { type ConcernSummary, concernRef, outcomePrompt } from '../../core/escalations/concern-messages.ts';
import type { EscalationPolicy } from '../../core/escalations/escalation-ladder.ts';
import { notOnRollLabel } from '../../core/escalations/not-on-roll.ts';
import type { OutOfChatMethod } from '../../core/escalations/notification-rules.ts';
import type { PersonalNotifyTimes } from '../../core/escalations/personal-notify.ts';
import { happenedText } from '../../core/escalations/report-delay.ts';
import { type DutyHours, type Ladder, ladderAt, ladderFromRoles } from '../../core/escalations/rota.ts';
import type { Actor, Platform } from '../../core/ports.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import type { ConcernRepository } from '../../store/concern-repository.ts';
import { ConcernSubjectRepository, type StudentRef } from '../../store/concern-subject-repository.ts';
import type { Tx } from '../../store/db.ts';
import { incidentSecret } from '../../store/incident-import-repository.ts';
import { NotifyPreferenceRepository } from '../../store/notify-preference-repository.ts';
import type { RotaRepository } from '../../store/rota-repository.ts';
import type { SafeguardingEnv } from '../config/safeguarding.ts';
import type { Hub } from '../container.ts';
import { demoOrg } from '../demo/tour-data.ts';
import { DEMO_LADDER } from '../demo/tour-script.ts';
import { OutOfChat } from './out-of-chat.ts';

export const TEXT_CONTEXT = 'Concern.textEnc';
export const ACTIONS_CONTEXT = 'Concern.actionsTakenEnc';
/** The name of a pupil not on the roll, as the raiser gave it (issue 13). */
export const NOT_ON_ROLL_CONTEXT = 'Concern.notOnRollNameEnc';
/** An imported incident's recorded actions (app/imports/appliers.ts encrypts them with this context). */
export const INCIDENT_ACTIONS_CONTEXT = 'Incident.actionsEnc';

export interface RaiseInput {
  orgId: string;
  /** Null for a pupil not on the roll: then `notOnRollName` is the name as the raiser gave it (issue 13). */
  studentId: string | null;
  notOnRollName?: string | null;
  /** The year group as given for a pupil not on the roll (an imported row's; shown with the initials). */
  notOnRollYear?: string | null;
  raisedById: string | null;
  source: 'chat' | 'incident';
  externalId: string | null;
  category: string;
  immediateRisk: boolean;
  text: string;
  actionsTaken: string;
  occurredAt: Date;
  via: Platform | 'SYSTEM' | 'CLI';
  /**
   * Chat intake identity (concern-form.ts intakeKey): the same form instance submitted again (a double
   * click, a platform re-delivery) returns the first result and creates and sends nothing.
   */
  intakeKey?: string | null;
  /** Raised from a shared channel whose organisation wants the notice: post only channelNotice() there. */
  channelNotice?: { platform: 'TEAMS' | 'SLACK'; tenantId: string; conversationId: string } | null;
}

export interface RaiseResult {
  concern: ConcernDto;
  created: boolean;
  /** "Tom Reed (DSL)" for each person the first step went to. */
  sentTo: string[];
}

export interface Reach {
  staffId: string;
  name: string;
  platform: Platform | null;
  /**
   * This process does not deliver (`send-hub import`, the CLI: HubOptions.delivers): it enqueues for the
   * person and the running hub decides, as it sends, whether anyone can reach them (issue 13).
   */
  deferred?: boolean;
  /** Verified out-of-chat methods (issue 16): the notification rules add e-mail and SMS to the step. */
  methods?: OutOfChatMethod[];
  /** The person's own notification times (`settings notify`), merged over the organisation's at routing. */
  notifyTimes?: PersonalNotifyTimes;
}

/** The deadlines engine's service (issue 3, app/deadlines/service.ts OpenCaseInput), if that module is loaded. */
export interface DeadlinesService {
  openCase(input: {
    orgId: string;
    studentId: string;
    kind: 'CHILD_PROTECTION';
    startDate: string;
    ownerId: string | null;
    events?: { kind: string; occurredOn: string }[];
    actorId?: string | null;
    via?: string;
  }): Promise<{ caseId?: string; reference?: string } | unknown>;
}

export class ConcernCore {
  readonly policy: EscalationPolicy;
  private readonly consoleOn: boolean;
  private routerFor: { channels: number; router: ChannelRouter } | undefined;
  /** E-mail and SMS behind the chat, and the acknowledge link (issue 16). */
  readonly outOfChat: OutOfChat;
  /** Each person's own notification times (issue 16, `settings notify`). */
  protected readonly notifyPrefs: NotifyPreferenceRepository;
  /** The pupils and imported incidents concerns are about (read-only). */
  readonly subjects: ConcernSubjectRepository;

  constructor(
    protected readonly hub: Hub,
    readonly concerns: ConcernRepository,
    readonly rota: RotaRepository,
    readonly settings: SafeguardingEnv,
  ) {
    this.outOfChat = new OutOfChat(hub);
    this.notifyPrefs = new NotifyPreferenceRepository(hub.dbh.db);
    this.subjects = new ConcernSubjectRepository(hub.dbh.db);
    this.policy = {
      ackMinutes: settings.SAFEGUARDING_ACK_MINUTES,
      ackMinutesImmediate: settings.SAFEGUARDING_ACK_MINUTES_IMMEDIATE,
      resendMinutes: settings.SAFEGUARDING_RESEND_MINUTES,
      resendMinutesImmediate: settings.SAFEGUARDING_RESEND_MINUTES_IMMEDIATE,
    };
    // The console reaches anyone at the terminal, so it counts as a route only when it is enabled.
    const env = hub.config.env;
    this.consoleOn =
      env.CONSOLE_CHANNEL === 'on' || (env.CONSOLE_CHANNEL === 'auto' && !hub.config.production);
  }

  /**
   * Ladder timers per organisation: only the demo school has its own (1-minute steps, in development only;
   * docs/demo.md "Timers"). Every other organisation uses the configured `policy`.
   */
  private readonly orgPolicies = new Map<string, EscalationPolicy>();
  /** The demo organisation's id in this database (null: none), and until when that answer holds. */
  private demo: { id: string | null; until: number } | undefined;

  setOrgPolicy(orgId: string, policy: EscalationPolicy): void {
    this.orgPolicies.set(orgId, policy);
  }

  /**
   * The policy known so far in this process, without a read (inside a transaction): ladderPolicy, called
   * before it (reachAll), has recognised the demo organisation by then.
   */
  policyFor(orgId: string): EscalationPolicy {
    return this.orgPolicies.get(orgId) ?? this.policy;
  }

  /**
   * The ladder's timers for an organisation, the same in every process (audit finding 12): the demo
   * organisation is recognised by its URN in development, so a concern raised by `send-hub import` in
   * another process climbs on the demo's 1-minute steps as one raised in the hub's chat does, and the
   * digest's "overdue" reads the same policy as the ladder. Never in production or test.
   */
  async ladderPolicy(orgId: string): Promise<EscalationPolicy> {
    const known = this.orgPolicies.get(orgId);
    if (known) return known;
    const env = this.hub.config.env;
    if (env.SEND_HUB_ENV !== 'development' || this.hub.config.production) return this.policy;
    const now = Date.now();
    if (!this.demo || (this.demo.id === null && this.demo.until < now))
      this.demo = { id: (await demoOrg(this.hub.dbh.db))?.id ?? null, until: now + 60_000 };
    if (this.demo.id !== orgId) return this.policy;
    this.orgPolicies.set(orgId, DEMO_LADDER);
    return DEMO_LADDER;
  }

  /**
   * The channels that count as a route, read when routing: the Teams and Slack modules add their
   * channels after this module is set up (app/modules.ts order), so a list taken in the constructor
   * would hold only the console, and with the console off every DSL would look unreachable.
   */
  private get reachRouter(): ChannelRouter {
    const channels = this.hub.channels;
    if (this.routerFor?.channels !== channels.length)
      this.routerFor = {
        channels: channels.length,
        router: new ChannelRouter(channels.filter((c) => c.platform !== 'CONSOLE' || this.consoleOn)),
      };
    return this.routerFor.router;
  }

  hours(): DutyHours {
    return {
      from: this.settings.SAFEGUARDING_HOURS_FROM,
      until: this.settings.SAFEGUARDING_HOURS_UNTIL,
      zone: this.hub.config.env.TIME_ZONE,
      holidays: this.hub.holidays,
    };
  }

  /** The ladder on duty at `at`: the rota, or (no rota) the staff holding DSL / deputy / head roles. */
  async ladderFor(orgId: string, at: Date): Promise<Ladder> {
    const entries = await this.rota.list(orgId);
    if (entries.length > 0) {
      const active = new Set((await this.hub.staff.all(orgId)).filter((s) => s.active).map((s) => s.id));
      return ladderAt(
        entries.filter((e) => active.has(e.staffId)),
        at,
        this.hours(),
      );
    }
    const staff = (await this.hub.staff.all(orgId)).filter((s) => s.active);
    return ladderFromRoles(staff);
  }

  /**
   * Can any enabled channel reach this person now? Judged only by a process that delivers (the hub, which
   * sends within seconds); any other process defers to it (the deliverer's `unreachable` outcome then
   * tells the admins and steps the ladder: ConcernLadder.deliveryFailed).
   */
  async reach(staffId: string): Promise<Reach> {
    const s = await this.hub.staff.byId(staffId);
    if (!this.hub.delivers)
      return { staffId, name: s?.displayName ?? staffId, platform: null, deferred: true };
    if (!s) return { staffId, name: staffId, platform: null };
    const route = this.reachRouter.forPerson(s, await this.hub.staff.identities(staffId));
    return { staffId, name: s.displayName, platform: route?.channel.platform ?? null };
  }

  /** Everyone on the ladder: their chat route and (issue 16) their verified e-mail and SMS. Read before a transaction. */
  protected async reachAll(ladder: Ladder, orgId: string): Promise<Map<string, Reach>> {
    // The ladder's timers, resolved here before the transaction (routeIn reads them with policyFor).
    await this.ladderPolicy(orgId);
    const out = new Map<string, Reach>();
    const people = [...new Set(ladder.flat().map((m) => m.staffId))];
    const methods = await this.outOfChat.prepare(orgId, people);
    // Only people with a verified method can have their e-mail or SMS times changed by their own settings.
    const times = await this.notifyPrefs.forStaff(people.filter((id) => methods.get(id)?.length));
    for (const id of people) {
      const own = times.get(id);
      out.set(id, {
        ...(await this.reach(id)),
        methods: methods.get(id) ?? [],
        ...(own ? { notifyTimes: own } : {}),
      });
    }
    return out;
  }

  protected fmt(d: Date): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(d);
  }

  protected async summary(c: ConcernDto, student?: StudentRef | null): Promise<ConcernSummary> {
    const s = student ?? (await this.subjects.student(c.studentId));
    return {
      id: c.id,
      studentLabel: s ? studentLabel(s) : this.notOnRollLabelOf(c),
      category: c.category,
      immediateRisk: c.immediateRisk,
      raisedAt: this.fmt(c.raisedAt),
      happened: happenedText(c.occurredAt, c.raisedAt, this.fmt(c.occurredAt)),
    };
  }

  /**
   * What was already done (the record's "Actions already taken"): the raiser's words; for a concern raised
   * from an imported incident, the actions its system recorded (CPOMS "Actions"), read from the incident,
   * encrypted there, so a re-import's correction shows too (audit finding 5). A concern raised while the
   * pupil was not matched on the roll holds its row's actions itself, until the incident is stored (the
   * pupil matched by a later import): then the incident's, the newest.
   */
  async actionsTaken(c: ConcernDto, actionsTakenEnc: string | null | undefined): Promise<string> {
    if (c.source === 'incident' && c.externalId) {
      const i = await incidentSecret(this.hub.dbh.db, c.externalId, c.orgId);
      if (i?.actionsEnc) return this.hub.cipher.decrypt(i.actionsEnc, INCIDENT_ACTIONS_CONTEXT);
    }
    return actionsTakenEnc ? this.hub.cipher.decrypt(actionsTakenEnc, ACTIONS_CONTEXT) : '';
  }

  /** A concern about a pupil not on the roll: the name as given, decrypted (private record views only). */
  protected notOnRollNameOf(c: ConcernDto): string | null {
    return c.notOnRollNameEnc ? this.hub.cipher.decrypt(c.notOnRollNameEnc, NOT_ON_ROLL_CONTEXT) : null;
  }

  /** "K.H. (not on roll)" for a concern with no student record yet; "pupil" if even the name is missing. */
  protected notOnRollLabelOf(c: ConcernDto): string {
    const name = this.notOnRollNameOf(c);
    return name ? notOnRollLabel(name, c.notOnRollYear) : 'pupil';
  }

  /** Admins of the organisation (the ADMIN role; ADMIN_EMAIL as a fallback). */
  protected async admins(orgId: string): Promise<string[]> {
    const admins = await this.hub.staff.withRole(orgId, 'ADMIN');
    if (admins.length > 0) return admins.map((a) => a.id);
    const email = this.hub.config.env.ADMIN_EMAIL;
    const byEmail = email ? await this.hub.staff.byEmail(email, orgId) : null;
    return byEmail ? [byEmail.id] : [];
  }

  protected async load(actor: Actor, id: string): Promise<ConcernDto> {
    const c = await this.concerns.byId(id);
    if (!c || c.orgId !== actor.orgId) throw new NotFoundError('Concern', concernRef(id));
    return c;
  }

  /** The outcome buttons, delivered as their own private message (so every channel can answer them later). */
  protected async enqueueOutcomePrompt(
    tx: Tx,
    orgId: string,
    id: string,
    staffId: string,
    summary: ConcernSummary,
    headline: string,
  ): Promise<void> {
    await this.hub.outbox.enqueueIn(tx, {
      idempotencyKey: `concern:${id}:outcome-prompt:${staffId}`,
      orgId,
      to: { staffId },
      priority: 0,
      message: outcomePrompt(summary, headline),
    });
  }
}
