/**
 * A live console connection: raw bytes as the machine sends them (escape
 * sequences, NULs and all; libs/console makes lines of them).
 */
export interface ConsoleConnection {
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once when the connection ends, with a reason for the run log. */
  onClose(listener: (reason: string) => void): void;
  write(data: string | Buffer): void;
  close(): Promise<void>;
}

export class ConsoleError extends Error {}

/**
 * Opens a machine's console (IPMI SOL, raw TCP, telnet/RFC 2217, conserver,
 * an SSH console server, the HMC's OS messages). `open()` resolves only once
 * bytes can flow, so a run can start capture BEFORE powering on.
 */
export interface ConsoleDriver {
  readonly describe: string;
  open(): Promise<ConsoleConnection>;
}
