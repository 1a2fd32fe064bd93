/**
 * `send-hub import` compiled to plain JavaScript (scripts/build-import.mjs, issue 18: no tsx loader thread in
 * the idle import process). bin/send-hub.mjs runs the build only while it is up to date with the sources
 * (bin/compiled-import.mjs); otherwise the sources through tsx. From the admin's seat: the same CPOMS import
 * through either gives the same report, the safeguarding row raises its concern for the DSL, and a build
 * older than a source is never run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compiledImport, describeInputs, inputsUnchanged } from '../../bin/compiled-import.mjs';
import { buildImport } from '../../scripts/build-import.mjs';
import { cliFor, ukDateTime } from '../safeguarding/scenario-support.ts';
import { PUPIL, PUPIL2, type School, seedSchool } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the compiled import is run only while it is up to date', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-compiled-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file touched but unchanged is unchanged; changed, resized or gone it is not', () => {
    const file = path.join(dir, 'a.ts');
    fs.writeFileSync(file, 'export const a = 1;\n');
    const inputs = describeInputs(dir, ['a.ts']);
    expect(inputsUnchanged(dir, inputs)).toBe(true);
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a checkout rewrote it, same text
    expect(inputsUnchanged(dir, inputs)).toBe(true);
    fs.writeFileSync(file, 'export const a = 2;\n'); // same size, other text
    expect(inputsUnchanged(dir, inputs)).toBe(false);
    fs.writeFileSync(file, 'export const a = 10;\n');
    expect(inputsUnchanged(dir, inputs)).toBe(false);
    fs.rmSync(file);
    expect(inputsUnchanged(dir, inputs)).toBe(false);
  });

  it('no build, a manifest naming no build, or SEND_HUB_IMPORT_DIST=off: the sources', () => {
    expect(compiledImport(dir, path.join(dir, 'none'))).toBeNull();
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ build: 'gone', inputs: {} }));
    expect(compiledImport(dir, dir)).toBeNull();
    expect(compiledImport(root, 'off')).toBeNull();
  });
});

describe.each(providers)('send-hub import, compiled and from the sources, on %s', (provider) => {
  // Inside the project (the build loads its packages from node_modules), git-ignored, this file's own.
  const dist = path.join(root, 'dist', `test-import-${process.pid}-${provider}`);
  let t: TestHub;
  let s: School;
  const now = new Date();

  beforeAll(async () => {
    await buildImport({ dist });
  }, 120_000);
  afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));
  beforeEach(async () => {
    t = await startTestHub(provider, { now: now.toISOString() });
    s = await seedSchool(t.hub.dbh.db);
  });
  afterEach(async () => {
    await t.close();
  });

  /** The CLI as the administrator runs it, compiled or from the sources (`SEND_HUB_IMPORT_DIST`), saying which. */
  const cli = (importDist: string, ...args: string[]) =>
    cliFor(t, { SEND_HUB_IMPORT_DIST: importDist, SEND_HUB_LAUNCH_TRACE: '1' })(...args);
  /** A CPOMS export: a neglect concern (safeguarding), a behaviour incident, an unknown pupil. */
  const cpoms = (name: string, prefix: string) => {
    const file = path.join(t.hub.config.dataDir, name);
    fs.writeFileSync(
      file,
      [
        'Incident ID,UPN,Date/Time,Categories,Incident,Actions,Reported By,Status',
        `${prefix}-1,${PUPIL.upn},${ukDateTime(now, 1)},Safeguarding > Neglect,"Came in hungry, no coat",Fed at breakfast club,Tess Teacher,Active`,
        `${prefix}-2,${PUPIL2.upn},${ukDateTime(now, 2)},Behaviour,Shouting in class,Spoke to him,Tess Teacher,Closed`,
        `${prefix}-3,A999999999999,${ukDateTime(now, 2)},Behaviour,Pushed in line,Spoke to him,Tess Teacher,Closed`,
      ].join('\r\n'),
    );
    return file;
  };
  /** The report without what differs from run to run (ids, the concern's reference, the file's name). */
  const shape = (out: string) =>
    out
      .replace(/\b[a-z0-9]{20,}\b/g, '<id>')
      .replace(/-> concern \S+/g, '-> concern <ref>')
      .replace(/export-[ab]\.csv/g, 'export.csv')
      .replace(/^No hub is running: .*$/m, '');

  it('the same report and the same hand-off to the DSL; a build older than a source is not run', async () => {
    const compiled = await cli(dist, 'import', 'cpoms', cpoms('export-a.csv', 'A'));
    expect(compiled.err).toMatch(/^send-hub: compiled dist\/test-import-/);
    expect(compiled.code).toBe(0);
    expect(compiled.out).toContain('rows read 3, created 2, updated 0, unchanged 0, rejected 1');
    expect(compiled.out).toMatch(
      /1 row in a safeguarding category \(a concern for the DSL\):\n {2}export-a\.csv line 2: Safeguarding > Neglect -> concern \S+/,
    );

    const sources = await cli('off', 'import', 'cpoms', cpoms('export-b.csv', 'B'));
    expect(sources.err).toMatch(/^send-hub: sources \(tsx\)/);
    expect(shape(sources.out)).toBe(shape(compiled.out));
    expect(compiled.out).toContain('No hub is running: 1 safeguarding concern is waiting');
    expect(sources.out).toContain('No hub is running: 2 safeguarding concerns are waiting');

    // Each run raised its concern and queued the DSL's first alert (the running hub sends it).
    const concerns = await t.hub.dbh.db.concern.findMany({ where: { orgId: s.orgId } });
    expect(concerns).toHaveLength(2);
    const alerts = await t.hub.dbh.db.outboxMessage.count({ where: { recipientId: s.staff.dsl } });
    expect(alerts).toBeGreaterThanOrEqual(2);

    const list = await cli(dist, 'import', 'list');
    expect(list.out.trim().split('\n')).toHaveLength(2);
    expect(list.out).toContain('export-a.csv');

    // A source edited since the build (here: its manifest says the file was another): the sources run.
    const manifestFile = path.join(dist, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const original = JSON.stringify(manifest);
    manifest.inputs['app/imports/import-cli.ts'].size += 1;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    try {
      const stale = await cli(dist, 'import', 'list');
      expect(stale.err).toMatch(/^send-hub: sources \(tsx\)/);
      expect(stale.out).toBe(list.out);
    } finally {
      fs.writeFileSync(manifestFile, original);
    }
  }, 240_000);
});
