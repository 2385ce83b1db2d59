import {
  COUNTER_RE, DECIMAL_RE, INT_RE, KEY_RE, MARKER_KINDS, MARKER_PREFIX, MARKER_VERSION, METRIC_RE, RUN_RE, UNITS, VALUE_RE,
  type MarkerKind, type Unit,
} from './marker-format';
import {
  DEFAULT_LIMITS,
  type ParseLimits, type ParseOptions, type PayloadCount, type PayloadCounter, type PayloadProblem, type PayloadResult, type PayloadStatus,
} from './payload-result';

/*
 * parsePayloadOutput(): the marker lines of a payload's output (SSH stdout,
 * or a console capture with kernel messages in between) -> data. Never
 * throws on input: whatever is wrong with a line goes to `problems`, and
 * the line is not used.
 */


interface MarkerLine {
  line: number;
  kind: MarkerKind;
  run: string;
  seq: number;
  fields: Map<string, string>;
  body: string;
}

interface RunAcc {
  run: string;
  order: number;
  lines: Map<number, MarkerLine>;
  payload?: string;
}

const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
const MAX_RUNS = 1000;

export function parsePayloadOutput(input: string | readonly string[], opts: ParseOptions = {}): PayloadResult {
  const limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const problems: PayloadProblem[] = [];
  const runs = new Map<string, RunAcc>();
  let duplicates = 0;
  let markerLines = 0;
  let capped = false;

  const rawLines = typeof input === 'string' ? input.split('\n') : input.flatMap((l) => String(l).split('\n'));
  rawLines.forEach((raw, idx) => {
    if (capped || !raw.includes(MARKER_PREFIX)) return;
    const lineNo = idx + 1;
    const clean = raw.replace(ANSI_RE, '').replace(/\r+$/, '');
    // Two markers on one console line (a lost newline): each piece on its own.
    const pieces = clean.split(MARKER_PREFIX).slice(1).map((p) => MARKER_PREFIX + p);
    for (const piece of pieces) {
      if (++markerLines > limits.maxMarkerLines) {
        problems.push({ line: lineNo, message: `more than ${limits.maxMarkerLines} marker lines: the rest is ignored` });
        capped = true;
        return;
      }
      const m = parseMarkerLine(piece.replace(/\s+$/, ''), lineNo, limits, problems);
      if (!m) continue;
      let acc = runs.get(m.run);
      if (!acc) {
        if (runs.size >= MAX_RUNS) {
          problems.push({ line: lineNo, run: m.run, message: `more than ${MAX_RUNS} runs: line ignored` });
          continue;
        }
        acc = { run: m.run, order: runs.size, lines: new Map() };
        runs.set(m.run, acc);
      }
      const prev = acc.lines.get(m.seq);
      if (prev) {
        if (prev.body === m.body) duplicates++;
        else problems.push({ line: lineNo, seq: m.seq, run: m.run, message: `seq ${m.seq} of run ${m.run} seen twice with different content (line ${prev.line}): kept the first`, text: excerpt(piece) });
        continue;
      }
      acc.lines.set(m.seq, m);
      if (m.kind === 'begin') acc.payload = m.fields.get('payload');
    }
  });

  return assemble(runs, opts, limits, problems, duplicates);
}

function parseMarkerLine(text: string, lineNo: number, limits: ParseLimits, problems: PayloadProblem[]): MarkerLine | undefined {
  const bad = (message: string, extra: Partial<PayloadProblem> = {}) => {
    problems.push({ line: lineNo, message, text: excerpt(text), ...extra });
    return undefined;
  };
  if (text.length > limits.maxLineLength) return bad(`marker line longer than ${limits.maxLineLength} characters`);
  const li = text.lastIndexOf(' len=');
  if (li < 0) return bad('marker line without len= (truncated?)');
  const lenText = /^[0-9]{1,6}/.exec(text.slice(li + 5))?.[0];
  if (!lenText) return bad('marker line with a bad len= (truncated or corrupted)');
  const body = text.slice(0, li);
  // Text glued after the len digits (a console line without its newline) is
  // not part of the marker: accept the digit prefix that equals the length.
  let lenOk = false;
  for (let n = 1; n <= lenText.length && !lenOk; n++) lenOk = Number(lenText.slice(0, n)) === body.length;
  if (!lenOk) return bad(`marker line length ${body.length} != len=${lenText} (bytes lost or inserted)`);
  const tokens = body.split(' ');
  if (tokens[1] !== MARKER_VERSION) return bad(`unsupported marker version ${JSON.stringify(tokens[1] ?? '')}`);
  const kind = tokens[2] as MarkerKind;
  if (!(MARKER_KINDS as readonly string[]).includes(kind)) return bad(`unknown marker kind ${JSON.stringify(tokens[2] ?? '')}`);
  const fields = new Map<string, string>();
  for (const tok of tokens.slice(3)) {
    const eq = tok.indexOf('=');
    if (eq <= 0) return bad(`malformed token ${JSON.stringify(tok.slice(0, 40))}`);
    const k = tok.slice(0, eq);
    const v = tok.slice(eq + 1);
    if (!KEY_RE.test(k)) return bad(`bad key ${JSON.stringify(k.slice(0, 40))}`);
    if (!VALUE_RE.test(v)) return bad(`bad value for ${k}`);
    if (fields.has(k)) return bad(`key ${k} twice`);
    fields.set(k, v);
  }
  const run = fields.get('run');
  const seqText = fields.get('seq');
  if (!run || !RUN_RE.test(run)) return bad('marker line without a valid run=');
  if (!seqText || !/^[0-9]{1,9}$/.test(seqText)) return bad('marker line without a valid seq=');
  fields.delete('run');
  fields.delete('seq');
  if (fields.size > limits.maxLabels + 8) return bad(`too many keys (${fields.size})`);
  return { line: lineNo, kind, run, seq: Number(seqText), fields, body };
}

function assemble(runs: Map<string, RunAcc>, opts: ParseOptions, limits: ParseLimits, problems: PayloadProblem[], duplicates: number): PayloadResult {
  const all = [...runs.values()].sort((a, b) => a.order - b.order);
  let main: RunAcc | undefined;
  if (opts.run) {
    main = runs.get(opts.run);
    if (!main) problems.push({ line: 0, message: `no run ${opts.run} in the output` });
  } else if (opts.payload) {
    main = all.filter((r) => r.payload === opts.payload).pop();
    if (!main) problems.push({ line: 0, message: `no run of payload ${opts.payload} in the output` });
  } else {
    main = all.filter((r) => r.payload !== 'counters').pop() ?? all[all.length - 1];
  }

  const result: PayloadResult = {
    payload: main?.payload, run: main?.run, status: 'incomplete', skips: [], params: {}, info: [], end: {},
    samples: [], counts: [], countTotals: {}, counters: [], unavailable: [], problems, duplicates, missingLines: 0, otherRuns: [],
  };
  if (all.length === 0) {
    problems.push({ line: 0, message: 'no pfnlab marker line in the output' });
    return result;
  }

  const countIndex = new Map<string, PayloadCount>();
  const unavailableSeen = new Set<string>();
  for (const acc of all) {
    const isMain = acc === main;
    const lines = [...acc.lines.values()].sort((a, b) => a.seq - b.seq);
    const endLine = lines.find((l) => l.kind === 'end');
    const status = statusOf(endLine);
    if (!isMain && acc.payload !== 'counters') {
      result.otherRuns.push({ run: acc.run, payload: acc.payload, status });
      continue;
    }
    if (!isMain) result.otherRuns.push({ run: acc.run, payload: acc.payload, status });
    // Lost lines: sequence numbers missing before the end (or before the last seen).
    const last = endLine ? endLine.seq : lines[lines.length - 1].seq;
    const missing: number[] = [];
    for (let s = 0, i = 0; s <= last && missing.length < 100_000; s++) {
      while (i < lines.length && lines[i].seq < s) i++;
      if (i >= lines.length || lines[i].seq !== s) missing.push(s);
    }
    if (missing.length) {
      problems.push({ line: 0, run: acc.run, message: `run ${acc.run}: ${missing.length} line(s) missing (seq ${ranges(missing)})` });
      if (isMain) result.missingLines = missing.length;
    }
    if (!lines.some((l) => l.kind === 'begin')) problems.push({ line: 0, run: acc.run, message: `run ${acc.run}: no begin line` });
    if (endLine && lines[lines.length - 1] !== endLine) problems.push({ line: 0, run: acc.run, message: `run ${acc.run}: lines after its end (seq > ${endLine.seq}): ignored` });

    for (const m of lines) {
      if (endLine && m.seq > endLine.seq) break;
      const bad = (message: string) => problems.push({ line: m.line, seq: m.seq, run: m.run, message, text: excerpt(m.body) });
      switch (m.kind) {
        case 'counter': {
          const c = toCounter(m.fields, limits, bad);
          if (c) result.counters.push(c);
          break;
        }
        case 'unavailable': {
          const counter = m.fields.get('name');
          const reason = m.fields.get('reason');
          if (!counter || !COUNTER_RE.test(counter) || !reason) { bad('unavailable line without a valid name= and reason='); break; }
          const key = `${counter}\0${reason}`;
          if (unavailableSeen.has(key)) break;
          unavailableSeen.add(key);
          const detail = m.fields.get('detail');
          result.unavailable.push(detail ? { counter, reason, detail } : { counter, reason });
          break;
        }
        default:
          if (!isMain) break;
          applyMainLine(m, result, countIndex, limits, bad);
      }
    }
    if (isMain) {
      result.status = status;
      if (endLine) {
        const reason = endLine.fields.get('reason');
        for (const [k, v] of endLine.fields) if (k !== 'status' && k !== 'reason') result.end[k] = v;
        if (status === 'fail') result.failReason = reason ?? 'unspecified';
        if (status === 'skip') {
          const whole = result.skips.filter((s) => !s.part);
          result.skipReason = whole.length ? whole.map((s) => s.reason).join('; ')
            : result.skips.length ? result.skips.map((s) => `${s.part}:${s.reason}`).join('; ') : reason ?? 'unspecified';
        }
      } else if (result.skips.length) {
        result.skipReason = result.skips.map((s) => (s.part ? `${s.part}:${s.reason}` : s.reason)).join('; ');
      }
    }
  }
  result.counts = [...countIndex.values()];
  for (const c of result.counts) result.countTotals[c.metric] = (result.countTotals[c.metric] ?? 0) + c.value;
  return result;
}

function statusOf(end: MarkerLine | undefined): PayloadStatus {
  const s = end?.fields.get('status');
  return s === 'ok' || s === 'skip' || s === 'fail' ? s : 'incomplete';
}

function applyMainLine(m: MarkerLine, r: PayloadResult, countIndex: Map<string, PayloadCount>, limits: ParseLimits, bad: (msg: string) => void): void {
  const f = m.fields;
  switch (m.kind) {
    case 'begin': {
      for (const [k, v] of f) r.params[k] = v;
      const source = f.get('clock');
      if (source) {
        const res = optInt(f.get('clock_res_ns'), 0, 1e12);
        const over = optInt(f.get('clock_overhead_ns'), 0, limits.maxNs);
        r.clock = { source, ...(res !== undefined ? { resolutionNs: res } : {}), ...(over !== undefined ? { overheadNs: over } : {}) };
      }
      return;
    }
    case 'info':
      r.info.push(Object.fromEntries(f));
      return;
    case 'skip': {
      const reason = f.get('reason');
      if (!reason) return bad('skip line without reason=');
      const labels = rest(f, ['reason', 'part', 'detail']);
      r.skips.push({ reason, ...(f.get('part') ? { part: f.get('part') } : {}), ...(f.get('detail') ? { detail: f.get('detail') } : {}), labels });
      return;
    }
    case 'sample': {
      const metric = f.get('metric');
      if (!metric || !METRIC_RE.test(metric)) return bad('sample without a valid metric=');
      const unit = f.get('unit') as Unit;
      if (!(UNITS as readonly string[]).includes(unit)) return bad(`sample ${metric}: unit must be one of ${UNITS.join(', ')}`);
      const value = checkValue(f.get('value'), unit, limits, false);
      if (typeof value === 'string') return bad(`sample ${metric}: ${value}`);
      let iteration: number | undefined;
      if (f.has('iter')) {
        iteration = optInt(f.get('iter'), 0, limits.maxIteration);
        if (iteration === undefined) return bad(`sample ${metric}: bad iter=`);
      }
      const labels = rest(f, ['metric', 'value', 'unit', 'iter']);
      if (Object.keys(labels).length > limits.maxLabels) return bad(`sample ${metric}: too many labels`);
      r.samples.push({ metric, value, unit, ...(iteration !== undefined ? { iteration } : {}), labels });
      return;
    }
    case 'count': {
      const metric = f.get('metric');
      if (!metric || !METRIC_RE.test(metric)) return bad('count without a valid metric=');
      const unit = (f.get('unit') ?? 'count') as Unit;
      if (unit !== 'count' && unit !== 'pages' && unit !== 'bytes') return bad(`count ${metric}: unit must be count, pages or bytes`);
      const value = checkValue(f.get('value'), unit, limits, false);
      if (typeof value === 'string') return bad(`count ${metric}: ${value}`);
      if (f.has('iter') && optInt(f.get('iter'), 0, limits.maxIteration) === undefined) return bad(`count ${metric}: bad iter=`);
      const labels = rest(f, ['metric', 'value', 'unit', 'iter']);
      if (Object.keys(labels).length > limits.maxLabels) return bad(`count ${metric}: too many labels`);
      const key = JSON.stringify([metric, unit, Object.entries(labels).sort()]);
      const c = countIndex.get(key);
      if (c) c.value += value;
      else countIndex.set(key, { metric, value, unit, labels });
      return;
    }
    case 'end':
      if (!['ok', 'skip', 'fail'].includes(f.get('status') ?? '')) bad('end line without status=ok|skip|fail');
      return;
    default:
      return;
  }
}

const COUNTER_FIXED = ['name', 'source', 'calls', 'total_ns', 'mean_ns', 'max_ns', 'value', 'unit', 'method', 'role'];

function toCounter(f: Map<string, string>, limits: ParseLimits, bad: (msg: string) => void): PayloadCounter | undefined {
  const name = f.get('name');
  const source = f.get('source');
  if (!name || !COUNTER_RE.test(name)) { bad('counter without a valid name='); return undefined; }
  if (!source) { bad(`counter ${name}: no source=`); return undefined; }
  const c: PayloadCounter = { name, source, labels: rest(f, COUNTER_FIXED) };
  const big = limits.maxCount;
  const ints: Array<[string, 'calls' | 'totalNs' | 'meanNs' | 'maxNs', number]> = [['calls', 'calls', big], ['total_ns', 'totalNs', big], ['mean_ns', 'meanNs', limits.maxNs], ['max_ns', 'maxNs', limits.maxNs]];
  for (const [k, prop, max] of ints) {
    if (!f.has(k)) continue;
    const v = optInt(f.get(k), 0, max);
    if (v === undefined) { bad(`counter ${name}: ${k}=${f.get(k)} is not an integer in [0, ${max}]`); return undefined; }
    c[prop] = v;
  }
  if (f.has('value')) {
    const unit = f.get('unit') as Unit;
    if (!(UNITS as readonly string[]).includes(unit)) { bad(`counter ${name}: value without a valid unit=`); return undefined; }
    const v = checkValue(f.get('value'), unit, limits, true);
    if (typeof v === 'string') { bad(`counter ${name}: ${v}`); return undefined; }
    c.value = v;
    c.unit = unit;
  }
  if (c.calls === undefined && c.value === undefined) { bad(`counter ${name}: neither calls= nor value=`); return undefined; }
  if (c.maxNs !== undefined && c.totalNs !== undefined && c.maxNs > c.totalNs) { bad(`counter ${name}: max_ns > total_ns`); return undefined; }
  if (c.meanNs !== undefined && c.maxNs !== undefined && c.meanNs > c.maxNs) { bad(`counter ${name}: mean_ns > max_ns`); return undefined; }
  if (c.calls === 0 && (c.totalNs ?? 0) > 0) { bad(`counter ${name}: time without calls`); return undefined; }
  const method = f.get('method');
  const role = f.get('role');
  if (method) c.method = method;
  if (role) c.role = role;
  return c;
}

/** A value in the unit's range, or the reason it is not. */
function checkValue(text: string | undefined, unit: Unit, limits: ParseLimits, signed: boolean): number | string {
  if (text === undefined) return 'no value=';
  const integral = unit !== 'ns' && unit !== 'us';
  if (!(integral ? INT_RE : DECIMAL_RE).test(text)) return `value=${text} is not ${integral ? 'an integer' : 'a number'}`;
  const v = Number(text);
  if (!Number.isFinite(v) || !Number.isSafeInteger(Math.trunc(v))) return `value=${text} out of range`;
  if (v < 0 && !signed) return `negative value ${text}`;
  const max = unit === 'ns' ? limits.maxNs : unit === 'us' ? limits.maxNs / 1000 : unit === 'count' ? limits.maxCount : unit === 'pages' ? 2 ** 42 : Number.MAX_SAFE_INTEGER;
  if (Math.abs(v) > max) return `value=${text} ${unit} is beyond ${max}`;
  return v;
}

function optInt(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^-?[0-9]{1,16}$/.test(text)) return undefined;
  const v = Number(text);
  return Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

function rest(f: Map<string, string>, fixed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of f) if (!fixed.includes(k)) out[k] = v;
  return out;
}

function excerpt(s: string): string {
  const cut = s.length > 160 ? s.slice(0, 160) + '…' : s;
  return cut.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function ranges(nums: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < nums.length && out.length < 10; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    out.push(i === j ? `${nums[i]}` : `${nums[i]}-${nums[j]}`);
    i = j + 1;
  }
  return out.join(',') + (out.length >= 10 ? ',…' : '');
}

/** Sum of the count lines of one metric (optionally only those whose labels match). */
export function countOf(r: PayloadResult, metric: string, labels: Record<string, string> = {}): number {
  return r.counts.filter((c) => c.metric === metric && Object.entries(labels).every(([k, v]) => c.labels[k] === v)).reduce((s, c) => s + c.value, 0);
}
