/**
 * Who a sign-in is: the provider's claims matched to one member of staff of one organisation, the way the
 * bots match people (bots/teams/teams-members.ts `match`, bots/slack/link-staff.ts).
 * - Entra and the Teams tab: the tenant must be the configured one; its organisation is the one the Teams
 *   bot already knows for that tenant, or the only one. Then the Entra object id (oid), then the UPN
 *   (preferred_username) or e-mail, within that organisation; an e-mail match records the oid as the bot does.
 * - Slack: the linked Slack identity (team id + user id), then the e-mail within the workspace's organisation
 *   (SLACK_ORG_ID, the workspace's installation, or the only one); an e-mail match links the identity.
 */
import type { Hub } from '../../app/container.ts';
import { SlackInstallationStore } from '../../store/slack-installation-store.ts';
import { TeamsRepository } from '../../store/teams-repository.ts';
import type { SignInClaims } from './oidc.ts';

export type MatchResult =
  | { kind: 'matched'; staffId: string; orgId: string; by: string }
  | { kind: 'not-on-staff-list'; orgId: string | null; orgName: string | null }
  | { kind: 'wrong-tenant' };

async function orgName(hub: Hub, orgId: string | null): Promise<string | null> {
  return orgId ? ((await hub.orgs.byId(orgId))?.name ?? null) : null;
}

export async function matchEntra(hub: Hub, claims: SignInClaims, tenantId: string): Promise<MatchResult> {
  if (!claims.tid || claims.tid.toLowerCase() !== tenantId.toLowerCase()) return { kind: 'wrong-tenant' };
  const teams = new TeamsRepository(hub.dbh.db);
  const orgId = (await teams.orgForTenant(tenantId)) ?? (await teams.soleOrg());
  if (!orgId) return { kind: 'not-on-staff-list', orgId: null, orgName: null };
  if (claims.oid) {
    const byOid = await teams.staffIdByEntraObjectId(claims.oid);
    const s = byOid ? await hub.staff.byId(byOid) : null;
    if (s?.active && s.orgId === orgId) return { kind: 'matched', staffId: s.id, orgId, by: 'oid' };
  }
  for (const email of [claims.preferredUsername, claims.email]) {
    if (!email?.includes('@')) continue;
    const s = await hub.staff.byEmail(email, orgId);
    if (s) {
      if (claims.oid) await teams.setEntraObjectId(s.id, claims.oid);
      return { kind: 'matched', staffId: s.id, orgId, by: 'email' };
    }
  }
  return { kind: 'not-on-staff-list', orgId, orgName: await orgName(hub, orgId) };
}

export async function matchSlack(hub: Hub, claims: SignInClaims): Promise<MatchResult> {
  const teamId = claims.slackTeamId ?? '';
  const userId = claims.slackUserId ?? claims.subject;
  const known = await hub.staff.actorFor('SLACK', teamId, userId);
  if (known) return { kind: 'matched', staffId: known.staffId, orgId: known.orgId, by: 'slack-id' };
  const configured = hub.config.raw.SLACK_ORG_ID as string | undefined;
  const installs = new SlackInstallationStore(hub.dbh.db, hub.cipher, configured);
  let orgId: string | null = configured ?? (teamId ? await installs.orgFor(teamId) : null);
  if (!orgId) {
    const orgs = await hub.orgs.all();
    orgId = orgs.length === 1 ? (orgs[0]?.id ?? null) : null;
  }
  if (!orgId) return { kind: 'not-on-staff-list', orgId: null, orgName: null };
  if (claims.email) {
    const s = await hub.staff.byEmail(claims.email, orgId);
    if (s) {
      if (teamId) {
        await hub.staff.linkIdentity(s.id, 'SLACK', teamId, userId, { teamId });
        await hub.audit.record({
          orgId,
          actorKind: 'system',
          action: 'identity.linked',
          subjectType: 'staff',
          subjectId: s.id,
          channel: 'SLACK',
          details: { platform: 'SLACK', teamId, slackUserId: userId, by: 'web-sign-in' },
        });
      }
      return { kind: 'matched', staffId: s.id, orgId, by: 'email' };
    }
  }
  return { kind: 'not-on-staff-list', orgId, orgName: await orgName(hub, orgId) };
}
