import { classifyRun, classifyStep, parseCriterion, type ClassifyContext, type RunOutcome } from '@pfnlab/bisect';
import { crash, labError, noBoot, pass, TITLE } from './lab';

const BOOT = parseCriterion('boot');
const CRASH = parseCriterion(`crash:"${TITLE}"`);
const ONE: ClassifyContext = { requiredPasses: 1, minRuns: 1, maxRuns: 10 };
const built = { status: 'PASS' as const };

describe('classifyRun: one run against the criterion', () => {
  it('boot: a FAIL before user space is bad; one after it booted is a pass', () => {
    expect(classifyRun(BOOT, noBoot('no output for 120 s after the handover'))).toEqual({ kind: 'bad', reason: 'did not boot: no output for 120 s after the handover' });
    expect(classifyRun(BOOT, pass())).toEqual({ kind: 'pass', reason: 'booted' });
    expect(classifyRun(BOOT, { verdict: 'DONE' })).toEqual({ kind: 'pass', reason: 'booted' });
    // The agent's "booted, but the kernel reported: WARNING ..." is FAIL in the boot step, after user space.
    const warned: RunOutcome = { verdict: 'FAIL', failedStep: 'boot', reachedUserspace: true, reason: 'booted, but the kernel reported: WARNING in foo' };
    expect(classifyRun(BOOT, warned)).toEqual({ kind: 'pass', reason: 'booted, then failed: booted, but the kernel reported: WARNING in foo' });
    expect(classifyRun(BOOT, { verdict: 'FAIL', failedStep: 'test', reason: 'hotplug payload failed' }).kind).toBe('pass');
    // Without the milestone, a FAIL in the boot step (or without a step) is a failed boot.
    expect(classifyRun(BOOT, { verdict: 'FAIL', failedStep: 'boot' })).toEqual({ kind: 'bad', reason: 'did not boot: FAIL' });
    expect(classifyRun(BOOT, { verdict: 'FAIL' }).kind).toBe('bad');
    expect(classifyRun(BOOT, { verdict: 'FAIL', failedStep: 'deploy', reason: 'no kernel image' })).toEqual({
      kind: 'other',
      reason: 'failed in the deploy step before the kernel ran: no kernel image',
    });
  });

  it('ERROR and CANCELED are the lab, not evidence', () => {
    expect(classifyRun(BOOT, labError())).toEqual({ kind: 'lab-error', reason: 'ERROR: no output at all, not even firmware' });
    expect(classifyRun(CRASH, { verdict: 'CANCELED' })).toEqual({ kind: 'lab-error', reason: 'CANCELED' });
  });

  it('crash: the exact title is bad, whatever the verdict; another title is other', () => {
    expect(classifyRun(CRASH, crash())).toEqual({ kind: 'bad', reason: `crashed with "${TITLE}"` });
    expect(classifyRun(CRASH, { verdict: 'ERROR', crashTitles: [TITLE], reason: 'console lost' }).kind).toBe('bad');
    expect(classifyRun(CRASH, { verdict: 'FAIL', crashTitles: ['WARNING in x', `  ${TITLE.replace(/ /g, '  ')} `] }).kind).toBe('bad');
    expect(classifyRun(CRASH, crash('WARNING in free_zone_device_folio'))).toEqual({ kind: 'other', reason: 'crashed with another title: "WARNING in free_zone_device_folio"' });
    // Prefixes and near misses are other titles: titles with the same text are the same bug, and only those.
    expect(classifyRun(CRASH, crash(TITLE + '_range')).kind).toBe('other');
    expect(classifyRun(CRASH, crash(TITLE.toLowerCase())).kind).toBe('other');
    expect(classifyRun(CRASH, pass())).toEqual({ kind: 'pass', reason: 'ran without the crash' });
    expect(classifyRun(CRASH, noBoot('silence after the handover'))).toEqual({ kind: 'other', reason: 'did not boot, without the crash: silence after the handover' });
    expect(classifyRun(CRASH, { verdict: 'FAIL', failedStep: 'test', reachedUserspace: true, reason: 'payload failed' })).toEqual({
      kind: 'other',
      reason: 'failed in the test step without the crash: payload failed',
    });
  });
});

describe('classifyStep: boot and crash', () => {
  it('does not build: skip, with the build title; a build ERROR too', () => {
    expect(classifyStep(BOOT, { build: { status: 'FAIL', title: 'mm/sparse.c:812: error: implicit declaration' }, runs: [] }, ONE)).toEqual({
      verdict: 'skip',
      reason: 'does not build: mm/sparse.c:812: error: implicit declaration',
      moreRuns: 0,
      counts: { bad: 0, pass: 0, other: 0, labError: 0 },
    });
    expect(classifyStep(CRASH, { build: { status: 'ERROR', title: 'CONFIG_MEMORY_HOTPLUG was dropped' }, runs: [] }, ONE).reason).toBe(
      'the build failed in the lab (ERROR): CONFIG_MEMORY_HOTPLUG was dropped',
    );
  });

  it('asks for the runs a good verdict needs before the first run', () => {
    expect(classifyStep(CRASH, { runs: [] }, ONE)).toMatchObject({ verdict: 'undecided', reason: 'not tested yet', moreRuns: 1 });
    expect(classifyStep(CRASH, { build: built, runs: [] }, { requiredPasses: 4, minRuns: 1, maxRuns: 10 }).moreRuns).toBe(4);
    expect(classifyStep(CRASH, { runs: [] }, { requiredPasses: 1, minRuns: 3, maxRuns: 10 }).moreRuns).toBe(3);
    expect(classifyStep(CRASH, { runs: [] }, { requiredPasses: 12, minRuns: 1, maxRuns: 10 }).moreRuns).toBe(10);
  });

  it('deterministic: one run decides', () => {
    expect(classifyStep(CRASH, { build: built, runs: [crash()] }, ONE)).toEqual({
      verdict: 'bad',
      reason: `crashed with "${TITLE}"`,
      moreRuns: 0,
      counts: { bad: 1, pass: 0, other: 0, labError: 0 },
    });
    expect(classifyStep(CRASH, { build: built, runs: [pass()] }, ONE)).toMatchObject({ verdict: 'good', reason: 'no crash with the title: 1 run' });
    expect(classifyStep(BOOT, { build: built, runs: [pass(), pass()] }, ONE)).toMatchObject({ verdict: 'good', reason: 'booted: all 2 runs' });
  });

  it('flaky: a crash among passes is bad, with the tally; passes alone wait for enough of them', () => {
    const ctx = { requiredPasses: 3, minRuns: 1, maxRuns: 10 };
    expect(classifyStep(CRASH, { runs: [pass(), crash(), pass()] }, ctx)).toMatchObject({ verdict: 'bad', reason: `crashed with "${TITLE}" (in 1 of 3 runs)` });
    expect(classifyStep(CRASH, { runs: [pass()] }, ctx)).toMatchObject({
      verdict: 'undecided',
      reason: '1 of the 3 passes needed to call it good',
      moreRuns: 2,
    });
    expect(classifyStep(CRASH, { runs: [pass(), pass(), pass()] }, ctx)).toMatchObject({ verdict: 'good', reason: 'no crash with the title: all 3 runs' });
    expect(classifyStep(CRASH, { runs: [crash(), crash()] }, ctx).reason).toBe(`crashed with "${TITLE}" (all 2 runs)`);
  });

  it('waits for minRuns before any verdict (the endpoint check), unless maxRuns is reached', () => {
    const ctx = { requiredPasses: 10, minRuns: 3, maxRuns: 10, batchRuns: 3 };
    expect(classifyStep(CRASH, { runs: [] }, ctx)).toMatchObject({ verdict: 'undecided', reason: 'not tested yet', moreRuns: 3 });
    expect(classifyStep(CRASH, { runs: [crash()] }, ctx)).toMatchObject({ verdict: 'undecided', reason: '1 run of the 3 asked for', moreRuns: 2 });
    // Three passes on the bad endpoint: not good yet, three more at a time up to maxRuns.
    expect(classifyStep(CRASH, { runs: [pass(), pass(), pass()] }, ctx)).toMatchObject({ verdict: 'undecided', moreRuns: 3 });
    expect(classifyStep(CRASH, { runs: Array.from({ length: 9 }, () => pass()) }, ctx)).toMatchObject({ verdict: 'undecided', moreRuns: 1 });
    expect(classifyStep(CRASH, { runs: Array.from({ length: 10 }, () => pass()) }, ctx)).toMatchObject({ verdict: 'good', reason: 'no crash with the title: all 10 runs' });
    expect(classifyStep(CRASH, { runs: [crash(), pass(), crash()] }, ctx)).toMatchObject({ verdict: 'bad', reason: `crashed with "${TITLE}" (in 2 of 3 runs)` });
    expect(classifyStep(CRASH, { runs: [crash()] }, { requiredPasses: 10, minRuns: 3, maxRuns: 1 }).verdict).toBe('bad');
  });

  it('fails for another reason: skip; mixed with passes: more runs', () => {
    expect(classifyStep(CRASH, { runs: [crash('WARNING in free_zone_device_folio')] }, ONE)).toMatchObject({
      verdict: 'skip',
      reason: 'fails for another reason: crashed with another title: "WARNING in free_zone_device_folio"',
    });
    // A boot failure is not the crash sought: the bug may sit behind it.
    expect(classifyStep(CRASH, { runs: [noBoot()] }, ONE).verdict).toBe('skip');
    expect(classifyStep(CRASH, { runs: [crash('WARNING in x'), pass()] }, { requiredPasses: 3, minRuns: 1, maxRuns: 10 })).toMatchObject({ verdict: 'undecided', moreRuns: 2 });
  });

  it('lab errors: no evidence; all of them: skip; they still count toward maxRuns', () => {
    expect(classifyStep(BOOT, { runs: [labError(), labError()] }, ONE)).toMatchObject({
      verdict: 'skip',
      reason: 'the lab failed every run (2 runs): ERROR: no output at all, not even firmware',
      counts: { bad: 0, pass: 0, other: 0, labError: 2 },
    });
    expect(classifyStep(BOOT, { runs: [labError(), pass()] }, ONE).verdict).toBe('good');
    expect(classifyStep(BOOT, { runs: [labError(), noBoot()] }, ONE).verdict).toBe('bad');
    const capped = classifyStep(CRASH, { runs: [labError(), labError(), pass()] }, { requiredPasses: 3, minRuns: 1, maxRuns: 3 });
    expect(capped).toMatchObject({ verdict: 'skip', reason: 'undecided after 3 runs: 1 passed of the 3 needed, 0 failed otherwise, 2 lab errors' });
  });
});
