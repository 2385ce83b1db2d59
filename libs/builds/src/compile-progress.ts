/**
 * Compile progress from kbuild's quiet output: each `  CC      mm/foo.o` line
 * is one object done, measured against an estimate of the objects the
 * config builds (the count of a previous build of the same config when one
 * is known, else a rough guess from the number of enabled options).
 */

/** `  CC      init/main.o`, `  CC [M]  fs/x.o`: one C object compiled (not `CC` of host tools: those are `HOSTCC`). */
const CC_LINE = /^ {2}CC(?: \[M\])? {1,8}\S/;

export function isCompileLine(line: string): boolean {
  return CC_LINE.test(line);
}

/**
 * A rough object count for a .config: on 6.1, x86_64 tinyconfig plus a console
 * fragment (414 options on) compiles 573 objects; about one object per
 * enabled option plus a fixed core is close enough to drive a percentage
 * until a real count of the same config is known.
 */
export function estimateCompiledObjects(dotConfig: string): number {
  let enabled = 0;
  for (const line of dotConfig.split('\n')) if (/^CONFIG_[A-Z0-9_]+=[ym]$/.test(line)) enabled++;
  return Math.max(200, 150 + enabled);
}

/** Percentage done, never 100 before make has finished (the estimate may be low). */
export function compilePercent(done: number, estimate: number): number {
  if (estimate <= 0) return 0;
  return Math.min(99, Math.floor((done * 100) / estimate));
}
