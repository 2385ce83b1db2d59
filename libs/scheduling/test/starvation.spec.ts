import { SeededRandom } from '@pfnlab/stats';
import { machine } from './fixtures';
import { simulate, type SimSubmission } from './simulation';

/**
 * "Never starved", as a property over seeded random labs: a steady stream
 * of higher-priority work that alone keeps every machine busy (the flood
 * user keeps 2 runs per machine queued at all times), plus low-priority
 * runs (0..40) from three other users arriving at random, some of which can
 * only use the one machine tagged cxl. Every low run must start within
 * BOUND minutes: at most 100 minutes for its effective priority to reach the
 * top of the scale (priority 0, one point a minute), from where it is ahead
 * of the flood's runs (its user holds fewer machines, or as many and it has
 * waited longer), then up to 30 minutes (the longest run) for a machine it
 * can use to free, and 20 for older low runs queued for the same machine.
 */
const BOUND = 150;
const HORIZON = 1500;

function scenario(seed: number) {
  const rng = new SeededRandom(seed);
  const nMachines = 2 + rng.int(9);
  const machines = Array.from({ length: nMachines }, (_, i) => machine(`m${i}`, 'x86_64', { tags: i === 0 ? ['cxl'] : [] }));
  let n = 0;
  const arrive = (t: number, queued: readonly { user: string }[]): SimSubmission[] => {
    const out: SimSubmission[] = [];
    for (let q = queued.filter((r) => r.user === 'flood').length; q < 2 * nMachines; q++) {
      out.push({ run: { id: `f${n++}`, user: 'flood', arch: 'x86_64', target: { selector: {} }, priority: 60 + rng.int(41) }, minutes: 5 + rng.int(26) });
    }
    if (rng.uniform() < 0.02) {
      const picky = rng.uniform() < 0.5;
      out.push({ run: { id: `low${n++}`, user: `u${rng.int(3)}`, arch: 'x86_64', target: { selector: picky ? { tags: ['cxl'] } : {} }, priority: rng.int(41) }, minutes: 5 + rng.int(26) });
    }
    return out;
  };
  return { machines, arrive };
}

function lowWaits(r: ReturnType<typeof simulate>): { waits: number[]; unstarted: string[] } {
  const waits: number[] = [];
  const unstarted: string[] = [];
  for (const [id, t] of r.submitted) {
    if (!id.startsWith('low') || t > HORIZON - BOUND) continue;
    const s = r.started.get(id);
    if (s === undefined) unstarted.push(id);
    else waits.push(s - t);
  }
  return { waits, unstarted };
}

describe('never starved (seeded random arrivals under a saturating stream of higher-priority work)', () => {
  it(`every low-priority run starts within ${BOUND} minutes, over 12 random labs`, () => {
    let lowRuns = 0;
    let longest = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const { machines, arrive } = scenario(seed);
      const { waits, unstarted } = lowWaits(simulate({ machines, minutes: HORIZON, arrive }));
      expect({ seed, unstarted }).toEqual({ seed, unstarted: [] });
      longest = Math.max(longest, ...waits);
      lowRuns += waits.length;
    }
    expect(lowRuns).toBeGreaterThan(200);
    expect(longest).toBeLessThanOrEqual(BOUND);
    // The bound is not slack: low runs do wait for aging to lift them (the flood is ahead of them for at least 20 minutes).
    expect(longest).toBeGreaterThan(60);
  });

  it('without aging or fair share, the same labs starve them: not one low run starts', () => {
    for (const seed of [1, 2, 3]) {
      const { machines, arrive } = scenario(seed);
      const r = simulate({ machines, minutes: 600, arrive, options: { agingPointsPerMinute: 0, fairSharePoints: 0 } });
      const low = [...r.submitted.keys()].filter((id) => id.startsWith('low'));
      expect(low.length).toBeGreaterThan(3);
      expect(low.filter((id) => r.started.has(id))).toEqual([]);
    }
  });
});
