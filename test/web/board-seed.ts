/**
 * Many concerns for the board's pages (test/web/board-paging.test.ts, board.browser.test.ts), written as the
 * intake writes them, in one statement: 60 unacknowledged, 60 acknowledged, 60 owned, 50 closed; three
 * share each raised minute (ties broken by id); every fifth "Online safety", the others "Neglect".
 */
import type { School } from '../safeguarding/support.ts';
import type { WebHub } from '../support/web.ts';

export async function seedConcerns(w: WebHub, s: School) {
  const statuses = [
    ...Array(60).fill('RAISED'),
    ...Array(60).fill('ACKNOWLEDGED'),
    ...Array(60).fill('OWNED'),
    ...Array(50).fill('CLOSED'),
  ] as ('RAISED' | 'ACKNOWLEDGED' | 'OWNED' | 'CLOSED')[];
  const start = Date.parse('2026-11-01T08:00:00Z');
  // Shuffled by a fixed stride so status and raised time are not in step.
  const data = statuses.map((status, i) => {
    const slot = (i * 37) % statuses.length; // a permutation of 0..229 (37 and 230 are coprime)
    const raisedAt = new Date(start + Math.floor(slot / 3) * 60_000);
    return {
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      category: i % 5 === 0 ? 'Online safety' : 'Neglect',
      textEnc: w.hub.cipher.encrypt('seen and heard', 'Concern.textEnc'),
      occurredAt: raisedAt,
      raisedAt,
      status,
      ...(status === 'RAISED' ? {} : { acknowledgedById: s.staff.dsl, acknowledgedAt: raisedAt }),
      ...(status === 'OWNED' ? { ownerId: s.staff.deputy } : {}),
    };
  });
  await w.hub.dbh.db.concern.createMany({ data });
  return w.hub.dbh.db.concern.findMany({
    select: { id: true, status: true, raisedAt: true, category: true },
  });
}
