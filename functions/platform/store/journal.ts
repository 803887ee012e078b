/**
 * Local mode's execution journal. On AWS, Step Functions keeps each execution's state; in local
 * mode the process can die, so every AccountSequence execution keeps one item (its input, the last
 * plan its ExecuteStep returned, its status), from which a restart re-hydrates it
 * (lib/local/executions.ts). A partition of its own (`LOCALEXEC#<accountId>`), so the account
 * partition is exactly what it is on AWS.
 */
import type { ExecutionInput } from '../../kernel/execution';
import type { Plan } from '../../kernel/plan';
import { stripStorage } from './codec';
import { TABLE } from './client';
import * as keys from './keys';
import { getItem, putIfAbsent, putItem, type TableRef } from './table';

export type JournalStatus = 'running' | 'ended' | 'failed';

export interface JournalEntry {
  executionName: string;
  accountId: string;
  campaignId: string;
  input: ExecutionInput;
  plan?: Plan;
  status: JournalStatus;
  steps: number;
  updatedAt: string;
  error?: string;
}

export class ExecutionJournal {
  static readonly tablePort = TABLE;

  constructor(
    private readonly table: TableRef,
    _options?: unknown,
  ) {}

  async get(accountId: string, campaignId: string): Promise<JournalEntry | undefined> {
    const item = await getItem(this.table, keys.localExecution(accountId, campaignId));
    return item ? (stripStorage(item) as unknown as JournalEntry) : undefined;
  }

  async put(entry: JournalEntry): Promise<void> {
    await putItem(this.table, {
      ...keys.localExecution(entry.accountId, entry.campaignId),
      entity: 'localExecution',
      ...entry,
    });
  }

  /** Writes the first entry of an execution; false when one exists (an execution name is used once). */
  async create(entry: JournalEntry): Promise<boolean> {
    const result = await putIfAbsent(
      this.table,
      { ...keys.localExecution(entry.accountId, entry.campaignId), entity: 'localExecution', ...entry },
      { fetchExisting: false },
    );
    return result.created;
  }
}
