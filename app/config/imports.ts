/**
 * Imports and calendar syncs (issue 4): exports (CPOMS, Arbor/SIMS), the drop folder, scheduled pulls,
 * ICS feeds and Microsoft Graph calendars. Every variable is optional; a feature with no config is off.
 */
import { z } from 'zod';

const minutes = z.coerce.number({ message: 'expected a number of minutes' }).int().min(1).max(10_080);

/** "name=https://…; name2=https://…" */
const namedUrls = z.string().refine(
  (s) =>
    s
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)
      .every((p) => /^[A-Za-z0-9_.:-]+=https?:\/\/\S+$/.test(p)),
  { message: 'expected name=https://url pairs separated by ";"' },
);

export const importsEnvSchema = z.object({
  /** Organisation that files, pulls and feeds are imported into (defaults to the only one). */
  IMPORT_ORG_ID: z.string().optional(),
  /** Drop folder: files in <dir>/<kind>/ are imported, then moved to done/ or failed/. */
  IMPORT_DROP_DIR: z.string().optional(),
  /** YAML or JSON file mapping unknown headers to our fields, per kind (docs/imports.md). */
  IMPORT_HEADER_MAP_FILE: z.string().optional(),
  /** Scheduled pulls: "cpoms=https://…; arbor-students=https://…" */
  IMPORT_PULL_URLS: namedUrls.optional(),
  IMPORT_PULL_EVERY_MINUTES: minutes.default(60),
  /** XLSX safety bounds (zip bombs): largest uncompressed sheet, most rows. */
  IMPORT_XLSX_MAX_MB: z.coerce.number().int().min(1).max(4096).default(512),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(2_000_000),
  /** ICS feeds: "school-calendar=https://…; term-dates=https://…" */
  ICS_FEEDS: namedUrls.optional(),
  ICS_SYNC_EVERY_MINUTES: minutes.default(60),
  CALENDAR_SYNC_DAYS_BACK: z.coerce.number().int().min(0).max(366).default(7),
  CALENDAR_SYNC_DAYS_AHEAD: z.coerce.number().int().min(1).max(800).default(120),
  /** Extra meeting classification patterns: "TAC=team around|early help; PANEL=fair access". */
  MEETING_KIND_PATTERNS: z.string().optional(),
  /** Microsoft Graph app-only (client credentials). */
  GRAPH_TENANT_ID: z.string().optional(),
  GRAPH_CLIENT_ID: z.string().optional(),
  GRAPH_CLIENT_SECRET: z.string().optional(),
  /** Comma-separated mailboxes (UPN or email) whose calendars are read. */
  GRAPH_CALENDAR_USERS: z.string().optional(),
  /** Comma-separated group object ids: every member's mailbox is read too (GroupMember.Read.All). */
  GRAPH_CALENDAR_GROUPS: z.string().optional(),
  GRAPH_SYNC_EVERY_MINUTES: minutes.default(15),
});

export type ImportsConfig = z.infer<typeof importsEnvSchema>;

/** The section's validated values from the merged config. */
export function importsConfig(raw: Record<string, unknown>): ImportsConfig {
  return importsEnvSchema.parse(raw);
}

export function parseNamedUrls(spec: string | undefined): { name: string; url: string }[] {
  return (spec ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      return { name: p.slice(0, i), url: p.slice(i + 1) };
    });
}
