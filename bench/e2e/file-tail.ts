import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { wallMs } from './bench-common';

export interface TailedLine {
  /** Line number in the tail (0 = first line completed after the tail started). */
  n: number;
  text: string;
  /** wallMs() of the poll that found the line complete. */
  at: number;
}

/**
 * `tail -f` by polling: every `intervalMs` it reads what was appended to
 * `file` since the last poll and reports each completed line with the time
 * of the poll that saw it. The delay between a writer's write() and that
 * time is the tail's own measurement error (see TailFloor). Starts at the
 * file's current end unless `fromStart` (and at 0 if it does not exist
 * yet: it may be created later, as an agent's spool is); a truncated or
 * replaced file is read again from its start.
 */
export class FileTail {
  private fd: number | null = null;
  private ino = 0;
  private pos = 0;
  private partial = Buffer.alloc(0);
  private n = 0;
  private timer?: NodeJS.Timeout;
  private readonly buf = Buffer.alloc(1 << 20);

  constructor(
    readonly file: string,
    private readonly onLine: (l: TailedLine) => void,
    private readonly intervalMs = 5,
    fromStart = false,
  ) {
    try {
      const st = statSync(file);
      this.pos = fromStart ? 0 : st.size;
      this.ino = st.ino;
    } catch {
      this.pos = 0;
    }
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private poll(): void {
    if (this.fd === null) {
      try {
        this.fd = openSync(this.file, 'r');
      } catch {
        return; // not there yet
      }
      const st = fstatSync(this.fd);
      if (st.ino !== this.ino) this.pos = this.ino ? 0 : Math.min(this.pos, st.size);
      this.ino = st.ino;
    }
    const size = fstatSync(this.fd).size;
    if (size < this.pos) this.pos = 0;
    while (this.pos < size) {
      const got = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (got <= 0) break;
      this.pos += got;
      this.split(this.buf.subarray(0, got), wallMs());
    }
    // A spool file deleted with its run: let the next poll find a new one.
    try {
      if (statSync(this.file).ino !== this.ino) throw new Error('replaced');
    } catch {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private split(chunk: Buffer, at: number): void {
    let data = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
      this.onLine({ n: this.n++, text: data.subarray(0, nl).toString('latin1'), at });
      data = data.subarray(nl + 1);
    }
    this.partial = Buffer.from(data);
  }
}
