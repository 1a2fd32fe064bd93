/**
 * Who is this Slack user? Staff are matched by their Slack profile email (users.info /
 * users.list, scope users:read.email) to hub staff (hub.staff.byEmail) and linked once
 * (hub.staff.linkIdentity). Members who match nobody are reported to the organisation's admins,
 * so nobody silently misses safeguarding messages because of an email typo.
 */
import { createHash } from 'node:crypto';
import type { Hub } from '../../app/container.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
import type { SlackInstallationStore } from '../../store/slack-installation-store.ts';
import type { SlackApi, WebClient } from './slack-api.ts';

type Member = {
  id?: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_app_user?: boolean;
  real_name?: string;
  profile?: { email?: string; real_name?: string; display_name?: string };
};

export interface LinkReport {
  teamId: string;
  linked: number;
  alreadyLinked: number;
  unmatched: { userId: string; name: string }[];
}

/** Don't ask users.info about the same unknown person more than once in this window. */
const UNKNOWN_RECHECK_MS = 10 * 60_000;
/**
 * A resolved actor is reused for this long, so a burst of clicks and events does not query the
 * database for each one. A role change or deactivation takes effect within this window.
 */
const ACTOR_CACHE_MS = 30_000;

export class StaffLinker {
  private readonly unknown = new Map<string, number>();
  private readonly actors = new Map<string, { actor: Actor; at: number }>();

  constructor(
    private readonly hub: Hub,
    private readonly api: SlackApi,
    private readonly installations: SlackInstallationStore | undefined,
    private readonly configuredOrgId: string | undefined,
  ) {}

  /** The organisation a workspace belongs to: configured, from its installation, or the only one. */
  async orgFor(teamId: string): Promise<string | undefined> {
    if (this.configuredOrgId) return this.configuredOrgId;
    const fromInstall = await this.installations?.orgFor(teamId);
    if (fromInstall) return fromInstall;
    const orgs = await this.hub.orgs.all();
    return orgs.length === 1 ? orgs[0]?.id : undefined;
  }

  /** The hub actor for a Slack user, linking them by email on first contact. Null when unknown. */
  async actorFor(teamId: string, userId: string, client?: WebClient): Promise<Actor | null> {
    const key = `${teamId}:${userId}`;
    const cached = this.actors.get(key);
    if (cached && Date.now() - cached.at < ACTOR_CACHE_MS) return cached.actor;
    const known = await this.hub.staff.actorFor('SLACK', teamId, userId);
    if (known) {
      if (this.actors.size > 10_000) this.actors.clear();
      this.actors.set(key, { actor: known, at: Date.now() });
      return known;
    }
    const last = this.unknown.get(key);
    if (last && Date.now() - last < UNKNOWN_RECHECK_MS) return null;
    try {
      const c = client ?? (await this.api.forTeam(teamId));
      const info = await c.users.info({ user: userId });
      const member = info.user as Member | undefined;
      const linked = member ? await this.link(teamId, member) : null;
      if (linked) return this.hub.staff.actorForStaff(linked);
      this.unknown.set(key, Date.now());
      if (member) await this.reportUnmatched(teamId, [{ userId, name: nameOf(member) }]);
    } catch (err) {
      this.hub.log.warn({ err: String(err), teamId }, 'slack: could not look up user for linking');
    }
    return null;
  }

  /** Link every member of a workspace by email; report the unmatched ones to the admins. */
  async linkWorkspace(teamId: string): Promise<LinkReport> {
    const c = await this.api.forTeam(teamId || undefined);
    const report: LinkReport = { teamId, linked: 0, alreadyLinked: 0, unmatched: [] };
    let cursor: string | undefined;
    do {
      const page = await c.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
      for (const m of (page.members ?? []) as Member[]) {
        if (!m.id || m.deleted || m.is_bot || m.is_app_user || m.id === 'USLACKBOT') continue;
        if (await this.hub.staff.actorFor('SLACK', teamId, m.id)) {
          report.alreadyLinked++;
          continue;
        }
        if (await this.link(teamId, m)) report.linked++;
        else report.unmatched.push({ userId: m.id, name: nameOf(m) });
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    if (report.unmatched.length) await this.reportUnmatched(teamId, report.unmatched);
    this.hub.log.info(
      {
        teamId,
        linked: report.linked,
        alreadyLinked: report.alreadyLinked,
        unmatched: report.unmatched.length,
      },
      'slack: staff linked by email',
    );
    return report;
  }

  /** Returns the staff id linked, or null. */
  private async link(teamId: string, m: Member): Promise<string | null> {
    const email = m.profile?.email;
    if (!m.id || !email) return null;
    const orgId = await this.orgFor(teamId);
    const staff = await this.hub.staff.byEmail(email, orgId);
    if (!staff) return null;
    await this.hub.staff.linkIdentity(staff.id, 'SLACK', teamId, m.id, { teamId });
    await this.hub.audit.record({
      orgId: staff.orgId,
      actorKind: 'system',
      action: 'identity.linked',
      subjectType: 'staff',
      subjectId: staff.id,
      channel: 'SLACK',
      details: { platform: 'SLACK', teamId, slackUserId: m.id, by: 'email' },
    });
    return staff.id;
  }

  /** One admin notice per distinct set of unmatched members (idempotent across restarts). */
  private async reportUnmatched(
    teamId: string,
    unmatched: { userId: string; name: string }[],
  ): Promise<void> {
    const orgId = await this.orgFor(teamId);
    if (!orgId) return;
    const admins = await this.hub.staff.withRole(orgId, 'ADMIN');
    const ids = unmatched.map((u) => u.userId).sort();
    const digest = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16);
    for (const admin of admins) {
      await this.hub.outbox.enqueue({
        idempotencyKey: `slack-unmatched:${teamId}:${digest}:${admin.id}`,
        orgId,
        to: { staffId: admin.id },
        priority: 8,
        message: message({
          kind: 'admin_notice',
          audience: 'private',
          title: `${unmatched.length} Slack member(s) could not be matched to staff`,
          text:
            'Their Slack profile email is not the email of any active member of staff, so they will not receive ' +
            'SEND Hub messages in Slack. Correct the email in Slack or in the staff list.',
          sections: [
            {
              heading: 'Unmatched Slack members',
              lines: unmatched.slice(0, 50).map((u) => `${u.name} (${u.userId})`),
            },
          ],
        }),
      });
    }
  }
}

/** A member's staff name (adults' names are fine in a private admin notice; no child data here). */
function nameOf(m: Member): string {
  return m.profile?.real_name || m.real_name || m.profile?.display_name || m.id || 'unknown';
}
