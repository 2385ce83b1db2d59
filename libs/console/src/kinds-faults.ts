import type { CrashKind } from './crash-kind';

const NULL_DEREF_TITLE = 'BUG: unable to handle kernel NULL pointer dereference in {frame}';
const PAGING_TITLE = 'BUG: unable to handle kernel paging request in {frame}';
const REPORT = { from: ['report'] } as const;

// s390 program interruption names, as die() prints them: "illegal operation: 0001 ilc:1 [#1]".
const S390_PROGRAM_CHECKS = [
  'illegal operation', 'privileged operation', 'execute exception', 'addressing exception',
  'specification exception', 'data exception', 'fixed-point overflow exception', 'fixed-point divide exception',
  'operand exception', 'special operation exception', 'translation exception', 'monitor event',
  'transaction constraint exception', 'vector processing exception', 'hfp ', 'bfp ',
];

/** Page faults, traps and die()/Oops lines of x86_64, arm64, s390 and ppc64, and kernel BUG. */
export const FAULT_KINDS: readonly CrashKind[] = [
  {
    // x86 since 4.19: "BUG: kernel NULL pointer dereference, address: 0000000000000000"
    id: 'x86-null-deref',
    prefixes: ['BUG: kernel NULL pointer dereference'],
    header: /^BUG: kernel NULL pointer dereference/,
    role: 'report',
    title: NULL_DEREF_TITLE,
    type: 'BUG',
    frame: REPORT,
  },
  {
    // x86 before 4.19
    id: 'x86-null-deref-old',
    prefixes: ['BUG: unable to handle kernel NULL pointer dereference'],
    header: /^BUG: unable to handle kernel NULL pointer dereference/,
    role: 'report',
    title: NULL_DEREF_TITLE,
    type: 'BUG',
    frame: REPORT,
  },
  {
    // x86: "BUG: unable to handle page fault for address: ...", old "... kernel paging request at ..."
    id: 'x86-paging',
    prefixes: ['BUG: unable to handle '],
    header: /^BUG: unable to handle (?:kernel paging request|page fault for address|kernel paging)/,
    role: 'report',
    title: PAGING_TITLE,
    type: 'BUG',
    frame: REPORT,
  },
  {
    // ppc64: "BUG: Kernel NULL pointer dereference on read at 0x00000000"
    id: 'ppc-null-deref',
    prefixes: ['BUG: Kernel NULL pointer dereference'],
    header: /^BUG: Kernel NULL pointer dereference/,
    role: 'report',
    title: NULL_DEREF_TITLE,
    type: 'BUG',
    frame: REPORT,
  },
  {
    // ppc64: "BUG: Unable to handle kernel data access on write at 0x..." / "... instruction fetch"
    id: 'ppc-paging',
    prefixes: ['BUG: Unable to handle kernel '],
    header: /^BUG: Unable to handle kernel (?:data access|instruction fetch|access)/,
    role: 'report',
    title: PAGING_TITLE,
    type: 'BUG',
    frame: REPORT,
  },
  {
    // arm64: "Unable to handle kernel paging request at virtual address ...";
    // s390: "Unable to handle kernel pointer dereference in virtual kernel address space"
    id: 'unable-to-handle',
    prefixes: ['Unable to handle kernel '],
    header:
      /^Unable to handle kernel (NULL pointer dereference|paging request|pointer dereference|access to user memory|execute from non-executable memory|write to read-only memory|read from unreadable memory|access to bad area)/,
    role: 'report',
    title: 'BUG: unable to handle kernel {1} in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    id: 'general-protection-fault',
    prefixes: ['general protection fault', 'Oops: general protection fault'],
    header: /^(?:Oops: )?general protection fault/,
    role: 'report',
    title: 'general protection fault in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    id: 'stack-segment',
    prefixes: ['stack segment: ', 'Oops: stack segment: '],
    header: /^(?:Oops: )?stack segment: /,
    role: 'report',
    title: 'stack segment fault in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    id: 'divide-error',
    prefixes: ['divide error: ', 'Oops: divide error: '],
    header: /^(?:Oops: )?divide error: /,
    role: 'report',
    title: 'divide error in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // x86: "traps: PANIC: double fault, error_code: 0x0", then its die() line
    id: 'double-fault',
    prefixes: ['PANIC: double fault', 'traps: PANIC: double fault'],
    header: /^(?:traps: )?PANIC: double fault/,
    role: 'report',
    title: 'PANIC: double fault in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // "double fault: 0000 [#1] SMP" (since 6.x "Oops: double fault: ...")
    id: 'double-fault-oops',
    prefixes: ['double fault: ', 'Oops: double fault: '],
    header: /^(?:Oops: )?double fault: /,
    role: 'oops',
    title: 'PANIC: double fault in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // The BUG_ON() line of every arch. The file picks a more telling kind.
    id: 'kernel-bug',
    pairsAs: 'splat',
    prefixes: ['kernel BUG at ', 'Kernel BUG at '],
    header: /^[kK]ernel BUG at (\S{1,200})/,
    role: 'report',
    title: 'kernel BUG in {frame}',
    type: 'BUG',
    frame: REPORT,
    refine: [
      { when: /^[kK]ernel BUG at lib\/list_debug\.c/, use: 'list-corruption' },
      { when: /^[kK]ernel BUG at mm\/usercopy\.c/, use: 'bad-usercopy' },
    ],
  },
  {
    // x86 UD2 not from BUG(): "invalid opcode: 0000 [#1] SMP" (since 6.x with "Oops: ")
    id: 'invalid-opcode',
    prefixes: ['invalid opcode: ', 'Oops: invalid opcode: '],
    header: /^(?:Oops: )?invalid opcode: /,
    role: 'oops',
    title: 'invalid opcode in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // x86 die() of a stack overflow: "kernel stack overflow (double-fault): 0000 [#1]"
    id: 'x86-stack-overflow',
    prefixes: ['kernel stack overflow', 'Oops: kernel stack overflow'],
    header: /^(?:Oops: )?kernel stack overflow/,
    role: 'oops',
    title: 'kernel stack overflow in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // ppc64 "Kernel stack overflow in process ...", arm64 "Insufficient stack space to handle exception!"
    id: 'stack-overflow',
    prefixes: ['Kernel stack overflow in process', 'Insufficient stack space to handle exception'],
    header: /^(?:Kernel stack overflow in process|Insufficient stack space to handle exception)/,
    role: 'report',
    title: 'kernel stack overflow in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // arm64 BUG() without CONFIG_DEBUG_BUGVERBOSE: "Internal error: Oops - BUG: 00000000f2000800 [#1]"
    id: 'arm64-oops-bug',
    prefixes: ['Internal error: Oops - BUG'],
    header: /^Internal error: Oops - BUG: /,
    role: 'oops',
    title: 'kernel BUG in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // arm64 "Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP"
    id: 'arm64-oops',
    prefixes: ['Internal error: '],
    header: /^Internal error: [^:[]{1,60}: [0-9a-f]{1,16} \[#\d{1,6}\]/,
    role: 'oops',
    title: 'Oops in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // x86 "Oops: 0000 [#1] SMP"; s390 "Oops: 0004 ilc:3 [#1]"; ppc64 "Oops: Kernel access of bad area, sig: 11 [#1]"
    id: 'oops',
    prefixes: ['Oops: ', 'Oops - '],
    header: /^Oops(?:: [0-9a-f]{4} (?:\[#\d{1,6}\]|ilc:\d)|: [^,[]{1,60}, sig: \d{1,3} \[#\d{1,6}\]| - )/,
    role: 'oops',
    title: 'Oops in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    id: 's390-program-check',
    prefixes: S390_PROGRAM_CHECKS,
    header: /^([a-z][a-z -]{2,40}): [0-9a-f]{4} ilc:\d/,
    role: 'oops',
    title: '{1} in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
  {
    // ppc64 xmon: "cpu 0x0: Vector: 700 (Program Check) at [c00c6d1e76c0]"
    id: 'ppc-xmon',
    prefixes: ['cpu 0x'],
    header: /^cpu 0x[0-9a-f]{1,6}: Vector: [0-9a-f]{3,4} /,
    role: 'oops',
    title: 'Oops in {frame}',
    type: 'BUG',
    frame: REPORT,
  },
];
