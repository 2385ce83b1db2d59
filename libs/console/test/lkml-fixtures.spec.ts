import * as fs from 'fs';
import * as path from 'path';
import { analyzeLog, type ArchOrUnknown, type CrashType } from '@pfnlab/console';
import { LKML_FIXTURES } from './support';

/**
 * Every fixture of ../shared/fixtures/console/lkml, classified as its
 * INDEX.md says (kind, faulting function, arch where the text shows it).
 */
interface Expected {
  arch: ArchOrUnknown;
  crashes: Array<{
    title: string;
    type: CrashType;
    frame: string | null;
    corrupted: boolean;
    startLine: number;
    endLine: number;
    count?: number;
    /** The header as the report's first real line, mail wraps re-joined. */
    header?: string;
  }>;
}

const S390_OOPS_TITLE = 'BUG: unable to handle kernel pointer dereference in __rb_erase_color';
const PPC_NULL_TITLE = 'BUG: unable to handle kernel NULL pointer dereference in memset';
const S390_BUG_TITLE = 'kernel BUG in __split_huge_pmd_locked';

const EXPECTED: Record<string, Expected> = {
  's390-thp-oops-1.log': {
    arch: 's390x',
    crashes: [
      {
        title: S390_OOPS_TITLE,
        type: 'BUG',
        frame: '__rb_erase_color',
        corrupted: false,
        startLine: 1,
        endLine: 63,
        header: 'Unable to handle kernel pointer dereference in virtual kernel address space',
      },
    ],
  },
  's390-thp-list-del-corruption-1.log': {
    arch: 'unknown',
    crashes: [
      {
        title: 'BUG: corrupted list in corrupted',
        type: 'MEMORY_SAFETY',
        frame: null,
        corrupted: true,
        startLine: 1,
        endLine: 2,
        header: 'list_del corruption. next->prev should be 6e1eb000, but was 0400',
      },
    ],
  },
  's390-thp-bug-1.log': {
    arch: 's390x',
    crashes: [
      {
        title: S390_BUG_TITLE,
        type: 'BUG',
        frame: '__split_huge_pmd_locked',
        corrupted: false,
        startLine: 1,
        endLine: 48,
        header: 'kernel BUG at mm/huge_memory.c:2884!',
      },
    ],
  },
  'arm64-debug-vm-pgtable-warning-1.log': {
    arch: 'unknown',
    crashes: [
      {
        title: 'WARNING in corrupted',
        type: 'WARNING',
        frame: null,
        corrupted: true,
        startLine: 1,
        endLine: 1,
        header: 'WARNING: CPU: 0 PID: 1 at mm/debug_vm_pgtable.c:782',
      },
    ],
  },
  'ppc64-debug-vm-pgtable-bug-1.log': {
    arch: 'ppc64le',
    crashes: [
      {
        title: 'kernel BUG in assert_pte_locked',
        type: 'BUG',
        frame: 'assert_pte_locked',
        corrupted: false,
        startLine: 1,
        endLine: 19,
        header: 'kernel BUG at arch/powerpc/mm/pgtable.c:304!',
      },
    ],
  },
  'ppc64-debug-vm-pgtable-null-deref-1.log': {
    arch: 'ppc64le',
    crashes: [
      {
        title: PPC_NULL_TITLE,
        type: 'BUG',
        frame: 'memset',
        corrupted: false,
        startLine: 1,
        endLine: 20,
        header: 'BUG: Kernel NULL pointer dereference on read at 0x',
      },
    ],
  },
  's390-zone-device-warning-1.log': {
    arch: 's390x',
    crashes: [
      {
        title: 'WARNING in free_zone_device_folio',
        type: 'WARNING',
        frame: 'free_zone_device_folio',
        corrupted: false,
        startLine: 1,
        endLine: 25,
        header: 'WARNING: CPU: 12 PID: 878 at mm/memremap.c:436 free_zone_device_folio+0x6e/0x140',
      },
    ],
  },
  'non-x86-hotplug-link-error-1.log': {
    arch: 'unknown',
    crashes: [
      {
        title: "build error: undefined reference to 'vmemmap_free_bootmem' in sparse_remove_one_section",
        type: 'BUILD',
        frame: 'sparse_remove_one_section',
        corrupted: false,
        startLine: 2,
        endLine: 2,
      },
      {
        title: "build error: undefined reference to 'vmemmap_kfree' in sparse_remove_one_section",
        type: 'BUILD',
        frame: 'sparse_remove_one_section',
        corrupted: false,
        startLine: 4,
        endLine: 4,
      },
      {
        title: "build error: undefined reference to 'register_page_bootmem_memmap' in register_page_bootmem_info_node",
        type: 'BUILD',
        frame: 'register_page_bootmem_info_node',
        corrupted: false,
        startLine: 6,
        endLine: 6,
      },
      {
        title: "build error: undefined reference to 'vmemmap_kfree' in sparse_add_one_section",
        type: 'BUILD',
        frame: 'sparse_add_one_section',
        corrupted: false,
        startLine: 8,
        endLine: 8,
        count: 2,
      },
    ],
  },
  's390-arch-remove-memory-build-error-1.log': {
    arch: 's390x',
    crashes: [
      {
        title: "build error: conflicting types for 'arch_remove_memory'",
        type: 'BUILD',
        frame: 'arch_remove_memory',
        corrupted: false,
        startLine: 1,
        endLine: 2,
      },
    ],
  },
  'x86-arch-pgtable-test-build-error-1.log': {
    arch: 'unknown',
    crashes: [
      {
        title: 'build error: lvalue required as left operand of assignment in pud_clear_tests',
        type: 'BUILD',
        frame: 'pud_clear_tests',
        corrupted: false,
        startLine: 2,
        endLine: 4,
      },
    ],
  },
  'non-console/multiarch-bloat-o-meter-pxd-addr-end-1.log': { arch: 'unknown', crashes: [] },
  // Re-quoted copies: other wrap points, one truncated; same classification.
  'requoted/s390-thp-oops-1.requote-a-truncated.log': {
    arch: 's390x',
    crashes: [{ title: S390_OOPS_TITLE, type: 'BUG', frame: '__rb_erase_color', corrupted: false, startLine: 1, endLine: 62 }],
  },
  'requoted/s390-thp-bug-1.requote-a.log': {
    arch: 's390x',
    crashes: [
      { title: S390_BUG_TITLE, type: 'BUG', frame: '__split_huge_pmd_locked', corrupted: false, startLine: 1, endLine: 53 },
    ],
  },
  'requoted/ppc64-debug-vm-pgtable-null-deref-1.requote-a.log': {
    arch: 'ppc64le',
    crashes: [{ title: PPC_NULL_TITLE, type: 'BUG', frame: 'memset', corrupted: false, startLine: 1, endLine: 21 }],
  },
  'requoted/ppc64-debug-vm-pgtable-null-deref-1.requote-b.log': {
    arch: 'ppc64le',
    crashes: [
      {
        title: PPC_NULL_TITLE,
        type: 'BUG',
        frame: 'memset',
        corrupted: false,
        startLine: 1,
        endLine: 22,
        header: 'BUG: Kernel NULL pointer dereference on read at 0x',
      },
    ],
  },
  'requoted/ppc64-debug-vm-pgtable-null-deref-1.requote-c.log': {
    arch: 'ppc64le',
    crashes: [{ title: PPC_NULL_TITLE, type: 'BUG', frame: 'memset', corrupted: false, startLine: 1, endLine: 21 }],
  },
};

/** File names INDEX.md lists: its table's first column and the re-quoted/non-console notes. */
function indexedFiles(): string[] {
  const index = fs.readFileSync(path.join(LKML_FIXTURES, 'INDEX.md'), 'utf8');
  const table = [...index.matchAll(/^\| ([\w.-]+\.log) \|/gm)].map((m) => m[1]);
  const nonConsole = fs.readdirSync(path.join(LKML_FIXTURES, 'non-console'));
  const listed = [...index.matchAll(/^- ([\w.-]+\.log) \(/gm)]
    .map((m) => m[1])
    .filter((f) => nonConsole.includes(f))
    .map((f) => `non-console/${f}`);
  const requoted = fs.readdirSync(path.join(LKML_FIXTURES, 'requoted')).map((f) => `requoted/${f}`);
  return [...table, ...listed, ...requoted];
}

describe('lkml fixtures (INDEX.md)', () => {
  it('has an expectation for every fixture INDEX.md lists, and for no other file', () => {
    expect(indexedFiles().sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const result = analyzeLog(fs.readFileSync(path.join(LKML_FIXTURES, file)));

    it('classifies every crash as INDEX.md says', () => {
      expect(
        result.crashes.map((c) => ({
          title: c.title,
          type: c.type,
          frame: c.frame,
          corrupted: c.corrupted,
          startLine: c.startLine,
          endLine: c.endLine,
          count: c.count,
        })),
      ).toEqual(expected.crashes.map(({ header: _h, ...c }) => ({ count: 1, ...c })));
    });

    it('re-joins the mail-wrapped header line', () => {
      for (const [i, c] of expected.crashes.entries()) {
        if (c.header) expect(result.crashes[i].header).toBe(c.header);
      }
    });

    it('tells the arch where the text shows it', () => {
      expect(result.arch).toBe(expected.arch);
    });
  });

  it('takes the arch from --arch when the excerpt cannot tell', () => {
    const text = fs.readFileSync(path.join(LKML_FIXTURES, 'arm64-debug-vm-pgtable-warning-1.log'));
    const result = analyzeLog(text, { arch: 'arm64' });
    expect(result.arch).toBe('arm64');
    expect(result.crashes[0].arch).toBe('arm64');
  });

  it('keeps the report text of the s390 oops with its brackets repaired', () => {
    const result = analyzeLog(fs.readFileSync(path.join(LKML_FIXTURES, 's390-thp-oops-1.log')));
    const report = result.crashes[0].report.split('\n');
    expect(report[0]).toBe('[ 1851.721062] Unable to handle kernel pointer dereference in virtual kernel address space');
    expect(report).toContain('[ 1851.721189] Krnl PSW : 0704d0018000 0045d3b8 (__rb_erase_color+0x280/0x308)');
    expect(report[report.length - 1]).toBe('[ 1851.721329] ---[ end trace 0d80041ac00cfae2 ]---');
    expect(result.crashes[0].time).toBeCloseTo(1851.721062, 6);
  });
});
