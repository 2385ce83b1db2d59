import { analyzeLog } from '@pfnlab/console';
import { klog } from './support';

/** Bounds that keep memory flat however pathological the log. */
describe('limits', () => {
  it('keeps at most 1,000 distinct crashes, in log order', () => {
    let log = '';
    for (let i = 0; i < 1200; i++) {
      log += klog(i, `WARNING: CPU: 0 PID: 1 at mm/x.c:1 fn${i}+0x1/0x2\n---[ end trace 0000000000000000 ]---\nplain line ${i}`);
    }
    const r = analyzeLog(log);
    expect(r.crashes).toHaveLength(1000);
    expect(r.crashes[0].title).toBe('WARNING in fn0');
    expect(r.crashes[999].title).toBe('WARNING in fn999');
    expect(r.crashes[999].startLine).toBe(999 * 3 + 1);
  });

  it('cuts a huge report\'s text but keeps its line range', () => {
    const frames = Array.from({ length: 990 }, (_, i) => ` frame_${i}+0x1/0x2 ${'x'.repeat(80)}`).join('\n');
    const r = analyzeLog(klog(1, `WARNING: CPU: 0 PID: 1 at mm/x.c:1 big+0x1/0x2\nCall Trace:\n${frames}\n---[ end trace 0 ]---`));
    expect(r.crashes[0].title).toBe('WARNING in big');
    expect(r.crashes[0].report.length).toBeLessThan(64 * 1024 + 100);
    expect(r.crashes[0].report.endsWith('[... report cut at 65536 characters]')).toBe(true);
    expect(r.crashes[0].endLine).toBe(993);
  });

  it('ends a report at 1,000 lines', () => {
    const frames = Array.from({ length: 1500 }, (_, i) => ` frame_${i}+0x1/0x2`).join('\n');
    const r = analyzeLog(klog(1, `WARNING: CPU: 0 PID: 1 at mm/x.c:1 long+0x1/0x2\nCall Trace:\n${frames}`));
    expect(r.crashes.map((c) => [c.title, c.startLine, c.endLine])).toEqual([['WARNING in long', 1, 1000]]);
  });
});
