/**
 * The deployed hub for bench/healthz.bench.ts: `startHub` with every default module, the demo school in a
 * fresh SQLite file, the scheduler and the delivery loop running, logs at info level to /dev/null.
 * Imported only by the hub's child process (the load generator and the bare server never load the hub).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../app/config/index.ts';
import { createLogger } from '../../app/logger.ts';
import { startHub } from '../../app/start.ts';
import { freshDb } from './bench-hub.ts';

export async function hubForBench(): Promise<{ port: number; stop(): Promise<void> }> {
  const db = await freshDb('sqlite');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-healthz-'));
  const config = loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      CONSOLE_CHANNEL: 'off',
      DEMO: 'on',
      METRICS_TOKEN: 'bench-metrics-token-0123456789abcdef',
    },
    dataDir,
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
