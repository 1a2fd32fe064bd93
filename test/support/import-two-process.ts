/**
 * The two-process set-up of issue 16's import tests, as a school that imports CPOMS from the command line
 * runs it: the hub runs (`send-hub start`, a child process); in other processes on the same database and
 * settings the admin gives the DSL a contact method and verifies it with the code the DSL received
 * (`send-hub contact add|verify`), and the SENDCo imports a CPOMS export with one safeguarding incident
 * (`send-hub import cpoms <file>`: app/imports/import-main.ts, no contacts module there). Then the DSL's
 * acknowledge link, opened and pressed on the running hub's own HTTP server.
 * `Recorder` is what a loopback stand-in (SMTP server, Notify) was asked to send, waited on without sleeps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { type ConsoleHub, startConsoleHub } from '../safeguarding/console-hub.ts';
import { ukDateTime } from '../safeguarding/scenario-support.ts';
import { expectNoChildDetails } from './no-child-details.ts';

/** The demo school (app/demo/demo-school.ts): Amelia Brook, Y7, UPN A123456789012; DSL Tom Reed. */
export const UPN = 'A123456789012';
export const INCIDENT_TEXT = 'Came in hungry again and asleep in the reading corner';
export const DSL = 'dsl@elmfield.example';
export const PUBLIC_URL = 'https://hub.elmfield.example';
/** Nothing about the child may leave the organisation's chat: name, initials, year, category, text, UPN. */
export const CHILD = ['Amelia', 'Brook', 'A.B.', 'Y7', 'Neglect', 'Safeguarding >', 'hungry', UPN];

/** What a stand-in received, in order; `waitFor` waits on its arrivals (a condition, never a sleep). */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();
  /** `describe` names one item in the failure message (no child details: references, addresses). */
  constructor(private readonly describe: (item: T) => string) {}

  push(item: T): void {
    this.items.push(item);
    for (const w of this.waiters) w();
  }

  /** The first item `ok` accepts, now or when it arrives; fails after `timeoutMs` naming `what` and all received. */
  waitFor(ok: (item: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.items.find(ok);
        if (!m) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `never received ${what}; received ${this.items.length}: ${this.items.map(this.describe).join(' | ')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

export interface TwoProcessImport {
  /** The contact method the admin adds for the DSL (`send-hub contact add <dsl> <kind> <address>`). */
  contact: { kind: 'email' | 'sms'; address: string };
  /** The verification code the DSL received (read from the stand-in; the caller checks where it went). */
  code(): Promise<string>;
  /** What `send-hub contact list` shows for the DSL once verified, where the test checks it. */
  listed?: RegExp;
  /** The CPOMS incident's id (the file is cpoms-<id>.csv). */
  incidentId: number;
  /** Told of the hub as soon as it runs, so that the test stops it even when a later step fails. */
  started(hub: ConsoleHub): void;
}

/**
 * The hub (a child process) with `env`; the admin adds and verifies the DSL's contact method; the SENDCo's
 * import, in its own process, raises the concern. Returns the hub and the concern's reference.
 */
export async function hubThenImport(
  provider: Provider,
  env: NodeJS.ProcessEnv,
  o: TwoProcessImport,
): Promise<{ hub: ConsoleHub; ref: string }> {
  const hub = await startConsoleHub(provider, { PUBLIC_URL, DELIVERY_INTERVAL_MS: '500', ...env });
  o.started(hub);
  const s = hub.session;
  const add = await s.cli('contact', 'add', DSL, o.contact.kind, o.contact.address);
  expect(add.code, add.err).toBe(0);
  const verify = await s.cli('contact', 'verify', DSL, await o.code());
  expect(verify.code, verify.err).toBe(0);
  if (o.listed) expect((await s.cli('contact', 'list', DSL)).out).toMatch(o.listed);

  const file = path.join(s.dir, `cpoms-${o.incidentId}.csv`);
  fs.writeFileSync(
    file,
    `Incident ID,UPN,Date,Category,Incident\n${o.incidentId},${UPN},${ukDateTime(new Date(), 1)},Safeguarding > Neglect,${INCIDENT_TEXT}\n`,
  );
  const r = await s.cli('import', 'cpoms', file);
  expect(r.code, r.err).toBe(0);
  const ref = /concern (C-[A-Z0-9]{6})/.exec(r.out)?.[1];
  if (!ref) throw new Error(`the import named no concern: ${r.out}`);
  return { hub, ref };
}

/**
 * The acknowledge link works on the hub's own HTTP server: the page shows the reference and nothing about
 * the child; its button acknowledges.
 */
export async function acknowledgeByLink(hub: ConsoleHub, token: string, ref: string): Promise<void> {
  const base = `http://127.0.0.1:${/listening on http:\/\/localhost:(\d+)/.exec(hub.out())?.[1]}`;
  const page = await fetch(`${base}/ack/${token}`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(ref);
  expectNoChildDetails(html, CHILD);
  const acked = await fetch(`${base}/ack/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(acked.status).toBe(200);
  expect(await acked.text()).toContain(`You acknowledged concern ${ref}`);
}
