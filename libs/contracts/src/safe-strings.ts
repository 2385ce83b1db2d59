import { z } from 'zod';

/*
 * Strict grammars for every string that may end up on a lab machine's shell
 * or in a command line the agent builds. They are checked at the API's door,
 * so `; rm -rf /`, `$(...)`, backticks, quotes and newlines never get in.
 * The agent still passes them as argv, never through a shell, where it can.
 */

/** A machine, lab, tag or payload name: lowercase-friendly identifier. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const NameSchema = z.string().max(63).regex(NAME_RE, 'must be letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A git ref or commit: what `git check-ref-format` allows, minus anything a shell would interpret. */
export const GIT_REF_RE = /^(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?![-/.])[A-Za-z0-9._/+-]{1,200}(?<![./]|\.lock)$/;
export const GitRefSchema = z.string().max(200).regex(GIT_REF_RE, 'is not a safe git ref (letters, digits, "._/+-", no "..")');

/** A relative or absolute path with no shell metacharacters and no `..` components. */
export const SAFE_PATH_RE = /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/+@=-]{1,1024}$/;
export const SafePathSchema = z.string().max(1024).regex(SAFE_PATH_RE, 'is not a safe path (letters, digits, "._/+@=-", no ".." components)');

/** A git remote: https/git/ssh URL or a local path; no shell metacharacters. */
export const TREE_URL_RE = /^(?:(?:https?|git|ssh):\/\/[A-Za-z0-9._~:@%/+-]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/+-]+|\/[A-Za-z0-9._/+@=-]+)$/;
export const TreeUrlSchema = z.string().max(1024).regex(TREE_URL_RE, 'is not a git URL (https://, git://, ssh://, user@host:path) or an absolute local path');

/**
 * One kernel command-line parameter: `name` or `name=value`. Values may hold
 * commas, colons, dots, slashes (`earlycon=uart8250,io,0x3f8,115200`,
 * `memmap=4G!12G`) but no quotes, spaces, `$`, backticks, `;`, `|`, `&`,
 * redirections or globs.
 */
export const CMDLINE_PARAM_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(?:=[A-Za-z0-9_.,:/@%+=!-]{0,256})?$/;
export const CmdlineParamSchema = z.string().max(320).regex(CMDLINE_PARAM_RE, 'is not a safe kernel parameter (name or name=value; no quotes, spaces, $, `, ;, |, &, <, >)');

/** A Kconfig option assignment as in a config fragment line. */
export const KCONFIG_LINE_RE = /^(?:CONFIG_[A-Z0-9_]{1,100}=(?:y|m|n|-?[0-9]{1,20}|0x[0-9a-fA-F]{1,16}|"[A-Za-z0-9 ._,:/=+-]{0,200}")|# CONFIG_[A-Z0-9_]{1,100} is not set)$/;
export const KconfigLineSchema = z.string().max(320).regex(KCONFIG_LINE_RE, 'is not a Kconfig line (CONFIG_X=y|m|n|number|"string", or "# CONFIG_X is not set")');
