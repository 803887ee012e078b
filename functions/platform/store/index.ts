/**
 * The store layer: the only code that talks to DynamoDB (a test fails when anything outside
 * functions/platform/store imports the DynamoDB SDK). One repository per aggregate over the single
 * table (docs/architecture.md, "Data model"); features receive a `Store` and call its repositories.
 */
import { AccountRepository } from './accounts';
import { CampaignRepository } from './campaigns';
import { CatalogRepository } from './catalog';
import { EnrollmentRepository } from './enrollments';
import { ExecutionJournal } from './journal';
import { SendingReputationRepository } from './reputation';
import { ScoreRepository } from './scores';
import { SendRateRepository } from './send-rate';
import { TaskRepository } from './tasks';
import { TouchRepository } from './touches';
import { Table, type Item, type TableOptions } from './table';
import { UnresolvedEventRepository } from './unresolved';

export interface Store {
  readonly table: Table;
  readonly accounts: AccountRepository;
  readonly enrollments: EnrollmentRepository;
  readonly touches: TouchRepository;
  readonly tasks: TaskRepository;
  readonly catalog: CatalogRepository;
  readonly campaigns: CampaignRepository;
  readonly scores: ScoreRepository;
  readonly unresolved: UnresolvedEventRepository;
  readonly journal: ExecutionJournal;
  readonly reputation: SendingReputationRepository;
  readonly sendRate: SendRateRepository;
}

export interface StoreOptions {
  /** The clock every repository stamps times with (local mode's and the tests' own clock). */
  now?: () => Date;
  /** Told about items that do not parse where the reader goes on without them (the scorer). */
  onInvalidItem?: (item: Item, error: unknown) => void;
  /** Retry policies of the table (tests shorten them). */
  table?: TableOptions;
}

/** The repositories over one table. */
export function createStore(table: Table, options: StoreOptions = {}): Store {
  const base = { now: options.now };
  return {
    table,
    accounts: new AccountRepository(table, base),
    enrollments: new EnrollmentRepository(table, base),
    touches: new TouchRepository(table, base),
    tasks: new TaskRepository(table, base),
    catalog: new CatalogRepository(table, base),
    campaigns: new CampaignRepository(table, base),
    scores: new ScoreRepository(table, { ...base, onInvalidItem: options.onInvalidItem }),
    unresolved: new UnresolvedEventRepository(table),
    journal: new ExecutionJournal(table),
    reputation: new SendingReputationRepository(table, base),
    sendRate: new SendRateRepository(table, base),
  };
}

export { type DynamoClient, type DynamoConnection } from './client';
export { createDynamoClient } from './dynamo-client';
export {
  AccountRepository,
  type AccountProfileInput,
  type ContactRecordInput,
  SuppressionEntry,
} from './accounts';
export { CampaignRepository } from './campaigns';
export { CatalogRepository, SequenceSummary, StoredTemplate } from './catalog';
export { StoredItemInvalidError, type CreateResult, type PageRequest } from './codec';
export { EnrollmentRepository } from './enrollments';
export { ExecutionJournal, type JournalEntry, type JournalStatus } from './journal';
export { keys } from './keys';
export {
  ScoreConflictError,
  ScoreRepository,
  type AccountContact,
  type AccountProfile,
  type AccountSnapshot,
  type StoredScore,
} from './scores';
export { SendingReputationRepository, type Feedback } from './reputation';
export { SendRateRepository, type SendRateLine } from './send-rate';
export { TaskRepository, type TaskCompletion } from './tasks';
export { TouchRepository, type RecordTouchResult, type TouchStatusPatch } from './touches';
export {
  BatchGetIncompleteError,
  BatchWriteIncompleteError,
  ConditionFailedError,
  InvalidCursorError,
  Table,
  VersionConflictError,
  type Page,
} from './table';
export { createTable } from './table-definition';
export { upgradeTable } from './table-upgrade';
export {
  MemoryUnresolvedStore,
  UnresolvedEventRepository,
  type UnresolvedEvent,
  type UnresolvedStore,
} from './unresolved';
