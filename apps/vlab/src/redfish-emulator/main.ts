import * as fs from 'node:fs';
import { RedfishConfig, RedfishEmulator } from './server';

/* Entry point: node dist/apps/vlab/src/redfish-emulator/main.js CONFIG.json (started by `pfnlab vlab up`). */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: main.js CONFIG.json\n'); process.exit(2); }
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as RedfishConfig;
  const emu = new RedfishEmulator(cfg);
  await emu.listen();
  process.stdout.write(`vlab Redfish service for ${cfg.systemId} on https://127.0.0.1:${cfg.port}\n`);
  const stop = () => { emu.close().finally(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
main().catch((e) => { process.stderr.write(`redfish emulator: ${(e as Error).stack}\n`); process.exit(1); });
