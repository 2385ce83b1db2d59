import type { Command } from 'commander';
import { registerCrashes } from './crashes';
import { registerDemo } from './demo';
import { registerJobs } from './jobs';
import { registerLogin } from './login';
import { registerMachines } from './machines';
import { registerVlab } from './vlab';
import { registerLogCommands } from './log';

/** Each command module adds its subcommands to the root program. */
export type CommandModule = (program: Command) => void;

export const commandModules: CommandModule[] = [registerLogin, registerMachines, registerJobs, registerCrashes, registerDemo, registerVlab, registerLogCommands];
