import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareSymbolSizes, formatBloatOMeter, type SizeDelta } from '@pfnlab/builds';
import type { SizeDeltaSummary } from '@pfnlab/contracts';
import type { ArtifactStore } from './artifact-store/artifact-store';

/** The symbol table artifact (`nm --size-sort -S vmlinux`) a size delta reads. */
export const SYMBOLS_ARTIFACT = 'vmlinux.symbols';
const MAX_CHANGES = 200;
const MAX_TEXT = 64 * 1024;

/** A bloat-o-meter result cut to what a build record carries. */
export function summarizeSizeDelta(baseBuildKey: string, d: SizeDelta): SizeDeltaSummary {
  let text = formatBloatOMeter(d);
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 40)}\n... (cut: ${d.changes.length} changes)\n`;
  return {
    baseBuildKey,
    total: { old: d.total.old, new: d.total.new, delta: d.total.delta, percent: Math.round(d.total.percent * 100) / 100 },
    counts: d.counts,
    changes: [...d.changes].sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta)).slice(0, MAX_CHANGES)
      .map((s) => ({ name: s.name, old: s.old, new: s.new, delta: s.delta })),
    text,
  };
}

/**
 * A patched build's size against its base build (same inputs without the
 * patches), when the store holds the base: the "what does this series cost"
 * number mm reviewers ask for. Null when there is no base to compare with.
 */
export async function sizeDeltaAgainstBase(store: ArtifactStore, baseBuildKey: string, symbolsFile: string): Promise<SizeDeltaSummary | null> {
  if (!fs.existsSync(symbolsFile)) return null;
  const base = await store.get(baseBuildKey);
  if (!base || !base.files.some((f) => f.name === SYMBOLS_ARTIFACT)) return null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-base-'));
  try {
    await store.fetch(baseBuildKey, tmp, [SYMBOLS_ARTIFACT]);
    const oldNm = fs.readFileSync(path.join(tmp, SYMBOLS_ARTIFACT), 'utf8');
    return summarizeSizeDelta(baseBuildKey, compareSymbolSizes(oldNm, fs.readFileSync(symbolsFile, 'utf8')));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
