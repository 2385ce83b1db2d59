import { formatResults, formatValue } from './runs';

describe('pfnlab runs results: formatting', () => {
  it('shows ns values in the unit a person reads', () => {
    expect([formatValue(812, 'ns'), formatValue(48_213, 'ns'), formatValue(3_500_000, 'ns'), formatValue(2.5e9, 'ns'), formatValue(7, 'count')])
      .toEqual(['812 ns', '48.21 µs', '3.500 ms', '2.500 s', '7 count']);
  });

  it('prints each result with its status, reason, metric table and unavailable counters', () => {
    const text = formatResults([
      {
        payload: 'hotplug-offline-online', testIndex: 0, testIteration: 0, status: 'ok', reason: null, warnings: 0, seconds: 12.5,
        unavailable: [{ counter: 'pfn_valid', reason: 'inlined on this kernel' }],
        metrics: [{ metric: 'hotplug-offline-online.online', kind: 'sample', unit: 'ns', n: 4, median: 41_000_000, min: 39_500_000, max: 52_000_000 }],
      },
      { payload: 'zone-device', testIndex: 1, testIteration: 0, status: 'skip', reason: 'test_hmm: module not found', warnings: 0, seconds: 0.4, unavailable: [], metrics: [] },
    ]);
    expect(text.split('\n')).toEqual([
      'hotplug-offline-online (test 0, iteration 0): OK  [12.5 s, 0 warning(s)]',
      '  metric                             n       median          min          max',
      '  hotplug-offline-online.online      4     41.00 ms     39.50 ms     52.00 ms',
      '  counter pfn_valid unavailable: inlined on this kernel',
      'zone-device (test 1, iteration 0): SKIP - test_hmm: module not found  [0.4 s, 0 warning(s)]',
      '',
    ]);
  });
});
