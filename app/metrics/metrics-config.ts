/** Metrics section of the environment (app/config/sections.ts). */
import { z } from 'zod';

export const metricsEnvSchema = z.object({
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters). */
  METRICS_TOKEN: z.string().min(16, { message: 'expected at least 16 characters' }).optional(),
});
