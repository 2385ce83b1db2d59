import type { BuildContext, CrashKind, TitleParts } from './crash-kind';

// A C identifier between the quotes gcc and ld use: ‘x’, `x', 'x'.
const QUOTED = /[`‘'"]([A-Za-z_][\w.$]{0,200})['’"]/;
// gcc reflowed by a mailer: "conflicting types for" / "‘arch_remove_memory’ ..."
const DANGLING = /\b(?:for|of|to|in|from|with|as)$/;

/** The symbol a build error is about, and the function it happened in (`context`, when known). */
export function buildErrorParts(message: string, next: string | undefined, context: string | null) {
  let msg = message.trim();
  let quoted = QUOTED.exec(msg)?.[1] ?? null;
  if (!quoted && next !== undefined && DANGLING.test(msg)) {
    const q = /^[`‘'"]([A-Za-z_][\w.$]{0,200})['’"]/.exec(next.trim());
    if (q) {
      quoted = q[1];
      msg = `${msg} '${quoted}'`;
    }
  }
  msg = msg.replace(/[`‘’]/g, "'");
  return { message: msg, symbol: quoted, frame: context ?? quoted };
}

/** A context line applies to errors of its own file; link errors name no file of their own. */
function contextFunc(context: BuildContext | null, file: string | undefined): string | null {
  if (!context) return null;
  return file === undefined || file === context.file ? context.func : null;
}

function buildTitle(p: TitleParts, group: number): string {
  const { message, frame } = buildErrorParts(p.groups[group] ?? '', p.lines[1], p.frame);
  return frame && !message.includes(`'${frame}'`) ? `build error: ${message} in ${frame}` : `build error: ${message}`;
}

/**
 * Compiler and linker errors, so that `pfnlab log analyze` on a build log
 * names the failure the same way on every run. {frame} is filled by the
 * detector from the last "In function" line, else from the quoted symbol.
 */
export const BUILD_KINDS: readonly CrashKind[] = [
  {
    // "mm/arch_pgtable_test.c: In function ‘pud_clear_tests’:" / "ld: mm/sparse.o: in function `f':"
    id: 'build-context',
    prefixes: [],
    buildShape: true,
    header: /^(?:\S{0,40}ld(?:\.\w{1,10})?: )?([\w./+-]{1,200}): [Ii]n function [`‘']([\w.$]{1,200})['’]:/,
    role: 'context',
    title: '',
    type: 'BUILD',
  },
  {
    // "mm/arch_pgtable_test.c:156:17: error: lvalue required as left operand of assignment"
    id: 'compile-error',
    prefixes: [],
    buildShape: true,
    header: /^([\w./+-]{1,200}\.[A-Za-z]{1,4}):(\d{1,7}):(?:\d{1,5}:)? (?:fatal )?error: (.{1,300})/,
    role: 'report',
    title: (p) => buildTitle(p, 3),
    type: 'BUILD',
    maxLines: 2,
    frameOf: (g, lines, ctx) => buildErrorParts(g[3], lines[1], contextFunc(ctx, g[1])).frame,
  },
  {
    // "(.text+0x49fa6): undefined reference to `vmemmap_free_bootmem'"; "sparse.c:(.text+0x1a): undefined reference to `f'"
    id: 'link-error',
    prefixes: [],
    buildShape: true,
    header: /^(?:\S{0,40}ld(?:\.\w{1,10})?: )?(?:[\w./+-]{1,200}:)?\([.\w]{1,60}\+0x[0-9a-f]{1,16}\): (undefined reference to .{1,200})/,
    role: 'report',
    title: (p) => buildTitle(p, 1),
    type: 'BUILD',
    maxLines: 1,
    frameOf: (g, lines, ctx) => buildErrorParts(g[1], lines[1], contextFunc(ctx, undefined)).frame,
  },
  {
    // ERROR: modpost: "vmemmap_free" [mm/foo.ko] undefined!
    id: 'modpost-undefined',
    prefixes: ['ERROR: modpost: '],
    header: /^ERROR: modpost: "([\w.$]{1,200})" \[[^\]]{1,200}\] undefined!/,
    role: 'report',
    title: "build error: undefined reference to '{1}'",
    type: 'BUILD',
    frameOf: (g) => g[1],
    maxLines: 1,
  },
];
