import { PrefixIndex } from './prefix-index';
import type { ConsoleLine, Milestone, MilestoneName } from './types';

interface MilestoneRule {
  name: MilestoneName;
  /** Literal line beginnings (after the printk prefix). */
  prefixes: readonly string[];
  /** Optional anchored check; group 1 becomes the milestone's detail. */
  pattern?: RegExp;
}

/**
 * Boot steps of x86_64, arm64, s390x and ppc64le consoles, in boot order.
 * Firmware and bootloader lines come without printk timestamps.
 */
export const MILESTONE_RULES: readonly MilestoneRule[] = [
  {
    name: 'firmware',
    prefixes: [
      'SeaBIOS (version', 'iPXE', 'Booting from ', 'BdsDxe:', 'UEFI firmware', 'U-Boot ', 'NOTICE:  BL', 'OPAL v',
      'SkiBoot', 'skiboot', 'Petitboot', 'SLOF', 'zIPL', 'Welcome to GRUB', 'GNU GRUB', 'Press ESC',
      'TianoCore', 'Trusted Firmware', 'Open Firmware', 'HCPGIR', 'HCPLDI',
    ],
  },
  {
    name: 'kernel-handover',
    prefixes: [
      'EFI stub: Booting Linux Kernel', 'Booting Linux on physical CPU', 'Booting Linux via __start()',
      'Decompressing Linux', 'Uncompressing Linux', 'Booting the kernel', 'early console in extract_kernel',
      'early console in setup code', 'Loading Linux ', 'kexec_core: Starting new kernel', 'Starting new kernel',
      'Booting default', 'Booting kernel', 'Performing kexec', 'Booting `',
    ],
  },
  { name: 'linux-version', prefixes: ['Linux version '], pattern: /^Linux version (\S{1,100})/ },
  {
    name: 'earlycon',
    prefixes: ['earlycon: ', 'printk: bootconsole [', 'bootconsole [', 'early console in'],
    pattern: /^(?:earlycon: (\S{1,60})|(?:printk: )?bootconsole \[([^\]]{1,40})\] enabled|early console in)/,
  },
  {
    name: 'console-handover',
    prefixes: ['printk: console [', 'printk: legacy console [', 'console [', 'printk: bootconsole [', 'bootconsole ['],
    pattern: /^(?:printk: )?(?:(?:legacy )?console \[([^\]]{1,40})\] enabled|bootconsole \[([^\]]{1,40})\] disabled)/,
  },
  { name: 'memory-init', prefixes: ['Memory: '], pattern: /^Memory: \d{1,12}K\/\d{1,12}K available/ },
  {
    name: 'init-started',
    prefixes: ['Run /', 'Freeing unused kernel'],
    pattern: /^(?:Run (\S{1,100}) as init process|Freeing unused kernel)/,
  },
];

const STAGE: Record<MilestoneName, number> = {
  firmware: 0,
  'kernel-handover': 1,
  'linux-version': 2,
  earlycon: 3,
  'console-handover': 4,
  'memory-init': 5,
  'init-started': 6,
  'userspace-ready': 7,
};

// "debian login:", "root@vm:~# ", "/ # ", "sh-5.2# ", "(initramfs) " — and a
// prompt followed by the command typed at it, as offline logs show them.
const LOGIN_PROMPT = /^[\w.-]{1,64} login: ?$/;
const SHELL_PROMPT =
  /^(?:[\w.-]{1,64}@[\w.-]{1,64}:\S{0,200} ?[#$](?: |$)|(?:[\w.~/-]{0,100}|(?:ba|z|da)?sh-[\d.]{1,8}) ?[#$] ?$)/;
const INITRAMFS_PROMPT = /^\(initramfs\) ?/;
const MAX_MILESTONES = 10_000;
const RULE_INDEX = new PrefixIndex(MILESTONE_RULES.flatMap((r) => r.prefixes));

/** Cheap test before the prompt patterns: a prompt ends in ':', '#', '$' or ')', or has "user@host". */
function mayBeReady(body: string, markers: readonly string[]): boolean {
  if (markers.length > 0) return true;
  let e = body.length;
  while (e > 0 && body.charCodeAt(e - 1) === 0x20) e--;
  const last = body.charCodeAt(e - 1);
  return last === 0x3a || last === 0x23 || last === 0x24 || last === 0x29 || body.indexOf('@') > 0;
}

/**
 * Records the boot timeline. Each milestone counts once per boot; seeing
 * firmware, a handover or `Linux version` again after the kernel had come up
 * starts the next boot (reboot, kexec into the test kernel).
 */
export class BootMilestoneTracker {
  readonly milestones: Milestone[] = [];
  private boot = 1;
  private stage = -1;
  private readonly seen = new Set<MilestoneName>();
  kernelVersion: string | null = null;

  constructor(private readonly readyMarkers: readonly string[] = []) {}

  /** Prefixes worth a closer look, for the analyzer's prefilter. */
  prefixes(): string[] {
    const markers = this.readyMarkers.filter((m) => /^[\x20-\x7e]{2,}$/.test(m));
    return [...MILESTONE_RULES.flatMap((r) => r.prefixes), ...markers];
  }

  /** Has the current boot reached user space? (Prompts need no more looking for until the next boot.) */
  readyInCurrentBoot = false;

  observe(line: ConsoleLine): Milestone[] {
    const body = line.body;
    const found: Milestone[] = [];
    if (RULE_INDEX.matchesString(body)) this.observeRules(line, found);
    if (!this.readyInCurrentBoot && mayBeReady(body, this.readyMarkers)) {
      const ready = this.readyDetail(body);
      if (ready !== null) {
        const ms = this.record('userspace-ready', line, ready);
        if (ms) found.push(ms);
      }
    }
    return found;
  }

  private observeRules(line: ConsoleLine, found: Milestone[]): void {
    const body = line.body;
    for (const rule of MILESTONE_RULES) {
      if (!rule.prefixes.some((p) => body.startsWith(p))) continue;
      let detail: string | undefined;
      if (rule.pattern) {
        const m = rule.pattern.exec(body);
        if (!m) continue;
        detail = m[1] ?? m[2];
      }
      const ms = this.record(rule.name, line, detail);
      if (ms) found.push(ms);
    }
  }

  /** Looks at an unterminated line for a prompt only (its other text is not complete yet). */
  observePrompt(line: ConsoleLine): Milestone | null {
    if (this.readyInCurrentBoot) return null;
    const ready = this.readyDetail(line.body);
    return ready === null ? null : this.record('userspace-ready', line, ready);
  }

  private readyDetail(body: string): string | null {
    for (const m of this.readyMarkers) if (body.startsWith(m)) return m;
    if (this.stage < STAGE['kernel-handover']) return null; // a firmware shell is not user space
    if (LOGIN_PROMPT.test(body)) return 'login prompt';
    if (SHELL_PROMPT.test(body) || INITRAMFS_PROMPT.test(body)) return 'shell prompt';
    return null;
  }

  private record(name: MilestoneName, line: ConsoleLine, detail?: string): Milestone | null {
    const stage = STAGE[name];
    const startsBoot = stage <= STAGE['linux-version'];
    if (startsBoot && this.stage >= STAGE['linux-version'] && (stage < STAGE['linux-version'] || this.seen.has(name))) {
      this.boot++;
      this.seen.clear();
      this.stage = -1;
      this.readyInCurrentBoot = false;
    }
    if (this.seen.has(name)) return null;
    this.seen.add(name);
    this.stage = Math.max(this.stage, stage);
    if (name === 'userspace-ready') this.readyInCurrentBoot = true;
    if (name === 'linux-version' && detail) this.kernelVersion = detail;
    const ms: Milestone = {
      name,
      line: line.seq,
      time: line.time,
      arrival: line.arrival,
      boot: this.boot,
      text: line.body.length > 200 ? line.body.slice(0, 200) : line.body,
      ...(detail ? { detail } : {}),
    };
    if (this.milestones.length < MAX_MILESTONES) this.milestones.push(ms);
    return ms;
  }
}
