// Types for scripts/build-import.mjs (the compiled `send-hub import`), for its tests.
export function buildImport(options?: { dist?: string; log?: (line: string) => void }): Promise<string>;
