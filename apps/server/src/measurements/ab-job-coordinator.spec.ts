import { mostTellingFirst } from './ab-job-coordinator';

describe('mostTellingFirst: the order in which an A/B job names regressed metrics', () => {
  it('puts the payload\'s own measurements before the counters, each by the size of the change', () => {
    expect(mostTellingFirst([
      { metric: 'hotplug-offline-online.counter.online_pages.max_ns', ratio: 40 },
      { metric: 'hotplug-offline-online.offline', ratio: 3.1 },
      { metric: 'hotplug-offline-online.counter.online_pages.total_ns', ratio: 36 },
      { metric: 'hotplug-offline-online.online', ratio: 35.6 },
      { metric: 'pfn-walk.kpageflags_read', ratio: null },
    ])).toEqual([
      'hotplug-offline-online.online',
      'hotplug-offline-online.offline',
      'pfn-walk.kpageflags_read',
      'hotplug-offline-online.counter.online_pages.max_ns',
      'hotplug-offline-online.counter.online_pages.total_ns',
    ]);
  });
});
