/**
 * Frames that are never the guilty one, as anchored regular-expression
 * sources matched against normalised function names. The generic list is the
 * reporting, trapping and fault-entry machinery of the four arches; the named
 * lists are added per crash kind (a KASAN report blames the caller of
 * memcpy, while a page fault *in* memset blames memset).
 */
export const GENERIC_SKIP: readonly string[] = [
  // stack dumping and printing
  'dump_stack(?:_lvl)?', 'show_stack', '__show_regs', 'show_regs', 'show_trace_log_lvl', 'dump_backtrace',
  'show_regs_print_info', 'sched_show_task', 'printk', '_printk', 'vprintk.*', 'printk_.*', 'nmi_cpu_backtrace',
  'nmi_trigger_cpumask_backtrace', 'arch_trigger_cpumask_backtrace', 'trigger_.*_backtrace',
  // WARN/BUG machinery
  '__warn', 'warn_slowpath.*', '__warn_printk', 'warn_bogus_irq_restore', 'report_bug', 'handle_bug', 'fixup_bug',
  'do_error_trap', 'do_trap', 'do_invalid_op', 'exc_invalid_op', 'asm_exc_invalid_op', 'invalid_op', 'bug_handler',
  'brk_handler', 'call_break_hook', 'bug_brk_handler', 'early_brk64', 'do_debug_exception', 'el1_dbg', 'el1_undef',
  'el1_inv', 'el1_pc', 'el1_sp_pc', 'el1_da', 'el1_abort', 'el1h_64_sync_handler', 'el1h_64_sync', 'el1_sync_handler',
  'el1_sync', 'do_el1_undef', 'do_el1_bti', 'program_check_exception', 'program_check_common', 'emulation_assist_interrupt',
  '__do_pgm_check', 'pgm_check_handler', 'do_report_trap', 'illegal_op', 'monitor_event_exception',
  // oops and panic
  'die', '__die', '__die_body', 'oops_end', 'oops_begin', 'die_kernel_fault', 'panic', 'vpanic', '__panic', 'nmi_panic',
  'check_panic_on_warn', 'make_task_dead', 'do_exit',
  // page fault entry
  'page_fault_oops', 'kernelmode_fixup_or_oops', 'no_context', '__bad_area_nosemaphore', 'bad_area_nosemaphore',
  '__bad_area', 'bad_area', 'do_kern_addr_fault', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault',
  'handle_page_fault', 'page_fault', '__do_page_fault', 'do_page_fault', 'do_translation_fault', 'do_mem_abort',
  'do_bad_area', '__do_kernel_fault', 'do_sea', 'do_tag_check_fault', 'do_no_context', 'do_low_address',
  'do_dat_exception', 'do_protection_exception', 'do_fault_error', 'do_exception', 'bad_page_fault', '__bad_page_fault',
  'hash__do_page_fault', '___do_page_fault', 'do_hash_fault', 'data_access_common_virt', 'data_access_slb_common_virt',
  'instruction_access_common_virt', 'interrupt_return_srr_kernel', '_exception', '_exception_pkey',
  // other x86 traps
  'exc_general_protection', 'asm_exc_general_protection', 'do_general_protection', 'general_protection',
  'exc_divide_error', 'asm_exc_divide_error', 'do_divide_error', 'exc_stack_segment', 'asm_exc_stack_segment',
  'exc_double_fault', 'asm_exc_double_fault', 'do_double_fault', 'handle_stack_overflow',
  // sanitizer runtimes, wherever they show up
  'kasan_.*', '__kasan_.*', 'kasan', 'check_region_inline', 'check_memory_region.*', '__asan_.*', 'asan_.*',
  'print_address_description.*', 'print_report', 'report_.*', 'end_report', 'start_report', 'kfence_.*', '__kfence_.*',
  'kmsan_.*', '__kmsan_.*', '__msan_.*', 'kcsan_.*', '__tsan_.*', 'ubsan_.*', '__ubsan_.*', 'handle_overflow',
];

/** Memory/string helpers: blamed on their caller when a sanitizer reports them. */
export const MEM_HELPERS_SKIP: readonly string[] = [
  'mem(?:cpy|set|move|cmp|chr|dup)', '__mem(?:cpy|set|move)', 'str(?:n?cpy|lcpy|scpy|n?cmp|n?len|n?chr|n?str|n?dup)',
  'copy_(?:to|from)_user.*', '_copy_(?:to|from)_user', 'raw_copy_(?:to|from)_user', 'copy_(?:to|from)_iter',
  'copy_page_(?:to|from)_iter', 'copy_user_.*', 'instrument_.*', 'check_copy_size', 'check_object_size',
  '__check_object_size', 'kmemdup', 'kstrdup',
];

/** Allocator entry points: a leak or slab report blames their caller. */
export const ALLOC_SKIP: readonly string[] = [
  'kmalloc.*', '__kmalloc.*', 'kzalloc.*', 'kcalloc.*', 'krealloc.*', 'kvmalloc.*', 'kvzalloc.*', '__kvmalloc.*',
  'kmem_cache_.*', '__kmem_cache_.*', 'slab_.*', '__slab_.*', '___slab_.*', 'kfree', 'kvfree', 'kfree_.*',
  'vfree', 'vmalloc.*', '__vmalloc.*', 'free_object', 'alloc_object', 'create_object', 'kmemleak_.*', 'alloc_pages.*',
  '__alloc_pages.*', 'kmalloc_trace', 'kmalloc_node_trace', '__do_kmalloc_node', 'do_slab_free', 'slab_free.*',
  'object_err', 'free_debug_processing', 'alloc_debug_processing', 'check_object', 'on_freelist', 'print_trailer',
];

/** Sleeping and locking primitives: a hang blames whoever waits in them. */
export const WAIT_SKIP: readonly string[] = [
  '__schedule', 'schedule', 'schedule_.*', 'io_schedule.*', 'preempt_schedule.*', '__switch_to.*', 'context_switch',
  'switch_to', '_switch', '__mutex_lock.*', 'mutex_lock.*', '__mutex_unlock.*', 'mutex_unlock', 'rt_mutex.*',
  '__rt_mutex.*', 'rwsem_.*', 'call_rwsem_.*', 'down', 'down_.*', '__down.*', 'up', 'up_.*', 'percpu_down_.*', '__percpu_down_.*',
  'wait_for_completion.*', '__wait_for_common', 'wait_for_common.*', 'do_wait_for_common', '__wait_on_.*',
  'wait_on_.*', 'out_of_line_wait_on_bit.*', 'bit_wait.*', 'folio_wait.*', '__folio_lock.*', 'folio_lock.*',
  '__lock_page.*', 'lock_page.*', 'wait_on_page_.*', 'synchronize_rcu.*', '__synchronize_srcu', 'synchronize_srcu.*',
  'rcu_barrier.*', 'flush_work', '__flush_work', 'flush_workqueue', '__flush_workqueue', 'cancel_.*work.*',
  '__cancel_work.*', 'kthread_stop', 'msleep', 'usleep_range.*', 'ssleep', 'wait_woken', 'prepare_to_wait.*',
  'finish_wait', 'kthread', 'ret_from_fork.*', 'do_raw_spin_lock', '_raw_spin_lock.*', 'raw_spin_lock.*',
  'spin_lock.*', '__raw_spin_lock.*', 'queued_spin_lock_slowpath', 'native_queued_spin_lock_slowpath',
  '__pv_queued_spin_lock_slowpath', 'pv_queued_spin_lock_slowpath', 'arch_spin_lock', 'do_raw_read_lock',
  'do_raw_write_lock', '_raw_read_lock.*', '_raw_write_lock.*', 'queued_read_lock_slowpath', 'queued_write_lock_slowpath',
  'osq_lock', 'lock_acquire', 'lock_release', '__lock_acquire', 'cpu_relax', 'smp_call_function.*', 'csd_lock_wait',
  'stop_machine.*', 'multi_cpu_stop',
];

/** Interrupt, timer and RCU machinery: a stall blames the interrupted code. */
export const IRQ_SKIP: readonly string[] = [
  'rcu_.*', '__rcu_.*', 'print_cpu_stall', 'print_other_cpu_stall', 'check_cpu_stall', 'update_process_times',
  'tick_.*', '__hrtimer_run_queues', 'hrtimer_.*', '__sysvec_.*', 'sysvec_.*', 'asm_sysvec_.*', 'apic_timer_interrupt',
  'smp_apic_timer_interrupt', 'local_apic_timer_interrupt', 'irq_exit.*', '__irq_exit_rcu', 'handle_softirqs',
  '__do_softirq', 'do_softirq.*', 'invoke_softirq', 'run_timer_softirq', '__run_timers', 'call_timer_fn',
  'arch_timer_handler_.*', 'handle_percpu_devid_irq', 'generic_handle_domain_irq', 'handle_domain_irq', 'gic_handle_irq',
  'el1_interrupt', 'el1h_64_irq_handler', 'el1h_64_irq', 'el1_irq', 'call_on_irq_stack', 'do_interrupt_handler',
  'timer_interrupt', 'decrementer_common_virt', 'do_IRQ', 'ext_int_handler', 'do_ext_irq', 'do_irq_async', 'do_irq',
  '__do_irq', 'clock_comparator_work', 'watchdog_timer_fn', 'watchdog_overflow_callback', 'watchdog_hardlockup_check',
  '__perf_event_overflow', 'perf_event_nmi_handler', 'nmi_handle', 'default_do_nmi', 'exc_nmi', 'asm_exc_nmi',
  'irqentry_.*', 'interrupt_async_enter_prepare', 'sched_tick', 'scheduler_tick', 'account_.*', 'hardirq',
  'watchdog', 'softlockup_fn', 'dump_cpu_task', 'sched_show_task',
];

/** Lockdep's own functions. */
export const LOCKDEP_SKIP: readonly string[] = [
  'lockdep_.*', '__lockdep_.*', 'print_.*', 'check_.*', 'validate_chain', '__lock_acquire', 'lock_acquire.*',
  'lock_release', 'lock_is_held_type', 'mark_lock.*', 'mark_usage', 'mark_held_locks', 'debug_check_no_locks_.*',
  'lockdep', 'look_up_lock_class', 'register_lock_class', 'add_chain_cache', 'lock_acquired', 'lock_contended',
  'reacquire_held_locks', '__lock_release', 'rcu_lockdep_current_cpu_online', 'debug_lockdep_rcu_enabled',
  'lockdep_rcu_suspicious', 'rcu_read_lock_held.*', 'rcu_read_lock.*', 'rcu_read_unlock.*',
];

/** Page allocator checks that print "Bad page state". */
export const BAD_PAGE_SKIP: readonly string[] = [
  'bad_page', 'free_page_is_bad.*', 'check_free_page.*', 'check_new_page.*', 'check_new_pages', 'free_pages_prepare',
  'free_tail_page_prepare', '__free_pages_ok', 'free_unref_page.*', 'free_unref_folios', '__free_pages', 'free_pages',
  '__free_page', '__folio_put.*', 'folio_put.*', 'put_page', '__put_page', 'release_pages', 'free_pages_and_swap_cache',
  'prep_new_page', 'get_page_from_freelist', 'rmqueue.*', '__rmqueue.*', 'page_frag_free', 'free_compound_page',
  'free_the_page', 'destroy_large_folio', '__folio_put_large', 'dump_page', '__dump_page', 'print_bad_pte',
];

export const LIST_SKIP: readonly string[] = [
  '__list_.*_valid.*', '__list_del_entry.*', '__list_add.*', 'list_(?:add|del|move|splice|replace|cut|rotate)\\w*',
  'hlist_(?:add|del)\\w*', '__hlist_del', 'plist_(?:add|del)',
];

export const REFCOUNT_SKIP: readonly string[] = [
  'refcount_.*', '__refcount_.*', 'kref_.*', 'ex_handler_refcount', 'get_page', 'folio_get', 'put_page', 'folio_put',
];

export const USERCOPY_SKIP: readonly string[] = [
  'usercopy_.*', '__check_heap_object', 'check_heap_object', '__check_object_size', 'check_object_size', 'check_.*_size',
  'usercopy_abort',
];

export const ATOMIC_SLEEP_SKIP: readonly string[] = [
  '__might_sleep', 'might_sleep', '__might_resched', 'might_resched', '__might_fault', 'might_fault', 'might_alloc',
  '___might_sleep', '__schedule_bug', 'schedule_debug', 'check_preemption_disabled', 'debug_smp_processor_id',
  '__this_cpu_preempt_check',
];

/** Compiles skip lists into one whole-name matcher. */
export function skipMatcher(...lists: ReadonlyArray<readonly string[]>): RegExp {
  const all = new Set<string>();
  for (const l of lists) for (const p of l) all.add(p);
  return new RegExp(`^(?:${[...all].join('|')})$`);
}
