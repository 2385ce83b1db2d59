import type { Command } from 'commander';
import { DEFAULT_RESAMPLES, DEFAULT_SEED } from '@pfnlab/stats';
import { ExitCode } from '../cli-error';
import { runStatsCompare, type StatsCompareOptions } from './stats-compare';
import { collect, fractionOption, integerOption, listOption } from './stats-options';
import { runStatsSimulate, type StatsSimulateOptions } from './stats-simulate';

const COMPARE_HELP = `
Each file is a CSV with the header "metric,value" (or "metric,value,unit") and
one sample per line, e.g. one line per boot for each metric:
  metric,value,unit
  hotplug.online_ms,41.2,ms
  vmemmap_populate.calls,125,calls

Per metric: ratio = median(candidate) / median(baseline), its 95% percentile
bootstrap interval and the two-sided Mann-Whitney U p-value. Verdicts:
  regression    the whole interval is beyond 1 + min effect on the worse side and p < alpha
  improvement   the same on the better side
  no change     anything else (no change of at least min effect was shown)
  insufficient  fewer than 3 samples on a side, or too few for any p < alpha (ask for 5+ runs)
  no ratio      the baseline median is 0, or samples are negative
A larger value is worse unless the metric is given with --higher-is-better.

Exit status: 0 no regression, 1 at least one regression, 2 invalid or unreadable
input (file:line named) or options.
JSON: one line per metric: {"metric","n":[nA,nB],"ratio","ci":[lo,hi],"p","verdict",
"medians":[a,b],"unit","higherIsBetter","pMethod","reason"}; null where a value
does not exist or is infinite.`;

export function registerStats(program: Command): void {
  const stats = program.command('stats').description('A/B statistics on sample files (works offline)');

  stats
    .command('compare')
    .description('compare a candidate with a baseline, metric by metric: median ratio, 95% CI, p-value, verdict')
    .argument('<baseline>', 'CSV of baseline samples; "-" reads standard input')
    .argument('<candidate>', 'CSV of candidate samples')
    .option('--min-effect <x>', 'smallest relative change that counts, e.g. 0.05 or 5% (default 0.05)', fractionOption('--min-effect', 0, 1))
    .option('--alpha <x>', 'significance level of the Mann-Whitney test (default 0.05)', fractionOption('--alpha', 0, 1, true))
    .option('--higher-is-better <metric>', 'a metric where larger is better (repeatable)', collect)
    .option('--seed <n>', `bootstrap seed (default ${DEFAULT_SEED}): the same files and seed give the same figures`, integerOption('--seed', 0, 0xffffffff))
    .option('--resamples <n>', `bootstrap resamples (default ${DEFAULT_RESAMPLES})`, integerOption('--resamples', 100, 1_000_000))
    .option('--json', 'print one JSON object per metric, one per line')
    .addHelpText('after', COMPARE_HELP)
    .action((baseline: string, candidate: string, options: StatsCompareOptions) => {
      const code = runStatsCompare(baseline, candidate, options);
      if (code !== ExitCode.ok) process.exitCode = code;
    });

  stats
    .command('simulate')
    .description('measure the verdicts on simulated data: false-positive rate (A/A) and power, for a noise level and run count')
    .option('--sizes <list>', 'samples per side', listOption('--sizes', integerOption('--sizes', 1, 1000)), [5, 10, 30])
    .option('--ratios <list>', 'true candidate/baseline ratios; 1 is A/A', listOption('--ratios', fractionOption('--ratios', 0, 100, true)), [1, 1.1, 1.2])
    .option('--sigma <x>', 'log-normal noise: standard deviation of log(value); 0.1 is about 10%', fractionOption('--sigma', 0, 5), 0.1)
    .option('--outlier-rate <x>', 'fraction of samples that are outliers', fractionOption('--outlier-rate', 0, 1))
    .option('--outlier-factor <x>', 'how many times slower an outlier is', fractionOption('--outlier-factor', 0, 1000, true))
    .option('--trials <n>', 'comparisons per row', integerOption('--trials', 1, 1_000_000), 2000)
    .option('--min-effect <x>', 'as for compare', fractionOption('--min-effect', 0, 1))
    .option('--alpha <x>', 'as for compare', fractionOption('--alpha', 0, 1, true))
    .option('--resamples <n>', `bootstrap resamples (default ${DEFAULT_RESAMPLES})`, integerOption('--resamples', 100, 1_000_000))
    .option('--seed <n>', 'seed of the simulated data and bootstraps (default 1)', integerOption('--seed', 0, 0xffffffff))
    .option('--coverage', 'also report how often the 95% CI contains the true ratio (bootstraps every trial: slower)')
    .option('--json', 'print one JSON object per row')
    .action((options: StatsSimulateOptions) => runStatsSimulate(options));
}
