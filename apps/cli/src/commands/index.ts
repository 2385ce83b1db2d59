import type { Command } from 'commander';
import { registerBisect } from './bisect';
import { registerBuild } from './build';
import { registerBuilds } from './builds';
import { registerCompare } from './compare';
import { registerCrashes } from './crashes';
import { registerDemo } from './demo';
import { registerJobs } from './jobs';
import { registerLogin } from './login';
import { registerMachines } from './machines';
import { registerVlab } from './vlab';
import { registerLogCommands } from './log';
import { registerRuns } from './runs';
import { registerStats } from './stats';

/** Each command module adds its subcommands to the root program. */
export type CommandModule = (program: Command) => void;

export const commandModules: CommandModule[] = [registerLogin, registerMachines, registerJobs, registerCrashes, registerDemo, registerVlab, registerLogCommands, registerBuild, registerBuilds, registerStats, registerCompare, registerRuns, registerBisect];
