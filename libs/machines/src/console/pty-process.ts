import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';

/*
 * Runs a console client that insists on a terminal (ipmitool sol activate,
 * conserver's `console`) under a pseudo-terminal. python3's pty.spawn takes
 * the client's argv as a list and execs it directly, so no shell ever parses
 * an argument. `script -qfec` was the alternative, but it takes ONE string
 * that it hands to $SHELL -c (quoting and injection risk, and the agent's
 * $SHELL decides), and its options differ between util-linux versions.
 * The client puts the pty in raw mode itself, so bytes pass unchanged both
 * ways (no echo, no CR/LF translation).
 */

const PTY_SPAWN = 'import pty, sys\nsys.exit(pty.spawn(sys.argv[1:]) >> 8)';

function python3(): string {
  // The system interpreter: a version manager's shim may be slow or missing on a lab agent.
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Spawns argv under a pty; env carries secrets (never argv). */
export function spawnInPty(argv: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(python3(), ['-c', PTY_SPAWN, ...argv], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}
