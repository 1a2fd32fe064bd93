import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../integrations/exports/seen-keys.ts';

describe('SeenKeys (file-wide duplicates in bounded memory)', () => {
  it('answers the first line of a repeated key, across table growth', () => {
    const seen = new SeenKeys(8);
    for (let i = 0; i < 50_000; i++) expect(seen.firstLine(`INC${i}`, i + 2)).toBeUndefined();
    expect(seen.size).toBe(50_000);
    expect(seen.firstLine('INC0', 99_999)).toBe(2);
    expect(seen.firstLine('INC49999', 99_999)).toBe(50_001);
    expect(seen.firstLine('INC12345', 99_999)).toBe(12_347);
    // A repeat does not replace the first line, nor count as a new key.
    expect(seen.firstLine('INC0', 100_000)).toBe(2);
    expect(seen.size).toBe(50_000);
    // Near-identical keys are different keys.
    expect(seen.firstLine('inc0', 5)).toBeUndefined();
    expect(seen.firstLine('INC0 ', 6)).toBeUndefined();
    expect(seen.firstLine('', 7)).toBeUndefined();
    expect(seen.firstLine('', 8)).toBe(7);
  });

  it('sized once for the rows the dry pass counted: never grows, at most 90% full', () => {
    const seen = new SeenKeys(100_000);
    const slots = seen.capacity;
    expect(slots).toBeLessThan(1.12 * 100_000);
    for (let i = 0; i < 100_000; i++) expect(seen.firstLine(`INC${i}`, i + 2)).toBeUndefined();
    expect(seen.capacity).toBe(slots);
    expect(seen.firstLine('INC99999', 5)).toBe(100_001);
    // More keys than announced: it grows as before, and remembers every line.
    for (let i = 100_000; i < 120_000; i++) expect(seen.firstLine(`INC${i}`, i + 2)).toBeUndefined();
    expect(seen.capacity).toBeGreaterThan(slots);
    expect(seen.firstLine('INC0', 5)).toBe(2);
    expect(seen.firstLine('INC119999', 5)).toBe(120_001);
    expect(new SeenKeys(0).firstLine('a', 1)).toBeUndefined();
  });
});
