import { capLog, sanitizeMetadata, sanitizeReport, stripUrlCredentials } from './build-report-sanitizer';

describe('build report sanitizer', () => {
  it('drops credentials from URLs and keeps everything else', () => {
    expect(stripUrlCredentials('https://bot:ghp_abc123@github.com/torvalds/linux.git')).toBe('https://github.com/torvalds/linux.git');
    expect(stripUrlCredentials('https://ghp_abc123@github.com/x.git')).toBe('https://github.com/x.git');
    expect(stripUrlCredentials('s3://AKIA:wJalr@bucket/prefix')).toBe('s3://bucket/prefix');
    expect(stripUrlCredentials('ssh://git@host/linux.git')).toBe('ssh://git@host/linux.git');
    expect(stripUrlCredentials('git@github.com:torvalds/linux.git')).toBe('git@github.com:torvalds/linux.git');
    expect(stripUrlCredentials('https://host/a@b and Signed-off-by: A <a@b.org>')).toBe('https://host/a@b and Signed-off-by: A <a@b.org>');
    expect(stripUrlCredentials('fetch https://u:p@h/x then https://v:q@h/y')).toBe('fetch https://h/x then https://h/y');
  });

  it('replaces NUL characters, which PostgreSQL refuses, in values and keys', () => {
    expect(sanitizeReport({ log: 'a\u0000b', list: ['c\u0000'], ['k\u0000']: 1, n: 5 })).toEqual({ log: 'a\uFFFDb', list: ['c\uFFFD'], ['k\uFFFD']: 1, n: 5 });
  });

  it('redacts credential-like metadata keys', () => {
    expect(sanitizeMetadata({ tree: 'https://u:p@h/x', token: 't', images: { Image: 1 } })).toEqual({ tree: 'https://h/x', token: '[redacted]', images: { Image: 1 } });
  });

  it("keeps the log's end within the limit, starting at a line", () => {
    const log = Array.from({ length: 1000 }, (_, i) => `line ${i} é`).join('\n') + '\n';
    expect(capLog(log, 1 << 20)).toBe(log);
    const capped = capLog(log, 500);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(500);
    expect(capped.endsWith('line 999 é\n')).toBe(true);
    const [first, second] = capped.split('\n');
    expect(first).toMatch(/^\[pfnlab: the first \d+ bytes of the build log were not kept\]$/);
    expect(second).toMatch(/^line \d+ é$/);
    expect(Number(/first (\d+) bytes/.exec(first)![1]) + Buffer.byteLength(capped) - first.length - 1).toBe(Buffer.byteLength(log));
  });
});
