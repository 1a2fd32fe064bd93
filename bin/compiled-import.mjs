// Is the compiled `send-hub import` program (scripts/build-import.mjs, in dist/import/) present and built from
// the sources as they are now? bin/send-hub.mjs runs it with plain node when it is, and the TypeScript
// sources through tsx when it is not (a clean clone before `npm ci`, a `git pull` without it, a source edited
// since): stale code is never run. Kept free of dependencies: it runs before anything else loads.
//
// The manifest lists every file the build read (the hub's own sources, the generated Prisma clients, the
// bundled zod, tsconfig.json, package.json, the build script) with its size, mtime and SHA-256. A file whose
// size and mtime are unchanged is taken as unchanged (one stat each, ~140 files: a few ms); one whose mtime
// moved (a checkout rewrites files) is read and hashed, so only a real change makes the build stale.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MANIFEST = 'manifest.json';

/** `{ size, mtimeMs, sha256 }` of each file (paths relative to root), for a manifest. */
export function describeInputs(root, files) {
  const inputs = {};
  for (const rel of files) {
    const abs = path.join(root, rel);
    const st = fs.statSync(abs);
    inputs[rel] = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(fs.readFileSync(abs)) };
  }
  return inputs;
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Whether every input of the manifest is as it was when the program was built. */
export function inputsUnchanged(root, inputs) {
  for (const [rel, was] of Object.entries(inputs)) {
    const abs = path.join(root, rel);
    let st;
    try {
      st = fs.statSync(abs);
    } catch {
      return false;
    }
    if (st.size !== was.size) return false;
    if (st.mtimeMs === was.mtimeMs) continue;
    if (sha256(fs.readFileSync(abs)) !== was.sha256) return false;
  }
  return true;
}

/**
 * The compiled program's folder when it is there and up to date, else null. `dist` is the build's folder
 * (default <root>/dist/import; SEND_HUB_IMPORT_DIST overrides it, `off` always runs the sources).
 */
export function compiledImport(root, dist = process.env.SEND_HUB_IMPORT_DIST) {
  if (dist === 'off') return null;
  const dir = path.resolve(root, dist || path.join('dist', 'import'));
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
  if (typeof manifest?.build !== 'string') return null;
  const build = path.join(dir, manifest.build);
  if (!fs.existsSync(path.join(build, 'import-main.js'))) return null;
  return inputsUnchanged(root, manifest.inputs ?? {}) ? build : null;
}
