/**
 * Checkpoints of the audit chain's head kept OUTSIDE the database: a line appended to a file in the data
 * folder (or AUDIT_ANCHOR_FILE), and optionally a row in a second PostgreSQL database (AUDIT_ANCHOR_URL).
 * Each checkpoint is signed with the audit key, so a forged or edited line is found. `audit verify`
 * compares the chain with every checkpoint: a rewritten chain no longer matches an anchored hash, and a
 * cut tail no longer reaches an anchored sequence number. What this does and does not detect:
 * docs/data-protection.md ("Audit trail: threat model").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { AuditAnchorPoint, AuditKey, AuditKeySource } from './audit-repository.ts';

interface AnchorLine {
  seq: number;
  hash: string;
  at: string;
  key: string;
  mac: string;
}

const TABLE = 'send_hub_audit_anchor';

function mac(k: AuditKey, seq: number, hash: string, at: string): string {
  return createHmac('sha256', k.key).update(`send-hub audit anchor\n${seq}\n${hash}\n${at}`).digest('hex');
}

export interface AnchorReading {
  points: AuditAnchorPoint[];
  /** Lines or rows that are not valid signed checkpoints: each one is a finding. */
  problems: string[];
}

export class AuditAnchors {
  private lastSeq: number | undefined;

  constructor(
    readonly file: string,
    private readonly keys: AuditKeySource,
    private readonly secondUrl?: string,
  ) {}

  /** Append a checkpoint of `head` unless the last one already covers it. Returns the checkpoint written. */
  async checkpoint(head: { seq: number; hash: string } | null, now: Date): Promise<AuditAnchorPoint | null> {
    if (!head) return null;
    this.lastSeq ??= this.lastFileSeq();
    if (this.lastSeq !== undefined && this.lastSeq >= head.seq) return null;
    const k = await this.keys.current();
    const at = now.toISOString();
    const line: AnchorLine = {
      seq: head.seq,
      hash: head.hash,
      at,
      key: k.id,
      mac: mac(k, head.seq, head.hash, at),
    };
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    this.lastSeq = head.seq;
    if (this.secondUrl)
      await this.withSecond((c) =>
        c.query(`INSERT INTO ${TABLE} (seq, hash, at, key, mac) VALUES ($1, $2, $3, $4, $5)`, [
          line.seq,
          line.hash,
          line.at,
          line.key,
          line.mac,
        ]),
      );
    return { seq: head.seq, hash: head.hash, at, where: this.file };
  }

  /** Every checkpoint, checked against the audit keys. */
  async read(): Promise<AnchorReading> {
    const keys = new Map((await this.keys.all()).map((k) => [k.id, k]));
    const points: AuditAnchorPoint[] = [];
    const problems: string[] = [];
    const take = (raw: unknown, where: string) => {
      const l = raw as Partial<AnchorLine>;
      const k = typeof l.key === 'string' ? keys.get(l.key) : undefined;
      const ok =
        k &&
        typeof l.seq === 'number' &&
        typeof l.hash === 'string' &&
        typeof l.at === 'string' &&
        typeof l.mac === 'string' &&
        l.mac.length === 64 &&
        timingSafeEqual(Buffer.from(l.mac), Buffer.from(mac(k, l.seq, l.hash, l.at)));
      if (ok) points.push({ seq: l.seq as number, hash: l.hash as string, at: l.at as string, where });
      else problems.push(`${where}: not a checkpoint signed with this hub's audit key (edited or forged)`);
    };
    if (fs.existsSync(this.file)) {
      const lines = fs.readFileSync(this.file, 'utf8').split('\n');
      lines.forEach((text, i) => {
        if (!text.trim()) return;
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          raw = {};
        }
        take(raw, `${this.file} line ${i + 1}`);
      });
    }
    if (this.secondUrl) {
      const rows = await this.withSecond(
        async (c) => (await c.query(`SELECT seq, hash, at, key, mac FROM ${TABLE} ORDER BY id`)).rows,
      );
      for (const r of rows as Record<string, unknown>[])
        take({ ...r, seq: Number(r.seq) }, `the second checkpoint store, seq ${String(r.seq)}`);
    }
    return { points, problems };
  }

  private lastFileSeq(): number | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    const fd = fs.openSync(this.file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 4096);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      const last = buf.toString('utf8').trim().split('\n').pop();
      const seq = last ? (JSON.parse(last) as Partial<AnchorLine>).seq : undefined;
      return typeof seq === 'number' ? seq : undefined;
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  private async withSecond<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    // Loaded when used (PostgreSQL): a SQLite process never loads pg (store/db.ts, lazyPgAdapter).
    const { Client } = (await import('pg')).default;
    const c = new Client({ connectionString: this.secondUrl, connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL, key TEXT NOT NULL, mac TEXT NOT NULL)`,
      );
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}
