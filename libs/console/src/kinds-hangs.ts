import type { CrashKind } from './crash-kind';
import { IRQ_SKIP, WAIT_SKIP } from './skip-frames';

const STALL_FRAME = { from: ['report'], skip: [IRQ_SKIP, WAIT_SKIP] } as const;

/** Panic reasons that only say an earlier crash happened (whose report then is missing). */
const CONSEQUENCE =
  '(?:Oops(?: - BUG)?: )?Fatal exception(?: in interrupt)?(?:: panic_on_oops)?|.{0,20}panic_on_warn set.{0,60}|hung_task: blocked tasks|softlockup: hung tasks|Hard LOCKUP|Oops - BUG|Aiee, killing interrupt handler!?|Attempted to kill the idle task!?';

/** Stalls, lockups, hung tasks, panics, and the lines that frame reports. */
export const HANG_KINDS: readonly CrashKind[] = [
  {
    // "rcu: INFO: rcu_preempt self-detected stall on CPU", "INFO: rcu_sched detected stalls on CPUs/tasks:"
    id: 'rcu-stall',
    prefixes: ['rcu: INFO: rcu_', 'INFO: rcu_'],
    header: /^(?:rcu: )?INFO: rcu_\w{1,20} (?:self-)?detected (?:expedited )?stall/,
    role: 'report',
    title: 'INFO: rcu detected stall in {frame}',
    type: 'HANG',
    frame: STALL_FRAME,
    anyCaller: true,
  },
  {
    // "watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:123]"
    id: 'soft-lockup',
    prefixes: ['watchdog: BUG: soft lockup', 'BUG: soft lockup', 'NMI watchdog: BUG: soft lockup'],
    header: /^(?:(?:NMI )?watchdog: )?BUG: soft lockup/,
    role: 'report',
    title: 'BUG: soft lockup in {frame}',
    type: 'HANG',
    frame: STALL_FRAME,
  },
  {
    // x86/arm64 "watchdog: Watchdog detected hard LOCKUP on cpu 1"; ppc64 "watchdog: CPU 3 self-detected hard LOCKUP @ f+0x.."
    id: 'hard-lockup',
    prefixes: ['watchdog: ', 'NMI watchdog: '],
    header: /^(?:NMI )?watchdog: (?:Watchdog detected hard LOCKUP on cpu|CPU \d{1,5} (?:self-)?detected hard LOCKUP|BUG: hard lockup)/,
    role: 'report',
    title: 'BUG: hard lockup in {frame}',
    type: 'HANG',
    frame: STALL_FRAME,
    anyCaller: true,
  },
  {
    // "INFO: task kworker/u8:2:123 blocked for more than 143 seconds."
    id: 'hung-task',
    prefixes: ['INFO: task '],
    header: /^INFO: task \S{1,80} blocked for more than \d{1,9} seconds/,
    role: 'report',
    title: 'INFO: task hung in {frame}',
    type: 'HANG',
    frame: { from: ['report'], skip: [WAIT_SKIP] },
  },
  {
    id: 'workqueue-lockup',
    prefixes: ['BUG: workqueue lockup'],
    header: /^BUG: workqueue lockup/,
    role: 'report',
    title: 'BUG: workqueue lockup',
    type: 'HANG',
    maxLines: 40,
  },
  {
    id: 'panic-consequence',
    prefixes: ['Kernel panic - not syncing: '],
    header: new RegExp(`^Kernel panic - not syncing: (${CONSEQUENCE})`),
    role: 'panic',
    title: 'kernel panic: {1}',
    type: 'PANIC',
    frame: { from: ['report'] },
    alwaysCorrupted: true,
  },
  {
    id: 'panic',
    prefixes: ['Kernel panic - not syncing: '],
    header: /^Kernel panic - not syncing: (.{0,200})/,
    role: 'panic',
    title: 'kernel panic: {1}',
    type: 'PANIC',
  },
  {
    id: 'cut-here',
    prefixes: ['------------[ cut here ]', '[ cut here ]'],
    header: /^-{0,20}\[ cut here \]-{0,20}$/,
    role: 'marker',
    title: '',
    type: 'UNKNOWN',
  },
  {
    // Any other "BUG: ..." of the kernel; kept only if a dump follows (see CrashDetector).
    id: 'bug-generic',
    prefixes: ['BUG: '],
    header: /^BUG: ([A-Za-z].{0,150})/,
    role: 'tentative',
    title: 'BUG: {1}',
    type: 'BUG',
    frame: { from: ['report'] },
  },
];
