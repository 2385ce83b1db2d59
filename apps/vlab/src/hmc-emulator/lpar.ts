import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/*
 * One emulated LPAR: its status and the QEMU machine behind it. Loading
 * (IPL) runs deploy/vlab/start-machine.sh (the same one-shot staging as the
 * IPMI machines); the emulator is the console's client and keeps the
 * console lines as the LPAR's operating-system messages.
 */

export type LparStatus = 'not-activated' | 'not-operating' | 'operating' | 'exceptions';

export interface OsMessage {
  'sequence-number': number;
  'message-id': string;
  'message-text': string;
  timestamp: number;
  'is-priority': boolean;
  'is-held': boolean;
  'prompt-text': string | null;
  'os-name': string;
}

export interface LparConfig {
  id: string;
  name: string;
  machineDir: string;
  consolePort: number;
  startScript: string;
}

const MAX_MESSAGES = 20000;

export class Lpar {
  status: LparStatus = 'not-activated';
  lastLoadAddress = '';
  lastLoadParameter = '';
  private child?: ChildProcess;
  private sock?: net.Socket;
  private partial = '';
  private seq = 0;
  readonly messages: OsMessage[] = [];

  constructor(readonly cfg: LparConfig) {}

  get fault(): string {
    try { return fs.readFileSync(path.join(this.cfg.machineDir, 'fault'), 'utf8').trim(); } catch { return 'none'; }
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  activate(): void {
    if (this.status === 'not-activated') this.status = 'not-operating';
  }

  /** IPL: power the machine on (the start script) and attach to its console. */
  async load(address: string, parameter: string): Promise<void> {
    if (this.running) await this.stop(5000);
    this.lastLoadAddress = address;
    this.lastLoadParameter = parameter;
    this.status = 'not-operating';
    const child = spawn(this.cfg.startScript, [this.cfg.machineDir], { stdio: 'ignore', detached: false });
    this.child = child;
    child.on('exit', () => {
      if (this.child === child) {
        this.child = undefined;
        if (this.status === 'operating') this.status = 'not-operating';
      }
    });
    await this.attachConsole(child);
    if (this.child === child) this.status = 'operating';
  }

  /** Stops the machine; resolves false if it is still running after timeoutMs (fault no-poweroff). */
  async stop(timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (!child || !this.running) return true;
    child.kill('SIGTERM');
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && this.running) await new Promise((r) => setTimeout(r, 100));
    return !this.running;
  }

  async deactivate(timeoutMs: number): Promise<boolean> {
    const ok = await this.stop(timeoutMs);
    if (ok) this.status = 'not-activated';
    return ok;
  }

  sendCommand(text: string): boolean {
    if (!this.sock || this.sock.destroyed) return false;
    this.sock.write(text + '\n');
    return true;
  }

  private async attachConsole(child: ChildProcess): Promise<void> {
    this.sock?.destroy();
    for (let i = 0; i < 300 && this.child === child && this.running; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: this.cfg.consolePort });
        s.once('connect', () => {
          this.sock = s;
          s.on('data', (d) => this.onData(d));
          s.on('error', () => undefined);
          s.on('close', () => { if (this.sock === s) this.sock = undefined; this.flushPartial(); });
          resolve(true);
        });
        s.once('error', () => { s.destroy(); resolve(false); });
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private onData(d: Buffer): void {
    let text = this.partial + d.toString('utf8');
    const lines = text.split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.push(l);
    // A prompt without newline ("/ # ") is still worth showing.
    if (this.partial.length > 4096) { this.push(this.partial); this.partial = ''; }
    text = '';
  }

  private flushPartial(): void {
    if (this.partial) { this.push(this.partial); this.partial = ''; }
  }

  private push(line: string): void {
    const clean = line.replace(/\r/g, '');
    this.seq += 1;
    this.messages.push({
      'sequence-number': this.seq, 'message-id': `VLAB${this.seq}`, 'message-text': clean, timestamp: Date.now(),
      'is-priority': false, 'is-held': false, 'prompt-text': null, 'os-name': 'LINUX',
    });
    if (this.messages.length > MAX_MESSAGES) this.messages.splice(0, this.messages.length - MAX_MESSAGES);
  }

  /** Includes a pending partial line (e.g. a shell prompt) as a not-yet-numbered message. */
  pendingText(): string {
    return this.partial;
  }
}
