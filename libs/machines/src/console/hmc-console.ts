import { sleep } from '../exec/run-command';
import { HmcApiSession, HmcError } from '../hmc/hmc-api-session';
import { ConsoleConnectionBase } from './console-connection-base';
import { ConsoleError, type ConsoleConnection, type ConsoleDriver } from './console-driver';

export interface HmcConsoleOptions {
  /**
   * Poll interval of list-os-messages. 500 ms: lines reach the run within
   * half a second, at two small requests a second per LPAR, which an HMC
   * serves easily. (The real HMC also pushes OS messages over JMS/STOMP;
   * the vlab emulation has no broker, and polling works against both.)
   */
  pollIntervalMs?: number;
  /** Consecutive failed polls for this long end the connection (the run sees onClose). */
  giveUpAfterMs?: number;
  log?: (message: string) => void;
}

interface OsMessage {
  'sequence-number': number;
  'message-text': string;
}

class HmcMessagesConnection extends ConsoleConnectionBase {
  private stopped = false;
  private pendingInput = '';
  private sending: Promise<void> = Promise.resolve();
  private loop?: Promise<void>;

  constructor(
    private readonly session: HmcApiSession,
    private readonly lparUri: string,
    private next: number,
    private readonly o: Required<Omit<HmcConsoleOptions, 'log'>> & { log: (m: string) => void },
  ) {
    super();
    this.loop = this.poll();
  }

  private async poll(): Promise<void> {
    let failingSince: number | undefined;
    while (!this.stopped) {
      try {
        const r = await this.session.requestOk('list-os-messages', 'GET',
          `${this.lparUri}/operations/list-os-messages?begin-sequence-number=${this.next}&max-messages=1000`);
        failingSince = undefined;
        const msgs = ((r['os-messages'] ?? []) as OsMessage[]).sort((a, b) => a['sequence-number'] - b['sequence-number']);
        for (const m of msgs) {
          if (m['sequence-number'] < this.next) continue;
          this.next = m['sequence-number'] + 1;
          // One OS message is one console line.
          this.emitData(Buffer.from(m['message-text'] + '\n', 'utf8'));
        }
        if (msgs.length >= 1000) continue; // more are waiting
      } catch (e) {
        failingSince ??= Date.now();
        if (Date.now() - failingSince > this.o.giveUpAfterMs) {
          this.stopped = true;
          this.emitClose(`${this.session.describe}: OS messages unavailable for ${Math.round(this.o.giveUpAfterMs / 1000)} s (${(e as Error).message})`);
          return;
        }
      }
      await sleep(this.o.pollIntervalMs);
    }
  }

  /** Input is line-oriented on the HMC: every complete line becomes one send-os-cmd. */
  write(data: string | Buffer): void {
    if (this.closed) return;
    this.pendingInput += typeof data === 'string' ? data : data.toString('utf8');
    const parts = this.pendingInput.split(/\r\n|\r|\n/);
    this.pendingInput = parts.pop() ?? '';
    for (const line of parts) {
      this.sending = this.sending.then(async () => {
        try {
          await this.session.requestOk('send-os-cmd', 'POST', `${this.lparUri}/operations/send-os-cmd`,
            { 'operating-system-command-text': line, 'is-priority-command': false });
        } catch (e) {
          this.o.log(`${this.session.describe}: send-os-cmd failed: ${(e as Error).message}`);
        }
      });
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.emitClose('closed by pfnlab');
    await this.sending;
    await this.loop;
  }
}

/**
 * The LPAR's operating-system messages through the HMC Web Services API
 * (the same session as the HMC power driver): each new message becomes a
 * line (text + "\n"), in sequence-number order, from the moment of open()
 * on (older messages are history of earlier boots and are skipped).
 * Partial lines (a prompt without newline) are not emitted until complete.
 */
export class HmcConsole implements ConsoleDriver {
  readonly describe: string;
  private readonly o: Required<Omit<HmcConsoleOptions, 'log'>> & { log: (m: string) => void };

  constructor(
    private readonly session: HmcApiSession,
    o: HmcConsoleOptions = {},
  ) {
    this.describe = `hmc-os-messages ${session.describe.replace(/^hmc /, '')}`;
    this.o = { pollIntervalMs: o.pollIntervalMs ?? 500, giveUpAfterMs: o.giveUpAfterMs ?? 60_000, log: o.log ?? (() => undefined) };
  }

  async open(): Promise<ConsoleConnection> {
    try {
      const uri = await this.session.lparUri();
      const r = await this.session.requestOk('list-os-messages', 'GET', `${uri}/operations/list-os-messages`);
      const seqs = ((r['os-messages'] ?? []) as OsMessage[]).map((m) => m['sequence-number']);
      const next = seqs.reduce((a, b) => Math.max(a, b + 1), 0);
      return new HmcMessagesConnection(this.session, uri, next, this.o);
    } catch (e) {
      if (e instanceof HmcError) throw new ConsoleError(`${this.describe}: ${e.message}`);
      throw e;
    }
  }
}
