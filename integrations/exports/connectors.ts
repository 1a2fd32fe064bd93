/** Every export connector by kind, with the aliases the CLI accepts. */
import { arborAttendanceConnector } from '../arbor/attendance-connector.ts';
import { arborBehaviourConnector } from '../arbor/behaviour-connector.ts';
import { arborStaffConnector } from '../arbor/staff-connector.ts';
import { arborStudentsConnector } from '../arbor/students-connector.ts';
import type { ExportConnector, ExportKind } from '../connector.ts';
import { cpomsConnector } from '../cpoms/cpoms-connector.ts';

export const connectors: Record<ExportKind, ExportConnector> = {
  cpoms: cpomsConnector as ExportConnector,
  'arbor-students': arborStudentsConnector as ExportConnector,
  'arbor-attendance': arborAttendanceConnector as ExportConnector,
  'arbor-behaviour': arborBehaviourConnector as ExportConnector,
  'arbor-staff': arborStaffConnector as ExportConnector,
};

const ALIASES: Record<string, ExportKind> = {
  incidents: 'cpoms',
  'cpoms-incidents': 'cpoms',
  students: 'arbor-students',
  'sims-students': 'arbor-students',
  attendance: 'arbor-attendance',
  'sims-attendance': 'arbor-attendance',
  behaviour: 'arbor-behaviour',
  behavior: 'arbor-behaviour',
  'sims-behaviour': 'arbor-behaviour',
  staff: 'arbor-staff',
  'sims-staff': 'arbor-staff',
};

export const EXPORT_KINDS = Object.keys(connectors) as ExportKind[];

export function exportKindOf(name: string): ExportKind | null {
  const k = name.trim().toLowerCase();
  return k in connectors ? (k as ExportKind) : (ALIASES[k] ?? null);
}
