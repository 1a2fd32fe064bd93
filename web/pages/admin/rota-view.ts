/**
 * What the rota page shows (pure): who a concern goes to now (the ladder, step by step), and every rota entry
 * by level with the buttons an admin may press (move up or down within its level, remove).
 */
import { levelLabel } from '../../../core/escalations/escalation-ladder.ts';
import type { Ladder, RotaEntry, RotaLevel } from '../../../core/escalations/rota.ts';
import { rotaLevels } from '../../../core/escalations/rota.ts';
import { rotaEntryKey } from '../../../core/escalations/rota-change.ts';

const windowLabel: Record<RotaEntry['window'], string> = {
  ALWAYS: 'Always',
  IN_HOURS: 'School hours',
  OUT_OF_HOURS: 'Out of hours',
};

const headings: Record<RotaLevel, string> = {
  DSL: 'Designated safeguarding lead (DSL)',
  DEPUTY_DSL: 'Deputy DSLs, in the order they are asked',
  HEAD: 'Head teacher',
};

export interface RotaEntryView {
  key: string;
  name: string;
  rank: number;
  window: string;
  period: string;
  canMoveUp: boolean;
  canMoveDown: boolean;
}

export interface RotaView {
  /** No rota yet: the ladder comes from staff roles. */
  fromRoles: boolean;
  onDuty: { step: number; people: string }[];
  levels: { level: RotaLevel; heading: string; entries: RotaEntryView[] }[];
}

const groupKey = (e: RotaEntry) => [e.level, e.window, e.validFrom ?? '', e.validTo ?? ''].join('|');

export function rotaView(
  entries: readonly RotaEntry[],
  ladder: Ladder,
  name: (staffId: string) => string,
): RotaView {
  const levels = rotaLevels.map((level) => {
    const mine = entries
      .filter((e) => e.level === level)
      .sort((a, b) => groupKey(a).localeCompare(groupKey(b)) || a.rank - b.rank);
    return {
      level,
      heading: headings[level],
      entries: mine.map((e, i) => ({
        key: rotaEntryKey(e),
        name: name(e.staffId),
        rank: e.rank,
        window: windowLabel[e.window],
        period: e.validFrom || e.validTo ? `Cover ${e.validFrom ?? '…'} to ${e.validTo ?? '…'}` : 'Regular',
        canMoveUp: i > 0 && groupKey(mine[i - 1] as RotaEntry) === groupKey(e),
        canMoveDown: i < mine.length - 1 && groupKey(mine[i + 1] as RotaEntry) === groupKey(e),
      })),
    };
  });
  return {
    fromRoles: entries.length === 0,
    onDuty: ladder.map((group, i) => ({
      step: i + 1,
      people: group.map((m) => `${name(m.staffId)} (${levelLabel[m.level]})`).join(', '),
    })),
    levels,
  };
}
