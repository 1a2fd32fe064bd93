/**
 * The physical floor of a CPOMS CSV import (issue 18): the same work as `send-hub import cpoms` with the
 * same libraries and nothing else. csv-parse streams the whole file; per row, AES-256-GCM of the narrative
 * (random 96-bit IV, the column as associated data, as store/crypto/field-cipher.ts does), SHA-256 of the
 * row (the importer's idempotency hash) and one prepared better-sqlite3 insert into the hub's own
 * `Incident` table; all rows in one transaction. No validation, no report, no duplicate check, no
 * safeguarding hand-off, no Prisma: what is left is what any importer of this file must pay.
 *
 * In-process: `importFloor(csv, dbFile, orgId)`. As its own process (to compare with the CLI's wall time,
 * start-up included): `node --import tsx bench/floors/import-cpoms-floor.ts <csv> <sqlite file> <orgId>`
 * prints `{"rows":…,"ms":…}`.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';

const KEY = randomBytes(32);
const AAD = Buffer.from('Incident.textEnc');

function encrypt(text: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', KEY, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return `v1:floor:${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
}

/** "dd/mm/yyyy hh:mm" (the generated file's UK format) → ISO instant; nothing more is checked. */
function ukDateTime(s: string): string {
  const [d, t = '00:00'] = s.split(' ');
  const [day, month, year] = (d ?? '').split('/');
  return `${year}-${month}-${day}T${t}:00.000Z`;
}

export async function importFloor(
  csv: string,
  dbFile: string,
  orgId: string,
): Promise<{ rows: number; ms: number }> {
  const started = performance.now();
  const db = new Database(dbFile);
  try {
    const students = new Map(
      (
        db.prepare('SELECT "upn", "id" FROM "Student" WHERE "orgId" = ?').all(orgId) as {
          upn: string;
          id: string;
        }[]
      ).map((s) => [s.upn, s.id]),
    );
    const insert = db.prepare(
      `INSERT INTO "Incident" ("id", "orgId", "source", "externalId", "studentId", "occurredAt", "categories",
         "textEnc", "reportedBy", "status", "sourceHash", "createdAt", "updatedAt")
       VALUES (?, ?, 'floor', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = new Date().toISOString();
    let rows = 0;
    db.exec('BEGIN');
    const parser = fs.createReadStream(csv).pipe(parse({ from_line: 2 }));
    // Columns of the generated file: Incident ID, UPN, Date/Time, Categories, Incident, Actions, Reported By, Status.
    for await (const r of parser as AsyncIterable<string[]>) {
      const hash = createHash('sha256').update(r.join('\u001f')).digest('base64url');
      insert.run(
        `floor${rows}`,
        orgId,
        r[0],
        students.get(r[1] ?? '') ?? '',
        ukDateTime(r[2] ?? ''),
        r[3],
        encrypt(r[4] ?? ''),
        r[6],
        r[7],
        hash,
        now,
        now,
      );
      rows++;
    }
    db.exec('COMMIT');
    return { rows, ms: performance.now() - started };
  } finally {
    db.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [csv, dbFile, orgId] = process.argv.slice(2);
  if (!csv || !dbFile || !orgId) throw new Error('usage: import-cpoms-floor.ts <csv> <sqlite file> <orgId>');
  const r = await importFloor(csv, dbFile, orgId);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
