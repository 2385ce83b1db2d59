import { analyzeLog } from '@pfnlab/console';
import { X86_64_CASES } from './reports-x86_64';
import { klog, plain } from './support';

const warning = X86_64_CASES.find((c) => c.title === 'WARNING in __alloc_pages')!;
const nullDeref = X86_64_CASES.find((c) => c.title.includes('NULL pointer dereference'))!;
const hung = X86_64_CASES.find((c) => c.title === 'INFO: task hung in online_memory_block')!;

const NOISE = klog(
  1.0,
  `
  virtio_net virtio0 enp0s2: renamed from eth0
  EXT4-fs (vda1): re-mounted. Quota mode: none.
  systemd[1]: Started session-3.scope - Session 3 of User root.
  `,
);

describe('several crashes in one log', () => {
  const log = NOISE + warning.log + NOISE + nullDeref.log + NOISE + hung.log + NOISE;
  const result = analyzeLog(log);

  it('reports each, in log order, with their own line ranges', () => {
    expect(result.crashes.map((c) => c.title)).toEqual([warning.title, nullDeref.title, hung.title]);
    const lines = log.split('\n');
    expect(lines[result.crashes[0].startLine - 1]).toContain('------------[ cut here ]------------');
    expect(lines[result.crashes[1].startLine - 1]).toContain(result.crashes[1].header);
    expect(result.crashes[0].startLine).toBe(4);
    expect(result.crashes[1].startLine).toBeGreaterThan(result.crashes[0].endLine);
    expect(result.crashes[2].startLine).toBeGreaterThan(result.crashes[1].endLine);
    expect(lines[result.crashes[2].startLine - 1]).toContain('INFO: task kworker/u4:1:45 blocked');
  });

  it('leaves the ordinary lines after a report out of it', () => {
    expect(result.crashes[0].report).not.toContain('virtio_net');
    expect(result.crashes[2].report).not.toContain('systemd[1]');
  });
});

describe('repeats and duplicates', () => {
  it('counts an identical splat printed again later as one crash', () => {
    const again = klog(500.0, warning.log.replace(/^\[[^\]]+\] /gm, ''));
    const result = analyzeLog(warning.log + NOISE + again + NOISE + klog(600.0, warning.log.replace(/^\[[^\]]+\] /gm, '')));
    expect(result.crashes).toHaveLength(1);
    expect(result.crashes[0].count).toBe(3);
    expect(result.crashes[0].startLine).toBe(1);
  });

  it('does not count the same splat echoed by a second console', () => {
    const result = analyzeLog(warning.log + warning.log);
    expect(result.crashes).toHaveLength(1);
    expect(result.crashes[0].count).toBe(1);
  });

  it('keeps one copy of each line when two consoles interleave line by line', () => {
    const doubled = warning.log
      .trimEnd()
      .split('\n')
      .flatMap((l) => [l, l])
      .join('\n');
    const result = analyzeLog(doubled + '\n');
    expect(result.crashes.map((c) => [c.title, c.count])).toEqual([[warning.title, 1]]);
    const report = result.crashes[0].report.split('\n');
    expect(new Set(report).size).toBe(report.length);
    expect(report).toHaveLength(warning.log.trimEnd().split('\n').length);
  });
});

describe('not kernel crashes', () => {
  it('ignores user space and firmware lines that merely contain WARNING or BUG', () => {
    const log =
      plain(`
      WARNING: BL31: cortex_a57: CPU workaround for 833471 was missing!
      Press ESC for boot menu.
      `) +
      klog(
        3.0,
        `
        systemd[1]: WARNING: unit configures an IP firewall but the local system does not support BPF/cgroup firewalling.
        audit: type=1400 audit(1700000000.123:2): apparmor="DENIED" operation="open" name="/proc/BUG"
        ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0.S08], AE_NOT_FOUND (20220331/dswload2-162)
        EXT4-fs warning (device vda1): ext4_dirblock_csum_verify:405: inode #2: comm ls: No space for directory leaf checksum.
        `,
      ) +
      plain(`
      WARNING: /etc/ssh/moduli does not exist, using fixed modulus
      BUG: hmm-tests: test 12 failed (expected 0, got -14)
      root@lab:~# grep -c "Kernel panic" /var/log/kern.log
      0
      `);
    const result = analyzeLog(log);
    expect(result.crashes).toEqual([]);
  });

  it('keeps a generic "BUG:" line when a kernel dump follows it', () => {
    const log = klog(
      9.0,
      `
      BUG: Dentry 00000000a6b8d8f1{i=3f,n=memory12}  still in use (1) [unmount of sysfs sysfs]
      ------------[ cut here ]------------
      CPU: 1 PID: 600 Comm: umount Not tainted 6.1.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x44/0x5c
       umount_check.cold+0x1c/0x2c
       d_walk+0xe1/0x2a0
       </TASK>
      `,
    );
    const [crash] = analyzeLog(log).crashes;
    expect(crash.title).toBe('BUG: Dentry ADDR{i=3f,n=memory12} still in use (NUM) [unmount of sysfs sysfs]');
    expect(crash.frame).toBe('umount_check');
    expect(crash.type).toBe('BUG');
  });
});

describe('mail damage', () => {
  it('re-joins a title split over two lines by a mailer', () => {
    const lines = warning.log.split('\n');
    const at = lines.findIndex((l) => l.includes('WARNING: CPU'));
    const wrapped = [...lines];
    const cut = lines[at].indexOf('__alloc_pages');
    wrapped.splice(at, 1, lines[at].slice(0, cut), lines[at].slice(cut));
    expect(wrapped[at].endsWith('4567 ')).toBe(true);
    const [crash] = analyzeLog(wrapped.join('\n')).crashes;
    expect(crash.title).toBe('WARNING in __alloc_pages');
    expect(crash.header).toBe('WARNING: CPU: 1 PID: 4321 at mm/page_alloc.c:4567 __alloc_pages+0x3a5/0x460');
  });

  it('reads timestamps and frames whose brackets became ¢ and !', () => {
    const mangled = nullDeref.log.replace(/\[/g, '¢').replace(/\]/g, '!');
    const result = analyzeLog(mangled);
    expect(result.crashes.map((c) => [c.title, c.frame])).toEqual([[nullDeref.title, nullDeref.frame]]);
    expect(result.crashes[0].time).toBeCloseTo(10.1, 6);
  });

  it('does not join lines when the next one has its own timestamp', () => {
    const log = klog(5.0, 'some driver: message ending with a space \nWARNING: CPU: 0 PID: 1 at mm/x.c:1 foo+0x1/0x2');
    const [crash] = analyzeLog(log).crashes;
    expect(crash.startLine).toBe(2);
    expect(crash.title).toBe('WARNING in foo');
  });
});

describe('logs that start in the middle of a report', () => {
  it('reports the lost-header crash as corrupted, not as a guess', () => {
    const tail = nullDeref.log.split('\n').slice(6).join('\n');
    const [crash] = analyzeLog(tail).crashes;
    expect(crash.title).toBe('unknown crash in corrupted');
    expect(crash.type).toBe('UNKNOWN');
    expect(crash.corrupted).toBe(true);
    expect(crash.frame).toBeNull();
    expect(crash.startLine).toBe(1);
  });

  it('calls a lone "Fatal exception" panic corrupted', () => {
    const [crash] = analyzeLog(
      klog(
        7.0,
        `
        Kernel panic - not syncing: Fatal exception
        Kernel Offset: disabled
        ---[ end Kernel panic - not syncing: Fatal exception ]---
        `,
      ),
    ).crashes;
    expect(crash.title).toBe('kernel panic: Fatal exception in corrupted');
    expect(crash.corrupted).toBe(true);
    expect(crash.type).toBe('PANIC');
    expect(crash.endLine).toBe(3);
  });

  it('starts cleanly when the first line is cut in the middle', () => {
    const log = 'ded (1) [unmount of tmpfs tmpfs]\n' + NOISE + warning.log;
    expect(analyzeLog(log).crashes.map((c) => c.title)).toEqual([warning.title]);
  });
});

describe('interleaved CPUs with printk caller ids', () => {
  const a = klog(
    50.0,
    `
    ------------[ cut here ]------------
    WARNING: CPU: 0 PID: 100 at mm/migrate.c:300 migrate_folio_extra+0x1f/0x80
    Modules linked in:
    CPU: 0 PID: 100 Comm: migrate Not tainted 6.1.0 #1
    RIP: 0010:migrate_folio_extra+0x1f/0x80
    Call Trace:
     <TASK>
     move_to_new_folio+0x5a/0x1a0
     </TASK>
    ---[ end trace 0000000000000000 ]---
    `,
    'T100',
  ).split('\n');
  const b = klog(
    50.0000065,
    `
    BUG: kernel NULL pointer dereference, address: 0000000000000010
    #PF: supervisor read access in kernel mode
    Oops: 0000 [#2] PREEMPT SMP NOPTI
    CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0 #1
    RIP: 0010:free_pcppages_bulk+0x4c/0x2a0
    Call Trace:
     <IRQ>
     drain_pages_zone+0x41/0x60
     </IRQ>
    `,
    'C1',
  ).split('\n');
  const mixed: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) mixed.push(a[i]);
    if (b[i]) mixed.push(b[i]);
  }
  const result = analyzeLog(mixed.join('\n') + '\n');

  it('collects each report from its own caller', () => {
    expect(result.crashes.map((c) => [c.title, c.frame])).toEqual([
      ['WARNING in migrate_folio_extra', 'migrate_folio_extra'],
      ['BUG: unable to handle kernel NULL pointer dereference in free_pcppages_bulk', 'free_pcppages_bulk'],
    ]);
  });

  it('leaves the other CPU\'s lines out of each report', () => {
    expect(result.crashes[0].report).not.toContain('[     C1]');
    expect(result.crashes[1].report).not.toContain('[   T100]');
    expect(result.crashes[0].report.split('\n')).toHaveLength(a.filter(Boolean).length);
  });
});

describe('consoles without timestamps, with CRLF and colours', () => {
  it('finds the crash in a plain CRLF serial capture with ANSI colours', () => {
    const text = plain(`
      \x1b[0;32m[  OK  ]\x1b[0m Reached target Multi-User System.
      ------------[ cut here ]------------
      \x1b[1;31mkernel BUG at mm/memory_hotplug.c:1998!\x1b[0m
      invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
      CPU: 1 PID: 500 Comm: sh Not tainted 6.1.0 #1
      RIP: 0010:try_remove_memory+0x164/0x170
      Call Trace:
       <TASK>
       __remove_memory+0x28/0x40
       </TASK>
      ---[ end trace 0000000000000000 ]---
    `).replace(/\n/g, '\r\n');
    const result = analyzeLog(text);
    expect(result.crashes.map((c) => [c.title, c.startLine, c.endLine])).toEqual([
      ['kernel BUG in try_remove_memory', 2, 11],
    ]);
    expect(result.crashes[0].header).toBe('kernel BUG at mm/memory_hotplug.c:1998!');
    expect(result.arch).toBe('x86_64');
  });
});
