/**
 * `send-hub keys rotate`: re-encrypt every encrypted column with the current key, in batches.
 *
 * Resumable by construction: a value already under the current key is skipped, so an interrupted run is
 * simply run again. Each value is replaced with an optimistic update (`where id and old ciphertext`), so a
 * record changed by the running hub meanwhile is left alone (it was written with the current key anyway).
 * A value that does not decrypt (tampered, or its key is no longer configured) is counted and named by
 * table, column and id, never skipped silently: the old key must stay configured until the report is clean.
 */
import type { Db } from '../db.ts';
import { contextOf, delegateOf, type EncryptedColumn, encryptedColumns } from './encrypted-columns.ts';
import { FieldCipher } from './field-cipher.ts';

export interface ColumnRotation {
  column: string;
  rotated: number;
  alreadyCurrent: number;
  /** Changed by someone else between read and write: already current, nothing to do. */
  raced: number;
  failed: { id: string; reason: string }[];
}

export interface RotationReport {
  keyId: string;
  columns: ColumnRotation[];
  rotated: number;
  failed: number;
}

export async function rotateKeys(
  db: Db,
  cipher: FieldCipher,
  options: {
    batchSize?: number;
    columns?: readonly EncryptedColumn[];
    onBatch?: (column: string, done: number) => void;
  } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const current = cipher.currentKeyId;
  const columns: ColumnRotation[] = [];
  for (const col of options.columns ?? encryptedColumns) {
    const ctx = contextOf(col);
    const delegate = delegateOf(db, col);
    const r: ColumnRotation = { column: ctx, rotated: 0, alreadyCurrent: 0, raced: 0, failed: [] };
    r.alreadyCurrent = await delegate.count({ where: { [col.field]: { startsWith: `v1:${current}:` } } });
    let cursor = '';
    for (;;) {
      const rows = await delegate.findMany({
        where: {
          id: { gt: cursor },
          ...(col.nullable ? { NOT: [{ [col.field]: null }] } : {}),
          [col.field]: { not: { startsWith: `v1:${current}:` } },
        },
        select: { id: true, [col.field]: true },
        orderBy: { id: 'asc' },
        take: batchSize,
      });
      if (rows.length === 0) break;
      for (const row of rows) {
        const id = row.id as string;
        const value = row[col.field];
        cursor = id;
        if (!value) continue;
        if (FieldCipher.keyIdOf(value) === current) {
          r.alreadyCurrent++;
          continue;
        }
        let next: string;
        try {
          next = cipher.encrypt(cipher.decrypt(value, ctx), ctx);
        } catch (err) {
          r.failed.push({ id, reason: err instanceof Error ? err.message : String(err) });
          continue;
        }
        const { count } = await delegate.updateMany({
          where: { id, [col.field]: value },
          data: { [col.field]: next },
        });
        if (count === 1) r.rotated++;
        else r.raced++;
      }
      options.onBatch?.(ctx, r.rotated);
    }
    columns.push(r);
  }
  return {
    keyId: current,
    columns,
    rotated: columns.reduce((n, c) => n + c.rotated, 0),
    failed: columns.reduce((n, c) => n + c.failed.length, 0),
  };
}

/** How many values each key id encrypts (to know when an old key can be retired). */
export async function keyUsage(db: Db, keyIds: string[]): Promise<Record<string, number>> {
  const usage: Record<string, number> = Object.fromEntries(keyIds.map((k) => [k, 0]));
  for (const col of encryptedColumns) {
    const delegate = delegateOf(db, col);
    for (const k of keyIds) {
      usage[k] =
        (usage[k] ?? 0) + (await delegate.count({ where: { [col.field]: { startsWith: `v1:${k}:` } } }));
    }
  }
  return usage;
}
