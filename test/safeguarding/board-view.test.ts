/** The DSL board's and the chronology's pure parts (issue 17): order, ages, the ladder reached, words. */
import { describe, expect, it } from 'vitest';
import {
  type BoardConcern,
  boardRows,
  formatAge,
  ladderText,
  parseBoardFilter,
  raisedByText,
} from '../../core/escalations/concern-board.ts';
import { chronologyLines, chronologyMarkdown, viewers } from '../../core/escalations/concern-chronology.ts';
import { happenedText, reportDelay } from '../../core/escalations/report-delay.ts';

const now = new Date('2026-12-07T10:00:00Z');
const c = (id: string, minutesAgo: number, extra: Partial<BoardConcern> = {}): BoardConcern => ({
  id,
  category: 'Neglect',
  immediateRisk: false,
  occurredAt: new Date(now.getTime() - minutesAgo * 60_000),
  raisedAt: new Date(now.getTime() - minutesAgo * 60_000),
  status: 'RAISED',
  source: 'chat',
  raiserRoles: ['STAFF'],
  child: 'A B (Y8)',
  ownerId: null,
  ownerName: null,
  acknowledgedByName: null,
  acknowledgedAt: null,
  outcome: null,
  steps: [],
  ...extra,
});

describe('DSL board rows', () => {
  it('puts unacknowledged concerns first, red with their age, then the others by age', () => {
    const rows = boardRows(
      [
        c('aaaaaaaaa1', 300, { status: 'OWNED', ownerName: 'Dana Lead' }),
        c('aaaaaaaaa2', 14),
        c('aaaaaaaaa3', 125),
        c('aaaaaaaaa4', 60 * 24 * 3, { status: 'ACKNOWLEDGED', acknowledgedByName: 'Dev Deputy' }),
      ],
      now,
    );
    expect(rows.map((r) => r.ref)).toEqual(['C-AAAAA3', 'C-AAAAA2', 'C-AAAAA4', 'C-AAAAA1']);
    expect(rows.map((r) => r.unacknowledged)).toEqual([true, true, false, false]);
    expect(rows[0]?.age).toBe('unacknowledged for 2 h 5 min');
    expect(rows[1]?.age).toBe('unacknowledged for 14 min');
    expect(rows[2]?.age).toBe('raised 3 days ago');
    expect(rows[2]?.owner).toBe('none (acknowledged by Dev Deputy)');
    expect(rows[3]?.owner).toBe('Dana Lead');
    expect(rows[3]?.outcome).toBe('pending');
  });

  it('says who has been asked so far, step by step', () => {
    expect(ladderText([])).toBe('not yet sent');
    expect(
      ladderText([
        { step: 1, levels: ['DEPUTY_DSL'], resend: false },
        { step: 0, levels: ['DSL'], resend: false },
        { step: 2, levels: ['HEAD'], resend: false },
        { step: 3, levels: ['DSL', 'DEPUTY_DSL', 'HEAD'], resend: true },
        { step: 4, levels: ['DSL', 'DEPUTY_DSL', 'HEAD'], resend: true },
      ]),
    ).toBe('DSL → deputy DSL → head teacher (re-sent to all 2 times)');
  });

  it('names the raiser by role, or the import', () => {
    expect(raisedByText(['STAFF'], 'chat')).toBe('staff');
    expect(raisedByText(['STAFF', 'SENDCO'], 'chat')).toBe('SENDCo');
    expect(raisedByText(null, 'cpoms')).toBe('import (cpoms)');
    expect(formatAge(59)).toBe('59 min');
    expect(formatAge(120)).toBe('2 h');
    expect(formatAge(60 * 24)).toBe('1 day');
  });

  it('parses the filter form and ignores what it does not know', () => {
    expect(parseBoardFilter({ status: 'owned', category: ' Neglect ', owner: 'x1' })).toEqual({
      status: 'OWNED',
      category: 'Neglect',
      owner: 'x1',
    });
    expect(parseBoardFilter({ status: 'DROP TABLE', category: ['a'] })).toEqual({
      status: 'open',
      category: null,
      owner: null,
    });
  });
});

describe('chronology', () => {
  const events = [
    {
      at: '2026-12-07T09:00:00.000Z',
      what: 'concern.raised',
      who: 'Tess Teacher',
      channel: 'TEAMS',
      details: {},
    },
    {
      at: '2026-12-07T09:00:00.000Z',
      what: 'concern.sent_to_dsl',
      who: null,
      channel: 'SYSTEM',
      details: { step: 0, levels: ['DSL'] },
    },
    {
      at: '2026-12-07T09:15:00.000Z',
      what: 'concern.escalated',
      who: null,
      channel: 'SYSTEM',
      details: { step: 1, levels: ['DEPUTY_DSL'] },
    },
    {
      at: '2026-12-07T09:20:00.000Z',
      what: 'concern.record_viewed',
      who: 'Dev Deputy',
      channel: 'WEB',
      details: {},
    },
    {
      at: '2026-12-07T09:18:00.000Z',
      what: 'concern.acknowledged',
      who: 'Dev Deputy',
      channel: 'WEB',
      details: { minutesToAck: 18 },
    },
    {
      at: '2026-12-07T11:00:00.000Z',
      what: 'concern.outcome_recorded',
      who: 'Dev Deputy',
      channel: 'SLACK',
      details: { outcome: 'early_help' },
    },
  ];

  it('reads in time order, in words', () => {
    const lines = chronologyLines(events);
    expect(lines.map((l) => l.event)).toEqual([
      'Concern raised',
      'Alert sent to the DSL (step 1)',
      'Not acknowledged in time: alert sent to the deputy DSL (step 2)',
      'Acknowledged (18 min after it was raised)',
      'Record viewed',
      'Outcome recorded: Early help',
    ]);
    expect(lines[1]?.by).toBe('the hub');
    expect(lines[3]?.channel).toBe('web');
    expect(viewers(events)).toEqual([
      { who: 'Dev Deputy', at: '2026-12-07T09:20:00.000Z', what: 'Record viewed' },
    ]);
  });

  it('makes a conference document with the reference, child, events and viewers', () => {
    const md = chronologyMarkdown({
      ref: 'C-ABC123',
      child: 'A B (Y8)',
      category: 'Neglect',
      immediateRisk: true,
      occurredAt: 'x',
      raisedAt: 'y',
      raisedBy: 'Tess Teacher',
      status: 'Owned',
      owner: 'Dev Deputy',
      outcome: 'pending',
      text: 'what | was seen\n|--- not a table rule\n# not a heading',
      actionsTaken: '',
      lines: chronologyLines(events),
      viewedBy: viewers(events),
      producedAt: 'now',
      fmt: (iso) => iso.slice(11, 16),
    });
    expect(md).toContain('# Safeguarding concern C-ABC123: chronology');
    expect(md).toContain('- Child: A B (Y8)');
    expect(md).toContain('| 09:18 | Acknowledged (18 min after it was raised) | Dev Deputy | web |');
    expect(md).toContain('- 09:20: Dev Deputy (record viewed)');
    expect(md).toContain('None recorded.');
    // The raiser's words are never read as Markdown (a "|---" line would be dropped from the PDF).
    expect(md).toContain('\n |--- not a table rule\n # not a heading\n');
  });
});

describe('when it happened, when well before it reached the DSL (audit finding 7)', () => {
  it('a row says when an incident happened and how long before it was raised; not for one raised at the time', () => {
    const old = c('old', 5, { occurredAt: new Date(now.getTime() - (3 * 24 * 60 + 5) * 60_000) });
    const fresh = c('fresh', 5, { occurredAt: new Date(now.getTime() - 20 * 60_000) });
    const rows = boardRows([old, fresh], now);
    expect(rows.find((r) => r.id === 'old')?.happened).toEqual({ at: old.occurredAt, delay: '3 days' });
    expect(rows.find((r) => r.id === 'fresh')?.happened).toBeNull();
  });

  it('the delay in words, from 30 minutes', () => {
    const at = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    expect(reportDelay(at(29), now)).toBeNull();
    expect(reportDelay(at(-60), now)).toBeNull();
    expect(reportDelay(at(45), now)).toBe('45 minutes');
    expect(reportDelay(at(300), now)).toBe('5 hours');
    expect(reportDelay(at(60 * 24 * 3 + 17), now)).toBe('3 days');
    expect(happenedText(at(60 * 24), now, '6 Dec 2026, 10:00')).toBe(
      '6 Dec 2026, 10:00 (24 hours before it reached you)',
    );
  });
});
