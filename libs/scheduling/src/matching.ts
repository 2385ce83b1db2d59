import type { Arch, Health, Platform } from '@pfnlab/contracts';
import type { QueuedRun, SchedulingMachine } from './types';

/**
 * Machines that may get runs: `good`, and `unknown`. Unknown is allowed
 * because it is where every machine starts (registered by an agent, added
 * by an admin, back from maintenance) and where a failed run whose recovery
 * did not succeed leaves it; nothing but a run moves a machine from unknown
 * to good, and a run starts from a clean slate anyway (its power step power
 * cycles a machine that is on, after deploying the kernel), then records
 * good or unknown from its own recovery. Excluding unknown would leave a new
 * lab idle for ever. Good machines are still preferred among equally
 * specific ones (see decide). `bad`, `maintenance` and `retired` never get a
 * run: those are an operator's or the health tracking's decisions.
 */
export const IN_SERVICE_HEALTH: readonly Health[] = ['good', 'unknown'];

export function isInService(health: Health): boolean {
  return health === 'good' || health === 'unknown';
}

/** What a run needs from a machine, normalized: the same requirement gives the same key. */
export interface Requirement {
  arch: Arch;
  /** A selector arch that contradicts `arch` (the job-spec parser refuses it; kept so the reason can say so). */
  contradictingArch?: Arch;
  /** A named target. */
  machine?: string;
  /** An A/B run's machine. */
  pinned?: string;
  platform?: Platform;
  /** Sorted, unique. */
  tags: string[];
  minMemoryMiB?: number;
}

export function requirementOf(run: QueuedRun): Requirement {
  const req: Requirement = { arch: run.arch, tags: [] };
  if ('machine' in run.target) req.machine = run.target.machine;
  else {
    const s = run.target.selector;
    if (s.arch && s.arch !== run.arch) req.contradictingArch = s.arch;
    if (s.platform) req.platform = s.platform;
    if (s.tags?.length) req.tags = [...new Set(s.tags)].sort(byCodeUnits);
    if (s.minMemoryMiB !== undefined) req.minMemoryMiB = s.minMemoryMiB;
  }
  if (run.pinnedMachine !== undefined) req.pinned = run.pinnedMachine;
  return req;
}

/**
 * A key equal for runs with the same requirement, computed from the run
 * without building the Requirement (a decision computes one per queued run).
 * Names and tags cannot contain NUL (libs/contracts NameSchema).
 */
export function requirementKey(run: QueuedRun): string {
  const head = `${run.arch}\0${run.pinnedMachine ?? ''}\0${run.avoidMachine ?? ''}\0`;
  const t = run.target;
  if ('machine' in t) return `${head}m${t.machine}`;
  const s = t.selector;
  const arch = s.arch && s.arch !== run.arch ? s.arch : '';
  const head2 = `${head}s${arch}\0${s.platform ?? ''}\0${s.minMemoryMiB ?? ''}\0`;
  const tags = s.tags;
  if (!tags || !tags.length) return head2;
  if (tags.length === 1) return head2 + tags[0];
  return head2 + [...new Set(tags)].sort(byCodeUnits).join('\0');
}

/** Whether the machine has everything the requirement asks for (health not considered). */
export function meets(m: SchedulingMachine, r: Requirement, tagSet?: ReadonlySet<string>): boolean {
  if (r.contradictingArch || m.arch !== r.arch) return false;
  if (r.machine !== undefined && m.name !== r.machine) return false;
  if (r.pinned !== undefined && m.name !== r.pinned) return false;
  if (r.platform && m.platform !== r.platform) return false;
  if (r.minMemoryMiB !== undefined && m.memoryMiB < r.minMemoryMiB) return false;
  if (r.tags.length) {
    const tags = tagSet ?? new Set(m.tags);
    for (const t of r.tags) if (!tags.has(t)) return false;
  }
  return true;
}

/** Whether the machine matches the run's target, arch and pin (health and leases not considered). */
export function matchesTarget(run: QueuedRun, m: SchedulingMachine): boolean {
  return meets(m, requirementOf(run));
}

/**
 * Machines indexed by name, by arch and platform, and by tag, so a
 * requirement is checked against the smallest of its buckets instead of
 * every machine.
 */
export class MachineIndex {
  /** Sorted by name: indices into this array are the machines' ids in a decision. */
  readonly machines: readonly SchedulingMachine[];
  readonly tagSets: ReadonlyArray<ReadonlySet<string>>;
  private readonly byName = new Map<string, number>();
  private readonly byArch = new Map<string, number[]>();
  private readonly byArchPlatform = new Map<string, number[]>();
  private readonly byTag = new Map<string, number[]>();

  constructor(machines: readonly SchedulingMachine[]) {
    this.machines = [...machines].sort((a, b) => byCodeUnits(a.name, b.name));
    this.tagSets = this.machines.map((m) => new Set(m.tags));
    this.machines.forEach((m, i) => {
      if (this.byName.has(m.name)) throw new RangeError(`machine name "${m.name}" appears twice`);
      if (!Number.isFinite(m.memoryMiB) || m.memoryMiB < 0) throw new RangeError(`machine ${m.name}: memoryMiB must be a finite number >= 0, got ${m.memoryMiB}`);
      this.byName.set(m.name, i);
      push(this.byArch, m.arch, i);
      push(this.byArchPlatform, `${m.arch}/${m.platform}`, i);
      for (const t of this.tagSets[i]) push(this.byTag, t, i);
    });
  }

  indexOf(name: string): number | undefined {
    return this.byName.get(name);
  }

  /** Indices (in name order) of the machines that meet the requirement, whatever their health. */
  candidates(r: Requirement): number[] {
    if (r.contradictingArch) return [];
    let base: readonly number[];
    const named = r.pinned ?? r.machine;
    if (named !== undefined) {
      const i = this.byName.get(named);
      base = i === undefined ? [] : [i];
    } else {
      base = (r.platform ? this.byArchPlatform.get(`${r.arch}/${r.platform}`) : this.byArch.get(r.arch)) ?? [];
      for (const t of r.tags) {
        const posting = this.byTag.get(t) ?? [];
        if (posting.length < base.length) base = posting;
      }
    }
    return base.filter((i) => meets(this.machines[i], r, this.tagSets[i]));
  }
}

/** The target as people read it (same wording as the dispatcher's messages). */
export function describeTarget(run: QueuedRun): string {
  return describeRequirement(requirementOf(run), run.target);
}

function describeRequirement(r: Requirement, target?: QueuedRun['target']): string {
  let text: string;
  if (r.machine !== undefined) text = `machine "${r.machine}" (${r.arch})`;
  else {
    const arch = target && 'selector' in target && target.selector.arch ? target.selector.arch : r.arch;
    const parts = [`arch ${arch}`, r.platform && `platform ${r.platform}`, r.tags.length && `tags ${r.tags.join(',')}`, r.minMemoryMiB && `>= ${r.minMemoryMiB} MiB`].filter(Boolean);
    text = `selector (${parts.join(', ')})`;
  }
  return r.pinned !== undefined ? `${text}, pinned to ${r.pinned}` : text;
}

const HEALTH_WORDS: Record<Health, string> = { good: 'good', unknown: 'unknown', bad: 'marked bad', maintenance: 'in maintenance', retired: 'retired' };

/**
 * Why no machine in service could ever take a run with this requirement
 * (leased machines count: they come back), or null when one could. The
 * reason names the constraints no machine in service meets, or else the
 * nearest machines and what they lack, and the out-of-service machines that
 * would have matched.
 */
export function explainImpossible(run: QueuedRun, machines: readonly SchedulingMachine[] | MachineIndex): string | null {
  const index = machines instanceof MachineIndex ? machines : new MachineIndex(machines);
  return impossibleReason(requirementOf(run), index, run.target);
}

/** explainImpossible for a normalized requirement; `matching` = index.candidates(r) when the caller has it. */
export function impossibleReason(r: Requirement, index: MachineIndex, target?: QueuedRun['target'], matching?: readonly number[]): string | null {
  const all = matching ?? index.candidates(r);
  if (all.some((i) => isInService(index.machines[i].health))) return null;
  const head = `no machine can take it: ${describeRequirement(r, target)}`;
  if (r.contradictingArch) return `${head}: selector arch ${r.contradictingArch} contradicts the job's arch ${r.arch}`;
  const clauses: string[] = [];
  const named = r.pinned ?? r.machine;
  if (named !== undefined) {
    const i = index.indexOf(named);
    const why = r.pinned !== undefined ? ' (an A/B job\'s runs stay on the machine of its first runs: a comparison across machines measures the machines)' : '';
    if (i === undefined) return `${head}: no machine is named ${named}${why}`;
    const m = index.machines[i];
    const lacks = unmet(m, { ...r, machine: undefined, pinned: undefined }, index.tagSets[i]).map((u) => u.sentence);
    if (r.pinned !== undefined && r.machine !== undefined && r.machine !== r.pinned) lacks.unshift(`is not the target ${r.machine}`);
    if (!isInService(m.health)) lacks.push(`is ${HEALTH_WORDS[m.health]}`);
    return `${head}: ${named} ${lacks.join(' and ')}${why}`;
  }
  const inService = index.machines.map((_, i) => i).filter((i) => isInService(index.machines[i].health));
  if (!inService.length) clauses.push('no machine is in service');
  else {
    const constraints = selectorConstraints(r);
    const failing = constraints.filter((c) => !inService.some((i) => c.test(index.machines[i], index.tagSets[i])));
    if (failing.length) {
      let clause = `no machine in service has ${failing.map((c) => c.label).join(' or ')}`;
      if (failing.some((c) => c.kind === 'memory')) clause += ` (the largest has ${Math.max(...inService.map((i) => index.machines[i].memoryMiB))} MiB)`;
      clauses.push(clause);
    } else {
      // Each constraint alone is met somewhere, never all together: name the machines of the arch that come closest.
      const sameArch = inService.filter((i) => index.machines[i].arch === r.arch);
      const scored = sameArch.map((i) => ({ i, lacks: unmet(index.machines[i], r, index.tagSets[i]).map((u) => u.short) }));
      const fewest = Math.min(...scored.map((s) => s.lacks.length));
      const nearest = scored.filter((s) => s.lacks.length === fewest);
      clauses.push(`no machine in service has all of them; nearest: ${listMore(nearest.map((s) => `${index.machines[s.i].name} (${s.lacks.join(', ')})`))}`);
    }
  }
  if (all.length === 1) clauses.push(`${index.machines[all[0]].name} matches but is ${HEALTH_WORDS[index.machines[all[0]].health]}`);
  else if (all.length > 1) clauses.push(`${listMore(all.map((i) => `${index.machines[i].name} (${index.machines[i].health})`))} match but are out of service`);
  return `${head}: ${clauses.join('; ')}`;
}

interface Constraint {
  kind: 'arch' | 'platform' | 'tag' | 'memory';
  label: string;
  test: (m: SchedulingMachine, tags: ReadonlySet<string>) => boolean;
}

function selectorConstraints(r: Requirement): Constraint[] {
  const out: Constraint[] = [{ kind: 'arch', label: `arch ${r.arch}`, test: (m) => m.arch === r.arch }];
  if (r.platform) out.push({ kind: 'platform', label: `platform ${r.platform}`, test: (m) => m.platform === r.platform });
  for (const t of r.tags) out.push({ kind: 'tag', label: `tag ${t}`, test: (_m, tags) => tags.has(t) });
  const min = r.minMemoryMiB;
  if (min !== undefined) out.push({ kind: 'memory', label: `>= ${min} MiB`, test: (m) => m.memoryMiB >= min });
  return out;
}

/** What the machine lacks for the requirement: short phrases for lists, and as the predicate of a sentence about it. */
function unmet(m: SchedulingMachine, r: Requirement, tags: ReadonlySet<string>): Array<{ short: string; sentence: string }> {
  const out: Array<{ short: string; sentence: string }> = [];
  if (m.arch !== r.arch) out.push({ short: m.arch, sentence: `is ${m.arch}, not ${r.arch}` });
  if (r.platform && m.platform !== r.platform) out.push({ short: m.platform, sentence: `is ${m.platform}, not ${r.platform}` });
  for (const t of r.tags) if (!tags.has(t)) out.push({ short: `no tag ${t}`, sentence: `has no tag ${t}` });
  if (r.minMemoryMiB !== undefined && m.memoryMiB < r.minMemoryMiB) out.push({ short: `${m.memoryMiB} MiB`, sentence: `has ${m.memoryMiB} MiB` });
  return out;
}

/** "a, b, c and 4 more": at most three names. */
function listMore(items: string[]): string {
  if (items.length <= 3) return items.join(', ');
  return `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** Locale-independent string order (localeCompare differs between ICU builds). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
