import { createHash } from 'node:crypto';
import { baseBuildKey, buildKey, canonicalJson, normalizeKconfigLine, normalizeTree, type BuildKeyInputs } from '@pfnlab/builds';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const COMMIT = 'a'.repeat(40);

function inputs(over: Partial<BuildKeyInputs> = {}): BuildKeyInputs {
  return {
    tree: 'https://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm.git',
    commit: COMMIT,
    arch: 'x86_64',
    configBase: 'tinyconfig',
    fragments: ['CONFIG_PRINTK=y', 'CONFIG_MEMORY_HOTPLUG=y'],
    patches: [sha('patch 1'), sha('patch 2')],
    toolchain: { kind: 'gcc', versions: { gcc: 'gcc (Debian 12.2.0-14) 12.2.0', make: 'GNU Make 4.3' } },
    ...over,
  };
}

describe('buildKey', () => {
  it('is a sha256 hex digest, the same for identical inputs', () => {
    const key = buildKey(inputs());
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(buildKey(inputs())).toBe(key);
  });

  it('is the sha256 of the documented canonical JSON (sorted keys, version 1)', () => {
    const canonical =
      '{"arch":"x86_64","commit":"' + COMMIT + '","config":{"target":"tinyconfig"},"fragments":["CONFIG_PRINTK=y"],"patches":[],' +
      '"toolchain":{"kind":"gcc","versions":{"gcc":"12"}},"tree":"/srv/linux","version":1}';
    const key = buildKey({ tree: '/srv/linux/', commit: COMMIT, arch: 'x86_64', configBase: 'tinyconfig', fragments: ['CONFIG_PRINTK=y'], patches: [], toolchain: { kind: 'gcc', versions: { gcc: '12' } } });
    expect(key).toBe(sha(canonical));
  });

  it('changes with each field', () => {
    const base = buildKey(inputs());
    const variants: Partial<BuildKeyInputs>[] = [
      { tree: 'https://github.com/torvalds/linux' },
      { commit: 'b'.repeat(40) },
      { arch: 'arm64' },
      { configBase: 'defconfig' },
      { configBase: 'file', configBaseSha256: sha('a stored .config') },
      { fragments: ['CONFIG_PRINTK=y', 'CONFIG_MEMORY_HOTPLUG=n'] },
      { fragments: ['CONFIG_PRINTK=y'] },
      { patches: [sha('patch 1')] },
      { patches: [sha('patch 1'), sha('patch 2 v2')] },
      { toolchain: { kind: 'llvm', versions: { gcc: 'gcc (Debian 12.2.0-14) 12.2.0', make: 'GNU Make 4.3' } } },
      { toolchain: { kind: 'gcc', versions: { gcc: 'gcc (Debian 12.2.0-15) 12.2.0', make: 'GNU Make 4.3' } } },
      { toolchain: { kind: 'gcc', versions: { gcc: 'gcc (Debian 12.2.0-14) 12.2.0', make: 'GNU Make 4.3', ccache: 'ccache version 4.8' } } },
    ];
    const keys = variants.map((v) => buildKey(inputs(v)));
    for (const k of keys) expect(k).not.toBe(base);
    expect(new Set(keys).size).toBe(variants.length);
  });

  it('depends on patch order and fragment order (later Kconfig lines win)', () => {
    const [p1, p2] = inputs().patches;
    expect(buildKey(inputs({ patches: [p2, p1] }))).not.toBe(buildKey(inputs()));
    expect(buildKey(inputs({ fragments: ['CONFIG_X=y', 'CONFIG_X=n'] }))).not.toBe(buildKey(inputs({ fragments: ['CONFIG_X=n', 'CONFIG_X=y'] })));
  });

  it('is stable across object key order', () => {
    const a = inputs();
    const b: BuildKeyInputs = {
      toolchain: { versions: { make: 'GNU Make 4.3', gcc: 'gcc (Debian 12.2.0-14) 12.2.0' }, kind: 'gcc' },
      patches: a.patches,
      fragments: a.fragments,
      configBase: a.configBase,
      arch: a.arch,
      commit: a.commit,
      tree: a.tree,
    };
    expect(buildKey(b)).toBe(buildKey(a));
  });

  it('ignores what does not change the build: .git, trailing slashes, blanks, comments, a stored config\'s path', () => {
    const k = buildKey(inputs());
    expect(buildKey(inputs({ tree: 'https://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm' }))).toBe(k);
    expect(buildKey(inputs({ tree: 'https://git.kernel.org/pub/scm/linux/kernel/git/akpm/mm.git/' }))).toBe(k);
    expect(buildKey(inputs({ fragments: ['  CONFIG_PRINTK=y\t', '', '# enable hotplug', 'CONFIG_MEMORY_HOTPLUG=y'] }))).toBe(k);
    const file = sha('stored config');
    expect(buildKey(inputs({ configBase: '/srv/configs/a.config', configBaseSha256: file }))).toBe(buildKey(inputs({ configBase: 'file', configBaseSha256: file })));
    // ... but a "not set" line is meaningful, and whitespace inside a quoted value is kept.
    expect(buildKey(inputs({ fragments: [...inputs().fragments, '# CONFIG_SWAP is not set'] }))).not.toBe(k);
    expect(normalizeKconfigLine('#   CONFIG_SWAP  is not set ')).toBe('# CONFIG_SWAP is not set');
    expect(normalizeKconfigLine('CONFIG_CMDLINE="console=ttyS0   quiet"')).toBe('CONFIG_CMDLINE="console=ttyS0   quiet"');
  });

  it('refuses bad inputs with an error naming the field', () => {
    expect(() => buildKey(inputs({ commit: 'v6.1' }))).toThrow(/commit "v6.1" is not a full 40-hex commit hash/);
    expect(() => buildKey(inputs({ commit: 'A'.repeat(40) }))).toThrow(/commit/);
    expect(() => buildKey(inputs({ commit: 'a'.repeat(12) }))).toThrow(/commit/);
    expect(() => buildKey(inputs({ tree: ' / ' }))).toThrow(/tree is empty/);
    expect(() => buildKey(inputs({ arch: 'sparc' }))).toThrow(/arch "sparc"/);
    expect(() => buildKey(inputs({ configBase: '/srv/a.config' }))).toThrow(/configBase .* needs configBaseSha256/);
    expect(() => buildKey(inputs({ configBase: 'defconfig', configBaseSha256: sha('x') }))).toThrow(/configBaseSha256 is only for a stored config file/);
    expect(() => buildKey(inputs({ configBase: 'file', configBaseSha256: 'abc' }))).toThrow(/configBaseSha256 "abc"/);
    expect(() => buildKey(inputs({ patches: [sha('ok'), 'not-a-hash'] }))).toThrow(/patches\[1\] "not-a-hash"/);
    expect(() => buildKey(inputs({ fragments: ['CONFIG_A=y\nCONFIG_B=y'] }))).toThrow(/fragments\[0\] holds more than one line/);
    expect(() => buildKey(inputs({ toolchain: { kind: 'icc' as 'gcc', versions: { icc: '1' } } }))).toThrow(/toolchain.kind "icc"/);
    expect(() => buildKey(inputs({ toolchain: { kind: 'gcc', versions: {} } }))).toThrow(/toolchain.versions is empty/);
  });
});

describe('baseBuildKey', () => {
  it('is the key of the same inputs without patches', () => {
    const patched = inputs();
    const base = baseBuildKey(patched);
    expect(base).toBe(buildKey(inputs({ patches: [] })));
    expect(base).not.toBe(buildKey(patched));
    expect(baseBuildKey(inputs({ patches: [sha('another series')] }))).toBe(base);
    expect(baseBuildKey(inputs({ patches: [] }))).toBe(base);
  });
});

describe('helpers', () => {
  it('normalizeTree strips trailing slashes and .git, repeatedly', () => {
    expect(normalizeTree('/srv/linux.git/')).toBe('/srv/linux');
    expect(normalizeTree('/srv/linux.git//')).toBe('/srv/linux');
    expect(normalizeTree('git@host:linux.git')).toBe('git@host:linux');
    expect(normalizeTree('/srv/linux.github')).toBe('/srv/linux.github');
  });

  it('canonicalJson sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
