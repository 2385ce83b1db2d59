/** The last `lines` lines of `text` (a final newline does not count as an empty last line). */
export function tailLines(text: string, lines: number): string {
  if (lines <= 0) return '';
  let end = text.length;
  if (text.endsWith('\n')) end -= 1;
  let pos = end;
  for (let n = 0; n < lines; n++) {
    const nl = text.lastIndexOf('\n', pos - 1);
    if (nl < 0) return text;
    pos = nl;
  }
  return text.slice(pos + 1);
}
