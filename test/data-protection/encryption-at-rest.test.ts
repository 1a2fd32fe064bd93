/**
 * Encryption at rest (issue 10): every `*Enc` column is covered by rotation, no plaintext reaches the
 * database (the SQLite file's bytes are searched; on PostgreSQL the columns are), and `send-hub keys
 * rotate` re-encrypts every value with the new key, leaving every record readable, resumably.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { createHub, type Hub } from '../../app/container.ts';
import { AUDIT_KEY_SECRET } from '../../app/data-protection/audit-chain.ts';
import { keysGenerate, keysRotate, keysStatus } from '../../app/data-protection/cli-commands.ts';
import { createLogger } from '../../app/logger.ts';
import { contextOf, delegateOf, encryptedColumns } from '../../store/crypto/encrypted-columns.ts';
import { FieldCipher, generateKeySpec } from '../../store/crypto/field-cipher.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { addStudent, MARKER, seedEncryptedRows, seedSchool } from './seed.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEST_KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe('the encrypted-column list', () => {
  it('names every *Enc field of prisma/models.prisma', () => {
    const schema = fs.readFileSync(path.join(root, 'prisma/models.prisma'), 'utf8');
    const found: string[] = [];
    let model = '';
    for (const line of schema.split('\n')) {
      const m = /^model (\w+) \{/.exec(line);
      if (m) model = m[1]!;
      const f = /^\s+(\w+Enc)\s+String/.exec(line);
      if (f && model) found.push(`${model}.${f[1]}`);
    }
    expect(found.length).toBeGreaterThanOrEqual(11);
    expect(encryptedColumns.map(contextOf).sort()).toEqual(found.sort());
  });
});

/** Every encrypted value the seed wrote (the hub's own audit chain key, random bytes, is left out). */
async function allValues(hub: Hub): Promise<{ column: string; id: string; value: string }[]> {
  const out: { column: string; id: string; value: string }[] = [];
  for (const col of encryptedColumns) {
    const rows = await delegateOf(hub.dbh.db, col).findMany({
      where: col.model === 'AppSecret' ? { id: { not: AUDIT_KEY_SECRET } } : {},
      select: { id: true, [col.field]: true },
      orderBy: { id: 'asc' },
      take: 10_000,
    });
    for (const r of rows)
      if (r[col.field]) out.push({ column: contextOf(col), id: r.id!, value: r[col.field]! });
  }
  return out;
}

async function hubWithKey(url: string, dataDir: string, key: string): Promise<Hub> {
  const config = loadConfig(
    { SEND_HUB_ENV: 'test', DATABASE_URL: url, DATA_DIR: dataDir, SEND_HUB_ENCRYPTION_KEY: key },
    dataDir,
  );
  return createHub(config, createLogger('silent'), { modules: [] });
}

describe.each(providers)('encryption at rest on %s', (provider) => {
  let t: TestHub;
  const extra: Hub[] = [];
  afterEach(async () => {
    for (const h of extra.splice(0)) await h.dbh.close();
    await t?.close();
  });

  it('stores no plaintext: every encrypted column holds v1 ciphertext, and the database holds no marker', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const studentId = await addStudent(t.hub, orgId, { givenName: 'Zed', familyName: 'Quill' });
    const { expected } = await seedEncryptedRows(t.hub, orgId, studentId, staff.dsl);
    // The real outbox repository encrypts too.
    await t.hub.outbox.enqueue({
      idempotencyKey: 'real-1',
      orgId,
      to: { staffId: staff.dsl },
      message: {
        kind: 'text',
        audience: 'private',
        title: `${MARKER} outbox title`,
        text: '',
        facts: [],
        sections: [],
        actions: [],
        urgent: false,
      },
    });
    const values = await allValues(t.hub);
    expect(values.length).toBe(encryptedColumns.length + 1);
    for (const v of values) {
      expect(v.value).toMatch(/^v1:test1:[\w-]+:[\w-]+:[\w-]*$/);
      expect(v.value).not.toContain(MARKER);
      expect(expected[v.column]).toBeDefined();
      expect(t.hub.cipher.decrypt(v.value, v.column)).toContain(MARKER);
    }
    if (provider === 'sqlite') {
      const file = t.url.replace(/^file:/, '');
      await t.hub.dbh.db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
      const dir = path.dirname(file);
      const bytes = Buffer.concat(
        fs
          .readdirSync(dir)
          .filter((f) => f.startsWith(path.basename(file)))
          .map((f) => fs.readFileSync(path.join(dir, f))),
      );
      expect(bytes.length).toBeGreaterThan(0);
      // Sanity: unencrypted data is visible in the bytes (so the search itself works)…
      expect(bytes.includes(Buffer.from('Quill'))).toBe(true);
      // …and none of the encrypted plaintexts is.
      expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
    } else {
      for (const col of encryptedColumns) {
        const rows = (await t.hub.dbh.db.$queryRawUnsafe(
          `SELECT count(*)::int AS n FROM "${col.model}" WHERE "${col.field}" LIKE '%' || $1 || '%'`,
          MARKER,
        )) as { n: number }[];
        expect(rows[0]!.n, contextOf(col)).toBe(0);
      }
    }
  });

  it('a ciphertext moved to another column does not decrypt (the context binds it)', async () => {
    t = await startTestHub(provider);
    const v = t.hub.cipher.encrypt('secret', 'Concern.textEnc');
    expect(() => t.hub.cipher.decrypt(v, 'TacNote.contentEnc')).toThrow(/failed authentication/);
  });

  it('keys rotate re-encrypts every column with the new key; every record stays readable; a re-run has nothing to do', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const expected: Record<string, string>[] = [];
    for (let i = 0; i < 3; i++) {
      const sid = await addStudent(t.hub, orgId, { givenName: `Kid${i}`, familyName: 'Test' });
      expected.push((await seedEncryptedRows(t.hub, orgId, sid, staff.dsl)).expected);
    }
    const dataDir = path.dirname(t.url.replace(/^file:/, '')) || '/tmp';
    const k2 = generateKeySpec('k2');
    const rotated = await hubWithKey(t.url, dataDir, `${k2},${TEST_KEY}`);
    extra.push(rotated);
    const lines: string[] = [];
    expect(await keysRotate(rotated, { batch: 2 }, (l) => lines.push(l))).toBe(0);
    // 48 seeded values and the hub's audit chain key (made when the hub started).
    expect(lines.join('\n')).toMatch(/Done: 49 value\(s\) re-encrypted/);

    // Only the new key is needed now.
    const onlyNew = await hubWithKey(t.url, dataDir, k2);
    extra.push(onlyNew);
    const values = await allValues(onlyNew);
    expect(values).toHaveLength(48);
    for (const v of values) {
      expect(FieldCipher.keyIdOf(v.value)).toBe('k2');
      expect(onlyNew.cipher.decrypt(v.value, v.column)).toMatch(
        new RegExp(`^${MARKER} ${v.column.replace('.', '\\.')}`),
      );
    }
    // Resumable and idempotent: a second run finds everything current.
    const again: string[] = [];
    expect(await keysRotate(rotated, {}, (l) => again.push(l))).toBe(0);
    expect(again.join('\n')).toMatch(/Done: 0 value\(s\) re-encrypted/);
    const status: string[] = [];
    await keysStatus(rotated, (l) => status.push(l));
    // 48 seeded values and the audit chain's own key.
    expect(status).toEqual(['k2 (current): encrypts 49 value(s)', 'test1: encrypts 0 value(s)']);
    const audit = await rotated.audit.recent(5);
    expect(audit.some((a) => a.action === 'keys.rotated' && a.subjectId === 'k2')).toBe(true);
  });

  it('keys rotate reports a value it cannot decrypt, rotates the rest, and exits 1 until fixed', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const sid = await addStudent(t.hub, orgId, { givenName: 'Kid', familyName: 'Test' });
    const { concernId } = await seedEncryptedRows(t.hub, orgId, sid, staff.dsl);
    // A value written under a key nobody has any more.
    const lost = new FieldCipher({ currentId: 'lost', keys: new Map([['lost', Buffer.alloc(32, 7)]]) });
    await t.hub.dbh.db.concern.update({
      where: { id: concernId },
      data: { textEnc: lost.encrypt('x', 'Concern.textEnc') },
    });
    const rotated = await hubWithKey(t.url, '/tmp', `${generateKeySpec('k2')},${TEST_KEY}`);
    extra.push(rotated);
    const lines: string[] = [];
    expect(await keysRotate(rotated, {}, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain(
      `Concern.textEnc id ${concernId}: value in Concern.textEnc is encrypted with key "lost"`,
    );
    const values = await allValues(rotated);
    expect(values.filter((v) => FieldCipher.keyIdOf(v.value) === 'k2')).toHaveLength(15);
  });
});

describe('keys generate', () => {
  it('prints a valid 32-byte key, and --write puts it first in the data-folder key file', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'keys-'));
    try {
      fs.writeFileSync(path.join(dir, 'encryption.key'), `${TEST_KEY}\n`);
      const config = loadConfig({ SEND_HUB_ENV: 'development', DATA_DIR: dir }, dir);
      const lines: string[] = [];
      expect(keysGenerate({ config }, { id: 'k9' }, (l) => lines.push(l))).toBe(0);
      expect(lines[0]).toMatch(/^k9:[A-Za-z0-9+/]{43}=$/);
      expect(keysGenerate({ config }, { id: 'k9', write: true }, (l) => lines.push(l))).toBe(0);
      const file = fs.readFileSync(path.join(dir, 'encryption.key'), 'utf8').trim();
      expect(file.split(',').map((k) => k.split(':')[0])).toEqual(['k9', 'test1']);
      expect(fs.statSync(path.join(dir, 'encryption.key')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('production refuses to start without a key', () => {
    expect(() => loadConfig({ SEND_HUB_ENV: 'production' })).toThrow(/SEND_HUB_ENCRYPTION_KEY is missing/);
  });
});
