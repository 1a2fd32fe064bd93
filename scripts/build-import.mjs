// Compiles the `send-hub import` program (app/imports/import-main.ts and what it loads) to plain JavaScript
// in dist/import/ (git-ignored), so that bin/send-hub.mjs can run it with node alone: tsx's loader runs its
// hooks in a worker thread with its own V8 heap, ~25 MB of the idle import process (issue 18,
// docs/imports.md "Memory"). Run by `npm install`/`npm ci` (postinstall) and `npm run build:import`.
// bin/compiled-import.mjs decides at each start whether the build is up to date; a stale or missing build
// is never run (the TypeScript sources are, through tsx). Tests (vitest) run the sources.
//
// What the build does, with esbuild (the same compiler tsx uses):
// - the hub's own modules are bundled into a few files (one per lazily loaded part: code splitting keeps
//   each `await import(...)` lazy); packages stay external and load from node_modules as usual, except zod;
// - zod is bundled with its locales cut to English, what bin/zod-english.mjs does for the tsx run;
// - the generated Prisma clients load the query compiler built for size, what bin/small-query-compiler.mjs
//   does for the tsx run;
// - Prisma's client runtime is bundled with the parameterization graph's edges in Maps (withMapEdges);
// - `import.meta.url` in the hub's modules still names the module's own source file, so paths found from it
//   (the project root, bundled data files, createRequire) are what they are in the sources.
// A failed build is reported and leaves the previous build's manifest alone (or none): never fatal, the
// command then runs through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeInputs, MANIFEST } from '../bin/compiled-import.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_CLASS = /store\/generated\/(sqlite|postgres)\/internal\/class\.ts$/;
const ZOD = `${path.sep}node_modules${path.sep}zod${path.sep}`;
/** Read by the build beside the sources it bundles: a change to any of them makes the build stale. */
const ALSO_INPUTS = ['package.json', 'tsconfig.json', 'scripts/build-import.mjs'];

/**
 * Prisma's client runtime decodes the schema's parameterization graph (which argument of which query is a
 * value to bind) into one object per node whose `edges` are keyed by string-table index, e.g.
 * `{686: …, 905: …}`: V8 stores those as holey arrays of ~900 slots for a few entries, ~16 MB of the idle
 * import process (issue 18). The build bundles the runtime with `edges` as a Map (same keys, same lookups).
 * Exact matches of Prisma 7's minified code, each counted: if a Prisma upgrade changes it, the runtime is
 * left external and unpatched (the build says so), never half patched.
 */
const PRISMA_RUNTIME = '@prisma/client/runtime/client';
const RUNTIME_FILE = path.join(root, 'node_modules/@prisma/client/runtime/client.mjs');
const EDGE_SWAPS = [
  ['let i=this.#i(),o={};', 'let i=this.#i(),o=new Map;', 2],
  ['o[a]=S}r.push({edges:o})', 'o.set(a,S)}r.push({edges:o})', 1],
  ['o[a]=P}r.push({edges:o})', 'o.set(a,P)}r.push({edges:o})', 1],
  ['let o=n.edges[i];', 'let o=n.edges.get(i);', 2],
  ['edges', 'edges', 4],
];

function withMapEdges(text) {
  let out = text;
  for (const [from, to, times] of EDGE_SWAPS) {
    if (out.split(from).length - 1 !== times) throw new Error(`Prisma's runtime differs: "${from}"`);
    out = out.replaceAll(from, to);
  }
  return out;
}

function runtimePatchable() {
  try {
    withMapEdges(fs.readFileSync(RUNTIME_FILE, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

function importPlugin(outdir, patchRuntime) {
  return {
    name: 'send-hub-import',
    setup(b) {
      // Packages load from node_modules at run time, as under tsx; zod is bundled (its locales are cut).
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (/^zod(\/|$)/.test(a.path) || a.importer.includes(ZOD)) return undefined;
        // Its ESM build (node's own resolution picks the CommonJS one, the same code).
        if (a.path === PRISMA_RUNTIME && patchRuntime) return { path: RUNTIME_FILE };
        return { path: a.path, external: true };
      });
      b.onLoad({ filter: /[\\/]@prisma[\\/]client[\\/]runtime[\\/]client\.mjs$/ }, (a) => ({
        contents: withMapEdges(fs.readFileSync(a.path, 'utf8')),
        loader: 'js',
      }));
      b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
        a.resolveDir.includes(ZOD)
          ? { path: path.join(a.resolveDir, a.path), namespace: 'zod-en' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (a) => ({
        contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(a.path), 'en.js'))};`,
        loader: 'js',
        resolveDir: path.dirname(a.path),
      }));
      b.onLoad({ filter: /\.(ts|mjs|js)$/ }, (a) => {
        if (a.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let text = fs.readFileSync(a.path, 'utf8');
        if (CLIENT_CLASS.test(a.path))
          text = text.replaceAll('query_compiler_fast_bg', 'query_compiler_small_bg');
        if (text.includes('import.meta.url')) {
          const rel = path.relative(outdir, a.path).split(path.sep).join('/');
          text = `var __sourceUrl = new URL(${JSON.stringify(rel)}, import.meta.url).href;\n${text.replaceAll('import.meta.url', '__sourceUrl')}`;
        }
        return { contents: text, loader: a.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}

/** Builds into <dist>/<build id>/ and points <dist>/manifest.json at it. Returns the build's folder. */
export async function buildImport({ dist = path.join(root, 'dist', 'import'), log = () => {} } = {}) {
  const esbuild = await import('esbuild');
  const patchRuntime = runtimePatchable();
  if (!patchRuntime)
    log("Prisma's runtime is not the one the build patches: it stays external (more memory)");
  fs.mkdirSync(dist, { recursive: true });
  // Every build sits at the same depth (the relative source paths above depend on it).
  const tmp = path.join(dist, `tmp-${process.pid}-${Date.now()}`);
  const result = await esbuild
    .build({
      absWorkingDir: root,
      entryPoints: {
        'import-main': path.join(root, 'app/imports/import-main.ts'),
        'import-memory': path.join(root, 'app/imports/import-memory.ts'),
      },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: tmp,
      plugins: [importPlugin(tmp, patchRuntime)],
      metafile: true,
      logLevel: 'silent',
    })
    .catch((err) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw err;
    });
  const files = [...Object.keys(result.metafile.inputs).filter((f) => !f.includes(':')), ...ALSO_INPUTS];
  const inputs = describeInputs(root, files);
  const id = `build-${Date.now().toString(36)}-${process.pid}`;
  const build = path.join(dist, id);
  fs.renameSync(tmp, build);
  const manifestTmp = path.join(dist, `${MANIFEST}.${process.pid}`);
  fs.writeFileSync(
    manifestTmp,
    `${JSON.stringify({ build: id, builtAt: new Date().toISOString(), inputs }, null, 1)}\n`,
  );
  fs.renameSync(manifestTmp, path.join(dist, MANIFEST));
  // Older builds go once nothing can still be loading them lazily (a running import started before).
  for (const name of fs.readdirSync(dist)) {
    const p = path.join(dist, name);
    if (name === id || name === MANIFEST || !/^(build|tmp)-/.test(name)) continue;
    if (Date.now() - fs.statSync(p).mtimeMs > 3_600_000) fs.rmSync(p, { recursive: true, force: true });
  }
  log(`send-hub import compiled: ${path.relative(root, build)} (${files.length} inputs)`);
  return build;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildImport({ log: (l) => console.log(l) });
  } catch (err) {
    // Not fatal: `send-hub import` runs the TypeScript sources through tsx without a build.
    console.warn(`send-hub import was not compiled (it will run through tsx): ${err?.message ?? err}`);
  }
}
