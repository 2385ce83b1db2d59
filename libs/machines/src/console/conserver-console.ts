import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { sleep } from '../exec/run-command';
import { ConsoleConnectionBase } from './console-connection-base';
import { ConsoleError, type ConsoleConnection, type ConsoleDriver } from './console-driver';
import { spawnInPty } from './pty-process';

export interface ConserverTarget {
  host: string;
  port: number;
  name: string;
  username?: string;
}

export interface ConserverOptions {
  /** `console -s` (spy): never takes the write lock from a human; write() is then ignored. */
  readOnly?: boolean;
  openTimeoutMs?: number;
}

const BANNER = /\[Enter `\^Ec\?' for help\]\r?\n/;
/** Status lines the client prints right after attaching ("[spying]", "[attached]", "[read-only -- ...]", "[console is down]"). */
const STATUS_LINES = /^(?:\[[^\]\r\n]{1,80}\]\r?\n)+/;

/**
 * A console behind conserver, through its own client (`console -M host
 * -p port NAME`) in a pty. Interactive by default (conserver downgrades to
 * spying by itself when someone else holds the write lock); the password,
 * if the server asks for one, is typed into the pty, never put on argv.
 */
export class ConserverConsole implements ConsoleDriver {
  readonly describe: string;

  constructor(
    readonly target: ConserverTarget,
    private readonly password?: () => string,
    private readonly o: ConserverOptions = {},
  ) {
    this.describe = `conserver ${target.host}:${target.port} ${target.name}`;
  }

  argv(): string[] {
    const t = this.target;
    return ['console', '-M', t.host, '-p', String(t.port), ...(t.username ? ['-l', t.username] : []), ...(this.o.readOnly ? ['-s'] : []), t.name];
  }

  async open(): Promise<ConsoleConnection> {
    const child = spawnInPty(this.argv());
    const timeoutMs = this.o.openTimeoutMs ?? 15_000;
    const c = new ConserverConnection(child, this.describe, !!this.o.readOnly);
    return new Promise((resolve, reject) => {
      let pre = '';
      let sentPassword = false;
      let ready = false;
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new ConsoleError(`${this.describe}: ${why}`));
      };
      const timer = setTimeout(() => fail(`not attached within ${Math.round(timeoutMs / 1000)} s (console said: ${JSON.stringify(pre.trim().slice(-300))})`), timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        if (ready) return c.fromServer(d);
        pre += d.toString('latin1');
        if (!sentPassword && /password:\s*$/i.test(pre)) {
          if (!this.password) return fail('conserver asks for a password; set console.passwordRef in the inventory');
          sentPassword = true;
          let pw: string;
          try {
            pw = this.password();
          } catch (e) {
            return fail((e as Error).message);
          }
          child.stdin.write(pw + '\r');
          return;
        }
        const m = BANNER.exec(pre);
        if (!m) return;
        ready = true;
        clearTimeout(timer);
        c.fromServer(Buffer.from(pre.slice(m.index + m[0].length).replace(STATUS_LINES, ''), 'latin1'));
        resolve(c);
      });
      child.on('error', (e) => fail(`cannot start the conserver client under a pty: ${e.message}`));
      child.on('exit', (code, sig) => {
        // The client's reason (unknown console, access denied, no server) is what it printed.
        if (!ready) return fail(`the conserver client exited (${code ?? sig}): ${pre.replace(/\r/g, '').trim().slice(-300)}`);
        c.ended(`conserver client exited (${code ?? sig})`);
      });
    });
  }
}

class ConserverConnection extends ConsoleConnectionBase {
  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly describe: string,
    private readonly readOnly: boolean,
  ) {
    super();
  }

  fromServer(d: Buffer): void {
    this.emitData(d);
  }

  ended(reason: string): void {
    this.emitClose(`${this.describe}: ${reason}`);
  }

  write(data: string | Buffer): void {
    if (this.closed || this.readOnly) return;
    // Note: "^Ec" in the input is conserver's escape and would reach the client, not the machine.
    this.child.stdin.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.emitClose('closed by pfnlab');
    try {
      this.child.stdin.write('\x05c.'); // ^Ec. : disconnect
    } catch {
      /* gone */
    }
    for (let i = 0; i < 20 && this.child.exitCode === null && this.child.signalCode === null; i++) await sleep(100);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
