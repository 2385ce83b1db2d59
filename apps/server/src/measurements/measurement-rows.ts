import type { PayloadResultEvent } from '@pfnlab/contracts';
import type { MeasurementKind } from '../db/entities/measurement.entity';

/*
 * How a payload result becomes measurement rows. Metric names are qualified
 * by the payload, so one name means one thing whichever payloads a job ran:
 *   sample / count:  `<payload>.<metric>`              hotplug-offline-online.offline_ns
 *   counter:         `<payload>.counter.<name>.<field>` hotplug-add-remove.counter.__add_pages.calls
 * Counter fields: calls (count), total_ns, mean_ns, max_ns (ns), and value
 * (in the counter's unit) for vmstat / perf / derived counters.
 */

export interface MeasurementRow {
  kind: MeasurementKind;
  metric: string;
  value: number;
  unit: string;
  iteration: number;
  labels: Record<string, string>;
}

type Counter = PayloadResultEvent['counters'][number];

const COUNTER_FIELDS: Array<{ key: keyof Counter; field: string; unit?: string }> = [
  { key: 'calls', field: 'calls', unit: 'count' },
  { key: 'totalNs', field: 'total_ns', unit: 'ns' },
  { key: 'meanNs', field: 'mean_ns', unit: 'ns' },
  { key: 'maxNs', field: 'max_ns', unit: 'ns' },
  { key: 'value', field: 'value' },
];

export const qualifiedMetric = (payload: string, metric: string) => `${payload}.${metric}`;
export const counterMetric = (payload: string, name: string, field: string) => `${payload}.counter.${name}.${field}`;

/** Every value of the event as a row: samples (with their iteration), counts and counter fields (iteration 0). */
export function measurementRows(e: PayloadResultEvent): MeasurementRow[] {
  const payload = e.test.name;
  const rows: MeasurementRow[] = [];
  for (const s of e.samples) {
    rows.push({ kind: 'sample', metric: qualifiedMetric(payload, s.metric), value: s.value, unit: s.unit, iteration: s.iteration ?? 0, labels: s.labels });
  }
  for (const c of e.counts) rows.push({ kind: 'count', metric: qualifiedMetric(payload, c.metric), value: c.value, unit: c.unit, iteration: 0, labels: c.labels });
  for (const c of e.counters) {
    const labels = { ...c.labels, source: c.source, ...(c.method ? { method: c.method } : {}) };
    for (const f of COUNTER_FIELDS) {
      const v = c[f.key];
      if (typeof v !== 'number') continue;
      rows.push({ kind: 'counter', metric: counterMetric(payload, c.name, f.field), value: v, unit: f.unit ?? c.unit ?? 'count', iteration: 0, labels });
    }
  }
  return rows;
}
