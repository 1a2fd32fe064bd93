import { describe, expect, it } from 'vitest';
import type { RotaEntry } from '../../core/escalations/rota.ts';
import { isDuplicate, moveEntry, rotaEntryKey, rotaProblem } from '../../core/escalations/rota-change.ts';

const e = (
  staffId: string,
  level: RotaEntry['level'],
  rank = 0,
  window: RotaEntry['window'] = 'ALWAYS',
): RotaEntry => ({
  staffId,
  level,
  rank,
  window,
  validFrom: null,
  validTo: null,
});

describe('rota changes', () => {
  it('refuses a rota with no DSL for school hours, or an empty one', () => {
    expect(rotaProblem([e('d', 'DEPUTY_DSL', 1), e('h', 'HEAD')])?.field).toBe('level');
    expect(rotaProblem([e('o', 'DSL', 0, 'OUT_OF_HOURS'), e('h', 'HEAD')])?.message).toContain('no DSL');
    const cover = { ...e('c', 'DSL'), validFrom: '2026-12-21', validTo: '2027-01-01' };
    expect(rotaProblem([cover])?.field).toBe('level');
    expect(rotaProblem([])?.field).toBe('entry');
    expect(rotaProblem([e('a', 'DSL', 0, 'IN_HOURS')])).toBeNull();
    expect(rotaProblem([e('a', 'DSL'), e('d', 'DEPUTY_DSL', 1)])).toBeNull();
  });

  it('moves a deputy within its level and renumbers that level only', () => {
    const rota = [
      e('a', 'DSL'),
      e('d1', 'DEPUTY_DSL', 1),
      e('d2', 'DEPUTY_DSL', 2),
      e('d3', 'DEPUTY_DSL', 5),
    ];
    const moved = moveEntry(rota, rotaEntryKey(e('d3', 'DEPUTY_DSL')), -1);
    const deputies = moved
      ?.filter((x) => x.level === 'DEPUTY_DSL')
      .sort((x, y) => x.rank - y.rank)
      .map((x) => `${x.staffId}:${x.rank}`);
    expect(deputies).toEqual(['d1:1', 'd3:2', 'd2:3']);
    expect(moved?.find((x) => x.staffId === 'a')?.rank).toBe(0);
    expect(moveEntry(rota, rotaEntryKey(e('d1', 'DEPUTY_DSL')), -1)).toBeNull();
    expect(moveEntry(rota, 'nobody|DSL|ALWAYS||', 1)).toBeNull();
  });

  it('knows a duplicate by person, level, window and period', () => {
    expect(isDuplicate([e('a', 'DSL')], e('a', 'DSL', 3))).toBe(true);
    expect(isDuplicate([e('a', 'DSL')], e('a', 'DSL', 0, 'OUT_OF_HOURS'))).toBe(false);
  });
});
