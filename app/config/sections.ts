/**
 * Config sections owned by the integrations. Each is a zod object of its variables; add a section file
 * and list it here. Cross-field checks belong in the section's own reader.
 */
import type { z } from 'zod';
import { deadlinesEnvSchema } from '../deadlines/config.ts';
import { metricsEnvSchema } from '../metrics/metrics-config.ts';
import { outOfChatEnvSchema } from '../safeguarding/out-of-chat-config.ts';
import { contactsEnvSchema } from './contacts.ts';
import { dataProtectionEnvSchema } from './data-protection.ts';
import { importsEnvSchema } from './imports.ts';
import { meetingsEnvSchema } from './meetings.ts';
import { roleMapEnvSchema } from './role-map.ts';
import { safeguardingEnvSchema } from './safeguarding.ts';
import { slackEnvSchema } from './slack.ts';
import { teamsEnvSchema } from './teams.ts';
import { webAuthEnvSchema } from './web-auth.ts';

export const sectionSchemas: z.ZodObject[] = [
  contactsEnvSchema,
  dataProtectionEnvSchema,
  deadlinesEnvSchema,
  importsEnvSchema,
  meetingsEnvSchema,
  metricsEnvSchema,
  roleMapEnvSchema,
  safeguardingEnvSchema,
  outOfChatEnvSchema,
  slackEnvSchema,
  teamsEnvSchema,
  webAuthEnvSchema,
];
