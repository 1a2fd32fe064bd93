/**
 * Child process for the XLSX memory test: reads one export file the way `send-hub import` does (a path
 * source, streamed) and prints one JSON line with the outcome and the process's peak RSS (getrusage).
 * Usage: node --import tsx test/data-protection/support/xlsx-rss-child.ts <file>
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectors } from '../../../integrations/exports/connectors.ts';
import { readExport } from '../../../integrations/exports/read-export.ts';

const file = process.argv[2] as string;
const out: { rows: number; message?: string; code?: string; maxRssMb?: number } = { rows: 0 };
try {
  for await (const _ of readExport({ name: path.basename(file), path: file }, connectors['arbor-students']))
    out.rows++;
} catch (err) {
  out.message = (err as Error).message;
  out.code = (err as { code?: string }).code;
}
/**
 * Peak RSS of this process image: VmHWM from /proc (Linux). getrusage's maxRSS is not used where /proc
 * exists: Linux carries it over from the parent across fork and exec, so a child of a big test worker would
 * report the worker's size.
 */
function peakRssKb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1]) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}
out.maxRssMb = Math.round(peakRssKb() / 1024);
process.stdout.write(`${JSON.stringify(out)}\n`);
