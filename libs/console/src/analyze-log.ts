import { ConsoleAnalyzer, type ConsoleAnalyzerOptions } from './console-analyzer';
import type { AnalysisResult } from './types';

/**
 * Analyses a whole log held in memory (tests, small logs). For files, feed
 * chunks to a ConsoleAnalyzer instead so that memory stays flat.
 */
export function analyzeLog(
  input: Uint8Array | string | Iterable<Uint8Array | string>,
  options: ConsoleAnalyzerOptions = {},
): AnalysisResult {
  const analyzer = new ConsoleAnalyzer(options);
  if (typeof input === 'string' || input instanceof Uint8Array) analyzer.push(input);
  else for (const chunk of input) analyzer.push(chunk);
  return analyzer.end();
}
