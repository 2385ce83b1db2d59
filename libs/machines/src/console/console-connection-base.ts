import type { ConsoleConnection } from './console-driver';

/**
 * The listener bookkeeping every console connection shares. Bytes that
 * arrive before the first onData listener (between open() resolving and the
 * caller subscribing) are held, not lost: early boot output is the most
 * valuable. The close reason is delivered exactly once, also to a listener
 * that subscribes after the end.
 */
export abstract class ConsoleConnectionBase implements ConsoleConnection {
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private held: Buffer[] = [];
  private closedReason?: string;

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
    if (this.held.length) {
      const held = this.held;
      this.held = [];
      for (const c of held) listener(c);
    }
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  protected emitData(chunk: Buffer): void {
    if (chunk.length === 0 || this.closed) return;
    if (this.dataListeners.length === 0) this.held.push(chunk);
    else for (const l of this.dataListeners) l(chunk);
  }

  protected emitClose(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  abstract write(data: string | Buffer): void;
  abstract close(): Promise<void>;
}
