/** A small school for the meetings tests: an organiser (SENDCo), a key worker, an outsider, one student. */
import type { Hub } from '../../app/container.ts';
import { meetingsService } from '../../app/meetings/meetings-module.ts';
import type { MeetingsService } from '../../app/meetings/meetings-service.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
import type { TestHub } from '../support/hub.ts';

export const UPN = 'A123456789012';

export interface School {
  orgId: string;
  olive: Actor;
  ken: Actor;
  outsider: Actor;
  studentId: string;
  service: MeetingsService;
}

export async function seedSchool(hub: Hub): Promise<School> {
  const db = hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Oak Lane Primary (fictional)' } });
  const mk = async (displayName: string, email: string, roles: ('STAFF' | 'SENDCO' | 'COORDINATOR')[]) => {
    const s = await db.staff.create({
      data: { orgId: org.id, displayName, email, roles: { create: roles.map((role) => ({ role })) } },
    });
    return (await hub.staff.actorForStaff(s.id))!;
  };
  const olive = await mk('Olive Organiser', 'olive@school.example', ['SENDCO']);
  const ken = await mk('Ken Keyworker', 'ken@school.example', ['STAFF']);
  const outsider = await mk('Otto Outsider', 'otto@school.example', ['STAFF']);
  const student = await db.student.create({
    data: {
      orgId: org.id,
      upn: UPN,
      givenName: 'Amelia',
      familyName: 'Brown',
      yearGroup: '7',
      keyWorkerId: ken.staffId,
    },
  });
  return { orgId: org.id, olive, ken, outsider, studentId: student.id, service: meetingsService(hub) };
}

/** Messages the console showed to one member of staff, of one kind. */
export function shown(
  t: TestHub,
  staffId: string,
  kind?: string,
): { ref: string; message: OutgoingMessage }[] {
  return t.console.transcript().filter((s) => s.staffId === staffId && (!kind || s.message.kind === kind));
}
