import { VALUE_RE } from '@pfnlab/payloads';

/*
 * How a hotplug-add-remove run ends early, and the small text helpers its
 * parts share to say why in marker-safe tokens and readable words.
 */

/** Thrown inside a run: how it ends (error = no end line: the lab's ERROR), a marker-safe token and the words. */
export class Stop extends Error {
  constructor(
    readonly status: 'fail' | 'skip' | 'error',
    readonly token: string,
    message: string,
  ) {
    super(message);
  }
}

export const token = (s: string) => {
  const t = s.replace(/[^A-Za-z0-9_.:/-]/g, '_').slice(0, 120);
  return VALUE_RE.test(t) ? t : 'unknown';
};
export const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s).replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
export const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

