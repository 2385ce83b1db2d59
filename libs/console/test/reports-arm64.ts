import { klog, type CrashCase } from './support';

const REGS = `
  pstate: 60400009 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)
  sp : ffff80000a1a3c50
  x29: ffff80000a1a3c50 x28: 0000000000000000 x27: 0000000000000000
  x26: fffffc0000000000 x25: 0000000000000001 x24: 0000000000080000
  x2 : 0000000000000000 x1 : 0000000000000008 x0 : 0000000000000000`;

const HW = 'Hardware name: Cavium ThunderX2(R) CRB/Saber, BIOS 0ACGA010 05/16/2018';

/** arm64 reports (ThunderX2-style), after real 5.x/6.x console output. */
export const ARM64_CASES: CrashCase[] = [
  {
    name: 'NULL pointer dereference, with the panic after it',
    arch: 'arm64',
    title: 'BUG: unable to handle kernel NULL pointer dereference in pfn_valid',
    type: 'BUG',
    frame: 'pfn_valid',
    log: klog(
      18.1,
      `
      Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008
      Mem abort info:
        ESR = 0x0000000096000004
        EC = 0x25: DABT (current EL), IL = 32 bits
        SET = 0, FnV = 0
        EA = 0, S1PTW = 0
        FSC = 0x04: level 0 translation fault
      Data abort info:
        ISV = 0, ISS = 0x00000004
        CM = 0, WnR = 0
      user pgtable: 4k pages, 48-bit VAs, pgdp=0000000101234000
      [0000000000000008] pgd=0000000000000000, p4d=0000000000000000
      Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP
      Modules linked in:
      CPU: 12 PID: 1 Comm: swapper/0 Not tainted 6.1.0-18-arm64 #1  Debian 6.1.76-1
      ${HW}
      ${REGS}
      pc : pfn_valid+0x3c/0xd8
      lr : memmap_init_range+0x1b4/0x2a8
      Call trace:
       pfn_valid+0x3c/0xd8
       memmap_init_range+0x1b4/0x2a8
       memmap_init+0x90/0x11c
       free_area_init+0x2c8/0x340
      Code: f9400021 b40000e1 d37ae400 8b000020 (f9400400)
      ---[ end trace 0000000000000000 ]---
      Kernel panic - not syncing: Oops: Fatal exception
      SMP: stopping secondary CPUs
      Kernel Offset: disabled
      CPU features: 0x000000,00000000,00000000,00000000
      Memory Limit: none
      ---[ end Kernel panic - not syncing: Oops: Fatal exception ]---
      `,
    ),
  },
  {
    name: 'paging request in memset',
    arch: 'arm64',
    title: 'BUG: unable to handle kernel paging request in __memset',
    type: 'BUG',
    frame: '__memset',
    log: klog(
      41.0,
      `
      Unable to handle kernel paging request at virtual address fffffdffc0800000
      Mem abort info:
        ESR = 0x0000000096000047
        EC = 0x25: DABT (current EL), IL = 32 bits
      swapper pgtable: 4k pages, 48-bit VAs, pgdp=0000000081d8e000
      [fffffdffc0800000] pgd=10000008fffff003, p4d=10000008fffff003, pud=0000000000000000
      Internal error: Oops: 0000000096000047 [#1] PREEMPT SMP
      Modules linked in: dax_pmem
      CPU: 7 PID: 2210 Comm: daxctl Not tainted 6.1.0 #1
      ${HW}
      ${REGS}
      pc : __memset+0x16c/0x188
      lr : vmemmap_populate_basepages+0x48/0x60
      Call trace:
       __memset+0x16c/0x188
       vmemmap_populate+0x2c/0x3c
       __populate_section_memmap+0x48/0x60
       sparse_add_section+0x160/0x2f0
       __add_pages+0x98/0x1a0
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'WARNING',
    arch: 'arm64',
    title: 'WARNING in pmd_advanced_tests',
    type: 'WARNING',
    frame: 'pmd_advanced_tests',
    log: klog(
      21.741634,
      `
      ------------[ cut here ]------------
      WARNING: CPU: 0 PID: 1 at mm/debug_vm_pgtable.c:782 pmd_advanced_tests+0x2b8/0x3d0
      Modules linked in:
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.8.0 #1
      ${HW}
      ${REGS}
      pc : pmd_advanced_tests+0x2b8/0x3d0
      lr : pmd_advanced_tests+0x2a4/0x3d0
      Call trace:
       pmd_advanced_tests+0x2b8/0x3d0
       debug_vm_pgtable+0x6f4/0x8c4
       do_one_initcall+0x50/0x1b8
       kernel_init_freeable+0x21c/0x288
      ---[ end trace 6d6b5b3fc5bd2ca1 ]---
      `,
    ),
  },
  {
    name: 'WARNING line without a function takes the pc line',
    arch: 'arm64',
    title: 'WARNING in pud_advanced_tests',
    type: 'WARNING',
    frame: 'pud_advanced_tests',
    log: klog(
      22.5,
      `
      ------------[ cut here ]------------
      WARNING: CPU: 0 PID: 1 at mm/debug_vm_pgtable.c:799
      Modules linked in:
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.8.0 #1
      ${REGS}
      pc : pud_advanced_tests+0x1c8/0x2d0
      lr : pud_advanced_tests+0x1b0/0x2d0
      Call trace:
       pud_advanced_tests+0x1c8/0x2d0
       debug_vm_pgtable+0x704/0x8c4
      ---[ end trace 6d6b5b3fc5bd2ca2 ]---
      `,
    ),
  },
  {
    name: 'kernel BUG',
    arch: 'arm64',
    title: 'kernel BUG in try_remove_memory',
    type: 'BUG',
    frame: 'try_remove_memory',
    log: klog(
      50.0,
      `
      ------------[ cut here ]------------
      kernel BUG at mm/memory_hotplug.c:1998!
      Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP
      Modules linked in:
      CPU: 3 PID: 500 Comm: sh Not tainted 6.1.0 #1
      ${HW}
      ${REGS}
      pc : try_remove_memory+0x164/0x170
      lr : try_remove_memory+0x150/0x170
      Call trace:
       try_remove_memory+0x164/0x170
       __remove_memory+0x28/0x40
       acpi_memory_device_remove+0x80/0x100
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'BUG() without the verbose BUG line',
    arch: 'arm64',
    title: 'kernel BUG in arch_remove_memory',
    type: 'BUG',
    frame: 'arch_remove_memory',
    log: klog(
      51.0,
      `
      Internal error: Oops - BUG: 00000000f2000800 [#1] SMP
      Modules linked in:
      CPU: 2 PID: 600 Comm: sh Not tainted 6.1.0 #1
      ${REGS}
      pc : arch_remove_memory+0x98/0xa0
      lr : arch_remove_memory+0x80/0xa0
      Call trace:
       arch_remove_memory+0x98/0xa0
       try_remove_memory+0x11c/0x170
      `,
    ),
  },
  {
    name: 'RCU stall with an NMI backtrace of the stalled CPU',
    arch: 'arm64',
    title: 'INFO: rcu detected stall in pfn_valid',
    type: 'HANG',
    frame: 'pfn_valid',
    log: klog(
      600.0,
      `
      rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
      rcu: 	5-...0: (1 GPs behind) idle=a5c/1/0x4000000000000000 softirq=1234/1235 fqs=2625
      	(detected by 0, t=5252 jiffies, g=8889, q=66 ncpus=224)
      Sending NMI from CPU 0 to CPUs 5:
      NMI backtrace for cpu 5
      CPU: 5 PID: 777 Comm: page-types Not tainted 6.1.0 #1
      ${HW}
      ${REGS}
      pc : pfn_valid+0x60/0xd8
      lr : kpageflags_read+0x8c/0x1a0
      Call trace:
       pfn_valid+0x60/0xd8
       kpageflags_read+0x8c/0x1a0
       proc_reg_read+0xa4/0xf0
      `,
    ),
  },
  {
    name: 'soft lockup in an IPI wait blames the caller',
    arch: 'arm64',
    title: 'BUG: soft lockup in kick_all_cpus_sync',
    type: 'HANG',
    frame: 'kick_all_cpus_sync',
    log: klog(
      700.0,
      `
      watchdog: BUG: soft lockup - CPU#5 stuck for 22s! [kworker/5:1:200]
      Modules linked in:
      CPU: 5 PID: 200 Comm: kworker/5:1 Not tainted 6.1.0 #1
      ${HW}
      ${REGS}
      pc : smp_call_function_many_cond+0x174/0x5b8
      lr : smp_call_function_many_cond+0x138/0x5b8
      Call trace:
       smp_call_function_many_cond+0x174/0x5b8
       kick_all_cpus_sync+0x3c/0x50
       vmemmap_remap_free+0x12c/0x1d0
      `,
    ),
  },
  {
    name: 'hung task',
    arch: 'arm64',
    title: 'INFO: task hung in offline_pages',
    type: 'HANG',
    frame: 'offline_pages',
    log: klog(
      900.0,
      `
      INFO: task sh:4321 blocked for more than 120 seconds.
            Not tainted 6.1.0 #1
      "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
      task:sh              state:D stack:0     pid:4321  ppid:4000   flags:0x00000004
      Call trace:
       __switch_to+0xf0/0x170
       __schedule+0x2e8/0x7d0
       schedule+0x5c/0xf0
       rwsem_down_write_slowpath+0x2a8/0x6b0
       down_write+0x60/0x70
       offline_pages+0x84/0x5f0
       memory_subsys_offline+0x58/0x78
      `,
    ),
  },
  {
    name: 'KASAN out-of-bounds write',
    arch: 'arm64',
    title: 'KASAN: slab-out-of-bounds Write in memmap_init_zone_device',
    type: 'KASAN-WRITE',
    frame: 'memmap_init_zone_device',
    log: klog(
      80.0,
      `
      BUG: KASAN: slab-out-of-bounds in memmap_init_zone_device+0x2a4/0x3c0
      Write of size 8 at addr ffff000812345678 by task modprobe/900

      CPU: 9 PID: 900 Comm: modprobe Not tainted 6.1.0 #1
      ${HW}
      Call trace:
       dump_backtrace+0xa0/0x128
       show_stack+0x20/0x38
       dump_stack_lvl+0x78/0xc8
       print_report+0x194/0x4a0
       kasan_report+0xc8/0x110
       __asan_store8+0x8c/0xb0
       memmap_init_zone_device+0x2a4/0x3c0
       memremap_pages+0x3a4/0x7d0
      ==================================================================
      `,
    ),
  },
  {
    name: 'list corruption through BUG',
    arch: 'arm64',
    title: 'BUG: corrupted list in free_pcppages_bulk',
    type: 'MEMORY_SAFETY',
    frame: 'free_pcppages_bulk',
    log: klog(
      95.0,
      `
      list_del corruption. prev->next should be fffffc0002a4b3c8, but was fffffc0002a4b308. (prev=fffffc0002a4b308)
      ------------[ cut here ]------------
      kernel BUG at lib/list_debug.c:53!
      Internal error: Oops - BUG: 00000000f2000800 [#1] SMP
      Modules linked in:
      CPU: 1 PID: 50 Comm: kcompactd0 Not tainted 6.1.0 #1
      ${REGS}
      pc : __list_del_entry_valid+0xb0/0xc8
      lr : __list_del_entry_valid+0xb0/0xc8
      Call trace:
       __list_del_entry_valid+0xb0/0xc8
       free_pcppages_bulk+0x1a4/0x3a0
       drain_pages_zone+0x64/0x90
      `,
    ),
  },
  {
    name: 'UBSAN shift out of bounds',
    arch: 'arm64',
    title: 'UBSAN: shift-out-of-bounds in vmemmap_check_pmd',
    type: 'UBSAN',
    frame: 'vmemmap_check_pmd',
    log: klog(
      3.0,
      `
      UBSAN: shift-out-of-bounds in arch/arm64/mm/mmu.c:1234:5
      shift exponent 64 is too large for 64-bit type 'long unsigned int'
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.5.0 #1
      ${HW}
      Call trace:
       dump_backtrace+0xa0/0x128
       show_stack+0x20/0x38
       dump_stack_lvl+0x78/0xc8
       __ubsan_handle_shift_out_of_bounds+0x174/0x330
       vmemmap_check_pmd+0x70/0x80
       vmemmap_populate+0x60/0x90
      ================================================================================
      `,
    ),
  },
  {
    name: 'hard lockup seen through a pseudo-NMI',
    arch: 'arm64',
    title: 'BUG: hard lockup in zone_pcp_update',
    type: 'HANG',
    frame: 'zone_pcp_update',
    log: klog(
      1000.0,
      `
      NMI watchdog: Watchdog detected hard LOCKUP on cpu 2
      Modules linked in:
      CPU: 2 PID: 88 Comm: sh Not tainted 6.1.0 #1
      ${REGS}
      pc : queued_spin_lock_slowpath+0x1e8/0x3a0
      lr : _raw_spin_lock+0x60/0x78
      Call trace:
       queued_spin_lock_slowpath+0x1e8/0x3a0
       _raw_spin_lock+0x60/0x78
       zone_pcp_update+0x40/0x88
       online_pages+0x1cc/0x2c0
      `,
    ),
  },
  {
    name: 'bad page state',
    arch: 'arm64',
    title: 'BUG: Bad page state in memblock_free_pages',
    type: 'MEMORY_SAFETY',
    frame: 'memblock_free_pages',
    log: klog(
      1.5,
      `
      BUG: Bad page state in process swapper  pfn:8a200
      page:fffffc0000288000 refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x8a200
      flags: 0x2fffff0000000400(reserved|node=0|zone=2|lastcpupid=0xfffff)
      page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set
      Modules linked in:
      CPU: 0 PID: 0 Comm: swapper Not tainted 6.1.0 #1
      Call trace:
       dump_backtrace+0xa0/0x128
       show_stack+0x20/0x38
       dump_stack_lvl+0x78/0xc8
       bad_page+0xe8/0x138
       free_page_is_bad_report+0x80/0x90
       __free_pages_ok+0x3b8/0x500
       __free_pages+0x12c/0x140
       memblock_free_pages+0x1c/0x2c
       memblock_free_all+0x1c8/0x250
      `,
    ),
  },
];
