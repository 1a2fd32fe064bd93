// Preloaded (`node --import ./bench/support/report-max-rss.mjs bin/send-hub.mjs …`) by the import benchmark:
// on exit, writes the process's peak resident set size (getrusage ru_maxrss, exact, not sampled) to the
// file named by BENCH_MAX_RSS_FILE. It changes nothing in the program it measures.
import fs from 'node:fs';

const out = process.env.BENCH_MAX_RSS_FILE;
if (out)
  process.on('exit', () => {
    fs.writeFileSync(out, String(process.resourceUsage().maxRSS * 1024));
  });
