import * as fs from 'fs';
import * as path from 'path';
import { analyzeLog, ConsoleAnalyzer, type ConsoleEvent } from '@pfnlab/console';
import { X86_64_CASES } from './reports-x86_64';
import { klog, LKML_FIXTURES } from './support';

const warning = X86_64_CASES.find((c) => c.title === 'WARNING in __alloc_pages')!;
const bug = X86_64_CASES.find((c) => c.title === 'kernel BUG in __split_huge_pmd_locked')!;

function summary(r: ReturnType<typeof analyzeLog>) {
  return {
    arch: r.arch,
    lines: r.lines,
    milestones: r.milestones.map((m) => [m.name, m.line]),
    crashes: r.crashes.map((c) => [c.title, c.startLine, c.endLine, c.count, c.report]),
  };
}

describe('ConsoleAnalyzer', () => {
  const whole = Buffer.concat([
    Buffer.from('[    0.000000] Linux version 6.1.0 (b@l) #1\n'),
    Buffer.from(warning.log),
    Buffer.from(klog(210, 'µ-noise: ünïcode line\n')),
    fs.readFileSync(path.join(LKML_FIXTURES, 's390-thp-oops-1.log')),
    Buffer.from(bug.log),
  ]);

  it('gives the same answer fed byte by byte as in one piece', () => {
    const one = analyzeLog(whole);
    const a = new ConsoleAnalyzer();
    for (let i = 0; i < whole.length; i++) a.push(whole.subarray(i, i + 1));
    expect(summary(a.end())).toEqual(summary(one));
    expect(one.crashes.map((c) => c.title)).toEqual([
      warning.title,
      'BUG: unable to handle kernel pointer dereference in __rb_erase_color',
      bug.title,
    ]);
  });

  it('gives the same answer with every line decoded (emitLines) as with the fast path', () => {
    const seqs: number[] = [];
    const slow = analyzeLog(whole, {
      emitLines: true,
      onEvent: (e) => {
        if (e.type === 'line') for (let s = e.line.seq; s <= e.line.endSeq; s++) seqs.push(s);
      },
    });
    expect(summary(slow)).toEqual(summary(analyzeLog(whole)));
    // Every physical line once, in order; mail-wrapped ones inside their joined line.
    expect(seqs).toEqual(Array.from({ length: slow.lines }, (_, i) => i + 1));
  });

  it('emits crash-start as soon as the header arrives, and the crash when the report ends', () => {
    const events: ConsoleEvent[] = [];
    const a = new ConsoleAnalyzer({ onEvent: (e) => events.push(e) });
    const lines = bug.log.split('\n');
    a.push(lines.slice(0, 3).join('\n') + '\n', 100);
    expect(events.map((e) => e.type)).toEqual(['crash-start']);
    const start = events[0] as Extract<ConsoleEvent, { type: 'crash-start' }>;
    expect([start.kind, start.crashType, start.line.seq]).toEqual(['kernel-bug', 'BUG', 2]);
    a.push(lines.slice(3).join('\n'), 200);
    const crash = events.find((e) => e.type === 'crash') as Extract<ConsoleEvent, { type: 'crash' }>;
    expect(crash.crash.title).toBe(bug.title);
    expect(crash.crash.arrival).toBe(100);
  });

  it('emits crash-start again for the panic line that ends the crash (FAIL at once)', () => {
    const starts: Array<[string, string, number]> = [];
    analyzeLog(bug.log, {
      onEvent: (e) => e.type === 'crash-start' && starts.push([e.kind, e.crashType, e.line.seq]),
    });
    const panicLine = bug.log.split('\n').findIndex((l) => l.includes('Kernel panic - not syncing')) + 1;
    expect(starts).toEqual([
      ['kernel-bug', 'BUG', 2],
      ['panic-consequence', 'PANIC', panicLine],
    ]);
  });

  it('reports a repeat with the new count', () => {
    const events: ConsoleEvent[] = [];
    const again = klog(900, warning.log.replace(/^\[[^\]]+\] /gm, ''));
    analyzeLog(warning.log + again, { onEvent: (e) => events.push(e) });
    const repeat = events.find((e) => e.type === 'crash-repeat') as Extract<ConsoleEvent, { type: 'crash-repeat' }>;
    expect([repeat.crash.title, repeat.crash.count]).toEqual([warning.title, 2]);
  });

  it('tick() closes a report that went silent (kernel hung after the splat)', () => {
    const events: ConsoleEvent[] = [];
    const a = new ConsoleAnalyzer({ onEvent: (e) => events.push(e) });
    a.push(klog(5, 'BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:9]\nCPU: 0 PID: 9 Comm: kworker/0:1 Not tainted 6.1.0 #1\nRIP: 0010:spin_forever+0x3/0x10\n'), 1_000);
    a.tick(5_000, 10_000);
    expect(events.some((e) => e.type === 'crash')).toBe(false);
    a.tick(11_000, 10_000);
    const crash = events.find((e) => e.type === 'crash') as Extract<ConsoleEvent, { type: 'crash' }>;
    expect([crash.crash.title, crash.crash.endLine]).toEqual(['BUG: soft lockup in spin_forever', 3]);
  });

  it('emits the arch once it is known', () => {
    const events: ConsoleEvent[] = [];
    analyzeLog(klog(1, 'x86/fpu: Supporting XSAVE feature 0x001\nBIOS-e820: [mem 0x0-0x9fbff] usable\n'), {
      onEvent: (e) => events.push(e),
    });
    expect(events.filter((e) => e.type === 'arch')).toEqual([{ type: 'arch', arch: 'x86_64' }]);
  });

  it('accepts strings as well as bytes and refuses input after end()', () => {
    const a = new ConsoleAnalyzer();
    a.push(warning.log);
    expect(a.end().crashes.map((c) => c.title)).toEqual([warning.title]);
    expect(() => a.push('more')).toThrow('push() after end()');
  });
});
