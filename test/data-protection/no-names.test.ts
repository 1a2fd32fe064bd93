/**
 * The suite-wide "no names in logs or channels" check (test/support/no-names-global-setup.ts) can fail:
 * a channel post or a log line naming a test student is found; a private 1:1 message is allowed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { findLeaks, readCaptures } from '../support/no-names-global-setup.ts';

describe('findLeaks', () => {
  it('flags names in log lines and channel posts, not in private 1:1 messages, and matches whole words', () => {
    const leaks = findLeaks([
      { type: 'log', text: '{"msg":"imported Amelia"}' },
      { type: 'channel', audience: 'channel', target: 'conversation', text: 'Review for Oscar Kendrick' },
      { type: 'channel', audience: 'private', target: 'conversation', text: 'Ruby' },
      { type: 'channel', audience: 'private', target: 'person', text: 'Concern about Layla Winters' },
      { type: 'log', text: 'Brooke and Ameliaville are not names on the list; A.B. (Y7) is fine' },
    ]);
    expect(leaks.map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '"Amelia" in a log line',
      '"Oscar" in a  channel message to a conversation',
      '"Kendrick" in a  channel message to a conversation',
      '"Ruby" in a  private message to a conversation',
    ]);
  });
});

describe('the run', () => {
  it('has a capture folder from the global setup, which every worker sees', () => {
    expect(process.env.SEND_HUB_CAPTURE_DIR).toMatch(/send-hub-captures-/);
    expect(fs.existsSync(process.env.SEND_HUB_CAPTURE_DIR!)).toBe(true);
  });
});

describe.each(providers)('the capture files on %s', (provider) => {
  let t: TestHub | undefined;
  const saved = process.env.SEND_HUB_CAPTURE_DIR;
  afterEach(async () => {
    await t?.close();
    process.env.SEND_HUB_CAPTURE_DIR = saved;
  });

  it('record what every test hub sends, with its audience, so a named channel post would fail the run', async () => {
    // A private capture folder, so this deliberate leak does not fail the real run.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-test-'));
    process.env.SEND_HUB_CAPTURE_DIR = dir;
    try {
      t = await startTestHub(provider);
      const org = await t.hub.dbh.db.organisation.create({ data: { name: 'S' } });
      const staff = await t.hub.dbh.db.staff.create({
        data: { orgId: org.id, displayName: 'Dee Sell', email: 'd@s.example' },
      });
      const target = { kind: 'person' as const, staffId: staff.id, displayName: 'Dee Sell' };
      const ch = t.hub.channels[0]!;
      await ch.send(
        target,
        message({ kind: 'text', audience: 'private', title: 'Concern about Jayden Thorne' }),
        {
          idempotencyKey: 'a',
        },
      );
      await ch.send(target, message({ kind: 'text', audience: 'channel', title: 'Review for Jayden' }), {
        idempotencyKey: 'b',
      });
      const records = readCaptures(dir).filter((r) => r.type === 'channel');
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({ audience: 'private', target: 'person', platform: 'CONSOLE' });
      expect(findLeaks(records)).toHaveLength(1);
      expect(findLeaks(records)[0]).toMatch(
        /^"Jayden" in a CONSOLE channel message to a person \(data-protection\/no-names\.test\.ts\)/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
