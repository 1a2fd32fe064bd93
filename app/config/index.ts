/**
 * The one place that reads process.env. `loadConfig` merges the section schemas, validates, and
 * returns a typed, frozen config; `ConfigError` carries one line per bad variable.
 */
import path from 'node:path';
import type { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { coreEnvSchema } from './schema.ts';
import { sectionSchemas } from './sections.ts';

const envSchema = sectionSchemas.reduce<z.ZodObject>((acc, s) => acc.extend(s.shape), coreEnvSchema);

export type Env = z.infer<typeof coreEnvSchema> & Record<string, unknown>;

export class ConfigError extends DomainError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', problems.join('\n'));
  }
}

export interface Config {
  env: z.infer<typeof coreEnvSchema>;
  /** All validated variables, for section readers (Teams, Slack, Graph …). */
  raw: Record<string, unknown>;
  dataDir: string;
  databaseUrl: string;
  production: boolean;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      const got = cleaned[name];
      const shown =
        got === undefined
          ? 'is missing'
          : /KEY|SECRET|PASSWORD|TOKEN/.test(name)
            ? 'is invalid'
            : `is "${got}"`;
      return `config error: ${name} ${shown}: ${i.message}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data as z.infer<typeof coreEnvSchema>;
  const dataDir = path.resolve(cwd, env.DATA_DIR);
  const databaseUrl = env.DATABASE_URL ?? `file:${path.join(dataDir, 'send-hub.db')}`;
  const production = env.SEND_HUB_ENV === 'production';
  if (production && !env.SEND_HUB_ENCRYPTION_KEY) {
    throw new ConfigError([
      'config error: SEND_HUB_ENCRYPTION_KEY is missing: production refuses to start without an encryption key (generate one with `send-hub keys generate`)',
    ]);
  }
  if (production && env.SEND_HUB_MIGRATIONS_DIR) {
    throw new ConfigError([
      'config error: SEND_HUB_MIGRATIONS_DIR is set: it is for tests of an upgrade; production applies the migrations this version ships with',
    ]);
  }
  if (env.SEND_HUB_TEST_NOW && env.SEND_HUB_ENV !== 'test') {
    throw new ConfigError([
      `config error: SEND_HUB_TEST_NOW is set with SEND_HUB_ENV=${env.SEND_HUB_ENV}: a fixed clock is for tests only (SEND_HUB_ENV=test); unset it`,
    ]);
  }
  return Object.freeze({
    env,
    raw: parsed.data as Record<string, unknown>,
    dataDir,
    databaseUrl,
    production,
  });
}
