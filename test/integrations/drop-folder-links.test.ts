/**
 * The drop folder never follows a link (issue 15 point 9): someone who can write to IMPORT_DROP_DIR links a
 * "cpoms" folder to another directory and a file to a file elsewhere; the hub imports the real file it was
 * given, reads nothing through the links, and moves nothing out of the other directory. A .reason.txt name
 * planted in advance as a link is not written through.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropFolder, type DropResult } from '../../app/imports/drop-folder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { buildCsv } from './support/export-builders.ts';

const STUDENTS = buildCsv(
  ['Student ID', 'UPN', 'Forename', 'Surname', 'Year'],
  [['S1', 'A123456789012', 'Amelia', 'Brook', '7']],
);
const CPOMS = buildCsv(
  ['Incident ID', 'UPN', 'Date', 'Category', 'Incident'],
  [['9001', 'A123456789012', '23/11/2026 10:15', 'Safeguarding > Neglect', 'Said she was hungry']],
);

/** Names and contents of every file under `dir`, for an exact before/after comparison. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, name);
    if (fs.lstatSync(p).isFile()) out[name] = fs.readFileSync(p, 'base64');
  }
  return out;
}

describe.each(providers)('drop folder and links on %s', (provider) => {
  let t: TestHub;
  let base: string;
  let drop: string;
  let other: string;
  beforeEach(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-links-'));
    drop = path.join(base, 'drop');
    other = path.join(base, 'other');
    fs.mkdirSync(drop);
    fs.mkdirSync(other);
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [] });
    await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } });
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('reads only regular files in the folder; links to a directory or a file are left alone', async () => {
    fs.writeFileSync(path.join(other, 'cpoms-export.csv'), CPOMS);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'not the hub’s\n');
    fs.writeFileSync(path.join(other, 'planted.txt'), 'must stay as it is\n');
    const before = snapshot(other);
    fs.symlinkSync(other, path.join(drop, 'cpoms')); // a "kind" folder that is a link elsewhere
    fs.symlinkSync(path.join(other, 'cpoms-export.csv'), path.join(drop, 'cpoms-linked.csv'));
    fs.mkdirSync(path.join(drop, 'students'));
    fs.writeFileSync(path.join(drop, 'students', 'export.csv'), STUDENTS);

    const results: DropResult[] = [];
    const folder = new DropFolder(t.hub, drop, (r) => results.push(r));
    folder.start();
    await expect
      .poll(() => results.find((r) => r.file.endsWith('export.csv') && r.status === 'done'), {
        timeout: 30_000,
        interval: 100,
      })
      .toBeTruthy();
    await folder.stop();

    // What a watcher might still hand over (an event for a path through the link, the link itself) is
    // refused one by one, whatever the watcher does.
    const through = await folder.processFile(path.join(drop, 'cpoms', 'cpoms-export.csv'));
    const fileLink = await folder.processFile(path.join(drop, 'cpoms-linked.csv'));
    const dirLink = await folder.processFile(path.join(drop, 'cpoms'));
    expect([through.status, fileLink.status, dirLink.status]).toEqual(['skipped', 'skipped', 'skipped']);

    expect(snapshot(other)).toEqual(before); // nothing read from it was moved, nothing changed
    expect(fs.lstatSync(path.join(drop, 'cpoms')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(drop, 'cpoms-linked.csv')).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(path.join(drop, 'done'))).toEqual([expect.stringMatching(/-export\.csv$/)]);
    expect(fs.existsSync(path.join(drop, 'failed'))).toBe(false);
    expect(await t.hub.dbh.db.student.count()).toBe(1);
    expect(await t.hub.dbh.db.incident.count()).toBe(0);
    expect((await t.hub.dbh.db.importRun.findMany()).map((r) => r.kind)).toEqual(['arbor-students']);
  }, 60_000);

  it('a refused file is moved to failed/ but its .reason.txt never writes through a planted link', async () => {
    const bad = path.join(drop, 'cpoms-bad.csv');
    fs.writeFileSync(bad, Buffer.from([0, 1, 2, 3]));
    const planted = path.join(other, 'planted.txt');
    fs.writeFileSync(planted, 'must stay as it is\n');
    // The clock is fixed, so the failed/ name is known in advance: plant a link there.
    const stamp = '2026-11-24T09-00-00-000Z';
    fs.mkdirSync(path.join(drop, 'failed'));
    fs.symlinkSync(planted, path.join(drop, 'failed', `${stamp}-cpoms-bad.csv.reason.txt`));
    const folder = new DropFolder(t.hub, drop);
    const r = await folder.processFile(bad);
    expect(r.status).toBe('failed');
    expect(fs.readFileSync(planted, 'utf8')).toBe('must stay as it is\n');
    expect(fs.existsSync(bad)).toBe(false);
    expect(fs.existsSync(path.join(drop, 'failed', `${stamp}-cpoms-bad.csv`))).toBe(true);
  });
});
