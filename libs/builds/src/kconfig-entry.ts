/**
 * Finds what a Kconfig symbol depends on in Kconfig source text: the
 * `depends on` lines of its `config`/`menuconfig` entry, and those it
 * inherits from enclosing `if` blocks, `menu`s and `choice`s of the same
 * text. Help text is skipped. What other files add (a `source`d file's own
 * enclosing blocks, `visible if`) is not seen.
 */

export interface KconfigEntryDeps {
  /** The entry's own `depends on` expressions, in order. */
  own: string[];
  /** Conditions of enclosing `if` blocks and `menu`/`choice` depends, outermost first. */
  inherited: string[];
  /** Conditions of its prompt (`bool "Foo" if EXPERT`): without them a user's value is ignored too. */
  promptIf: string[];
  /** All of them as one expression (`A && (B || C) && D`), or '' when there is none. */
  expr: string;
  /** Whether the entry has a prompt (without one, a user's value is ignored: only select/default set it). */
  hasPrompt: boolean;
}

const MAX_LINES = 200_000;
const MAX_STACK = 64;

interface Block {
  kind: 'if' | 'menu' | 'choice';
  deps: string[];
}

/**
 * The dependencies of `symbol` (with or without CONFIG_). A symbol defined
 * several times gets the definitions' dependencies or-ed, as Kconfig does;
 * null when `kconfigText` does not define it.
 */
export function kconfigDepends(kconfigText: string, symbol: string): KconfigEntryDeps | null {
  const name = symbol.trim().replace(/^CONFIG_/, '');
  const lines = logicalLines(kconfigText);
  const stack: Block[] = [];
  const found: KconfigEntryDeps[] = [];
  // the entry whose attributes the next lines are (null: a config of another symbol, source, comment...)
  let current: { mine: boolean } | Block | null = null;
  let helpIndent = -1; // inside help text: its indentation once known, else 0
  let inHelp = false;

  for (const raw of lines) {
    const indent = indentOf(raw);
    const line = stripComment(raw).trim();
    if (inHelp) {
      if (line === '' && raw.trim() === '') continue;
      if (helpIndent < 0) helpIndent = indent;
      if (indent >= helpIndent && raw.trim() !== '') continue;
      inHelp = false;
    }
    if (line === '') continue;
    const [word, rest] = splitWord(line);
    switch (word) {
      case 'config':
      case 'menuconfig': {
        current = { mine: rest === name };
        if (current.mine) found.push({ own: [], inherited: stack.flatMap((b) => b.deps), promptIf: [], expr: '', hasPrompt: false });
        break;
      }
      case 'if':
        if (stack.length < MAX_STACK) stack.push({ kind: 'if', deps: [rest] });
        current = null;
        break;
      case 'endif':
      case 'endmenu':
      case 'endchoice':
        if (stack.length > 0) stack.pop();
        current = null;
        break;
      case 'menu':
      case 'choice':
        current = { kind: word, deps: [] };
        if (stack.length < MAX_STACK) stack.push(current);
        break;
      case 'depends':
        if (!current || !rest.startsWith('on ')) break;
        if ('deps' in current) current.deps.push(rest.slice(3).trim());
        else if (current.mine) found[found.length - 1].own.push(rest.slice(3).trim());
        break;
      case 'bool':
      case 'tristate':
      case 'string':
      case 'int':
      case 'hex':
      case 'prompt':
      case 'def_bool':
      case 'def_tristate': {
        if (!current || !('mine' in current) || !current.mine) break;
        const prompt = /^"(?:[^"\\]|\\.){0,500}"(?:\s+if\s+(.+))?$/.exec(rest);
        if (!prompt || word.startsWith('def_')) break;
        const f = found[found.length - 1];
        f.hasPrompt = true;
        if (prompt[1]) f.promptIf.push(prompt[1].trim());
        break;
      }
      case 'help':
      case '---help---':
        inHelp = true;
        helpIndent = -1;
        break;
      case 'source':
      case 'comment':
      case 'mainmenu':
        current = null;
        break;
      default:
        break;
    }
  }
  if (found.length === 0) return null;
  for (const f of found) f.expr = andAll([...f.inherited, ...f.own, ...f.promptIf]);
  if (found.length === 1) return found[0];
  return {
    own: found.flatMap((f) => f.own),
    inherited: [],
    promptIf: found.flatMap((f) => f.promptIf),
    expr: found.map((f) => (f.expr === '' ? 'y' : paren(f.expr, '||'))).join(' || '),
    hasPrompt: found.some((f) => f.hasPrompt),
  };
}

/** Joins with &&, parenthesising the parts that have a top-level || (the only weaker operator). */
function andAll(parts: readonly string[]): string {
  return parts.filter((p) => p !== '').map((p) => (parts.length > 1 ? paren(p, '&&') : p)).join(' && ');
}

function paren(expr: string, joiner: '&&' | '||'): string {
  return joiner === '&&' && hasTopLevelOr(expr) ? `(${expr})` : expr;
}

function hasTopLevelOr(expr: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === '|' && expr[i + 1] === '|') return true;
  }
  return false;
}

/** Lines with backslash continuations joined. */
function logicalLines(text: string): string[] {
  const physical = text.split(/\r?\n|\r/, MAX_LINES);
  const out: string[] = [];
  let parts: string[] = [];
  for (const p of physical) {
    const cont = p.endsWith('\\');
    const body = cont ? p.slice(0, -1) : p;
    parts.push(parts.length === 0 ? body.trimEnd() : body.trim());
    if (!cont) {
      out.push(parts.join(' '));
      parts = [];
    }
  }
  if (parts.length > 0) out.push(parts.join(' '));
  return out;
}

function indentOf(line: string): number {
  let n = 0;
  for (const c of line) {
    if (c === ' ') n++;
    else if (c === '\t') n = (Math.floor(n / 8) + 1) * 8;
    else break;
  }
  return n;
}

/** Drops a '#' comment that is not inside a string. */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function splitWord(line: string): [string, string] {
  const m = /^(\S{1,40})\s*(.*)$/.exec(line);
  return m ? [m[1], m[2].trim()] : [line, ''];
}
