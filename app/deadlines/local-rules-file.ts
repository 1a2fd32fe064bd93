/** The local rules file (DEADLINE_RULES_FILE, docs/deadlines.md "Configuration"), read once at start. */
import fs from 'node:fs';
import path from 'node:path';
import { emptyLocalRules, type LocalRulesFile, parseLocalRules } from '../../core/deadlines/local-rules.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';
import { ConfigError } from '../config/index.ts';

export function loadLocalRules(file: string | undefined): LocalRulesFile {
  if (!file) return emptyLocalRules;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `config error: DEADLINE_RULES_FILE "${file}": cannot read (${(err as Error).message})`,
    ]);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? yaml().parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      `config error: DEADLINE_RULES_FILE "${file}": not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(err as Error).message})`,
    ]);
  }
  const r = parseLocalRules(data, path.basename(file));
  if (!r.ok) throw new ConfigError(r.problems.map((p) => `config error: DEADLINE_RULES_FILE ${p}`));
  return r.value;
}
