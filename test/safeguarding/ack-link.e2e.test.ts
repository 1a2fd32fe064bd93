/**
 * Acknowledge by link (issue 16), a real HTTP round trip on the hub's own server: GET shows one button and
 * changes nothing (mail scanners open every link), POST acknowledges through the chat's path (ladder
 * stopped, the others told, audited with the link's channel), a second POST says who already did; an
 * expired link, someone else's, a tampered one and a POST from another site are each refused (4xx),
 * change nothing and are audited. The page never shows the record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { ackToken } from '../../core/escalations/ack-token.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { CONCERN_TEXT, PUPIL, type School, seedSchool } from './support.ts';

const PUBLIC_URL = 'https://hub.quarrydene.example';

describe.each(providers)('acknowledge by link on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let server: RunningServer;
  let base: string;

  beforeEach(async () => {
    t = await startTestHub(provider, {
      now: '2026-12-07T10:00:00Z',
      modules: [safeguardingModule()],
      env: { PUBLIC_URL },
    });
    s = await seedSchool(t.hub.dbh.db);
    server = await listen(createApp(t.hub), 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.close();
    await t.close();
  });

  const service = () => safeguardingOf(t.hub).service;
  const raise = async () => {
    const r = await service().raise({
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: false,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    await t.tickAndDeliver();
    return r.concern.id;
  };
  /** The path of a link as it goes out in an e-mail or SMS (PUBLIC_URL/ack/<token>). */
  const linkPath = async (concernId: string, staffId: string, step = 0, via: 'EMAIL' | 'SMS' = 'SMS') => {
    await service().outOfChat.signer();
    const url = service().outOfChat.link({ concernId, staffId, step, via }, t.clock.now());
    expect(url.startsWith(`${PUBLIC_URL}/ack/`)).toBe(true);
    return url.slice(PUBLIC_URL.length);
  };
  const get = (path: string) => fetch(`${base}${path}`);
  const post = (path: string, origin: string | null = base) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin ? { origin } : {}),
      },
      body: new URLSearchParams({ token: path.split('/').at(-1) ?? '' }).toString(),
    });
  const status = async (id: string) => (await service().concerns.byId(id))?.status;
  const audit = async (id: string) => (await t.hub.audit.forSubject('concern', id)).map((e) => e.action);
  const noRecord = (html: string) => {
    for (const secret of [PUPIL.givenName, PUPIL.familyName, 'Z.Q.', 'Neglect', 'stepdad', 'Y8'])
      expect(html).not.toContain(secret);
  };

  it('GET shows one button and changes nothing; POST acknowledges as chat does; a second POST says who already did', async () => {
    const id = await raise();
    // Nobody acknowledged: the deputies have step 1.
    t.clock.advanceMinutes(15);
    await t.tickAndDeliver();
    const path = await linkPath(id, s.staff.dsl);

    for (let i = 0; i < 3; i++) {
      const res = await get(path);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/script-src|unsafe-inline/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('<form method="post"');
      expect(html).toMatch(/Acknowledge concern C-[A-Z0-9]{6}/);
      expect(html).not.toContain('<script');
      noRecord(html);
    }
    expect(await status(id)).toBe('RAISED');
    expect((await audit(id)).filter((a) => a === 'concern.ack_link_opened')).toHaveLength(3);

    const res = await post(path);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('You acknowledged concern');
    expect(html).toContain('Teams or Slack');
    noRecord(html);
    const c = await service().concerns.byId(id);
    expect(c?.status).toBe('ACKNOWLEDGED');
    expect(c?.acknowledgedById).toBe(s.staff.dsl);
    const events = await t.hub.audit.forSubject('concern', id);
    const ack = events.find((e) => e.action === 'concern.acknowledged');
    expect(ack?.actorId).toBe(s.staff.dsl);
    expect(ack?.channel).toBe('SMS');
    expect(events.map((e) => e.action)).toContain('concern.ack_link_used');

    // The others asked (the two deputies) are told it is handled, and the raiser who has it: as from chat.
    await t.hub.deliverer.drainAll();
    const told = t.console
      .transcript()
      .filter((m) => m.message.kind === 'concern_handled')
      .map((m) => m.staffId);
    expect(told.sort()).toEqual([s.staff.deputy, s.staff.deputy2].sort());
    expect(
      t.console
        .transcript()
        .some((m) => m.staffId === s.staff.teacher && m.message.kind === 'concern_receipt'),
    ).toBe(true);

    const again = await post(path);
    expect(again.status).toBe(200);
    const second = await again.text();
    expect(second).toContain('already acknowledged by Dana Lead at');
    expect((await audit(id)).filter((a) => a === 'concern.acknowledged')).toHaveLength(1);
  });

  it('an expired link, someone else’s, a tampered one and a cross-site POST: 4xx, nothing changed, audited', async () => {
    const id = await raise();
    const signer = await service().outOfChat.signer();
    const expired = `/ack/${ackToken(
      { concernId: id, staffId: s.staff.dsl, step: 0, via: 'EMAIL', expiresAt: t.clock.now() },
      signer,
    )}`;
    // The teacher was never on the ladder; the deputy was not asked at step 0.
    const teachers = await linkPath(id, s.staff.teacher);
    const deputys = await linkPath(id, s.staff.deputy, 0);
    const good = await linkPath(id, s.staff.dsl);
    const sig = good.split('.').at(-1) ?? '';
    const tampered = good.replace(sig, `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    const cases: [string, string, number, RegExp][] = [
      ['expired', expired, 410, /has expired/],
      ['not_yours', teachers, 403, /sent to someone else/],
      ['not_yours', deputys, 403, /sent to someone else/],
      ['bad_signature', tampered, 403, /not valid/],
    ];
    for (const [reason, path, code, text] of cases) {
      for (const res of [await get(path), await post(path)]) {
        expect(res.status, reason).toBe(code);
        const html = await res.text();
        expect(html).toMatch(text);
        noRecord(html);
      }
    }
    const cross = await post(good, 'https://evil.example');
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain('Nothing was changed');

    expect(await status(id)).toBe('RAISED');
    const refused = (await t.hub.audit.forSubject('concern', id))
      .filter((e) => e.action === 'concern.ack_link_refused')
      .map((e) => (e.details as { reason: string; request: string }).reason);
    expect(refused.filter((r) => r === 'expired')).toHaveLength(2);
    expect(refused.filter((r) => r === 'not_yours')).toHaveLength(4);
    expect(refused).toContain('cross_site');
    const tamperedAudit = (await t.hub.audit.forSubject('ack_link', '-')).map(
      (e) => (e.details as { reason: string }).reason,
    );
    expect(tamperedAudit).toEqual(['bad_signature', 'bad_signature']);

    // The good link still works afterwards: refusals used nothing up.
    expect((await post(good)).status).toBe(200);
    expect(await status(id)).toBe('ACKNOWLEDGED');
  });
});
