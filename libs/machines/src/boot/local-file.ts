import { constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import { BootError } from './boot-method';

/** A kernel or initrd the agent is about to hand to a machine: it must exist and be a readable regular file. */
export async function mustReadLocal(file: string, what: string): Promise<void> {
  try {
    await fs.access(file, fsc.R_OK);
    if (!(await fs.stat(file)).isFile()) throw Object.assign(new Error(), { code: 'not a regular file' });
  } catch (e) {
    throw new BootError(`${what} ${file} does not exist or cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
