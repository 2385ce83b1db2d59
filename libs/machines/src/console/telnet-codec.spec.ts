import { DO, DONT, IAC, SB, SE, TelnetDecoder, WILL, WONT, telnetEncode } from './telnet-codec';

const b = (...x: Array<number | string>) => Buffer.concat(x.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));

describe('telnet codec', () => {
  it('refuses every option and strips the negotiation from the data', () => {
    const d = new TelnetDecoder();
    // ser2net's opening: WILL ECHO, WILL SGA, DO COM-PORT (44), then text
    const r = d.push(b(IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 44, 'login: '));
    expect(r.data.toString('latin1')).toBe('login: ');
    expect([...r.reply]).toEqual([IAC, DONT, 1, IAC, DONT, 3, IAC, WONT, 44]);
    // WONT/DONT are not answered (no negotiation loops)
    expect([...d.push(b(IAC, WONT, 1, IAC, DONT, 44)).reply]).toEqual([]);
  });

  it('strips subnegotiations, keeps IAC IAC as 0xff, CR NUL as CR', () => {
    const d = new TelnetDecoder();
    const r = d.push(b('a', IAC, SB, 44, 101, 1, IAC, IAC, 2, IAC, SE, 'b', IAC, IAC, 'c\r', 0, 'd\r\ne'));
    expect([...r.data]).toEqual([...b('ab', 0xff, 'c\rd\r\ne')]);
    expect(r.reply.length).toBe(0);
  });

  it('handles sequences split across chunks', () => {
    const d = new TelnetDecoder();
    const out: number[] = [];
    const reply: number[] = [];
    for (const byte of b('x', IAC, WILL, 1, 'y\r', 0, IAC, SB, 1, IAC, SE, 'z', IAC, 241)) {
      const r = d.push(Buffer.from([byte]));
      out.push(...r.data);
      reply.push(...r.reply);
    }
    expect(Buffer.from(out).toString('latin1')).toBe('xy\rz');
    expect(reply).toEqual([IAC, DONT, 1]);
  });

  it('encodes input: IAC doubled, lone CR as CR NUL', () => {
    expect([...telnetEncode(b('a', 0xff, 'b\r', 'c\r\n'))]).toEqual([...b('a', IAC, IAC, 'b\r', 0, 'c\r\n')]);
  });
});
