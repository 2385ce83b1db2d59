export {
  analyzeBuildLog,
  BUILD_LOG_LIMITS,
  type BuildError,
  type BuildErrorKind,
  type BuildLogAnalysis,
  type BuildWarning,
} from './build-log-analyzer';
export { BUILD_LINE_PATTERNS, classifyBuildLine, type LineMatch, type LineRole } from './build-log-patterns';
export { cleanText, MAX_LINE_CHARS, splitLogLines, type LogLine } from './build-log-text';
export { repairMailWraps, type LogicalLine } from './mail-wraps';
export {
  describeValue,
  isOff,
  optionName,
  parseKconfig,
  sameKconfigValue,
  type KconfigValue,
  type KconfigValues,
  type ParsedKconfig,
} from './kconfig-values';
export {
  evaluateKconfigExpr,
  evaluateParsed,
  parseKconfigExpr,
  MAX_EXPR_CHARS,
  type ExprEvaluation,
  type KconfigExpr,
  type OffSymbol,
  type ParsedExpr,
  type Tristate,
  type ValueSource,
} from './kconfig-expr';
export { kconfigDepends, type KconfigEntryDeps } from './kconfig-entry';
export { parseUnmetDependencies, type Selector, type UnmetDependency } from './kconfig-unmet';
export { checkKconfig, explainDropped, type KconfigMismatch } from './kconfig-check';
export { bloatName, BLOAT_O_METER_TYPES, isGeneratedSymbol, MAX_SYMBOL_SIZE, parseNmSymbols, type SymbolTable } from './nm-symbols';
export {
  bloatOMeter,
  BLOAT_O_METER_MODES,
  compareSymbolSizes,
  compareTables,
  formatBloatOMeter,
  formatPercent,
  type BloatOMeterMode,
  type SizeDelta,
  type SymbolDelta,
} from './size-delta';
export { hostBuildArch, isBuildArch, kernelArchTarget, type BuildArch, type KernelArchTarget } from './kernel-targets';
export { compilePercent, estimateCompiledObjects, isCompileLine } from './compile-progress';
export { baseBuildKey, buildKey, BUILD_KEY_VERSION, canonicalJson, normalizeKconfigLine, normalizeTree, type BuildKeyInputs } from './build-key';
export { selectForRetention, type RetentionEntry, type RetentionLimits, type RetentionSelection } from './artifact-retention';
