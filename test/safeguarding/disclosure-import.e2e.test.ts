/**
 * Audit finding 9, from the seats: a behaviour export's "Disclosure" row is a safeguarding matter. The hub
 * runs (`send-hub start`, a child process, the demo school); the behaviour coordinator imports the SIMS
 * behaviour report from another process (`send-hub import behaviour`), Excel-style (`;`, CRLF). The row
 * "Disclosure; Said dad hurts him at home" reaches the DSL at once as a concern (initials and category in
 * chat, never the text), and the report says so by line and category. The report also names the categories
 * it treated as behaviour, not safeguarding, marking with "?" those that sound like safeguarding, and counts
 * without naming a category cell that reads like text. No name and no narrative in the report or the logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { type ConsoleHub, startConsoleHub } from './console-hub.ts';
import { ukDateTime } from './scenario-support.ts';

/** The demo school's Jayden Thorne (Y5). */
const UPN = 'B123456789012';
const SAID = 'Said dad hurts him at home';
const SHIFTED = 'She told me she is scared to go home';

describe.each(providers)('a disclosure in a behaviour export (%s)', (provider) => {
  let hub: ConsoleHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('reaches the DSL as a concern; the report names the categories treated as behaviour', async () => {
    hub = await startConsoleHub(provider);
    const h = hub;
    const file = path.join(h.session.dir, 'behaviour.csv');
    const now = new Date();
    fs.writeFileSync(
      file,
      [
        'Incident ID;UPN;Date;Behaviour Type;Comments;Points',
        `B-1;${UPN};${ukDateTime(now, 3)};Disruptive Behaviour;Shouting out in science;1`,
        `B-2;${UPN};${ukDateTime(now, 2)};Verbal Abuse;Swore at a lunchtime supervisor;2`,
        `B-3;${UPN};${ukDateTime(now, 1)};Disclosure;${SAID};0`,
        `B-4;${UPN};${ukDateTime(now, 1, 11)};Pastoral > Self Harm;Scratches on his arm;0`,
        // A narrative shifted into the category column: counted, never named.
        `B-5;${UPN};${ukDateTime(now, 1, 12)};Welfare, ${SHIFTED};x;0`,
        `B-6;${UPN};${ukDateTime(now, 1, 13)};Disruptive Behaviour;Again;1`,
      ].join('\r\n'),
    );
    const r = await h.session.cli('import', 'behaviour', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('created 6, updated 0, unchanged 0, rejected 0');
    const hit =
      /2 rows in a safeguarding category \(a concern for the DSL\):\n {2}behaviour\.csv line 4: Disclosure -> concern (C-[0-9A-Z]{6})\n {2}behaviour\.csv line 5: Pastoral > Self Harm -> concern (C-[0-9A-Z]{6})\n/.exec(
        r.out,
      );
    expect(hit, r.out).toBeTruthy();
    const ref = hit![1]!;
    // What the hub treated as behaviour, so the admin can see it: "?" on those that sound like safeguarding.
    expect(r.out).toContain(
      'categories treated as behaviour, not safeguarding (no concern raised): Verbal Abuse? (1 row), Welfare? (1 row), Disruptive Behaviour (2 rows); 1 value not named: it reads like text, not a category (check the file\'s category column). "?": sounds like safeguarding; if it is, add it to the organisation\'s list (SAFEGUARDING_CATEGORIES_FILE, docs/imports.md) and import the file again',
    );
    for (const secret of ['Jayden', 'Thorne', SAID, 'scared', 'Swore', 'Scratches'])
      expect(`${r.out}${r.err}`).not.toContain(secret);

    // The DSL's console: at once, initials and the category, no text.
    const toDsl = await h.waitFor(
      new RegExp(`── to Tom Reed, DSL ─ \\[(r\\d+)\\][^\\n]*\\n[^\\n]*${ref}[\\s\\S]*?\\n\\n`),
    );
    const alert = toDsl.slice(toDsl.lastIndexOf('── to Tom Reed'));
    expect(alert).toContain(`Safeguarding concern ${ref} for J.T. (Y5)`);
    expect(alert).toContain('Disclosure');
    expect(alert).not.toMatch(/Jayden|Thorne|dad hurts/);

    // The saved report (`send-hub import report`) says the same; the hub's log has no name and no text.
    const id = /Import (\S+):/.exec(r.out)![1]!;
    const again = await h.session.cli('import', 'report', id);
    expect(again.out).toContain('Verbal Abuse? (1 row)');
    expect(again.out).toContain(`line 4: Disclosure -> concern ${ref}`);
    for (const secret of ['Jayden', 'Thorne', SAID, SHIFTED]) expect(h.out()).not.toContain(secret);
  }, 300_000);
});
