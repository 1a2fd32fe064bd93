/**
 * Wait for a condition (a process started, a message arrived), checking every 50 ms; fails after `ms`
 * naming what it waited for. A wait on a condition, never a sleep for a guessed time.
 */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
