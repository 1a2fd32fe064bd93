/**
 * Channel minimisation: the label is configurable to stricter, and the channel guard removes a student's
 * name from any message read by several people before it is posted (audited), leaving 1:1 messages alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelLabel } from '../../app/data-protection/data-protection-module.ts';
import { channelStudentLabel, redactNames } from '../../core/access/minimise.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const amelia = { givenName: 'Amelia', familyName: 'Brook', yearGroup: '7' };

describe('channel labels', () => {
  it('initials and year by default, stricter on request', () => {
    expect(channelStudentLabel(amelia, 'initials-year')).toBe('A.B. (Y7)');
    expect(channelStudentLabel(amelia, 'initials')).toBe('A.B.');
    expect(channelStudentLabel(amelia, 'year')).toBe('a Y7 pupil');
    expect(channelStudentLabel(amelia, 'none')).toBe('a pupil');
  });

  it('redactNames replaces whole-word names in every part of a message', () => {
    const m = message({
      kind: 'digest',
      audience: 'channel',
      title: 'Reviews: Amelia',
      facts: [{ label: 'Pupil', value: 'amelia brook' }],
      sections: [{ heading: 'Due', lines: ['Brook (Y7)', 'Brookside Road'] }],
    });
    const r = redactNames(m, ['Amelia', 'Brook']);
    expect(r.found).toBe(2);
    expect(r.message.title).toBe('Reviews: [name removed]');
    expect(r.message.facts[0]!.value).toBe('[name removed] [name removed]');
    expect(r.message.sections[0]!.lines).toEqual(['[name removed] (Y7)', 'Brookside Road']);
  });
});

describe.each(providers)('the channel guard on %s', (provider) => {
  let t: TestHub | undefined;
  const saved = process.env.SEND_HUB_CAPTURE_DIR;
  afterEach(async () => {
    await t?.close();
    process.env.SEND_HUB_CAPTURE_DIR = saved;
  });

  it('CHANNEL_STUDENT_LABEL reaches modules as the channelLabel service', async () => {
    t = await startTestHub(provider, { env: { CHANNEL_STUDENT_LABEL: 'year' } });
    const label = t.hub.services.get('channelLabel') as ChannelLabel;
    expect(label(amelia)).toBe('a Y7 pupil');
  });

  it('removes a student name from a channel post before it is sent, audits it, and leaves a 1:1 message alone', async () => {
    // This test posts a name on purpose: keep it out of the run's capture folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-capture-'));
    process.env.SEND_HUB_CAPTURE_DIR = dir;
    try {
      t = await startTestHub(provider);
      const db = t.hub.dbh.db;
      const org = await db.organisation.create({ data: { name: 'S' } });
      await db.student.create({ data: { orgId: org.id, ...amelia } });
      const staff = await db.staff.create({
        data: { orgId: org.id, displayName: 'Dee Sell', email: 'd@s.example' },
      });
      const ch = t.hub.channels.find((c) => c.platform === 'CONSOLE')!;
      await ch.send(
        { kind: 'conversation', conversationId: 'staffroom', tenantId: '', reference: null },
        message({ kind: 'digest', audience: 'channel', title: 'EHCP review for Amelia Brook due Friday' }),
        { idempotencyKey: 'k1' },
      );
      await ch.send(
        { kind: 'person', staffId: staff.id, displayName: 'Dee Sell' },
        message({ kind: 'text', audience: 'private', title: 'Record: Amelia Brook' }),
        { idempotencyKey: 'k2' },
      );
      const out = t.consoleOut.text();
      expect(out).toContain('EHCP review for [name removed] [name removed] due Friday');
      expect(out).toContain('Record: Amelia Brook');
      const audit = (await t.hub.audit.recent(5)).find((e) => e.action === 'minimisation.redacted');
      expect(audit).toMatchObject({
        subjectId: 'k1',
        details: { kind: 'digest', platform: 'CONSOLE', names: 2 },
      });
      expect(t.logOut.text()).toContain('names removed before posting');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
