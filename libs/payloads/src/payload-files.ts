import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * Where the sh payloads are, and their text ready to upload: either the
 * script plus pfnlab-common.sh side by side (uploadFiles), or one
 * self-contained script with the common functions inlined (for `sh -s` over
 * SSH or the console).
 */

export const PAYLOAD_SCRIPTS = [
  'hotplug-offline-online.sh',
  'hotplug-add-remove-guest.sh',
  'pfn-walk.sh',
  'zone-device.sh',
  'counters.sh',
] as const;
export type PayloadScript = (typeof PAYLOAD_SCRIPTS)[number];

export const COMMON_SCRIPT = 'pfnlab-common.sh';
const INLINE_MARK = '# pfnlab:inline-common';

/** libs/payloads/sh, from the sources or from their build under dist/. */
export function payloadScriptDir(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'sh'),
    // dist/libs/payloads/src -> <repo>/libs/payloads/sh
    path.resolve(__dirname, '..', '..', '..', '..', 'libs', 'payloads', 'sh'),
  ];
  for (const c of candidates) if (fs.existsSync(path.join(c, COMMON_SCRIPT))) return c;
  throw new Error(`payload scripts not found (looked in ${candidates.join(', ')})`);
}

/** The files to upload side by side for one payload: [name, absolute path]. */
export function payloadFiles(name: PayloadScript): Array<[string, string]> {
  const dir = payloadScriptDir();
  return [[name, path.join(dir, name)], [COMMON_SCRIPT, path.join(dir, COMMON_SCRIPT)]];
}

/** One self-contained script: the common functions replace the line that sources them. */
export function inlinedPayloadScript(name: PayloadScript): string {
  const dir = payloadScriptDir();
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  const common = fs.readFileSync(path.join(dir, COMMON_SCRIPT), 'utf8').replace(/^#!.*\n/, '');
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(INLINE_MARK));
  if (i < 0) throw new Error(`${name} has no "${INLINE_MARK}" line`);
  // the PF_DIR line before it is harmless; the sourcing line becomes the functions
  lines.splice(i, 1, common);
  return lines.join('\n');
}
