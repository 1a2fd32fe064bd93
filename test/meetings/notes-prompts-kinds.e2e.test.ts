/**
 * Issue 14 point 8: note prompts after CIN, CPA and annual review meetings as for TAC, configurable per
 * meeting type (MEETING_NOTES_KINDS). Four meetings come in from the organiser's calendar (ICS); when they
 * end, the organiser (the default note-taker) is asked for notes of each, named by type and child.
 * With MEETING_NOTES_KINDS=TAC only the TAC meeting asks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedSchool, shown, UPN } from './support.ts';

const meeting = (uid: string, summary: string, hour: number) => ({
  uid: `${uid}@school.example`,
  summary: `${summary} ${UPN}`,
  start: `20261130T${String(hour).padStart(2, '0')}0000`,
  end: `20261130T${String(hour + 1).padStart(2, '0')}0000`,
  organizer: 'olive@school.example',
  attendees: ['olive@school.example', 'ken@school.example'],
  url: `https://teams.example/meet/${uid}`,
});

const FEED = buildIcs([
  meeting('tac', 'TAC meeting', 9),
  meeting('cin', 'CIN meeting', 10),
  meeting('cpa', 'CPA review', 11),
  meeting('ar', 'EHCP annual review', 12),
]);

describe.each(providers)('notes prompts per meeting type (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const promptsAfterTheMeetings = async (env: Record<string, string>) => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', env });
    const s = await seedSchool(t.hub);
    const sync = await syncIcsFeed(t.hub, { orgId: s.orgId, source: 'sendco', text: FEED });
    expect(sync.meetings.created).toBe(4);
    expect(
      (await t.hub.dbh.db.meeting.findMany({ select: { kind: true } })).map((m) => m.kind).sort(),
    ).toEqual(['CIN', 'CPA', 'EHCP_ANNUAL_REVIEW', 'TAC']);
    t.clock.set('2026-11-30T14:00:00Z');
    await t.tickAndDeliver();
    return shown(t, s.olive.staffId, 'notes_prompt')
      .map((p) => p.message.title)
      .sort();
  };

  it('asks for notes after CIN, CPA and annual review meetings as for TAC', async () => {
    expect(await promptsAfterTheMeetings({})).toEqual([
      'Notes for the Care Programme Approach review for A.B. (Y7)',
      'Notes for the Child in Need meeting for A.B. (Y7)',
      'Notes for the EHCP annual review for A.B. (Y7)',
      'Notes for the Team Around the Child meeting for A.B. (Y7)',
    ]);
  }, 180_000);

  it('only for the meeting types configured', async () => {
    expect(await promptsAfterTheMeetings({ MEETING_NOTES_KINDS: 'TAC' })).toEqual([
      'Notes for the Team Around the Child meeting for A.B. (Y7)',
    ]);
  }, 180_000);
});
