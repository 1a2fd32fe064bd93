/**
 * Timing a web page through HTTP, shared by the page benchmarks (web-pages, board-page): a signed-in GET
 * that checks the page's status and a phrase on it, repeated with p50/p99 of the wall times.
 */
import type { Hub } from '../../app/container.ts';
import { issueSignInLink } from '../../web/sign-in-link.ts';

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** `reps` timed calls of `fn` after `warm` untimed ones: p50 and p99 in ms. */
export async function times(
  reps: number,
  warm: number,
  fn: () => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < warm; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return { p50: percentile(t, 50), p99: percentile(t, 99) };
}

/**
 * Signs `email` in through a sign-in link on the hub's server at `base`, and returns a GET of a page as that
 * person which throws unless the answer is 200 with `expect` on the page.
 */
export async function signedInGet(
  hub: Hub,
  base: string,
  email: string,
  orgId: string,
): Promise<(path: string, expect: string) => Promise<void>> {
  const link = await issueSignInLink(hub, email, { orgId });
  const signed = await fetch(`${base}${link.path}`, { redirect: 'manual' });
  const cookie = (signed.headers.getSetCookie().find((c) => c.includes('sendhub-session')) ?? '').split(
    ';',
  )[0]!;
  return async (path, expect) => {
    const r = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
    const body = await r.text();
    if (r.status !== 200 || !body.includes(expect))
      throw new Error(`${path}: ${r.status}, "${expect}" not on the page`);
  };
}

/** A progress line on stderr when `envVar` is set: `<name>: <what> at <seconds since load> s`. */
export function stepLogger(name: string, envVar: string): (what: string) => void {
  const t0 = performance.now();
  return (what) => {
    if (process.env[envVar])
      process.stderr.write(`${name}: ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };
}
