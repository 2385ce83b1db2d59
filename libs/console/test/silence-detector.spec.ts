import { ConsoleAnalyzer, SilenceDetector, type Milestone } from '@pfnlab/console';

const T0 = 1_700_000_000_000;
const windows = { noOutputMs: 60_000, afterHandoverMs: 30_000, stoppedMs: 120_000 };

function milestone(name: Milestone['name'], arrival: number): Milestone {
  return { name, arrival, line: 1, time: null, boot: 1, text: '' };
}

describe('SilenceDetector', () => {
  it('says nothing before the windows are over', () => {
    const s = new SilenceDetector(T0, windows);
    expect(s.check(T0 + 59_999)).toBeNull();
  });

  it('calls no output at all the lab\'s fault (ERROR)', () => {
    const s = new SilenceDetector(T0, windows);
    expect(s.check(T0 + 60_000)).toEqual({
      kind: 'no-output',
      verdict: 'ERROR',
      silentMs: 60_000,
      lastOutputAt: null,
      message: 'no output at all for 60 s',
    });
  });

  it('calls silence after the bootloader handed over the kernel\'s fault (FAIL)', () => {
    const s = new SilenceDetector(T0, windows);
    s.observeOutput(T0 + 1_000);
    s.observeMilestone(milestone('firmware', T0 + 1_000));
    s.observeOutput(T0 + 5_000);
    s.observeMilestone(milestone('kernel-handover', T0 + 5_000));
    expect(s.check(T0 + 34_999)).toBeNull();
    expect(s.check(T0 + 35_000)).toMatchObject({
      kind: 'no-output-after-handover',
      verdict: 'FAIL',
      silentMs: 30_000,
      lastOutputAt: T0 + 5_000,
      message: 'no output from the kernel 30 s after the handover',
    });
  });

  it('calls output that stopped during boot a kernel hang (FAIL)', () => {
    const s = new SilenceDetector(T0, windows);
    s.observeOutput(T0 + 2_000);
    s.observeMilestone(milestone('linux-version', T0 + 2_000));
    s.observeOutput(T0 + 9_000);
    expect(s.check(T0 + 129_000)).toEqual({
      kind: 'output-stopped',
      verdict: 'FAIL',
      silentMs: 120_000,
      lastOutputAt: T0 + 9_000,
      message: 'output stopped 120 s after the last line',
    });
  });

  it('blames the lab when only firmware spoke and then stopped (ERROR)', () => {
    const s = new SilenceDetector(T0, windows);
    s.observeOutput(T0 + 1_000);
    s.observeMilestone(milestone('firmware', T0 + 1_000));
    expect(s.check(T0 + 121_000)).toMatchObject({ kind: 'output-stopped', verdict: 'ERROR' });
  });

  it('has no verdict for quiet after user space came up', () => {
    const s = new SilenceDetector(T0, windows);
    s.observeMilestone(milestone('linux-version', T0 + 1_000));
    s.observeMilestone(milestone('userspace-ready', T0 + 20_000));
    s.observeOutput(T0 + 20_000);
    expect(s.check(T0 + 140_000)).toMatchObject({ kind: 'output-stopped', verdict: null, silentMs: 120_000 });
  });

  it('forgets the last boot when firmware speaks again (a reboot)', () => {
    const s = new SilenceDetector(T0, windows);
    s.observeMilestone(milestone('userspace-ready', T0 + 20_000));
    s.observeMilestone(milestone('firmware', T0 + 60_000));
    s.observeMilestone(milestone('kernel-handover', T0 + 61_000));
    s.observeOutput(T0 + 61_000);
    expect(s.check(T0 + 91_000)).toMatchObject({ kind: 'no-output-after-handover', verdict: 'FAIL' });
  });

  it('is fed straight from ConsoleAnalyzer events', () => {
    const s = new SilenceDetector(T0, windows);
    const a = new ConsoleAnalyzer({ emitLines: true, onEvent: (e) => s.observe(e) });
    a.push('EFI stub: Booting Linux Kernel...\n', T0 + 3_000);
    expect(s.check(T0 + 33_000)).toMatchObject({ kind: 'no-output-after-handover', verdict: 'FAIL' });
    a.push('[    0.000000] Linux version 6.1.0 (b@l) #1\n', T0 + 33_500);
    expect(s.check(T0 + 34_000)).toBeNull();
  });
});
