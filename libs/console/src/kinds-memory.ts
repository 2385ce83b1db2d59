import type { CrashKind } from './crash-kind';
import { ALLOC_SKIP, BAD_PAGE_SKIP, LIST_SKIP, MEM_HELPERS_SKIP, REFCOUNT_SKIP, USERCOPY_SKIP } from './skip-frames';

/** Memory-corruption reports from the page allocator, slab, lists, refcounts and usercopy. */
export const MEMORY_KINDS: readonly CrashKind[] = [
  {
    // "BUG: Bad page state in process swapper/0  pfn:12345"
    id: 'bad-page-state',
    prefixes: ['BUG: Bad page state'],
    header: /^BUG: Bad page state in process/,
    role: 'report',
    title: 'BUG: Bad page state in {frame}',
    type: 'MEMORY_SAFETY',
    frame: { from: ['report'], skip: [BAD_PAGE_SKIP] },
  },
  {
    id: 'bad-page-map',
    prefixes: ['BUG: Bad page map'],
    header: /^BUG: Bad page map in process/,
    role: 'report',
    title: 'BUG: Bad page map in {frame}',
    type: 'MEMORY_SAFETY',
    frame: { from: ['report'], skip: [BAD_PAGE_SKIP, ['zap_.*', 'unmap_page_range', 'unmap_single_vma', 'unmap_vmas']] },
  },
  {
    id: 'bad-rss-counter',
    prefixes: ['BUG: Bad rss-counter state'],
    header: /^BUG: Bad rss-counter state/,
    role: 'report',
    title: 'BUG: Bad rss-counter state',
    type: 'MEMORY_SAFETY',
    maxLines: 1,
  },
  {
    id: 'non-zero-pgtables',
    prefixes: ['BUG: non-zero '],
    header: /^BUG: non-zero (pgtables_bytes|nr_ptes|nr_pmds|nr_puds) on freeing mm/,
    role: 'report',
    title: 'BUG: non-zero {1} on freeing mm',
    type: 'MEMORY_SAFETY',
    maxLines: 1,
  },
  {
    // "list_del corruption. next->prev should be ..., but was ...", "list_add double add: ..."
    // Printed before the BUG/WARNING in lib/list_debug.c, which it then absorbs.
    id: 'list-corruption',
    pairsAs: 'message',
    prefixes: ['list_add', 'list_del', '__list_', 'hlist_'],
    header: /^_{0,2}h?list_\w{1,20} (?:corruption|double add)/,
    role: 'report',
    title: 'BUG: corrupted list in {frame}',
    type: 'MEMORY_SAFETY',
    frame: { from: ['report'], skip: [LIST_SKIP] },
  },
  {
    // "refcount_t: underflow; use-after-free." before the WARNING in lib/refcount.c
    id: 'refcount',
    pairsAs: 'message',
    prefixes: ['refcount_t: '],
    header: /^refcount_t: /,
    role: 'report',
    title: 'WARNING: refcount bug in {frame}',
    type: 'REFCOUNT_WARNING',
    frame: { from: ['report'], skip: [REFCOUNT_SKIP] },
  },
  {
    // "usercopy: Kernel memory exposure attempt detected from SLUB object ..." before kernel BUG at mm/usercopy.c
    id: 'bad-usercopy',
    pairsAs: 'message',
    prefixes: ['usercopy: '],
    header: /^usercopy: Kernel memory (?:exposure|overwrite) attempt detected/,
    role: 'report',
    title: 'BUG: bad usercopy in {frame}',
    type: 'MEMORY_SAFETY',
    frame: { from: ['report'], skip: [USERCOPY_SKIP, MEM_HELPERS_SKIP] },
  },
  {
    // SLUB debugging: "BUG kmalloc-64 (Not tainted): Object already free"
    id: 'slub',
    prefixes: ['BUG '],
    header: /^BUG [\w.-]{1,60}(?: \([^)]{0,60}\))?: ([A-Za-z][^,]{2,80})/,
    role: 'report',
    title: 'BUG: {1} in {frame}',
    type: 'MEMORY_SAFETY',
    frame: { from: ['report'], skip: [ALLOC_SKIP] },
  },
  {
    id: 'stack-guard-page',
    prefixes: ['BUG: '],
    header: /^BUG: (?:[A-Z#]{2,8} )?stack guard page was hit at/,
    role: 'report',
    title: 'BUG: stack guard page was hit in {frame}',
    type: 'BUG',
    frame: { from: ['report'] },
  },
];
