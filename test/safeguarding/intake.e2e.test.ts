/**
 * Issue 7 intake, end to end: the same concern form submitted twice (a double click, a platform re-delivery,
 * two at once) stores one concern, sends one message to the DSL, and gives the raiser the same confirmation
 * naming who it went to; here through the console and the form registry. Through the real adapters:
 * intake-slack.e2e.test.ts (with the channel notice, and a DSL with no chat identity reported to the admin)
 * and intake-teams.e2e.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { actor, privacyAcrossThisFile, receiptOf, stepMessages, values } from './intake-support.ts';
import { type School, seedSchool } from './support.ts';

describe.each(providers)('one concern per form submission (console and form registry) on %s', (provider) => {
  let t: TestHub;
  let s: School;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [safeguardingModule()] });
    s = await seedSchool(t.hub.dbh.db);
  });
  afterEach(async () => {
    await t.close();
  });

  async function openForm() {
    const reply = await t.hub.commands.run('concern', await actor(t.hub, s.staff.teacher), 'CONSOLE');
    if (reply.kind !== 'form') throw new Error('no form');
    return reply.form;
  }
  const submit = async (form: Awaited<ReturnType<typeof openForm>>, v: Record<string, string> = values) =>
    t.hub.forms.submit(
      await actor(t.hub, s.staff.teacher),
      { formId: form.formId, context: form.context, values: v, intent: 'submit' },
      'CONSOLE',
    );

  it('the same form submitted twice, one after the other and two at once, stores and sends once', async () => {
    const form = await openForm();
    expect(form.context.intake).toMatch(/^[0-9a-f-]{36}$/);
    const first = await submit(form);
    const again = await submit(form);
    expect(first.ok && receiptOf(first.reply)?.[1]).toBe('Dana Lead (DSL)');
    expect(again).toEqual(first);
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    const actions = (await t.hub.audit.forSubject('concern', c.id)).map((a) => a.action);
    expect(actions).toEqual(['concern.raised', 'concern.sent_to_dsl']);
    expect(t.logOut.text()).toContain('concern form submitted again');

    // Two deliveries of one new form at the same moment (the unique key decides; the loser answers alike).
    const racing = await openForm();
    const [a, b] = await Promise.all([submit(racing), submit(racing)]);
    expect(a.ok && b.ok).toBe(true);
    expect(a).toEqual(b);
    expect(await t.hub.dbh.db.concern.count()).toBe(2);

    await t.tickAndDeliver();
    expect(await stepMessages(t.hub)).toBe(2);
    expect(
      t.console
        .transcript()
        .filter((m) => m.message.kind === 'concern_escalation' && m.staffId === s.staff.dsl),
    ).toHaveLength(2);
    expect((await t.hub.audit.verify()).ok).toBe(true);
  });

  it('a form corrected after field errors is stored once; a new form is a new concern', async () => {
    const form = await openForm();
    const bad = await submit(form, { ...values, student: 'Nobody Atall' });
    expect(bad.ok).toBe(false);
    const good = await submit(form);
    expect(good.ok).toBe(true);
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    const other = await submit(await openForm());
    expect(other.ok && good.ok && receiptOf(other.reply)?.[0]).not.toBe(
      good.ok && receiptOf(good.reply)?.[0],
    );
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
  });

  it('without a form instance id, the platform submission id alone makes a repeat harmless', async () => {
    const teacher = await actor(t.hub, s.staff.teacher);
    const sub = { formId: 'concern', context: {}, values, intent: 'submit' as const, instanceId: 'card-77' };
    const one = await t.hub.forms.submit(teacher, sub, 'TEAMS');
    const two = await t.hub.forms.submit(teacher, sub, 'TEAMS');
    expect(two).toEqual(one);
    // Another person's submission with the same platform id is theirs, not a repeat.
    const dsl = await actor(t.hub, s.staff.dsl);
    await t.hub.forms.submit(dsl, sub, 'TEAMS');
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
  });
});

privacyAcrossThisFile();
