/**
 * Slack OAuth installations (one per workspace or Enterprise Grid org) in the SlackInstallation table.
 * The whole installation (bot token, user token, refresh token) is encrypted at rest with the field
 * cipher; only the team/enterprise ids, which Slack sends in clear on every request, are stored plain.
 * Implements @slack/oauth's InstallationStore so Bolt's InstallProvider can use it directly.
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';

const CONTEXT = 'SlackInstallation.dataEnc';

/** Enterprise-wide installs are keyed by the enterprise id with an empty team id. */
function keyOf(q: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean;
}) {
  return q.isEnterpriseInstall
    ? { enterpriseId: q.enterpriseId ?? '', teamId: '' }
    : { enterpriseId: q.enterpriseId ?? '', teamId: q.teamId ?? '' };
}

export class SlackInstallationStore implements InstallationStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    /** Organisation a new installation is attributed to (single-trust hubs). */
    private readonly defaultOrgId?: string,
  ) {}

  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion, boolean>,
  ): Promise<void> {
    const key = keyOf({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall === true,
    });
    const dataEnc = this.cipher.encryptJson(installation, CONTEXT);
    await this.db.slackInstallation.upsert({
      where: { enterpriseId_teamId: key },
      create: { ...key, dataEnc, orgId: this.defaultOrgId ?? null },
      update: { dataEnc },
    });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const row = await this.db.slackInstallation.findUnique({
      where: { enterpriseId_teamId: keyOf(query) },
      select: { dataEnc: true },
    });
    if (!row) {
      throw new Error(
        `no Slack installation for team ${query.teamId ?? '-'} / enterprise ${query.enterpriseId ?? '-'}`,
      );
    }
    return this.cipher.decryptJson<Installation<'v1' | 'v2', boolean>>(row.dataEnc, CONTEXT);
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.db.slackInstallation.deleteMany({ where: keyOf(query) });
  }

  /** The organisation a workspace belongs to (null when not assigned yet). */
  async orgFor(teamId: string, enterpriseId = ''): Promise<string | null> {
    const row = await this.db.slackInstallation.findFirst({
      where: {
        OR: [
          { teamId, enterpriseId },
          { teamId: '', enterpriseId: enterpriseId || '-' },
        ],
      },
      select: { orgId: true },
    });
    return row?.orgId ?? null;
  }

  /** Team ids of every installation (for the staff link sweep). */
  async teams(): Promise<{ teamId: string; enterpriseId: string; orgId: string | null }[]> {
    return this.db.slackInstallation.findMany({
      select: { teamId: true, enterpriseId: true, orgId: true },
      orderBy: { createdAt: 'asc' },
    });
  }
}
