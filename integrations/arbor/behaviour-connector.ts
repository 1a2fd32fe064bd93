/**
 * Behaviour incidents (Arbor BI Connector BEHAVIOUR_INCIDENTS fields, docs/imports.md, and plain report
 * headers; a SIMS behaviour report's columns). The involvement id (one row per student involved) is the external
 * id. The narrative and comments are the incident text, stored encrypted (app/imports/appliers.ts).
 */
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { dateTime, int, list, opt, upn } from '../exports/field-values.ts';

export interface BehaviourRow {
  externalId: string;
  student: { externalId: string | null; upn: string | null };
  occurredAt: Date;
  categories: string[];
  text: string | null;
  points: number | null;
  reportedBy: string | null;
  status: string | null;
}

export const arborBehaviourConnector: ExportConnector<BehaviourRow> = {
  kind: 'arbor-behaviour',
  label: 'Arbor/SIMS behaviour',
  fields: [
    { name: 'involvementId', synonyms: ['BEHAVIOURAL_INCIDENT_INVOLVEMENT_ID', 'Involvement ID'] },
    { name: 'incidentId', synonyms: ['BEHAVIOURAL_INCIDENT_ID', 'Incident ID', 'Behaviour ID', 'ID'] },
    { name: 'externalId', synonyms: ['STUDENT_ID', 'Student ID', 'Arbor ID', 'MIS ID', 'Adno'] },
    { name: 'upn', synonyms: ['UPN'] },
    {
      name: 'occurredAt',
      required: true,
      synonyms: ['INCIDENT_DT', 'Incident Date', 'Date', 'Date/Time', 'Incident Date/Time'],
    },
    { name: 'incidentTime', synonyms: ['Time', 'Incident Time'] },
    {
      name: 'categories',
      required: true,
      synonyms: ['Behaviour', 'Behaviour Type', 'Type', 'Category', 'Incident Type'],
    },
    // The narrative: Arbor BI NARRATIVE, a SIMS behaviour report's "Comments" (both may be present: joined).
    {
      name: 'text',
      synonyms: [
        'NARRATIVE',
        'Narrative',
        'Incident Narrative',
        'Description',
        'Details',
        'Incident Details',
      ],
    },
    { name: 'comment', synonyms: ['COMMENT', 'Comment', 'Comments', 'Incident Comments', 'Notes', 'Note'] },
    { name: 'points', synonyms: ['SEVERITY', 'Severity', 'Points', 'Behaviour Points'] },
    { name: 'reportedBy', synonyms: ['LOGGED_BY_STAFF_ID', 'Logged By', 'Reported By', 'Staff'] },
    { name: 'status', synonyms: ['Status', 'RESOLVED_DT', 'Resolved'] },
  ],
  oneOf: [
    ['involvementId', 'incidentId'],
    ['externalId', 'upn'],
  ],
  toRow(r, ctx) {
    const student = { externalId: opt(r, 'externalId'), upn: upn(r) };
    if (!student.externalId && !student.upn)
      throw new RowRejectedError('externalId', 'no student id and no UPN');
    const inv = opt(r, 'involvementId');
    const inc = opt(r, 'incidentId');
    if (!inv && !inc) throw new RowRejectedError('incidentId', 'is empty');
    const categories = list(r, 'categories');
    if (categories.length === 0) throw new RowRejectedError('categories', 'is empty');
    return {
      externalId: inv ?? `${inc}/${student.externalId ?? student.upn}`,
      student,
      occurredAt: dateTime(r, 'occurredAt', ctx.zone, 'incidentTime'),
      categories,
      text: [opt(r, 'text'), opt(r, 'comment')].filter((x) => x !== null).join('\n\n') || null,
      points: int(r, 'points', -1000, 1000),
      reportedBy: opt(r, 'reportedBy'),
      status: opt(r, 'status') ? 'Resolved' : null,
    };
  },
};
