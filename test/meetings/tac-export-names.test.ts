/**
 * The TAC notes PDF names the child and the family as written (app/documents/markdown-pdf.ts), on both
 * providers: notes submitted through the real form for a child on the roll as "Nguyễn Thị Ánh", exported
 * by an attendee and read back with pdf.js. Text in Arabic script (which the embedded font lacks) is
 * replaced by a visible marker and the PDF says so, naming the notes; the Markdown export keeps it all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { exportTacNote } from '../../app/meetings/tac-export.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { pdfText } from '../support/pdf-text.ts';
import { type School, seedSchool, UPN } from './support.ts';

describe.each(providers)('TAC notes PDF names on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let meetingId: string;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedSchool(t.hub);
    await t.hub.dbh.db.student.update({
      where: { id: s.studentId },
      data: { givenName: 'Nguyễn', familyName: 'Thị Ánh' },
    });
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([
        {
          uid: 'tac-names@school.example',
          summary: `TAC ${UPN}`,
          start: '20261123T140000',
          end: '20261123T150000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example'],
        },
      ]),
    });
    meetingId = (await t.hub.dbh.db.meeting.findFirstOrThrow({ select: { id: true } })).id;
  });
  afterEach(async () => {
    await t.close();
  });

  it("prints the child's and family's names as written; Arabic script is marked and the PDF says so", async () => {
    const values = {
      attendees: 'Olive Organiser\nKen Keyworker\nŁucja Wiśniewska (aunt)\nŞükrü Öztürk (dad)',
      childVoice: 'Likes Zoë Ó Briain in the nurture group.',
      workingWell: 'Settled mornings.',
      worries: 'Grandmother مريم حسن cannot collect on Fridays.',
      'actions.0.what': 'Call home about pick-ups',
      'actions.0.owner': 'ken@school.example',
      'actions.0.due': '2026-12-01',
      consent: 'given',
    };
    const submitted = await t.hub.forms.submit(
      s.olive,
      { formId: 'tac_notes', context: { meetingId }, values, intent: 'submit' },
      'CONSOLE',
    );
    expect(submitted).toMatchObject({ ok: true });
    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow();

    const md = (await exportTacNote(t.hub, s.service, s.ken, note.id, 'md')).toString('utf8');
    expect(md).toContain('Grandmother مريم حسن cannot collect on Fridays.');

    const text = (await pdfText(await exportTacNote(t.hub, s.service, s.ken, note.id, 'pdf'))).replace(
      /\s+/g,
      ' ',
    );
    expect(text).toContain('Child or young person: Nguyễn Thị Ánh');
    for (const name of ['Łucja Wiśniewska (aunt)', 'Şükrü Öztürk (dad)', 'Likes Zoë Ó Briain'])
      expect(text).toContain(name);
    expect(text).toContain('Grandmother [Arabic script: not shown] cannot collect on Fridays.');
    expect(text).toContain('Note: this PDF cannot show Arabic script;');
    expect(text).toContain(`(TAC notes ${note.id})`);
    expect(await t.hub.dbh.db.auditEvent.count({ where: { action: 'tac.exported' } })).toBe(2);
  });
});
