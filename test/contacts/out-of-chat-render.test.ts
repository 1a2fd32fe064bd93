/**
 * What leaves the organisation by e-mail/SMS (issue 16): an allowlist of kinds, each rebuilt from a fixed
 * template; a concern alert carries the reference, the time and the link only, whatever the message holds.
 */
import { describe, expect, it } from 'vitest';
import { OutOfChatRenderError, renderOutOfChat } from '../../core/messages/out-of-chat.ts';
import { message } from '../../core/messages/outgoing-message.ts';

const alert = (over: Partial<Parameters<typeof message>[0]> = {}) =>
  message({
    kind: 'concern_alert_external',
    audience: 'private',
    urgent: true,
    // Everything a careless builder might put in: none of it may leave.
    title: 'Safeguarding concern C-1A2B3C for J.S. (Y7) Jamie Smith',
    text: 'Physical abuse reported, bruising on arm',
    facts: [
      { label: 'Reference', value: 'C-1A2B3C' },
      { label: 'Raised at', value: '2026-07-06T08:40:00.000Z' },
      { label: 'Pupil', value: 'Jamie Smith, Year 7' },
      { label: 'Category', value: 'Physical abuse' },
    ],
    sections: [{ heading: 'Pupil', lines: ['J.S. Y7'] }],
    link: { label: 'Acknowledge', url: 'https://hub.example.org/ack/abc.def' },
    ...over,
  });

describe('out-of-chat rendering', () => {
  for (const via of ['EMAIL', 'SMS'] as const) {
    it(`${via}: a concern alert carries the reference, the London time and the link, nothing else`, () => {
      const r = renderOutOfChat(alert(), via);
      const all = `${r.subject}\n${r.text}\n${Object.values(r.personalisation).join('\n')}`;
      expect(all).toContain('C-1A2B3C');
      expect(all).toContain('06 Jul 2026 09:40'); // BST
      expect(all).toContain('https://hub.example.org/ack/abc.def');
      for (const banned of ['Jamie', 'Smith', 'J.S.', 'Y7', 'Year 7', 'Physical', 'bruising'])
        expect(all).not.toContain(banned);
      expect(r.personalisation).toEqual({
        reference: 'C-1A2B3C',
        raised_at: '06 Jul 2026 09:40',
        link: 'https://hub.example.org/ack/abc.def',
      });
    });
  }

  it('refuses a kind outside the allowlist, permanently, naming the kind', () => {
    const m = message({ kind: 'concern_escalation', audience: 'private', title: 'x' });
    expect(() => renderOutOfChat(m, 'EMAIL')).toThrow(OutOfChatRenderError);
    expect(() => renderOutOfChat(m, 'EMAIL')).toThrow(/'concern_escalation' may not be sent by EMAIL/);
  });

  it('refuses a digest by SMS and a reference or time that could smuggle text', () => {
    const digest = message({ kind: 'digest', audience: 'private', title: 'Monday digest' });
    expect(() => renderOutOfChat(digest, 'SMS')).toThrow(/not sent by SMS/);
    expect(renderOutOfChat(digest, 'EMAIL').subject).toBe('Monday digest');
    const badRef = alert({
      facts: [
        { label: 'Reference', value: 'C-1A2B3C Jamie Smith' },
        { label: 'Raised at', value: '2026-07-06T08:40:00.000Z' },
      ],
    });
    expect(() => renderOutOfChat(badRef, 'SMS')).toThrow(/Reference must look like/);
    const badTime = alert({
      facts: [
        { label: 'Reference', value: 'C-1A2B3C' },
        { label: 'Raised at', value: 'Monday, Jamie Smith' },
      ],
    });
    expect(() => renderOutOfChat(badTime, 'EMAIL')).toThrow(/Raised at must be an ISO 8601 instant/);
    expect(() => renderOutOfChat(alert({ link: undefined }), 'EMAIL')).toThrow(/link must be/);
  });

  it('a verification code message carries the code only', () => {
    const m = message({
      kind: 'contact_verification',
      audience: 'private',
      title: 'ignored',
      facts: [{ label: 'Code', value: '123456' }],
    });
    expect(renderOutOfChat(m, 'SMS').text).toBe(
      'SEND Hub code: 123456. Reply in chat: settings contact verify 123456',
    );
    expect(() => renderOutOfChat({ ...m, facts: [{ label: 'Code', value: '12 Jamie' }] }, 'EMAIL')).toThrow(
      /Code must be 6 digits/,
    );
  });
});
