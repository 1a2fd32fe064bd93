/**
 * Issue 13 point 5 and 7, the rules under the scenarios: safeguarding categories by an explicit list of exact
 * categories (never substrings), per organisation; the import's list of rows that raised a concern; the
 * alert routes' validation. Bad configuration names the file and field, never a value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/config/index.ts';
import { loadSafeguardingCategories } from '../../app/config/safeguarding.ts';
import { formatReport, runImport, safeguardingRowsOf } from '../../app/imports/run-import.ts';
import { UNLISTED_PREFIX, UnlistedCategories } from '../../app/imports/unlisted-categories.ts';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { parseAlertRoutes } from '../../core/escalations/alert-routes.ts';
import { defaultAlertRules, evaluateAlertRules } from '../../core/escalations/alert-rules.ts';
import {
  categoryList,
  classifyIncident,
  DEFAULT_IMMEDIATE_RISK_CATEGORIES,
  DEFAULT_SAFEGUARDING_CATEGORIES,
  looksLikeCategoryLabel,
  normaliseCategory,
  soundsLikeSafeguarding,
} from '../../core/escalations/safeguarding-categories.ts';
import { runMessage } from '../../web/pages/admin/imports-view.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { PUPIL2, seedAlertPattern, seedSchool } from './support.ts';

const SAID = 'Said dad hurts him at home';
const defaults = {
  categories: categoryList(DEFAULT_SAFEGUARDING_CATEGORIES),
  immediateRisk: categoryList(DEFAULT_IMMEDIATE_RISK_CATEGORIES),
};

describe('safeguarding categories: exact, never substrings', () => {
  it('"Verbal abuse" is not a safeguarding category; "Safeguarding > Neglect" is, however it is spaced or cased', () => {
    for (const c of [
      'Verbal abuse',
      'Behaviour > Verbal abuse',
      'Racist Abuse',
      'Abuse',
      'Physical Assault Against Pupil',
    ])
      expect(classifyIncident(defaults, [c])).toBeNull();
    for (const c of ['Safeguarding > Neglect', 'safeguarding>neglect', '  SAFEGUARDING  >   Neglect '])
      expect(classifyIncident(defaults, [c])).toEqual({ category: c, immediateRisk: false });
    expect(normaliseCategory('  Child  Protection>Disclosure ')).toBe('child protection > disclosure');
    // The first listed category of a multi-category incident is the one named.
    expect(classifyIncident(defaults, ['Attendance', 'Domestic Abuse'])?.category).toBe('Domestic Abuse');
  });

  it('wildcards are whole levels: "Safeguarding > *" is the subtree, "* > FGM" a leaf under any parent', () => {
    const l = categoryList(['Welfare > *', '* > Disclosure']);
    expect(l.first(['Welfare > Home life'])).toBe('Welfare > Home life');
    expect(l.first(['Welfare'])).toBeNull();
    expect(l.first(['Welfarecheck > x'])).toBeNull();
    expect(l.first(['Pastoral > Disclosure'])).toBe('Pastoral > Disclosure');
    expect(l.first(['Pastoral > Disclosure follow-up'])).toBeNull();
    expect(classifyIncident(defaults, ['Safeguarding > FGM'])).toEqual({
      category: 'Safeguarding > FGM',
      immediateRisk: true,
    });
  });

  it('a disclosure, an allegation about staff and the categories of abuse are safeguarding under any parent (audit finding 9)', () => {
    for (const c of [
      'Disclosure',
      'Behaviour > Disclosure',
      'Pastoral > Disclosure of abuse',
      'Allegation against Staff',
      'HR > Allegation against a member of staff',
      'Welfare > Neglect',
      'Pastoral > Domestic Abuse',
      'Welfare > CSE',
      'Self Harm',
      'Pastoral > Self-Harm',
      'Child-on-child abuse',
      'Child on child abuse',
    ])
      expect(classifyIncident(defaults, [c])?.category, c).toBe(c);
    expect(classifyIncident(defaults, ['Welfare > FGM'])?.immediateRisk).toBe(true);
    // Still never a substring: conduct stays behaviour.
    for (const c of ['Disclosure follow-up', 'Behaviour > Verbal abuse', 'Sexual Misconduct'])
      expect(classifyIncident(defaults, [c]), c).toBeNull();
    expect(normaliseCategory('Self\u2013Harm')).toBe('self harm');
  });

  it('the report names the categories treated as behaviour, "?" on those that sound like safeguarding, never text', () => {
    const u = new UnlistedCategories();
    expect(u.line()).toBeNull();
    for (const cats of [
      ['Verbal Abuse'],
      ['Disruptive Behaviour'],
      ['Disruptive  behaviour'],
      ['Welfare', SAID],
    ])
      u.note(JSON.stringify(cats));
    const line = u.line() as string;
    expect(line).toBe(
      `${UNLISTED_PREFIX}Verbal Abuse? (1 row), Welfare? (1 row), Disruptive Behaviour (2 rows); 1 value not named: it reads like text, not a category (check the file's category column). "?": sounds like safeguarding; if it is, add it to the organisation's list (SAFEGUARDING_CATEGORIES_FILE, docs/imports.md) and import the file again`,
    );
    for (const text of [
      SAID,
      'Zara Ali told staff',
      'A very long narrative that goes on past forty characters',
    ])
      expect(looksLikeCategoryLabel(text), text).toBe(false);
    for (const label of [
      'Physical Assault Against Pupil',
      'Level 2 > Low level disruption',
      'Sexual Violence and Sexual Harassment',
    ])
      expect(looksLikeCategoryLabel(label), label).toBe(true);
    expect(soundsLikeSafeguarding('Behaviour > Verbal abuse')).toBe(true);
    expect(soundsLikeSafeguarding('Disruptive Behaviour')).toBe(false);
    // The admin page counts them, naming none (it shows no value from the file).
    const page = runMessage(`ignored columns: Colour\n${line}`) as string;
    expect(page).toBe(
      '1 column in the file was not used (send-hub import report lists their headers). Some categories were treated as behaviour, not safeguarding, 2 of them sounding like safeguarding (send-hub import report names them)',
    );
  });

  it('a suspension is a suspension category, not anything containing "exclusion"', () => {
    const facts = (cat: string) => ({
      studentId: 's',
      onSenRegister: true,
      incidents: [{ id: 'i', date: '2026-11-23', categories: [cat] }],
      attendance: [],
    });
    const fired = (cat: string) =>
      evaluateAlertRules(facts(cat), '2026-11-24', defaultAlertRules).filter(
        (f) => f.kind === 'sen_suspension',
      );
    expect(fired('Internal Exclusion')).toEqual([]);
    expect(fired('Behaviour > Removal / Exclusion room')).toEqual([]);
    expect(fired('Suspension')).toHaveLength(1);
    expect(fired('Exclusions > Fixed Term Exclusion')).toHaveLength(1);
  });
});

describe('per-organisation lists and routes (configuration)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-cats-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file overrides per organisation (by name or id) and by default; a bad file names itself and the field', () => {
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(
      file,
      'default:\n  addCategories: [Sexual Misconduct]\norgs:\n  Elm School:\n    categories: [Welfare > *]\n    immediateRisk: [Welfare > Missing]\n',
    );
    const cats = loadSafeguardingCategories({ SAFEGUARDING_CATEGORIES_FILE: file });
    const elm = cats.policyFor({ id: 'x', name: 'Elm School' });
    expect(classifyIncident(elm, ['Safeguarding > Neglect'])).toBeNull();
    expect(classifyIncident(elm, ['Welfare > Missing'])).toEqual({
      category: 'Welfare > Missing',
      immediateRisk: true,
    });
    const other = cats.policyFor({ id: 'y', name: 'Oak School' });
    expect(classifyIncident(other, ['Sexual Misconduct'])?.category).toBe('Sexual Misconduct');
    expect(classifyIncident(other, ['Safeguarding > Neglect'])?.category).toBe('Safeguarding > Neglect');
    expect(cats.describe()).toMatch(/from file .*c\.yaml; own lists for Elm School/);

    fs.writeFileSync(file, 'orgs:\n  Elm School:\n    categories: [Welfare, 42]\n    colour: red\n');
    let bad = '';
    try {
      loadSafeguardingCategories({ SAFEGUARDING_CATEGORIES_FILE: file });
    } catch (e) {
      bad = (e as Error).message;
    }
    expect(bad).toMatch(/c\.yaml: orgs\.Elm School\.categories\.1: /);
    expect(bad).toMatch(/c\.yaml: orgs\.Elm School: .*colour/);
    expect(bad).not.toContain('Welfare');
    expect(() =>
      loadSafeguardingCategories({ SAFEGUARDING_CATEGORIES_FILE: path.join(dir, 'none.yaml') }),
    ).toThrow(/none\.yaml: cannot read the safeguarding categories \(ENOENT\)/);
    // The env list replaces the defaults (exact again).
    const env = loadSafeguardingCategories({ SAFEGUARDING_CATEGORIES: 'Welfare, Abuse' }).policyFor({
      id: 'a',
      name: 'b',
    });
    expect(classifyIncident(env, ['Verbal abuse'])).toBeNull();
    expect(classifyIncident(env, ['abuse'])?.category).toBe('abuse');
  });

  it('alert routes: defaults by kind, overrides validated by loadConfig with the kind and tier named', () => {
    const d = parseAlertRoutes(undefined);
    expect(d.ok && d.routes).toEqual({
      incidents: [['BEHAVIOUR_LEAD'], ['PUPIL_KEY_WORKER'], ['HEAD']],
      attendance: [['ATTENDANCE_LEAD'], ['PUPIL_KEY_WORKER'], ['HEAD']],
      sen_suspension: [['SENDCO'], ['BEHAVIOUR_LEAD'], ['HEAD']],
      // A looked-after pupil's suspension: the designated teacher, who sees the Virtual School Head told.
      lac_suspension: [['DESIGNATED_TEACHER'], ['HEAD']],
    });
    const o = parseAlertRoutes('attendance = pupil_key_worker ; sen_suspension=SENDCO+BEHAVIOUR_LEAD,HEAD');
    expect(o.ok && o.routes.sen_suspension).toEqual([['SENDCO', 'BEHAVIOUR_LEAD'], ['HEAD']]);
    expect(o.ok && o.routes.attendance).toEqual([['PUPIL_KEY_WORKER']]);
    expect(o.ok && o.routes.incidents).toEqual([['BEHAVIOUR_LEAD'], ['PUPIL_KEY_WORKER'], ['HEAD']]);
    let err: unknown;
    try {
      loadConfig(
        { SEND_HUB_ENV: 'test', SAFEGUARDING_ALERT_ROUTES: 'incidents=BEHAVIOUR_LEAD,JANITOR' },
        dir,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(
      /SAFEGUARDING_ALERT_ROUTES.*incidents tier 2: expected a role/,
    );
  });
});

describe.each(providers)('the import report names the rows that raised a concern, on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => t.close());

  it('line and category per row, per-organisation list applied; nothing for a re-import', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-cats-'));
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(
      file,
      'orgs:\n  Quarrydene Academy:\n    addCategories: [Behaviour > Peer sexual harassment]\n',
    );
    t = await startTestHub(provider, { env: { SAFEGUARDING_CATEGORIES_FILE: file } });
    const s = await seedSchool(t.hub.dbh.db);
    const csv = [
      'Incident ID,UPN,Date/Time,Categories,Incident',
      `1,${PUPIL2.upn},23/11/2026 10:00,Behaviour > Verbal abuse,Swore at the TA`,
      `2,${PUPIL2.upn},23/11/2026 11:00,Safeguarding > Neglect,No coat`,
      `3,${PUPIL2.upn},23/11/2026 12:00,Behaviour > Peer sexual harassment,Comments in the corridor`,
      `4,${PUPIL2.upn},01/09/2026 12:00,Child Protection,Older disclosure`,
    ].join('\n');
    const run = await runImport(t.hub, {
      orgId: s.orgId,
      kind: 'cpoms',
      source: { name: 'cpoms.csv', bytes: Buffer.from(csv) },
      via: 'test',
    });
    const rows = await safeguardingRowsOf(t.hub, run);
    expect(rows?.rows.map((r) => [r.line, r.category, r.concernId !== null])).toEqual([
      [3, 'Safeguarding > Neglect', true],
      [4, 'Behaviour > Peer sexual harassment', true],
      // Older than the look-back: listed, no concern (a history import does not flood the DSL).
      [5, 'Child Protection', false],
    ]);
    const report = formatReport(run, [], rows);
    expect(report).toContain('3 rows in a safeguarding category (a concern for the DSL):');
    expect(report).toMatch(/cpoms\.csv line 3: Safeguarding > Neglect -> concern C-[0-9A-Z]{6}/);
    expect(report).toContain('cpoms.csv line 5: Child Protection -> no concern yet');
    expect(report).not.toMatch(/line 2|Swore|No coat|Wexcombe/);
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
    // The same file again: nothing new, nothing listed.
    const again = await runImport(t.hub, {
      orgId: s.orgId,
      kind: 'cpoms',
      source: { name: 'cpoms.csv', bytes: Buffer.from(csv) },
      via: 'test',
    });
    expect(formatReport(again, [], await safeguardingRowsOf(t.hub, again))).toContain(
      'no new or changed row is in a safeguarding category: no concern raised',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.each(providers)('early-intervention routing is configurable, on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => t.close());

  it('SAFEGUARDING_ALERT_ROUTES and a rule’s own `to` decide who is prompted; nobody else is', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-rules-'));
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(
      rules,
      [
        'orgs:',
        '  Quarrydene Academy:',
        '    - { id: incidents-2-in-7, kind: incidents, count: 2, days: 7, to: [DEPUTY_DSL+HEAD] }',
        '    - { id: attendance-90-4w, kind: attendance, belowPercent: 90, weeks: 4 }',
      ].join('\n'),
    );
    t = await startTestHub(provider, {
      modules: [safeguardingModule()],
      env: { SAFEGUARDING_ALERT_RULES_FILE: rules, SAFEGUARDING_ALERT_ROUTES: 'attendance=BEHAVIOUR_LEAD' },
    });
    const s = await seedSchool(t.hub.dbh.db);
    await seedAlertPattern(t.hub.dbh.db, s, {
      prefix: 'R',
      days: [20, 23],
      category: 'Disruptive Behaviour',
      attended: 30,
    });
    await t.tickAndDeliver();
    const prompts = t.console
      .transcript()
      .filter((m) => m.message.kind === 'alert')
      .map((m) => [m.message.facts.find((f) => f.label === 'Rule')?.value, m.staffId] as const)
      .sort();
    expect(prompts).toEqual(
      [
        ['attendance-90-4w', s.staff.behaviour],
        ['incidents-2-in-7', s.staff.deputy],
        ['incidents-2-in-7', s.staff.deputy2],
        ['incidents-2-in-7', s.staff.head],
      ].sort(),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
