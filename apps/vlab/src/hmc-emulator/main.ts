import * as fs from 'node:fs';
import { HmcConfig, HmcEmulator } from './server';

/* Entry point: node dist/apps/vlab/src/hmc-emulator/main.js CONFIG.json (started by `pfnlab vlab up`). */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: main.js CONFIG.json\n'); process.exit(2); }
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as HmcConfig;
  const emu = new HmcEmulator(cfg);
  await emu.listen();
  process.stdout.write(`vlab HMC emulator listening on https://127.0.0.1:${cfg.port} (CPC ${cfg.cpc.name})\n`);
  const stop = () => { emu.close().finally(() => process.exit(0)); setTimeout(() => process.exit(0), 5000).unref(); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
main().catch((e) => { process.stderr.write(`hmc emulator: ${(e as Error).stack}\n`); process.exit(1); });
