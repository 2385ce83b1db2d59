import { klog, type CrashCase } from './support';

/** x86_64 KASAN, KFENCE, KMSAN, UBSAN and lockdep reports, written after real 5.x/6.x console output. */
export const X86_64_SANITIZER_CASES: CrashCase[] = [
  {
    name: 'KASAN use-after-free read',
    arch: 'x86_64',
    title: 'KASAN: slab-use-after-free Read in dmirror_fops_release',
    type: 'KASAN-USE-AFTER-FREE-READ',
    frame: 'dmirror_fops_release',
    log: klog(
      70.0,
      `
      BUG: KASAN: slab-use-after-free in dmirror_fops_release+0x8d/0xa0 [test_hmm]
      Read of size 8 at addr ffff888106fa2a08 by task hmm-tests/2345

      CPU: 1 PID: 2345 Comm: hmm-tests Not tainted 6.6.0 #1
      Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      Call Trace:
       <TASK>
       dump_stack_lvl+0x4c/0x70
       print_report+0xcf/0x620
       kasan_report+0xbd/0xf0
       dmirror_fops_release+0x8d/0xa0 [test_hmm]
       __fput+0x1fa/0x480
       task_work_run+0xb0/0x110
       </TASK>

      Allocated by task 2345:
       kasan_save_stack+0x22/0x50
       __kasan_kmalloc+0x81/0xa0
       dmirror_fops_open+0x3c/0x1d0 [test_hmm]

      Freed by task 2345:
       kasan_save_stack+0x22/0x50
       kfree+0x8e/0x1a0
       dmirror_device_remove_chunks+0x7a/0x90 [test_hmm]

      The buggy address belongs to the object at ffff888106fa2a00
       which belongs to the cache kmalloc-64 of size 64
      ==================================================================
      `,
    ),
  },
  {
    name: 'KASAN write in memcpy blames the caller',
    arch: 'x86_64',
    title: 'KASAN: slab-out-of-bounds Write in hmm_dmirror_copy_chunk',
    type: 'KASAN-WRITE',
    frame: 'hmm_dmirror_copy_chunk',
    log: klog(
      71.5,
      `
      BUG: KASAN: slab-out-of-bounds in __asan_memcpy+0x39/0x60
      Write of size 4096 at addr ffff888104a3f000 by task hmm-tests/2346

      CPU: 0 PID: 2346 Comm: hmm-tests Not tainted 6.6.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x4c/0x70
       print_report+0xcf/0x620
       kasan_report+0xbd/0xf0
       kasan_check_range+0x10c/0x1c0
       __asan_memcpy+0x39/0x60
       hmm_dmirror_copy_chunk+0x8a/0x120 [test_hmm]
       dmirror_migrate_to_device+0x2c4/0x4b0 [test_hmm]
       </TASK>
      ==================================================================
      `,
    ),
  },
  {
    name: 'KFENCE use-after-free',
    arch: 'x86_64',
    title: 'KFENCE: use-after-free read in test_use_after_free_read',
    type: 'KFENCE-USE-AFTER-FREE-READ',
    frame: 'test_use_after_free_read',
    log: klog(
      12.0,
      `
      BUG: KFENCE: use-after-free read in test_use_after_free_read+0xb3/0x143

      Use-after-free read at 0x000000004cc0e4cd (in kfence-#79):
       test_use_after_free_read+0xb3/0x143
       kunit_try_run_case+0x51/0x85
       kunit_generic_run_threadfn_adapter+0x16/0x30
       kthread+0x137/0x160

      kfence-#79 [0x000000004cc0e4cd-0x00000000d8fb0d1d, size=32, cache=kmalloc-32] allocated by task 140:
       test_alloc+0xf0/0x6ff
       test_use_after_free_read+0x76/0x143

      CPU: 4 PID: 140 Comm: kunit_try_catch Tainted: G    B             6.1.0 #1
      Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      ==================================================================
      `,
    ),
  },
  {
    name: 'KMSAN uninit-value',
    arch: 'x86_64',
    title: 'KMSAN: uninit-value in pfn_to_online_page',
    type: 'KMSAN-UNINIT-VALUE',
    frame: 'pfn_to_online_page',
    log: klog(
      33.0,
      `
      BUG: KMSAN: uninit-value in pfn_to_online_page+0x1c4/0x220
       pfn_to_online_page+0x1c4/0x220
       kpageflags_read+0x137/0x4a0
       proc_reg_read+0x234/0x370
       vfs_read+0x2c5/0x1040

      Uninit was created at:
       __alloc_pages+0x9a5/0xe40
       alloc_pages+0xd6/0x2f0

      CPU: 0 PID: 900 Comm: page-types Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      =====================================================
      `,
    ),
  },
  {
    name: 'KMSAN infoleak in a copy helper blames its caller',
    arch: 'x86_64',
    title: 'KMSAN: kernel-infoleak in pagemap_read',
    type: 'KMSAN-INFO-LEAK',
    frame: 'pagemap_read',
    log: klog(
      34.0,
      `
      BUG: KMSAN: kernel-infoleak in instrument_copy_to_user+0x68/0xb0
       instrument_copy_to_user+0x68/0xb0
       _copy_to_user+0xbc/0x110
       pagemap_read+0x5a7/0xa80
       vfs_read+0x2c5/0x1040

      Bytes 24-31 of 64 are uninitialized
      CPU: 1 PID: 901 Comm: page-types Not tainted 6.1.0 #1
      Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
      =====================================================
      `,
    ),
  },
  {
    name: 'UBSAN array index out of bounds',
    arch: 'x86_64',
    title: 'UBSAN: array-index-out-of-bounds in sparse_init_nid',
    type: 'UBSAN',
    frame: 'sparse_init_nid',
    log: klog(
      0.5,
      `
      UBSAN: array-index-out-of-bounds in mm/sparse.c:321:14
      index 64 is out of range for type 'unsigned long [64]'
      CPU: 0 PID: 0 Comm: swapper Not tainted 6.5.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x48/0x70
       __ubsan_handle_out_of_bounds+0xc6/0x110
       sparse_init_nid+0x2a1/0x390
       sparse_init+0x1bc/0x1e0
       paging_init+0x9/0x20
       </TASK>
      ================================================================================
      `,
    ),
  },
  {
    name: 'lockdep circular dependency',
    arch: 'x86_64',
    title: 'possible deadlock in offline_pages',
    type: 'LOCKDEP',
    frame: 'offline_pages',
    startLine: 2, // after lockdep's ===== line
    log: klog(
      80.0,
      `
      ======================================================
      WARNING: possible circular locking dependency detected
      6.1.0 #1 Not tainted
      ------------------------------------------------------
      kworker/u8:3/123 is trying to acquire lock:
      ffffffff82a5c0b0 (mem_hotplug_lock){++++}-{0:0}, at: offline_pages+0x7e/0x5f0

      but task is already holding lock:
      ffff888100c4a0a8 (&dev->mutex){+.+.}-{3:3}, at: device_offline+0x5f/0xd0

      which lock already depends on the new lock.

      the existing dependency chain (in reverse order) is:

      -> #1 (&dev->mutex){+.+.}-{3:3}:
             __mutex_lock+0x97/0xd10
             device_online+0x1c/0x90
             online_memory_block+0x21/0x30

      -> #0 (mem_hotplug_lock){++++}-{0:0}:
             __lock_acquire+0x15d4/0x2a70
             lock_acquire+0xd3/0x2f0
             percpu_down_write+0x2b/0x1a0
             offline_pages+0x7e/0x5f0

      other info that might help us debug this:

       Possible unsafe locking scenario:

             CPU0                    CPU1
             ----                    ----
        lock(&dev->mutex);
                                     lock(mem_hotplug_lock);
                                     lock(&dev->mutex);
        lock(mem_hotplug_lock);

       *** DEADLOCK ***

      3 locks held by kworker/u8:3/123:
       #0: ffff888100c4a0a8 (&dev->mutex){+.+.}-{3:3}, at: device_offline+0x5f/0xd0

      stack backtrace:
      CPU: 1 PID: 123 Comm: kworker/u8:3 Not tainted 6.1.0 #1
      Call Trace:
       <TASK>
       dump_stack_lvl+0x5b/0x77
       check_noncircular+0xfe/0x110
       __lock_acquire+0x15d4/0x2a70
       lock_acquire+0xd3/0x2f0
       percpu_down_write+0x2b/0x1a0
       offline_pages+0x7e/0x5f0
       memory_subsys_offline+0x3a/0x70
       </TASK>
      `,
    ),
  },
];
