import { analyzeLog } from '@pfnlab/console';

/** Formats of 3.x/4.x kernels, still seen in mailing-list reports and old labs. */
const brief = (log: string) =>
  analyzeLog(log).crashes.map((c) => ({ title: c.title, frame: c.frame, type: c.type, lines: [c.startLine, c.endLine], arch: c.arch }));

describe('older kernel output formats', () => {
  it('4.x WARNING with "()" after the function and [<addr>] traces', () => {
    expect(
      brief(`[    2.123456] ------------[ cut here ]------------
[    2.123457] WARNING: CPU: 0 PID: 1 at mm/vmalloc.c:1234 __vunmap+0x12/0x34()
[    2.123458] Modules linked in:
[    2.123459] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 4.4.0 #1
[    2.123460]  0000000000000000 ffff88003e0bbd08 ffffffff813f4b2a 0000000000000000
[    2.123461] Call Trace:
[    2.123462]  [<ffffffff813f4b2a>] dump_stack+0x63/0x89
[    2.123463]  [<ffffffff8108a4d1>] warn_slowpath_common+0x81/0xc0
[    2.123464]  [<ffffffff8108a5ba>] warn_slowpath_null+0x1a/0x20
[    2.123465]  [<ffffffff811c4d22>] __vunmap+0x12/0x34
[    2.123466]  [<ffffffff811c4e01>] vfree+0x41/0x80
[    2.123467] ---[ end trace 1a2b3c4d5e6f7a8b ]---
[    2.200000] random: fast init done
`),
    ).toEqual([{ title: 'WARNING in __vunmap', frame: '__vunmap', type: 'WARNING', lines: [1, 12], arch: 'x86_64' }]);
  });

  it('3.x paging request with "IP:" before the Oops line', () => {
    expect(
      brief(`[  100.000001] BUG: unable to handle kernel paging request at ffffea0001234567
[  100.000002] IP: [<ffffffff8117e2b4>] __rmqueue+0x54/0x3c0
[  100.000003] PGD 1a0c067 PUD 1a0d067 PMD 0
[  100.000004] Oops: 0000 [#1] SMP
[  100.000005] Modules linked in: ext4
[  100.000006] CPU: 3 PID: 1234 Comm: kswapd0 Not tainted 3.10.0 #1
[  100.000007] RIP: 0010:[<ffffffff8117e2b4>]  [<ffffffff8117e2b4>] __rmqueue+0x54/0x3c0
[  100.000008] Call Trace:
[  100.000009]  [<ffffffff8117f0a1>] get_page_from_freelist+0x351/0x8c0
[  100.000010] ---[ end trace 0123456789abcdef ]---
`),
    ).toEqual([
      { title: 'BUG: unable to handle kernel paging request in __rmqueue', frame: '__rmqueue', type: 'BUG', lines: [1, 10], arch: 'x86_64' },
    ]);
  });

  it('3.x RCU stall with <IRQ>/<EOI> markers inside trace lines', () => {
    expect(
      brief(`[ 1234.567890] INFO: rcu_sched self-detected stall on CPU { 1}  (t=60000 jiffies g=1234 c=1233 q=56)
[ 1234.567891] Task dump for CPU 1:
[ 1234.567892] memhog          R  running task        0  1234   1000 0x00000008
[ 1234.567894] Call Trace:
[ 1234.567895]  <IRQ>  [<ffffffff810b2f4c>] sched_show_task+0xcc/0x130
[ 1234.567896]  [<ffffffff810b5a6d>] dump_cpu_task+0x3d/0x50
[ 1234.567897]  [<ffffffff810e4b00>] rcu_dump_cpu_stacks+0x90/0xd0
[ 1234.567898]  <EOI>  [<ffffffff8117e2b4>] isolate_freepages_block+0x54/0x3c0
[ 1234.567899]  [<ffffffff8117f0a1>] compaction_alloc+0x351/0x8c0
`),
    ).toEqual([
      { title: 'INFO: rcu detected stall in isolate_freepages_block', frame: 'isolate_freepages_block', type: 'HANG', lines: [1, 9], arch: 'x86_64' },
    ]);
  });

  it('3.x hung task in an rwsem', () => {
    expect(
      brief(`[  363.456789] INFO: task khugepaged:43 blocked for more than 120 seconds.
[  363.456790]       Not tainted 3.10.0 #1
[  363.456791] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
[  363.456792] khugepaged      D ffff88003fc13680     0    43      2 0x00000000
[  363.456794] Call Trace:
[  363.456795]  [<ffffffff8160a6a9>] schedule+0x29/0x70
[  363.456796]  [<ffffffff8160b9f5>] rwsem_down_write_failed+0x115/0x220
[  363.456797]  [<ffffffff812e7e73>] call_rwsem_down_write_failed+0x13/0x20
[  363.456798]  [<ffffffff8160903d>] down_write+0x2d/0x30
[  363.456799]  [<ffffffff811a1234>] khugepaged_scan_mm_slot+0x44/0x300
`),
    ).toEqual([
      { title: 'INFO: task hung in khugepaged_scan_mm_slot', frame: 'khugepaged_scan_mm_slot', type: 'HANG', lines: [1, 10], arch: 'x86_64' },
    ]);
  });

  it('dmesg as the journal shows it (syslog prefix)', () => {
    expect(
      brief(`Nov 22 08:20:01 lab kernel: [  283.567945] ------------[ cut here ]------------
Nov 22 08:20:01 lab kernel: [  283.567947] WARNING: CPU: 12 PID: 878 at mm/memremap.c:436 free_zone_device_folio+0x6e/0x140
Nov 22 08:20:01 lab kernel: [  283.567959] Modules linked in:
Nov 22 08:20:01 lab kernel: [  283.567971] Krnl PSW : 0704d0018000 01ec0548b44a (free_zone_device_folio+0x72/0x140)
Nov 22 08:20:01 lab kernel: [  283.567972] ---[ end trace 0000000000000000 ]---
Nov 22 08:20:02 lab systemd[1]: Started session-3.scope.
`),
    ).toEqual([
      { title: 'WARNING in free_zone_device_folio', frame: 'free_zone_device_folio', type: 'WARNING', lines: [1, 5], arch: 's390x' },
    ]);
  });
});
