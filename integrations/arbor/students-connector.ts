/**
 * Arbor-style student export; SIMS report and Groupcall/Xporter headers that differ only by name are
 * synonyms (docs/imports.md). SEN status uses the DfE census codes N / K / E.
 */
import type { ExportConnector } from '../connector.ts';
import { RowRejectedError } from '../exports/errors.ts';
import { bool, date, opt, req, upn, yearGroup } from '../exports/field-values.ts';

export interface StudentRow {
  externalId: string | null;
  upn: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  yearGroup: string | null;
  senStatus: 'NONE' | 'K' | 'E';
  ehcp: boolean;
  childInCare: boolean;
  /** Email or staff id of the key worker, resolved against imported staff. */
  keyWorker: string | null;
}

/** DfE school census SEN provision codes: N none, K SEN support, E EHC plan (S statement: historic, = E). */
const SEN: Record<string, 'NONE' | 'K' | 'E'> = {
  n: 'NONE',
  none: 'NONE',
  'no sen': 'NONE',
  k: 'K',
  'sen support': 'K',
  e: 'E',
  s: 'E',
  ehcp: 'E',
  'ehc plan': 'E',
  'education, health and care plan': 'E',
};

export const arborStudentsConnector: ExportConnector<StudentRow> = {
  kind: 'arbor-students',
  label: 'Arbor/SIMS students',
  fields: [
    {
      name: 'externalId',
      synonyms: [
        'STUDENT_ID',
        'Student ID',
        'Arbor ID',
        'MIS ID',
        'Admission Number',
        'Adno',
        'LearnerId',
        'Learner Code',
        'LearnerCode',
        'Person ID',
      ],
    },
    { name: 'upn', synonyms: ['UPN', 'Unique Pupil Number'] },
    {
      name: 'givenName',
      required: true,
      synonyms: [
        'Legal First Name',
        'First Name',
        'Forename',
        'Legal Forename',
        'LegalForename',
        'Given Name',
        'Preferred First Name',
      ],
    },
    {
      name: 'familyName',
      required: true,
      synonyms: ['Legal Last Name', 'Last Name', 'Surname', 'Legal Surname', 'LegalSurname', 'Family Name'],
    },
    { name: 'dateOfBirth', synonyms: ['Date of Birth', 'DOB', 'DateOfBirth', 'Birth Date'] },
    {
      name: 'yearGroup',
      synonyms: [
        'Year Group',
        'Year',
        'NC Year',
        'Year taught in Code',
        'Year Taught In',
        'Academic Level',
        'Curriculum Year',
      ],
    },
    {
      name: 'senStatus',
      synonyms: [
        'SEN Status',
        'SEN',
        'SEN Provision',
        'SENProvisionDetails.ProvisionTypeCode',
        'SEN Provision Type',
        'SEN Code',
      ],
    },
    { name: 'ehcp', synonyms: ['EHCP', 'Has EHCP', 'EHC Plan', 'Education Health Care Plan'] },
    {
      name: 'childInCare',
      synonyms: [
        'Child in Care',
        'In Care',
        'Looked After',
        'CLA',
        'LAC',
        'IsLookedAfterorAdoptedFromCare',
        'Looked After Child',
        'In Care Status',
      ],
    },
    {
      name: 'keyWorker',
      synonyms: ['Key Worker', 'Key Worker Email', 'Keyworker', 'Key Adult', 'Key Worker ID'],
    },
  ],
  oneOf: [['externalId', 'upn']],
  toRow(r) {
    const externalId = opt(r, 'externalId');
    const u = upn(r);
    if (!externalId && !u)
      throw new RowRejectedError('externalId', 'no student id and no UPN: the row cannot be matched again');
    const rawSen = opt(r, 'senStatus');
    const sen = rawSen ? SEN[rawSen.toLowerCase()] : 'NONE';
    if (!sen) throw new RowRejectedError('senStatus', 'expected N, K or E');
    const ehcp = bool(r, 'ehcp') || sen === 'E';
    return {
      externalId,
      upn: u,
      givenName: req(r, 'givenName'),
      familyName: req(r, 'familyName'),
      dateOfBirth: date(r, 'dateOfBirth'),
      yearGroup: yearGroup(r),
      senStatus: ehcp ? 'E' : sen,
      ehcp,
      childInCare: bool(r, 'childInCare'),
      keyWorker: opt(r, 'keyWorker'),
    };
  },
};
