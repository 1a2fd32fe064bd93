/**
 * What a reminder is about, joined for readable lists (issue 14 point 3): its recipient (name, email), and
 * for a meeting its kind, date and child; for a deadline its rule, due date, case reference and child.
 * Reminders point at their subject by (subjectType, subjectId), so the subjects are read in two batched
 * queries. Reads only; the existing ReminderRepository reads are unchanged. A TAC action (with the cipher):
 * its task (decrypted: the `due` list is a private reply), due date and child.
 */
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';
import { ACTION_CTX } from './tac-note-repository.ts';

type Child = { givenName: string; familyName: string; yearGroup: string | null };

export interface ReminderSubjects {
  staff: Map<string, { displayName: string; email: string }>;
  meetings: Map<string, { kind: string; startsAt: Date; student: Child | null }>;
  deadlines: Map<
    string,
    {
      ruleId: string;
      dueOn: string;
      case: { kind: string; rulePack: string; reference: string | null; id: string; student: Child };
    }
  >;
  tacActions: Map<string, { what: string; dueOn: string; student: Child }>;
}

export class ReminderSubjectRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher?: FieldCipher,
  ) {}

  async subjectsOf(
    rows: readonly { subjectType: string; subjectId: string; recipientId: string }[],
    extraStaffIds: readonly string[] = [],
  ): Promise<ReminderSubjects> {
    const ids = (t: string) => [...new Set(rows.filter((r) => r.subjectType === t).map((r) => r.subjectId))];
    const staffIds = [...new Set([...rows.map((r) => r.recipientId), ...extraStaffIds])];
    const child = { select: { givenName: true, familyName: true, yearGroup: true } } as const;
    const actionIds = this.cipher ? ids('tac_action') : [];
    const [staff, meetings, deadlines, actions] = await Promise.all([
      staffIds.length
        ? this.db.staff.findMany({
            where: { id: { in: staffIds } },
            select: { id: true, displayName: true, email: true },
          })
        : [],
      ids('meeting').length
        ? this.db.meeting.findMany({
            where: { id: { in: ids('meeting') } },
            select: { id: true, kind: true, startsAt: true, student: child },
          })
        : [],
      ids('deadline').length
        ? this.db.deadline.findMany({
            where: { id: { in: ids('deadline') } },
            select: {
              id: true,
              ruleId: true,
              dueOn: true,
              case: {
                select: { id: true, kind: true, rulePack: true, reference: true, student: child },
              },
            },
          })
        : [],
      actionIds.length
        ? this.db.tacAction.findMany({
            where: { id: { in: actionIds } },
            select: { id: true, whatEnc: true, dueOn: true, note: { select: { student: child } } },
          })
        : [],
    ]);
    const cipher = this.cipher;
    return {
      staff: new Map(staff.map((s) => [s.id, { displayName: s.displayName, email: s.email }])),
      meetings: new Map(
        meetings.map((m) => [m.id, { kind: m.kind, startsAt: m.startsAt, student: m.student }]),
      ),
      deadlines: new Map(deadlines.map((d) => [d.id, { ruleId: d.ruleId, dueOn: d.dueOn, case: d.case }])),
      tacActions: new Map(
        cipher
          ? actions.map((a) => [
              a.id,
              { what: cipher.decrypt(a.whatEnc, ACTION_CTX), dueOn: a.dueOn, student: a.note.student },
            ])
          : [],
      ),
    };
  }
}
