/**
 * The audit chain's key and its checkpoints outside the database, as the hub uses them: the key source
 * (SEND_HUB_AUDIT_KEY, else a key kept encrypted in the database), the planner that writes a checkpoint
 * of the chain's head every AUDIT_ANCHOR_MINUTES, and `verifyAuditTrail`, which `audit verify` (CLI and
 * chat) runs: the chain, then every checkpoint against it. docs/data-protection.md has the threat model.
 */
import path from 'node:path';
import type { Planner } from '../../scheduler/tick.ts';
import { AppSecretRepository } from '../../store/app-secret-repository.ts';
import { AuditAnchors } from '../../store/audit-anchors.ts';
import {
  type AuditKey,
  type AuditKeySource,
  type AuditVerifyResult,
  auditKey,
} from '../../store/audit-repository.ts';
import type { FieldCipher } from '../../store/crypto/field-cipher.ts';
import type { Db } from '../../store/db.ts';
import type { Config } from '../config/index.ts';
import type { Hub } from '../container.ts';

export const AUDIT_KEY_SECRET = 'audit-chain-key';

/** The configured key signs; the one kept in the database (if any) still verifies what it signed. */
export function auditKeySource(config: Config, db: Db, cipher: FieldCipher): AuditKeySource {
  const secrets = new AppSecretRepository(db, cipher);
  const configured = config.raw.SEND_HUB_AUDIT_KEY as string | undefined;
  const fixed = configured ? auditKey(Buffer.from(configured, 'base64')) : undefined;
  let current: Promise<AuditKey> | undefined;
  return {
    current() {
      current ??= fixed
        ? Promise.resolve(fixed)
        : secrets.getOrCreate(AUDIT_KEY_SECRET).then(auditKey, (err: unknown) => {
            current = undefined;
            throw err;
          });
      return current;
    },
    async all() {
      const stored = await secrets.get(AUDIT_KEY_SECRET).catch(() => null);
      return [...(fixed ? [fixed] : []), ...(stored ? [auditKey(stored)] : [])];
    },
  };
}

export function auditAnchors(config: Config, keys: AuditKeySource): AuditAnchors {
  const file =
    (config.raw.AUDIT_ANCHOR_FILE as string | undefined) ?? path.join(config.dataDir, 'audit-anchors.log');
  return new AuditAnchors(path.resolve(file), keys, config.raw.AUDIT_ANCHOR_URL as string | undefined);
}

/** Write a checkpoint of the chain's head now (if it moved), and log it (sequence number and hash only). */
export async function checkpointAudit(hub: Hub): Promise<void> {
  const point = await hub.auditAnchors.checkpoint(await hub.audit.head(), hub.clock.now());
  if (point) hub.log.info({ auditSeq: point.seq, auditHash: point.hash }, 'audit checkpoint');
}

export function auditAnchorPlanner(hub: Hub): Planner {
  let last = 0;
  return {
    name: 'audit-anchor',
    async run(now): Promise<Record<string, number>> {
      const every = ((hub.config.raw.AUDIT_ANCHOR_MINUTES as number | undefined) ?? 5) * 60_000;
      if (now.getTime() - last < every) return { skipped: 1 };
      last = now.getTime();
      await checkpointAudit(hub);
      return { checkpoints: 1 };
    },
  };
}

export type AuditTrailReport = AuditVerifyResult & { checkpoints: number };

/** The chain and every checkpoint; when all agree, a new checkpoint of the head is written. */
export async function verifyAuditTrail(hub: Hub): Promise<AuditTrailReport> {
  const reading = await hub.auditAnchors.read();
  const first = reading.problems[0];
  if (first) return { ok: false, seq: 0, reason: first, checkpoints: reading.points.length };
  const r = await hub.audit.verify({ anchors: reading.points });
  if (r.ok) await checkpointAudit(hub).catch(() => undefined);
  return { ...r, checkpoints: reading.points.length };
}
