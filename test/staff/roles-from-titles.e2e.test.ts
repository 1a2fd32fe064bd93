/**
 * Issue 14 point 9, from the administrator's seat: an Arbor staff export with the job titles of the five
 * roles (LA EHCNA coordinator and her manager, SENDCo, behaviour coordinator, key worker, hospital ECC) is
 * imported with `send-hub import arbor-staff`, and `send-hub staff list` shows the role each title gives.
 * A map file overrides the default; a bad map file is refused at start naming the file, entry and field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const STAFF_CSV = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'S1,Priya,Shah,priya.shah@la.example,SEN Team Manager,',
  'S2,Karen,Obi,karen.obi@la.example,SEND EHCNA Co-ordinator,priya.shah@la.example',
  'S3,Tom,Reed,tom.reed@la.example,EHCNA Coordinator,priya.shah@la.example',
  'S4,Amy,Lowe,amy.lowe@school.example,SENDCo; Deputy DSL,',
  'S5,Ben,Cole,ben.cole@school.example,Behaviour Support Co-ordinator,',
  'S6,Dan,Moss,dan.moss@school.example,Key Worker,',
  'S7,Eve,Hart,eve.hart@school.example,Educational Care Coordinator (ECC),',
  'S8,Fay,Ng,fay.ng@school.example,Head of Year 9,',
  'S9,Gus,Ray,gus.ray@school.example,Deputy Headteacher,',
  'S10,Hal,Ito,hal.ito@school.example,Inclusion Lead,',
].join('\n');

describe.each(providers)('roles from job titles (%s)', (provider) => {
  let s: CliSession;
  beforeAll(async () => {
    s = await cliSession(provider);
    expect((await s.cli('demo')).out).toMatch(/Demo school loaded/);
    fs.writeFileSync(path.join(s.dir, 'staff.csv'), STAFF_CSV);
  }, 120_000);
  afterAll(async () => s?.close());

  it('maps each title of an Arbor export to the role its holder has', async () => {
    const imported = await s.cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    expect(imported.code, imported.err).toBe(0);
    const list = (await s.cli('staff', 'list')).out;
    const line = (email: string) => list.split('\n').find((l) => l.includes(`<${email}>`)) ?? '';
    expect(line('priya.shah@la.example')).toMatch(/Priya Shah <priya.shah@la.example> {2}SEN team manager$/);
    expect(line('karen.obi@la.example')).toMatch(
      /Karen Obi <karen.obi@la.example> {2}EHCNA officer {2}· line manager Priya Shah/,
    );
    expect(line('tom.reed@la.example')).toMatch(/ EHCNA officer /);
    // A deputy DSL is not also the DSL.
    expect(line('amy.lowe@school.example')).toMatch(/> {2}deputy DSL, SENDCo$/);
    expect(line('ben.cole@school.example')).toMatch(/ behaviour lead$/);
    expect(line('dan.moss@school.example')).toMatch(/ key worker$/);
    expect(line('eve.hart@school.example')).toMatch(/ educational care coordinator$/);
    expect(line('fay.ng@school.example')).toMatch(/ behaviour lead$/);
    expect(line('gus.ray@school.example')).toMatch(/ staff$/);
    expect(line('hal.ito@school.example')).toMatch(/ SENDCo$/);
    // Nobody is the generic "coordinator" any more, and nobody is head by being a deputy.
    expect(list).not.toMatch(/ {2}coordinator$/m);
    expect((await s.cli('staff', 'list', '--role', 'EHCNA_OFFICER')).out.trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('a map file overrides the default; a bad one is refused naming file, entry and field', async () => {
    const map = path.join(s.dir, 'roles.yaml');
    fs.writeFileSync(map, "titles:\n  - match: '\\bhead of year\\b'\n    roles: [KEY_WORKER]\n");
    const r = await s.cliWith({ STAFF_ROLE_MAP_FILE: map }, 'staff', 'roles', 'Head of Year 9', 'SENCO');
    expect(r.out).toContain('Head of Year 9  →  key worker');
    expect(r.out).toContain('SENCO  →  SENDCo');

    const bad = path.join(s.dir, 'bad-roles.yaml');
    fs.writeFileSync(
      bad,
      "titles:\n  - match: 'ok'\n    roles: [SENDCO]\n  - match: 'x'\n    roles: [ADMIN]\n",
    );
    const refused = await s.cliWith({ STAFF_ROLE_MAP_FILE: bad }, 'staff', 'roles', 'SENCO');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${bad}: titles[1].roles[0] not a role`);
    expect(refused.err).toContain('ADMIN is never granted by a file');
  }, 120_000);
});
