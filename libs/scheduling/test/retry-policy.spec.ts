import type { Verdict } from '@pfnlab/contracts';
import { backoffMs, decide, DEFAULT_RETRY_POLICY, isFlaky, passRate, slotState, type AttemptView, type SlotState } from '@pfnlab/scheduling';
import { machine, NOW, run } from './fixtures';

const T0 = 1_000_000;
/** Finished attempts 1..n with these verdicts, a minute apart, on these machines. */
function attempts(verdicts: Verdict[], machines: string[] = []): AttemptView[] {
  return verdicts.map((verdict, i) => ({ attempt: i + 1, verdict, finished: true, finishedAt: T0 + i * 60_000, machine: machines[i] ?? 'm1' }));
}
const done = (s: SlotState) => s as Extract<SlotState, { state: 'done' }>;

describe('slotState: ERROR retried with backoff up to a cap; FAIL confirmed by one rerun', () => {
  it('a slot without attempts is open for its first', () => {
    expect(slotState([])).toEqual({ state: 'open', attempt: 1, notBefore: 0, avoidMachine: null, why: 'first' });
  });

  it('an unfinished attempt is running', () => {
    expect(slotState([{ attempt: 1, verdict: 'ERROR', finished: false, finishedAt: null, machine: 'm1' }])).toEqual({ state: 'running', attempt: 1 });
  });

  it('ERROR: retried after 30 s, then 60 s, away from the machine it failed on; the third ERROR ends it', () => {
    expect(slotState(attempts(['ERROR'], ['m1']))).toEqual({ state: 'open', attempt: 2, notBefore: T0 + 30_000, avoidMachine: 'm1', why: 'retry' });
    expect(slotState(attempts(['ERROR', 'ERROR'], ['m1', 'm2']))).toEqual({ state: 'open', attempt: 3, notBefore: T0 + 60_000 + 60_000, avoidMachine: 'm2', why: 'retry' });
    expect(slotState(attempts(['ERROR', 'ERROR', 'ERROR']))).toEqual({ state: 'done', verdict: 'ERROR', flaky: false, reason: 'ERROR on each of 3 attempts' });
  });

  it('the backoff doubles and stops at its cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n))).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('FAIL is rerun once: FAIL+FAIL is a confirmed FAIL, FAIL+PASS is flaky', () => {
    expect(slotState(attempts(['FAIL']))).toEqual({ state: 'open', attempt: 2, notBefore: 0, avoidMachine: null, why: 'confirm' });
    expect(slotState(attempts(['FAIL', 'FAIL']))).toEqual({ state: 'done', verdict: 'FAIL', flaky: false, reason: null });
    expect(slotState(attempts(['FAIL', 'PASS']))).toEqual({ state: 'done', verdict: 'PASS', flaky: true, reason: null });
  });

  it('an ERROR on the confirming rerun is retried; out of retries the unconfirmed FAIL stands, said so', () => {
    expect(slotState(attempts(['FAIL', 'ERROR'], ['m1', 'm1']))).toMatchObject({ state: 'open', attempt: 3, why: 'retry', avoidMachine: 'm1' });
    expect(slotState(attempts(['FAIL', 'ERROR', 'ERROR', 'ERROR']))).toEqual({ state: 'done', verdict: 'FAIL', flaky: false, reason: 'the FAIL could not be confirmed: 3 attempts ended in ERROR' });
  });

  it('a build FAIL (step deploy) is final at once: a compile error does not come and go', () => {
    expect(slotState([{ ...attempts(['FAIL'])[0], failedStep: 'deploy' }])).toEqual({ state: 'done', verdict: 'FAIL', flaky: false, reason: null });
    expect(slotState([{ ...attempts(['FAIL'])[0], failedStep: 'boot' }])).toMatchObject({ state: 'open', why: 'confirm' });
  });

  it('without confirmation (A/B jobs) a FAIL is final at once', () => {
    expect(slotState(attempts(['FAIL']), { ...DEFAULT_RETRY_POLICY, confirmFail: false })).toEqual({ state: 'done', verdict: 'FAIL', flaky: false, reason: null });
  });

  it('PASS, DONE and CANCELED are final at once; attempts are read in attempt order whatever the input order', () => {
    expect(done(slotState(attempts(['PASS']))).verdict).toBe('PASS');
    expect(done(slotState(attempts(['DONE']))).verdict).toBe('DONE');
    expect(done(slotState(attempts(['CANCELED']))).verdict).toBe('CANCELED');
    expect(slotState(attempts(['ERROR', 'PASS']).reverse())).toEqual({ state: 'done', verdict: 'PASS', flaky: false, reason: null });
  });
});

describe('flakiness and pass rate', () => {
  it('a job is flaky when one slot was, or when its repeats disagree', () => {
    const pass = done(slotState(attempts(['PASS'])));
    const fail = done(slotState(attempts(['FAIL', 'FAIL'])));
    const flakySlot = done(slotState(attempts(['FAIL', 'PASS'])));
    expect(isFlaky([pass, pass])).toBe(false);
    expect(isFlaky([fail, fail])).toBe(false);
    expect(isFlaky([pass, fail])).toBe(true);
    expect(isFlaky([pass, flakySlot])).toBe(true);
  });

  it('the pass rate counts PASS and FAIL only', () => {
    expect(passRate(['PASS', 'FAIL', 'ERROR', 'PASS', null])).toBeCloseTo(2 / 3);
    expect(passRate(['ERROR', 'CANCELED'])).toBeNull();
  });
});

describe('decide: a retry avoids the machine it ERRORed on when another matches', () => {
  it('goes to the other free machine, whatever the names', () => {
    const machines = [machine('a-01', 'x86_64'), machine('z-02', 'x86_64')];
    expect(decide({ now: NOW, machines, runs: [run('r1', 'x86_64', { avoidMachine: 'a-01' })] }).assignments.map((a) => a.machine)).toEqual(['z-02']);
    expect(decide({ now: NOW, machines, runs: [run('r1', 'x86_64', { avoidMachine: 'z-02' })] }).assignments.map((a) => a.machine)).toEqual(['a-01']);
  });

  it('waits for the other machine while it is in use rather than going back', () => {
    const machines = [machine('a-01', 'x86_64'), machine('z-02', 'x86_64', { leasedBy: 'bob' })];
    const d = decide({ now: NOW, machines, runs: [run('r1', 'x86_64', { avoidMachine: 'a-01' })] });
    expect(d.assignments).toEqual([]);
    expect(d.waiting.map((w) => w.runId)).toEqual(['r1']);
  });

  it('takes the same machine when it is the only one in service', () => {
    const machines = [machine('a-01', 'x86_64'), machine('z-02', 'x86_64', { health: 'bad' })];
    expect(decide({ now: NOW, machines, runs: [run('r1', 'x86_64', { avoidMachine: 'a-01' })] }).assignments.map((a) => a.machine)).toEqual(['a-01']);
  });
});
