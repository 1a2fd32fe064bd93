/** The DSL's chronology export and the rota file (what `send-hub concern chronology` and `send-hub rota load` run). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRotaFile } from '../../app/safeguarding/load-rota.ts';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import { chronologyExport } from '../../app/safeguarding/safeguarding-cli.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { CONCERN_TEXT, PUPIL, type School, seedSchool } from './support.ts';

describe.each(providers)('safeguarding CLI on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let dir: string;
  beforeEach(async () => {
    t = await startTestHub(provider, { modules: [safeguardingModule()] });
    s = await seedSchool(t.hub.dbh.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rota-'));
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports a chronology (Markdown without the record by default; JSON with it on request), audited', async () => {
    const { service } = safeguardingOf(t.hub);
    const r = await service.raise({
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: true,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    const md = await chronologyExport(t.hub, r.concern.id, { format: 'md', includeText: false });
    expect(md).toContain('| concern.raised | Tess Teacher | CONSOLE |');
    expect(md).toContain('concern.sent_to_dsl');
    expect(md).toContain('Z.Q. (Y8)');
    expect(md).not.toContain(CONCERN_TEXT);
    expect(md).not.toContain(PUPIL.givenName);
    const json = JSON.parse(
      await chronologyExport(t.hub, r.concern.id, { format: 'json', includeText: true }),
    );
    expect(json.text).toBe(CONCERN_TEXT);
    expect(json.pupil).toContain('Zephyrine Quillborough');
    expect(json.chronology.map((e: { what: string }) => e.what)).toEqual([
      'concern.raised',
      'concern.sent_to_dsl',
      'concern.chronology_exported',
    ]);
  });

  it('loads a rota file, and refuses a bad one naming the file, entry and field', async () => {
    const good = path.join(dir, 'rota.yaml');
    fs.writeFileSync(
      good,
      [
        'organisation: Quarrydene Academy',
        'entries:',
        '  - { email: deputy2@quarrydene.example, level: DSL }',
        '  - { email: deputy@quarrydene.example, level: deputy, rank: 1 }',
        '  - { email: head@quarrydene.example, level: HEAD }',
      ].join('\n'),
    );
    const { service } = safeguardingOf(t.hub);
    expect(await loadRotaFile(t.hub, service, good, 'CLI')).toEqual({ orgId: s.orgId, entries: 3 });
    const ladder = await service.ladderFor(s.orgId, t.clock.now());
    expect(ladder.map((g) => g.map((m) => m.staffId))).toEqual([
      [s.staff.deputy2],
      [s.staff.deputy],
      [s.staff.head],
    ]);

    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        entries: [
          { email: 'head@quarrydene.example', level: 'HEAD' },
          { email: 'x@y.example', level: 'BOSS' },
        ],
      }),
    );
    await expect(loadRotaFile(t.hub, service, bad, 'CLI')).rejects.toThrow(
      `${bad}: entry 2, field "level": expected DSL, DEPUTY_DSL or HEAD`,
    );
    const unknown = path.join(dir, 'unknown.yaml');
    fs.writeFileSync(unknown, 'entries:\n  - { email: nobody@quarrydene.example, level: DSL }\n');
    await expect(loadRotaFile(t.hub, service, unknown, 'CLI')).rejects.toThrow(
      `${unknown}: entry 1, field "email": no active member of staff`,
    );
    const noDsl = path.join(dir, 'no-dsl.yaml');
    fs.writeFileSync(noDsl, 'entries:\n  - { email: deputy@quarrydene.example, level: DEPUTY_DSL }\n');
    await expect(loadRotaFile(t.hub, service, noDsl, 'CLI')).rejects.toThrow(
      `${noDsl}: The rota would have no DSL for school hours`,
    );
    // The good rota is still in place.
    expect((await service.rota.list(s.orgId)).length).toBe(3);
  });
});
