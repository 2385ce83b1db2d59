import Table from 'cli-table3';

/** Prints rows as a table for people, or the raw data as JSON for scripts. */
export function printTable(rows: Array<Record<string, unknown>>, columns: string[], json: unknown | undefined, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(JSON.stringify(json ?? rows) + '\n');
    return;
  }
  if (!rows.length) {
    process.stdout.write('(none)\n');
    return;
  }
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => formatCell(r[c])));
  process.stdout.write(table.toString() + '\n');
}

/** Prints one object as aligned key: value lines, or JSON. */
export function printRecord(record: Record<string, unknown>, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(JSON.stringify(record) + '\n');
    return;
  }
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    process.stdout.write(`${k.padEnd(width)}  ${formatCell(v)}\n`);
  }
}

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(formatCell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** "3m ago" style ages for timestamps in tables. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
