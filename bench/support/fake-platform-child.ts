/**
 * The fake platform (fake-platform.ts) in a process of its own, as the real platform is: its clock and
 * its event loop are not the hub's, so work in the hub cannot delay the platform's own timestamps (in
 * one process, a busy turn of the hub's event loop made requests that arrived apart look simultaneous to
 * the platform). Started by platform-process.ts; options come in FAKE_PLATFORM (JSON), the url goes out
 * on IPC, and a 'report' message is answered with everything the platform recorded.
 */
import { FakePlatform, type FakePlatformOptions } from './fake-platform.ts';

const options = JSON.parse(process.env.FAKE_PLATFORM ?? '{}') as FakePlatformOptions;
const platform = new FakePlatform(options);
const url = await platform.start();
process.send?.({ type: 'ready', url });
process.on('message', (m: { type: string }) => {
  if (m.type === 'report')
    process.send?.({
      type: 'report',
      accepted: platform.accepted,
      requests: platform.requests,
      throttled: platform.throttled,
      duplicates: platform.duplicates(),
    });
  if (m.type === 'stop') void platform.stop().then(() => process.exit(0));
});
