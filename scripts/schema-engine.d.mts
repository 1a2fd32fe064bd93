// Types for scripts/schema-engine.mjs (the wasm schema-engine loader), as far as the store uses it.
export interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: {
    path: string;
    migrationFile: { path: string; content: { tag: string; value: string } };
  }[];
}
export interface SchemaEngineHandle {
  applyMigrations(input: {
    migrationsList: MigrationList;
    filters: unknown;
  }): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: {
    from: unknown;
    to: unknown;
    script: boolean;
    exitCode: boolean;
    filters: unknown;
  }): Promise<{ exitCode: number; stdout: string }>;
  diagnoseMigrationHistory(input: {
    migrationsList: MigrationList;
    optInToShadowDatabase: boolean;
    filters: unknown;
  }): Promise<{
    failedMigrationNames: string[];
    editedMigrationNames: string[];
    hasMigrationsTable: boolean;
    history: unknown;
  }>;
  free(): void;
}
export function engineVersion(): string;
export function openEngine(
  main: unknown,
  schemaFiles: [string, string][] | undefined,
  options?: { shadow?: unknown; log?: (m: string) => void },
): Promise<SchemaEngineHandle>;
export function migrationsList(dir: string): MigrationList;
export const noFilter: { externalTables: never[]; externalEnums: never[] };
