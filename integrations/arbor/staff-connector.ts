/**
 * Staff with roles and line managers. Roles are mapped from MIS business-role names to the hub's roles;
 * ADMIN is never granted by an import (least privilege: an admin is made by an admin).
 */
import { rolesFromTitles, type TitleRole } from '../../core/staff/job-titles.ts';
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { list, opt } from '../exports/field-values.ts';

export type ImportedRole = TitleRole;

export interface StaffRow {
  externalId: string | null;
  email: string;
  displayName: string;
  /** Job titles / business roles as the file gave them (mapped again when STAFF_ROLE_MAP_FILE is set). */
  titles: string[];
  /** Roles from the default title map (core/staff/job-titles.ts; docs/imports.md "Roles from job titles"). */
  roles: ImportedRole[];
  /** Email or staff id of the line manager. */
  lineManager: string | null;
}

/** Roles from MIS business-role names and job titles by the default map. */
export const mapRoles = (names: string[]): ImportedRole[] => rolesFromTitles(names);

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
      titles: list(r, 'roles'),
      roles: mapRoles(list(r, 'roles')),
      lineManager: lm ? (lm.includes('@') ? lm.toLowerCase() : lm) : null,
    };
  },
};
