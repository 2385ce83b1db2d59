import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const MACHINE_COMMANDS = Symbol('MACHINE_COMMANDS');

export interface MachineCommand {
  machine: string;
  lab: string;
  action: 'on' | 'off' | 'cycle' | 'reset' | 'status';
  requestedBy: string;
}

/**
 * Operator power actions for the agent of the machine's lab, one BullMQ
 * queue per lab so an agent only sees its own machines' commands.
 */
export class MachineCommandQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  async send(cmd: MachineCommand): Promise<string> {
    let q = this.queues.get(cmd.lab);
    if (!q) {
      q = new Queue(`machine-commands.${cmd.lab}`, { connection: this.connection, prefix: this.prefix, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000 } });
      q.on('error', () => undefined);
      this.queues.set(cmd.lab, q);
    }
    const job = await q.add(`power.${cmd.action}`, cmd);
    return job.id!;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
  }
}
