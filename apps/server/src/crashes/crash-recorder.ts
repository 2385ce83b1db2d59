import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** A crash as libs/console reports it, with where it was seen. */
export interface CrashSighting {
  title: string;
  type: string;
  frame: string | null;
  corrupted: boolean;
  /** How many times the identical splat appeared in this run. */
  count: number;
  report: string;
}

export interface SightingContext {
  runId: string | null;
  machineId: string | null;
  arch: string;
  kernelVersion: string | null;
  at?: Date;
}

/** Longest report text kept per occurrence; a runaway splat must not bloat the table. */
const MAX_REPORT = 64 * 1024;

/**
 * Deduplicates crashes by title: the same title on another machine, arch
 * or kernel is one `crashes` row with another occurrence. The upsert is a
 * single statement, so concurrent runs reporting the same bug (several
 * server replicas) neither lose counts nor create two rows.
 */
@Injectable()
export class CrashRecorder {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(sightings: CrashSighting[], ctx: SightingContext, manager?: EntityManager): Promise<string[]> {
    const run = async (em: EntityManager) => {
      const ids: string[] = [];
      const at = ctx.at ?? new Date();
      for (const s of sightings) {
        const rows: Array<{ id: string }> = await em.query(
          `INSERT INTO crashes (title, type, frame, count, arches, first_seen, last_seen)
           VALUES ($1, $2, $3, $4, ARRAY[$5]::text[], $6, $6)
           ON CONFLICT (title) DO UPDATE SET
             count = crashes.count + EXCLUDED.count,
             arches = (SELECT array_agg(DISTINCT a ORDER BY a) FROM unnest(crashes.arches || EXCLUDED.arches) a),
             first_seen = LEAST(crashes.first_seen, EXCLUDED.first_seen),
             last_seen = GREATEST(crashes.last_seen, EXCLUDED.last_seen),
             frame = COALESCE(crashes.frame, EXCLUDED.frame)
           RETURNING id`,
          [s.title, s.type, s.frame, Math.max(1, s.count), ctx.arch, at],
        );
        const crashId = rows[0].id;
        await em.query(
          `INSERT INTO crash_occurrences (crash_id, run_id, machine_id, arch, kernel_version, corrupted, count, report, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [crashId, ctx.runId, ctx.machineId, ctx.arch, ctx.kernelVersion, s.corrupted, Math.max(1, s.count), s.report.slice(0, MAX_REPORT), at],
        );
        ids.push(crashId);
      }
      return ids;
    };
    return manager ? run(manager) : this.db.transaction(run);
  }
}
