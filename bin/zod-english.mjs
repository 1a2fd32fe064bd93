// A module-resolution hook (registered by bin/send-hub.mjs): zod v4's entry points re-export all of its
// locales (`export * as locales from "../locales/index.js"`: 48 modules of translated error messages) although
// only English is used, which zod's own entry sets (`config(en())` in v4/classic/external.js). This hook
// resolves that one file to a module exporting English only, so the other 47 never load (~7 MB of resident
// memory in every `send-hub` process, issue 18, docs/imports.md "Memory"). Every message stays the same;
// `z.locales` then holds `en` only (nothing in the hub switches locale). Tests (vitest) load zod unchanged.
const LOCALES = /\/node_modules\/zod\/v4\/locales\/index\.js$/;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!LOCALES.test(resolved.url)) return resolved;
  const en = new URL('./en.js', resolved.url).href;
  return {
    ...resolved,
    format: 'module',
    url: `data:text/javascript,export { default as en } from ${encodeURIComponent(JSON.stringify(en))};`,
    shortCircuit: true,
  };
}
