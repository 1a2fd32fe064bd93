/**
 * Environment configuration, read once at start-up and validated with zod (habit 4). A wrong or
 * missing value stops the process with one line naming the variable and what it expects.
 * Each integration owns a section file beside this one; `.env.example` lists every variable.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'expected true or false' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

// 0 = any free port (tests, several local instances).
const port = z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535);

/** "Europe/London" etc.: checked against the platform's time-zone data. */
const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as Europe/London' },
);

export const coreEnvSchema = z.object({
  SEND_HUB_ENV: z
    .enum(['development', 'production', 'test'], { message: 'expected development, production or test' })
    .default('development'),
  PORT: port.default(3978),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, {
      message: 'expected file:./data/send-hub.db or postgresql://user@host:5432/db',
    })
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected a pino level (info, debug …)',
    })
    .default('info'),
  /**
   * `auto`: with the console channel on and a terminal, log lines go to <DATA_DIR>/send-hub.log and only
   * warnings and errors show, one readable line each; otherwise JSON on stderr. `json`: always JSON.
   */
  LOG_FORMAT: z.enum(['auto', 'json'], { message: 'expected auto or json' }).default('auto'),
  /** Comma-separated `keyId:base64key`; the first encrypts, all decrypt. */
  SEND_HUB_ENCRYPTION_KEY: z.string().optional(),
  CONSOLE_CHANNEL: z.enum(['auto', 'on', 'off'], { message: 'expected auto, on or off' }).default('auto'),
  DEMO: z.enum(['auto', 'on', 'off'], { message: 'expected auto, on or off' }).default('auto'),
  /** node-cron expression for the planner tick (seconds field allowed). */
  TICK_CRON: z.string().default('*/20 * * * * *'),
  DELIVERY_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  TIME_ZONE: timeZone.default('Europe/London'),
  /** Meeting reminder lead times, e.g. "2wd,1h". */
  MEETING_LEAD_TIMES: z
    .string()
    .regex(/^\s*\d+\s*(wd|d|h|m)\s*(,\s*\d+\s*(wd|d|h|m)\s*)*$/, {
      message: 'expected lead times like 2wd,1h',
    })
    .default('2wd,1h'),
  /** How far ahead the planner looks for meetings. */
  PLANNING_HORIZON_DAYS: z.coerce.number().int().min(1).max(366).default(21),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Max accepted HTTP request body (bytes). */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(262_144),
  ADMIN_EMAIL: z.string().email({ message: 'expected an email address' }).optional(),
  CI: bool.optional(),
  /**
   * A migrations folder `send-hub start` and the CLI apply instead of the committed prisma/<provider>/migrations:
   * for tests of an upgrade (test/foundation/rolling-upgrade.test.ts). Refused in production.
   */
  SEND_HUB_MIGRATIONS_DIR: z.string().optional(),
  /**
   * Test only: the instant the hub's and the CLI's clock starts at (then advancing with real time), for
   * tests that run `send-hub` in another process with fixed dates in their data. Refused unless
   * SEND_HUB_ENV=test (loadConfig).
   */
  SEND_HUB_TEST_NOW: z.iso
    .datetime({ offset: true, message: 'expected an ISO instant such as 2026-12-07T12:00:00Z' })
    .optional(),
  /** Node's convention; `production` here also refuses development-only features (web sign-in links). */
  NODE_ENV: z.string().optional(),
});

export type CoreEnv = z.infer<typeof coreEnvSchema>;
