/**
 * Child process for bench/import-cpoms.bench.ts: imports one generated CPOMS CSV into a fresh SQLite
 * database and prints {"peakRssMb", "beforeRssMb", "created"} as JSON. A separate process, so the figure
 * is the importer's own memory, not what the parent's earlier runs left on the heap.
 * Usage: node --import tsx bench/support/import-memory-child.ts <csv> <rows>
 */
import { runImport } from '../../app/imports/run-import.ts';
import { benchHub, freshDb } from './bench-hub.ts';

const [csv, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const db = await freshDb('sqlite');
const hub = await benchHub(db.url);
const org = await hub.dbh.db.organisation.create({ data: { name: 'Bench school' } });
await hub.dbh.db.student.createMany({
  data: Array.from({ length: 1000 }, (_, i) => ({
    orgId: org.id,
    upn: `A${String(100_000_000_000 + i).slice(1)}${String(i % 10)}`,
    externalId: `S${i}`,
    givenName: `G${i}`,
    familyName: `F${i}`,
    yearGroup: String(7 + (i % 5)),
  })),
});
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const run = await runImport(hub, {
  orgId: org.id,
  kind: 'cpoms',
  source: { name: 'cpoms-big.csv', path: csv as string },
  via: 'bench',
});
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await hub.dbh.close();
await db.drop();
process.stdout.write(
  `${JSON.stringify({ peakRssMb: peak / 1048576, beforeRssMb: before / 1048576, created: run.created, rows })}\n`,
);
