/** The imports feature as a user reaches it: the CLI, the drop folder, scheduled pulls and feeds, the `link` chat command. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropFolder } from '../../app/imports/drop-folder.ts';
import { type CliIo, registerImportCli } from '../../app/imports/import-cli.ts';
import { importsModule } from '../../app/imports/imports-module.ts';
import { pullExports } from '../../app/imports/pull-exports.ts';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { defaultModules } from '../../app/modules.ts';
import type { Actor } from '../../core/ports.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { buildCsv } from './support/export-builders.ts';
import { buildIcs } from './support/ics-builder.ts';

const STUDENTS = buildCsv(
  ['Student ID', 'UPN', 'Forename', 'Surname', 'Year'],
  [
    ['S1', 'A123456789012', 'Amelia', 'Brook', '7'],
    ['S2', 'B123456789012', 'Jordan', 'Pike', '9'],
    ['S3', '', '', 'Nameless', '9'],
  ],
);
const CPOMS = buildCsv(
  ['Incident ID', 'UPN', 'Date', 'Category', 'Incident'],
  [['9001', 'A123456789012', '23/11/2026 10:15', 'Safeguarding > Neglect', 'Said she was hungry']],
);

function captureIo(): CliIo & { outLines: string[]; errLines: string[]; code: number } {
  const io = {
    outLines: [] as string[],
    errLines: [] as string[],
    code: 0,
    isTTY: false,
    out: (l: string) => void io.outLines.push(l),
    err: (l: string) => void io.errLines.push(l),
    setExitCode: (c: number) => {
      io.code = c;
    },
  };
  return io;
}

describe.each(providers)('imports module on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-imports-'));
    t = await startTestHub(provider, {
      now: '2026-11-24T09:00:00Z',
      modules: [importsModule()],
      env: {
        IMPORT_PULL_URLS: 'arbor-students=https://mis.school.example/exports/students.csv',
        ICS_FEEDS: 'school=https://calendar.school.example/school.ics',
      },
    });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (io: CliIo, ...args: string[]) => {
    const program = new Command('send-hub').exitOverride();
    registerImportCli(
      program,
      async () => t.hub,
      async () => {},
      io,
    );
    await program.parseAsync(['node', 'send-hub', ...args]);
  };

  it('send-hub import <kind> <file> and send-hub import report <id>', async () => {
    const file = path.join(dir, 'students.csv');
    fs.writeFileSync(file, STUDENTS);
    const io = captureIo();
    await cli(io, 'import', 'students', file);
    expect(io.code).toBe(0);
    expect(io.outLines[0]).toMatch(/^Import \S+: arbor-students from students\.csv \(cli\) - COMPLETED\n/);
    expect(io.outLines[0]).toContain('rows read 3, created 2, updated 0, unchanged 0, rejected 1');
    expect(io.outLines[0]).toContain('students.csv line 4, givenName: is empty');
    const id = /^Import (\S+):/.exec(io.outLines[0] ?? '')?.[1] as string;

    const report = captureIo();
    await cli(report, 'import', 'report', id);
    expect(report.outLines.join('\n')).toContain('students.csv line 4, givenName: is empty');

    const refused = captureIo();
    const bad = path.join(dir, 'cpoms.csv');
    fs.writeFileSync(bad, Buffer.from([0, 1, 2, 3, 0, 0]));
    await cli(refused, 'import', 'cpoms', bad);
    expect(refused.code).toBe(1);
    expect(refused.errLines[0]).toBe('cpoms.csv: refused: a binary file, not a CSV or XLSX export');

    const unknown = captureIo();
    await cli(unknown, 'import', 'pupils', file);
    expect(unknown.code).toBe(2);
    expect(unknown.errLines[0]).toMatch(
      /^unknown export kind "pupils": expected one of cpoms, arbor-students/,
    );
  });

  it('the drop folder imports files by folder kind and moves them to done/ or failed/', async () => {
    const done: string[] = [];
    const drop = new DropFolder(t.hub, dir, (r) => done.push(r.status));
    fs.mkdirSync(path.join(dir, 'students'));
    fs.writeFileSync(path.join(dir, 'students', 'export.csv'), STUDENTS);
    fs.writeFileSync(
      path.join(dir, 'cpoms-truncated.csv'),
      CPOMS.subarray(0, CPOMS.indexOf('Safeguarding') + 4),
    );
    const processed = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (done.length >= 2) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    drop.start();
    await processed;
    await drop.stop();
    expect(done.sort()).toEqual(['done', 'failed']);
    const doneFiles = fs.readdirSync(path.join(dir, 'done'));
    expect(doneFiles).toEqual([expect.stringMatching(/export\.csv$/)]);
    const failed = fs.readdirSync(path.join(dir, 'failed')).sort();
    expect(failed).toEqual([
      expect.stringMatching(/cpoms-truncated\.csv$/),
      expect.stringMatching(/cpoms-truncated\.csv\.reason\.txt$/),
    ]);
    expect(fs.readFileSync(path.join(dir, 'failed', failed[1] as string), 'utf8')).toBe(
      'cpoms-truncated.csv: refused: truncated: the last row (line 2) is cut short\n',
    );
    expect(await t.hub.dbh.db.student.count()).toBe(2);
    expect(await t.hub.dbh.db.incident.count()).toBe(0);
  }, 20_000);

  it('scheduled pull imports a changed export and skips an unchanged one; the ICS feed planner syncs meetings', async () => {
    nock('https://mis.school.example').get('/exports/students.csv').times(2).reply(200, STUDENTS);
    nock('https://calendar.school.example')
      .get('/school.ics')
      .reply(
        200,
        buildIcs([
          { uid: 'tac-1', summary: 'TAC - A123456789012', start: '20261201T100000', end: '20261201T110000' },
        ]),
      );
    const report = await t.hub.scheduler.tick();
    expect(report.planners['import-pull']).toEqual({ imported: 1, unchanged: 0, failed: 0 });
    expect(report.planners['ics-sync']).toEqual({ changed: 1, failed: 0 });
    expect(await pullExports(t.hub, orgId)).toEqual([
      { kind: 'arbor-students', status: 'unchanged', runId: expect.any(String) },
    ]);
    const m = await t.hub.dbh.db.meeting.findFirstOrThrow({ where: { orgId } });
    expect(m).toMatchObject({ kind: 'TAC', source: 'ics:school' });
    expect(m.studentId).toBe(
      (await t.hub.dbh.db.student.findFirstOrThrow({ where: { externalId: 'S1' } })).id,
    );
  });

  it('a coordinator confirms a suggested student in chat; other staff cannot', async () => {
    const db = t.hub.dbh.db;
    const coord = await db.staff.create({
      data: {
        orgId,
        displayName: 'Coordinator',
        email: 'c@school.example',
        roles: { create: [{ role: 'COORDINATOR' }] },
      },
    });
    const teacher = await db.staff.create({
      data: {
        orgId,
        displayName: 'Teacher',
        email: 't@school.example',
        roles: { create: [{ role: 'STAFF' }] },
      },
    });
    const pike = await db.student.create({
      data: { orgId, givenName: 'Jordan', familyName: 'Pike', yearGroup: '9' },
    });
    await syncIcsFeed(t.hub, {
      orgId,
      source: 'sendco',
      text: buildIcs([
        { uid: 'cin-1', summary: 'CIN review Jordan Pike', start: '20261201T100000', end: '20261201T110000' },
      ]),
    });
    const meeting = await db.meeting.findFirstOrThrow({ where: { orgId } });
    expect(meeting).toMatchObject({ studentId: null, suggestedStudentId: pike.id });

    const actor = (await t.hub.staff.actorForStaff(coord.id)) as Actor;
    const list = await t.hub.commands.run('link', actor, 'CONSOLE');
    const listText = list.kind === 'message' ? list.message.text : '';
    expect(listText).toContain(`${meeting.id}  CIN`);
    expect(listText).toContain('suggested: J.P. (Y9)');
    expect(listText).not.toContain('Pike');

    const denied = await t.hub.commands.run(
      `link ${meeting.id} confirm`,
      (await t.hub.staff.actorForStaff(teacher.id)) as Actor,
      'CONSOLE',
    );
    expect(denied.kind === 'message' && denied.message.title).toBe('Not allowed');

    const ok = await t.hub.commands.run(`link ${meeting.id} confirm`, actor, 'CONSOLE');
    expect(ok.kind === 'message' && ok.message.text).toBe('Linked: the meeting now belongs to that student.');
    expect(await db.meeting.findFirstOrThrow({ where: { id: meeting.id } })).toMatchObject({
      studentId: pike.id,
      suggestedStudentId: null,
    });
    expect((await t.hub.audit.forSubject('meeting', meeting.id)).map((a) => a.action)).toEqual([
      'meeting.student.confirmed',
    ]);
    // A re-sync of the unchanged feed keeps the confirmation.
    await syncIcsFeed(t.hub, {
      orgId,
      source: 'sendco',
      text: buildIcs([
        { uid: 'cin-1', summary: 'CIN review Jordan Pike', start: '20261201T101500', end: '20261201T111500' },
      ]),
    });
    expect((await db.meeting.findFirstOrThrow({ where: { id: meeting.id } })).studentId).toBe(pike.id);
  });
});

describe.each(providers)('CPOMS import to safeguarding on %s (all modules)', (provider) => {
  it('a new safeguarding incident raises exactly one concern through the event, none for re-import', async () => {
    const t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: defaultModules() });
    try {
      const orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
      const { runImport } = await import('../../app/imports/run-import.ts');
      await runImport(t.hub, {
        orgId,
        kind: 'arbor-students',
        source: { name: 's.csv', bytes: STUDENTS },
        via: 'test',
      });
      await runImport(t.hub, { orgId, kind: 'cpoms', source: { name: 'c.csv', bytes: CPOMS }, via: 'test' });
      expect(await t.hub.dbh.db.concern.count({ where: { orgId } })).toBe(1);
      await runImport(t.hub, { orgId, kind: 'cpoms', source: { name: 'c.csv', bytes: CPOMS }, via: 'test' });
      expect(await t.hub.dbh.db.concern.count({ where: { orgId } })).toBe(1);
      expect(t.logOut.text()).not.toMatch(/hungry|Amelia|Brook/);
    } finally {
      await t.close();
    }
  });
});
