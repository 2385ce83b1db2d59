import type { CrashKind } from './crash-kind';
import { ATOMIC_SLEEP_SKIP, LOCKDEP_SKIP, WAIT_SKIP } from './skip-frames';

const WARNING_REFINE = [
  { when: /^WARNING: .{0,60}\blib\/refcount\.c/, use: 'refcount' },
  { when: /^WARNING: .{0,60}\blib\/list_debug\.c/, use: 'list-corruption' },
  { when: /^WARNING: .{0,60}\bmm\/usercopy\.c/, use: 'bad-usercopy' },
  { when: /^WARNING: .{0,60}\blib\/debugobjects\.c/, use: 'odebug' },
  { when: /^WARNING: .{0,60}\bkernel\/locking\/lockdep\.c/, use: 'locking-bug' },
];
const LOCKDEP = { from: ['lock-at', 'report'], skip: [LOCKDEP_SKIP, WAIT_SKIP] } as const;
const LOCKDEP_TRACE = { from: ['report'], skip: [LOCKDEP_SKIP, WAIT_SKIP] } as const;
// Lockdep headers: "WARNING: x" since 4.15, "[ INFO: x ]" / "INFO: x" / "[ BUG: x ]" before.
const LD = '(?:WARNING: |INFO: |BUG: |\\[ INFO: |\\[ BUG: )';
const LD_PREFIXES = ['WARNING: ', 'INFO: ', 'BUG: ', '[ INFO: ', '[ BUG: '];

/** WARN splats, lockdep, and sleeping-in-atomic reports. */
export const WARNING_KINDS: readonly CrashKind[] = [
  {
    id: 'lockdep-deadlock',
    prefixes: LD_PREFIXES,
    header: new RegExp(
      `^${LD}(?:possible circular locking dependency detected|possible recursive locking detected|possible irq lock inversion dependency detected|[\\w-]{1,30}-safe -> [\\w-]{1,30}-unsafe lock order detected)`,
    ),
    role: 'report',
    title: 'possible deadlock in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'lockdep-inconsistent',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}inconsistent lock state`),
    role: 'report',
    title: 'inconsistent lock state in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'suspicious-rcu',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}suspicious RCU usage`),
    role: 'report',
    title: 'WARNING: suspicious RCU usage in {frame}',
    type: 'LOCKDEP',
    frame: { from: ['report'], skip: [LOCKDEP_SKIP], after: /^stack backtrace:/ },
  },
  {
    id: 'bad-unlock-balance',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}bad unlock balance detected!`),
    role: 'report',
    title: 'WARNING: bad unlock balance in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'held-lock-freed',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}held lock freed!`),
    role: 'report',
    title: 'WARNING: held lock freed in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'lock-held-returning',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}lock held when returning to user space!`),
    role: 'report',
    title: 'WARNING: lock held when returning to user space in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'still-has-locks',
    prefixes: LD_PREFIXES,
    header: new RegExp(`^${LD}\\S{1,64} still has locks held!`),
    role: 'report',
    title: 'WARNING: still has locks held in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP,
  },
  {
    id: 'invalid-wait-context',
    prefixes: ['BUG: Invalid wait context'],
    header: /^BUG: Invalid wait context/,
    role: 'report',
    title: 'BUG: Invalid wait context in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP_TRACE,
  },
  {
    id: 'non-static-key',
    prefixes: ['INFO: trying to register non-static key'],
    header: /^INFO: trying to register non-static key/,
    role: 'report',
    title: 'INFO: trying to register non-static key in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP_TRACE,
  },
  {
    id: 'lockdep-limit',
    prefixes: ['BUG: MAX_'],
    header: /^BUG: MAX_(\w{1,40}) too low!/,
    role: 'report',
    title: 'BUG: MAX_{1} too low!',
    type: 'LOCKDEP',
  },
  {
    // DEBUG_LOCKS_WARN_ON(...) precedes a WARNING in kernel/locking/lockdep.c
    id: 'locking-bug',
    pairsAs: 'message',
    prefixes: ['DEBUG_LOCKS_WARN_ON('],
    header: /^DEBUG_LOCKS_WARN_ON\(/,
    role: 'report',
    title: 'WARNING: locking bug in {frame}',
    type: 'LOCKDEP',
    frame: LOCKDEP_TRACE,
  },
  {
    // "ODEBUG: free active (active state 0) object: ... object type: timer_list hint: ..."
    id: 'odebug',
    pairsAs: 'message',
    prefixes: ['ODEBUG: '],
    header: /^ODEBUG: (\w{1,20}(?: \w{1,20}){0,3}) \(/,
    role: 'report',
    title: 'WARNING: ODEBUG bug in {frame}',
    type: 'WARNING',
    frame: { from: ['report'], skip: [['debug_object.*', '__debug_object.*', 'debug_print_object', 'debug_check_.*']] },
  },
  {
    id: 'atomic-sleep',
    prefixes: ['BUG: sleeping function called from invalid context'],
    header: /^BUG: sleeping function called from invalid context/,
    role: 'report',
    title: 'BUG: sleeping function called from invalid context in {frame}',
    type: 'ATOMIC_SLEEP',
    frame: { from: ['report'], skip: [ATOMIC_SLEEP_SKIP] },
  },
  {
    id: 'scheduling-while-atomic',
    prefixes: ['BUG: scheduling while atomic'],
    header: /^BUG: scheduling while atomic/,
    role: 'report',
    title: 'BUG: scheduling while atomic in {frame}',
    type: 'ATOMIC_SLEEP',
    frame: { from: ['report'], skip: [ATOMIC_SLEEP_SKIP, ['__schedule', 'schedule', 'schedule_.*', 'preempt_schedule.*', '__cond_resched', '_cond_resched']] },
  },
  {
    id: 'preemptible-cpu-use',
    prefixes: ['BUG: using '],
    header: /^BUG: using (smp_processor_id|__this_cpu_\w{1,30}|this_cpu_\w{1,30})\(\) in preemptible/,
    role: 'report',
    title: 'BUG: using {1}() in preemptible code in {frame}',
    type: 'BUG',
    frame: { from: ['report'], skip: [ATOMIC_SLEEP_SKIP] },
  },
  {
    // "BUG: spinlock lockup suspected on CPU#0, swapper/0/1", "BUG: spinlock already unlocked on CPU#1"
    id: 'spinlock',
    prefixes: ['BUG: spinlock ', 'BUG: rwlock '],
    header: /^BUG: (spinlock|rwlock) ([a-z][a-z ]{2,40}?) on CPU#\d/,
    role: 'report',
    title: 'BUG: {1} {2} in {frame}',
    type: 'BUG',
    frame: { from: ['report'], skip: [WAIT_SKIP, ['spin_.*', 'do_raw_.*', 'spin_bug', 'rwlock_bug']] },
  },
  {
    // "WARNING: CPU: 12 PID: 878 at mm/memremap.c:436 free_zone_device_folio+0x6e/0x140"
    // "WARNING: at mm/foo.c:12 foo+0x1/0x2()" (before 3.x)
    id: 'warning',
    pairsAs: 'splat',
    prefixes: ['WARNING: CPU: ', 'WARNING: at '],
    header: /^WARNING: (?:CPU: \d{1,5} (?:UID: \d{1,10} )?PID: \d{1,10} at |at )(\S{1,200})(?: ([\w.$]{1,200})\+0x)?/,
    role: 'report',
    title: 'WARNING in {frame}',
    type: 'WARNING',
    frame: { from: ['header', 'report'], headerGroup: 2 },
    refine: WARNING_REFINE,
  },
  {
    // 2025 format: "WARNING: mm/memremap.c:436 at free_zone_device_folio+0x6e/0x140, CPU#12: ls/878"
    id: 'warning-file-first',
    pairsAs: 'splat',
    prefixes: ['WARNING: '],
    header: /^WARNING: ([\w./+-]{1,200}:\d{1,6}) at ([\w.$]{1,200})\+0x/,
    role: 'report',
    title: 'WARNING in {frame}',
    type: 'WARNING',
    frame: { from: ['header', 'report'], headerGroup: 2 },
    refine: WARNING_REFINE.map((r) => ({ when: new RegExp(r.when.source.replace('.{0,60}', '')), use: r.use })),
  },
];
