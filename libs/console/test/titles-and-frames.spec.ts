import {
  CRASH_KINDS,
  formatCrashTitle,
  matchHeader,
  MAX_TITLE_LENGTH,
  normalizeFrameName,
  normalizeTitleText,
  parseFrameLine,
  pcFrame,
} from '@pfnlab/console';
import { crashKindById } from '../src/crash-kinds';

describe('frames', () => {
  it.each([
    ['__split_huge_pmd_locked.isra.0', '__split_huge_pmd_locked'],
    ['mem_cgroup_charge.cold', 'mem_cgroup_charge'],
    ['do_execveat_common.isra.32', 'do_execveat_common'],
    ['zap_pte_range.constprop.0.cold', 'zap_pte_range'],
    ['free_unref_page.part.0', 'free_unref_page'],
    ['shrink_folio_list.llvm.123456789', 'shrink_folio_list'],
    ['.remove_pagetable', 'remove_pagetable'],
  ])('normalizes %s to %s', (raw, name) => {
    expect(normalizeFrameName(raw)).toBe(name);
  });

  it.each([
    ['RIP: 0010:__alloc_pages+0x3a5/0x460', '__alloc_pages'],
    ['RIP: 0010:[<ffffffff81234567>]  [<ffffffff81234567>] page_mapping+0x12/0x80', 'page_mapping'],
    ['IP: [<ffffffff81234567>] page_mapping+0x12/0x80', 'page_mapping'],
    ['pc : pfn_valid+0x3c/0xd8', 'pfn_valid'],
    ['PC is at pfn_valid+0x3c/0xd8', 'pfn_valid'],
    ['Krnl PSW : 0704d0018000 0045d3b8 (__rb_erase_color+0x280/0x308)', '__rb_erase_color'],
    ['NIP [c0000000000df330] memset+0x68/0x104', 'memset'],
    ['pc: c009a5ec: assert_pte_locked+0x14c/0x380', 'assert_pte_locked'],
    ['RIP: 0033:0x7f3a5c5e1234', null],
    ['NIP:  c0000000000df330 LR: c00000000009f6d8 CTR: 0000000000000000', null],
    ['lr : memmap_init_range+0x1b4/0x2a8', null],
  ])('program counter line %s', (line, name) => {
    expect(pcFrame(line)).toBe(name);
  });

  it.each([
    ['free_pcppages_bulk+0x4c/0x2a0', { name: 'free_pcppages_bulk', reliable: true }],
    ['? __warn+0x81/0x130', { name: '__warn', reliable: false }],
    ['dmirror_fops_release+0x8d/0xa0 [test_hmm]', { name: 'dmirror_fops_release', reliable: true }],
    ['[<002c4310>] __split_huge_pmd+0x118/0x218', { name: '__split_huge_pmd', reliable: true }],
    ['([<002bf234>] __split_huge_pmd_locked+0x3ec/0xa10)', { name: '__split_huge_pmd_locked', reliable: false }],
    ['[c00c6d1e7a10] [c0000000019ebf30] pmd_advanced_tests+0x1f0/0x378', { name: 'pmd_advanced_tests', reliable: true }],
    ['[c00c6d19f990] c009f748 hash__pmdp_huge_get_and_clear+0x158/0x1b0 (unreliable)', { name: 'hash__pmdp_huge_get_and_clear', reliable: false }],
    ['[c00c6d1e79b0] c05eee14 pte_update+0x44/0x190', { name: 'pte_update', reliable: true }],
    ['pmd_advanced_tests+0x2b8/0x3d0 (P)', { name: 'pmd_advanced_tests', reliable: true }],
  ])('call trace line %s', (line, frame) => {
    expect(parseFrameLine(line)).toEqual(frame);
  });

  it.each([
    '<TASK>',
    'RAX: 0000000000000000 RBX: ffff888104f3c000 RCX: 0000000000000000',
    'Code: 48 8b 45 d0 49 8b 4d 10 <48> 8b 42 08',
    '[link register   ] c05c pte_update+0x11c/0x190',
    '[c00c6d1e7950] 0001 (unreliable)',
    '#002bf3a6: a7f40001  brc 15,2bf3a8',
    'Allocated by task 2345:',
  ])('is not a call trace frame: %s', (line) => {
    expect(parseFrameLine(line)).toBeNull();
  });
});

describe('titles', () => {
  it('replaces what varies between runs', () => {
    expect(normalizeTitleText('Unable to mount root fs on unknown-block(0,0)')).toBe('Unable to mount root fs on unknown-block(NUM,NUM)');
    expect(normalizeTitleText('Attempted to kill init! exitcode=0x0000000b')).toBe('Attempted to kill init! exitcode=ADDR');
    expect(normalizeTitleText('object ffff888106fa2a00 at mm/slub.c:4321 on CPU#3')).toBe('object ADDR at mm/slub.c:LINE on CPU');
    expect(normalizeTitleText('in ext4_fill_super+0x1f/0x30 and nl80211_foo')).toBe('in ext4_fill_super and nl80211_foo');
  });

  it('keeps the frame and stays within 120 characters', () => {
    const kind = crashKindById('panic');
    const long = 'x'.repeat(300);
    const m = matchHeader(`Kernel panic - not syncing: ${long}`)!;
    const title = formatCrashTitle(kind, { groups: m.match, detail: '', frame: null, lines: [] }, false);
    expect(title.length).toBe(MAX_TITLE_LENGTH);
    expect(title.startsWith('kernel panic: xxx')).toBe(true);
    const warn = crashKindById('warning');
    const f = 'f'.repeat(200);
    const t2 = formatCrashTitle(warn, { groups: [''], detail: '', frame: f, lines: [] }, false);
    expect(t2.length).toBe(MAX_TITLE_LENGTH);
  });

  it('ends a frameless corrupted title in "in corrupted"', () => {
    const kind = crashKindById('panic-consequence');
    const m = matchHeader('Kernel panic - not syncing: Fatal exception in interrupt')!;
    expect(m.kind.id).toBe('panic-consequence');
    expect(formatCrashTitle(kind, { groups: m.match, detail: '', frame: 'oops_end', lines: [] }, true)).toBe(
      'kernel panic: Fatal exception in interrupt in corrupted',
    );
  });

  it('has unique kind ids and anchored, flag-free header patterns', () => {
    const ids = CRASH_KINDS.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const k of CRASH_KINDS) {
      expect(k.header.source.startsWith('^') || k.header.source === '(?!)').toBe(true);
      expect(k.header.flags).toBe('');
      for (const p of k.prefixes) expect(p).toMatch(/^[\x20-\x7e]{2,}$/);
    }
  });

  it.each([
    ['WARNING: CPU: 0 PID: 1 at mm/x.c:1 foo+0x1/0x2', 'warning'],
    ['WARNING: mm/memremap.c:436 at free_zone_device_folio+0x6e/0x140, CPU#12: ls/878', 'warning-file-first'],
    ['[ INFO: possible circular locking dependency detected ]', 'lockdep-deadlock'],
    ['INFO: task kworker/u8:2:123 blocked for more than 143 seconds.', 'hung-task'],
    ['rcu: INFO: rcu_sched self-detected stall on CPU', 'rcu-stall'],
    ['INFO: rcu_preempt detected stalls on CPUs/tasks:', 'rcu-stall'],
    ['NMI watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [a:1]', 'soft-lockup'],
    ['BUG kmalloc-64 (Not tainted): Object already free', 'slub'],
    ['illegal operation: 0001 ilc:1 [#1] PREEMPT SMP DEBUG_PAGEALLOC', 's390-program-check'],
    ['Oops: Kernel access of bad area, sig: 11 [#1]', 'oops'],
    ['kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)', 'kmemleak-summary'],
    ['ERROR: modpost: "vmemmap_free" [mm/foo.ko] undefined!', 'modpost-undefined'],
  ])('recognises %s', (line, id) => {
    expect(matchHeader(line)?.kind.id).toBe(id);
  });
});
