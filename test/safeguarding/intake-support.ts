/**
 * Shared set-up of the intake tests (issue 7; split by adapter over intake*.e2e.test.ts): the concern form's
 * values, the confirmation's reference and recipients, and the privacy check each file ends with over the
 * log lines its tests wrote.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../core/ports.ts';
import { capturedLogLines, type TestHub } from '../support/hub.ts';
import { CONCERN_FORM, SECRET_STRINGS } from './support.ts';

/** The concern form as the teacher fills it in. */
export const values = CONCERN_FORM;

/** "recorded as C-1A2B3C and has gone to Dana Lead (DSL)." → the reference and the recipients. */
export const receiptOf = (text: string) =>
  /recorded as (C-[0-9A-Z]+) and has gone to ([^.]+)\./.exec(text)?.slice(1);

export async function actor(hub: TestHub['hub'], staffId: string): Promise<Actor> {
  const a = await hub.staff.actorForStaff(staffId);
  if (!a) throw new Error('no actor');
  return a;
}

export const stepMessages = (hub: TestHub['hub']) =>
  hub.dbh.db.outboxMessage.count({ where: { idempotencyKey: { contains: ':step:' } } });

/**
 * The last test of a file: its tests repeated a submission (the log says so) and no log line they wrote
 * holds a pupil's name or the concern's text.
 */
export function privacyAcrossThisFile(): void {
  describe('privacy across the intake tests above', () => {
    it('no pupil name or concern text in any log line they wrote', () => {
      expect(capturedLogLines.some((l) => l.includes('concern form submitted again'))).toBe(true);
      const leaks = capturedLogLines.filter((l) => SECRET_STRINGS.some((x) => l.includes(x)));
      expect(leaks).toEqual([]);
    });
  });
}
