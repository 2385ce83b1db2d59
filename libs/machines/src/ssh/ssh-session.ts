import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { HostKeyMismatchError, hostKeyFingerprint } from './host-key';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey?: string;
  password?: string;
  /** Pinned host key (`SHA256:...`). Without one the session records the key it saw, for an operator to pin. */
  hostKeySha256?: string;
  connectTimeoutMs?: number;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs: number;
  /** Called with each chunk of output as it arrives (live payload progress). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Output kept in the result, per stream; beyond it only the tail is kept. */
  maxBufferBytes?: number;
}

/**
 * One SSH connection to a lab machine (ssh2). Host keys are pinned: a
 * mismatch aborts the handshake with HostKeyMismatchError before any
 * credential is sent.
 */
export class SshSession {
  private constructor(
    private readonly client: Client,
    readonly seenHostKey: string,
  ) {}

  static connect(target: SshTarget): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      let seen = '';
      let mismatch: HostKeyMismatchError | undefined;
      const cfg: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        password: target.password,
        readyTimeout: target.connectTimeoutMs ?? 15_000,
        hostVerifier: (key: Buffer) => {
          seen = hostKeyFingerprint(key);
          if (target.hostKeySha256 && seen !== target.hostKeySha256) {
            mismatch = new HostKeyMismatchError(`${target.host}:${target.port}`, target.hostKeySha256, seen);
            return false;
          }
          return true;
        },
      };
      client.once('ready', () => resolve(new SshSession(client, seen)));
      // ssh2 may emit several errors (refused, then a handshake timeout); an unheard one would crash the process.
      client.on('error', (err) => {
        client.end();
        reject(mismatch ?? new Error(`SSH to ${target.username}@${target.host}:${target.port} failed: ${err.message}`));
      });
      client.connect(cfg);
    });
  }

  /**
   * Runs a command. `argv` is quoted for the remote POSIX shell here, so
   * no element is ever interpreted by it. A timeout asks for SIGKILL and
   * closes the channel, then reports timedOut; servers that ignore signal
   * requests (OpenSSH without a pty) may leave the command running, which
   * is why a run that timed out always ends with the machine's recovery.
   */
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const command = argv.map(shellQuote).join(' ');
    const max = opts.maxBufferBytes ?? 4 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel: ClientChannel) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        const keep = (buf: string, add: string) => (buf.length + add.length > max ? (buf + add).slice(-max) : buf + add);
        let settled = false;
        const finish = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ code, signal, stdout, stderr, timedOut });
        };
        const timer = setTimeout(() => {
          timedOut = true;
          channel.signal('KILL');
          channel.close();
          // Do not wait for a remote side that ignores both.
          setTimeout(finish, 1000).unref();
        }, opts.timeoutMs);
        channel.on('data', (d: Buffer) => {
          const s = d.toString('utf8');
          stdout = keep(stdout, s);
          opts.onStdout?.(s);
        });
        channel.stderr.on('data', (d: Buffer) => {
          const s = d.toString('utf8');
          stderr = keep(stderr, s);
          opts.onStderr?.(s);
        });
        let code: number | null = null;
        let signal: string | null = null;
        channel.on('exit', (c: number | null, sig?: string) => {
          code = c;
          signal = sig ?? null;
        });
        channel.on('close', finish);
      });
    });
  }

  /**
   * One SFTP channel per session, opened on first use: some servers
   * (dropbear) refuse a new sftp subsystem while the previous one winds down.
   */
  private sftpChannel?: Promise<SFTPWrapper>;

  private sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    });
    this.sftpChannel.catch(() => (this.sftpChannel = undefined));
    return this.sftpChannel;
  }

  /** Uploads a file (kernel, initrd, payload) over SFTP, with the given mode. */
  async upload(localPath: string, remotePath: string, mode = 0o644): Promise<void> {
    const sftp = await this.sftp().catch((e: Error) => {
      throw new Error(`SFTP upload of ${localPath} to ${remotePath} failed: ${e.message}`);
    });
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(localPath, remotePath, { mode }, (e) => (e ? reject(new Error(`SFTP upload of ${localPath} to ${remotePath} failed: ${e.message}`)) : resolve())),
    );
  }

  /** Writes a small file (a generated config) over SFTP. */
  async writeFile(remotePath: string, content: string, mode = 0o644): Promise<void> {
    const sftp = await this.sftp().catch((e: Error) => {
      throw new Error(`SFTP write of ${remotePath} failed: ${e.message}`);
    });
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(remotePath, content, { mode }, (e) => (e ? reject(new Error(`SFTP write of ${remotePath} failed: ${e.message}`)) : resolve())),
    );
  }

  close(): void {
    this.sftpChannel?.then((s) => s.end()).catch(() => undefined);
    this.client.end();
  }
}

/** POSIX single-quote quoting: the one form in which the shell interprets nothing. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./=:,@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
