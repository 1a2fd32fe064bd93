/**
 * Contact methods in use (issue 16): add, verify, remove and list a person's work e-mail and mobile, from
 * chat (`settings contact …`, the person themself) or the CLI (`send-hub contact …`, an admin acting for a
 * person). Every change is audited without the value; values are shown masked. A new value is verified by
 * a code sent by the method itself (the outbox, via EMAIL/SMS, kind contact_verification).
 */
import { randomUUID } from 'node:crypto';
import {
  type ContactKind,
  maskContact,
  normaliseContact,
  parseContactKind,
} from '../../core/contacts/contact-value.ts';
import { ValidationError } from '../../core/errors.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { AuditEventInput } from '../../core/ports.ts';
import { type ContactMethodDto, ContactRepository } from '../../store/contact-repository.ts';
import type { ClaimedMessage } from '../../store/outbox-repository.ts';
import { RotaRepository } from '../../store/rota-repository.ts';
import type { Hub } from '../container.ts';
import { NotifySettings } from './notify-settings.ts';

export const CONTACTS_SERVICE = 'contacts';

/** Who is acting: the person (chat) or an admin for them (CLI). */
export interface ContactActor {
  actorId: string | null;
  actorKind: 'staff' | 'admin-cli';
  channel: AuditEventInput['channel'];
}

const kindName = (k: ContactKind) => (k === 'EMAIL' ? 'e-mail' : 'mobile');

/** One code a minute per person and kind: `add` and `resend` must not become a way to flood a phone. */
const CODE_SPACING_MS = 60_000;

export interface ContactLine {
  kind: ContactKind;
  masked: string;
  status: 'verified' | 'unverified';
  source: string;
  lastFailure: string | null;
}

export class ContactsService {
  readonly repo: ContactRepository;
  private readonly rota: RotaRepository;
  private notifyP: NotifySettings | undefined;
  /** Staff changed since this moment (Staff.updatedAt) are checked against their seeded work e-mail. */
  private importWatermark = new Date(0);

  constructor(
    private readonly hub: Hub,
    /** Which channels this hub can send by (a code cannot be sent by a channel with no transport). */
    readonly enabled: { EMAIL: boolean; SMS: boolean },
  ) {
    this.repo = new ContactRepository(hub.dbh.db, hub.cipher, hub.clock);
    this.rota = new RotaRepository(hub.dbh.db);
  }

  /** The person's own notification times (`settings notify`, `send-hub contact notify`). */
  get notify(): NotifySettings {
    this.notifyP ??= new NotifySettings(this.hub, this);
    return this.notifyP;
  }

  private audit(
    orgId: string,
    who: ContactActor,
    action: string,
    m: { id: string; kind: ContactKind },
    extra = {},
  ) {
    return this.hub.audit.record({
      orgId,
      actorId: who.actorId,
      actorKind: who.actorKind,
      action,
      subjectType: 'contact_method',
      subjectId: m.id,
      channel: who.channel,
      details: { kind: m.kind, ...extra },
    });
  }

  line(m: ContactMethodDto): ContactLine {
    return {
      kind: m.kind,
      masked: maskContact(m.kind, m.value),
      status: m.verifiedAt ? 'verified' : 'unverified',
      source: m.source,
      lastFailure: m.lastFailure,
    };
  }

  async list(staffId: string): Promise<ContactLine[]> {
    return (await this.repo.list(staffId)).map((m) => this.line(m));
  }

  private async notTooSoon(staffId: string, kind: ContactKind): Promise<void> {
    const current = await this.repo.get(staffId, kind);
    const issued = current?.codeIssuedAt?.getTime();
    if (issued !== undefined && this.hub.clock.now().getTime() - issued < CODE_SPACING_MS)
      throw new ValidationError(
        `a code was sent to your ${kindName(kind)} less than a minute ago: wait, then try again`,
        'kind',
      );
  }

  /** Queue the code, by the method itself. */
  private async sendCode(orgId: string, staffId: string, m: ContactMethodDto, code: string): Promise<void> {
    await this.hub.outbox.enqueue({
      idempotencyKey: `contact-verify:${m.id}:${randomUUID()}`,
      orgId,
      to: { staffId },
      via: m.kind,
      priority: 1,
      message: message({
        kind: 'contact_verification',
        audience: 'private',
        title: 'Confirm this contact method',
        facts: [{ label: 'Code', value: code }],
      }),
    });
    this.hub.deliverer.wake();
  }

  /** Set a new value (unverified) and send it a code. */
  async add(
    orgId: string,
    staffId: string,
    kindWord: string | undefined,
    value: string | undefined,
    who: ContactActor,
  ): Promise<ContactLine> {
    const kind = parseContactKind(kindWord);
    if (!value?.trim()) throw new ValidationError(`give the ${kindName(kind)} to add`, 'value');
    const normalised = normaliseContact(kind, value);
    if (!this.enabled[kind])
      throw new ValidationError(
        `this hub sends no ${kind === 'EMAIL' ? 'e-mail' : 'SMS'} (set ${kind === 'EMAIL' ? 'MAIL_TRANSPORT' : 'SMS_TRANSPORT'}): ask your admin`,
        'kind',
      );
    await this.notTooSoon(staffId, kind);
    const source = who.actorKind === 'admin-cli' ? 'admin' : 'person';
    const { method, code } = await this.repo.setPending(orgId, staffId, kind, normalised, source);
    await this.audit(orgId, who, 'contact.added', method, { source });
    await this.sendCode(orgId, staffId, method, code);
    return this.line(method);
  }

  /** A fresh code for an unverified method (e.g. the work e-mail seeded from the staff import). */
  async resend(
    orgId: string,
    staffId: string,
    kindWord: string | undefined,
    who: ContactActor,
  ): Promise<ContactLine> {
    const kind = parseContactKind(kindWord);
    await this.notTooSoon(staffId, kind);
    const fresh = await this.repo.newCode(staffId, kind);
    if (!fresh) throw new ValidationError(`you have no ${kindName(kind)} to verify: add one first`, 'kind');
    if (fresh.method.verifiedAt)
      throw new ValidationError(`your ${kindName(kind)} is verified already`, 'kind');
    await this.audit(orgId, who, 'contact.code_sent', fresh.method);
    await this.sendCode(orgId, staffId, fresh.method, fresh.code);
    return this.line(fresh.method);
  }

  async verify(
    orgId: string,
    staffId: string,
    code: string | undefined,
    who: ContactActor,
  ): Promise<ContactLine> {
    if (!code || !/^\d{6}$/.test(code.trim()))
      throw new ValidationError('the code is the 6 digits sent to you', 'code');
    const r = await this.repo.verify(staffId, code);
    if (!r.ok) {
      await this.hub.audit.record({
        orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'contact.verify_failed',
        subjectType: 'staff',
        subjectId: staffId,
        channel: who.channel,
        details: { reason: r.reason },
      });
      const why = {
        no_pending: 'there is no code waiting: add a contact method first',
        expired: 'that code has expired: ask for a new one with settings contact resend <email|sms>',
        wrong: 'that code is not right: check the message and try again',
        too_many: 'too many wrong codes: ask for a new one with settings contact resend <email|sms>',
      }[r.reason];
      throw new ValidationError(why, 'code');
    }
    await this.audit(orgId, who, 'contact.verified', r.method);
    return this.line(r.method);
  }

  /**
   * The planner's step (issue 16): seed work e-mails for staff who have none, and make a seeded one follow
   * a later staff import's new address (unverified; audited `contact.import_replaced` with the kind only).
   * Looks at staff changed since the last run; the first run after start looks at everyone. A row that
   * commits late is caught by re-reading the last 10 minutes' changes.
   */
  async followStaffImport(): Promise<{ seeded: number; replaced: number }> {
    const seeded = await this.repo.seedWorkEmails();
    const LIMIT = 500;
    const r = await this.repo.followImportedEmails(this.importWatermark, LIMIT);
    if (r.lastSeen)
      this.importWatermark =
        r.scanned >= LIMIT
          ? r.lastSeen
          : new Date(Math.max(this.importWatermark.getTime(), r.lastSeen.getTime() - 10 * 60_000));
    for (const m of r.replaced)
      await this.hub.audit.record({
        orgId: m.orgId,
        actorId: null,
        actorKind: 'import',
        action: 'contact.import_replaced',
        subjectType: 'contact_method',
        subjectId: m.id,
        channel: 'SYSTEM',
        details: { kind: 'EMAIL', source: 'import', wasVerified: m.wasVerified },
      });
    return { seeded, replaced: r.replaced.length };
  }

  /** `settings digest email on|off`: deadline digests by e-mail too, to the verified work e-mail. */
  async setDigestEmail(orgId: string, staffId: string, on: boolean, who: ContactActor): Promise<void> {
    if (on && !this.enabled.EMAIL)
      throw new ValidationError('this hub sends no e-mail (set MAIL_TRANSPORT): ask your admin', 'kind');
    if (on && !this.publicUrl)
      throw new ValidationError(
        'digests by e-mail need the hub address for the unsubscribe link (PUBLIC_URL): ask your admin',
        'kind',
      );
    const method = await this.repo.get(staffId, 'EMAIL');
    if (on && !method?.verifiedAt)
      throw new ValidationError(
        'verify your e-mail first: settings contact resend email, then settings contact verify <code>',
        'kind',
      );
    await this.repo.setDigestOptIn(staffId, on);
    if (method) await this.audit(orgId, who, on ? 'contact.digest_on' : 'contact.digest_off', method);
  }

  private get publicUrl(): string | undefined {
    const url = this.hub.config.raw.PUBLIC_URL as string | undefined;
    return url?.replace(/\/+$/, '');
  }

  /**
   * A deadline digest that went to chat (or found no chat) is copied by e-mail to a person who opted in
   * (issue 16), with an unsubscribe link; keyed from the chat message, so it is queued once.
   */
  async emailDigestCopy(m: ClaimedMessage): Promise<void> {
    if (m.message.kind !== 'digest' || m.via || !m.recipientId || !this.enabled.EMAIL || !this.publicUrl)
      return;
    const method = await this.repo.get(m.recipientId, 'EMAIL');
    if (!method?.verifiedAt || !method.digestOptIn) return;
    const url = `${this.publicUrl}/unsubscribe/${await this.repo.unsubscribeToken(method.id)}`;
    await this.hub.outbox.enqueue({
      idempotencyKey: `${m.idempotencyKey}:email`,
      orgId: m.orgId,
      to: { staffId: m.recipientId },
      via: 'EMAIL',
      priority: m.priority,
      message: { ...m.message, link: { label: 'Unsubscribe', url } },
    });
  }

  async remove(
    orgId: string,
    staffId: string,
    kindWord: string | undefined,
    who: ContactActor,
  ): Promise<ContactKind> {
    const kind = parseContactKind(kindWord);
    const existing = await this.repo.get(staffId, kind);
    if (!existing) throw new ValidationError(`there is no ${kindName(kind)} to remove`, 'kind');
    await this.repo.remove(staffId, kind);
    await this.audit(orgId, who, 'contact.removed', existing);
    return kind;
  }

  /**
   * The people on an organisation's safeguarding rota (DSL, deputies, head) with no verified out-of-chat
   * method: when Teams is down for them, nothing else reaches them.
   */
  async rotaWithoutMethod(
    orgId: string,
  ): Promise<{ staffId: string; displayName: string; levels: string[] }[]> {
    const entries = await this.rota.list(orgId);
    const ids = [...new Set(entries.map((e) => e.staffId))];
    if (ids.length === 0) return [];
    const verified = await this.repo.verifiedStaff(ids);
    const out: { staffId: string; displayName: string; levels: string[] }[] = [];
    for (const id of ids) {
      if (verified.has(id)) continue;
      const s = await this.hub.staff.byId(id);
      if (!s?.active) continue;
      const levels = [...new Set(entries.filter((e) => e.staffId === id).map((e) => e.level.toLowerCase()))];
      out.push({ staffId: id, displayName: s.displayName, levels });
    }
    return out;
  }

  /** The chat reply listing a person's methods. */
  listMessage(lines: ContactLine[], title = 'Your contact methods outside the chat'): OutgoingMessage {
    return message({
      kind: 'text',
      audience: 'private',
      title,
      facts: lines.length
        ? lines.map((l) => ({
            label: kindName(l.kind),
            value: `${l.masked} (${l.status}${l.lastFailure ? `, last failure: ${l.lastFailure}` : ''})`,
          }))
        : [{ label: 'none', value: 'add one: settings contact add email|sms <value>' }],
      text:
        'Safeguarding alerts reach you here when the chat does not, with no details of the concern: only its reference, the time and a link. ' +
        'Usage: settings contact add email|sms <value> · settings contact verify <code> · settings contact resend email|sms · settings contact remove email|sms',
    });
  }
}
