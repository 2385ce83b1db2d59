import { CriterionError, formatCriterion, metricThreshold, parseCriterion } from '@pfnlab/bisect';

describe('parseCriterion: the three forms', () => {
  it('reads boot', () => {
    expect(parseCriterion('boot')).toEqual({ kind: 'boot' });
    expect(parseCriterion('  boot\n')).toEqual({ kind: 'boot' });
  });

  it('reads a quoted crash title', () => {
    expect(parseCriterion('crash:"BUG: unable to handle page fault in vmemmap_populate"')).toEqual({
      kind: 'crash',
      title: 'BUG: unable to handle page fault in vmemmap_populate',
    });
  });

  it('reads the same title once a shell has removed its quotes', () => {
    // `--criterion crash:"WARNING in free_zone_device_folio"` reaches argv as crash:WARNING in free_zone_device_folio.
    expect(parseCriterion('crash:WARNING in free_zone_device_folio')).toEqual(parseCriterion('crash:"WARNING in free_zone_device_folio"'));
  });

  it('collapses blanks in a pasted title, and keeps inner quotes', () => {
    expect(parseCriterion('crash:" kernel BUG  in\t__split_huge_pmd_locked "')).toEqual({ kind: 'crash', title: 'kernel BUG in __split_huge_pmd_locked' });
    expect(parseCriterion('crash:"BUG: "x" in y"')).toEqual({ kind: 'crash', title: 'BUG: "x" in y' });
  });

  it('reads a metric threshold', () => {
    expect(parseCriterion('metric:hotplug-add-remove.add_visible>+10%')).toEqual({ kind: 'metric', metric: 'hotplug-add-remove.add_visible', percent: 10 });
    expect(parseCriterion('metric:offline_pages.usecs>+7.5%')).toEqual({ kind: 'metric', metric: 'offline_pages.usecs', percent: 7.5 });
    // + and - are name characters; the first ">" ends the name.
    expect(parseCriterion('metric:a+b-c/@:d>+1000%')).toEqual({ kind: 'metric', metric: 'a+b-c/@:d', percent: 1000 });
    expect(parseCriterion('metric:x>+1%')).toEqual({ kind: 'metric', metric: 'x', percent: 1 });
  });

  it('formats canonically, and parses back what it formats', () => {
    for (const text of ['boot', 'crash:"WARNING in free_zone_device_folio"', 'metric:hotplug-add-remove.add_visible>+10%', 'metric:m>+7.5%']) {
      expect(formatCriterion(parseCriterion(text))).toBe(text);
    }
    expect(formatCriterion(parseCriterion('crash:WARNING  in x'))).toBe('crash:"WARNING in x"');
    expect(formatCriterion(parseCriterion('metric:m>+010.50%'))).toBe('metric:m>+10.5%');
  });

  it('gives the ratio above which a metric is bad', () => {
    expect(metricThreshold({ percent: 10 })).toBeCloseTo(1.1, 12);
    expect(metricThreshold({ percent: 1000 })).toBe(11);
  });
});

describe('parseCriterion: hostile input is refused with the problem named', () => {
  const refuse = (text: unknown, message: string) => {
    expect(() => parseCriterion(text)).toThrow(CriterionError);
    expect(() => parseCriterion(text)).toThrow(message);
  };

  it('refuses empty and unknown criteria', () => {
    refuse('', 'the criterion is empty: use boot, crash:"TITLE" or metric:NAME>+X%');
    refuse('   ', 'the criterion is empty');
    refuse('hang', 'unknown criterion "hang": use boot, crash:"TITLE" or metric:NAME>+X%');
    refuse('Boot', 'unknown criterion "Boot"');
    refuse('boot:x', 'unknown criterion "boot:x"');
    refuse('crash "x"', 'unknown criterion "crash \\"x\\"" (did you mean crash:...?)');
    refuse('METRIC:x>+1%', '(did you mean metric:...?)');
    refuse(42, 'the criterion must be text (boot, crash:"TITLE" or metric:NAME>+X%), got number');
    refuse('crash:"' + 'x'.repeat(1000) + '"', 'the criterion is 1008 characters long; at most 1000');
  });

  it('refuses bad crash titles', () => {
    refuse('crash:', 'the crash criterion has an empty title: give the title as pfnlab prints it, e.g. crash:"BUG: unable to handle page fault in vmemmap_populate"');
    refuse('crash:""', 'the crash criterion has an empty title');
    refuse('crash:"   "', 'the crash criterion has an empty title');
    refuse('crash:"WARNING in foo', 'the crash title "\\"WARNING in foo" opens a quote that is not closed');
    refuse('crash:"', 'opens a quote that is not closed');
    refuse('crash:"WARNING in foo\nrm -rf /"', 'the crash title contains a control character (U+000A at position 15): a title is one line of text');
    refuse('crash:BUG\u0000', 'control character (U+0000 at position 4)');
    refuse('crash:"' + 'x'.repeat(201) + '"', "the crash title is 201 characters long; pfnlab's crash titles have at most 200");
  });

  it('refuses bad metric criteria', () => {
    refuse('metric:', 'the metric criterion names no metric: write metric:NAME>+X%, e.g. metric:hotplug-add-remove.add_visible>+10%');
    refuse('metric:add_visible', 'the metric criterion "metric:add_visible" has no threshold: write metric:NAME>+X%');
    refuse('metric:>+10%', 'the metric criterion names no metric before ">"');
    refuse('metric:add visible>+10%', 'metric name "add visible" is not allowed: letters, digits and _ . : / @ + -, starting with a letter, digit or _, at most 128 characters');
    refuse('metric:$(reboot)>+10%', 'metric name "$(reboot)" is not allowed');
    refuse('metric:-x>+10%', 'metric name "-x" is not allowed');
    refuse(`metric:${'m'.repeat(129)}>+10%`, 'is not allowed');
    refuse('metric:x>10%', 'the threshold "10%" is not +X%: write how far above the good commit\'s median is bad');
    refuse('metric:x>+10', 'the threshold "+10" is not +X%');
    refuse('metric:x>-10%', 'the threshold "-10%" is not +X%');
    refuse('metric:x>+1e3%', 'the threshold "+1e3%" is not +X%');
    refuse('metric:x>+10%>+20%', 'the threshold "+10%>+20%" is not +X%');
    refuse('metric:x>+0%', 'the threshold +0% is out of range: X must be from 1 to 1000 (percent)');
    refuse('metric:x>+0.5%', 'the threshold +0.5% is out of range');
    refuse('metric:x>+1000.01%', 'the threshold +1000.01% is out of range');
    refuse('metric:x>+5000%', 'the threshold +5000% is out of range');
  });
});
