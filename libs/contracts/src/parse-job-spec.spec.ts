import { parseJobSpecText, validateJobSpec, jobSpecJsonSchema } from '@pfnlab/contracts';

const GOOD = `
name: boot x86 with memmap_on_memory
kernel:
  tree: https://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm.git
  ref: mm-unstable
  patches: [patches/0001-mm-fix-pfn_valid.patch]
  config:
    base: defconfig
    fragments: ["CONFIG_MEMORY_HOTPLUG=y", "# CONFIG_DEBUG_INFO is not set"]
arch: x86_64
target:
  selector: { arch: x86_64, tags: [vlab], minMemoryMiB: 1024 }
boot:
  cmdline: [memory_hotplug.memmap_on_memory=1, "earlycon=uart8250,io,0x3f8,115200", "memmap=4G!12G"]
tests:
  - hotplug-offline-online
  - name: pfn-walk
    params: { iterations: 3 }
priority: high
`;

describe('parseJobSpecText', () => {
  it('accepts a full spec and fills defaults', () => {
    const r = parseJobSpecText(GOOD);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.priority).toBe(75);
    expect(r.value.repeat).toBe(1);
    expect(r.value.boot.earlycon).toBe(true);
    expect(r.value.boot.silenceSeconds).toBe(120);
    expect(r.value.tests).toEqual([
      { name: 'hotplug-offline-online', params: {} },
      { name: 'pfn-walk', params: { iterations: 3 } },
    ]);
    expect('tree' in r.value.kernel && r.value.kernel.toolchain).toBe('gcc');
  });

  it('accepts JSON, and a reference to an existing build', () => {
    const r = parseJobSpecText(JSON.stringify({ kernel: { build: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }, arch: 'arm64', target: { machine: 'tx2-01' } }));
    expect(r.ok).toBe(true);
  });

  it('reports every problem with its path, line and column', () => {
    const text = [
      'kernel:',
      '  tree: https://example.org/linux.git',
      '  ref: "main; rm -rf /"',
      'arch: sparc',
      'target: { machine: x86-01 }',
      'boot:',
      '  cmdline: ["console=ttyS0", "init=$(reboot)"]',
      '  timeoutz: {boot: 10}',
      'repeat: 0',
    ].join('\n');
    const r = parseJobSpecText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual(['arch', 'boot.cmdline[1]', 'boot.timeoutz', 'kernel.ref', 'repeat']);
    expect(byPath['kernel.ref']).toMatchObject({ line: 3, column: 8 });
    expect(byPath['kernel.ref'].message).toMatch(/safe git ref/);
    expect(byPath['boot.cmdline[1]']).toMatchObject({ line: 7 });
    expect(byPath['boot.timeoutz']).toMatchObject({ line: 8, column: 3, message: 'unknown field "timeoutz"' });
    expect(byPath['arch']).toMatchObject({ line: 4, column: 7 });
  });

  it.each([
    ['cmdline with ;', { boot: { cmdline: ['quiet;reboot'] } }, 'boot.cmdline[0]'],
    ['cmdline with backticks', { boot: { cmdline: ['x=`id`'] } }, 'boot.cmdline[0]'],
    ['cmdline with a space', { boot: { cmdline: ['a b'] } }, 'boot.cmdline[0]'],
    ['cmdline with a newline', { boot: { cmdline: ['a=1\nb'] } }, 'boot.cmdline[0]'],
    ['ref with $()', { kernel: { tree: '/srv/linux', ref: '$(id)' } }, 'kernel.ref'],
    ['ref with ..', { kernel: { tree: '/srv/linux', ref: 'a..b' } }, 'kernel.ref'],
    ['ref starting with -', { kernel: { tree: '/srv/linux', ref: '--upload-pack=x' } }, 'kernel.ref'],
    ['tree with ;', { kernel: { tree: '/srv/linux;id', ref: 'main' } }, 'kernel.tree'],
    ['patch path traversal', { kernel: { tree: '/srv/linux', ref: 'main', patches: ['../../etc/shadow'] } }, 'kernel.patches[0]'],
    ['patch with $', { kernel: { tree: '/srv/linux', ref: 'main', patches: ['p$HOME.patch'] } }, 'kernel.patches[0]'],
    ['fragment injection', { kernel: { tree: '/srv/linux', ref: 'main', config: { base: 'defconfig', fragments: ['CONFIG_X=y; id'] } } }, 'kernel.config.fragments[0]'],
    ['test param with |', { tests: [{ name: 'pfn-walk', params: { mode: 'a|b' } }] }, 'tests[0].params.mode'],
    ['machine name with /', { target: { machine: '../x' } }, 'target.machine'],
  ])('refuses %s at the door', (_label, patch, path) => {
    const base = { kernel: { tree: '/srv/linux', ref: 'main' }, arch: 'x86_64', target: { machine: 'x86-01' } };
    const r = validateJobSpec({ ...base, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path)).toContain(path);
  });

  it('enforces size limits on strings and lists', () => {
    const r = validateJobSpec({
      kernel: { tree: '/srv/linux', ref: 'main' },
      arch: 'x86_64',
      target: { machine: 'x86-01' },
      boot: { cmdline: Array.from({ length: 65 }, (_, i) => `p${i}=1`) },
      description: 'x'.repeat(5000),
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.path).sort()).toEqual(['boot.cmdline', 'description']);
  });

  it('refuses a document over the size limit and YAML syntax errors with a position', () => {
    const big = parseJobSpecText(`description: "${'x'.repeat(300 * 1024)}"`);
    expect(big.ok || big.problems[0].message).toMatch(/larger than/);
    const bad = parseJobSpecText('arch: x86_64\nkernel: [unclosed\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]).toMatchObject({ path: '', line: expect.any(Number) });
    const dup = parseJobSpecText('arch: x86_64\narch: arm64\n');
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems[0].message).toMatch(/unique|duplicate/i);
  });

  it('rejects a selector whose arch contradicts the job arch', () => {
    const r = validateJobSpec({ kernel: { tree: '/srv/linux', ref: 'main' }, arch: 'x86_64', target: { selector: { arch: 'arm64' } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].path).toBe('target.selector.arch');
  });

  it('publishes a JSON Schema that forbids unknown fields', () => {
    const schema = jobSpecJsonSchema() as { additionalProperties: boolean; required: string[]; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['arch', 'kernel', 'target']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['kernel', 'boot', 'tests', 'repeat', 'baseline', 'priority', 'notify']));
  });
});
