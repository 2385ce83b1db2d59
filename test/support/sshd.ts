import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-instance';

/** A real OpenSSH server on loopback for tests, with its own host key and one authorized client key; it logs to `logFile`. */
export class TestSshd {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'pfnlab-sshd-'));
  port = 0;
  readonly clientKey: string;
  readonly hostKeyFingerprint: string;
  readonly logFile = join(this.dir, 'sshd.log');

  constructor() {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'client_key')]);
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(join(this.dir, 'client_key.pub')));
    this.clientKey = readFileSync(join(this.dir, 'client_key'), 'utf8');
    this.hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(this.dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1];
  }

  async start(): Promise<void> {
    this.port = await freePort();
    mkdirSync('/run/sshd', { recursive: true });
    const cfg = join(this.dir, 'sshd_config');
    writeFileSync(
      cfg,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_key')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'Subsystem sftp internal-sftp',
        // Records each authentication attempt, so a test can tell whether a client got that far.
        'LogLevel VERBOSE',
      ].join('\n') + '\n',
    );
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-E', this.logFile, '-f', cfg], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await new Promise<boolean>((r) => connect(this.port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); r(true); }).once('error', () => r(false))))) {
      if (Date.now() > deadline) throw new Error('sshd did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills every session process (as a crashing or restarted console server would), leaving the listener up; returns how many. */
  killSessions(): number {
    const descendants = (pid: number): number[] => {
      let children: number[] = [];
      try {
        children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      } catch {
        // pgrep exits 1 when there are none.
      }
      return children.flatMap((c) => [c, ...descendants(c)]);
    };
    const pids = this.proc?.pid ? descendants(this.proc.pid) : [];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone with its parent */
      }
    }
    return pids.length;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) await new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
