import type { BuildArch, BuildLogAnalysis } from '@pfnlab/builds';
import { BUILD_PHASES, type BuildArtifact, type BuildPhase, type SizeDeltaSummary } from '@pfnlab/contracts';

/** What to build: the job spec's `kernel:` section, resolved to local files. */
export interface BuildRequest {
  /** A git URL or an absolute local path (TREE_URL_RE). */
  tree: string;
  ref: string;
  arch: BuildArch;
  /** `defconfig` | `tinyconfig` | `allnoconfig` | `allmodconfig`, or an absolute path to a stored config file. */
  configBase: string;
  /** Fragment files, merged in order. */
  fragments: string[];
  /** Patch files or mboxes, applied in order with `git am`. */
  patches: string[];
  toolchain: 'gcc' | 'llvm';
  /** Where the artifacts go. */
  outDir: string;
}

export { BUILD_PHASES, type BuildPhase };

export interface BuildProgress {
  phase: BuildPhase;
  /** 0-100 within the compile phase; null for the others. */
  percent: number | null;
  message?: string;
}

export type BuildStatus = 'PASS' | 'FAIL' | 'ERROR';

export interface DroppedOption {
  option: string;
  requested: string;
  actual: string;
  /** explainDropped's sentence, with the unmet dependency when Kconfig tells. */
  explanation: string;
}

export interface BuildResult {
  status: BuildStatus;
  /** One line: the first compile error, the patch that did not apply, the dropped option... */
  title: string;
  arch: BuildArch;
  /** The boot image in the artifacts directory, or null when none was built. */
  image: string | null;
  artifacts: string[];
  seconds: number;
  droppedOptions: DroppedOption[];
  /** The phase the build stopped in (package when it passed). */
  phase: BuildPhase;
  commit: string | null;
  analysis?: BuildLogAnalysis;
  /** More lines for humans (git am's message, each dropped option's explanation). */
  detail?: string;
  /** Content address of the inputs (libs/builds buildKey); null when the build stopped before it was known. */
  contentHash: string | null;
  /** True when an identical stored build was fetched instead of building. */
  reused: boolean;
  /** The artifacts with sizes and hashes (file names in the artifacts directory). */
  files: BuildArtifact[];
  /** Where the build is stored (artifact store URI), null without a store. */
  location: string | null;
  /** Against the base build (no patches), when the store has it. */
  sizeDelta: SizeDeltaSummary | null;
  /** metadata.json's content (PASS only). */
  metadata: Record<string, unknown>;
}

/**
 * A build that stops: FAIL when the inputs are at fault in a way the
 * developer wants to hear (a patch that does not apply, code that does not
 * compile), ERROR when the build could not be judged (a dropped option, a
 * missing ref or toolchain).
 */
export class BuildStop extends Error {
  constructor(
    readonly status: 'FAIL' | 'ERROR',
    readonly title: string,
    readonly detail?: string,
    readonly extra: Partial<Pick<BuildResult, 'droppedOptions' | 'analysis'>> = {},
  ) {
    super(title);
  }
}
