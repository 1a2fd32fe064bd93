/**
 * Web sessions and one-time sign-in links (issue 17; WebSession, WebSignInLink). Tokens never reach this
 * file: callers pass their SHA-256 (web/session.ts, web/sign-in-link.ts), so the database alone signs no
 * one in.
 */
import type { Db } from './db.ts';

export type SessionVia = 'entra' | 'slack' | 'teams-sso' | 'dev-link';

export interface WebSessionDto {
  id: string;
  staffId: string;
  orgId: string;
  via: SessionVia;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  flash: string | null;
}

const sessionSelect = {
  id: true,
  staffId: true,
  orgId: true,
  via: true,
  createdAt: true,
  lastSeenAt: true,
  expiresAt: true,
  flash: true,
} as const;

export type LinkUse =
  | { kind: 'ok'; staffId: string; orgId: string }
  | { kind: 'unknown' }
  | { kind: 'used'; staffId: string; orgId: string }
  | { kind: 'expired'; staffId: string; orgId: string };

export class WebSessionRepository {
  constructor(private readonly db: Db) {}

  async create(s: {
    tokenHash: string;
    staffId: string;
    orgId: string;
    via: SessionVia;
    now: Date;
    expiresAt: Date;
  }): Promise<WebSessionDto> {
    const row = await this.db.webSession.create({
      data: {
        tokenHash: s.tokenHash,
        staffId: s.staffId,
        orgId: s.orgId,
        via: s.via,
        createdAt: s.now,
        lastSeenAt: s.now,
        expiresAt: s.expiresAt,
      },
      select: sessionSelect,
    });
    return row as WebSessionDto;
  }

  async byTokenHash(tokenHash: string): Promise<WebSessionDto | null> {
    const row = await this.db.webSession.findUnique({ where: { tokenHash }, select: sessionSelect });
    return (row as WebSessionDto | null) ?? null;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.webSession.updateMany({ where: { id }, data: { lastSeenAt: at } });
  }

  async setFlash(id: string, flash: string | null): Promise<void> {
    await this.db.webSession.updateMany({ where: { id }, data: { flash } });
  }

  /** Read and clear the one-off message (null when there is none). */
  async takeFlash(id: string, flash: string): Promise<void> {
    // Cleared only if it is still the message shown: a newer one set meanwhile stays for the next page.
    await this.db.webSession.updateMany({ where: { id, flash }, data: { flash: null } });
  }

  async delete(id: string): Promise<void> {
    await this.db.webSession.deleteMany({ where: { id } });
  }

  /** Sessions past their lifetime or idle since `idleBefore`, and links past their expiry: removed. */
  async sweep(now: Date, idleBefore: Date): Promise<number> {
    const s = await this.db.webSession.deleteMany({
      where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lt: idleBefore } }] },
    });
    const l = await this.db.webSignInLink.deleteMany({
      where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } },
    });
    return s.count + l.count;
  }

  async createLink(l: {
    tokenHash: string;
    staffId: string;
    orgId: string;
    now: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.webSignInLink.create({
      data: {
        tokenHash: l.tokenHash,
        staffId: l.staffId,
        orgId: l.orgId,
        createdAt: l.now,
        expiresAt: l.expiresAt,
      },
    });
  }

  /**
   * Use a link once: a conditional update (usedAt still null, not expired) so two requests racing with
   * the same link cannot both sign in; the loser is told it was used.
   */
  async useLink(tokenHash: string, now: Date): Promise<LinkUse> {
    const won = await this.db.webSignInLink.updateMany({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    const row = await this.db.webSignInLink.findUnique({
      where: { tokenHash },
      select: { staffId: true, orgId: true, usedAt: true, expiresAt: true },
    });
    if (!row) return { kind: 'unknown' };
    const who = { staffId: row.staffId, orgId: row.orgId };
    if (won.count === 1) return { kind: 'ok', ...who };
    if (row.usedAt) return { kind: 'used', ...who };
    return { kind: 'expired', ...who };
  }
}
