/**
 * Vitest globalSetup: a per-run folder where every test hub writes what it logged and what it sent
 * (test/support/hub.ts), and a teardown that fails the run if a test student's name (test/support/names.ts)
 * appears in any log line or in any message that was not a private 1:1 message (a channel post, or a
 * message marked audience "channel"). Private messages to one member of staff (e.g. the DSL's own view of
 * a concern) may carry the record (docs/data-protection.md §5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testStudentNameWords } from './names.ts';

export interface CaptureRecord {
  type: 'log' | 'channel';
  /** For channel records: where it went, and how the core marked it. */
  audience?: 'private' | 'channel';
  target?: 'person' | 'conversation';
  platform?: string;
  file?: string;
  text: string;
}

const wordRe = (w: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');

/** Which names appear in which non-private records. */
export function findLeaks(
  records: CaptureRecord[],
  names: readonly string[] = testStudentNameWords,
): string[] {
  const res = names.map((n) => [n, wordRe(n)] as const);
  const leaks: string[] = [];
  for (const r of records) {
    const isPrivate = r.type === 'channel' && r.audience === 'private' && r.target === 'person';
    if (isPrivate) continue;
    for (const [n, re] of res) {
      if (re.test(r.text)) {
        const where =
          r.type === 'log' ? 'log line' : `${r.platform ?? ''} ${r.audience} message to a ${r.target}`;
        leaks.push(
          `"${n}" in a ${where}${r.file ? ` (${r.file})` : ''}: ${r.text.slice(0, 160).replace(/\s+/g, ' ')}`,
        );
      }
    }
  }
  return leaks;
}

export function readCaptures(dir: string): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as CaptureRecord);
      } catch {
        // a line cut by a killed worker: skip
      }
    }
  }
  return out;
}

export default function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-captures-'));
  process.env.SEND_HUB_CAPTURE_DIR = dir;
  return function teardown() {
    const records = readCaptures(dir);
    const leaks = findLeaks(records);
    if (leaks.length === 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    }
    const shown = leaks.slice(0, 20).join('\n  ');
    // Vitest reports an error thrown here but keeps exit code 0: set the code so the run fails.
    process.exitCode = 1;
    throw new Error(
      `Children's names leaked: ${leaks.length} log line(s) or channel message(s) name a test student (captures kept in ${dir}):\n  ${shown}`,
    );
  };
}
