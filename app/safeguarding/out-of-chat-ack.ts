/**
 * Acknowledge by link (issue 16): what the page at the link in a safeguarding e-mail or SMS says, and the
 * acknowledgement its one button makes. The web adapter (web/ack-link-routes.ts) only renders these.
 *
 * - Opening the link (GET) never acknowledges: mail scanners such as Microsoft Defender Safe Links open
 *   every link in a message. It only checks the token and shows the button.
 * - The POST acknowledges through ConcernService.acknowledge, the path the chat button takes: the ladder
 *   stops, pending messages are cancelled, the others are told, audited with the link's channel (EMAIL/SMS).
 * - Refused (4xx, nothing changed, audited): a tampered or malformed token, an expired one, one bound to a
 *   person who was not asked about this concern at that step or may no longer act on it, a POST from
 *   another site.
 * - The page never shows the record: only the concern's reference and who acknowledged when.
 */
import { canActOnConcern } from '../../core/access/policy.ts';
import { type AckTokenClaims, verifyAckToken } from '../../core/escalations/ack-token.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { stepKey } from '../../core/escalations/escalation-ladder.ts';
import type { Actor } from '../../core/ports.ts';
import type { Hub } from '../container.ts';
import type { ConcernService } from './concern-service.ts';

export type RefusalReason = 'malformed' | 'bad_signature' | 'expired' | 'not_yours' | 'cross_site';

export type LinkPage =
  | { kind: 'confirm'; ref: string }
  | { kind: 'acknowledged'; ref: string; at: string }
  | { kind: 'already'; ref: string; by: string; at: string }
  | { kind: 'refused'; status: 400 | 403 | 410; reason: RefusalReason };

const STATUS: Record<RefusalReason, 400 | 403 | 410> = {
  malformed: 400,
  bad_signature: 403,
  expired: 410,
  not_yours: 403,
  cross_site: 403,
};

type Checked =
  | {
      ok: true;
      claims: AckTokenClaims;
      actor: Actor;
      orgId: string;
      studentId: string | null;
      status: string;
    }
  | { ok: false; page: LinkPage };

export class AckLinks {
  constructor(
    private readonly hub: Hub,
    private readonly service: ConcernService,
  ) {}

  /** GET: check the link and show the button; changes nothing. */
  async open(token: string): Promise<LinkPage> {
    const c = await this.check(token, 'GET');
    if (!c.ok) return c.page;
    await this.audit(c, 'concern.ack_link_opened', {});
    if (c.status !== 'RAISED') return this.already(c.claims.concernId);
    return { kind: 'confirm', ref: concernRef(c.claims.concernId) };
  }

  /** POST: acknowledge (once), or say who already did. `sameSite` is the web layer's Origin/Referer check. */
  async acknowledge(token: string, sameSite: boolean): Promise<LinkPage> {
    const c = await this.check(token, 'POST');
    if (!c.ok) return c.page;
    if (!sameSite) return this.refuse('cross_site', 'POST', c.claims, c.orgId);
    const { outcome } = await this.service.acknowledgeWithOutcome(
      c.actor,
      c.claims.concernId,
      c.claims.via,
      false,
    );
    if (outcome !== 'acked') return this.already(c.claims.concernId);
    // The token's use, beside the service's own `concern.acknowledged` (channel EMAIL or SMS).
    await this.audit(c, 'concern.ack_link_used', {});
    return { kind: 'acknowledged', ref: concernRef(c.claims.concernId), at: this.fmt(this.hub.clock.now()) };
  }

  private async check(token: string, request: 'GET' | 'POST'): Promise<Checked> {
    const signer = await this.service.outOfChat.signer();
    const v = verifyAckToken(token, signer, this.hub.clock.now());
    if (!v.ok) {
      // An unsigned token says nothing trustworthy: recorded without a subject of its own.
      const claims = v.reason === 'expired' ? v.claims : undefined;
      const org = claims ? (await this.service.concerns.byId(claims.concernId))?.orgId : undefined;
      return { ok: false, page: await this.refuse(v.reason, request, claims, org) };
    }
    const { claims } = v;
    const concern = await this.service.concerns.byId(claims.concernId);
    const actor = await this.hub.staff.actorForStaff(claims.staffId);
    // Asked about this concern at this step (by chat, e-mail or SMS), and still allowed to act on it (an
    // active DSL, deputy or head of the same school: core/access/policy.ts).
    const asked =
      concern &&
      (await this.service.concerns.stepMessagesTo(stepKey(concern.id, claims.step, claims.staffId))).length >
        0;
    if (!concern || !actor || !asked || !canActOnConcern(actor, concern))
      return { ok: false, page: await this.refuse('not_yours', request, claims, concern?.orgId) };
    return {
      ok: true,
      claims,
      actor,
      orgId: concern.orgId,
      studentId: concern.studentId,
      status: concern.status,
    };
  }

  private async already(concernId: string): Promise<LinkPage> {
    const c = await this.service.concerns.byId(concernId);
    const by = c?.acknowledgedById ? await this.hub.staff.byId(c.acknowledgedById) : null;
    return {
      kind: 'already',
      ref: concernRef(concernId),
      by: by?.displayName ?? 'someone',
      at: c?.acknowledgedAt ? this.fmt(c.acknowledgedAt) : 'an earlier time',
    };
  }

  private async refuse(
    reason: RefusalReason,
    request: 'GET' | 'POST',
    claims: AckTokenClaims | undefined,
    orgId: string | undefined,
  ): Promise<LinkPage> {
    await this.hub.audit.record({
      orgId: orgId ?? null,
      actorKind: 'system',
      action: 'concern.ack_link_refused',
      subjectType: claims ? 'concern' : 'ack_link',
      subjectId: claims?.concernId ?? '-',
      channel: claims?.via ?? null,
      details: { reason, request, ...(claims ? { staffId: claims.staffId, step: claims.step } : {}) },
    });
    this.hub.log.warn({ reason, request }, 'acknowledge link refused');
    return { kind: 'refused', status: STATUS[reason], reason };
  }

  private async audit(c: Extract<Checked, { ok: true }>, action: string, details: Record<string, unknown>) {
    await this.hub.audit.record({
      orgId: c.orgId,
      actorId: c.claims.staffId,
      actorKind: action === 'concern.ack_link_used' ? 'staff' : 'system',
      action,
      subjectType: 'concern',
      subjectId: c.claims.concernId,
      studentId: c.studentId,
      channel: c.claims.via,
      details: { step: c.claims.step, ...details },
    });
  }

  private fmt(d: Date): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(d);
  }
}
