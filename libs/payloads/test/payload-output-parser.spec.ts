import * as fs from 'node:fs';
import * as path from 'node:path';
import { countOf, formatMarkerLine, parsePayloadOutput, type MarkerKind } from '@pfnlab/payloads';

const RUN = 'a15a2404';
const L = (kind: MarkerKind, seq: number, fields: Record<string, string | number> = {}, run = RUN) => formatMarkerLine(kind, run, seq, Object.entries(fields));

/** A hotplug-offline-online run as the payload prints it (ITER=2, two blocks, one EBUSY). */
function hotplugRun(run = RUN): string[] {
  let s = 0;
  const l = (kind: MarkerKind, f: Record<string, string | number>) => L(kind, s++, f, run);
  return [
    l('begin', { payload: 'hotplug-offline-online', arch: 'x86_64', kernel: '6.1.0-50-amd64', clock: 'timer_list', clock_res_ns: 1, clock_overhead_ns: 48220, iterations: 2, max_blocks: 2, policy: 'movable' }),
    l('info', { block_size_bytes: 134217728 }),
    l('info', { block: 'memory33', zone: 'Movable', online_with: 'online_movable' }),
    l('sample', { metric: 'offline', value: 373650, unit: 'ns', block: 'memory33', zone: 'Movable', iter: 0 }),
    l('sample', { metric: 'online', value: 672309, unit: 'ns', block: 'memory33', zone: 'Movable', iter: 0 }),
    l('count', { metric: 'offline_error', value: 1, unit: 'count', errno: 'EBUSY', block: 'memory34', zone: 'Movable', iter: 0 }),
    l('sample', { metric: 'offline', value: 401234, unit: 'ns', block: 'memory33', zone: 'Movable', iter: 1 }),
    l('sample', { metric: 'online', value: 650000, unit: 'ns', block: 'memory33', zone: 'Movable', iter: 1 }),
    l('count', { metric: 'offline_error', value: 1, unit: 'count', errno: 'EBUSY', block: 'memory34', zone: 'Movable', iter: 1 }),
    l('count', { metric: 'offline_error', value: 1, unit: 'count', errno: 'EINVAL', block: 'memory35', zone: 'Movable', iter: 1 }),
    l('end', { status: 'ok', iterations_done: 2, blocks_left: 2 }),
  ];
}

describe('parsePayloadOutput: clean output', () => {
  it('reads samples, counts, params, clock and status of a payload run', () => {
    const r = parsePayloadOutput(hotplugRun().join('\n') + '\n');
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ payload: 'hotplug-offline-online', run: RUN, status: 'ok', duplicates: 0, missingLines: 0 });
    expect(r.params).toMatchObject({ iterations: '2', policy: 'movable', arch: 'x86_64' });
    expect(r.clock).toEqual({ source: 'timer_list', resolutionNs: 1, overheadNs: 48220 });
    expect(r.samples).toHaveLength(4);
    expect(r.samples[0]).toEqual({ metric: 'offline', value: 373650, unit: 'ns', iteration: 0, labels: { block: 'memory33', zone: 'Movable' } });
    expect(r.samples.filter((s) => s.metric === 'online').map((s) => s.iteration)).toEqual([0, 1]);
    // count lines are increments: summed per metric and labels (iter excluded)
    expect(r.counts).toEqual([
      { metric: 'offline_error', value: 2, unit: 'count', labels: { errno: 'EBUSY', block: 'memory34', zone: 'Movable' } },
      { metric: 'offline_error', value: 1, unit: 'count', labels: { errno: 'EINVAL', block: 'memory35', zone: 'Movable' } },
    ]);
    expect(r.countTotals).toEqual({ offline_error: 3 });
    expect(countOf(r, 'offline_error', { errno: 'EBUSY' })).toBe(2);
    expect(r.end).toEqual({ iterations_done: '2', blocks_left: '2' });
    expect(r.info).toHaveLength(2);
  });

  it('accepts an array of lines as well as a text', () => {
    expect(parsePayloadOutput(hotplugRun()).samples).toHaveLength(4);
  });

  it('reads the real counters output of the arm64 vlab machine', () => {
    const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'tx2-01-counters-stop.txt'), 'utf8');
    const r = parsePayloadOutput(text);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ payload: 'counters', status: 'ok' });
    const add = r.counters.find((c) => c.name === '__add_pages')!;
    expect(add).toEqual({ name: '__add_pages', source: 'kprobe', calls: 2, totalNs: 18824080, meanNs: 9412040, maxNs: 12282128, method: 'kretprobe_hist', labels: { entries: '2', missed: '0' } });
    expect(r.counters.find((c) => c.name === 'vmemmap_populate')).toMatchObject({ source: 'derived', calls: 2 });
    expect(r.counters.find((c) => c.name === 'pfn_to_online_page')).toMatchObject({ calls: 194, role: 'caller_of:pfn_valid' });
    // a gauge delta may be negative
    expect(r.counters.find((c) => c.name === 'vmstat.nr_mapped')).toMatchObject({ value: -8, unit: 'pages' });
    expect(r.unavailable).toContainEqual({ counter: 'vmemmap_populate', reason: 'notrace_function', detail: 'kprobe_events_refuse_notrace' });
    expect(r.unavailable).toContainEqual({ counter: 'pfn_valid', reason: 'inlined', detail: 'local_copies:2' });
    expect(r.unavailable).toContainEqual({ counter: 'perf', reason: 'no_perf_binary' });
  });
});

describe('parsePayloadOutput: the real world', () => {
  it('ignores kernel messages, CRLF and escape sequences around and before the markers', () => {
    const lines = hotplugRun();
    const text = [
      '[   12.345678] virtio_mem virtio0: plugged size: 0x10000000',
      '\x1b[6n' + lines[0] + '\r',
      lines[1] + '\r',
      '[   13.000001] Offlined Pages 32768',
      `[   13.1] random: crng init done${lines[2]}\r`, // printk glued before a marker
      ...lines.slice(3, 6).map((l) => l + '\r'),
      lines[6] + '[   14.2] Built 1 zonelists', // a kernel line glued after one (missing newline)
      ...lines.slice(7),
    ].join('\n');
    const r = parsePayloadOutput(text);
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('ok');
    expect(r.samples).toHaveLength(4);
    expect(r.countTotals.offline_error).toBe(3);
  });

  it('two markers on one line (a lost newline) are both read', () => {
    const lines = hotplugRun();
    const r = parsePayloadOutput([...lines.slice(0, 3), lines[3] + lines[4], ...lines.slice(5)]);
    expect(r.problems).toEqual([]);
    expect(r.samples).toHaveLength(4);
  });

  it('a missing end is incomplete; a truncated last line is a problem, not a sample', () => {
    const lines = hotplugRun();
    const cut = lines.slice(0, 5).join('\n') + '\n' + lines[6].slice(0, 60);
    const r = parsePayloadOutput(cut);
    expect(r.status).toBe('incomplete');
    expect(r.samples).toHaveLength(2);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 6, message: expect.stringMatching(/without len=|truncated/) });
    // truncated inside len=: still refused
    const r2 = parsePayloadOutput(lines.slice(0, 6).join('\n') + '\n' + lines[6].slice(0, -1));
    expect(r2.samples).toHaveLength(2);
    expect(r2.problems[0].message).toMatch(/!= len=/);
  });

  it('drops lines replayed after a reconnect by their sequence number, and reports conflicting ones', () => {
    const lines = hotplugRun();
    const replay = [...lines.slice(0, 7), ...lines.slice(3, 7), ...lines.slice(7), lines[10]];
    const r = parsePayloadOutput(replay);
    expect(r.duplicates).toBe(5);
    expect(r.samples).toHaveLength(4);
    expect(r.problems).toEqual([]);
    const conflicting = L('sample', 3, { metric: 'offline', value: 999, unit: 'ns', block: 'memory33', iter: 0 });
    const r2 = parsePayloadOutput([...lines, conflicting]);
    expect(r2.samples.find((s) => s.metric === 'offline')!.value).toBe(373650);
    expect(r2.problems[0].message).toMatch(/seq 3 .* seen twice with different content/);
  });

  it('reports lost lines (sequence gaps) and a lost begin', () => {
    const lines = hotplugRun();
    const r = parsePayloadOutput([lines[0], lines[1], lines[2], lines[6], lines[7], lines[10]]);
    expect(r.status).toBe('ok');
    expect(r.missingLines).toBe(5);
    expect(r.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/5 line\(s\) missing \(seq 3-5,8-9\)/));
    const noBegin = parsePayloadOutput(lines.slice(1));
    expect(noBegin.payload).toBeUndefined();
    expect(noBegin.problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/no begin line/), expect.stringMatching(/seq 0\)/)]));
  });

  it('a byte lost inside a value is caught by len=, not read as a smaller number', () => {
    const lines = hotplugRun();
    const damaged = lines[3].replace('value=373650', 'value=37650');
    const r = parsePayloadOutput([...lines.slice(0, 3), damaged, ...lines.slice(4)]);
    expect(r.samples.map((s) => s.value)).not.toContain(37650);
    expect(r.samples).toHaveLength(3);
    expect(r.missingLines).toBe(1);
    expect(r.problems[0]).toMatchObject({ line: 4, message: expect.stringMatching(/bytes lost or inserted/) });
  });

  it('empty or marker-free input: incomplete with a problem', () => {
    for (const input of ['', 'login: root\n# ls\n', []]) {
      const r = parsePayloadOutput(input);
      expect(r.status).toBe('incomplete');
      expect(r.problems).toEqual([{ line: 0, message: 'no pfnlab marker line in the output' }]);
    }
  });
});

describe('parsePayloadOutput: hostile and absurd values never throw and are never used', () => {
  const begin = L('begin', 0, { payload: 'pfn-walk' });
  const end = (seq: number) => L('end', seq, { status: 'ok' });
  const withLen = (body: string) => `${body} len=${body.length}`;
  const cases: Array<[string, string, RegExp]> = [
    ['negative duration', L('sample', 1, { metric: 'compaction', value: -5, unit: 'ns' }), /negative value/],
    ['absurd duration', L('sample', 1, { metric: 'compaction', value: '99999999999999999', unit: 'ns' }), /not a number|out of range|beyond/],
    ['duration past the limit', L('sample', 1, { metric: 'compaction', value: 20000000000000, unit: 'ns' }), /beyond/],
    ['fractional count', L('sample', 1, { metric: 'kpageflags_bytes', value: '1.5', unit: 'bytes' }), /not an integer/],
    ['unknown unit', L('sample', 1, { metric: 'compaction', value: 5, unit: 'ms' }), /unit must be/],
    ['no unit', L('sample', 1, { metric: 'compaction', value: 5 }), /unit must be/],
    ['NaN', L('sample', 1, { metric: 'compaction', value: 'NaN', unit: 'ns' }), /not a number/],
    ['exponent', L('sample', 1, { metric: 'compaction', value: '1e9', unit: 'ns' }), /not a number/],
    ['shell injection', withLen(`@@PFNLAB v1 sample run=${RUN} seq=1 metric=x value=$(reboot) unit=ns`), /bad value/],
    ['spaces smuggled in a value', withLen(`@@PFNLAB v1 sample run=${RUN} seq=1 metric=x value=1  unit=ns`), /malformed token/],
    ['key twice', withLen(`@@PFNLAB v1 sample run=${RUN} seq=1 metric=x value=1 value=2 unit=ns`), /key value twice/],
    ['prototype key', withLen(`@@PFNLAB v1 sample run=${RUN} seq=1 metric=x value=1 unit=ns __proto__=1`), /bad key/],
    ['unknown kind', withLen(`@@PFNLAB v1 reboot run=${RUN} seq=1`), /unknown marker kind/],
    ['other version', withLen(`@@PFNLAB v2 sample run=${RUN} seq=1 metric=x value=1 unit=ns`), /unsupported marker version/],
    ['no seq', withLen(`@@PFNLAB v1 sample run=${RUN} metric=x value=1 unit=ns`), /valid seq=/],
    ['counter mean above max', L('counter', 1, { name: '__add_pages', source: 'kprobe', calls: 2, total_ns: 10, mean_ns: 8, max_ns: 5 }), /mean_ns > max_ns|max_ns > total_ns/],
    ['counter time without calls', L('counter', 1, { name: '__add_pages', source: 'kprobe', calls: 0, total_ns: 10 }), /time without calls/],
    ['counter negative calls', L('counter', 1, { name: '__add_pages', source: 'kprobe', calls: -1 }), /calls=-1/],
    ['counter without numbers', L('counter', 1, { name: '__add_pages', source: 'kprobe' }), /neither calls= nor value=/],
    ['bad metric name', L('sample', 1, { metric: 'A-B', value: 1, unit: 'ns' }), /valid metric/],
    ['huge iteration', L('sample', 1, { metric: 'x', value: 1, unit: 'ns', iter: '99999999999' }), /bad iter/],
  ];
  it.each(cases)('%s', (_name, line, message) => {
    const r = parsePayloadOutput([begin, line, end(2)]);
    expect(r.samples).toEqual([]);
    expect(r.counters).toEqual([]);
    expect(r.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(message));
    expect(r.status).toBe('ok');
  });

  it('labels named like Object.prototype members stay plain data', () => {
    const r = parsePayloadOutput([begin, L('sample', 1, { metric: 'x', value: 1, unit: 'ns', constructor: 'y', tostring: 'z' }), end(2)]);
    expect(r.samples[0].labels).toEqual({ constructor: 'y', tostring: 'z' });
    expect(r.problems).toEqual([]);
  });

  it('overlong lines and floods are cut off with a problem', () => {
    const long = L('info', 1, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(120)])));
    expect(parsePayloadOutput([begin, long, end(2)]).problems[0].message).toMatch(/longer than 4096/);
    const flood = Array.from({ length: 50 }, (_, i) => L('sample', i + 1, { metric: 'x', value: i, unit: 'ns' }));
    const r = parsePayloadOutput([begin, ...flood], { limits: { maxMarkerLines: 20 } });
    expect(r.samples).toHaveLength(19);
    expect(r.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/more than 20 marker lines/));
  });

  it('control characters in a damaged line are escaped in the problem text', () => {
    const r = parsePayloadOutput([begin, '@@PFNLAB v1 sample\x00\x07 run=x', end(2)]);
    expect(r.problems[0].text).toBe('@@PFNLAB v1 sample\\x00\\x07 run=x');
  });
});

describe('parsePayloadOutput: skip, fail, several runs', () => {
  it('a SKIP carries its reason; parts are reported per part', () => {
    const r = parsePayloadOutput([
      L('begin', 0, { payload: 'hotplug-offline-online' }),
      L('skip', 1, { reason: 'no_movable_block', policy: 'movable', online: 7, movable: 0 }),
      L('end', 2, { status: 'skip', reason: 'no_movable_block' }),
    ]);
    expect(r).toMatchObject({ status: 'skip', skipReason: 'no_movable_block', skips: [{ reason: 'no_movable_block', labels: { policy: 'movable', online: '7', movable: '0' } }] });
    const z = parsePayloadOutput([
      L('begin', 0, { payload: 'zone-device' }),
      L('skip', 1, { reason: 'module_missing', part: 'test_hmm', detail: 'CONFIG_TEST_HMM:n/CONFIG_DEVICE_PRIVATE:n' }),
      L('skip', 2, { reason: 'no_devdax_namespace', part: 'dax_kmem' }),
      L('end', 3, { status: 'skip', reason: 'no_zone_device_path' }),
    ]);
    expect(z.status).toBe('skip');
    expect(z.skipReason).toBe('test_hmm:module_missing; dax_kmem:no_devdax_namespace');
    expect(z.skips[0].detail).toBe('CONFIG_TEST_HMM:n/CONFIG_DEVICE_PRIVATE:n');
  });

  it('a fail carries end\'s reason; lines after the end are ignored', () => {
    const r = parsePayloadOutput([
      L('begin', 0, { payload: 'hotplug-add-remove' }),
      L('end', 1, { status: 'fail', reason: 'timeout_waiting_for_blocks', blocks_seen: 0 }),
      L('sample', 2, { metric: 'online', value: 1, unit: 'ns' }),
    ]);
    expect(r).toMatchObject({ status: 'fail', failReason: 'timeout_waiting_for_blocks', end: { blocks_seen: '0' }, samples: [] });
    expect(r.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/lines after its end/));
  });

  it('merges the counters runs around a payload; the payload run is the main one', () => {
    const ctrStart = [
      L('begin', 0, { payload: 'counters', phase: 'start' }, 'c0ffee01'),
      L('unavailable', 1, { name: 'vmemmap_populate', reason: 'notrace_function' }, 'c0ffee01'),
      L('end', 2, { status: 'ok', probes: 5 }, 'c0ffee01'),
    ];
    const ctrStop = [
      L('begin', 0, { payload: 'counters', phase: 'stop' }, 'c0ffee02'),
      L('unavailable', 1, { name: 'vmemmap_populate', reason: 'notrace_function' }, 'c0ffee02'),
      L('counter', 2, { name: 'vmemmap_populate', source: 'derived', calls: 4, method: 'sections_in___add_pages' }, 'c0ffee02'),
      L('counter', 3, { name: 'warn_count', source: 'sysfs', value: 0, unit: 'count' }, 'c0ffee02'),
      L('end', 4, { status: 'ok' }, 'c0ffee02'),
    ];
    const r = parsePayloadOutput([...ctrStart, ...hotplugRun(), ...ctrStop]);
    expect(r.problems).toEqual([]);
    expect(r.payload).toBe('hotplug-offline-online');
    expect(r.samples).toHaveLength(4);
    expect(r.counters.map((c) => c.name)).toEqual(['vmemmap_populate', 'warn_count']);
    expect(r.unavailable).toEqual([{ counter: 'vmemmap_populate', reason: 'notrace_function' }]);
    expect(r.otherRuns.map((o) => o.run)).toEqual(['c0ffee01', 'c0ffee02']);
  });

  it('picks a run by id or payload; a retried payload is the last one', () => {
    const first = hotplugRun('11111111').slice(0, 4);
    const second = hotplugRun('22222222');
    const r = parsePayloadOutput([...first, ...second]);
    expect(r.run).toBe('22222222');
    expect(r.otherRuns).toEqual([{ run: '11111111', payload: 'hotplug-offline-online', status: 'incomplete' }]);
    expect(parsePayloadOutput([...first, ...second], { run: '11111111' })).toMatchObject({ run: '11111111', status: 'incomplete' });
    expect(parsePayloadOutput([...first], { payload: 'pfn-walk' }).problems.map((p) => p.message)).toContain('no run of payload pfn-walk in the output');
  });
});

describe('formatMarkerLine', () => {
  it('builds lines that pf_emit would print, and refuses values outside the grammar', () => {
    expect(formatMarkerLine('info', 'abc', 3, [['cleanup', 'clean']])).toBe('@@PFNLAB v1 info run=abc seq=3 cleanup=clean len=44');
    expect(() => formatMarkerLine('info', 'abc', 0, [['x', 'a b']])).toThrow(/bad value/);
    expect(() => formatMarkerLine('info', 'abc', 0, [['X', '1']])).toThrow(/bad key/);
    expect(() => formatMarkerLine('info', 'a b', 0)).toThrow(/bad run/);
  });
});

describe('parsePayloadOutput: real outputs of the vlab machines (test/payloads, PFNLAB_PAYLOADS_DUMP)', () => {
  const fx = (name: string) => parsePayloadOutput(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

  it.each(fs.readdirSync(path.join(__dirname, 'fixtures')).filter((f) => f.endsWith('.txt')))('%s parses without a problem', (name) => {
    const r = fx(name);
    expect(r.problems).toEqual([]);
    expect(r.status).not.toBe('incomplete');
    expect(r.clock).toMatchObject({ source: 'timer_list', resolutionNs: 1 });
  });

  it('x86-01: the offline/online loop, its SKIP without movable blocks, and the counters that agree with it', () => {
    const loop = fx('x86-01-offline-online.txt');
    expect(loop.samples.filter((s) => s.metric === 'offline').map((s) => s.iteration)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(loop.samples.every((s) => s.unit === 'ns' && s.labels.zone === 'Movable')).toBe(true);
    const ctr = fx('x86-01-counters-stop-offline-online.txt');
    expect(ctr.counters.find((c) => c.name === 'offline_pages')!.calls).toBe(6);
    expect(ctr.counters.find((c) => c.name === 'online_pages')!.calls).toBe(6);
    expect(fx('x86-01-offline-online-skip.txt')).toMatchObject({ status: 'skip', skipReason: 'no_movable_block' });
  });

  it('x86-01: a 512 MiB pc-dimm is one __add_pages of four sections; its removal frees their vmemmap', () => {
    const add = fx('x86-01-pc-dimm-wait-added.txt');
    expect(add.samples.filter((s) => s.metric === 'block_visible')).toHaveLength(4);
    const ctr = fx('x86-01-counters-stop-pc-dimm.txt');
    expect(ctr.counters.find((c) => c.name === '__add_pages')).toMatchObject({ source: 'kprobe', calls: 1 });
    expect(ctr.counters.find((c) => c.name === 'vmemmap_populate')).toMatchObject({ source: 'derived', calls: 4, labels: { add_pages_calls: '1', pages: '131072', pages_per_section: '32768' } });
    expect(ctr.counters.find((c) => c.name === 'vmemmap_free')).toMatchObject({ source: 'kprobe', calls: 4 });
  });

  it('x86-01: pfn-walk and zone-device', () => {
    const w = fx('x86-01-pfn-walk.txt');
    expect(w.samples.filter((s) => s.metric === 'kpageflags_bytes').every((s) => s.unit === 'bytes' && s.value % 8 === 0)).toBe(true);
    expect(fx('x86-01-zone-device.txt').skips.map((s) => s.reason)).toEqual(['module_missing', 'no_devdax_namespace']);
  });
});
