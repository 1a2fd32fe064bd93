/**
 * Issue 13, the SENDCo's seat (a primary SENDCo who is also a deputy DSL, the DSL's escalation contact):
 * the hub runs in one process (`send-hub start`, the console on its standard output), and she imports the
 * CPOMS export from the command line in another (`send-hub import cpoms`), as the job has her do.
 *
 * - Point 1: the import process writes the concern and its first alert and returns; the running hub, the
 *   process that sends, decides who is reachable and alerts the DSL within seconds: not 15 minutes later,
 *   not "STILL UNACKNOWLEDGED", and the admin gets no false "Safeguarding route broken". With no hub
 *   running, the CLI says so in one line, and `send-hub doctor` shows the concern waiting for a first alert.
 * - Point 4: `digest` shows the unacknowledged concern, content-free, to the DSL and to her (deputy DSL),
 *   not to a class teacher, and stops showing it once the DSL acknowledges.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { createDb } from '../../store/db.ts';
import { cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';
import { ukDateTime } from './scenario-support.ts';

/** The demo school (app/demo/demo-school.ts): Amelia Brook, Y7, UPN A123456789012. */
const UPN = 'A123456789012';
const LABEL = 'A.B. (Y7)';
const TEXT = 'Came in hungry again and asleep in the reading corner';

const cpoms = (dir: string, id: string) => {
  const file = path.join(dir, `cpoms-${id}.csv`);
  fs.writeFileSync(
    file,
    `Incident ID,UPN,Date,Category,Incident\n${id},${UPN},${ukDateTime(new Date(), 1)},Safeguarding > Neglect,${TEXT}\n`,
  );
  return file;
};

describe.each(providers)('the SENDCo imports CPOMS while the hub runs, on %s', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('the DSL is alerted by the running hub within seconds, nobody gets a false alarm, and the digest shows the concern until it is acknowledged', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    // Her digest, read between two `as` lines (the next `as` marks the end of the digest).
    const digestOf = async (email: string, then: string) => {
      h.type(`as ${email}`);
      await h.waitFor(/Acting as [^\n]+\.\n/);
      h.type('digest');
      h.type(`as ${then}`);
      return h.waitFor(/Acting as [^\n]+\.\n/, 60_000);
    };

    const file = cpoms(h.session.dir, '7001');
    const r = await h.session.cli('import', 'cpoms', file);
    expect(r.code, r.err).toBe(0);
    const ref = /concern (C-[A-Z0-9]{6})/.exec(r.out)?.[1];
    expect(ref, r.out).toBeDefined();
    // A hub is running: no "no hub" line.
    expect(r.out).not.toMatch(/no hub is running/i);

    // The DSL's console line, from the hub process: a first alert (no "STILL UNACKNOWLEDGED", not 15
    // minutes later: the bound is generous for a busy machine, and the ladder's first step is 15 minutes).
    const alert = await h.waitFor(
      new RegExp(
        `── to Tom Reed, DSL ─ \\[(r\\d+)\\][^\\n]*\\n[^\\n]*Safeguarding concern ${ref} for ${LABEL.replace(/[().]/g, '\\$&')}`,
      ),
      30_000,
    );
    const dslRef = /── to Tom Reed, DSL ─ \[(r\d+)\]/.exec(
      alert.slice(alert.lastIndexOf('── to Tom Reed')),
    )?.[1];
    expect(alert).not.toContain('STILL UNACKNOWLEDGED');
    expect(alert).not.toMatch(/Escalated: Safeguarding concern/);
    // Nobody was told that a route is broken: everyone is reachable from the hub's console.
    expect(h.out()).not.toMatch(/route broken/i);
    // Content-free on the wire: no concern text, no name.
    expect(h.out()).not.toContain(TEXT);
    expect(h.out()).not.toMatch(/Amelia|Brook/);

    // Point 4: the SENDCo (deputy DSL) and the DSL see it in `digest`; a class teacher does not.
    const line = new RegExp(`${ref} · ${LABEL.replace(/[().]/g, '\\$&')} · raised \\d+ min ago`);
    const sendco = await digestOf('sendco@elmfield.example', 'dsl@elmfield.example');
    expect(sendco).toMatch(/Safeguarding concerns not yet acknowledged \(1\)/);
    expect(sendco).toMatch(line);
    expect(sendco).not.toContain('Neglect');
    expect(sendco).not.toContain(TEXT);
    const dsl = await digestOf('dsl@elmfield.example', 'e.marsh@elmfield.example');
    expect(dsl).toMatch(line);
    const teacher = await digestOf('e.marsh@elmfield.example', 'dsl@elmfield.example');
    expect(teacher).not.toContain(ref);
    expect(teacher).not.toMatch(/not yet acknowledged/);

    // The DSL acknowledges on the alert's reference; the digest stops showing it.
    h.type(`acknowledge ${dslRef}`);
    await h.waitFor(new RegExp(`\\[${dslRef}\\] Acknowledged by Tom Reed`));
    const after = await digestOf('sendco@elmfield.example', 'dsl@elmfield.example');
    expect(after).not.toContain(ref);
    expect(after).not.toMatch(/not yet acknowledged/);
    expect(h.out()).not.toMatch(/route broken/i);
  }, 300_000);
});

describe.each(providers)('the SENDCo imports CPOMS with no hub running, on %s', (provider) => {
  it('the CLI says so in one line, and doctor shows the concern waiting for a first alert', async () => {
    const s = await cliSession(provider);
    try {
      // The school is set up (as `send-hub demo` would); the hub is not started.
      const db = createDb(s.env.DATABASE_URL!);
      await loadDemoSchool(db.db, new Date());
      await db.close();
      const r = await s.cli('import', 'cpoms', cpoms(s.dir, '7002'));
      expect(r.code, r.err).toBe(0);
      const lines = r.out.split('\n').filter((l) => /no hub is running/i.test(l));
      expect(lines).toEqual([
        'No hub is running: 1 safeguarding concern is waiting, and the DSL will be alerted when the hub starts (send-hub start).',
      ]);
      const doctor = await s.cli('doctor');
      expect(doctor.out).toMatch(
        /WARN safeguarding: 1 safeguarding concern is waiting for a first alert, the oldest for \d+ min \(no hub is running: run send-hub start\)/,
      );
      expect(doctor.out).toMatch(/"awaitingFirstAlert":1/);
    } finally {
      await s.close();
    }
  }, 240_000);
});
