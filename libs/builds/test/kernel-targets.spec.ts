import { compilePercent, estimateCompiledObjects, hostBuildArch, isCompileLine, kernelArchTarget } from '@pfnlab/builds';

describe('kernelArchTarget', () => {
  it('builds x86_64 natively on an x86_64 host and cross-compiles the others with Debian prefixes', () => {
    const host = hostBuildArch('x64');
    expect(kernelArchTarget('x86_64', host)).toMatchObject({ kernelArch: 'x86_64', crossCompile: '', image: 'arch/x86/boot/bzImage' });
    expect(kernelArchTarget('arm64', host)).toMatchObject({ kernelArch: 'arm64', crossCompile: 'aarch64-linux-gnu-', image: 'arch/arm64/boot/Image', extraImages: ['arch/arm64/boot/Image.gz'] });
    expect(kernelArchTarget('s390x', host)).toMatchObject({ kernelArch: 's390', crossCompile: 's390x-linux-gnu-', image: 'arch/s390/boot/bzImage' });
    expect(kernelArchTarget('ppc64le', host)).toMatchObject({ kernelArch: 'powerpc', crossCompile: 'powerpc64le-linux-gnu-', image: 'vmlinux', defconfigTarget: 'ppc64le_defconfig' });
  });

  it('makes the generic bases ppc64le with the kernel\'s own ppc64le.config, and names what each arch\'s .config must say', () => {
    const host = hostBuildArch('x64');
    // powerpc's tinyconfig/allnoconfig are 32-bit big-endian: PPC64 and CPU_LITTLE_ENDIAN have no default.
    expect(kernelArchTarget('ppc64le', host)).toMatchObject({ archFragment: 'ppc64le.config', archConfig: ['CONFIG_PPC64=y', 'CONFIG_CPU_LITTLE_ENDIAN=y'], makeTargets: ['vmlinux'] });
    expect(kernelArchTarget('s390x', host)).toMatchObject({ archFragment: null, archConfig: ['CONFIG_S390=y', 'CONFIG_64BIT=y'], makeTargets: ['bzImage'] });
    expect(kernelArchTarget('arm64', host)).toMatchObject({ archFragment: null, archConfig: ['CONFIG_ARM64=y'], makeTargets: ['Image.gz'] });
    expect(kernelArchTarget('x86_64', host)).toMatchObject({ archFragment: null, archConfig: ['CONFIG_X86_64=y'], makeTargets: ['bzImage'] });
  });

  it('hands out copies: a caller cannot change the table', () => {
    const a = kernelArchTarget('ppc64le', null);
    a.archConfig.push('CONFIG_X=y');
    a.makeTargets.push('zImage');
    expect(kernelArchTarget('ppc64le', null).archConfig).toEqual(['CONFIG_PPC64=y', 'CONFIG_CPU_LITTLE_ENDIAN=y']);
    expect(kernelArchTarget('ppc64le', null).makeTargets).toEqual(['vmlinux']);
  });

  it('builds arm64 natively on an arm64 host', () => {
    expect(kernelArchTarget('arm64', hostBuildArch('arm64')).crossCompile).toBe('');
    expect(kernelArchTarget('x86_64', hostBuildArch('arm64')).crossCompile).toBe('x86_64-linux-gnu-');
  });
});

describe('compile progress', () => {
  it('counts kbuild CC lines, not HOSTCC or other steps', () => {
    expect(isCompileLine('  CC      init/main.o')).toBe(true);
    expect(isCompileLine('  CC [M]  fs/ext4/inode.o')).toBe(true);
    expect(isCompileLine('  HOSTCC  scripts/basic/fixdep')).toBe(false);
    expect(isCompileLine('  LD      vmlinux')).toBe(false);
    expect(isCompileLine('init/main.c:714: error: CC')).toBe(false);
  });

  it('estimates from enabled options and never says 100% before make ends', () => {
    const config = Array.from({ length: 400 }, (_, i) => `CONFIG_X${i}=y`).join('\n') + '\n# CONFIG_Y is not set\nCONFIG_S="a"\n';
    expect(estimateCompiledObjects(config)).toBe(550);
    expect(compilePercent(0, 550)).toBe(0);
    expect(compilePercent(275, 550)).toBe(50);
    expect(compilePercent(900, 550)).toBe(99);
  });
});
