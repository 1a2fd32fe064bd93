/**
 * Every child's name prints in the hub's PDFs, as written, on both providers: the DSL board's chronology
 * for a child-protection conference (downloaded over HTTP as the DSL does) and the TAC notes export. The
 * PDF text is read back with pdf.js (test/support/pdf-text.ts), as a reader's viewer copies it. Latin with
 * Polish, Vietnamese, Turkish and Irish accents, Greek and Cyrillic are drawn; a name in Arabic script
 * (which the embedded font does not have) is never dropped silently: the PDF marks it and says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markdownToPdf } from '../../app/documents/markdown-pdf.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { providers } from '../support/db.ts';
import { pdfText } from '../support/pdf-text.ts';
import { type School, seedWebSchool, signIn, startWebHub, type WebHub } from '../support/web.ts';

/** Names common in English schools, each a child on the roll (given, family). */
const DRAWN_NAMES: [string, string][] = [
  ['Łucja', 'Wiśniewska'],
  ['Nguyễn', 'Thị Ánh'],
  ['Şükrü', 'Öztürk'],
  ['Zoë', 'Ó Briain'],
  ['Ελένη', 'Παπαδοπούλου'],
  ['Анастасия', 'Иванова'],
];
const ARABIC = ['مريم', 'حسن'] as const;

describe.each(providers)('PDFs print every name on %s', (provider) => {
  let t: WebHub;
  let s: School;

  beforeEach(async () => {
    t = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    s = await seedWebSchool(t.hub);
  });
  afterEach(async () => {
    await t.close();
  });

  const concernAbout = async (givenName: string, familyName: string, text: string) => {
    const student = await t.hub.dbh.db.student.create({
      data: { orgId: s.orgId, givenName, familyName, yearGroup: '6' },
    });
    const r = await safeguardingOf(t.hub).service.raise({
      orgId: s.orgId,
      studentId: student.id,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: false,
      text,
      actionsTaken: 'Told the DSL.',
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    return concernRef(r.concern.id);
  };

  it("the DSL's chronology PDF names the child as written; Arabic script is marked, never dropped", async () => {
    const refs = [];
    for (const [given, family] of DRAWN_NAMES)
      refs.push(await concernAbout(given, family, `Mum (${given} ${family}'s mother) phoned the office.`));
    const arabicRef = await concernAbout(ARABIC[0], ARABIC[1], 'Dad phoned the office.');
    await t.tickAndDeliver();
    const dsl = await signIn(t, 'dsl@quarrydene.example');

    for (const [i, [given, family]] of DRAWN_NAMES.entries()) {
      const res = await dsl.fetch(`/app/board/concerns/${refs[i]}?format=pdf`);
      expect(res.status).toBe(200);
      const text = await pdfText(Buffer.from(await res.arrayBuffer()));
      expect(text).toContain(`Child: ${given} ${family}`);
      expect(text).toContain(`Mum (${given} ${family}'s mother) phoned the office.`);
      expect(text).not.toContain('not shown');
    }

    const res = await dsl.fetch(`/app/board/concerns/${arabicRef}?format=pdf`);
    expect(res.status).toBe(200);
    const text = await pdfText(Buffer.from(await res.arrayBuffer()));
    expect(text).toContain('Child: [Arabic script: not shown]');
    expect(text).toMatch(/Note: this PDF cannot show Arabic script;/);
    expect(text.replace(/\s+/g, ' ')).toContain(`Safeguarding concern ${arabicRef}: chronology`);
    expect(text).toContain('Dad phoned the office.');
  });

  it('the TAC notes markdown-to-PDF keeps accents, Greek and Cyrillic; other scripts are named', async () => {
    const md = [
      '# Team Around the Child meeting notes',
      ...DRAWN_NAMES.map(([g, f]) => `- ${g} ${f}`),
      `| Parent | ${ARABIC.join(' ')} (মা: রহিমা, 王芳) |`,
    ].join('\n');
    const text = await pdfText(await markdownToPdf(md, 'TAC notes tn-1'));
    for (const [g, f] of DRAWN_NAMES) expect(text).toContain(`• ${g} ${f}`);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Parent · [Arabic script: not shown] ([Bengali script: not shown]: [Bengali script: not shown], [Chinese script: not shown])',
    );
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Note: this PDF cannot show Arabic script, Bengali script, Chinese script;',
    );
    expect(text.replace(/\s+/g, ' ')).toContain('(TAC notes tn-1)');
  });
});
