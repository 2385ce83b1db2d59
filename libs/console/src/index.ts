export * from './types';
export { ConsoleAnalyzer, type ConsoleAnalyzerOptions } from './console-analyzer';
export { analyzeLog } from './analyze-log';
export { LineAssembler, type LineAssemblerOptions, type LineRangeSink } from './line-assembler';
export { cleanLine, decodeLine } from './line-cleaner';
export { parsePrintkPrefix, type PrintkPrefix } from './printk-prefix';
export { BootMilestoneTracker, MILESTONE_RULES } from './boot-milestones';
export { ArchDetector, archOfLine } from './arch-detector';
export { CrashDetector } from './crash-detector';
export { CRASH_KINDS, matchHeader } from './crash-kinds';
export type { CrashKind, CrashRole, FrameSource } from './crash-kind';
export { formatCrashTitle, normalizeTitleText, MAX_TITLE_LENGTH } from './crash-title';
export { normalizeFrameName, parseFrameLine, pcFrame } from './frames';
export { MailWrapJoiner } from './mail-wrap-joiner';
export {
  SilenceDetector,
  DEFAULT_SILENCE_WINDOWS,
  type SilenceFinding,
  type SilenceKind,
  type SilenceWindows,
} from './silence-detector';
