/**
 * Roles and visibility (issue 10), decided in the core: the full matrix of who may see and act on a
 * concern, a TAC note and a case; and, end to end, what each role gets when it opens a safeguarding
 * record or asks for the admin reports through the console, Teams and Slack (all three reach the same core
 * dispatch: the adapters only translate), with every refusal audited and answered politely.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  canActOnCase,
  canAdminister,
  canEditTacNote,
  canRaiseConcern,
  canReadCaseHistory,
  canReassignCase,
  canViewCase,
  canViewConcern,
  canViewConcernStatus,
  canViewTacNote,
  canViewTimeliness,
  caseloadScope,
} from '../../core/access/policy.ts';
import type { Actor } from '../../core/ports.ts';
import type { Role } from '../../core/staff/roles.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { addStudent, seedSchool } from './seed.ts';

const ORG = 'org-1';
const actor = (staffId: string, roles: Role[], orgId = ORG): Actor => ({
  staffId,
  orgId,
  displayName: staffId,
  roles,
});

/** One actor per role, plus relationship holders who are plain staff. */
const people = {
  dsl: actor('dsl', ['DSL']),
  deputy: actor('deputy', ['DEPUTY_DSL']),
  head: actor('head', ['HEAD']),
  sendco: actor('sendco', ['SENDCO']),
  admin: actor('admin', ['ADMIN']),
  coordinator: actor('coordinator', ['COORDINATOR']),
  designatedTeacher: actor('dt', ['DESIGNATED_TEACHER']),
  behaviour: actor('behaviour', ['BEHAVIOUR_LEAD']),
  teacher: actor('teacher', ['STAFF']),
  raiser: actor('raiser', ['STAFF']),
  attendee: actor('attendee', ['STAFF']),
  noteTaker: actor('noteTaker', ['STAFF']),
  keyWorker: actor('keyWorker', ['STAFF']),
  caseOfficer: actor('officer', ['COORDINATOR']),
  officersManager: actor('manager', ['COORDINATOR']),
  otherSchoolDsl: actor('dsl2', ['DSL', 'HEAD', 'SENDCO', 'ADMIN'], 'org-2'),
};
type Who = keyof typeof people;
const all = Object.keys(people) as Who[];
const allowed = (check: (a: Actor) => boolean) => all.filter((w) => check(people[w]));

describe('the access matrix (core/access/policy.ts)', () => {
  const concern = { orgId: ORG, raisedById: 'raiser' };
  // 'attendee' is recorded as attending (a recipient); the key worker and the invitees are not.
  const note = {
    orgId: ORG,
    noteTakerId: 'noteTaker',
    recipientIds: ['attendee', 'noteTaker'],
  };
  const kase = {
    orgId: ORG,
    kind: 'EHC_NEEDS_ASSESSMENT',
    ownerId: 'officer',
    ownerLineManagerId: 'manager',
  };

  it('a concern record: DSL, deputies and the head only; the raiser sees its status; anyone in the school may raise one', () => {
    expect(allowed((a) => canViewConcern(a, concern))).toEqual(['dsl', 'deputy', 'head']);
    expect(allowed((a) => canViewConcernStatus(a, concern))).toEqual(['dsl', 'deputy', 'head', 'raiser']);
    expect(allowed((a) => canRaiseConcern(a, ORG))).toEqual(all.filter((w) => w !== 'otherSchoolDsl'));
  });

  it('a TAC note: its recipients and the SENDCo (the key worker for that alone: no); edits by the note-taker or SENDCo', () => {
    expect(allowed((a) => canViewTacNote(a, note))).toEqual(['sendco', 'attendee', 'noteTaker']);
    expect(allowed((a) => canEditTacNote(a, note))).toEqual(['sendco', 'noteTaker']);
  });

  it("a case: its named officer, the officer's manager, the SENDCo and admins", () => {
    expect(allowed((a) => canViewCase(a, kase))).toEqual([
      'sendco',
      'admin',
      'caseOfficer',
      'officersManager',
    ]);
    expect(allowed((a) => canActOnCase(a, kase))).toEqual([
      'sendco',
      'admin',
      'caseOfficer',
      'officersManager',
    ]);
  });

  it('a child-protection or staff-allegation case: its officer and the safeguarding leads only (KCSIE Parts 2 and 4)', () => {
    for (const kind of ['CHILD_PROTECTION', 'STAFF_ALLEGATION']) {
      const restricted = { ...kase, kind };
      const seen = ['dsl', 'deputy', 'head', 'caseOfficer'];
      expect(
        allowed((a) => canViewCase(a, restricted)),
        kind,
      ).toEqual(seen);
      expect(
        allowed((a) => canActOnCase(a, restricted)),
        kind,
      ).toEqual(seen);
      expect(
        allowed((a) => canReadCaseHistory(a, restricted)),
        kind,
      ).toEqual(seen);
      expect(
        allowed((a) => canReassignCase(a, restricted)),
        kind,
      ).toEqual(['dsl', 'deputy', 'head']);
    }
    // A SENDCo who is also a deputy DSL sees them (the role, not the SENDCo's).
    const both = actor('both', ['SENDCO', 'DEPUTY_DSL']);
    expect(canViewCase(both, { ...kase, kind: 'CHILD_PROTECTION' })).toBe(true);
  });

  it('the caseload scope leaves restricted kinds out unless owned or a safeguarding lead', () => {
    const kinds = ['CHILD_PROTECTION', 'STAFF_ALLEGATION'];
    expect(caseloadScope(people.sendco, [])).toEqual({ restricted: { kinds, exceptOwnerId: 'sendco' } });
    expect(caseloadScope(people.admin, [])).toEqual({ restricted: { kinds, exceptOwnerId: 'admin' } });
    expect(caseloadScope(people.officersManager, ['officer'])).toEqual({
      ownerIds: ['manager', 'officer'],
      restricted: { kinds, exceptOwnerId: 'manager' },
    });
    expect(caseloadScope(people.dsl, [])).toEqual({ ownerIds: ['dsl'] });
    expect(caseloadScope(actor('hd', ['HEAD', 'ADMIN']), [])).toEqual({});
  });

  it('a TAC note: its recipients (recorded attendees, action owners, case officer) may read it too', () => {
    const withRecipients = { ...note, recipientIds: ['teacher', 'attendee'] };
    expect(allowed((a) => canViewTacNote(a, withRecipients))).toEqual([
      'sendco',
      'teacher',
      'attendee',
      'noteTaker',
    ]);
  });

  it('a TAC note that is safeguarding information (a child-protection case): the safeguarding leads too', () => {
    expect(allowed((a) => canViewTacNote(a, { ...note, safeguarding: true }))).toEqual([
      'dsl',
      'deputy',
      'head',
      'sendco',
      'attendee',
      'noteTaker',
    ]);
  });

  it('the timeliness page: an LA organisation, a SEN team manager or admin', () => {
    const la = { id: ORG, kind: 'LOCAL_AUTHORITY' };
    const school = { id: ORG, kind: 'SCHOOL' };
    expect(allowed((a) => canViewTimeliness(a, la))).toEqual(['admin']);
    expect(allowed((a) => canViewTimeliness(a, school))).toEqual([]);
  });

  it('administration (rota, imports, keys, audit, retention): admins and the head', () => {
    expect(allowed((a) => canAdminister(a, ORG))).toEqual(['head', 'admin']);
  });
});

describe.each(providers)('what each role gets, end to end, on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t?.close();
  });

  it('opening a safeguarding record: shown privately to DSL, deputy and head on every channel; refused and audited for the rest', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const studentId = await addStudent(t.hub, orgId, { givenName: 'Zed', familyName: 'Quill' });
    const safeguarding = t.hub.services.get('safeguarding') as
      | { service: { raise(i: unknown): Promise<{ concern: { id: string } }> } }
      | undefined;
    expect(safeguarding, 'the safeguarding module is wired').toBeDefined();
    const { concern } = await safeguarding!.service.raise({
      orgId,
      studentId,
      raisedById: staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'neglect',
      immediateRisk: false,
      text: 'Role-test concern text about the child',
      actionsTaken: '',
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    const expectations: [keyof typeof staff, boolean][] = [
      ['dsl', true],
      ['deputy', true],
      ['head', true],
      ['sendco', false],
      ['admin', false],
      ['teacher', false],
      ['keyWorker', false],
    ];
    for (const via of ['CONSOLE', 'TEAMS', 'SLACK'] as const) {
      for (const [who, sees] of expectations) {
        const a = (await t.hub.staff.actorForStaff(staff[who]))!;
        const r = await t.hub.actions.dispatch({
          actor: a,
          via,
          verb: 'open_record',
          subject: { type: 'concern', id: concern.id },
          args: {},
        });
        const shown = JSON.stringify(r.reply ?? {});
        expect(r.reply?.audience, `${who} via ${via}`).toBe('private');
        expect(shown.includes('Role-test concern text'), `${who} via ${via}`).toBe(sees);
        if (!sees)
          expect(r.reply?.title).toBe('Sorry, your role does not allow you to open safeguarding records.');
      }
    }
    const events = await t.hub.audit.forSubject('concern', concern.id);
    const denied = events.filter((e) => e.action === 'access.denied');
    const viewed = events.filter((e) => e.action === 'concern.record_viewed');
    expect(denied).toHaveLength(4 * 3);
    expect(new Set(denied.map((e) => e.channel))).toEqual(new Set(['CONSOLE', 'TEAMS', 'SLACK']));
    expect(viewed).toHaveLength(3 * 3);
    expect(new Set(viewed.map((e) => e.actorId))).toEqual(new Set([staff.dsl, staff.deputy, staff.head]));
  });

  it('the admin reports (audit, retention) answer admins and the head, and refuse everyone else politely', async () => {
    t = await startTestHub(provider);
    const { staff } = await seedSchool(t.hub);
    for (const [who, ok] of [
      ['admin', true],
      ['head', true],
      ['dsl', false],
      ['sendco', false],
      ['teacher', false],
    ] as const) {
      const a = (await t.hub.staff.actorForStaff(staff[who]))!;
      for (const cmd of ['audit', 'retention']) {
        const r = await t.hub.commands.run(cmd, a, 'CONSOLE');
        const title = r.kind === 'message' ? r.message.title : '';
        if (ok)
          expect(title, `${who} ${cmd}`).toMatch(/^(Audit trail intact|Retention report for 2026-11-24)/);
        else expect(title, `${who} ${cmd}`).toMatch(/^Sorry, your role does not allow you to/);
      }
    }
    const denied = (await t.hub.audit.recent(100)).filter((e) => e.action === 'access.denied');
    expect(denied).toHaveLength(6);
  });
});
