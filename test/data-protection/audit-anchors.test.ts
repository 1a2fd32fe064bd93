/**
 * The keyed audit chain and its checkpoints outside the database (issue 15, point 16). Someone who can
 * write to the database (but has neither the audit key nor the data folder) cuts the tail, or edits a row
 * and recomputes every later hash with the project's own function: `send-hub audit verify`, run from the
 * command line as an admin would, finds each. Both providers.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointAudit } from '../../app/data-protection/audit-chain.ts';
import { auditVerify } from '../../app/data-protection/cli-commands.ts';
import {
  AuditRepository,
  auditKey,
  GENESIS_HASH,
  hashEvent,
  keyedHashEvent,
} from '../../store/audit-repository.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function cliVerify(t: TestHub) {
  const env = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    LOG_LEVEL: 'error',
    DATABASE_URL: t.url,
    DATA_DIR: t.hub.config.dataDir,
    SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    SEND_HUB_ENV: 'test',
  };
  try {
    const r = await run(process.execPath, [path.join(root, 'bin/send-hub.mjs'), 'audit', 'verify'], {
      cwd: root,
      env,
      timeout: 120_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function someEvents(t: TestHub, n: number) {
  for (let i = 0; i < n; i++) {
    await t.hub.audit.record({
      actorKind: 'staff',
      action: `test.event${i}`,
      subjectType: 'student',
      subjectId: 's',
      details: { i },
    });
    t.clock.advanceMinutes(1);
  }
}

type Row = Awaited<ReturnType<AuditRepository['recent']>>[number];

describe.each(providers)('keyed audit chain and checkpoints on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t?.close();
  });

  // The attacker's database access: the append-only triggers dropped or disabled.
  const bypass = async (sql: string) => {
    const db = t.hub.dbh.db;
    if (provider === 'sqlite') {
      await db.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
      await db.$executeRawUnsafe('DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
    } else {
      await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"');
    }
    await db.$executeRawUnsafe(sql);
  };
  const rows = async (): Promise<Row[]> => (await t.hub.audit.recent(1000)).reverse();
  /** Edit event 2's action and recompute every later link with `link`. */
  const rewriteFrom2 = async (link: (prev: string, r: Row) => string) => {
    let prev = GENESIS_HASH;
    for (const r of await rows()) {
      const row = r.seq === 2 ? { ...r, action: 'test.forged' } : r;
      const hash = r.seq === 1 ? r.hash : link(prev, row);
      if (r.seq >= 2)
        await bypass(
          `UPDATE "AuditEvent" SET "action" = '${row.action}', "prevHash" = '${prev}', "hash" = '${hash}' WHERE "seq" = ${r.seq}`,
        );
      prev = hash;
    }
  };

  it(
    'an intact trail verifies from the command line, and each verify leaves a signed checkpoint',
    { timeout: 240_000 },
    async () => {
      t = await startTestHub(provider);
      await someEvents(t, 3);
      const first = await cliVerify(t);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/Audit trail intact: 3 event\(s\), keyed hash chain verified; no checkpoint/);
      const file = path.join(t.hub.config.dataDir, 'audit-anchors.log');
      const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as { seq: number; hash: string };
      expect(line.seq).toBe(3);
      expect(line.hash).toMatch(/^k1\.[0-9a-f]{8}:[0-9a-f]{64}$/);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // No secret in the database in plain text: the key is stored encrypted.
      const secret = await t.hub.dbh.db.appSecret.findFirstOrThrow();
      expect(secret.valueEnc).toMatch(/^v1:/);
    },
  );

  it(
    'a cut tail is found from the command line: the checkpoint saw events the database no longer has',
    { timeout: 240_000 },
    async () => {
      t = await startTestHub(provider);
      await someEvents(t, 5);
      await checkpointAudit(t.hub);
      await bypass(`DELETE FROM "AuditEvent" WHERE "seq" >= 4`);
      const r = await cliVerify(t);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /AUDIT TRAIL BROKEN at event 4: events 4 to 5 are missing: the checkpoint of .* saw event 5 \(the tail was cut\)/,
      );
    },
  );

  it("a row edited and every later hash recomputed with the project's unkeyed function is found", async () => {
    t = await startTestHub(provider);
    await someEvents(t, 4);
    await rewriteFrom2((prev, r) => hashEvent(prev, r));
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/^AUDIT TRAIL BROKEN at event 2: unkeyed hash after keyed event 1/);
  });

  it('a chain recomputed with the keyed function but a guessed key is found at the edited row', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 4);
    const real = (await rows())[0]?.hash.slice(3, 11) as string;
    const guess = { ...auditKey(Buffer.alloc(32, 7)), id: real };
    await rewriteFrom2((prev, r) => keyedHashEvent(guess, prev, r));
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/^AUDIT TRAIL BROKEN at event 2: hash mismatch/);
  });

  it('even with the key, a chain rewritten after a checkpoint disagrees with the checkpoint', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 4);
    await checkpointAudit(t.hub);
    const [k] = await (
      t.hub.audit as unknown as { keys: { all(): Promise<ReturnType<typeof auditKey>[]> } }
    ).keys.all();
    await rewriteFrom2((prev, r) => keyedHashEvent(k as ReturnType<typeof auditKey>, prev, r));
    expect((await t.hub.audit.verify()).ok).toBe(true); // the chain alone looks intact
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(
      /^AUDIT TRAIL BROKEN at event 4: differs from the checkpoint of .*: the chain was rewritten/,
    );
  });

  it('an edited checkpoint line is reported, not trusted', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 2);
    await checkpointAudit(t.hub);
    const file = t.hub.auditAnchors.file;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"seq":2', '"seq":1'));
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/audit-anchors\.log line 1: not a checkpoint signed with this hub's audit key/);
  });

  it('rows written before the chain was keyed still verify, and keyed rows follow them', async () => {
    t = await startTestHub(provider);
    const legacy = new AuditRepository(t.hub.dbh.db, t.hub.dbh.provider, t.clock);
    await legacy.record({ actorKind: 'system', action: 'old.event', subjectType: 'x', subjectId: '1' });
    await someEvents(t, 2);
    const hashes = (await rows()).map((r) => r.hash);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toMatch(/^k1\./);
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/^Audit trail intact: 3 event\(s\)/);
  });

  it('the running hub writes checkpoints on its tick, at most every AUDIT_ANCHOR_MINUTES', async () => {
    t = await startTestHub(provider, { env: { AUDIT_ANCHOR_MINUTES: '5' } });
    await someEvents(t, 1);
    await t.hub.scheduler.tick();
    await someEvents(t, 1);
    await t.hub.scheduler.tick(); // within 5 minutes: no second line
    const file = t.hub.auditAnchors.file;
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    t.clock.advanceMinutes(6);
    await someEvents(t, 1);
    await t.hub.scheduler.tick();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe.runIf(providers.includes('postgres'))('audit checkpoints in a second store (PostgreSQL)', () => {
  it('a cut tail is found through the second store even when the checkpoint file is gone', async () => {
    const second = await freshDatabaseUrl('postgres');
    const t = await startTestHub('postgres', { env: { AUDIT_ANCHOR_URL: second.url } });
    try {
      await someEvents(t, 3);
      await checkpointAudit(t.hub);
      fs.rmSync(t.hub.auditAnchors.file);
      await t.hub.dbh.db.$executeRawUnsafe(
        'ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"',
      );
      await t.hub.dbh.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 3`);
      const out: string[] = [];
      expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
      expect(out[0]).toMatch(
        /events 3 to 3 are missing: the checkpoint of .* \(the second checkpoint store, seq 3\) saw event 3/,
      );
    } finally {
      await t.close();
      await second.drop();
    }
  });
});
