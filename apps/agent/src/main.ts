import 'reflect-metadata';
import { InventoryError, loadInventory } from './inventory-loader';

/*
 * The lab-site agent. This first version validates the inventory it would
 * own and exits; running jobs, power and console capture arrive with the
 * run executor (issue 5).
 */
function main(): number {
  const path = process.env.PFNLAB_INVENTORY;
  if (!path) {
    process.stderr.write('pfnlab agent: PFNLAB_INVENTORY is not set (path of the lab inventory YAML)\n');
    return 2;
  }
  try {
    const inv = loadInventory(path);
    process.stdout.write(`lab ${inv.lab}: ${inv.machines.length} machine(s): ${inv.machines.map((m) => `${m.name} (${m.arch})`).join(', ')}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`pfnlab agent: ${e instanceof InventoryError ? e.message : (e as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = main();
