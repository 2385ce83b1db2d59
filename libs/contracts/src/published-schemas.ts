import { z } from 'zod';
import { InventorySchema } from './inventory';
import { jobSpecJsonSchema } from './job-spec';

/** The JSON Schema files published under libs/contracts/schema/, as their exact text. */
export function renderSchemas(): Record<string, string> {
  const inventory = {
    ...(z.toJSONSchema(InventorySchema, { io: 'input', unrepresentable: 'any' }) as object),
    $id: 'https://pfnlab.dev/schemas/inventory.schema.json',
    title: 'pfnlab lab inventory',
  };
  return {
    'job-spec.schema.json': JSON.stringify(jobSpecJsonSchema(), null, 2) + '\n',
    'inventory.schema.json': JSON.stringify(inventory, null, 2) + '\n',
  };
}
