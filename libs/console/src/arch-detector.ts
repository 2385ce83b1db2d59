import type { Arch } from '@pfnlab/contracts';
import { PrefixIndex } from './prefix-index';
import type { ArchOrUnknown } from './types';

interface ArchMarker {
  prefix: string;
  arch: Arch;
  /** A strong marker settles the question; weak ones are only counted. */
  strong: boolean;
  /** Extra check on the line body when the prefix alone is ambiguous. */
  re?: RegExp;
}

/** Line beginnings that only one arch prints (register dumps, boot code, fault handlers). */
export const ARCH_MARKERS: readonly ArchMarker[] = [
  { prefix: 'RIP: 00', arch: 'x86_64', strong: true },
  { prefix: 'RSP: 00', arch: 'x86_64', strong: true },
  { prefix: 'x86/', arch: 'x86_64', strong: true },
  { prefix: 'BIOS-e820', arch: 'x86_64', strong: true },
  { prefix: 'BIOS-provided physical RAM map', arch: 'x86_64', strong: true },
  { prefix: 'tsc: ', arch: 'x86_64', strong: true },
  { prefix: 'Decompressing Linux', arch: 'x86_64', strong: true },
  { prefix: '#PF: ', arch: 'x86_64', strong: true },
  { prefix: 'arch/x86/', arch: 'x86_64', strong: false },
  // Call-trace context markers and entry code only x86 prints.
  { prefix: '<TASK>', arch: 'x86_64', strong: true },
  { prefix: '</TASK>', arch: 'x86_64', strong: true },
  { prefix: '<IRQ>', arch: 'x86_64', strong: true },
  { prefix: '</IRQ>', arch: 'x86_64', strong: true },
  { prefix: '<NMI>', arch: 'x86_64', strong: true },
  { prefix: 'entry_SYSCALL_64', arch: 'x86_64', strong: true },
  { prefix: 'do_syscall_64+', arch: 'x86_64', strong: true },
  { prefix: '__x64_sys_', arch: 'x86_64', strong: true },
  { prefix: 'asm_exc_', arch: 'x86_64', strong: true },
  { prefix: 'asm_sysvec_', arch: 'x86_64', strong: true },
  { prefix: 'Hardware name: QEMU Standard PC', arch: 'x86_64', strong: true },
  { prefix: 'Call trace:', arch: 'arm64', strong: true },
  { prefix: 'pstate: ', arch: 'arm64', strong: true },
  { prefix: 'el0t_64_sync', arch: 'arm64', strong: true },
  { prefix: 'el1h_64_', arch: 'arm64', strong: true },
  { prefix: 'do_el0_svc', arch: 'arm64', strong: true },
  { prefix: 'dump_backtrace+', arch: 'arm64', strong: false },
  { prefix: 'Krnl Code', arch: 's390x', strong: true },
  { prefix: 'Failing address: ', arch: 's390x', strong: true },
  // Frame address formats: s390 kernel addresses are low ("[<000003ff...>]"),
  // ppc64 prints the stack pointer and the address in two brackets.
  { prefix: '[<0000', arch: 's390x', strong: false, re: /^\(?\[<0{4}[0-9a-f]{4,12}>\] / },
  { prefix: '[<ffffffff', arch: 'x86_64', strong: false, re: /^\[<ffffffff[89a-c][0-9a-f]{7}>\] / },
  { prefix: '[c0', arch: 'ppc64le', strong: true, re: /^\[c0[0-9a-f]{6,14}\] \[c0[0-9a-f]{6,14}\] / },
  { prefix: 'Instruction dump:', arch: 'ppc64le', strong: true },
  { prefix: 'REGS: ', arch: 'ppc64le', strong: true },
  { prefix: 'CFAR: ', arch: 'ppc64le', strong: true },
  { prefix: 'LE PAGE_SIZE=', arch: 'ppc64le', strong: true },
  { prefix: 'system_call_exception+', arch: 'ppc64le', strong: true },
  { prefix: 'system_call_vectored_common+', arch: 'ppc64le', strong: true },
  { prefix: 'pc : ', arch: 'arm64', strong: true },
  { prefix: 'lr : ', arch: 'arm64', strong: true },
  { prefix: 'Internal error: ', arch: 'arm64', strong: true },
  { prefix: 'ESR = 0x', arch: 'arm64', strong: true },
  { prefix: 'Mem abort info', arch: 'arm64', strong: true },
  { prefix: 'CPU features: ', arch: 'arm64', strong: true },
  { prefix: 'Booting Linux on physical CPU', arch: 'arm64', strong: true },
  { prefix: 'Machine model: ', arch: 'arm64', strong: false },
  { prefix: 'GICv3: ', arch: 'arm64', strong: false },
  { prefix: 'psci: ', arch: 'arm64', strong: false },
  { prefix: 'arch_timer: ', arch: 'arm64', strong: false },
  { prefix: 'arch/arm64/', arch: 'arm64', strong: false },
  { prefix: 'Krnl PSW', arch: 's390x', strong: true },
  { prefix: 'Krnl GPRS', arch: 's390x', strong: true },
  { prefix: 'User PSW', arch: 's390x', strong: true },
  { prefix: 'Last Breaking-Event-Address', arch: 's390x', strong: true },
  { prefix: 'setup: Linux is running', arch: 's390x', strong: true },
  { prefix: 'Hardware name: IBM ', arch: 's390x', strong: true, re: /^Hardware name: IBM \d{4}/ },
  { prefix: 'zIPL', arch: 's390x', strong: false },
  { prefix: 'arch/s390/', arch: 's390x', strong: false },
  { prefix: 'NIP ', arch: 'ppc64le', strong: true },
  { prefix: 'NIP:', arch: 'ppc64le', strong: true },
  { prefix: 'MSR: ', arch: 'ppc64le', strong: true },
  { prefix: 'GPR00: ', arch: 'ppc64le', strong: true },
  { prefix: 'cpu 0x', arch: 'ppc64le', strong: true, re: /^cpu 0x[0-9a-f]{1,6}: Vector: / },
  { prefix: 'pc: ', arch: 'ppc64le', strong: true, re: /^pc: [0-9a-f]{4,16}: / },
  { prefix: '[link register', arch: 'ppc64le', strong: true },
  { prefix: 'Faulting instruction address: 0x', arch: 'ppc64le', strong: true },
  { prefix: 'Booting Linux via __start()', arch: 'ppc64le', strong: true },
  { prefix: 'Using PowerNV machine description', arch: 'ppc64le', strong: true },
  { prefix: 'Using pSeries machine description', arch: 'ppc64le', strong: true },
  { prefix: 'hash-mmu: ', arch: 'ppc64le', strong: true },
  { prefix: 'radix-mmu: ', arch: 'ppc64le', strong: true },
  { prefix: 'Hardware name: IBM ', arch: 'ppc64le', strong: true, re: /POWER\d|pSeries|PowerNV/ },
  { prefix: 'OPAL', arch: 'ppc64le', strong: false },
  { prefix: 'arch/powerpc/', arch: 'ppc64le', strong: false },
];

// Kernel release suffixes and cross-compiler names on the "Linux version" line.
const VERSION_ARCH: ReadonlyArray<readonly [RegExp, Arch]> = [
  [/\b(?:x86_64|amd64)\b/, 'x86_64'],
  [/\b(?:aarch64|arm64)\b/, 'arm64'],
  [/\bs390x?\b/, 's390x'],
  [/\b(?:ppc64le|ppc64|powerpc64le|powerpc64|powerpc)\b/, 'ppc64le'],
];

/** The arch a single line proves, and how strongly. */
export function archOfLine(body: string): { arch: Arch; strong: boolean } | null {
  if (!markerIndex().matchesString(body)) return null;
  for (const m of ARCH_MARKERS) {
    if (body.startsWith(m.prefix) && (!m.re || m.re.test(body))) return { arch: m.arch, strong: m.strong };
  }
  if (body.startsWith('Linux version ')) {
    for (const [re, arch] of VERSION_ARCH) if (re.test(body)) return { arch, strong: true };
  }
  return null;
}

export function archPrefixes(): string[] {
  return [...new Set([...ARCH_MARKERS.map((m) => m.prefix), 'Linux version '])];
}

let MARKER_INDEX: PrefixIndex | null = null;
function markerIndex(): PrefixIndex {
  MARKER_INDEX ??= new PrefixIndex(archPrefixes());
  return MARKER_INDEX;
}

/**
 * Decides which arch a console belongs to: the first strong marker wins,
 * otherwise the most frequent weak one. A forced arch (known from the
 * machine) is never second-guessed.
 */
export class ArchDetector {
  private strong: Arch | null = null;
  private readonly weak = new Map<Arch, number>();

  constructor(private readonly forced?: Arch) {}

  get arch(): ArchOrUnknown {
    if (this.forced) return this.forced;
    if (this.strong) return this.strong;
    let best: Arch | null = null;
    let n = 0;
    for (const [a, c] of this.weak) {
      if (c > n) {
        best = a;
        n = c;
      }
    }
    return best ?? 'unknown';
  }

  /** Feeds one line; returns the arch when this line changed the answer. */
  observe(body: string): ArchOrUnknown | null {
    if (this.forced || this.strong) return null;
    const hit = archOfLine(body);
    if (!hit) return null;
    const before = this.arch;
    if (hit.strong) this.strong = hit.arch;
    else this.weak.set(hit.arch, (this.weak.get(hit.arch) ?? 0) + 1);
    const after = this.arch;
    return after !== before ? after : null;
  }
}
