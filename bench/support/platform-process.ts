/** Run the fake platform in a child process (fake-platform-child.ts) and read back what it recorded. */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Accepted, FakePlatformOptions } from './fake-platform.ts';

export interface PlatformReport {
  accepted: Accepted[];
  requests: { tenant: string; conversation: string; at: number; status: number }[];
  throttled: number;
  duplicates: string[];
}

export interface PlatformProcess {
  url: string;
  report(): Promise<PlatformReport>;
  stop(): Promise<void>;
}

export async function startPlatformProcess(options: FakePlatformOptions = {}): Promise<PlatformProcess> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child = fork(path.join(here, 'fake-platform-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, FAKE_PLATFORM: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: { type: string } & T) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      void exited.then(() => reject(new Error(`fake platform exited before '${type}'`)));
    });
  const { url } = await next<{ url: string }>('ready');
  return {
    url,
    async report() {
      const r = next<PlatformReport>('report');
      child.send({ type: 'report' });
      return r;
    },
    async stop() {
      if (child.exitCode === null) child.send({ type: 'stop' });
      await exited;
    },
  };
}
