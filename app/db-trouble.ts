/**
 * A database that is down, read-only or unreachable makes every loop of the hub fail at once (delivery,
 * the planner tick, the heartbeat): dozens of stack traces a minute that hide the one fact an admin
 * needs. Each such error is recognised here and said in ONE clear line the first time; later ones are
 * counted and summarised at most once a minute while the trouble lasts. Other errors pass unchanged.
 */

import { DomainError } from '../core/errors.ts';

interface Cause {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errno?: unknown;
}

const BY_CODE: [RegExp, string][] = [
  [
    /^SQLITE_READONLY/,
    'the database is read-only (check the volume is mounted read-write and the file can be written)',
  ],
  [/^SQLITE_CANTOPEN/, 'the database file cannot be opened (check the path and the volume)'],
  [/^SQLITE_FULL$/, 'the disk holding the database is full'],
  [/^SQLITE_IOERR/, 'the disk holding the database reports an I/O error'],
  [/^SQLITE_CORRUPT/, 'the database file is damaged (restore it from a backup)'],
  [/^ECONNREFUSED$/, 'the database server refuses connections (is PostgreSQL running?)'],
  [/^(ENOTFOUND|EAI_AGAIN)$/, "the database server's host name cannot be resolved (check DATABASE_URL)"],
  [
    /^(EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EPIPE)$/,
    'the database server cannot be reached over the network',
  ],
  [/^P1001$/, 'the database server cannot be reached'],
  [/^P1017$/, 'the database server closed the connection'],
  [/^(57P01|57P02|57P03)$/, 'the database server is shutting down or starting up'],
  [/^3D000$/, 'the database named in DATABASE_URL does not exist'],
  [/^(08000|08001|08003|08004|08006)$/, 'the connection to the database server failed'],
  [/^(28000|28P01)$/, 'the database server refused the credentials in DATABASE_URL'],
  [/^53100$/, 'the database server is out of disk space'],
  [
    /^SQLITE_BUSY/,
    'the database stayed locked by another process (the running hub or an import) for longer than 30 s: try again',
  ],
];

const BY_MESSAGE: [RegExp, string][] = [
  [/attempt to write a readonly database|SQLITE_READONLY/i, BY_CODE[0]![1]],
  [/unable to open database file/i, BY_CODE[1]![1]],
  [
    /Can't reach database server|Connection terminated|connection (is )?closed|Connection refused/i,
    'the database server cannot be reached',
  ],
  [
    /External error id#\d+/,
    'the database driver failed (often an unreachable PostgreSQL host: check DATABASE_URL and the network)',
  ],
  [/database .* does not exist/i, BY_CODE[11]![1]],
  [/terminating connection due to administrator command/i, BY_CODE[9]![1]],
  [
    /timeout exceeded when trying to connect|ETIMEDOUT/i,
    'the database server cannot be reached over the network',
  ],
];

/** What is wrong with the database, in words an admin can act on, or null if `err` is not that. */
export function classifyDbError(err: unknown): string | null {
  if (err instanceof DomainError) return null; // the hub's own errors already say what is wrong
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const c = e as Cause;
    const codes = [c.code, (c as { originalCode?: unknown }).originalCode, (c as { kind?: unknown }).kind];
    for (const code of codes)
      if (typeof code === 'string') for (const [re, what] of BY_CODE) if (re.test(code)) return what;
    if (typeof c.message === 'string')
      for (const [re, what] of BY_MESSAGE) if (re.test(c.message)) return what;
    // Prisma's errors from a driver adapter carry SQLite's or PostgreSQL's own code in meta.
    const meta = (c as { meta?: { driverAdapterError?: { cause?: unknown } } }).meta;
    e = c.cause ?? meta?.driverAdapterError?.cause;
  }
  if (typeof err === 'string') for (const [re, what] of BY_MESSAGE) if (re.test(err)) return what;
  return null;
}

export type TroubleVerdict = { say: string } | { quiet: true };

/** One line at the start of each kind of trouble, then at most one summary per `everyMs`. */
export class DbTroubleGate {
  private readonly state = new Map<
    string,
    { firstAt: number; lastSaidAt: number; lastAt: number; unsaid: number }
  >();

  constructor(
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Errors recognised and not written (for tests and /healthz). */
  suppressed = 0;

  verdict(what: string): TroubleVerdict {
    const t = this.now();
    const s = this.state.get(what);
    // A new bout: never seen, or quiet for a whole period (it had recovered).
    if (!s || t - s.lastAt > this.everyMs) {
      this.state.set(what, { firstAt: t, lastSaidAt: t, lastAt: t, unsaid: 0 });
      return {
        say: `database problem: ${what}. The hub keeps retrying; repeats are counted and summarised once a minute.`,
      };
    }
    s.lastAt = t;
    s.unsaid++;
    if (t - s.lastSaidAt < this.everyMs) {
      this.suppressed++;
      return { quiet: true };
    }
    const n = s.unsaid;
    s.unsaid = 0;
    s.lastSaidAt = t;
    return {
      say: `database problem continues: ${what} (${n} more error(s) since the last line; first seen ${Math.round((t - s.firstAt) / 1000)} s ago).`,
    };
  }
}

/**
 * One line for a command that failed: what is wrong with the database, or the error's own words. Prisma's
 * messages begin with a blank line and the calling code ("Invalid `prisma.x()` invocation in …") and end
 * with what happened: that last line is the one said.
 */
export function errorLine(err: unknown): string {
  const known = classifyDbError(err);
  if (known) return known;
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const said = /^Invalid `/.test(lines[0] ?? '') ? lines.at(-1) : lines[0];
  return said?.trim() || (err instanceof Error ? err.name : 'unknown error');
}
