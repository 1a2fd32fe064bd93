/**
 * The one small connector interface (habit 2). An export connector says which columns it understands
 * (canonical names with the header variants seen in CPOMS, Arbor and SIMS exports) and turns one mapped
 * record into a typed row, or throws RowRejectedError naming the field. Reading files (encoding, CSV/XLSX,
 * dates) is shared in integrations/exports/; writing is the store's job.
 */
export type ExportKind = 'cpoms' | 'arbor-students' | 'arbor-attendance' | 'arbor-behaviour' | 'arbor-staff';

export interface FieldSpec {
  /** Canonical field name, also the key admins map unknown headers to. */
  name: string;
  /** Header variants (compared case- and punctuation-insensitively). */
  synonyms: string[];
  required?: boolean;
}

export interface RowContext {
  /** Zone for wall-clock date-times without an offset. */
  zone: string;
}

export interface ExportConnector<Row = unknown> {
  kind: ExportKind;
  label: string;
  fields: FieldSpec[];
  /** Alternatives where at least one of the fields must be present (e.g. UPN or MIS id). */
  oneOf?: string[][];
  toRow(record: Record<string, string>, ctx: RowContext): Row;
}

/** A calendar source (ICS feed, Graph mailbox) yields occurrences in a window. */
export interface CalendarConnector<Occurrence = unknown> {
  source: string;
  read(window: { from: Date; to: Date }): Promise<Occurrence[]>;
}
