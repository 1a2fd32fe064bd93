// Preloaded (`node --import ./bench/support/report-cpu.mjs bin/send-hub.mjs …`) by bench/ics-import.bench.ts:
// on exit, writes the process's own CPU time (user + system, ms, process.cpuUsage) to the file named by
// BENCH_CPU_FILE. On a machine shared with other work, wall time counts the waits for a core; CPU time is the
// program's own cost. It changes nothing in the program it measures.
import fs from 'node:fs';

const out = process.env.BENCH_CPU_FILE;
if (out)
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    fs.writeFileSync(out, String(Math.round((user + system) / 1000)));
  });
