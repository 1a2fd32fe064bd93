/**
 * Shared set-up of the escalation tests (issue 7; split by scenario over escalation*.e2e.test.ts): a concern
 * raised through the real form registry, what the console was sent, and the privacy check each file ends
 * with over every log line and channel message its tests wrote.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { RECORD_TITLE_PREFIX } from '../../core/escalations/concern-messages.ts';
import type { Actor } from '../../core/ports.ts';
import type { Provider } from '../../store/db.ts';
import { capturedChannelText, capturedLogLines, startTestHub, type TestHub } from '../support/hub.ts';
import { CONCERN_FORM, type School, SECRET_STRINGS, seedSchool } from './support.ts';

/** The console transcripts of this file's hubs, for the privacy check. */
export const transcripts: string[] = [];

export async function actor(t: TestHub, staffId: string): Promise<Actor> {
  const a = await t.hub.staff.actorForStaff(staffId);
  if (!a) throw new Error('no actor');
  return a;
}

/** Raise a concern the way every channel does: the `concern` command's form, submitted. */
export async function raise(t: TestHub, s: School, values: Partial<Record<string, string>> = {}) {
  const teacher = await actor(t, s.staff.teacher);
  const reply = await t.hub.commands.run('concern', teacher, 'CONSOLE');
  expect(reply.kind).toBe('form');
  if (reply.kind !== 'form') throw new Error('no form');
  return t.hub.forms.submit(
    teacher,
    {
      formId: reply.form.formId,
      context: reply.form.context,
      values: { ...CONCERN_FORM, ...values } as Record<string, string>,
      intent: 'submit',
    },
    'CONSOLE',
  );
}

export const escalations = (t: { console: TestHub['console'] }) =>
  t.console.transcript().filter((m) => m.message.kind === 'concern_escalation');
export const refFor = (t: { console: TestHub['console'] }, staffId: string, kind = 'concern_escalation') =>
  [...t.console.transcript()].reverse().find((m) => m.staffId === staffId && m.message.kind === kind)?.ref;

/**
 * The last test of a file: no pupil name or concern text in any log line or channel message its tests wrote,
 * outside the DSL's record view. `recordViews`: whether the file's tests open a record (then at least one
 * chunk is a record view, passed over) or not (then none is: every chunk was looked at).
 */
export function privacyAcrossThisFile(recordViews: boolean): void {
  describe('privacy across every safeguarding test above', () => {
    it('no pupil name or concern text in any log line or channel message outside the DSL record view', () => {
      const chunks = [
        ...capturedLogLines,
        ...capturedChannelText,
        ...transcripts.flatMap((x) => x.split(/\n(?=── to |\[r\d+\] |CONFIDENTIAL)/)),
      ];
      expect(capturedLogLines.length).toBeGreaterThan(10);
      expect(capturedChannelText.length).toBeGreaterThan(10);
      const leaks: string[] = [];
      let records = 0;
      for (const chunk of chunks) {
        if (chunk.trimStart().startsWith(RECORD_TITLE_PREFIX)) {
          records++;
          continue;
        }
        for (const secret of SECRET_STRINGS)
          if (chunk.includes(secret)) leaks.push(`${secret} in: ${chunk.slice(0, 200)}`);
      }
      if (recordViews) expect(records).toBeGreaterThan(0);
      else expect(records).toBe(0);
      expect(leaks).toEqual([]);
    });
  });
}

/** A hub at 09:00 on 24 November 2026 with the safeguarding module, and the school seeded. */
async function startSchoolHub(provider: Provider): Promise<{ t: TestHub; s: School }> {
  const t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [safeguardingModule()] });
  return { t, s: await seedSchool(t.hub.dbh.db) };
}

/**
 * Before each test a fresh hub and school (`set` hands them to the test's own variables); after it the
 * hub's console transcript is kept for the privacy check and the hub closed.
 */
export function schoolHubEach(provider: Provider, set: (h: { t: TestHub; s: School }) => void): void {
  let t: TestHub | undefined;
  beforeEach(async () => {
    const h = await startSchoolHub(provider);
    t = h.t;
    set(h);
  });
  afterEach(async () => {
    if (!t) return;
    transcripts.push(t.consoleOut.text());
    await t.close();
  });
}
