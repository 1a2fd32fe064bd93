// Preloaded (`node --import ./bench/support/report-max-rss.mjs bin/send-hub.mjs …`) by the import benchmarks:
// on exit, writes the process's peak resident set size to the file named by BENCH_MAX_RSS_FILE. It changes
// nothing in the program it measures.
//
// On Linux the peak is VmHWM from /proc/self/status: the high-water mark of this program's own memory,
// exact, not sampled. Not getrusage's ru_maxrss: Linux carries it across fork and exec, so a child spawned
// by a 300 MB benchmark process reports at least 300 MB however small it is (measured: a bare `node -e`
// child of a 300 MB parent, ru_maxrss 303 MB, VmHWM 39 MB). Elsewhere ru_maxrss is the fallback.
import fs from 'node:fs';

function peakBytes() {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

const out = process.env.BENCH_MAX_RSS_FILE;
if (out)
  process.on('exit', () => {
    fs.writeFileSync(out, String(peakBytes()));
  });
