/**
 * Header mapping: real exports name the same column many ways ("DOB", "Date of Birth", "DateOfBirth"), and
 * each school designs its own SIMS report (docs/imports.md), so headers are matched by normalised synonyms
 * plus an admin map file: `{ "cpoms": { "Pupil Ref": "upn" } }` (YAML or JSON).
 */
import fs from 'node:fs';
import type { ExportConnector, ExportKind } from '../connector.ts';
import { yaml } from '../lazy-yaml.ts';
import { FileRefusedError } from './errors.ts';

export type AdminHeaderMap = Partial<Record<ExportKind, Record<string, string>>>;

export const normaliseHeader = (h: string): string =>
  h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

/** Reads and checks the admin header-map file; a bad file stops the import with one line. */
export function loadHeaderMapFile(file: string | undefined): AdminHeaderMap {
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = yaml().parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FileRefusedError(
      file,
      `header map is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new FileRefusedError(file, 'header map must be an object of kind -> { header: field }');
  for (const [kind, map] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string'))
      throw new FileRefusedError(file, `header map for "${kind}" must map header text to a field name`);
  }
  return parsed as AdminHeaderMap;
}

export interface HeaderResolution {
  /** Column index -> canonical field. */
  columns: (string | null)[];
  missing: string[];
  unknown: string[];
}

export function resolveHeaders(
  headers: string[],
  connector: ExportConnector,
  admin: Record<string, string> = {},
): HeaderResolution {
  const lookup = new Map<string, string>();
  for (const f of connector.fields) {
    lookup.set(normaliseHeader(f.name), f.name);
    for (const s of f.synonyms) lookup.set(normaliseHeader(s), f.name);
  }
  const known = new Set(connector.fields.map((f) => f.name));
  for (const [header, field] of Object.entries(admin))
    if (known.has(field)) lookup.set(normaliseHeader(header), field);
  const taken = new Set<string>();
  const unknown: string[] = [];
  const columns = headers.map((h) => {
    const field = lookup.get(normaliseHeader(h));
    if (!field || taken.has(field)) {
      if (h.trim()) unknown.push(h.trim());
      return null;
    }
    taken.add(field);
    return field;
  });
  const missing = connector.fields.filter((f) => f.required && !taken.has(f.name)).map((f) => f.name);
  for (const group of connector.oneOf ?? []) {
    if (!group.some((g) => taken.has(g))) missing.push(group.join(' or '));
  }
  return { columns, missing, unknown };
}
