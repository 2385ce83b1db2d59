import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

export interface Lease {
  machineId: string;
  token: string;
  expiresAt: Date;
}

/**
 * Machine leases in PostgreSQL. Taking one is a single conditional UPDATE,
 * so two server replicas can never both win; each lease bumps a fencing
 * token, and writes from a run must carry the token they were given, so a
 * stale holder (an agent that lost its lease) is refused.
 */
@Injectable()
export class MachineLeases {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async acquire(machineId: string, runId: string, seconds: number, em: EntityManager = this.db.manager): Promise<Lease | null> {
    const r = await em.query(
      `UPDATE machines SET lease_run_id = $2, lease_expires_at = now() + make_interval(secs => $3), lease_token = lease_token + 1
       WHERE id = $1 AND health IN ('good', 'unknown') AND (lease_run_id IS NULL OR lease_expires_at < now())
       RETURNING lease_token, lease_expires_at`,
      [machineId, runId, seconds],
    );
    const row = rowsOf<{ lease_token: string; lease_expires_at: Date }>(r)[0];
    return row ? { machineId, token: String(row.lease_token), expiresAt: row.lease_expires_at } : null;
  }

  /**
   * Takes many leases in one statement (one scheduling tick's assignments):
   * the same conditional UPDATE as `acquire`, row by row, so a machine
   * another replica leased meanwhile is simply missing from the result.
   * Each machine may appear once.
   */
  async acquireMany(wanted: Array<{ machineId: string; runId: string; seconds: number }>, em: EntityManager = this.db.manager): Promise<Map<string, Lease>> {
    const won = new Map<string, Lease>();
    if (!wanted.length) return won;
    const r = await em.query(
      `UPDATE machines m SET lease_run_id = w.run_id, lease_expires_at = now() + make_interval(secs => w.secs), lease_token = m.lease_token + 1
       FROM unnest($1::uuid[], $2::uuid[], $3::float8[]) AS w(machine_id, run_id, secs)
       WHERE m.id = w.machine_id AND m.health IN ('good', 'unknown') AND (m.lease_run_id IS NULL OR m.lease_expires_at < now())
       RETURNING m.id, m.lease_token, m.lease_expires_at`,
      [wanted.map((w) => w.machineId), wanted.map((w) => w.runId), wanted.map((w) => w.seconds)],
    );
    for (const row of rowsOf<{ id: string; lease_token: string; lease_expires_at: Date }>(r)) {
      won.set(row.id, { machineId: row.id, token: String(row.lease_token), expiresAt: row.lease_expires_at });
    }
    return won;
  }

  /** Releases a lease if (and only if) it is still the one with this token. */
  async release(machineId: string, runId: string, token: string, em: EntityManager = this.db.manager): Promise<boolean> {
    const r = await em.query(
      `UPDATE machines SET lease_run_id = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_run_id = $2 AND lease_token = $3 RETURNING id`,
      [machineId, runId, token],
    );
    return rowsOf(r).length > 0;
  }

  /** True when `token` is the machine's current lease for `runId` (the fencing check). */
  async holds(machineId: string, runId: string, token: string, em: EntityManager = this.db.manager): Promise<boolean> {
    const r = await em.query(`SELECT 1 FROM machines WHERE id = $1 AND lease_run_id = $2 AND lease_token = $3 FOR UPDATE`, [machineId, runId, token]);
    return rowsOf(r).length > 0;
  }
}

/** TypeORM's postgres driver returns [rows, count] for UPDATE ... RETURNING and rows for SELECT. */
export function rowsOf<T>(r: unknown): T[] {
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
