import { klog, type CrashCase } from './support';

export const REGS = `
  RSP: 0018:ffffb1e0c0a4bb70 EFLAGS: 00010246
  RAX: 0000000000000000 RBX: ffff888104f3c000 RCX: 0000000000000000
  RDX: 0000000000000001 RSI: 0000000000000cc0 RDI: ffff888104f3c000
  RBP: ffffb1e0c0a4bbd8 R08: 0000000000000000 R09: 0000000000000000
  R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000000
  R13: ffffea0004000000 R14: 0000000000000cc0 R15: 0000000000000009
  FS:  00007f3a5c7fb740(0000) GS:ffff88813bc80000(0000) knlGS:0000000000000000
  CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
  CR2: 00007f3a5c5e1000 CR3: 0000000104d9e000 CR4: 0000000000750ef0`;

/** x86_64 faults, traps, WARN and BUG, written after real 5.x/6.x console output. */
export const X86_64_FAULT_CASES: CrashCase[] = [
  {
    name: 'WARNING with the function on the header line',
    arch: 'x86_64',
    title: 'WARNING in __alloc_pages',
    type: 'WARNING',
    frame: '__alloc_pages',
    log: klog(
      123.4,
      `
      ------------[ cut here ]------------
      WARNING: CPU: 1 PID: 4321 at mm/page_alloc.c:4567 __alloc_pages+0x3a5/0x460
      Modules linked in: test_hmm
      CPU: 1 PID: 4321 Comm: modprobe Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1
      Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      RIP: 0010:__alloc_pages+0x3a5/0x460
      Code: 00 00 00 e9 2a fe ff ff 80 ce 80 e9 0e fe ff ff 48 89 ef e8 <0f> 0b e9 5c ff ff ff
      ${REGS}
      Call Trace:
       <TASK>
       ? __warn+0x81/0x130
       ? __alloc_pages+0x3a5/0x460
       ? report_bug+0x171/0x1a0
       ? handle_bug+0x3c/0x80
       ? exc_invalid_op+0x17/0x70
       ? asm_exc_invalid_op+0x1a/0x20
       __kmalloc_large_node+0x7a/0x140
       __kmalloc_node+0x1e4/0x260
       kvmalloc_node+0x44/0xd0
       dmirror_fops_ioctl+0x3d1/0x860 [test_hmm]
       __x64_sys_ioctl+0x8d/0xd0
       do_syscall_64+0x58/0xc0
       entry_SYSCALL_64_after_hwframe+0x64/0xce
       </TASK>
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'refcount underflow blames the caller of the refcount helpers',
    arch: 'x86_64',
    title: 'WARNING: refcount bug in dmirror_devmem_free',
    type: 'REFCOUNT_WARNING',
    frame: 'dmirror_devmem_free',
    log: klog(
      45.1,
      `
      ------------[ cut here ]------------
      refcount_t: underflow; use-after-free.
      WARNING: CPU: 0 PID: 876 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110
      Modules linked in: test_hmm
      CPU: 0 PID: 876 Comm: hmm-tests Not tainted 6.6.0 #1
      RIP: 0010:refcount_warn_saturate+0xba/0x110
      ${REGS}
      Call Trace:
       <TASK>
       ? __warn+0x81/0x130
       ? refcount_warn_saturate+0xba/0x110
       ? report_bug+0x171/0x1a0
       ? refcount_warn_saturate+0xba/0x110
       __refcount_sub_and_test.constprop.0+0x1d/0x30
       dmirror_devmem_free+0x51/0x70 [test_hmm]
       free_zone_device_folio+0x56/0x80
       migrate_vma_finalize+0x1c4/0x2a0
       </TASK>
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'kernel BUG with invalid opcode and the panic that follows',
    arch: 'x86_64',
    title: 'kernel BUG in __split_huge_pmd_locked',
    type: 'BUG',
    frame: '__split_huge_pmd_locked',
    log: klog(
      200.1,
      `
      ------------[ cut here ]------------
      kernel BUG at mm/huge_memory.c:2064!
      invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
      CPU: 3 PID: 1234 Comm: thp_test Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      RIP: 0010:__split_huge_pmd_locked.isra.0+0x8e2/0x9c0
      Code: 0f 0b 48 c7 c6 d8 4b 2a 82 4c 89 ef e8 b5 6a fc ff <0f> 0b 48 c7 c6 50 4a 2a 82
      ${REGS}
      Call Trace:
       <TASK>
       ? die+0x36/0x90
       ? do_trap+0xda/0x100
       ? __split_huge_pmd_locked.isra.0+0x8e2/0x9c0
       ? exc_invalid_op+0x50/0x70
       ? asm_exc_invalid_op+0x1a/0x20
       __split_huge_pmd+0x134/0x1e0
       unmap_page_range+0x6b5/0xf10
       zap_page_range_single+0x10d/0x1a0
       madvise_vma_behavior+0x3ec/0x6a0
       </TASK>
      Modules linked in:
      ---[ end trace 0000000000000000 ]---
      RIP: 0010:__split_huge_pmd_locked.isra.0+0x8e2/0x9c0
      Kernel panic - not syncing: Fatal exception
      Kernel Offset: disabled
      ---[ end Kernel panic - not syncing: Fatal exception ]---
      `,
    ),
  },
  {
    name: 'NULL pointer dereference, 4.19+ format',
    arch: 'x86_64',
    title: 'BUG: unable to handle kernel NULL pointer dereference in memmap_init_zone_device',
    type: 'BUG',
    frame: 'memmap_init_zone_device',
    log: klog(
      10.1,
      `
      BUG: kernel NULL pointer dereference, address: 0000000000000008
      #PF: supervisor read access in kernel mode
      #PF: error_code(0x0000) - not-present page
      PGD 0 P4D 0
      Oops: 0000 [#1] PREEMPT SMP NOPTI
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      RIP: 0010:memmap_init_zone_device+0x8f/0x190
      Code: 48 8b 45 d0 49 8b 4d 10 4c 89 e2 48 c1 e2 06 48 01 c2 <48> 8b 42 08 a8 01 0f 85
      ${REGS}
      Call Trace:
       <TASK>
       ? __die+0x23/0x70
       ? page_fault_oops+0x171/0x4e0
       ? exc_page_fault+0x7f/0x180
       ? asm_exc_page_fault+0x26/0x30
       ? memmap_init_zone_device+0x8f/0x190
       memremap_pages+0x4e4/0x8c0
       devm_memremap_pages+0x22/0x70
       dmirror_allocate_chunk+0x11d/0x3b0 [test_hmm]
       </TASK>
      ---[ end trace 0000000000000000 ]---
      `,
    ),
  },
  {
    name: 'page fault on a kernel address',
    arch: 'x86_64',
    title: 'BUG: unable to handle kernel paging request in __memset',
    type: 'BUG',
    frame: '__memset',
    log: klog(
      77.7,
      `
      BUG: unable to handle page fault for address: ffffea0004000000
      #PF: supervisor write access in kernel mode
      #PF: error_code(0x0002) - not-present page
      PGD 13ffd5067 P4D 13ffd5067 PUD 13ffd4067 PMD 0
      Oops: 0002 [#1] PREEMPT SMP PTI
      CPU: 1 PID: 2999 Comm: daxctl Not tainted 6.1.0 #1
      RIP: 0010:__memset+0x24/0x30
      ${REGS}
      Call Trace:
       <TASK>
       ? __die+0x23/0x70
       ? page_fault_oops+0x171/0x4e0
       ? __memset+0x24/0x30
       vmemmap_populate_hugepages+0x1b5/0x270
       vmemmap_populate+0x38/0xa0
       __populate_section_memmap+0x4e/0x70
       sparse_add_section+0x10f/0x2a0
       __add_pages+0xc5/0x170
       </TASK>
      `,
    ),
  },
  {
    name: 'general protection fault found by KASAN, 6.x "Oops:" prefix',
    arch: 'x86_64',
    title: 'general protection fault in migrate_vma_collect_pmd',
    type: 'BUG',
    frame: 'migrate_vma_collect_pmd',
    log: klog(
      50.1,
      `
      Oops: general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI
      KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]
      CPU: 1 PID: 5000 Comm: hmm-tests Not tainted 6.12.0 #1
      RIP: 0010:migrate_vma_collect_pmd+0x2d1/0x1250
      ${REGS}
      Call Trace:
       <TASK>
       ? __die_body+0x1a/0x60
       ? die_addr+0x38/0x60
       ? exc_general_protection+0x13c/0x240
       ? asm_exc_general_protection+0x26/0x30
       walk_pgd_range+0x9f4/0x1710
       __walk_page_range+0x161/0x1a0
       </TASK>
      `,
    ),
  },
  {
    name: 'general protection fault, old format without KASAN',
    arch: 'x86_64',
    title: 'general protection fault in page_mapping',
    type: 'BUG',
    frame: 'page_mapping',
    log: klog(
      88.0,
      `
      general protection fault: 0000 [#1] SMP PTI
      CPU: 0 PID: 31 Comm: kcompactd0 Not tainted 4.19.0 #1
      RIP: 0010:page_mapping+0x12/0x80
      ${REGS}
      Call Trace:
       isolate_migratepages_block+0x2f5/0x8f0
       compact_zone+0x2a2/0xc30
       kcompactd_do_work+0x12c/0x270
      `,
    ),
  },
  {
    name: 'divide error',
    arch: 'x86_64',
    title: 'divide error in node_dirty_ok',
    type: 'BUG',
    frame: 'node_dirty_ok',
    log: klog(
      9.9,
      `
      divide error: 0000 [#1] PREEMPT SMP KASAN
      CPU: 0 PID: 77 Comm: kswapd0 Not tainted 6.1.0 #1
      RIP: 0010:node_dirty_ok+0x2b3/0x400
      ${REGS}
      Call Trace:
       <TASK>
       get_page_from_freelist+0x1f0/0x1b80
       __alloc_pages+0x1c8/0x4e0
       </TASK>
      `,
    ),
  },
  {
    name: 'invalid opcode without a BUG line',
    arch: 'x86_64',
    title: 'invalid opcode in pgtable_test_bad_insn',
    type: 'BUG',
    frame: 'pgtable_test_bad_insn',
    log: klog(
      3.3,
      `
      invalid opcode: 0000 [#1] SMP PTI
      CPU: 0 PID: 1 Comm: swapper/0 Not tainted 5.10.0 #1
      RIP: 0010:pgtable_test_bad_insn+0x5/0x10
      ${REGS}
      Call Trace:
       do_one_initcall+0x46/0x1e0
       kernel_init_freeable+0x1fb/0x25e
      `,
    ),
  },
  {
    name: 'double fault',
    arch: 'x86_64',
    title: 'PANIC: double fault in vmemmap_populate_hugepages',
    type: 'BUG',
    frame: 'vmemmap_populate_hugepages',
    log: klog(
      30.1,
      `
      traps: PANIC: double fault, error_code: 0x0
      double fault: 0000 [#1] PREEMPT SMP NOPTI
      CPU: 0 PID: 123 Comm: daxctl Not tainted 6.1.0 #1
      RIP: 0010:vmemmap_populate_hugepages+0x4a/0x2c0
      ${REGS}
      Kernel panic - not syncing: Fatal exception in interrupt
      Kernel Offset: disabled
      ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---
      `,
    ),
  },
  {
    name: 'stack overflow caught by the guard page',
    arch: 'x86_64',
    title: 'BUG: stack guard page was hit in walk_pmd_range',
    type: 'BUG',
    frame: 'walk_pmd_range',
    log: klog(
      31.0,
      `
      BUG: TASK stack guard page was hit at 00000000e0fc7a2d (stack is 000000002a4a2f51..000000004a6fb2d7)
      stack guard page: 0000 [#1] PREEMPT SMP NOPTI
      CPU: 1 PID: 4000 Comm: walker Not tainted 6.1.0 #1
      RIP: 0010:walk_pmd_range+0x21/0x3a0
      ${REGS}
      Call Trace:
       <TASK>
       walk_pud_range+0x1d6/0x220
       walk_pmd_range+0x2f1/0x3a0
       </TASK>
      `,
    ),
  },
];
