/**
 * Issue 14 point 10: the repository stands alone. Nothing tracked in git cites the internal design notes
 * that are not part of it (the research note and the shared design folder), and the rule sources a user
 * reads (`send-hub rules`) cite the law or local practice, never a file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedPacks } from '../../core/deadlines/registry.ts';

// Spelt in pieces so this file does not match itself.
const NOTE = ['domain', 'md'].join('.');
const SHARED = ['..', 'shared', ''].join('/');
const DESIGN = ['shared', 'design'].join('/');

describe('the repository stands alone', () => {
  it('no tracked file cites a file outside the repository', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.startsWith('node_modules/') && fs.existsSync(f));
    const hits: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (line.includes(NOTE) || line.includes(SHARED) || line.includes(DESIGN)) hits.push(`${f}:${i + 1}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('every rule source shown to users names the law or the practice, not a design note', () => {
    const sources = shippedPacks.flatMap((p) => p.rules.map((r) => `${p.id} ${r.id}: ${r.source}`));
    expect(sources.length).toBeGreaterThan(30);
    expect(sources.filter((s) => s.includes(NOTE) || s.includes('§1'))).toEqual([]);
  });
});
