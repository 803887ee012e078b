/** Every command of the CLI, in the order `abm --help` lists them. */
import type { Command } from '../command';
import { accountCommands } from './accounts';
import { campaignCommands } from './campaigns';
import { clockCommands } from './clock';
import { definitionCommands } from './definitions';
import { eventCommands } from './events';
import { healthCommand } from './health';
import { listCommands } from './lists';
import { programCommands } from './programs';
import { reportCommand } from './report';
import { sendingCommands } from './sending';
import { taskCommands } from './tasks';

export const COMMANDS: readonly Command[] = [
  ...accountCommands,
  ...listCommands,
  ...definitionCommands,
  ...campaignCommands,
  ...programCommands,
  ...taskCommands,
  ...eventCommands,
  ...sendingCommands,
  reportCommand,
  ...clockCommands,
  healthCommand,
];
