/**
 * A day of the behaviour support coordinator ("to analyse incidents on SIMS to identify students causing
 * concern for early intervention", "to attend re-integration meetings following external exclusions").
 * Issue 13 points 5 and 7 from their seat, with the hub running and the SIMS behaviour report imported from
 * another process (`send-hub import behaviour`):
 * - the report's "Comments" column is the incident text, stored encrypted, not an "ignored column";
 * - three incidents in a week prompt the behaviour lead, not the pupil's key worker;
 * - a suspension of a pupil on the SEN register prompts the SENDCo; an internal exclusion is not a suspension;
 * - the school's own category list (SAFEGUARDING_CATEGORIES_FILE, shown by `send-hub doctor`) adds SIMS
 *   "Sexual Misconduct": that row raises a concern, named in the import report by line and category, and the
 *   DSL's chronology export carries the Comments text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { cliFor, readBy, tickUntil, ukDateTime } from './scenario-support.ts';
import { PUPIL, PUPIL2, type School, seedSchool } from './support.ts';

const DISCLOSURE = 'Told me an older pupil keeps asking him for photos at the bus stop after school';

describe.each(providers)('the behaviour support coordinator, on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let sendco: string;
  let categoriesFile: string;
  const now = new Date();

  beforeEach(async () => {
    // The school's own list: the defaults plus SIMS "Sexual Misconduct" (KCSIE Part five: child-on-child
    // sexual harassment is a safeguarding matter).
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'send-hub-categories-'));
    categoriesFile = path.join(dir, 'categories.yaml');
    fs.writeFileSync(
      categoriesFile,
      'orgs:\n  Quarrydene Academy:\n    addCategories: [Sexual Misconduct]\n',
    );
    t = await startTestHub(provider, {
      now: now.toISOString(),
      env: { SAFEGUARDING_CATEGORIES_FILE: categoriesFile },
    });
    s = await seedSchool(t.hub.dbh.db);
    sendco = (
      await t.hub.dbh.db.staff.create({
        data: {
          orgId: s.orgId,
          displayName: 'Sena Co',
          email: 'sendco@quarrydene.example',
          roles: { create: [{ role: 'SENDCO' }] },
        },
      })
    ).id;
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(path.dirname(categoriesFile), { recursive: true, force: true });
  });

  it('reads the prompts meant for them; Comments are kept encrypted; the SENDCo hears of the SEN suspension; the school list raises its own category', async () => {
    const cli = cliFor(t, { SAFEGUARDING_CATEGORIES_FILE: categoriesFile });

    // The admin checks the setup: doctor names where the lists come from and who gets which prompt.
    const doctor = await cli('doctor');
    expect(doctor.out).toMatch(
      /ok {3}safeguarding categories: \d+ categories, \d+ immediate-risk, from file .*categories\.yaml; own lists for Quarrydene Academy/,
    );
    expect(doctor.out).toContain(
      'early-intervention prompts: incidents -> BEHAVIOUR_LEAD, then PUPIL_KEY_WORKER, then HEAD; attendance -> ATTENDANCE_LEAD, then PUPIL_KEY_WORKER, then HEAD; sen_suspension -> SENDCO, then BEHAVIOUR_LEAD, then HEAD; lac_suspension -> DESIGNATED_TEACHER, then HEAD',
    );

    // The SIMS behaviour report as the school designed it (its own headers, a Comments column).
    const file = path.join(t.hub.config.dataDir, 'sims-behaviour.csv');
    const b = PUPIL2.upn; // Barnaby: key worker Kit, not on the SEN register
    const z = PUPIL.upn; // Zephyrine: SEN support (K)
    fs.writeFileSync(
      file,
      [
        'Incident ID,UPN,Date,Behaviour Type,Comments,Points',
        `B-1,${b},${ukDateTime(now, 4)},Disruptive Behaviour,Shouting out in science,1`,
        `B-2,${b},${ukDateTime(now, 3)},Verbal Abuse,Swore at a lunchtime supervisor,2`,
        `B-3,${b},${ukDateTime(now, 2)},Disruptive Behaviour,Left the lesson without permission,1`,
        `B-4,${z},${ukDateTime(now, 2, 9)},Internal Exclusion,In the internal exclusion room for the morning,3`,
        `B-5,${z},${ukDateTime(now, 1)},Suspension,Two-day suspension after a fight,5`,
        `B-6,${b},${ukDateTime(now, 1, 15)},Sexual Misconduct,${DISCLOSURE},3`,
      ].join('\r\n'),
    );
    const imported = await cli('import', 'behaviour', file);
    expect(imported.out).toMatch(/created 6, updated 0, unchanged 0, rejected 0/);
    // Comments is the narrative now, not dropped.
    expect(imported.out).not.toMatch(/ignored columns/);
    expect(imported.out).toMatch(
      /1 row in a safeguarding category \(a concern for the DSL\):\n {2}sims-behaviour\.csv line 7: Sexual Misconduct -> concern (C-[0-9A-Z]{6})\n/,
    );
    for (const secret of [PUPIL2.givenName, PUPIL.familyName, 'photos at the bus stop', 'Swore at'])
      expect(`${imported.out}${imported.err}`).not.toContain(secret);

    // Stored encrypted, readable with the key.
    const b6 = await t.hub.dbh.db.incident.findFirstOrThrow({ where: { externalId: { startsWith: 'B-6' } } });
    expect(b6.textEnc).not.toContain('photos');
    expect(t.hub.cipher.decrypt(b6.textEnc as string, 'Incident.textEnc')).toBe(DISCLOSURE);

    // The running hub: the DSL reads the concern (category only), then exports its chronology with the text.
    await tickUntil(t, () => readBy(t, s.staff.dsl).some((m) => m.kind === 'concern_escalation'));
    const dslReads = readBy(t, s.staff.dsl).filter((m) => m.kind === 'concern_escalation');
    expect(dslReads.map((m) => m.text.includes('Sexual Misconduct'))).toEqual([true]);
    expect(dslReads[0]?.text).not.toContain('photos');
    const concern = await t.hub.dbh.db.concern.findFirstOrThrow();
    const chronology = await cli('concern', 'chronology', concern.id, '--include-text');
    expect(chronology.out).toContain('## The imported record (arbor incident B-6');
    expect(chronology.out).toContain(DISCLOSURE);

    // The prompts, in the working day.
    const prompted = () =>
      readBy(t, s.staff.behaviour).some((m) => m.kind === 'alert') &&
      readBy(t, sendco).some((m) => m.kind === 'alert');
    await tickUntil(t, prompted, { overnight: true });
    const coordinator = readBy(t, s.staff.behaviour).filter((m) => m.kind === 'alert');
    expect(coordinator.length).toBeGreaterThanOrEqual(1);
    expect(
      coordinator.some((m) =>
        m.text.includes('Early help prompt for B.W. (Y5): 4 behaviour incidents in the last 7 days'),
      ),
    ).toBe(true);
    for (const m of coordinator) {
      expect(m.text).toMatch(
        /Early help prompt for B\.W\. \(Y5\): \d behaviour incidents in the last 7 days/,
      );
      expect(m.text).toContain('Sent to you as: behaviour lead');
    }
    // Not the key worker: the pattern is the coordinator's to analyse (issue 13 point 7).
    expect(readBy(t, s.staff.keyworker).filter((m) => m.kind === 'alert')).toEqual([]);
    // The SENDCo: one prompt, for the suspension; the internal exclusion is not one.
    const senco = readBy(t, sendco).filter((m) => m.kind === 'alert');
    expect(senco).toHaveLength(1);
    expect(senco[0]?.text).toContain(
      'Early help prompt for Z.Q. (Y8): pupil on the SEN register has a new suspension',
    );
    expect(senco[0]?.text).toContain('reintegration meeting');
    expect(senco[0]?.text).toContain('Sent to you as: SENDCo');
    expect(await t.hub.dbh.db.alert.count({ where: { ruleId: 'sen-suspension' } })).toBe(1);
  }, 500_000);
});
