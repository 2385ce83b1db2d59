import { typeByWords, type CrashKind } from './crash-kind';
import { ALLOC_SKIP, MEM_HELPERS_SKIP } from './skip-frames';

/** KASAN, KFENCE, KMSAN, KCSAN, UBSAN and kmemleak reports. */
export const SANITIZER_KINDS: readonly CrashKind[] = [
  {
    // BUG: KASAN: slab-use-after-free in foo+0x12/0x34
    // Read of size 8 at addr ffff888012345678 by task bash/123
    id: 'kasan',
    prefixes: ['BUG: KASAN: '],
    header: /^BUG: KASAN: ([a-z0-9-]{1,40}) in ([\w.$]{1,200})/,
    role: 'report',
    title: 'KASAN: {1} {detail} in {frame}',
    detail: /^(Read|Write) (?:of size|at addr)/,
    type: typeByWords(
      1,
      [
        [/(?:double|invalid)-free/, 'KASAN-INVALID-FREE'],
        [/use-after-free.* Read/, 'KASAN-USE-AFTER-FREE-READ'],
        [/use-after-free.* Write/, 'KASAN-USE-AFTER-FREE-WRITE'],
        [/ Read/, 'KASAN-READ'],
        [/ Write/, 'KASAN-WRITE'],
      ],
      'KASAN-UNKNOWN',
    ),
    frame: { from: ['header', 'report'], headerGroup: 2, skip: [MEM_HELPERS_SKIP, ALLOC_SKIP] },
    endsAtSeparator: true,
  },
  {
    // BUG: KFENCE: use-after-free read in test_use_after_free_read+0xb3/0x143
    id: 'kfence',
    prefixes: ['BUG: KFENCE: '],
    header: /^BUG: KFENCE: ([a-z -]{1,40}?) in ([\w.$]{1,200})/,
    role: 'report',
    title: 'KFENCE: {1} in {frame}',
    type: typeByWords(
      1,
      [
        [/invalid free/, 'KFENCE-INVALID-FREE'],
        [/memory corruption/, 'KFENCE-MEMORY-CORRUPTION'],
        [/use-after-free read/, 'KFENCE-USE-AFTER-FREE-READ'],
        [/use-after-free write/, 'KFENCE-USE-AFTER-FREE-WRITE'],
        [/read/, 'KFENCE-READ'],
        [/write/, 'KFENCE-WRITE'],
      ],
      'KFENCE-UNKNOWN',
    ),
    frame: { from: ['header', 'report'], headerGroup: 2, skip: [MEM_HELPERS_SKIP, ALLOC_SKIP] },
    endsAtSeparator: true,
  },
  {
    // BUG: KMSAN: uninit-value in foo+0x12/0x34
    id: 'kmsan',
    prefixes: ['BUG: KMSAN: '],
    header: /^BUG: KMSAN: ([a-z-]{1,40}) in ([\w.$]{1,200})/,
    role: 'report',
    title: 'KMSAN: {1} in {frame}',
    type: typeByWords(
      1,
      [
        [/uninit-value/, 'KMSAN-UNINIT-VALUE'],
        [/infoleak/, 'KMSAN-INFO-LEAK'],
        [/use-after-free/, 'KMSAN-USE-AFTER-FREE'],
      ],
      'KMSAN-UNKNOWN',
    ),
    frame: { from: ['header', 'report'], headerGroup: 2, skip: [MEM_HELPERS_SKIP, ALLOC_SKIP] },
    endsAtSeparator: true,
  },
  {
    // BUG: KCSAN: data-race in foo / bar
    id: 'kcsan',
    prefixes: ['BUG: KCSAN: '],
    header: /^BUG: KCSAN: ([a-z-]{1,40}) in ([\w.$]{1,200})/,
    role: 'report',
    title: 'KCSAN: {1} in {frame}',
    type: 'KCSAN-DATARACE',
    frame: { from: ['header', 'report'], headerGroup: 2, skip: [MEM_HELPERS_SKIP] },
    endsAtSeparator: true,
  },
  {
    // UBSAN: array-index-out-of-bounds in mm/foo.c:12:34 (old: "UBSAN: Undefined behaviour in ...")
    id: 'ubsan',
    prefixes: ['UBSAN: '],
    header: /^UBSAN: ([A-Za-z][\w -]{0,60}?) in (\S{1,200})/,
    role: 'report',
    title: 'UBSAN: {1} in {frame}',
    type: 'UBSAN',
    frame: { from: ['report'] },
    endsAtSeparator: true,
  },
  {
    // kmemleak's report, as `cat /sys/kernel/debug/kmemleak` prints it
    id: 'kmemleak',
    prefixes: ['unreferenced object 0x', 'BUG: memory leak'],
    header: /^(?:unreferenced object 0x[0-9a-f]{1,16} \(size \d{1,12}\):|BUG: memory leak)/,
    role: 'report',
    title: 'memory leak in {frame}',
    type: 'LEAK',
    frame: { from: ['report'], skip: [ALLOC_SKIP, MEM_HELPERS_SKIP] },
  },
  {
    id: 'kmemleak-summary',
    prefixes: ['kmemleak: '],
    header: /^kmemleak: \d{1,9} new suspected memory leaks/,
    role: 'report',
    title: 'kmemleak: suspected memory leaks',
    type: 'LEAK',
    maxLines: 1,
  },
];
