/** The data-protection settings as the module uses them, read from the validated config. */
import type { ChannelLabelMode } from '../../core/access/minimise.ts';
import {
  parseRetentionRule,
  type RecordType,
  type RetentionPolicy,
  recordTypes,
} from '../../core/retention/retention-rules.ts';
import { dataProtectionEnvSchema, retentionVariables } from '../config/data-protection.ts';
import type { Config } from '../config/index.ts';

export interface DataProtectionSettings {
  policy: RetentionPolicy;
  mode: 'report' | 'purge';
  hour: number;
  holds: ReadonlySet<string>;
  channelLabel: ChannelLabelMode;
}

export function dataProtectionSettings(config: Config): DataProtectionSettings {
  const env = dataProtectionEnvSchema.parse(config.raw);
  const policy = Object.fromEntries(
    recordTypes.map((t: RecordType) => [
      t,
      parseRetentionRule(String(env[retentionVariables[t] as keyof typeof env]), retentionVariables[t]),
    ]),
  ) as RetentionPolicy;
  return {
    policy,
    mode: env.RETENTION_MODE,
    hour: env.RETENTION_HOUR,
    holds: new Set(
      (env.RETENTION_HOLD_STUDENTS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    channelLabel: env.CHANNEL_STUDENT_LABEL,
  };
}
