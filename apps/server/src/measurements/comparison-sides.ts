import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComparisonSide } from './measurement-schemas';

/**
 * One side of a comparison turned into samples: ONE SAMPLE PER RUN PER
 * METRIC, the median of that run's values of the metric (its iterations,
 * blocks, loop iterations). Iterations within one boot share its memory
 * layout and placement, so they are not independent samples; pooling them
 * would pretend to a precision the data does not have and break the
 * false-positive rates measured in libs/stats/README.md.
 */
export interface SideSamples {
  runs: string[];
  /** Names of the machines the runs ran on (a comparison across machines measures the machines too). */
  machines: string[];
  samples: Map<string, number[]>;
  units: Map<string, string>;
}

export type SideName = 'baseline' | 'candidate';

export function describeSide(side: ComparisonSide): string {
  if ('job' in side) return `job ${side.job}${side.variant === 'baseline' ? ' (baseline runs)' : ''}`;
  if ('build' in side) return `build ${side.build}`;
  return `runs ${side.runs.join(', ')}`;
}

/** The runs a side names; 404 naming the side and what is unknown. */
async function sideRuns(db: DataSource, name: SideName, side: ComparisonSide): Promise<string[]> {
  if ('job' in side) {
    if (!(await db.query(`SELECT 1 FROM jobs WHERE id = $1`, [side.job])).length) throw new NotFoundException(`${name}: no job ${side.job}`);
    const rows = await db.query(`SELECT id FROM runs WHERE job_id = $1 AND variant = $2 ORDER BY created_at`, [side.job, side.variant ?? 'candidate']);
    return rows.map((r: { id: string }) => r.id);
  }
  if ('build' in side) {
    if (!(await db.query(`SELECT 1 FROM builds WHERE id = $1`, [side.build])).length) throw new NotFoundException(`${name}: no build ${side.build}`);
    // Runs that booted the build, and runs whose measurements say they ran on it.
    const rows = await db.query(
      `SELECT id FROM runs WHERE build_id = $1 UNION SELECT DISTINCT run_id FROM measurements WHERE build_id = $1`,
      [side.build],
    );
    return rows.map((r: { id: string }) => r.id);
  }
  const unique = [...new Set(side.runs)];
  if (unique.length !== side.runs.length) throw new BadRequestException(`${name}: a run is listed twice`);
  const found: Array<{ id: string }> = await db.query(`SELECT id FROM runs WHERE id = ANY($1::uuid[])`, [unique]);
  const missing = unique.filter((id) => !found.some((f) => f.id === id));
  if (missing.length) throw new NotFoundException(`${name}: no run ${missing.join(', ')}`);
  return unique;
}

export async function loadSide(db: DataSource, name: SideName, side: ComparisonSide, metrics?: string[]): Promise<SideSamples> {
  const runs = await sideRuns(db, name, side);
  const samples = new Map<string, number[]>();
  const units = new Map<string, string>();
  if (!runs.length) return { runs, machines: [], samples, units };
  const machines: string[] = (await db.query(
    `SELECT DISTINCT m.name FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ANY($1::uuid[]) ORDER BY m.name`,
    [runs],
  )).map((r: { name: string }) => r.name);
  const rows: Array<{ metric: string; unit: string; median: number }> = await db.query(
    `SELECT run_id, metric, min(unit) AS unit, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
     FROM measurements WHERE run_id = ANY($1::uuid[]) ${metrics ? 'AND metric = ANY($2::text[])' : ''}
     GROUP BY run_id, metric ORDER BY run_id, metric`,
    metrics ? [runs, metrics] : [runs],
  );
  for (const r of rows) {
    const list = samples.get(r.metric) ?? [];
    list.push(Number(r.median));
    samples.set(r.metric, list);
    units.set(r.metric, r.unit);
  }
  return { runs, machines, samples, units };
}

/** What makes a comparison weaker than it looks: the sides ran on different machines. */
export function comparisonWarnings(baseline: { machines?: string[] }, candidate: { machines?: string[] }): string[] {
  const a = baseline.machines ?? [];
  const b = candidate.machines ?? [];
  if (!a.length || !b.length) return [];
  if (a.length === 1 && b.length === 1 && a[0] === b[0]) return [];
  const shared = a.filter((m) => b.includes(m));
  if (a.length === b.length && shared.length === a.length) return [];
  return [`baseline ran on ${a.join(', ')} and candidate on ${b.join(', ')}: the differences include the machines'`];
}

/** Runs on both sides would compare a run with itself. */
export function checkDisjoint(baseline: SideSamples, candidate: SideSamples): void {
  const shared = baseline.runs.filter((r) => candidate.runs.includes(r));
  if (shared.length) throw new BadRequestException(`baseline and candidate share run ${shared.slice(0, 5).join(', ')}${shared.length > 5 ? ', ...' : ''}`);
}
