import { klog, type CrashCase } from './support';

const REGS = `
  REGS: c00000000c6d19f700 TRAP: 0380   Not tainted  (6.1.0)
  MSR:  8000000002009033 <SF,VEC,EE,ME,IR,DR,RI,LE>  CR: 24000222  XER: 20040000
  CFAR: c00000000009f6d4 IRQMASK: 0
  GPR00: c00000000009f6d8 c00000000c6d19f990 c000000002a1c900 0000000000000000
  GPR04: 0000000000000000 0000000000000100 0000000000000000 0000000000000000`;

/** ppc64le reports (POWER9 pSeries/PowerNV), after real 5.x/6.x console output. */
export const PPC64LE_CASES: CrashCase[] = [
  {
    name: 'NULL pointer dereference',
    arch: 'ppc64le',
    title: 'BUG: unable to handle kernel NULL pointer dereference in memset',
    type: 'BUG',
    frame: 'memset',
    log: klog(
      20.1,
      `
      BUG: Kernel NULL pointer dereference on read at 0x00000000
      Faulting instruction address: 0xc0000000000df330
      Oops: Kernel access of bad area, sig: 11 [#1]
      LE PAGE_SIZE=64K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries
      Modules linked in:
      CPU: 3 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1
      NIP:  c0000000000df330 LR: c00000000009f6d8 CTR: 0000000000000000
      ${REGS}
      NIP [c0000000000df330] memset+0x68/0x104
      LR [c00000000009f6d8] hash__pmdp_huge_get_and_clear+0xe8/0x1b0
      Call Trace:
      [c00000000c6d19f990] [c00000000009f748] hash__pmdp_huge_get_and_clear+0x158/0x1b0 (unreliable)
      [c00000000c6d19fa10] [c0000000019ebf30] pmd_advanced_tests+0x1f0/0x378
      [c00000000c6d19fab0] [c0000000019ed088] debug_vm_pgtable+0x79c/0x1244
      Instruction dump:
      7c0903a6 f8860000 f8860008 f8860010 f8860018 38c60020 4200ffec 70a5001f
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'WARNING',
    arch: 'ppc64le',
    title: 'WARNING in set_pte_at',
    type: 'WARNING',
    frame: 'set_pte_at',
    log: klog(
      30.0,
      `
      ------------[ cut here ]------------
      WARNING: CPU: 0 PID: 1 at arch/powerpc/mm/pgtable.c:194 set_pte_at+0x2c/0x180
      Modules linked in:
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.9.0 #1
      NIP:  c000000000093a4c LR: c000000000097c90 CTR: 0000000000000000
      ${REGS}
      NIP [c000000000093a4c] set_pte_at+0x2c/0x180
      LR [c000000000097c90] pte_advanced_tests+0xa0/0x2d8
      Call Trace:
      [c00000000c6d1e7950] [c000000001a2ca9c] 0xc000000001a2ca9c (unreliable)
      [c00000000c6d1e79b0] [c000000001a2ca9c] pte_advanced_tests+0xa0/0x2d8
      [c00000000c6d1e7a10] [c000000001a2d4fc] debug_vm_pgtable+0x7e8/0x1338
      Instruction dump:
      e8010010 7c0803a6 4e800020 60000000 0fe00000 4bffffd0 60000000 60000000
      ---[ end trace 5a8c5bd8f7a9c0e1 ]---
      `,
    ),
  },
  {
    name: 'kernel BUG',
    arch: 'ppc64le',
    title: 'kernel BUG in radix__remove_section_mapping',
    type: 'BUG',
    frame: 'radix__remove_section_mapping',
    log: klog(
      60.0,
      `
      ------------[ cut here ]------------
      kernel BUG at arch/powerpc/mm/book3s64/radix_pgtable.c:922!
      Oops: Exception in kernel mode, sig: 5 [#1]
      LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA PowerNV
      Modules linked in:
      CPU: 8 PID: 2000 Comm: drmgr Not tainted 6.1.0 #1
      NIP:  c0000000000a3b2c LR: c0000000000a3b10 CTR: 0000000000000000
      ${REGS}
      NIP [c0000000000a3b2c] radix__remove_section_mapping+0x9c/0xb0
      LR [c0000000000a3b10] radix__remove_section_mapping+0x80/0xb0
      Call Trace:
      [c00000001e2f7a10] [c0000000000a3b10] radix__remove_section_mapping+0x80/0xb0 (unreliable)
      [c00000001e2f7a70] [c0000000000911c4] remove_section_mapping+0x24/0x40
      [c00000001e2f7a90] [c0000000000a8e2c] arch_remove_memory+0x9c/0x120
      Instruction dump:
      7c0802a6 fbe1fff8 7c7f1b78 f8010010 f821ffd1 0fe00000 60000000 60000000
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'paging request on a vmemmap address',
    arch: 'ppc64le',
    title: 'BUG: unable to handle kernel paging request in vmemmap_populate',
    type: 'BUG',
    frame: 'vmemmap_populate',
    log: klog(
      70.0,
      `
      BUG: Unable to handle kernel data access on write at 0xc00c000000400000
      Faulting instruction address: 0xc0000000000aa1d4
      Oops: Kernel access of bad area, sig: 11 [#1]
      LE PAGE_SIZE=64K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries
      Modules linked in:
      CPU: 2 PID: 2100 Comm: drmgr Not tainted 6.1.0 #1
      NIP:  c0000000000aa1d4 LR: c0000000000aa1a0 CTR: 0000000000000000
      ${REGS}
      NIP [c0000000000aa1d4] vmemmap_populate+0x1c4/0x320
      LR [c0000000000aa1a0] vmemmap_populate+0x190/0x320
      Call Trace:
      [c00000001e2f7950] [c0000000000aa1a0] vmemmap_populate+0x190/0x320 (unreliable)
      [c00000001e2f79f0] [c0000000004a2c6c] __populate_section_memmap+0x4c/0x70
      `,
    ),
  },
  {
    name: 'RCU stall',
    arch: 'ppc64le',
    title: 'INFO: rcu detected stall in memtrace_alloc_node',
    type: 'HANG',
    frame: 'memtrace_alloc_node',
    log: klog(
      800.0,
      `
      rcu: INFO: rcu_sched self-detected stall on CPU
      rcu: 	12-....: (5249 ticks this GP) idle=8fe/1/0x4000000000000002 softirq=1/1 fqs=2210
      	(t=5250 jiffies g=4481 q=60 ncpus=64)
      NMI backtrace for cpu 12
      CPU: 12 PID: 3000 Comm: memtrace Not tainted 6.1.0 #1
      Call Trace:
      [c00000001e2f7620] [c000000000b3d3e0] dump_stack_lvl+0x74/0xa8 (unreliable)
      [c00000001e2f7660] [c000000000b4a1c4] nmi_cpu_backtrace+0x134/0x1a0
      [c00000001e2f76f0] [c000000000b4a3a8] nmi_trigger_cpumask_backtrace+0x178/0x1c0
      [c00000001e2f7790] [c0000000002170b8] rcu_dump_cpu_stacks+0x170/0x1d8
      [c00000001e2f77e0] [c0000000002155fc] rcu_sched_clock_irq+0x94c/0xe10
      [c00000001e2f78d0] [c00000000022a1a4] update_process_times+0xb4/0x150
      [c00000001e2f7910] [c00000000024bb18] tick_sched_timer+0x88/0xf0
      [c00000001e2f79a0] [c00000000022c32c] __hrtimer_run_queues+0x1ac/0x3f0
      [c00000001e2f7a50] [c00000000022d608] hrtimer_interrupt+0x128/0x2f0
      [c00000001e2f7b00] [c000000000029c70] timer_interrupt+0x140/0x310
      [c00000001e2f7b60] [c000000000009bf8] decrementer_common_virt+0x208/0x210
      --- interrupt: 900 at memtrace_alloc_node+0x1a8/0x2d0
      NIP:  c0000000000f2a58 LR: c0000000000f2a20 CTR: 0000000000000000
      NIP [c0000000000f2a58] memtrace_alloc_node+0x1a8/0x2d0
      LR [c0000000000f2a20] memtrace_alloc_node+0x170/0x2d0
      `,
    ),
  },
  {
    name: 'hard lockup detected by the CPU itself',
    arch: 'ppc64le',
    title: 'BUG: hard lockup in pseries_remove_memblock',
    type: 'HANG',
    frame: 'pseries_remove_memblock',
    log: klog(
      900.0,
      `
      watchdog: CPU 3 self-detected hard LOCKUP @ pseries_remove_memblock+0x8c/0x150
      watchdog: CPU 3 TB:1234567890, last heartbeat TB:1234000000 (10018ms ago)
      Modules linked in:
      CPU: 3 PID: 3100 Comm: drmgr Not tainted 6.1.0 #1
      NIP:  c0000000000f8e3c LR: c0000000000f8e10 CTR: 0000000000000000
      ${REGS}
      NIP [c0000000000f8e3c] pseries_remove_memblock+0x8c/0x150
      LR [c0000000000f8e10] pseries_remove_memblock+0x60/0x150
      Call Trace:
      [c00000001e2f7950] [c0000000000f8e10] pseries_remove_memblock+0x60/0x150 (unreliable)
      [c00000001e2f79f0] [c0000000000f9a2c] dlpar_remove_lmb+0x7c/0x130
      `,
    ),
  },
  {
    name: 'hung task',
    arch: 'ppc64le',
    title: 'INFO: task hung in dlpar_memory',
    type: 'HANG',
    frame: 'dlpar_memory',
    log: klog(
      1200.0,
      `
      INFO: task drmgr:3200 blocked for more than 120 seconds.
            Not tainted 6.1.0 #1
      "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
      task:drmgr           state:D stack:0     pid:3200  ppid:3100   flags:0x00040000
      Call Trace:
      [c00000001e2f7600] [c00000001e2f7650] 0xc00000001e2f7650 (unreliable)
      [c00000001e2f7700] [c00000000001f3d4] __switch_to+0x1e4/0x310
      [c00000001e2f7760] [c000000000b58e14] __schedule+0x2e4/0xa30
      [c00000001e2f7830] [c000000000b595d8] schedule+0x78/0x140
      [c00000001e2f7860] [c000000000b5f0a8] schedule_preempt_disabled+0x18/0x30
      [c00000001e2f7880] [c000000000b5b2f4] __mutex_lock.constprop.0+0x3f4/0x8e0
      [c00000001e2f7920] [c0000000000f7b44] dlpar_memory+0x54/0x6a0
      [c00000001e2f79b0] [c0000000000f0e8c] handle_dlpar_errorlog+0x6c/0x100
      `,
    ),
  },
];
