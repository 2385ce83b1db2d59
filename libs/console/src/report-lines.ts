import { isPcLine, parseFrameLine, pcFrame } from './frames';

/**
 * Shapes of the lines inside a crash report, used to tell where a report
 * stops when no end marker comes: a report goes on while its lines look like
 * report lines (registers, frames, addresses, the fixed labels below).
 */

// Line starts seen inside reports of the four arches (anchored, literal
// alternatives only).
const REPORT_LABELS = new RegExp(
  '^(?:' +
    [
      'CPU', 'Hardware name', 'Modules linked in', 'Workqueue', 'Code:', 'Call [Tt]race', 'Backtrace', 'backtrace',
      'stack backtrace', 'Krnl ', 'User ', 'Last Breaking', 'INFO: lockdep', 'Kernel Offset', 'PHYS_OFFSET',
      'Memory Limit', 'Rebooting in', 'Kernel panic', 'Dumping ftrace', '---', '===', 'Showing', 'NMI backtrace',
      'Sending NMI', 'rcu:', 'task:', '\\(detected by', '\\(t=', 'Fault in', 'failing address', '#PF', 'PGD ', 'P4D ',
      'Faulting instruction', 'Instruction dump', 'GPR', 'MSR', 'NIP', 'LR ', 'CTR', 'CFAR', 'IRQMASK', 'DAR', 'DSISR',
      'SOFTE', 'TRAP', 'XER', 'pc ?:', 'lr ?:', 'sp ?:', 'x\\d{1,2} ?:', 'pstate', 'Mem abort', 'Data abort', 'ESR', 'EC ', 'SET ',
      'FSC ', 'user pgtable', 'swapper pgtable', 'Internal error', 'Oops', 'The buggy address', 'Memory state',
      'Allocated by', 'Freed by', 'Last potentially', 'Second to last', 'page:', 'page dumped', 'flags:', 'raw:',
      'head:', 'memcg:', 'page_owner', 'page last', 'addr ', 'Read of size', 'Write of size', 'Free of addr', 'Uninit',
      'Local variable', 'Bytes', 'index ', 'shift exponent', 'signed integer', 'load of value', 'other info',
      'the existing dependency', 'Possible unsafe', 'Chain exists', '\\*\\*\\* DEADLOCK', 'no locks held', 'lock\\(',
      '-> #', '\\d+ locks? held', '\\.\\.\\. ', 'irq event stamp', 'hardirqs', 'softirqs', 'rcu_scheduler_active',
      'Tainted', 'Not tainted', 'R[A-Z0-9]{2}:', 'FS:', 'CS:', 'CR2', 'DR[0-9]', 'PKRU', 'cpu 0x', 'pid ', 'current',
      'paca', 'msr', 'dar', 'dsisr', '"echo 0', 'Mem-Info', 'Node \\d', 'Out of memory', 'kernel BUG', 'WARNING',
      'BUG', 'illegal operation', 'Unable to handle', 'AS:', 'R:\\d', 'Task stack', 'IRQ stack', 'Hardware error',
      'ORIG_RAX', 'EFLAGS', 'RIP', 'RSP', 'EIP', 'ESP', 'pgd', 'Process ', 'Stack:', 'Exception stack', 'entry_',
      'hash-mmu', 'Entering kdb', 'xmon', 'list_', 'refcount_t', 'usercopy', 'object ', 'Object ',
      'Redzone', 'Padding', 'INFO: ', 'Disabling lock debugging', 'turning off the locking correctness',
      'but task is already holding', 'which lock already depends', 'and this task is already holding',
      'but there are no more locks', 'is trying to', 'Use-after-free', 'Out-of-bounds', 'Invalid free', 'Corrupted memory',
      'allocated by task', 'freed by task', 'kfence-#', 'SMP: stopping', 'Task dump', 'in_atomic', 'preempt_count',
      'RCU nest depth', 'LE PAGE_SIZE', 'BE PAGE_SIZE', 'REGS:', 'Call trace', 'Exception', 'Unable to',
      'Faulting', 'Failing address', 'Kernel attempted', 'Krnl', 'Stack', 'Instruction',
    ].join('|') +
    ')',
);
const HEX_RUN = /[0-9a-f]{8}/;
const SEPARATOR = /^={10,200}$/;
const CPU_PID = /^CPU: \d{1,5} (?:UID: \d{1,10} )?PID: \d{1,10}/;
const TRACE_START = /^(?:Call [Tt]race:|Backtrace:|backtrace)/;

export function isEndMarker(body: string): boolean {
  return body.startsWith('---[ end trace') || body.startsWith('---[ end Kernel panic');
}

/** The `=====` line that frames KASAN/KFENCE/KMSAN/UBSAN reports. */
export function isSeparator(body: string): boolean {
  return body.charCodeAt(0) === 0x3d && SEPARATOR.test(body);
}

export function isTraceStart(body: string): boolean {
  return TRACE_START.test(body);
}

/** Lines that end a report's header part: the dump itself has begun. */
export function isBodyMarker(body: string): boolean {
  return (
    CPU_PID.test(body) ||
    body.startsWith('Modules linked in') ||
    body.startsWith('Hardware name:') ||
    // Old x86 prints "IP: [<addr>] f+0x.." before its Oops line: not yet the dump.
    (isPcLine(body) && !body.startsWith('IP: ')) ||
    TRACE_START.test(body) ||
    body.startsWith('Krnl GPRS') ||
    body.startsWith('GPR00:') ||
    body.startsWith('RAX: ') ||
    body.startsWith('x29: ') ||
    body.startsWith('Workqueue:') ||
    body.startsWith('stack backtrace:')
  );
}

/** Evidence that the kernel dumped a task: a tentative header becomes a crash. */
export function isDumpEvidence(body: string): boolean {
  return CPU_PID.test(body) || TRACE_START.test(body) || pcFrame(body) !== null || isEndMarker(body);
}

/** Could this line be part of a crash report? Cheap tests first. */
export function isReportLike(body: string, text: string): boolean {
  if (body.length === 0) return true;
  const c = body.charCodeAt(0);
  // Indented, bracketed, parenthesised, IRQ markers, code-dump arrows.
  if (c === 0x5b || c === 0x28 || c === 0x3c || c === 0x3e || c === 0x23 || c === 0x3f || c === 0x7c) return true;
  // The raw line was indented after its timestamp (frames, register continuations).
  if (text.length > body.length && isIndentedBody(text, body)) return true;
  if (body.includes('+0x')) return true;
  if (REPORT_LABELS.test(body)) return true;
  if (HEX_RUN.test(body)) return true;
  return parseFrameLine(body) !== null;
}

function isIndentedBody(text: string, body: string): boolean {
  const at = text.length - body.length;
  const before = text.charCodeAt(at - 1);
  const before2 = text.charCodeAt(at - 2);
  return (before === 0x20 || before === 0x09) && (before2 === 0x20 || before2 === 0x09);
}
