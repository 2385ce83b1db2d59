import type { Client } from 'pg';

/*
 * Double-booking checks from the runs table. A run holds its machine from
 * its row's created_at (when the scheduler took the lease) to its
 * finished_at (when the agent ended it, before the lease was released), or
 * until now if it is unfinished: two runs of one machine whose intervals
 * overlap were booked on it at the same time.
 */

/** Pairs of runs (as "runA/runB", A < B) whose lease intervals overlap on the same machine. */
export async function overlappingRuns(pg: Client): Promise<string[]> {
  const { rows } = await pg.query(
    `SELECT a.id AS a, b.id AS b FROM runs a JOIN runs b ON a.machine_id = b.machine_id AND a.id < b.id
     WHERE a.created_at < COALESCE(b.finished_at, 'infinity') AND b.created_at < COALESCE(a.finished_at, 'infinity')`,
  );
  return rows.map((r) => `${r.a}/${r.b}`);
}

/** Pairs of unfinished runs holding one machine right now. */
export async function unfinishedOnOneMachine(pg: Client): Promise<string[]> {
  const { rows } = await pg.query(
    `SELECT a.id AS a, b.id AS b FROM runs a JOIN runs b ON a.machine_id = b.machine_id AND a.id < b.id
     WHERE a.state <> 'finished' AND b.state <> 'finished'`,
  );
  return rows.map((r) => `${r.a}/${r.b}`);
}

/** Samples `unfinishedOnOneMachine` every `everyMs` until stopped; `pairs` is every pair ever seen. */
export class LiveDoubleBookingWatch {
  readonly pairs = new Set<string>();
  samples = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly pg: Client, private readonly everyMs = 250) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      unfinishedOnOneMachine(this.pg)
        .then((pairs) => {
          this.samples++;
          for (const p of pairs) this.pairs.add(p);
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
  }
}

/** Machines still leased (by a run that exists or not). */
export async function leasesLeft(pg: Client): Promise<string[]> {
  const { rows } = await pg.query(`SELECT name FROM machines WHERE lease_run_id IS NOT NULL ORDER BY name`);
  return rows.map((r) => r.name as string);
}
