/**
 * What `make` needs per pfnlab arch (contracts' ARCHES: `uname -m` names) and
 * which files it leaves behind: kernel ARCH, the Debian cross prefix when the
 * host is another arch, the image target and the image paths relative to O=,
 * and what makes a .config this arch's and not a sibling's.
 */

export type BuildArch = 'x86_64' | 'arm64' | 's390x' | 'ppc64le';

export interface KernelArchTarget {
  arch: BuildArch;
  /** make's ARCH=. */
  kernelArch: string;
  /** CROSS_COMPILE= for Debian's cross gcc ('' when building natively). */
  crossCompile: string;
  /** make targets that produce the boot image (vmlinux comes with them). */
  makeTargets: string[];
  /** The boot image, relative to the object directory. */
  image: string;
  /** Further images worth keeping (arm64's Image.gz). */
  extraImages: string[];
  /** The make target a job's `defconfig` means on this arch. */
  defconfigTarget: string;
  /**
   * The kernel's own config fragment (a `make NAME.config` target, from
   * arch/ARCH/configs/) that turns the arch's generic bases into this arch:
   * null when ARCH= alone decides. Applied after tinyconfig, allnoconfig and
   * allmodconfig, never after defconfig (defconfigTarget already is the arch's).
   */
  archFragment: string | null;
  /**
   * Kconfig lines every .config built for this arch must have: a config
   * without them builds a kernel for another arch (powerpc's tinyconfig is
   * 32-bit big-endian), so the compile refuses it.
   */
  archConfig: string[];
}

type TargetRow = Omit<KernelArchTarget, 'arch' | 'crossCompile'> & { cross: string };

const TARGETS: Record<BuildArch, TargetRow> = {
  // ARCH=x86_64 makes 64BIT the only choice: no fragment needed.
  x86_64: {
    kernelArch: 'x86_64', cross: 'x86_64-linux-gnu-', makeTargets: ['bzImage'], image: 'arch/x86/boot/bzImage', extraImages: [],
    defconfigTarget: 'defconfig', archFragment: null, archConfig: ['CONFIG_X86_64=y'],
  },
  // Image.gz depends on Image, so one target gives both.
  arm64: {
    kernelArch: 'arm64', cross: 'aarch64-linux-gnu-', makeTargets: ['Image.gz'], image: 'arch/arm64/boot/Image', extraImages: ['arch/arm64/boot/Image.gz'],
    defconfigTarget: 'defconfig', archFragment: null, archConfig: ['CONFIG_ARM64=y'],
  },
  // s390 is 64-bit only since 4.1; bzImage is what zipl and the HMC's load take.
  s390x: {
    kernelArch: 's390', cross: 's390x-linux-gnu-', makeTargets: ['bzImage'], image: 'arch/s390/boot/bzImage', extraImages: [],
    defconfigTarget: 'defconfig', archFragment: null, archConfig: ['CONFIG_S390=y', 'CONFIG_64BIT=y'],
  },
  // ARCH=powerpc covers 32/64-bit and both endians, and its generic bases are
  // 32-bit big-endian (PPC64 and CPU_LITTLE_ENDIAN have no default): the
  // kernel's own arch/powerpc/configs/ppc64le.config (PPC64=y,
  // CPU_LITTLE_ENDIAN=y) makes them ppc64le, as ppc64le_defconfig does for
  // defconfig. petitboot and kexec boot the plain vmlinux.
  ppc64le: {
    kernelArch: 'powerpc', cross: 'powerpc64le-linux-gnu-', makeTargets: ['vmlinux'], image: 'vmlinux', extraImages: [],
    defconfigTarget: 'ppc64le_defconfig', archFragment: 'ppc64le.config', archConfig: ['CONFIG_PPC64=y', 'CONFIG_CPU_LITTLE_ENDIAN=y'],
  },
};

/** Node's process.arch → pfnlab arch (null for hosts pfnlab does not build on natively). */
export function hostBuildArch(nodeArch: string): BuildArch | null {
  return ({ x64: 'x86_64', arm64: 'arm64', s390x: 's390x', ppc64: 'ppc64le' } as Record<string, BuildArch>)[nodeArch] ?? null;
}

export function isBuildArch(s: string): s is BuildArch {
  return Object.prototype.hasOwnProperty.call(TARGETS, s);
}

/** The target for `arch` built on a `host` machine: cross prefix only when they differ. */
export function kernelArchTarget(arch: BuildArch, host: BuildArch | null): KernelArchTarget {
  const t = TARGETS[arch];
  return {
    arch,
    kernelArch: t.kernelArch,
    crossCompile: host === arch ? '' : t.cross,
    makeTargets: [...t.makeTargets],
    image: t.image,
    extraImages: [...t.extraImages],
    defconfigTarget: t.defconfigTarget,
    archFragment: t.archFragment,
    archConfig: [...t.archConfig],
  };
}
