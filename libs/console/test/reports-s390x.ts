import { klog, type CrashCase } from './support';

const REGS = `
             R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:0 PM:0 RI:0 EA:3
  Krnl GPRS: 0000000000000000 0000037f00000000 0000000000000001 000000000000000c
             0000000000000000 0000000000000001 0000037fffb1fc08 0000000000000000
  Krnl Code: 0000000000a1b2b6: e31020080004	lg	%r1,8(%r2)
             0000000000a1b2bc: a7f40006		brc	15,0000000000a1b2c8
            #0000000000a1b2c0: af000000		mc	0,0
            >0000000000a1b2c4: e34010000004	lg	%r4,0(%r1)`;

/** s390x reports (LPAR and z/VM guests), after real 5.x/6.x console output. */
export const S390X_CASES: CrashCase[] = [
  {
    name: 'kernel pointer dereference with the panic after it',
    arch: 's390x',
    title: 'BUG: unable to handle kernel pointer dereference in memmap_init_zone_device',
    type: 'BUG',
    frame: 'memmap_init_zone_device',
    log: klog(
      5.1,
      `
      Unable to handle kernel pointer dereference in virtual kernel address space
      Failing address: 0000000000000000 TEID: 0000000000000483
      Fault in home space mode while using kernel ASCE.
      AS:0000000001b48007 R3:00000001fffd0007 S:00000001fffd7000 P:000000000000013d
      Oops: 0004 ilc:3 [#1] SMP
      Modules linked in:
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1
      Hardware name: IBM 8561 T01 701 (LPAR)
      Krnl PSW : 0704c00180000000 0000000000a1b2c4 (memmap_init_zone_device+0x94/0x1f8)
      ${REGS}
      Call Trace:
       [<0000000000a1b2c4>] memmap_init_zone_device+0x94/0x1f8
       [<0000000000a1a4a6>] memremap_pages+0x55e/0x7e8
       [<0000000000a1a7c2>] devm_memremap_pages+0x3a/0x98
      Last Breaking-Event-Address:
       [<0000000000a1b2a0>] memmap_init_zone_device+0x70/0x1f8
      Kernel panic - not syncing: Fatal exception: panic_on_oops
      `,
    ),
  },
  {
    name: 'WARNING',
    arch: 's390x',
    title: 'WARNING in free_zone_device_folio',
    type: 'WARNING',
    frame: 'free_zone_device_folio',
    log: klog(
      283.567945,
      `
      ------------[ cut here ]------------
      WARNING: CPU: 12 PID: 878 at mm/memremap.c:436 free_zone_device_folio+0x6e/0x140
      Modules linked in:
      CPU: 12 UID: 0 PID: 878 Comm: ls Not tainted 6.14.0 #44
      Hardware name: IBM 3931 A01 704 (z/VM 7.4.0)
      Krnl PSW : 0704d0018000 01ec0548b44a (free_zone_device_folio+0x72/0x140)
      ${REGS}
      Call Trace:
       [<000001ec0548b44a>] free_zone_device_folio+0x72/0x140
      ([<000001ec0548b416>] free_zone_device_folio+0x3e/0x140)
       [<000001ec05393b80>] folios_put_refs+0x138/0x1e0
       [<000001ec053d2f4e>] free_pages_and_swap_cache+0x11e/0x130
      Last Breaking-Event-Address:
       [<000001ec0548b412>] free_zone_device_folio+0x3a/0x140
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'kernel BUG through a monitor event',
    arch: 's390x',
    title: 'kernel BUG in __remove_pages',
    type: 'BUG',
    frame: '__remove_pages',
    log: klog(
      77.0,
      `
      ------------[ cut here ]------------
      kernel BUG at mm/memory_hotplug.c:561!
      monitor event: 0040 ilc:2 [#1] SMP
      Modules linked in:
      CPU: 1 PID: 999 Comm: chmem Not tainted 6.1.0 #1
      Hardware name: IBM 8561 T01 701 (z/VM 7.2.0)
      Krnl PSW : 0704c00180000000 00000000005a6b7e (__remove_pages+0x10e/0x128)
      ${REGS}
      Call Trace:
       [<00000000005a6b7e>] __remove_pages+0x10e/0x128
       [<000000000012a0d8>] arch_remove_memory+0x48/0x68
       [<00000000005a8c2a>] try_remove_memory+0x11a/0x1b8
      Last Breaking-Event-Address:
       [<00000000005a6a9e>] __remove_pages+0x2e/0x128
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'specification exception without a BUG line',
    arch: 's390x',
    title: 'specification exception in vmem_add_range',
    type: 'BUG',
    frame: 'vmem_add_range',
    log: klog(
      78.0,
      `
      specification exception: 0006 ilc:3 [#1] SMP
      Modules linked in:
      CPU: 1 PID: 1000 Comm: chmem Not tainted 6.1.0 #1
      Krnl PSW : 0704c00180000000 000000000012b04e (vmem_add_range+0x2e/0x88)
      ${REGS}
      Call Trace:
       [<000000000012b04e>] vmem_add_range+0x2e/0x88
       [<000000000012b4f2>] vmem_add_mapping+0x5a/0xb0
      `,
    ),
  },
  {
    name: 'RCU stall on the stalled CPU',
    arch: 's390x',
    title: 'INFO: rcu detected stall in vmemmap_populate',
    type: 'HANG',
    frame: 'vmemmap_populate',
    log: klog(
      400.0,
      `
      rcu: INFO: rcu_sched self-detected stall on CPU
      rcu: 	2-....: (5249 ticks this GP) idle=86e/1/0x4000000000000002 softirq=4567/4567 fqs=2619
      	(t=5250 jiffies g=10345 q=1130 ncpus=8)
      CPU: 2 PID: 1500 Comm: chmem Not tainted 6.1.0 #1
      Hardware name: IBM 3931 A01 704 (LPAR)
      Krnl PSW : 0704e00180000000 000000000012b7ac (vmemmap_populate+0x9c/0x1c8)
      ${REGS}
      Call Trace:
       [<000000000012b7ac>] vmemmap_populate+0x9c/0x1c8
       [<000000000049f6e2>] __populate_section_memmap+0x4a/0x70
       [<000000000049f3a4>] sparse_add_section+0x15c/0x2b0
      `,
    ),
  },
  {
    name: 'hung task',
    arch: 's390x',
    title: 'INFO: task hung in lru_add_drain_all',
    type: 'HANG',
    frame: 'lru_add_drain_all',
    log: klog(
      500.0,
      `
      INFO: task chmem:1600 blocked for more than 122 seconds.
            Not tainted 6.1.0 #1
      "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
      task:chmem           state:D stack:0     pid:1600  ppid:1500   flags:0x00000000
      Call Trace:
       [<0000000000a8c2f2>] __schedule+0x2ba/0x7d0
       [<0000000000a8c86a>] schedule+0x62/0x108
       [<0000000000a91f8c>] schedule_timeout+0x1c4/0x1e0
       [<0000000000a8d4ba>] __wait_for_common+0xa2/0x1a0
       [<00000000001a7e36>] __flush_work+0x1de/0x3e8
       [<00000000003c4cd4>] lru_add_drain_all+0x1cc/0x288
       [<00000000004a6a7c>] offline_pages+0x2dc/0x5c8
      `,
    ),
  },
  {
    name: 'soft lockup',
    arch: 's390x',
    title: 'BUG: soft lockup in __offline_isolated_pages',
    type: 'HANG',
    frame: '__offline_isolated_pages',
    log: klog(
      610.0,
      `
      watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [chmem:1700]
      Modules linked in:
      CPU: 3 PID: 1700 Comm: chmem Not tainted 6.1.0 #1
      Hardware name: IBM 3931 A01 704 (LPAR)
      Krnl PSW : 0704e00180000000 00000000003d19c2 (__offline_isolated_pages+0x8a/0x120)
      ${REGS}
      Call Trace:
       [<00000000003d19c2>] __offline_isolated_pages+0x8a/0x120
       [<00000000004a68ee>] offline_pages+0x14e/0x5c8
      `,
    ),
  },
  {
    name: 'KASAN use-after-free write',
    arch: 's390x',
    title: 'KASAN: use-after-free Write in sparse_remove_section',
    type: 'KASAN-USE-AFTER-FREE-WRITE',
    frame: 'sparse_remove_section',
    log: klog(
      700.0,
      `
      BUG: KASAN: use-after-free in sparse_remove_section+0x1c6/0x208
      Write of size 8 at addr 000000008a1b2c00 by task chmem/1800

      CPU: 0 PID: 1800 Comm: chmem Not tainted 6.1.0 #1
      Hardware name: IBM 3931 A01 704 (LPAR)
      Call Trace:
       [<0000000000a8a2b2>] dump_stack_lvl+0x8a/0xb0
       [<00000000004d3c5e>] print_report+0xce/0x5e8
       [<00000000004d4572>] kasan_report+0xba/0xf0
       [<000000000049f9ce>] sparse_remove_section+0x1c6/0x208
       [<00000000004a8d2a>] __remove_pages+0x8a/0x128
      ==================================================================
      `,
    ),
  },
];
