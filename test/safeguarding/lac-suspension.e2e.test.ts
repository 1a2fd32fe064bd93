/**
 * Audit finding 10 (last point), from the designated teacher's seat: a behaviour report imported from
 * another process (`send-hub import behaviour`) with a suspension of a looked-after pupil who is not on
 * the SEN register. The head must tell the pupil's Virtual School Head without delay (School Discipline
 * (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 5, as amended in 2022); the Virtual School
 * Head is not a hub user, so the designated teacher is prompted to see it done. Before, nobody was told
 * (the only suspension prompt was the SENDCo's, for pupils on the SEN register).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { cliFor, readBy, tickUntil, ukDateTime } from './scenario-support.ts';
import { PUPIL2, type School, seedSchool } from './support.ts';

describe.each(providers)("a looked-after pupil's imported suspension, on %s", (provider) => {
  let t: TestHub;
  let s: School;
  let dt: string;
  const now = new Date();

  beforeEach(async () => {
    t = await startTestHub(provider, { now: now.toISOString() });
    s = await seedSchool(t.hub.dbh.db);
    dt = (
      await t.hub.dbh.db.staff.create({
        data: {
          orgId: s.orgId,
          displayName: 'Dee Teach',
          email: 'dt@quarrydene.example',
          roles: { create: [{ role: 'DESIGNATED_TEACHER' }] },
        },
      })
    ).id;
    // Barnaby is looked after, not on the SEN register.
    await t.hub.dbh.db.student.updateMany({ where: { upn: PUPIL2.upn }, data: { childInCare: true } });
  });
  afterEach(async () => {
    await t.close();
  });

  it('prompts the designated teacher to tell the Virtual School Head', async () => {
    const cli = cliFor(t);
    expect((await cli('doctor')).out).toContain('lac_suspension -> DESIGNATED_TEACHER, then HEAD');
    const file = path.join(t.hub.config.dataDir, 'behaviour.csv');
    fs.writeFileSync(
      file,
      [
        'Incident ID,UPN,Date,Behaviour Type,Comments,Points',
        `L-1,${PUPIL2.upn},${ukDateTime(now, 1)},Suspension,Three-day suspension,5`,
      ].join('\r\n'),
    );
    expect((await cli('import', 'behaviour', file)).out).toMatch(/created 1, updated 0/);

    await tickUntil(t, () => readBy(t, dt).some((m) => m.kind === 'alert'), { overnight: true });
    const told = readBy(t, dt).filter((m) => m.kind === 'alert');
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain(
      'Tell the Virtual School Head: B.W. (Y5), looked-after pupil has a new suspension or exclusion',
    );
    expect(told[0]?.text).toContain('send-hub case open --kind SUSPENSION');
    expect(told[0]?.text).toContain('Sent to you as: designated teacher');
    expect(told[0]?.text).not.toContain(PUPIL2.givenName);
    expect(await t.hub.dbh.db.alert.count({ where: { ruleId: 'lac-suspension' } })).toBe(1);
    // Not an SEN suspension: the SENDCo route does not fire for him.
    expect(await t.hub.dbh.db.alert.count({ where: { ruleId: 'sen-suspension' } })).toBe(0);
  }, 500_000);
});
