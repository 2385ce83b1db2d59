import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, InventorySchema, problemsFromZod, type Inventory } from '@pfnlab/contracts';

export class InventoryError extends Error {}

/**
 * Reads and validates the lab inventory the agent owns. Every problem is
 * reported with its path, so a typo in one machine's entry names that
 * machine and field instead of failing somewhere in a run.
 */
export function loadInventory(path: string): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InventoryError(`cannot read inventory ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseInventory(text, path);
}

export function parseInventory(text: string, source = 'inventory'): Inventory {
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true });
  if (doc.errors.length) throw new InventoryError(`${source}: YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const r = InventorySchema.safeParse(doc.toJS());
  if (!r.success) {
    const lines = problemsFromZod(r.error).map((p) => `  ${formatPath(p.path) || '(document)'}: ${p.message}`);
    throw new InventoryError(`${source}: invalid inventory:\n${lines.join('\n')}`);
  }
  return r.data;
}
