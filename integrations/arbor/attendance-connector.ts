/** Attendance summaries per student and period (sessions possible/attended, or a percentage). */
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { date, int, opt, upn } from '../exports/field-values.ts';

export interface AttendanceRow {
  student: { externalId: string | null; upn: string | null };
  periodStart: string;
  periodEnd: string;
  sessionsPossible: number;
  sessionsAttended: number;
}

export const arborAttendanceConnector: ExportConnector<AttendanceRow> = {
  kind: 'arbor-attendance',
  label: 'Arbor/SIMS attendance',
  fields: [
    {
      name: 'externalId',
      synonyms: ['STUDENT_ID', 'Student ID', 'Arbor ID', 'MIS ID', 'Admission Number', 'Adno'],
    },
    { name: 'upn', synonyms: ['UPN'] },
    {
      name: 'periodStart',
      required: true,
      synonyms: ['Period Start', 'From', 'Start Date', 'Start', 'Date From'],
    },
    { name: 'periodEnd', required: true, synonyms: ['Period End', 'To', 'End Date', 'End', 'Date To'] },
    {
      name: 'sessionsPossible',
      synonyms: ['Possible Sessions', 'Sessions Possible', 'Possible', 'Possible Marks'],
    },
    {
      name: 'sessionsAttended',
      synonyms: ['Attended Sessions', 'Sessions Attended', 'Present', 'Attended', 'Present Marks'],
    },
    {
      name: 'percentage',
      synonyms: [
        'Attendance %',
        'Attendance',
        'Percentage',
        'Attendance Percentage',
        '% Attendance',
        'Attendance (%)',
      ],
    },
  ],
  oneOf: [['externalId', 'upn'], ['sessionsPossible']],
  toRow(r) {
    const student = { externalId: opt(r, 'externalId'), upn: upn(r) };
    if (!student.externalId && !student.upn)
      throw new RowRejectedError('externalId', 'no student id and no UPN');
    const periodStart = date(r, 'periodStart', true);
    const periodEnd = date(r, 'periodEnd', true);
    if (periodEnd < periodStart) throw new RowRejectedError('periodEnd', 'is before the period start');
    const possible = int(r, 'sessionsPossible', 0, 1000);
    if (possible === null) throw new RowRejectedError('sessionsPossible', 'is empty');
    let attended = int(r, 'sessionsAttended', 0, 1000);
    const pctRaw = opt(r, 'percentage')?.replace('%', '').trim();
    const pct = pctRaw ? Number(pctRaw) : null;
    if (pct !== null && (Number.isNaN(pct) || pct < 0 || pct > 100))
      throw new RowRejectedError('percentage', 'expected a percentage from 0 to 100');
    if (attended === null) {
      if (pct === null) throw new RowRejectedError('sessionsAttended', 'is empty (and no percentage)');
      attended = Math.round((pct * possible) / 100);
    } else if (pct !== null && possible > 0 && Math.abs((attended / possible) * 100 - pct) > 0.6) {
      throw new RowRejectedError('percentage', 'does not match the attended and possible sessions');
    }
    if (attended > possible)
      throw new RowRejectedError('sessionsAttended', 'is more than the sessions possible');
    return { student, periodStart, periodEnd, sessionsPossible: possible, sessionsAttended: attended };
  },
};
