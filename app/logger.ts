/**
 * Structured JSON logs (pino) that never carry children's data. Two layers:
 * 1. key-based redaction of fields that hold names, free text, tokens and secrets, wherever they nest;
 * 2. a last-line scrub of every written line for known student names (registered from the database),
 *    in case a name slips into a message string or an error.
 * Code logs ids, codes and counts; never a message body.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { classifyDbError, DbTroubleGate } from './db-trouble.ts';

const SENSITIVE_KEYS = [
  'givenName',
  'familyName',
  'studentName',
  'childName',
  'name',
  'displayName',
  'dateOfBirth',
  'text',
  'body',
  'title',
  'concern',
  'concernText',
  'notes',
  'note',
  'content',
  'values',
  'payload',
  'message.text',
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'botToken',
  'password',
  'secret',
  'clientSecret',
  'signingSecret',
  'SEND_HUB_ENCRYPTION_KEY',
  'MicrosoftAppPassword',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
];

/** Paths for pino's redaction: the key itself and the key one or two levels down. */
export const redactPaths = SENSITIVE_KEYS.flatMap((k) => {
  const seg = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = seg.startsWith('[') ? seg : `.${seg}`;
  return [k.includes('.') ? k : seg, `*${dot}`, `*.*${dot}`, `req.headers${dot}`];
});

export class NameScrubber {
  private pattern: RegExp | null = null;
  private readonly names = new Set<string>();

  /** Register names to scrub (students' given and family names, 2+ letters). */
  add(names: Iterable<string>): void {
    let changed = false;
    for (const n of names) {
      const t = n.trim();
      if (t.length >= 2 && !this.names.has(t)) {
        this.names.add(t);
        changed = true;
      }
    }
    if (changed) {
      const escaped = [...this.names]
        .sort((a, b) => b.length - a.length)
        .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(`\\b(?:${escaped.join('|')})\\b`, 'g');
    }
  }

  scrub(line: string): string {
    return this.pattern ? line.replace(this.pattern, '[name]') : line;
  }
}

export const nameScrubber = new NameScrubber();

const troubleGates = new WeakMap<object, DbTroubleGate>();

/** The gate that collapses a logger's database-outage errors (tests read its counts). */
export const dbTroubleGateOf = (log: Logger): DbTroubleGate | undefined => troubleGates.get(log);

export function createLogger(
  level: string,
  destination?: DestinationStream,
  scrubber: NameScrubber = nameScrubber,
): Logger {
  const gate = new DbTroubleGate();
  const log = pino(
    {
      level,
      base: { service: 'send-hub' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        streamWrite: (s: string) => scrubber.scrub(s),
        // A database outage is one clear line, then a summary a minute (app/db-trouble.ts), not a stack
        // trace from every loop of the hub.
        logMethod(args, method, levelValue) {
          if (levelValue >= 40) {
            const first = args[0] as unknown;
            const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
            const what = err !== undefined && typeof first === 'object' ? classifyDbError(err) : null;
            if (what) {
              const v = gate.verdict(what);
              if ('quiet' in v) return;
              return method.apply(this, [{ dbProblem: what }, v.say] as unknown as Parameters<typeof method>);
            }
          }
          return method.apply(this, args);
        },
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
  troubleGates.set(log, gate);
  return log;
}

export type { Logger };
