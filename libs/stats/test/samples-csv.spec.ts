import { parseSamplesCsv, SAMPLES_CSV_LIMITS, SamplesCsvError, type CsvProblem } from '@pfnlab/stats';

/** The problems a text is refused with. */
function problems(text: string): CsvProblem[] {
  try {
    parseSamplesCsv(text);
  } catch (e) {
    if (e instanceof SamplesCsvError) return e.problems;
    throw e;
  }
  throw new Error('parsed without a problem');
}

describe('parseSamplesCsv: what it accepts', () => {
  it('reads metric,value lines into samples per metric, in file order', () => {
    const set = parseSamplesCsv('metric,value\nonline_ms,41.2\noffline_ms,12\nonline_ms,40.8\n');
    expect(set.samples).toEqual(
      new Map([
        ['online_ms', [41.2, 40.8]],
        ['offline_ms', [12]],
      ]),
    );
    expect(set.units.size).toBe(0);
  });

  it('reads an optional unit column; an empty unit is no unit', () => {
    const set = parseSamplesCsv('metric,value,unit\nonline_ms,41.2,ms\nvmemmap_populate.calls,125,calls\nwarnings,0,\n');
    expect(set.units).toEqual(
      new Map([
        ['online_ms', 'ms'],
        ['vmemmap_populate.calls', 'calls'],
      ]),
    );
    expect(set.samples.get('warnings')).toEqual([0]);
  });

  it('handles a BOM, CRLF, blank lines, spaces around fields and no final newline', () => {
    const set = parseSamplesCsv('\uFEFFmetric , value\r\n\r\n  online_ms ,\t41.2 \r\n   \r\nonline_ms,40.8');
    expect(set.samples.get('online_ms')).toEqual([41.2, 40.8]);
  });

  it('reads the number forms printf and people write, negative ones included', () => {
    const set = parseSamplesCsv('metric,value\nm,1\nm,-2.5\nm,+3.\nm,.25\nm,1e3\nm,1.5E-3\nm,0\n');
    expect(set.samples.get('m')).toEqual([1, -2.5, 3, 0.25, 1000, 0.0015, 0]);
  });

  it('accepts metric names with the characters payload and counter names use', () => {
    const names = ['hotplug-add-remove/add_ms', 'offline_pages.usecs', 'kprobe:vmemmap_populate', 'pfn_valid@arm64', '0th+1', '_x'];
    const set = parseSamplesCsv(['metric,value', ...names.map((n) => `${n},1`)].join('\n'));
    expect([...set.samples.keys()]).toEqual(names);
  });

  it('gives an empty set for a header alone', () => {
    expect(parseSamplesCsv('metric,value\n').samples.size).toBe(0);
  });
});

describe('parseSamplesCsv: what it refuses, with the line', () => {
  it('refuses a wrong or missing header', () => {
    expect(problems('name,value\nm,1\n')).toEqual([{ line: 1, message: 'the header must be "metric,value" or "metric,value,unit", got "name,value"' }]);
    expect(problems('m,1\nm,2\n')[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^the header must be/) });
    expect(problems('Metric,Value\n')[0].line).toBe(1);
    expect(problems('\n\nvalue,metric\n')[0].line).toBe(3);
  });

  it('refuses an empty file', () => {
    expect(problems('')).toEqual([{ line: 1, message: 'the file is empty: the first line must be the header "metric,value"' }]);
    expect(problems('\uFEFF\r\n  \n')[0].message).toMatch(/file is empty/);
  });

  it('refuses a value that is not a number, and NaN, Infinity, hex, commas', () => {
    const text = ['metric,value', 'm,abc', 'm,NaN', 'm,Infinity', 'm,0x10', 'm,1 000', 'm,1e999', 'm,'].join('\n');
    expect(problems(text)).toEqual([
      { line: 2, message: 'value "abc" is not a number' },
      { line: 3, message: 'value "NaN" is not a number' },
      { line: 4, message: 'value "Infinity" is not a number' },
      { line: 5, message: 'value "0x10" is not a number' },
      { line: 6, message: 'value "1 000" is not a number' },
      { line: 7, message: 'value "1e999" is not a finite number' },
      { line: 8, message: 'no value for m' },
    ]);
  });

  it('refuses missing and extra columns', () => {
    expect(problems('metric,value\nm\nm,1,ms\n')).toEqual([
      { line: 2, message: 'expected 2 fields (metric,value), got 1: "m"' },
      { line: 3, message: 'expected 2 fields (metric,value), got 3: "m,1,ms"' },
    ]);
    expect(problems('metric,value,unit\nm,1\n')).toEqual([{ line: 2, message: 'expected 3 fields (metric,value,unit), got 2: "m,1"' }]);
  });

  it('refuses metric names outside the grammar, and empty ones', () => {
    const bad = ['foo bar', '$(reboot)', '-x', 'a;b', 'x'.repeat(129), 'ö'];
    const found = problems(['metric,value', ...bad.map((n) => `${n},1`), ',1'].join('\n'));
    expect(found.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(found[0].message).toBe('metric name "foo bar" is not allowed: letters, digits and _ . : / @ + -, starting with a letter, digit or _, at most 128');
    expect(found[4].message).toContain(`"${'x'.repeat(40)}…"`); // cut short in the message
    expect(found[6].message).toBe('the metric name is empty');
  });

  it('refuses quoted fields rather than half-reading them', () => {
    expect(problems('metric,value\n"m",1\n')).toEqual([{ line: 2, message: 'quoted fields are not supported (no field needs a comma or a quote)' }]);
  });

  it('refuses a second header (two files concatenated)', () => {
    expect(problems('metric,value\nm,1\nmetric,value\nm,2\n')).toEqual([{ line: 3, message: 'a second header line (were two files concatenated?)' }]);
  });

  it('refuses a bad unit and a metric whose unit changes', () => {
    expect(problems('metric,value,unit\nm,1,m s\n')[0].message).toMatch(/^unit "m s" is not allowed/);
    expect(problems('metric,value,unit\nm,1,ms\nn,2,us\nm,3,us\n')).toEqual([{ line: 4, message: 'unit "us" of m differs from "ms" on line 2' }]);
  });

  it('shows control characters in messages instead of printing them', () => {
    expect(problems('metric,value\nm,\u001b[31m1\n')[0].message).toBe('value "\\u001b[31m1" is not a number');
  });

  it('stops after 20 problems and says so', () => {
    const found = problems(['metric,value', ...Array.from({ length: 50 }, () => 'm,x')].join('\n'));
    expect(found).toHaveLength(SAMPLES_CSV_LIMITS.maxProblems + 1);
    expect(found[19].line).toBe(21);
    expect(found[20]).toEqual({ message: 'stopped after 20 problems' });
  });

  it('limits samples, metrics and size', () => {
    const many = ['metric,value', ...Array.from({ length: SAMPLES_CSV_LIMITS.maxSamples + 1 }, () => 'm,1')].join('\n');
    expect(problems(many)).toEqual([{ line: SAMPLES_CSV_LIMITS.maxSamples + 2, message: `more than ${SAMPLES_CSV_LIMITS.maxSamples} samples` }]);
    const metrics = ['metric,value', ...Array.from({ length: SAMPLES_CSV_LIMITS.maxMetrics + 1 }, (_, i) => `m${i},1`)].join('\n');
    expect(problems(metrics)).toEqual([{ line: SAMPLES_CSV_LIMITS.maxMetrics + 2, message: `more than ${SAMPLES_CSV_LIMITS.maxMetrics} metrics` }]);
    expect(problems('x'.repeat(SAMPLES_CSV_LIMITS.maxChars + 1))).toEqual([{ message: `the file is larger than ${SAMPLES_CSV_LIMITS.maxChars} characters` }]);
  });

  it('puts every problem in the error message with its line', () => {
    expect(() => parseSamplesCsv('metric,value\nm,abc\n')).toThrow('line 2: value "abc" is not a number');
  });
});
