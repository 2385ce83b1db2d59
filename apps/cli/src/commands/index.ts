import type { Command } from 'commander';

/** Each command module adds its subcommands to the root program. */
export type CommandModule = (program: Command) => void;

export const commandModules: CommandModule[] = [];
