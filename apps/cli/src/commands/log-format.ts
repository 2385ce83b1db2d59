import type { AnalysisResult } from '@pfnlab/console';

const MAX_MILESTONES_SHOWN = 40;

function time(t: number | null): string {
  return t === null ? '            ' : `[${t.toFixed(6).padStart(12)}]`;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** The per-file report for people: boot timeline, then crashes. */
export function formatAnalysis(file: string, r: AnalysisResult): string {
  const out: string[] = [];
  const kernel = r.kernelVersion ? `, kernel ${r.kernelVersion}` : '';
  out.push(`${file}: ${r.lines} lines, arch ${r.arch}${kernel}`);
  if (r.milestones.length === 0) {
    out.push('  boot: no milestones seen');
  } else {
    const boots = r.milestones[r.milestones.length - 1].boot;
    out.push(boots > 1 ? `  boot timeline (${boots} boots):` : '  boot timeline:');
    for (const m of r.milestones.slice(0, MAX_MILESTONES_SHOWN)) {
      const boot = boots > 1 ? `#${m.boot} ` : '';
      const what = m.detail ? `${m.name} (${m.detail})` : m.name;
      out.push(`    ${boot}line ${String(m.line).padStart(7)} ${time(m.time)}  ${what}`);
    }
    if (r.milestones.length > MAX_MILESTONES_SHOWN) {
      out.push(`    ... ${r.milestones.length - MAX_MILESTONES_SHOWN} more (--json lists them all)`);
    }
  }
  if (r.crashes.length === 0) {
    out.push('  crashes: none');
  } else {
    out.push(`  crashes: ${r.crashes.length}`);
    r.crashes.forEach((c, i) => {
      const count = c.count > 1 ? `, seen ${c.count} times` : '';
      out.push(`    ${i + 1}. ${c.title}`);
      const frame = c.corrupted ? 'report corrupted: no frame can be trusted' : `frame ${c.frame ?? '-'}`;
      out.push(`       ${c.type}, ${frame}, lines ${c.startLine}-${c.endLine}${count}`);
      out.push(`       ${clip(c.header, 100)}`);
    });
  }
  return `${out.join('\n')}\n`;
}
