import { parseJobSpecText } from './parse-job-spec';
import { runSlots, specForVariant } from './paired-runs';

const spec = (extra: string) => {
  const r = parseJobSpecText(`kernel: {image: /boot/vmlinuz}\narch: x86_64\ntarget: {machine: x86-01}\nboot: {cmdline: [movablecore=256M, init_on_free=1]}\n${extra}`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};

describe('A/B jobs: run slots and variant specs', () => {
  it('a plain job has one candidate run per repeat', () => {
    expect(runSlots(spec('repeat: 2'))).toEqual([
      { variant: 'candidate', iteration: 0, round: 1 },
      { variant: 'candidate', iteration: 1, round: 1 },
    ]);
  });

  it('a cmdline baseline alternates baseline and candidate, and round 2 numbers on after round 1', () => {
    const s = spec('repeat: 4\nbaseline: {cmdline: [movablecore=256M]}');
    const order = runSlots(s, 2).map((x) => `${x.round}${x.variant[0]}${x.iteration}`);
    expect(order).toEqual(['1b0', '1c0', '1b1', '1c1', '1b2', '1c2', '1b3', '1c3', '2b4', '2c4', '2b5', '2c5', '2b6', '2c6', '2b7', '2c7']);
  });

  it('a job baseline runs only the candidate here', () => {
    const s = spec('repeat: 4\nbaseline: {job: 5b0e2a0c-7a43-4a0e-9b43-7a1d1e1f0a11}');
    expect(runSlots(s).map((x) => x.variant)).toEqual(['candidate', 'candidate', 'candidate', 'candidate']);
  });

  it('the baseline variant boots the baseline cmdline or build; the candidate the job as written', () => {
    const s = spec('repeat: 4\nbaseline: {cmdline: [movablecore=256M]}');
    expect(specForVariant(s, 'baseline').boot.cmdline).toEqual(['movablecore=256M']);
    expect(specForVariant(s, 'candidate').boot.cmdline).toEqual(['movablecore=256M', 'init_on_free=1']);
    const b = spec('repeat: 4\nbaseline: {build: 5b0e2a0c-7a43-4a0e-9b43-7a1d1e1f0a11}');
    expect(specForVariant(b, 'baseline').kernel).toEqual({ build: '5b0e2a0c-7a43-4a0e-9b43-7a1d1e1f0a11' });
    expect(specForVariant(b, 'candidate').kernel).toEqual({ image: '/boot/vmlinuz' });
  });

  it('a baseline with fewer than 4 runs per side is refused, saying why', () => {
    const r = parseJobSpecText('kernel: {image: /boot/vmlinuz}\narch: x86_64\ntarget: {machine: x86-01}\nrepeat: 3\nbaseline: {cmdline: []}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([expect.objectContaining({ path: 'repeat', message: 'a job with a baseline needs repeat: 4 or more (runs per side); with 3, no difference can reach p < 0.05' })]);
  });
});
