/**
 * `send-hub audit export --student <id>`: the package for a subject access request (UK GDPR Art 15).
 * Written to a file readable by its owner only (it holds the child's whole record, decrypted), never to
 * the log or a chat; the export itself is audited. The audit events also go out as a spreadsheet-safe CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import { localDate } from '../../core/calendar/zoned-time.ts';
import { toSafeCsv } from '../../core/export/csv-safe.ts';
import { canonicalJson } from '../../store/audit-repository.ts';
import { SubjectAccessRepository } from '../../store/subject-access-repository.ts';
import type { Hub } from '../container.ts';

export interface SubjectAccessExport {
  jsonFile: string;
  csvFile: string;
  counts: Record<string, number>;
  unreadable: string[];
}

export async function exportSubjectAccess(
  hub: Hub,
  studentId: string,
  outDir: string,
): Promise<SubjectAccessExport | null> {
  const repo = new SubjectAccessRepository(hub.dbh.db, hub.cipher);
  const pkg = await repo.collect(studentId, (subjects) => hub.audit.forSubjectAccess(studentId, subjects));
  if (!pkg) return null;
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const day = localDate(hub.clock.now(), hub.config.env.TIME_ZONE);
  const base = path.join(outDir, `subject-access-${studentId}-${day}`);
  const generatedAt = hub.clock.now().toISOString();
  const doc = {
    generatedAt,
    notice:
      'Subject access package. Review before disclosure: redact third-party data and anything exempt (DPA 2018 Sch 2-3). See docs/data-protection.md.',
    ...pkg,
  };
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  const csv = toSafeCsv(
    ['seq', 'at', 'action', 'actorKind', 'actorId', 'subjectType', 'subjectId', 'channel', 'details'],
    pkg.audit.map((a) => [
      a.seq,
      a.at.toISOString(),
      a.action,
      a.actorKind,
      a.actorId,
      a.subjectType,
      a.subjectId,
      a.channel,
      canonicalJson(a.details),
    ]),
  );
  fs.writeFileSync(`${base}-audit.csv`, csv, { mode: 0o600 });
  const counts = {
    cases: pkg.cases.length,
    meetings: pkg.meetings.length,
    concerns: pkg.concerns.length,
    incidents: pkg.incidents.length,
    tacNotes: pkg.tacNotes.length,
    attendance: pkg.attendance.length,
    alerts: pkg.alerts.length,
    auditEvents: pkg.audit.length,
  };
  await hub.audit.record({
    orgId: (pkg.student.orgId as string) ?? null,
    actorKind: 'admin-cli',
    action: 'subject_access.exported',
    subjectType: 'student',
    subjectId: studentId,
    studentId,
    channel: 'CLI',
    details: { ...counts, unreadable: pkg.unreadable.length },
  });
  return { jsonFile: `${base}.json`, csvFile: `${base}-audit.csv`, counts, unreadable: pkg.unreadable };
}
