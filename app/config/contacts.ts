/**
 * E-mail and SMS transports (issue 16; docs/safeguarding.md "E-mail and SMS"), validated at start-up.
 * MAIL_TRANSPORT picks how e-mail goes (smtp | graph | notify), SMS_TRANSPORT how texts go (notify);
 * unset = that channel is off (a message pinned to it is `not_found` at once, and the ladder moves on).
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';

const email = z.string().trim().email({ message: 'expected an e-mail address such as alerts@school.org.uk' });
const uuid = z.string().trim().uuid({ message: 'expected a Notify template id (a UUID)' });

export const contactsEnvSchema = z.object({
  MAIL_TRANSPORT: z.enum(['smtp', 'graph', 'notify']).optional(),
  SMS_TRANSPORT: z.enum(['notify']).optional(),
  /** The sender of every e-mail (SMTP From; the Graph mailbox that sends). */
  MAIL_FROM: email.optional(),
  /** nodemailer's connection URL: smtp://user:pass@host:587, smtps://…:465. Or the four below. */
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\/[^\s]+$/, { message: 'expected smtp://user:pass@host:port or smtps://…' })
    .optional(),
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  /** Our own pace per sending mailbox (Exchange Online: at most 30 a minute). */
  MAIL_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** GOV.UK Notify API key ("name-<service id>-<secret>"). */
  NOTIFY_API_KEY: z
    .string()
    .trim()
    .regex(/^.+-[0-9a-f-]{36}-[0-9a-f-]{36}$/, { message: 'expected a Notify API key (name-uuid-uuid)' })
    .optional(),
  NOTIFY_SMS_TEMPLATE_ID: uuid.optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: uuid.optional(),
  /** The bearer token Notify sends with delivery-status callbacks (set the same one in Notify; 10+ chars). */
  NOTIFY_CALLBACK_TOKEN: z
    .string()
    .min(10, { message: 'expected at least 10 characters (Notify requires 10)' })
    .optional(),
  /** Tests and Notify-compatible services only; default the production API. */
  NOTIFY_BASE_URL: z.string().trim().url().optional(),
});

export type ContactsEnv = z.infer<typeof contactsEnvSchema>;

export type MailSettings =
  | {
      transport: 'smtp';
      from: string;
      perMinute: number;
      url?: string;
      host?: string;
      port?: number;
      user?: string;
      pass?: string;
    }
  | {
      transport: 'graph';
      from: string;
      perMinute: number;
      tenantId: string;
      clientId: string;
      clientSecret: string;
    }
  | { transport: 'notify'; apiKey: string; templateId: string; baseUrl?: string };

export interface ContactsSettings {
  mail: MailSettings | null;
  sms: { transport: 'notify'; apiKey: string; templateId: string; baseUrl?: string } | null;
  callbackToken: string | null;
}

/**
 * The transports, or a ConfigError-coded DomainError with one line per missing variable (the variable named,
 * secrets never echoed).
 */
export function readContactsSettings(raw: Record<string, unknown>): ContactsSettings {
  const env = contactsEnvSchema.parse(
    Object.fromEntries(Object.entries(raw).filter(([k]) => k in contactsEnvSchema.shape)),
  );
  const problems: string[] = [];
  const need = (ok: unknown, name: string, why: string) => {
    if (!ok) problems.push(`config error: ${name} is missing: ${why}`);
  };
  let mail: MailSettings | null = null;
  if (env.MAIL_TRANSPORT === 'smtp') {
    need(env.MAIL_FROM, 'MAIL_FROM', 'MAIL_TRANSPORT=smtp needs the sender address');
    need(env.SMTP_URL || env.SMTP_HOST, 'SMTP_URL', 'MAIL_TRANSPORT=smtp needs SMTP_URL or SMTP_HOST');
    if (env.SMTP_USER && !env.SMTP_PASS) need(false, 'SMTP_PASS', 'SMTP_USER is set without a password');
    mail = {
      transport: 'smtp',
      from: env.MAIL_FROM ?? '',
      perMinute: env.MAIL_PER_MINUTE,
      ...(env.SMTP_URL ? { url: env.SMTP_URL } : {}),
      ...(env.SMTP_HOST ? { host: env.SMTP_HOST } : {}),
      ...(env.SMTP_PORT ? { port: env.SMTP_PORT } : {}),
      ...(env.SMTP_USER ? { user: env.SMTP_USER } : {}),
      ...(env.SMTP_PASS ? { pass: env.SMTP_PASS } : {}),
    };
  } else if (env.MAIL_TRANSPORT === 'graph') {
    need(env.MAIL_FROM, 'MAIL_FROM', 'MAIL_TRANSPORT=graph needs the mailbox that sends');
    for (const v of ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'])
      need(raw[v], v, 'MAIL_TRANSPORT=graph signs in with the Graph app credentials (permission Mail.Send)');
    mail = {
      transport: 'graph',
      from: env.MAIL_FROM ?? '',
      perMinute: env.MAIL_PER_MINUTE,
      tenantId: String(raw.GRAPH_TENANT_ID ?? ''),
      clientId: String(raw.GRAPH_CLIENT_ID ?? ''),
      clientSecret: String(raw.GRAPH_CLIENT_SECRET ?? ''),
    };
  } else if (env.MAIL_TRANSPORT === 'notify') {
    need(env.NOTIFY_API_KEY, 'NOTIFY_API_KEY', 'MAIL_TRANSPORT=notify needs the Notify API key');
    need(
      env.NOTIFY_EMAIL_TEMPLATE_ID,
      'NOTIFY_EMAIL_TEMPLATE_ID',
      'MAIL_TRANSPORT=notify needs the e-mail template',
    );
    mail = {
      transport: 'notify',
      apiKey: env.NOTIFY_API_KEY ?? '',
      templateId: env.NOTIFY_EMAIL_TEMPLATE_ID ?? '',
      ...(env.NOTIFY_BASE_URL ? { baseUrl: env.NOTIFY_BASE_URL } : {}),
    };
  }
  let sms: ContactsSettings['sms'] = null;
  if (env.SMS_TRANSPORT === 'notify') {
    need(env.NOTIFY_API_KEY, 'NOTIFY_API_KEY', 'SMS_TRANSPORT=notify needs the Notify API key');
    need(
      env.NOTIFY_SMS_TEMPLATE_ID,
      'NOTIFY_SMS_TEMPLATE_ID',
      'SMS_TRANSPORT=notify needs the text message template',
    );
    sms = {
      transport: 'notify',
      apiKey: env.NOTIFY_API_KEY ?? '',
      templateId: env.NOTIFY_SMS_TEMPLATE_ID ?? '',
      ...(env.NOTIFY_BASE_URL ? { baseUrl: env.NOTIFY_BASE_URL } : {}),
    };
  }
  // Same code as ConfigError (not imported from index.ts: an import cycle through sections.ts).
  if (problems.length) throw new DomainError('CONFIG_INVALID', problems.join('\n'));
  return { mail, sms, callbackToken: env.NOTIFY_CALLBACK_TOKEN ?? null };
}

/**
 * Which out-of-chat channels the settings turn on (a transport configured): one answer for the contacts
 * module and the safeguarding ladder.
 */
export const channelsOn = (settings: ContactsSettings): { EMAIL: boolean; SMS: boolean } => ({
  EMAIL: settings.mail !== null,
  SMS: settings.sms !== null,
});
