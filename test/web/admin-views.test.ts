/** The admin pages' view models (pure): no value from a file reaches a page; pages; health tags. */
import { describe, expect, it } from 'vitest';
import { healthView } from '../../web/pages/admin/health-view.ts';
import { kindLabel, pagination, runMessage, runReport } from '../../web/pages/admin/imports-view.ts';

describe('imports view', () => {
  it('never shows quoted text or ignored column headers', () => {
    const run = {
      id: 'r1',
      orgId: 'o',
      kind: 'cpoms',
      fileName: 'a.csv',
      sha256: null,
      via: 'cli',
      status: 'COMPLETED' as const,
      message: 'ignored columns: Ottoline Brackenbury, 12/03/2014',
      rowsRead: 2,
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: 1,
      startedAt: new Date('2026-11-24T09:00:00Z'),
      finishedAt: new Date('2026-11-24T09:00:01Z'),
    };
    const r = runReport(
      run,
      [{ file: 'a.csv', line: 3, field: 'year', reason: 'unknown year "Ottoline"' }],
      'Europe/London',
    );
    const all = JSON.stringify(r);
    expect(all).not.toContain('Ottoline');
    expect(all).toContain('2 columns in the file were not used');
    expect(r.rejections[0]?.reason).toBe('unknown year [value not shown]');
    expect(runMessage('a.csv: refused: the file is empty')).toBe('a.csv: refused: the file is empty');
    expect(kindLabel('arbor-staff')).toBe('Arbor staff');
  });

  it('pages 25 at a time', () => {
    expect(pagination(1, 25, 25, '/x')).toBeNull();
    const p = pagination(2, 60, 25, '/x');
    expect(p?.previous?.href).toBe('/x');
    expect(p?.next?.href).toBe('/x?page=3');
    expect(p?.items.map((i) => i.current)).toEqual([false, true, false]);
  });
});

describe('health view', () => {
  const base = {
    status: 'ok',
    version: '0.1.0',
    checkedAt: '2026-11-24T09:00:00.000Z',
    database: { ok: true, provider: 'sqlite' },
    channels: ['CONSOLE', 'TEAMS'],
    outbox: { depth: 3, oldestPendingAgeSeconds: 900, failed: 0 },
    lastTick: { at: '2026-11-24T08:59:58.000Z', ms: 12 },
    deliveries: {
      TEAMS: {
        lastSentAt: '2026-11-24T08:00:00.000Z',
        lastFailedAt: '2026-11-24T08:30:00.000Z',
        lastFailure: 'failed',
      },
    },
    modules: { teams: { ok: true, enabled: true }, deadlines: { ok: true, bankHolidaysTo: 2027 } },
  };
  const inputs = {
    imports: {
      lastCompleted: [{ kind: 'cpoms', at: new Date('2026-11-20T09:00:00Z') }],
      lastFailure: { kind: 'cpoms', at: new Date('2026-11-23T09:00:00Z') },
    },
    kindLabel,
    now: new Date('2026-11-24T09:00:00Z'),
    zone: 'Europe/London',
  };
  it('tags what needs attention: a stale message, a channel failing since its last success, an import failing', () => {
    const v = healthView({ report: base, ...inputs });
    const tag = (rows: { name?: string; label?: string; tag: { text: string } | null }[], n: string) =>
      rows.find((r) => (r.name ?? r.label) === n)?.tag?.text;
    expect(tag(v.outbox, 'Oldest waiting message')).toBe('Needs attention');
    expect(v.outbox.find((o) => o.label === 'Oldest waiting message')?.value).toBe('15 min');
    expect(tag(v.channels, 'Microsoft Teams')).toBe('Needs attention');
    expect(tag(v.channels, 'Slack')).toBe('Not configured');
    expect(tag(v.connectors, 'Import: CPOMS incidents')).toBe('Needs attention');
    expect(tag(v.connectors, 'Bank holidays (gov.uk)')).toBe('OK');
    expect(v.attention).toBe(3);
    expect(v.status.text).toBe('Needs attention');
  });
  it('is calm when all is well', () => {
    const v = healthView({
      report: { ...base, outbox: { depth: 0, oldestPendingAgeSeconds: 0, failed: 0 }, deliveries: {} },
      ...inputs,
      imports: { lastCompleted: inputs.imports.lastCompleted, lastFailure: null },
    });
    expect(v.attention).toBe(0);
    expect(v.status.text).toBe('Working');
  });
});
