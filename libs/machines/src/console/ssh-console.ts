import { Client, type ClientChannel, type ConnectConfig, type PseudoTtyOptions } from 'ssh2';
import { HostKeyMismatchError, hostKeyFingerprint } from '../ssh/host-key';
import { shellQuote } from '../ssh/ssh-session';
import { ConsoleConnectionBase } from './console-connection-base';
import { ConsoleError, type ConsoleConnection, type ConsoleDriver } from './console-driver';

export interface SshConsoleTarget {
  host: string;
  port: number;
  username: string;
  /** Secret references (inventory `console.*Ref`); resolved on each open, named in errors, never their values. */
  privateKeyRef?: string;
  passwordRef?: string;
  /** Pinned host key (`SHA256:...`): any other key is refused before a credential is sent. */
  hostKeySha256?: string;
  /** The console client to run on the server; without it the login shell is the console. */
  command?: string[];
}

export interface SshConsoleOptions {
  /** Handshake, authentication and channel setup together. */
  openTimeoutMs?: number;
  /** Notes for the run log (the host key seen when none is pinned); never secrets. */
  log?: (message: string) => void;
}

/**
 * The remote command line for an argv: ssh exec hands the server ONE string
 * that the login shell parses, so every element is single-quoted (the form
 * in which a POSIX shell interprets nothing) and arrives as one literal word.
 */
export function remoteCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/*
 * A transparent pty: no echo, no CR/LF mapping, no signal or flow-control
 * characters. The machine's bytes arrive as it sent them and ^C, ^S, ^Q go
 * to the machine, also with relays that leave the terminal as they find it
 * (`socat -`, `nc`); clients that set raw mode themselves are unaffected.
 */
const RAW_PTY: PseudoTtyOptions = {
  term: 'vt100',
  rows: 24,
  cols: 200,
  modes: { ECHO: 0, ECHOE: 0, ECHOK: 0, ECHONL: 0, ICANON: 0, ISIG: 0, IEXTEN: 0, ICRNL: 0, INLCR: 0, IGNCR: 0, IXON: 0, IXOFF: 0, ISTRIP: 0, OPOST: 0, ONLCR: 0 },
};

/**
 * A console behind an SSH console server (Opengear, Avocent, Lantronix, or
 * a Linux host running conserver's `console` or socat). Host keys are pinned
 * as for SshSession: a mismatch aborts the handshake with
 * HostKeyMismatchError before authentication. `open()` resolves once the
 * channel runs, so capture can start before power-on.
 */
export class SshConsole implements ConsoleDriver {
  readonly describe: string;
  /** The unpinned key is reported once, not at every reconnect. */
  private reportedUnpinned = false;

  constructor(
    readonly target: SshConsoleTarget,
    private readonly resolveSecret: (ref: string) => string,
    private readonly o: SshConsoleOptions = {},
  ) {
    this.describe = `ssh-console ${target.username}@${target.host}:${target.port}`;
  }

  async open(): Promise<ConsoleConnection> {
    const t = this.target;
    const config = this.connectConfig();
    const client = new Client();
    const timeoutMs = this.o.openTimeoutMs ?? 20_000;
    return new Promise<ConsoleConnection>((resolve, reject) => {
      let settled = false;
      let mismatch: HostKeyMismatchError | undefined;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        reject(err);
      };
      const timer = setTimeout(() => fail(new ConsoleError(`${this.describe}: no console within ${Math.round(timeoutMs / 1000)} s; check that the console server is up and reachable`)), timeoutMs);
      config.hostVerifier = (key: Buffer) => {
        const seen = hostKeyFingerprint(key);
        if (t.hostKeySha256 && seen !== t.hostKeySha256) {
          mismatch = new HostKeyMismatchError(`${t.host}:${t.port}`, t.hostKeySha256, seen);
          // The shared message points at the machine's ssh settings; this pin lives elsewhere.
          mismatch.message = mismatch.message.replace('ssh.hostKeySha256', 'console.hostKeySha256');
          return false;
        }
        if (!t.hostKeySha256 && !this.reportedUnpinned) {
          this.reportedUnpinned = true;
          this.o.log?.(`${this.describe}: no host key pinned; the server presented ${seen} (pin it as console.hostKeySha256)`);
        }
        return true;
      };
      // ssh2 may emit several errors for one failure; an unheard one would crash the process.
      client.on('error', (err: Error & { level?: string }) => {
        if (mismatch) return fail(mismatch);
        if (err.level === 'client-authentication') return fail(new ConsoleError(`${this.describe}: the console server refused ${this.credentials()}; check that it is authorized for ${t.username} there`));
        fail(new ConsoleError(`${this.describe}: cannot connect (${err.message}); check that the console server is up and the port is right`));
      });
      client.once('close', () => fail(mismatch ?? new ConsoleError(`${this.describe}: the console server closed the connection during setup`)));
      client.once('ready', () => {
        const onChannel = (err: Error | undefined, channel: ClientChannel) => {
          if (err) return fail(new ConsoleError(`${this.describe}: the console server refused ${t.command ? `to run ${remoteCommandLine(t.command)}` : 'a shell'} (${err.message})`));
          if (settled) return void channel.close();
          settled = true;
          clearTimeout(timer);
          resolve(new SshConsoleConnection(client, channel, this.describe));
        };
        if (t.command) client.exec(remoteCommandLine(t.command), { pty: RAW_PTY }, onChannel);
        else client.shell(RAW_PTY, onChannel);
      });
      try {
        client.connect(config);
      } catch (e) {
        // ssh2 parses the key here; its message says what is wrong with it, never what it holds.
        const what = t.privateKeyRef ? `the private key from ${t.privateKeyRef} cannot be used` : 'invalid SSH settings';
        fail(new ConsoleError(`${this.describe}: ${what} (${(e as Error).message})`));
      }
    });
  }

  /** Secrets are resolved per open, so a fixed key or password takes effect at the next reconnect. */
  private connectConfig(): ConnectConfig {
    const t = this.target;
    if (!t.privateKeyRef && !t.passwordRef) throw new ConsoleError(`${this.describe}: no credential configured (set console.privateKeyRef or console.passwordRef)`);
    const secret = (ref: string | undefined) => {
      if (!ref) return undefined;
      try {
        return this.resolveSecret(ref);
      } catch (e) {
        throw new ConsoleError(`${this.describe}: ${(e as Error).message}`);
      }
    };
    return {
      host: t.host,
      port: t.port,
      username: t.username,
      privateKey: secret(t.privateKeyRef),
      password: secret(t.passwordRef),
      readyTimeout: this.o.openTimeoutMs ?? 20_000,
      // A console sits idle for long stretches: keepalives notice a dead path so it gets reopened.
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    };
  }

  private credentials(): string {
    const t = this.target;
    return [t.privateKeyRef && `the private key from ${t.privateKeyRef}`, t.passwordRef && `the password from ${t.passwordRef}`].filter(Boolean).join(' and ');
  }
}

/** One SSH channel as a console connection: output in, stdin out; ends with the channel or the connection. */
class SshConsoleConnection extends ConsoleConnectionBase {
  private exit?: string;

  constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
    private readonly describe: string,
  ) {
    super();
    channel.on('data', (d: Buffer) => this.emitData(d));
    // With a pty the server merges stderr into the terminal; anything still sent apart is console output too.
    channel.stderr.on('data', (d: Buffer) => this.emitData(d));
    channel.on('exit', (code: number | null, signal?: string) => (this.exit = signal ? `signal ${signal}` : `status ${code}`));
    channel.on('close', () => this.ended());
    client.on('error', (e: Error) => this.emitClose(`${this.describe}: connection error (${e.message})`));
    client.on('close', () => this.ended());
  }

  private ended(): void {
    this.emitClose(`${this.describe}: ${this.exit ? `the console session ended (${this.exit})` : 'the console server closed the session'}`);
    this.client.end();
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.channel.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.emitClose('closed by pfnlab');
    await new Promise<void>((r) => {
      this.client.once('close', () => r());
      this.channel.close();
      this.client.end();
      setTimeout(() => {
        this.client.destroy();
        r();
      }, 1000).unref();
    });
  }
}
