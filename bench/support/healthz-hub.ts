/**
 * The deployed hub for bench/healthz.bench.ts: `startHub` with every default module, the demo school in a
 * fresh SQLite file, the scheduler and the delivery loop running, logs at info level to /dev/null.
 * Imported only by the hub's child process (the load generator and the bare server never load the hub).
 */
import fs from 'node:fs';
import pino from 'pino';
import { createLogger } from '../../app/logger.ts';
import { startHub } from '../../app/start.ts';
import { benchConfig, freshDb } from './bench-hub.ts';

export async function hubForBench(): Promise<{ port: number; stop(): Promise<void> }> {
  const db = await freshDb('sqlite');
  const { config, dataDir } = benchConfig(
    db.url,
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      CONSOLE_CHANNEL: 'off',
      DEMO: 'on',
      METRICS_TOKEN: 'bench-metrics-token-0123456789abcdef',
    },
    'send-hub-bench-healthz-',
  );
  const running = await startHub(
    config,
    createLogger('info', pino.destination({ dest: '/dev/null', sync: false })),
    { stdout: fs.createWriteStream('/dev/null') },
  );
  return {
    port: running.server.port,
    stop: async () => {
      await running.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
