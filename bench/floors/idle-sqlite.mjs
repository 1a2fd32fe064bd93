// The floor of an idle import process (issue 18): node with better-sqlite3 and the hub's database open,
// one query answered (the students an import would match against), nothing else loaded. Plain JavaScript,
// no tsx, so the figure is node + the driver + an open database. Run with the same RSS reporter as the CLI:
// `node --import ./bench/support/report-max-rss.mjs bench/floors/idle-sqlite.mjs <sqlite file>`.
import Database from 'better-sqlite3';

const file = process.argv[2];
if (!file) throw new Error('usage: idle-sqlite.mjs <sqlite file>');
const db = new Database(file);
const { n } = db.prepare('SELECT count(*) AS n FROM "Student"').get();
process.stdout.write(`${JSON.stringify({ students: n })}\n`);
db.close();
