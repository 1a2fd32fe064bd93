/** What `loadConfig` refuses in `env`, one line each (none: an empty list). */
import { ConfigError, loadConfig } from '../../app/config/index.ts';

export const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env, '/tmp');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};
