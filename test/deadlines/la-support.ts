/**
 * Shared set-up of the deadline end-to-end tests (e2e, at-risk): a local authority with an SEN officer,
 * her line manager, and one pupil (named, so the tests can check only initials reach chat).
 */
import type { TestHub } from '../support/hub.ts';

/** Northshire LA: Maya Manager, Owen Officer (managed by Maya; both coordinators), Zebedee Quillfeather (Y4). */
export async function seedLa(t: TestHub) {
  const db = t.hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Northshire LA', kind: 'LOCAL_AUTHORITY' } });
  const manager = await db.staff.create({
    data: {
      orgId: org.id,
      displayName: 'Maya Manager',
      email: 'maya@la.example',
      roles: { create: [{ role: 'COORDINATOR' }] },
    },
  });
  const officer = await db.staff.create({
    data: {
      orgId: org.id,
      displayName: 'Owen Officer',
      email: 'owen@la.example',
      lineManagerId: manager.id,
      roles: { create: [{ role: 'COORDINATOR' }] },
    },
  });
  const student = await db.student.create({
    data: { orgId: org.id, givenName: 'Zebedee', familyName: 'Quillfeather', yearGroup: '4', ehcp: false },
  });
  return { org, manager, officer, student };
}
