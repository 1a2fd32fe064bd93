/**
 * Bulk-load due outbox messages for delivery tests and benchmarks: `people` members of staff, each with a
 * Teams identity (their own 1:1 conversation "conv-<i>" in tenant "t1"), `perPerson` messages each,
 * numbered in order, all due now. Written with createMany (the same rows OutboxRepository.enqueue writes:
 * encrypted payload, orderKey per person, increasing sequence) so 50,000 load in seconds.
 */
import { message } from '../../core/messages/outgoing-message.ts';
import type { FieldCipher } from '../../store/crypto/field-cipher.ts';
import type { Db } from '../../store/db.ts';

export interface SeededOutbox {
  orgId: string;
  staffIds: string[];
  total: number;
}

export async function seedOutbox(
  db: Db,
  cipher: FieldCipher,
  opts: {
    people: number;
    perPerson: number;
    now: Date;
    tenant?: string;
    tenants?: number;
    urgentEvery?: number;
  },
): Promise<SeededOutbox> {
  const org = await db.organisation.create({ data: { name: 'Trust (delivery bench)' } });
  const tenant = opts.tenant ?? 't1';
  const staffIds: string[] = [];
  const staffRows = [];
  const identityRows = [];
  for (let i = 0; i < opts.people; i++) {
    const id = `s-${org.id}-${i}`;
    staffIds.push(id);
    staffRows.push({ id, orgId: org.id, displayName: `Staff ${i}`, email: `s${i}@trust.example` });
    identityRows.push({
      staffId: id,
      platform: 'TEAMS' as const,
      platformUserId: `conv-${i}`,
      // Several schools (tenants) when asked: each has its own 50/s budget at Teams.
      tenantId: opts.tenants ? `${tenant}-${i % opts.tenants}` : tenant,
    });
  }
  for (let i = 0; i < staffRows.length; i += 1000) {
    await db.staff.createMany({ data: staffRows.slice(i, i + 1000) });
    await db.chatIdentity.createMany({ data: identityRows.slice(i, i + 1000) });
  }
  // One ciphertext per person is enough for load (the payload is decrypted and parsed on every claim).
  const rows = [];
  for (let p = 0; p < opts.people; p++) {
    for (let n = 1; n <= opts.perPerson; n++) {
      const urgent = opts.urgentEvery ? (p * opts.perPerson + n) % opts.urgentEvery === 0 : false;
      rows.push({
        idempotencyKey: `bench:${p}:${n}`,
        orgId: org.id,
        recipientId: staffIds[p]!,
        orderKey: urgent ? `staff:${staffIds[p]}:urgent` : `staff:${staffIds[p]}`,
        sequence: n,
        priority: urgent ? 0 : 5,
        payloadEnc: cipher.encryptJson(
          message({ kind: 'text', audience: 'private', title: `p${p} n${n}${urgent ? ' urgent' : ''}` }),
          'OutboxMessage.payloadEnc',
        ),
        nextAttemptAt: opts.now,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 1000)
    await db.outboxMessage.createMany({ data: rows.slice(i, i + 1000) });
  return { orgId: org.id, staffIds, total: rows.length };
}
