/**
 * Contact methods (issue 16): one work e-mail and one mobile per member of staff, the value encrypted at
 * rest (FieldCipher, "ContactMethod.valueEnc") with a keyed hash beside it for lookups, and a verification
 * code stored only as a keyed hash with an expiry and a count of wrong guesses.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { ContactKind } from '../core/contacts/contact-value.ts';
import type { Clock } from '../core/ports.ts';
import { AppSecretRepository } from './app-secret-repository.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';

const CONTEXT = 'ContactMethod.valueEnc';
/** The hub's own key for contact hashes (AppSecret), made on first use. */
const HASH_KEY = 'contact-hash-key';
/** A code is good for 30 minutes and five guesses (a 6-digit code: 5 guesses in 10^6). */
export const CODE_TTL_MS = 30 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

export interface ContactMethodDto {
  id: string;
  orgId: string;
  staffId: string;
  kind: ContactKind;
  /** The plain value (decrypted): for the transports only; show it masked. */
  value: string;
  source: string;
  verifiedAt: Date | null;
  lastFailure: string | null;
  lastFailureAt: Date | null;
  /** When the pending code (if any) was made. */
  codeIssuedAt: Date | null;
  /** EMAIL: deadline digests by e-mail too (settings digest email on). */
  digestOptIn: boolean;
}

const select = {
  id: true,
  orgId: true,
  staffId: true,
  kind: true,
  valueEnc: true,
  source: true,
  verifiedAt: true,
  lastFailure: true,
  lastFailureAt: true,
  codeExpiresAt: true,
  digestOptIn: true,
} as const;

/** A seeded work e-mail replaced by the staff import's new address (followImportedEmails). */
export interface ReplacedEmail {
  id: string;
  orgId: string;
  staffId: string;
  wasVerified: boolean;
}

export type VerifyOutcome =
  | { ok: true; method: ContactMethodDto }
  | { ok: false; reason: 'no_pending' | 'expired' | 'wrong' | 'too_many' };

export class ContactRepository {
  private readonly secrets: AppSecretRepository;
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {
    this.secrets = new AppSecretRepository(db, cipher);
  }

  private hashKey(): Promise<Buffer> {
    this.key ??= this.secrets.getOrCreate(HASH_KEY).catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  private async hash(...parts: string[]): Promise<string> {
    return createHmac('sha256', await this.hashKey())
      .update(parts.join('\u0000'))
      .digest('base64url');
  }

  private toDto(r: {
    id: string;
    orgId: string;
    staffId: string;
    kind: ContactKind;
    valueEnc: string;
    source: string;
    verifiedAt: Date | null;
    lastFailure: string | null;
    lastFailureAt: Date | null;
    codeExpiresAt: Date | null;
    digestOptIn: boolean;
  }): ContactMethodDto {
    const { valueEnc, codeExpiresAt, ...rest } = r;
    return {
      ...rest,
      value: this.cipher.decrypt(valueEnc, CONTEXT),
      codeIssuedAt: codeExpiresAt ? new Date(codeExpiresAt.getTime() - CODE_TTL_MS) : null,
    };
  }

  async list(staffId: string): Promise<ContactMethodDto[]> {
    const rows = await this.db.contactMethod.findMany({
      where: { staffId },
      orderBy: { kind: 'asc' },
      select,
    });
    return rows.map((r) => this.toDto(r));
  }

  async get(staffId: string, kind: ContactKind): Promise<ContactMethodDto | null> {
    const r = await this.db.contactMethod.findUnique({ where: { staffId_kind: { staffId, kind } }, select });
    return r ? this.toDto(r) : null;
  }

  /** The method a message of this kind goes to: verified only, unless `pendingToo` (a verification code). */
  async deliverable(
    staffId: string,
    kind: ContactKind,
    pendingToo = false,
  ): Promise<ContactMethodDto | null> {
    const m = await this.get(staffId, kind);
    return m && (m.verifiedAt || pendingToo) ? m : null;
  }

  /**
   * Set (or replace) a person's method of `kind` with a new, unverified value and a fresh code. Returns the
   * method and the code in clear, to be sent by the method itself; only its hash is stored.
   */
  async setPending(
    orgId: string,
    staffId: string,
    kind: ContactKind,
    value: string,
    source: 'person' | 'admin' | 'import',
  ): Promise<{ method: ContactMethodDto; code: string }> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const valueHash = await this.hash('value', kind, value);
    const valueEnc = this.cipher.encrypt(value, CONTEXT);
    const now = this.clock.now();
    const data = {
      valueEnc,
      valueHash,
      source,
      verifiedAt: null,
      codeHash: null as string | null,
      codeExpiresAt: new Date(now.getTime() + CODE_TTL_MS),
      codeAttempts: 0,
      lastFailure: null,
      lastFailureAt: null,
    };
    const row = await this.db.contactMethod.upsert({
      where: { staffId_kind: { staffId, kind } },
      create: { orgId, staffId, kind, ...data },
      update: data,
      select,
    });
    // The code is bound to this method row: a code for the old e-mail does not verify the new mobile.
    await this.db.contactMethod.update({
      where: { id: row.id },
      data: { codeHash: await this.hash('code', row.id, code) },
    });
    return { method: this.toDto(row), code };
  }

  /** A new code for an existing unverified method (the first one expired or never arrived). */
  async newCode(
    staffId: string,
    kind: ContactKind,
  ): Promise<{ method: ContactMethodDto; code: string } | null> {
    const m = await this.get(staffId, kind);
    if (!m) return null;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.contactMethod.update({
      where: { id: m.id },
      data: {
        codeHash: await this.hash('code', m.id, code),
        codeExpiresAt: new Date(this.clock.now().getTime() + CODE_TTL_MS),
        codeAttempts: 0,
      },
    });
    return { method: m, code };
  }

  /**
   * Check a code against the person's pending methods (whichever it was sent for). A right code verifies
   * that method and clears the code; a wrong one counts against every pending method of the person.
   */
  async verify(staffId: string, code: string): Promise<VerifyOutcome> {
    const pending = await this.db.contactMethod.findMany({
      where: { staffId, codeHash: { not: null } },
      select: { ...select, codeHash: true, codeExpiresAt: true, codeAttempts: true },
    });
    if (pending.length === 0) return { ok: false, reason: 'no_pending' };
    const now = this.clock.now();
    for (const p of pending) {
      const expected = Buffer.from(p.codeHash ?? '');
      const given = Buffer.from(await this.hash('code', p.id, code.trim()));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
      if (p.codeAttempts >= MAX_CODE_ATTEMPTS) return { ok: false, reason: 'too_many' };
      if (!p.codeExpiresAt || p.codeExpiresAt < now) return { ok: false, reason: 'expired' };
      const row = await this.db.contactMethod.update({
        where: { id: p.id },
        data: { verifiedAt: now, codeHash: null, codeExpiresAt: null, codeAttempts: 0 },
        select,
      });
      return { ok: true, method: this.toDto(row) };
    }
    await this.db.contactMethod.updateMany({
      where: { staffId, codeHash: { not: null } },
      data: { codeAttempts: { increment: 1 } },
    });
    const worst = Math.max(...pending.map((p) => p.codeAttempts + 1));
    return { ok: false, reason: worst >= MAX_CODE_ATTEMPTS ? 'too_many' : 'wrong' };
  }

  /** Deadline digests by e-mail on or off (the verified EMAIL method); false when there is none. */
  async setDigestOptIn(staffId: string, on: boolean): Promise<boolean> {
    const r = await this.db.contactMethod.updateMany({
      where: { staffId, kind: 'EMAIL', ...(on ? { verifiedAt: { not: null } } : {}) },
      data: { digestOptIn: on },
    });
    return r.count > 0;
  }

  /** The unsubscribe link's token for a method: `<id>.<HMAC>`; no expiry (an old e-mail's link still works). */
  async unsubscribeToken(methodId: string): Promise<string> {
    return `${methodId}.${await this.hash('unsubscribe', methodId)}`;
  }

  /** Turn digests off for the method a token names; null when the token is not one of ours. */
  async unsubscribe(token: string): Promise<ContactMethodDto | null> {
    const [id = '', sig = ''] = token.split('.');
    const expected = Buffer.from(await this.hash('unsubscribe', id));
    const given = Buffer.from(sig);
    if (!id || expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const rows = await this.db.contactMethod.updateManyAndReturn({
      where: { id },
      data: { digestOptIn: false },
      select,
    });
    return rows[0] ? this.toDto(rows[0]) : null;
  }

  async remove(staffId: string, kind: ContactKind): Promise<boolean> {
    const r = await this.db.contactMethod.deleteMany({ where: { staffId, kind } });
    return r.count > 0;
  }

  /** A provider said this method does not work (hard bounce, permanent SMS failure): a short code only. */
  async recordFailure(id: string, reason: string): Promise<void> {
    await this.db.contactMethod.updateMany({
      where: { id },
      data: { lastFailure: reason.slice(0, 80), lastFailureAt: this.clock.now() },
    });
  }

  /** Of these people, who has a verified method (any kind). */
  async verifiedStaff(staffIds: string[]): Promise<Set<string>> {
    const rows = await this.db.contactMethod.findMany({
      where: { staffId: { in: staffIds }, verifiedAt: { not: null } },
      select: { staffId: true },
    });
    return new Set(rows.map((r) => r.staffId));
  }

  /**
   * The seeded work e-mail follows the staff import (issue 16): where a later import changed Staff.email,
   * the EMAIL method the import seeded (source 'import', verified or not) takes the new address, unverified,
   * its code, failures and digest opt-in cleared (the new address must be verified first). A method the
   * person or an admin entered is left alone. Looks at staff changed since `since` (Staff.updatedAt); the
   * update is conditional on the old hash and source, so a person's own `settings contact add` at the same
   * moment wins. Returns the methods replaced (no values), how many were looked at, and the latest
   * Staff.updatedAt among them (the caller's next `since`).
   */
  async followImportedEmails(
    since: Date,
    limit = 500,
  ): Promise<{ replaced: ReplacedEmail[]; scanned: number; lastSeen: Date | null }> {
    const rows = await this.db.contactMethod.findMany({
      where: { kind: 'EMAIL', source: 'import', staff: { updatedAt: { gte: since } } },
      select: {
        id: true,
        orgId: true,
        staffId: true,
        valueHash: true,
        verifiedAt: true,
        staff: { select: { email: true, updatedAt: true } },
      },
      orderBy: { staff: { updatedAt: 'asc' } },
      take: limit,
    });
    const replaced: ReplacedEmail[] = [];
    for (const r of rows) {
      const value = r.staff.email.trim();
      if (!value.includes('@')) continue;
      const valueHash = await this.hash('value', 'EMAIL', value);
      if (valueHash === r.valueHash) continue;
      const changed = await this.db.contactMethod.updateMany({
        where: { id: r.id, source: 'import', valueHash: r.valueHash },
        data: {
          valueEnc: this.cipher.encrypt(value, CONTEXT),
          valueHash,
          verifiedAt: null,
          codeHash: null,
          codeExpiresAt: null,
          codeAttempts: 0,
          lastFailure: null,
          lastFailureAt: null,
          digestOptIn: false,
        },
      });
      if (changed.count > 0)
        replaced.push({ id: r.id, orgId: r.orgId, staffId: r.staffId, wasVerified: r.verifiedAt !== null });
    }
    return { replaced, scanned: rows.length, lastSeen: rows.at(-1)?.staff.updatedAt ?? null };
  }

  /**
   * Work e-mail from the staff import (issue 16): an unverified EMAIL method for every active member of
   * staff who has none yet, from Staff.email. No code is sent: the person asks for one (`settings contact
   * verify`) or an admin does. Returns how many were made.
   */
  async seedWorkEmails(limit = 500): Promise<number> {
    const staff = await this.db.staff.findMany({
      where: { active: true, contactMethods: { none: { kind: 'EMAIL' } } },
      select: { id: true, orgId: true, email: true },
      take: limit,
    });
    let made = 0;
    for (const s of staff) {
      if (!s.email.includes('@')) continue;
      const value = s.email.trim();
      const created = await this.db.contactMethod.createMany({
        data: [
          {
            orgId: s.orgId,
            staffId: s.id,
            kind: 'EMAIL',
            valueEnc: this.cipher.encrypt(value, CONTEXT),
            valueHash: await this.hash('value', 'EMAIL', value),
            source: 'import',
          },
        ],
      });
      made += created.count;
    }
    return made;
  }
}
