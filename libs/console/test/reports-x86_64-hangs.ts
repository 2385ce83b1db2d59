import { REGS } from './reports-x86_64-faults';
import { klog, type CrashCase } from './support';

/** x86_64 stalls, lockups, hung tasks, memory corruption and panics, written after real 5.x/6.x console output. */
export const X86_64_HANG_CASES: CrashCase[] = [
  {
    name: 'RCU stall detected on the stalling CPU',
    arch: 'x86_64',
    title: 'INFO: rcu detected stall in isolate_migratepages_block',
    type: 'HANG',
    frame: 'isolate_migratepages_block',
    log: klog(
      300.0,
      `
      rcu: INFO: rcu_preempt self-detected stall on CPU
      rcu: 	1-....: (21000 ticks this GP) idle=8a3c/1/0x4000000000000000 softirq=12345/12345 fqs=5250
      	(t=21002 jiffies g=45678 q=123 ncpus=2)
      CPU: 1 PID: 4567 Comm: memhog Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      RIP: 0010:isolate_migratepages_block+0x3a8/0x1020
      ${REGS}
      Call Trace:
       <IRQ>
       ? rcu_dump_cpu_stacks+0xc4/0x100
       ? rcu_sched_clock_irq+0x3a5/0xd00
       ? update_process_times+0x73/0xb0
       ? tick_sched_timer+0x6f/0x80
       </IRQ>
       <TASK>
       ? asm_sysvec_apic_timer_interrupt+0x1a/0x20
       ? isolate_migratepages_block+0x3a8/0x1020
       isolate_migratepages+0x2c4/0x410
       compact_zone+0x6b2/0xf30
       </TASK>
      `,
    ),
  },
  {
    name: 'RCU stall detected by another CPU, with an NMI backtrace',
    arch: 'x86_64',
    title: 'INFO: rcu detected stall in walk_system_ram_range',
    type: 'HANG',
    frame: 'walk_system_ram_range',
    log: klog(
      310.0,
      `
      rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
      rcu: 	0-....: (1 GPs behind) idle=a5c/1/0x4000000000000000 softirq=1234/1235 fqs=2625
      	(detected by 1, t=5252 jiffies, g=8889, q=66 ncpus=2)
      Sending NMI from CPU 1 to CPUs 0:
      NMI backtrace for cpu 0
      CPU: 0 PID: 777 Comm: memtest Not tainted 6.1.0 #1
      RIP: 0010:native_queued_spin_lock_slowpath+0x64/0x2f0
      ${REGS}
      Call Trace:
       <TASK>
       _raw_spin_lock+0x30/0x40
       walk_system_ram_range+0x8c/0x120
       page_is_ram+0x1b/0x30
       </TASK>
      `,
    ),
  },
  {
    name: 'soft lockup spinning on a lock blames the lock taker',
    arch: 'x86_64',
    title: 'BUG: soft lockup in refresh_cpu_vm_stats',
    type: 'HANG',
    frame: 'refresh_cpu_vm_stats',
    log: klog(
      120.0,
      `
      watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [kworker/0:1:89]
      Modules linked in:
      CPU: 0 PID: 89 Comm: kworker/0:1 Not tainted 6.1.0 #1
      Workqueue: events vmstat_shepherd
      RIP: 0010:native_queued_spin_lock_slowpath+0x64/0x2f0
      ${REGS}
      Call Trace:
       <TASK>
       _raw_spin_lock+0x30/0x40
       refresh_cpu_vm_stats+0x1b6/0x2a0
       vmstat_update+0x12/0x50
       process_one_work+0x1c7/0x380
       </TASK>
      `,
    ),
  },
  {
    name: 'hard lockup',
    arch: 'x86_64',
    title: 'BUG: hard lockup in free_pcppages_bulk',
    type: 'HANG',
    frame: 'free_pcppages_bulk',
    log: klog(
      200.0,
      `
      watchdog: Watchdog detected hard LOCKUP on cpu 1
      Modules linked in:
      CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0 #1
      RIP: 0010:native_queued_spin_lock_slowpath+0x1ca/0x2f0
      ${REGS}
      Call Trace:
       <TASK>
       _raw_spin_lock_irqsave+0x3d/0x50
       free_pcppages_bulk+0x4c/0x2a0
       drain_pages_zone+0x41/0x60
       </TASK>
      `,
    ),
  },
  {
    name: 'hung task blames the first function that is not a wait primitive',
    arch: 'x86_64',
    title: 'INFO: task hung in online_memory_block',
    type: 'HANG',
    frame: 'online_memory_block',
    log: klog(
      245.0,
      `
      INFO: task kworker/u4:1:45 blocked for more than 122 seconds.
            Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1
      "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
      task:kworker/u4:1    state:D stack:0     pid:45    ppid:2      flags:0x00004000
      Workqueue: events_unbound async_run_entry_fn
      Call Trace:
       <TASK>
       __schedule+0x351/0xa20
       schedule+0x5d/0xe0
       schedule_preempt_disabled+0x14/0x30
       __mutex_lock.constprop.0+0x3b4/0x700
       online_memory_block+0x2a/0x60
       walk_memory_blocks+0x8f/0xf0
       </TASK>
      `,
    ),
  },
  {
    name: 'list corruption with CONFIG_BUG_ON_DATA_CORRUPTION',
    arch: 'x86_64',
    title: 'BUG: corrupted list in __rmqueue_pcplist',
    type: 'MEMORY_SAFETY',
    frame: '__rmqueue_pcplist',
    log: klog(
      99.0,
      `
      list_del corruption, ffff88810a2b3c40->next is LIST_POISON1 (dead000000000100)
      ------------[ cut here ]------------
      kernel BUG at lib/list_debug.c:56!
      invalid opcode: 0000 [#1] PREEMPT SMP KASAN
      CPU: 1 PID: 3333 Comm: kworker/1:2 Not tainted 6.1.0 #1
      RIP: 0010:__list_del_entry_valid+0xa6/0xd0
      ${REGS}
      Call Trace:
       <TASK>
       ? die+0x36/0x90
       ? __list_del_entry_valid+0xa6/0xd0
       __rmqueue_pcplist+0x2a1/0xd40
       get_page_from_freelist+0x2d2/0x1b80
       </TASK>
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'list corruption as a WARNING',
    arch: 'x86_64',
    title: 'BUG: corrupted list in move_pages_to_lru',
    type: 'MEMORY_SAFETY',
    frame: 'move_pages_to_lru',
    log: klog(
      98.0,
      `
      ------------[ cut here ]------------
      list_add corruption. prev->next should be next (ffff88813ffd6c18), but was ffff888100000000. (prev=ffff88810e1c6e00).
      WARNING: CPU: 0 PID: 412 at lib/list_debug.c:30 __list_add_valid_or_report+0x9f/0xb0
      Modules linked in:
      CPU: 0 PID: 412 Comm: kswapd0 Not tainted 6.6.0 #1
      RIP: 0010:__list_add_valid_or_report+0x9f/0xb0
      ${REGS}
      Call Trace:
       <TASK>
       ? __warn+0x81/0x130
       ? __list_add_valid_or_report+0x9f/0xb0
       move_pages_to_lru+0x13c/0x4a0
       shrink_active_list+0x21c/0x3e0
       </TASK>
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'bad page state',
    arch: 'x86_64',
    title: 'BUG: Bad page state in zap_pte_range',
    type: 'MEMORY_SAFETY',
    frame: 'zap_pte_range',
    log: klog(
      400.0,
      `
      BUG: Bad page state in process memhog  pfn:1a2b3c
      page:ffffea000468acf0 refcount:0 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x1a2b3c
      flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)
      page_type: 0x0()
      raw: 0017ffffc0000000 dead000000000100 dead000000000122 0000000000000000
      raw: 0000000000000000 0000000000000000 00000000ffffffff 0000000000000000
      page dumped because: nonzero mapcount
      Modules linked in:
      CPU: 0 PID: 555 Comm: memhog Tainted: G    B              6.1.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x44/0x5c
       bad_page+0xcc/0xe0
       free_page_is_bad_report+0x86/0x90
       free_unref_page_prepare+0x2a1/0x380
       free_unref_page+0x34/0x190
       __folio_put+0x3e/0x90
       zap_pte_range+0x5d8/0x990
       unmap_page_range+0x2ec/0x450
       </TASK>
      Disabling lock debugging due to kernel taint
      `,
    ),
  },
  {
    name: 'panic of its own (root fs)',
    arch: 'x86_64',
    title: 'kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)',
    type: 'PANIC',
    frame: 'mount_block_root',
    log: klog(
      2.5,
      `
      Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      Call Trace:
       <TASK>
       dump_stack_lvl+0x44/0x5c
       panic+0x118/0x2ed
       mount_block_root+0x1d7/0x1e6
       prepare_namespace+0x13b/0x16a
       kernel_init_freeable+0x21f/0x22c
       </TASK>
      Kernel Offset: disabled
      ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---
      `,
    ),
  },
  {
    name: 'sleeping in atomic context',
    arch: 'x86_64',
    title: 'BUG: sleeping function called from invalid context in __alloc_pages',
    type: 'ATOMIC_SLEEP',
    frame: '__alloc_pages',
    log: klog(
      60.0,
      `
      BUG: sleeping function called from invalid context at mm/page_alloc.c:5178
      in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 321, name: hotplug-test
      preempt_count: 1, expected: 0
      RCU nest depth: 0, expected: 0
      CPU: 0 PID: 321 Comm: hotplug-test Not tainted 6.1.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x44/0x5c
       __might_resched.cold+0xd9/0xeb
       __alloc_pages+0x2a0/0x330
       alloc_pages+0x90/0x160
       vmemmap_alloc_block+0x56/0xd0
       </TASK>
      `,
    ),
  },
];
