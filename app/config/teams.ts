/**
 * Microsoft Teams (Bot Framework) configuration. The variable names are botbuilder's own
 * (ConfigurationBotFrameworkAuthentication reads MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType,
 * MicrosoftAppTenantId), so an Azure Bot registration's settings can be pasted as they are.
 * Teams is off unless MicrosoftAppId is set.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    message: 'expected a GUID such as 00000000-0000-0000-0000-000000000000',
  });

export const teamsEnvSchema = z.object({
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'expected MultiTenant, SingleTenant or UserAssignedMSI',
    })
    .optional(),
  /** The bot's Entra app registration (client) id. */
  MicrosoftAppId: guid.optional(),
  /** Client secret (MultiTenant / SingleTenant). */
  MicrosoftAppPassword: z.string().min(1).optional(),
  /** Directory (tenant) id: required for SingleTenant and UserAssignedMSI. */
  MicrosoftAppTenantId: guid.optional(),
  /** The Teams app package id (manifest "id"); defaults to MicrosoftAppId. */
  TEAMS_APP_ID: guid.optional(),
  /** Public host name of the hub (manifest validDomains), e.g. sendhub.example.sch.uk. */
  TEAMS_BOT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?$/i, { message: 'expected a host name such as sendhub.example.org' })
    .optional(),
});

export interface TeamsConfig {
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  appId: string;
  appPassword?: string;
  tenantId?: string;
  manifestAppId: string;
  botDomain?: string;
}

/**
 * The Teams settings, or null when Teams is not configured. Cross-field rules (throws ConfigError,
 * one line per problem, secrets never echoed):
 * - MultiTenant and SingleTenant need MicrosoftAppPassword;
 * - SingleTenant and UserAssignedMSI need MicrosoftAppTenantId;
 * - UserAssignedMSI takes no password (the managed identity has none).
 */
export function readTeamsConfig(raw: Record<string, unknown>): TeamsConfig | null {
  const env = teamsEnvSchema.parse(
    Object.fromEntries(Object.entries(raw).filter(([k]) => k in teamsEnvSchema.shape)),
  );
  const anySet =
    env.MicrosoftAppId || env.MicrosoftAppPassword || env.MicrosoftAppTenantId || env.MicrosoftAppType;
  if (!anySet) return null;
  const appType = env.MicrosoftAppType ?? 'MultiTenant';
  const problems: string[] = [];
  if (!env.MicrosoftAppId)
    problems.push('config error: MicrosoftAppId is missing: Teams settings are set but the app id is not');
  if (appType !== 'UserAssignedMSI' && !env.MicrosoftAppPassword)
    problems.push(`config error: MicrosoftAppPassword is missing: a ${appType} bot needs its client secret`);
  if (appType === 'UserAssignedMSI' && env.MicrosoftAppPassword)
    problems.push('config error: MicrosoftAppPassword is invalid: a UserAssignedMSI bot has no password');
  if (appType !== 'MultiTenant' && !env.MicrosoftAppTenantId)
    problems.push(`config error: MicrosoftAppTenantId is missing: a ${appType} bot needs its tenant id`);
  // Same code as ConfigError (not imported from index.ts: that would be an import cycle through sections.ts).
  if (problems.length) throw new DomainError('CONFIG_INVALID', problems.join('\n'));
  return {
    appType,
    appId: env.MicrosoftAppId as string,
    ...(env.MicrosoftAppPassword ? { appPassword: env.MicrosoftAppPassword } : {}),
    ...(env.MicrosoftAppTenantId ? { tenantId: env.MicrosoftAppTenantId } : {}),
    manifestAppId: env.TEAMS_APP_ID ?? (env.MicrosoftAppId as string),
    ...(env.TEAMS_BOT_DOMAIN ? { botDomain: env.TEAMS_BOT_DOMAIN } : {}),
  };
}
