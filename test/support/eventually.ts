/** Polls `fn` until `ok` holds or `ms` pass; returns the last value (the caller's expect says what was wrong). */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
