/**
 * Audit findings 5, 6, 7 and 12 (2026-12-07), from the seats of the people involved: the hub runs (`send-hub
 * start`, a child process, the demo school); the SENDCo imports a CPOMS export (`send-hub import cpoms`, its
 * own process) with a neglect incident of three days ago whose Actions column says what was done.
 * - 5: the DSL's `open-record`, the CLI chronology and the web chronology show the actions CPOMS recorded,
 *   not "none recorded".
 * - 6: `send-hub concern chronology` takes the concern's reference, the only identifier the DSL is shown.
 * - 7: the alert, the head's board row and digest say when it happened and how long before it reached them.
 * - 12 (development, the demo's 1-minute ladder): the imported concern climbs after a minute, as one raised
 *   in the hub's chat does (before: 15 minutes, while the hub's digest called it overdue after one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { sessionCookieFrom } from '../support/web.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';
import { ukDateTime } from './scenario-support.ts';

const PUBLIC_URL = 'https://hub.elmfield.example';
/** The demo school's Amelia Brook (Y7). */
const UPN = 'A123456789012';
const ACTIONS = 'Gave her breakfast from the club and rang her mother';

/** The hub, then the import in another process; returns the concern's reference and the DSL's alert. */
async function importIncident(
  h: ConsoleHub,
  id: number,
): Promise<{ ref: string; alert: string; r: string; raisedAt: number }> {
  const s = h.session;
  const file = path.join(s.dir, `cpoms-${id}.csv`);
  fs.writeFileSync(
    file,
    'Incident ID,Student,UPN,Year Group,Date,Categories,Incident,Actions,Reported By,Status\n' +
      `INC-${id},,${UPN},,${ukDateTime(new Date(), 3, 10)},Safeguarding > Neglect,"Arrived hungry again",${ACTIONS},,Active\n`,
  );
  const raisedAt = Date.now();
  const r = await s.cli('import', 'cpoms', file);
  expect(r.code, r.err).toBe(0);
  const ref = /concern (C-[A-Z0-9]{6})/.exec(r.out)?.[1];
  if (!ref) throw new Error(`the import named no concern: ${r.out}`);
  // The whole message: up to the blank line after it.
  const alert = await h.waitFor(
    new RegExp(`── to Tom Reed, DSL ─ \\[(r\\d+)\\][^\\n]*\\n[^\\n]*${ref}[\\s\\S]*?\\n\\n`),
  );
  const rn =
    /── to Tom Reed, DSL ─ \[(r\d+)\]/.exec(alert.slice(alert.lastIndexOf('── to Tom Reed')))?.[1] ?? '';
  return { ref, alert: alert.slice(alert.lastIndexOf('── to Tom Reed')), r: rn, raisedAt };
}

/** Sign in on the hub's own HTTP server with a link printed by `send-hub web sign-in-link`. */
async function webAs(h: ConsoleHub, email: string): Promise<(p: string) => Promise<string>> {
  const base = `http://127.0.0.1:${/listening on http:\/\/localhost:(\d+)/.exec(h.out())?.[1]}`;
  const link = await h.session.cli('web', 'sign-in-link', email);
  expect(link.code, link.err).toBe(0);
  const url = /^https:\/\/hub\.elmfield\.example(\/sign-in\/link\/\S+)$/m.exec(link.out)?.[1];
  expect(url, link.out).toBeTruthy();
  const res = await fetch(`${base}${url}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = sessionCookieFrom(res);
  return async (p) => {
    const page = await fetch(`${base}${p}`, { redirect: 'manual', headers: { cookie } });
    expect(page.status, p).toBe(200);
    return page.text();
  };
}

/** The digest's line about `ref`. */
const line = (text: string, ref: string) => text.slice(text.lastIndexOf(ref));

const HAPPENED = /Happened: \d{1,2} \w{3} \d{4}, 10:00 \((2|3) days before it reached you\)/;

describe.each(providers)('a concern raised by `send-hub import cpoms` (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('shows the actions CPOMS recorded, when it happened, and its chronology by reference', async () => {
    hub = await startConsoleHub(provider, { PUBLIC_URL, DELIVERY_INTERVAL_MS: '500' });
    const h = hub;
    const { ref, alert, r } = await importIncident(h, 8101);

    // expect.soft: each finding's check is reported, not only the first to fail.
    // Finding 7: the alert says when it happened, not only when it was raised.
    expect.soft(alert).toMatch(HAPPENED);

    // Finding 5: the DSL's record shows what CPOMS says was already done.
    h.type('as dsl@elmfield.example');
    await h.waitFor(/Acting as Tom Reed\./);
    h.type(`open-record ${r}`);
    const record = await h.waitFor(/Chronology:[\s\S]*?concern\.raised[^\n]*\n/);
    expect.soft(record).toContain(`Actions already taken: ${ACTIONS}`);
    expect.soft(record).not.toContain('none recorded');

    // Finding 6: the chronology export by the reference the DSL was shown; 5: the actions in it.
    const md = await h.session.cli('concern', 'chronology', ref, '--include-text');
    expect.soft(md.code, md.err).toBe(0);
    expect.soft(md.out).toContain(`# Safeguarding concern ${ref}: chronology`);
    expect.soft(md.out).toContain(`## Actions already taken\n\n${ACTIONS}\n`);
    expect.soft(md.out).not.toContain('none recorded');

    // Findings 5 and 7 on the web: the head's board row and the chronology page.
    const get = await webAs(h, 'head@elmfield.example');
    const board = await get('/app/board');
    const row = board.slice(board.indexOf(ref), board.indexOf('</tr>', board.indexOf(ref)));
    expect.soft(row).toMatch(HAPPENED);
    const page = await get(`/app/board/concerns/${ref}`);
    expect.soft(page).toContain(ACTIONS);
    expect.soft(page).not.toContain('None recorded.');

    // Finding 7: the head's digest too.
    h.type('as head@elmfield.example');
    await h.waitFor(/Acting as [^\n]*\.\n/);
    h.type('digest');
    const digest = await h.waitFor(new RegExp(`${ref} · [^\\n]*\\n`));
    expect(digest).toMatch(/happened \d{1,2} \w{3} \d{4}, 10:00 \((2|3) days before it reached you\)/);
  }, 300_000);

  it('in development, climbs the demo ladder a step a minute, and the digest calls it overdue only then', async () => {
    hub = await startConsoleHub(provider, {
      PUBLIC_URL,
      DELIVERY_INTERVAL_MS: '500',
      SEND_HUB_ENV: 'development',
    });
    const h = hub;
    const { ref, raisedAt } = await importIncident(h, 8102);
    h.type('as head@elmfield.example');
    await h.waitFor(/Acting as [^\n]*\.\n/);
    h.type('digest');
    const early = line(await h.waitFor(new RegExp(`${ref} · [^\\n]*\\n`)), ref);
    if (Date.now() - raisedAt < 55_000) expect(early).not.toContain('overdue');
    // The import's process set the first step's timer: 1 minute for the demo organisation (before: 15).
    await h.waitFor(new RegExp(`Escalated: Safeguarding concern ${ref}`), 150_000);
    h.type('digest');
    expect(line(await h.waitFor(new RegExp(`${ref} · [^\\n]*\\n`)), ref)).toContain('· overdue');
  }, 300_000);
});
