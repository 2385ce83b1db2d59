import { cleanLine, decodeLine, LineAssembler, parsePrintkPrefix } from '@pfnlab/console';
import { bodyOffset } from '../src/printk-prefix';

interface Out {
  text: string;
  seq: number;
  arrival: number;
  overlong: boolean;
}

function assemble(chunks: Array<string | Uint8Array>, maxLineBytes?: number): Out[] {
  const out: Out[] = [];
  const a = new LineAssembler(
    (b, s, e, seq, arrival, overlong) => out.push({ text: decodeLine(b, s, e), seq, arrival, overlong }),
    { maxLineBytes },
  );
  chunks.forEach((c, i) => a.push(typeof c === 'string' ? new TextEncoder().encode(c) : c, i * 10));
  a.end();
  return out;
}

const texts = (o: Out[]) => o.map((l) => l.text);

describe('LineAssembler', () => {
  it('ends lines at LF, CRLF, a lone CR and LF-CR alike', () => {
    expect(texts(assemble(['a\nb\r\nc\rd\n\re\n']))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps empty lines so that line numbers match the file', () => {
    const out = assemble(['a\n\nb\r\n\r\nc\n']);
    expect(texts(out)).toEqual(['a', '', 'b', '', 'c']);
    expect(out.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('joins a line split across chunks, also a CRLF split between chunks', () => {
    const out = assemble(['[   1.000', '000] hel', 'lo\r', '\nnext\n']);
    expect(texts(out)).toEqual(['[   1.000000] hello', 'next']);
    expect(out[0].arrival).toBe(0); // the arrival of its first byte
    expect(out[1].arrival).toBe(30);
  });

  it('decodes a UTF-8 character split across chunks once the line is whole', () => {
    const bytes = new TextEncoder().encode('µs → ok\n');
    const out = assemble([bytes.subarray(0, 1), bytes.subarray(1, 5), bytes.subarray(5)]);
    expect(texts(out)).toEqual(['µs → ok']);
  });

  it('emits the unterminated last line at the end', () => {
    expect(texts(assemble(['one\ntwo']))).toEqual(['one', 'two']);
  });

  it('caps very long lines without splitting a UTF-8 sequence', () => {
    const long = 'é'.repeat(100); // 200 bytes
    const out = assemble([`${long}\nshort\n`], 64);
    expect(out.slice(0, -1).every((l) => l.overlong && l.text.length > 0)).toBe(true);
    expect(out.slice(0, -1).map((l) => l.text).join('')).toBe(long);
    expect(out[out.length - 1]).toMatchObject({ text: 'short', overlong: false });
  });

  it('caps a long line that arrives in many small chunks (memory stays bounded)', () => {
    const out = assemble([...Array.from({ length: 50 }, () => 'x'.repeat(10)), '\n'], 64);
    expect(out.map((l) => l.text.length)).toEqual([64, 64, 64, 64, 64, 64, 64, 52]);
    expect(out.every((l) => l.overlong)).toBe(true);
  });

  it('shows the pending line (a prompt without newline)', () => {
    const a = new LineAssembler(() => undefined);
    a.push(new TextEncoder().encode('boot ok\nlab-x86 login: '));
    expect(new TextDecoder().decode(a.pending())).toBe('lab-x86 login: ');
    expect(a.lines).toBe(1);
  });
});

describe('cleanLine', () => {
  it('removes ANSI colour, cursor and title escapes', () => {
    expect(cleanLine('\x1b[0;32m[  OK  ]\x1b[0m Started \x1b]0;title\x07unit\x1b[2K\x1b(B.')).toBe('[  OK  ] Started unit.');
  });

  it('removes NULs, other control bytes and undecodable bytes, keeps tabs', () => {
    const bytes = new Uint8Array([0, 0, 0xff, 0x5b, 0x31, 0x5d, 0x09, 0x61, 0x07, 0x62, 0xfe]);
    expect(decodeLine(bytes, 0, bytes.length)).toBe('[1]\tab');
  });

  it('repairs "¢ ... !" bracket mangling but leaves a BUG line\'s "!" alone', () => {
    expect(cleanLine('¢ 1851.721062! kernel BUG at mm/x.c:12!')).toBe('[ 1851.721062] kernel BUG at mm/x.c:12!');
    expect(cleanLine('¢ 1851.721273! (¢<83e45898>! 0x83e45898)')).toBe('[ 1851.721273] ([<83e45898>] 0x83e45898)');
  });
});

describe('parsePrintkPrefix', () => {
  it.each([
    ['[   12.345678] msg', 12.345678, null, 'msg'],
    ['[   12.345678][    T123] msg', 12.345678, 'T123', 'msg'],
    ['[   12.345678] [     C1] msg', 12.345678, 'C1', 'msg'],
    ['[    T1] msg', null, 'T1', 'msg'],
    ['<4>[    3.000001] msg', 3.000001, null, 'msg'],
    ['[   10.123456789,5] OPAL: msg', 10.123456789, null, 'OPAL: msg'],
    ['Nov 22 08:20:01 lab-x86 kernel: [   99.000001] msg', 99.000001, null, 'msg'],
    ['2025-11-22T08:20:01.123456+00:00 lab-x86 kernel: msg', null, null, 'msg'],
    ['[   59.876045]R:0 T:1 IO:1', 59.876045, null, 'R:0 T:1 IO:1'],
    ['[   59.875935] [ cut here ]', 59.875935, null, '[ cut here ]'],
    ['no timestamp at all', null, null, 'no timestamp at all'],
    ['    indented', null, null, 'indented'],
  ])('%s', (line, time, caller, body) => {
    expect(parsePrintkPrefix(line)).toEqual({ time, caller, body });
  });

  it('finds the same body start on raw bytes (the hot path)', () => {
    for (const line of [
      '[   12.345678] msg',
      '[   12.345678][    T123] msg',
      '[   12.345678] [     C1] msg',
      '[    T1] msg',
      '<4>[    3.000001] msg',
      '[12345678.000001] msg',
      'Nov 22 08:20:01 lab-x86 kernel: [   99.000001] msg',
      '[   59.875935] [ cut here ]',
      'plain msg',
    ]) {
      const bytes = new TextEncoder().encode(line);
      const body = parsePrintkPrefix(line).body;
      expect(line.slice(bodyOffset(bytes, 0, bytes.length))).toBe(body);
    }
  });
});
