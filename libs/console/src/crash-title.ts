import type { CrashKind, TitleParts } from './crash-kind';

export const MAX_TITLE_LENGTH = 120;
export const CORRUPTED = 'corrupted';

// What varies between runs of the same bug (syzkaller's title replacements).
// Each pattern is a flat run: no nested quantifiers.
const REPLACEMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/([a-zA-Z_][\w.]{0,200})\+0x[0-9a-f]{1,16}(?:\/0x[0-9a-f]{1,16})?/g, '$1'],
  [/0x[0-9a-fA-F]{1,32}/g, 'ADDR'],
  [/(^|[^\w])(?=[0-9a-f]{0,31}\d)[0-9a-f]{8,32}(?![\w])/g, '$1ADDR'],
  [/(\.\w{1,4})(?::\d{1,7}){1,2}/g, '$1:LINE'],
  [/CPU#\d{1,5}/g, 'CPU'],
  [/(^|[^\w.])\d{1,20}(?![\w])/g, '$1NUM'],
  [/\s{2,}/g, ' '],
];

/** Makes the variable parts of a title fragment stable: addresses, numbers, line numbers. */
export function normalizeTitleText(text: string): string {
  const cached = NORMALIZED.get(text);
  if (cached !== undefined) return cached;
  let t = text.trim();
  for (const [re, to] of REPLACEMENTS) t = t.replace(re, to);
  if (NORMALIZED.size < 10_000) NORMALIZED.set(text, t);
  return t;
}
const NORMALIZED = new Map<string, string>();

/**
 * Builds the syzbot-style title of a crash: fills the kind's template with
 * normalised header groups, the detail and the frame (or "corrupted"), and
 * keeps it within 120 characters (the frame is kept, the middle shortened).
 */
export function formatCrashTitle(kind: CrashKind, parts: TitleParts, corrupted: boolean): string {
  if (typeof kind.title === 'function') return clamp(normalizeTitleText(kind.title(parts)), '');
  const frame = corrupted ? CORRUPTED : (parts.frame ?? CORRUPTED);
  let template = kind.title;
  if (corrupted && !template.includes('{frame}')) template += ' in {frame}';
  const at = template.indexOf('{frame}');
  const fill = (s: string) =>
    s
      .replace(/\{(\d)\}/g, (_, n: string) => normalizeTitleText(parts.groups[Number(n)] ?? ''))
      .replace('{detail}', normalizeTitleText(parts.detail))
      .replace(/ {2,}/g, ' ');
  if (at < 0) return clamp(fill(template).trim(), '');
  const head = fill(template.slice(0, at));
  const tail = frame + fill(template.slice(at + '{frame}'.length));
  return clamp(head, tail);
}

function clamp(head: string, tail: string): string {
  const room = MAX_TITLE_LENGTH - tail.length;
  if (head.length <= room) return head + tail;
  if (room < 8) return (head + tail).slice(0, MAX_TITLE_LENGTH);
  // Shorten the description, keep " in <frame>" whole.
  const inAt = head.lastIndexOf(' in ');
  const suffix = inAt >= 0 && head.length - inAt < room ? head.slice(inAt) : '';
  return head.slice(0, room - suffix.length - 3).trimEnd() + '...' + suffix + tail;
}
