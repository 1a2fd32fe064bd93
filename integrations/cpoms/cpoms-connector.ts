/**
 * CPOMS-style incident export (CSV/XLSX). CPOMS does not publish its export schema: these columns are the
 * inferred canonical model of docs/imports.md (documented UI fields), matched by header synonyms and an admin
 * map. One incident is about one student; linked students are kept as UPNs only.
 */
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { dateTime, list, opt, req, upn, yearGroup } from '../exports/field-values.ts';

export interface StudentKey {
  upn: string | null;
  misId: string | null;
  /** Only used with the year group for an exact, unique match; never stored. */
  name: string | null;
  yearGroup: string | null;
}

export interface CpomsRow {
  incidentId: string | null;
  student: StudentKey;
  occurredAt: Date;
  categories: string[];
  text: string;
  actions: string | null;
  reportedBy: string | null;
  assignedTo: string | null;
  status: string | null;
  linkedUpns: string[];
}

const STATUS: Record<string, string> = {
  active: 'Active',
  open: 'Active',
  closed: 'Closed',
  nfa: 'No Further Action',
  'no further action': 'No Further Action',
};

export const cpomsConnector: ExportConnector<CpomsRow> = {
  kind: 'cpoms',
  label: 'CPOMS incident',
  fields: [
    {
      name: 'incidentId',
      synonyms: ['Incident ID', 'ID', 'Incident Ref', 'Incident Number', 'Incident No', 'Reference'],
    },
    {
      name: 'studentName',
      synonyms: ['Student', 'Student Name', 'Pupil', 'Pupil Name', 'Name', 'Child', 'Learner'],
    },
    { name: 'upn', synonyms: ['UPN', 'Student UPN', 'Pupil UPN'] },
    {
      name: 'misId',
      synonyms: ['MIS ID', 'Student ID', 'Student MIS ID', 'Admission Number', 'Adno', 'Pupil ID'],
    },
    { name: 'yearGroup', synonyms: ['Year', 'Year Group', 'NC Year', 'Student Year'] },
    { name: 'regGroup', synonyms: ['Reg', 'Reg Group', 'Form', 'Tutor Group', 'Registration Group'] },
    {
      name: 'occurredAt',
      required: true,
      synonyms: [
        'Date',
        'Incident Date',
        'Date/Time',
        'Incident Date/Time',
        'Incident Datetime',
        'Date of Incident',
        'Incident Date Time',
        'Occurred',
      ],
    },
    { name: 'incidentTime', synonyms: ['Time', 'Incident Time'] },
    {
      name: 'enteredAt',
      synonyms: ['Date Added', 'Entered', 'Entered Date', 'Created', 'Entry Date', 'Date Entered'],
    },
    {
      name: 'categories',
      required: true,
      synonyms: ['Category', 'Categories', 'Incident Categories', 'Incident Category', 'Type'],
    },
    {
      name: 'text',
      required: true,
      synonyms: [
        'Incident',
        'Incident Text',
        'Description',
        'Details',
        'Incident Description',
        'Incident Details',
        'Notes',
        'Note',
        'Narrative',
        'Incident Narrative',
        'Comments',
        'Concern',
        'Concern Details',
      ],
    },
    { name: 'actions', synonyms: ['Actions', 'Action', 'Action Taken', 'Actions Taken', 'Follow Up'] },
    {
      name: 'reportedBy',
      synonyms: ['Reported By', 'Entered By', 'Added By', 'Author', 'Recorded By', 'Staff'],
    },
    { name: 'assignedTo', synonyms: ['Assigned To', 'Assigned User', 'Assignee', 'Case Owner'] },
    { name: 'status', synonyms: ['Status', 'Case Status', 'Incident Status'] },
    {
      name: 'linkedStudents',
      synonyms: ['Linked Students', 'Students Involved', 'Linked', 'Other Students', 'Linked Student UPNs'],
    },
    { name: 'alertedStaff', synonyms: ['Alerted Staff', 'Staff Alerted', 'Alerted', 'Alert'] },
  ],
  oneOf: [['upn', 'misId', 'studentName']],
  toRow(r, ctx) {
    const student: StudentKey = {
      upn: upn(r),
      misId: opt(r, 'misId'),
      name: opt(r, 'studentName'),
      yearGroup: yearGroup(r),
    };
    if (!student.upn && !student.misId && !student.name)
      throw new RowRejectedError('student', 'no UPN, MIS id or name');
    const categories = list(r, 'categories');
    if (categories.length === 0) throw new RowRejectedError('categories', 'is empty');
    const rawStatus = opt(r, 'status');
    const status = rawStatus ? (STATUS[rawStatus.toLowerCase()] ?? null) : null;
    if (rawStatus && !status)
      throw new RowRejectedError('status', 'expected Active, Closed or No Further Action');
    return {
      incidentId: opt(r, 'incidentId'),
      student,
      occurredAt: dateTime(r, 'occurredAt', ctx.zone, 'incidentTime'),
      categories,
      text: req(r, 'text'),
      actions: opt(r, 'actions'),
      reportedBy: opt(r, 'reportedBy'),
      assignedTo: opt(r, 'assignedTo'),
      status,
      // Linked students by UPN only: names of other children are not copied.
      linkedUpns: list(r, 'linkedStudents')
        .map((s) => s.toUpperCase())
        .filter((s) => /^[A-Z]\d{11}[0-9A-Z]$/.test(s)),
    };
  },
};
