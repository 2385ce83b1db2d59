import { FAIR_SHARE_POINTS, fairSharePenalty } from './fair-share';
import { Heap } from './heap';
import { byCodeUnits, impossibleReason, isInService, MachineIndex, requirementKey, requirementOf, type Requirement } from './matching';
import { AGING_POINTS_PER_MINUTE, effectivePriority, MAX_PRIORITY } from './priority';
import type { Assignment, Decision, DecisionInput, ImpossibleRun, QueuedRun, SchedulingOptions, WaitingRun } from './types';

export interface ResolvedSchedulingOptions {
  agingPointsPerMinute: number;
  fairSharePoints: number;
}

/** Options with their defaults; a negative or non-finite value is a RangeError naming it. */
export function resolveSchedulingOptions(options: SchedulingOptions = {}): ResolvedSchedulingOptions {
  const out = { agingPointsPerMinute: AGING_POINTS_PER_MINUTE, fairSharePoints: FAIR_SHARE_POINTS };
  for (const key of ['agingPointsPerMinute', 'fairSharePoints'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${key} must be a finite number >= 0, got ${v}`);
    out[key] = v;
  }
  return out;
}

/** Runs with the same requirement: their matching machines are computed once. */
interface RunClass {
  key: string;
  req: Requirement;
  target: QueuedRun['target'];
  runs: number;
  /** In-service machines that match, leased or free. */
  inService: number;
  /** Free matching machines, best first for a run of this class; consumed from `next`. */
  free: number[];
  next: number;
  impossible: string | null;
  /** Computed once, for the first of its runs that waits. */
  waitingReason: string | null;
}

interface Ranked {
  run: QueuedRun;
  cls: RunClass;
  eff: number;
}

interface UserQueue {
  user: string;
  runs: Ranked[];
  pos: number;
  inUse: number;
  /** Head's effective priority minus the user's penalty, fixed while in the heap. */
  score: number;
}

/**
 * One scheduling decision: which queued runs go to which free machines now,
 * which wait, and which no machine in service could ever take.
 *
 * Ranking. A run's effective priority is its base priority plus one point
 * per minute waited, capped at 100 (priority.ts); its score is that minus
 * its user's fair-share penalty, up to 20 points for a user holding their
 * fair share of the lab or more (fair-share.ts). The best-scored run is
 * decided first; ties go to the longer-waiting run, then the smaller run id.
 * Penalties are updated as the decision hands out machines, so a pass over
 * many free machines spreads them between users.
 *
 * Placement. A run gets a free in-service machine matching its arch and
 * target (and its pin), or waits if none is left; a run further down may
 * take a machine the runs above it cannot use. Among the matching free
 * machines it takes the one other runs need least: each machine carries a
 * pressure, the sum over the queue's requirement classes that match it of
 * (runs in the class) / (free machines the class matches), and the run takes
 * the lowest-pressure one. A run that could go anywhere thus leaves alone the
 * only machine a picky run (or a pinned A/B run) can use, whatever the
 * machines' tag counts. Then good before unknown, fewer tags, less memory,
 * name.
 *
 * Deterministic, and independent of the order of the input arrays: every
 * ordering ends in unique keys (run id, machine name).
 *
 * Cost, for R runs in C requirement classes, M machines, U users: the
 * machines of a class are found through the arch/platform and tag indexes,
 * once per class (not per run); each class's free list is sorted once and
 * consumed with a pointer; runs are ranked through a heap of users. About
 * O(M + R log R + C * b log b + R log U), b the size of a class's bucket.
 */
export function decide(input: DecisionInput, options?: SchedulingOptions): Decision {
  const opts = resolveSchedulingOptions(options);
  const { now } = input;
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite number of ms, got ${now}`);
  const index = new MachineIndex(input.machines);
  const machines = index.machines;
  const taken = new Uint8Array(machines.length);
  let freeLeft = 0;
  let machinesInService = 0;
  const inUse = new Map<string, number>();
  for (const m of machines) {
    if (m.leasedBy != null) inUse.set(m.leasedBy, (inUse.get(m.leasedBy) ?? 0) + 1);
    if (!isInService(m.health)) continue;
    machinesInService++;
    if (m.leasedBy == null) freeLeft++;
  }

  // Group runs by requirement; settle what is impossible once per class.
  const classes = new Map<string, RunClass>();
  const ids = new Set<string>();
  const ranked: Ranked[] = [];
  const impossible: ImpossibleRun[] = [];
  for (const run of input.runs) {
    checkRun(run, ids);
    const key = requirementKey(run);
    let cls = classes.get(key);
    if (!cls) {
      const req = requirementOf(run);
      const matching = index.candidates(req);
      let inService = matching.filter((i) => isInService(machines[i].health));
      // A retry goes elsewhere when it can: the machine its last attempt ERRORed on only if it is the only one.
      const others = run.avoidMachine ? inService.filter((i) => machines[i].name !== run.avoidMachine) : inService;
      if (others.length) inService = others;
      cls = {
        key,
        req,
        target: run.target,
        runs: 0,
        inService: inService.length,
        free: inService.filter((i) => machines[i].leasedBy == null),
        next: 0,
        impossible: inService.length ? null : impossibleReason(req, index, run.target, matching),
        waitingReason: null,
      };
      classes.set(key, cls);
    }
    if (cls.impossible !== null) {
      impossible.push({ runId: run.id, reason: cls.impossible });
      continue;
    }
    cls.runs++;
    ranked.push({ run, cls, eff: effectivePriority(run.priority, now - run.queuedAt, opts.agingPointsPerMinute) });
  }
  impossible.sort((a, b) => byCodeUnits(a.runId, b.runId));

  // Pressure on each free machine from the classes that could use it; then each class's free list, best first.
  const pressure = new Float64Array(machines.length);
  const live = [...classes.values()].filter((c) => c.impossible === null && c.free.length).sort((a, b) => byCodeUnits(a.key, b.key));
  for (const c of live) {
    const w = c.runs / c.free.length;
    for (const i of c.free) pressure[i] += w;
  }
  const healthRank = (i: number) => (machines[i].health === 'good' ? 0 : 1);
  for (const c of live) {
    c.free.sort((a, b) => pressure[a] - pressure[b] || healthRank(a) - healthRank(b) || machines[a].tags.length - machines[b].tags.length || machines[a].memoryMiB - machines[b].memoryMiB || a - b);
  }

  // Each user's runs in rank order; the users in a heap keyed by their best run's score.
  const byUser = new Map<string, Ranked[]>();
  for (const r of ranked) {
    const list = byUser.get(r.run.user);
    if (list) list.push(r);
    else byUser.set(r.run.user, [r]);
  }
  const activeUsers = new Set([...byUser.keys(), ...inUse.keys()]).size;
  const penalty = (u: UserQueue) => fairSharePenalty(u.inUse, activeUsers, machinesInService, opts.fairSharePoints);
  const heap = new Heap<UserQueue>((a, b) => {
    if (a.score !== b.score) return a.score > b.score;
    const ra = a.runs[a.pos].run;
    const rb = b.runs[b.pos].run;
    if (ra.queuedAt !== rb.queuedAt) return ra.queuedAt < rb.queuedAt;
    return ra.id < rb.id;
  });
  for (const [user, runs] of byUser) {
    runs.sort(rankOrder);
    const q: UserQueue = { user, runs, pos: 0, inUse: inUse.get(user) ?? 0, score: 0 };
    q.score = runs[0].eff - penalty(q);
    heap.push(q);
  }

  const assignments: Assignment[] = [];
  const waiting: WaitingRun[] = [];
  for (let q = heap.pop(); q; q = heap.pop()) {
    const { run, cls, eff } = q.runs[q.pos++];
    let machine = -1;
    if (freeLeft > 0) {
      while (cls.next < cls.free.length && taken[cls.free[cls.next]]) cls.next++;
      if (cls.next < cls.free.length) machine = cls.free[cls.next++];
    }
    if (machine >= 0) {
      taken[machine] = 1;
      freeLeft--;
      assignments.push({ runId: run.id, machine: machines[machine].name, effectivePriority: eff, score: q.score });
      q.inUse++;
    } else {
      waiting.push({ runId: run.id, effectivePriority: eff, reason: (cls.waitingReason ??= waitingReason(cls)) });
    }
    if (q.pos < q.runs.length) {
      q.score = q.runs[q.pos].eff - penalty(q);
      heap.push(q);
    }
  }
  return { assignments, impossible, waiting };
}

/** Within one user: effective priority, then longest waiting, then id. */
function rankOrder(a: Ranked, b: Ranked): number {
  return b.eff - a.eff || a.run.queuedAt - b.run.queuedAt || byCodeUnits(a.run.id, b.run.id);
}

function waitingReason(c: RunClass): string {
  if (!c.free.length) return c.inService === 1 ? 'the one machine that matches is in use' : `all ${c.inService} machines that match are in use`;
  const free = c.free.length === 1 ? 'the one free machine that matches' : `the ${c.free.length} free machines that match`;
  return `${free} went to higher-ranked runs (${c.inService} match in all)`;
}

function checkRun(run: QueuedRun, ids: Set<string>): void {
  if (typeof run.id !== 'string' || !run.id) throw new RangeError(`a run has no id`);
  if (ids.has(run.id)) throw new RangeError(`run id "${run.id}" appears twice`);
  ids.add(run.id);
  if (typeof run.user !== 'string') throw new RangeError(`run ${run.id}: user must be a string`);
  if (typeof run.priority !== 'number' || !(run.priority >= 0 && run.priority <= MAX_PRIORITY)) {
    throw new RangeError(`run ${run.id}: priority must be within 0..${MAX_PRIORITY}, got ${run.priority}`);
  }
  if (!Number.isFinite(run.queuedAt)) throw new RangeError(`run ${run.id}: queuedAt must be a finite number of ms, got ${run.queuedAt}`);
}
