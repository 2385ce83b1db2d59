import type { Arch } from '@pfnlab/contracts';

/** An architecture, or `unknown` while nothing in the log has told which. */
export type ArchOrUnknown = Arch | 'unknown';

/** One console line after assembly, cleaning and printk-prefix parsing. */
export interface ConsoleLine {
  /** 1-based number of the (first) physical line; numbers every line ever assembled. */
  seq: number;
  /** Last physical line: differs from `seq` when a mail-wrapped line was joined. */
  endSeq: number;
  /** Arrival time in milliseconds, as given by whoever fed the bytes. */
  arrival: number;
  /** The whole cleaned line (ANSI escapes, NULs and garbage removed). */
  text: string;
  /** The message after the printk/syslog prefix. */
  body: string;
  /** printk timestamp in seconds, when the line has one. */
  time: number | null;
  /** printk caller id (`T123` = task, `C1` = CPU), when the kernel prints them. */
  caller: string | null;
  /** True when the physical line was longer than the cap and was split. */
  overlong: boolean;
}

export const MILESTONE_NAMES = [
  'firmware',
  'kernel-handover',
  'linux-version',
  'earlycon',
  'console-handover',
  'memory-init',
  'init-started',
  'userspace-ready',
] as const;
export type MilestoneName = (typeof MILESTONE_NAMES)[number];

/** A boot step seen on the console. */
export interface Milestone {
  name: MilestoneName;
  /** 1-based line number. */
  line: number;
  /** printk timestamp in seconds, or null when the line has none. */
  time: number | null;
  /** Arrival time in ms, as fed. */
  arrival: number;
  /** 1 for the first boot in the log, 2 after a reboot or kexec, ... */
  boot: number;
  /** The line body that marked it. */
  text: string;
  /** What it captured: the kernel version, the console name, the marker. */
  detail?: string;
}

/**
 * Crash categories, after syzkaller's report types. KASAN/KFENCE/KMSAN types
 * carry the access kind so that triage can sort by them.
 */
export type CrashType =
  | 'WARNING'
  | 'BUG'
  | 'PANIC'
  | 'HANG'
  | 'LOCKDEP'
  | 'ATOMIC_SLEEP'
  | 'LEAK'
  | 'UBSAN'
  | 'MEMORY_SAFETY'
  | 'REFCOUNT_WARNING'
  | 'KASAN-READ'
  | 'KASAN-WRITE'
  | 'KASAN-USE-AFTER-FREE-READ'
  | 'KASAN-USE-AFTER-FREE-WRITE'
  | 'KASAN-INVALID-FREE'
  | 'KASAN-UNKNOWN'
  | 'KFENCE-READ'
  | 'KFENCE-WRITE'
  | 'KFENCE-USE-AFTER-FREE-READ'
  | 'KFENCE-USE-AFTER-FREE-WRITE'
  | 'KFENCE-INVALID-FREE'
  | 'KFENCE-MEMORY-CORRUPTION'
  | 'KFENCE-UNKNOWN'
  | 'KMSAN-UNINIT-VALUE'
  | 'KMSAN-INFO-LEAK'
  | 'KMSAN-USE-AFTER-FREE'
  | 'KMSAN-UNKNOWN'
  | 'KCSAN-DATARACE'
  | 'BUILD'
  | 'UNKNOWN';

/** One crash (or build failure) found in a console log. */
export interface Crash {
  /** syzbot-style one-line title, at most 120 characters. */
  title: string;
  type: CrashType;
  /** The guilty frame, or null when no frame can be trusted (then `corrupted`). */
  frame: string | null;
  corrupted: boolean;
  arch: ArchOrUnknown;
  /** 1-based first and last line of the first occurrence. */
  startLine: number;
  endLine: number;
  /** How many times the same title was seen (console duplicates not counted). */
  count: number;
  /** printk time of the first line, when it has one. */
  time: number | null;
  /** Arrival time (ms) of the first line. */
  arrival: number;
  /** The header line's body, e.g. `kernel BUG at mm/huge_memory.c:2884!`. */
  header: string;
  /** The report text: its lines from the first to the last, other CPUs' lines left out. */
  report: string;
  /** Id of the crash kind in the table that recognised it. */
  kind: string;
}

export type ConsoleEvent =
  | { type: 'line'; line: ConsoleLine }
  | { type: 'milestone'; milestone: Milestone }
  | { type: 'arch'; arch: ArchOrUnknown }
  | { type: 'crash-start'; kind: string; crashType: CrashType; line: ConsoleLine }
  | { type: 'crash'; crash: Crash }
  | { type: 'crash-repeat'; crash: Crash };

export type ConsoleEventListener = (event: ConsoleEvent) => void;

/** What a whole log amounts to. */
export interface AnalysisResult {
  arch: ArchOrUnknown;
  /** The last `Linux version` seen. */
  kernelVersion: string | null;
  /** Number of lines assembled. */
  lines: number;
  milestones: Milestone[];
  crashes: Crash[];
}
