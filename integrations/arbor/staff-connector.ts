/**
 * Staff with roles and line managers. Roles are mapped from MIS business-role names to the hub's roles;
 * ADMIN is never granted by an import (least privilege: an admin is made by an admin).
 */
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { list, opt } from '../exports/field-values.ts';

export type ImportedRole =
  | 'STAFF'
  | 'COORDINATOR'
  | 'SENDCO'
  | 'DSL'
  | 'DEPUTY_DSL'
  | 'HEAD'
  | 'DESIGNATED_TEACHER'
  | 'BEHAVIOUR_LEAD';

export interface StaffRow {
  externalId: string | null;
  email: string;
  displayName: string;
  roles: ImportedRole[];
  /** Email or staff id of the line manager. */
  lineManager: string | null;
}

/** Checked in order; "Deputy DSL" must win over "DSL". KCSIE 2025 Part 2 names the DSL and deputies. */
const ROLE_PATTERNS: [ImportedRole, RegExp][] = [
  ['DEPUTY_DSL', /deputy (designated safeguarding|dsl)|\bddsl\b|deputy safeguarding/i],
  ['DSL', /designated safeguarding lead|\bdsl\b|safeguarding lead/i],
  ['SENDCO', /\bsen(d)?co\b|special educational needs co-?ordinator|inclusion lead/i],
  ['DESIGNATED_TEACHER', /designated teacher/i],
  ['HEAD', /head ?teacher|\bprincipal\b|head of school|executive head/i],
  ['BEHAVIOUR_LEAD', /behaviour lead|head of behaviour|pastoral lead/i],
  ['COORDINATOR', /co-?ordinator|attendance officer|family support|early help/i],
];

export function mapRoles(names: string[]): ImportedRole[] {
  const out = new Set<ImportedRole>(['STAFF']);
  for (const n of names) for (const [role, re] of ROLE_PATTERNS) if (re.test(n)) out.add(role);
  return [...out].sort();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const arborStaffConnector: ExportConnector<StaffRow> = {
  kind: 'arbor-staff',
  label: 'Arbor/SIMS staff',
  fields: [
    {
      name: 'externalId',
      synonyms: ['Staff ID', 'STAFF_ID', 'Employee ID', 'Arbor Staff ID', 'Person ID', 'Staff Code'],
    },
    { name: 'email', required: true, synonyms: ['Email', 'Work Email', 'Email Address', 'School Email'] },
    { name: 'givenName', synonyms: ['First Name', 'Forename', 'Legal First Name', 'Preferred First Name'] },
    { name: 'familyName', synonyms: ['Last Name', 'Surname', 'Legal Last Name'] },
    { name: 'displayName', synonyms: ['Name', 'Display Name', 'Full Name', 'Staff Name'] },
    {
      name: 'roles',
      synonyms: ['Roles', 'Role', 'Business Role', 'Business Roles', 'Job Title', 'Post', 'Responsibilities'],
    },
    {
      name: 'lineManager',
      synonyms: ['Line Manager', 'Line Manager Email', 'Line Manager ID', 'Manager', 'Reports To'],
    },
  ],
  toRow(r) {
    const email = (opt(r, 'email') ?? '').toLowerCase();
    if (!EMAIL.test(email))
      throw new RowRejectedError('email', email ? 'is not an email address' : 'is empty');
    const displayName =
      opt(r, 'displayName') ?? [opt(r, 'givenName'), opt(r, 'familyName')].filter(Boolean).join(' ');
    if (!displayName) throw new RowRejectedError('displayName', 'no name');
    const lm = opt(r, 'lineManager');
    return {
      externalId: opt(r, 'externalId'),
      email,
      displayName,
      roles: mapRoles(list(r, 'roles')),
      lineManager: lm ? (lm.includes('@') ? lm.toLowerCase() : lm) : null,
    };
  },
};
