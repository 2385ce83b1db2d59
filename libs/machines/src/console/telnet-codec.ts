/*
 * The minimum of telnet (RFC 854/855) a console needs, as pure functions:
 * every option the server offers or asks for is refused (DONT / WONT), so
 * the stream stays a plain NVT byte stream; that includes RFC 2217's
 * COM-PORT-OPTION, which ser2net then simply does not use. IAC sequences and
 * subnegotiations are stripped from the data, IAC IAC is a 0xFF data byte,
 * and the NVT's CR NUL is a bare CR.
 */

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

type State = 'data' | 'cr' | 'iac' | 'option' | 'sb' | 'sb-iac';

export interface DecodeResult {
  /** Console bytes, protocol removed. */
  data: Buffer;
  /** What to send back (the refusals). */
  reply: Buffer;
}

/** Stateful across chunks: a sequence may be split anywhere. */
export class TelnetDecoder {
  private state: State = 'data';
  private verb = 0;

  push(chunk: Buffer): DecodeResult {
    const out: number[] = [];
    const reply: number[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'cr':
          this.state = 'data';
          if (b === 0) break; // CR NUL is CR
          this.data(b, out);
          break;
        case 'data':
          this.data(b, out);
          break;
        case 'iac':
          if (b === IAC) {
            out.push(IAC);
            this.state = 'data';
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.verb = b;
            this.state = 'option';
          } else if (b === SB) {
            this.state = 'sb';
          } else {
            this.state = 'data'; // NOP, GA, AYT, BRK...: nothing to show
          }
          break;
        case 'option':
          // Refuse what is offered or asked; acknowledging WONT/DONT would loop.
          if (this.verb === WILL) reply.push(IAC, DONT, b);
          else if (this.verb === DO) reply.push(IAC, WONT, b);
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          break;
        case 'sb-iac':
          this.state = b === SE ? 'data' : 'sb';
          break;
      }
    }
    return { data: Buffer.from(out), reply: Buffer.from(reply) };
  }

  private data(b: number, out: number[]): void {
    if (b === IAC) {
      this.state = 'iac';
      return;
    }
    out.push(b);
    if (b === 0x0d) this.state = 'cr';
  }
}

/** Console input to the wire: IAC doubled, a CR not followed by LF sent as CR NUL. */
export function telnetEncode(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === IAC) out.push(IAC, IAC);
    else if (b === 0x0d && data[i + 1] !== 0x0a) out.push(0x0d, 0);
    else out.push(b);
  }
  return Buffer.from(out);
}
