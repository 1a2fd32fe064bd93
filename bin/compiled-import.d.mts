// Types for bin/compiled-import.mjs (the compiled `send-hub import`'s freshness check), for its tests.
export interface InputDescription {
  size: number;
  mtimeMs: number;
  sha256: string;
}
export const MANIFEST: string;
export function describeInputs(root: string, files: string[]): Record<string, InputDescription>;
export function inputsUnchanged(root: string, inputs: Record<string, InputDescription>): boolean;
export function compiledImport(root: string, dist?: string): string | null;
