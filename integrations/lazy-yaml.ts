/**
 * The `yaml` package, loaded on first use rather than with the modules that may read a YAML file (the
 * role map, header maps, the rota, alert rules, local deadline rules, out-of-chat settings): most
 * processes read none, and `send-hub import` loads several of those modules (~5-8 MB of resident memory
 * for the package; issue 18, docs/imports.md "Memory"). `require` caches it, so later calls cost nothing.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
