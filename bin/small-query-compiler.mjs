// A module-load hook registered by bin/send-hub.mjs for `send-hub import …` only (not the running hub): the
// generated Prisma clients (store/generated/*/internal/class.ts) load the query compiler Prisma builds for
// speed, `query_compiler_fast_bg` (4.4 MB of WebAssembly as base64); this hook gives the import process the
// one Prisma builds for size, `query_compiler_small_bg` (2.2 MB), which is what the generator option
// `compilerBuild = "small"` writes into that file instead: the same compiler, same JavaScript glue, same
// query plans, compiled smaller. The import process runs few Prisma statements (its batches go through
// better-sqlite3 or one raw statement per table), so a slower compiler costs it nothing measurable, and
// less WebAssembly is compiled and kept (issue 18: idle memory; docs/imports.md "Memory").
const CLIENT = /\/store\/generated\/(sqlite|postgres)\/internal\/class\.ts$/;

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!CLIENT.test(url) || loaded.source == null) return loaded;
  const source = String(typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source));
  return { ...loaded, source: source.replaceAll('query_compiler_fast_bg', 'query_compiler_small_bg') };
}
