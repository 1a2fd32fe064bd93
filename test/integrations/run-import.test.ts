import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReport, runImport } from '../../app/imports/run-import.ts';
import type { ExportKind } from '../../integrations/connector.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { buildCsv, buildXlsx, type Cell, excelWallClock } from './support/export-builders.ts';

const STAFF = buildCsv(
  ['Staff ID', 'First Name', 'Last Name', 'Email', 'Business Roles', 'Line Manager'],
  [
    ['T1', 'Hana', 'Head', 'head@school.example', 'Headteacher', ''],
    [
      'T2',
      'Dee',
      'Lead',
      'dsl@school.example',
      'Designated Safeguarding Lead; Deputy Headteacher',
      'head@school.example',
    ],
    ['T3', 'Sena', 'Co', 'sendco@school.example', 'SENCO', 'T1'],
    ['T4', 'Bad', 'Email', 'not-an-email', 'Teacher', ''],
  ],
);

const STUDENTS_HEADER = [
  'Student ID',
  'UPN',
  'Forename',
  'Surname',
  'DOB',
  'Year',
  'SEN Status',
  'EHCP',
  'Looked After',
  'Key Worker',
];
const STUDENTS: Cell[][] = [
  ['S1', 'A123456789012', 'Amelia', 'Brook', '01/02/2015', '7', 'K', 'N', 'N', 'sendco@school.example'],
  ['S2', 'B123456789012', 'Jordan', 'Pike', '03/04/2013', '9', 'E', 'Y', 'Y', ''],
  ['S3', '', 'Sam', 'Lee', '05/06/2014', '8', 'N', '', '', ''],
  ['S4', '', 'Ola', 'Ade', '07/08/2014', '8', 'X', '', '', ''],
  ['S5', '', 'Kit', 'Moss', '09/10/2014', '8', 'N', '', '', 'nobody@school.example'],
];

const CPOMS_HEADER = [
  'Incident ID',
  'Student',
  'UPN',
  'Year Group',
  'Date/Time',
  'Categories',
  'Incident',
  'Actions',
  'Reported By',
  'Status',
];
const CPOMS: Cell[][] = [
  [
    '1001',
    'Amelia Brook',
    'A123456789012',
    '7',
    '05/11/2026 14:30',
    'Safeguarding > Neglect',
    'Said she had no breakfast all week',
    'Called home',
    'Ms Reed',
    'Active',
  ],
  [
    '1002',
    'Jordan Pike',
    'B123456789012',
    '9',
    '06/11/2026 10:00',
    'Behaviour; Uniform',
    'Shirt untucked',
    '',
    '',
    'Closed',
  ],
  ['1003', 'Sam Lee', '', 'Year 8', '07/11/2026 11:00', 'Online Safety', 'Shared a photo', '', '', ''],
  ['1004', 'Nobody Known', 'Z999999999999', '7', '07/11/2026 12:00', 'Safeguarding', 'x', '', '', ''],
  ['1005', 'Amelia Brook', 'A123456789012', '7', 'yesterday', 'Safeguarding', 'x', '', '', ''],
];

describe.each(providers)('runImport on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  const events: { incidentId: string; isNew: boolean; categories: string[] }[] = [];
  const run = (kind: ExportKind, bytes: Buffer, name: string) =>
    runImport(t.hub, { orgId, kind, source: { name, bytes }, via: 'test', batchSize: 2 });

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [] });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
    events.length = 0;
    t.hub.events.on('incident.imported', (p) => {
      events.push(p);
    });
  });
  afterEach(async () => t.close());

  it('imports staff, students and CPOMS incidents with exact counts; re-import is a no-op; a newer export updates', async () => {
    const db = t.hub.dbh.db;
    const staff = await run('arbor-staff', STAFF, 'staff.csv');
    expect(staff).toMatchObject({
      status: 'COMPLETED',
      rowsRead: 4,
      created: 3,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    const dsl = await db.staff.findFirstOrThrow({
      where: { email: 'dsl@school.example' },
      select: { roles: true, lineManagerId: true },
    });
    const head = await db.staff.findFirstOrThrow({ where: { email: 'head@school.example' } });
    // A deputy headteacher is not the head (issue 14 point 9: core/staff/job-titles.ts).
    expect(dsl.roles.map((r) => r.role).sort()).toEqual(['DSL', 'STAFF']);
    expect(dsl.lineManagerId).toBe(head.id);
    expect((await db.staff.findFirstOrThrow({ where: { externalId: 'T3' } })).lineManagerId).toBe(head.id);

    const students = await run('arbor-students', buildCsv(STUDENTS_HEADER, STUDENTS), 'students.csv');
    expect(students).toMatchObject({ rowsRead: 5, created: 3, rejected: 2 });
    const repo = new ImportRepository(db);
    expect(await repo.rejections(students.id)).toEqual([
      { file: 'students.csv', line: 5, field: 'senStatus', reason: 'expected N, K or E' },
      {
        file: 'students.csv',
        line: 6,
        field: 'keyWorker',
        reason: 'no member of staff with this email or id (import staff first)',
      },
    ]);
    // Stored unencrypted and printed: a rejected row's reason never quotes its cells (a child's name, DOB).
    for (const r of await repo.rejections(students.id))
      for (const cell of ['"X"', 'Ola', 'Ade', '07/08/2014']) expect(r.reason).not.toContain(cell);
    const jordan = await db.student.findFirstOrThrow({ where: { externalId: 'S2' } });
    expect(jordan).toMatchObject({
      senStatus: 'E',
      ehcp: true,
      childInCare: true,
      dateOfBirth: '2013-04-03',
      yearGroup: '9',
    });

    const first = await run('cpoms', buildCsv(CPOMS_HEADER, CPOMS), 'cpoms.csv');
    expect(first).toMatchObject({ rowsRead: 5, created: 3, updated: 0, unchanged: 0, rejected: 2 });
    expect(await repo.rejections(first.id)).toEqual([
      {
        file: 'cpoms.csv',
        line: 5,
        field: 'student',
        reason: 'no student with this UPN or MIS id (import students first)',
      },
      {
        file: 'cpoms.csv',
        line: 6,
        field: 'occurredAt',
        reason: 'expected a date and time like 31/12/2025 09:30',
      },
    ]);
    // Safeguarding categories only (Neglect under Safeguarding; Online Safety), announced as new.
    expect(events.map((e) => [e.categories, e.isNew])).toEqual([
      [['Safeguarding > Neglect'], true],
      [['Online Safety'], true],
    ]);
    const incident = await db.incident.findFirstOrThrow({ where: { externalId: '1001' } });
    expect(incident.textEnc).not.toContain('breakfast');
    expect(t.hub.cipher.decrypt(incident.textEnc as string, 'Incident.textEnc')).toBe(
      'Said she had no breakfast all week',
    );
    expect(incident.occurredAt.toISOString()).toBe('2026-11-05T14:30:00.000Z');
    // Sam Lee has no UPN: matched by name + year group (unique).
    const sam = await db.student.findFirstOrThrow({ where: { externalId: 'S3' } });
    expect((await db.incident.findFirstOrThrow({ where: { externalId: '1003' } })).studentId).toBe(sam.id);

    const again = await run('cpoms', buildCsv(CPOMS_HEADER, CPOMS), 'cpoms.csv');
    expect(again).toMatchObject({ rowsRead: 5, created: 0, updated: 0, unchanged: 3, rejected: 2 });
    expect(events).toHaveLength(2);
    const studentsAgain = await run(
      'arbor-students',
      await buildXlsx(STUDENTS_HEADER, STUDENTS),
      'students.xlsx',
    );
    expect(studentsAgain).toMatchObject({ created: 0, updated: 0, unchanged: 3, rejected: 2 });
    expect(await run('arbor-staff', STAFF, 'staff.csv')).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
    });

    // A newer export: 1001's status changes, 1002 is gone (not deleted), 1006 is new.
    const newer = [
      CPOMS[0]?.map((c, i) => (i === 9 ? 'Closed' : c)) as Cell[],
      CPOMS[2] as Cell[],
      [
        '1006',
        'Jordan Pike',
        'B123456789012',
        '9',
        '08/11/2026 10:00',
        'Child Protection',
        'Disclosure',
        '',
        '',
        'Active',
      ],
    ];
    const third = await run('cpoms', buildCsv(CPOMS_HEADER, newer), 'cpoms-2.csv');
    expect(third).toMatchObject({ rowsRead: 3, created: 1, updated: 1, unchanged: 1, rejected: 0 });
    expect(events.slice(2).map((e) => [e.categories, e.isNew])).toEqual([
      [['Safeguarding > Neglect'], false],
      [['Child Protection'], true],
    ]);
    expect(await db.incident.count({ where: { orgId } })).toBe(4);

    const report = formatReport(first, (await repo.rejections(first.id)).slice(0, 1));
    expect(report).toContain('rows read 5, created 3, updated 0, unchanged 0, rejected 2');
    expect(report).toContain('cpoms.csv line 5, student: no student with this UPN or MIS id');
    expect(report).toContain('… and 1 more');
    // Never names or incident text in logs or the report.
    for (const text of [t.logOut.text(), report])
      expect(text).not.toMatch(/Amelia|Brook|Pike|breakfast|Disclosure/);
  });

  it('rejects a duplicate incident anywhere in the file, not only within one batch', async () => {
    const noKeyWorkers = STUDENTS.slice(0, 2).map((r) => [...r.slice(0, 9), '']);
    await run('arbor-students', buildCsv(STUDENTS_HEADER, noKeyWorkers), 'students.csv');
    const row = (id: string, status: string): Cell[] => [
      id,
      'Amelia Brook',
      'A123456789012',
      '7',
      '05/11/2026 14:30',
      'Behaviour',
      'x',
      '',
      '',
      status,
    ];
    // batchSize 2: line 2 and line 6 (the same incident id, changed status) are in different batches.
    const rows = [row('D1', 'Active'), row('D2', 'Active'), row('D3', 'Active'), row('D4', 'Active')];
    rows.push(row('D1', 'Closed'));
    const r = await run('cpoms', buildCsv(CPOMS_HEADER, rows), 'dups.csv');
    expect(r).toMatchObject({ rowsRead: 5, created: 4, updated: 0, unchanged: 0, rejected: 1 });
    const repo = new ImportRepository(t.hub.dbh.db);
    expect(await repo.rejections(r.id)).toEqual([
      { file: 'dups.csv', line: 6, field: 'incidentId', reason: 'duplicate of the incident on line 2' },
    ]);
    const d1 = await t.hub.dbh.db.incident.findFirstOrThrow({ where: { externalId: 'D1' } });
    expect(d1.status).toBe('Active');
    // Re-import: still a no-op, the duplicate still rejected (not flip-flopping the record).
    expect(await run('cpoms', buildCsv(CPOMS_HEADER, rows), 'dups.csv')).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 4,
      rejected: 1,
    });
  });

  it('refuses a truncated file whole: a REFUSED report and nothing written', async () => {
    const csv = buildCsv(STUDENTS_HEADER, STUDENTS.slice(0, 3));
    const cut = csv.subarray(0, csv.length - 30);
    const r = await run('arbor-students', cut, 'students.csv');
    expect(r).toMatchObject({ status: 'REFUSED', rowsRead: 0, created: 0 });
    expect(r.message).toBe('students.csv: refused: truncated: the last row (line 4) is cut short');
    expect(await t.hub.dbh.db.student.count()).toBe(0);
    const bin = await run('cpoms', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]), 'cpoms.csv');
    expect(bin.message).toBe('cpoms.csv: refused: a binary file, not a CSV or XLSX export');
    expect(await t.hub.dbh.db.incident.count()).toBe(0);
  });

  it('imports attendance and behaviour (Arbor BI field names) idempotently', async () => {
    const noKeyWorkers = STUDENTS.slice(0, 2).map((r) => [...r.slice(0, 9), '']);
    expect(
      await run('arbor-students', buildCsv(STUDENTS_HEADER, noKeyWorkers), 'students.csv'),
    ).toMatchObject({ created: 2 });
    const att = buildCsv(
      ['Student ID', 'Period Start', 'Period End', 'Possible Sessions', 'Attended Sessions', 'Attendance %'],
      [
        ['S1', '01/09/2026', '31/10/2026', '80', '72', '90'],
        ['S2', '01/09/2026', '31/10/2026', '80', '', '85'],
        ['S2', '01/11/2026', '30/11/2026', '40', '39', '50'],
      ],
    );
    expect(await run('arbor-attendance', att, 'att.csv')).toMatchObject({ created: 2, rejected: 1 });
    expect(
      (await t.hub.dbh.db.attendanceRecord.findMany({ orderBy: { sessionsAttended: 'asc' } })).map(
        (a) => a.sessionsAttended,
      ),
    ).toEqual([68, 72]);
    expect(await run('arbor-attendance', att, 'att.csv')).toMatchObject({
      created: 0,
      unchanged: 2,
      rejected: 1,
    });

    const beh = await buildXlsx(
      [
        'BEHAVIOURAL_INCIDENT_INVOLVEMENT_ID',
        'BEHAVIOURAL_INCIDENT_ID',
        'STUDENT_ID',
        'SEVERITY',
        'INCIDENT_DT',
        'Behaviour',
        'NARRATIVE',
      ],
      [
        ['I1', 'B1', 'S1', 2, excelWallClock(2026, 10, 1, 9, 15), 'Disruption', 'Talked over the teacher'],
        ['I2', 'B1', 'S2', 1, excelWallClock(2026, 10, 1, 9, 15), 'Disruption', null],
      ],
    );
    expect(await run('arbor-behaviour', beh, 'beh.xlsx')).toMatchObject({ created: 2, rejected: 0 });
    const i1 = await t.hub.dbh.db.incident.findFirstOrThrow({ where: { externalId: 'I1' } });
    expect(i1).toMatchObject({ source: 'arbor', points: 2, categories: 'Disruption' });
    expect(i1.occurredAt.toISOString()).toBe('2026-10-01T08:15:00.000Z');
    // Twice in clean-clone CI runs (once on each database) this re-import read created 0, unchanged 0; it
    // never failed elsewhere. On failure, the whole report (status, refusal, rejections) is printed.
    const again = await run('arbor-behaviour', beh, 'beh.xlsx');
    const rejected = await new ImportRepository(t.hub.dbh.db).rejections(again.id);
    expect(again, formatReport(again, rejected)).toMatchObject({ created: 0, unchanged: 2 });
    expect(events).toHaveLength(0);
  });
});
