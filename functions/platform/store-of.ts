/**
 * Every repository of a platform as one `Store` (the instances of the full repository classes): for local
 * mode, the tests and the benchmarks, which read and seed across aggregates. A Lambda function asks
 * the platform only for the repositories it uses (`platform.repository(X)`). Features that use only
 * part of an aggregate ask for its narrower base class (ScoreReader, CatalogReader, TaskCreator,
 * EnrollmentUpdater): other instances over the same table, holding no state of their own.
 */
import type { Platform } from './compose';
import type { Store } from './store';
import { TABLE } from './store/client';
import { Table } from './store/table';
import { AccountRepository } from './store/accounts';
import { CampaignRepository } from './store/campaigns';
import { CatalogRepository } from './store/catalog';
import { EnrollmentRepository } from './store/enrollments';
import { ExecutionJournal } from './store/journal';
import { SendingReputationRepository } from './store/reputation';
import { ScoreRepository } from './store/scores';
import { SendRateRepository } from './store/send-rate';
import { TaskRepository } from './store/tasks';
import { TouchRepository } from './store/touches';
import { UnresolvedEventRepository } from './store/unresolved';

export function storeOf(platform: Platform): Store {
  return {
    table: Table.of(platform.port(TABLE)),
    accounts: platform.repository(AccountRepository),
    enrollments: platform.repository(EnrollmentRepository),
    touches: platform.repository(TouchRepository),
    tasks: platform.repository(TaskRepository),
    catalog: platform.repository(CatalogRepository),
    campaigns: platform.repository(CampaignRepository),
    scores: platform.repository(ScoreRepository),
    unresolved: platform.repository(UnresolvedEventRepository),
    journal: platform.repository(ExecutionJournal),
    reputation: platform.repository(SendingReputationRepository),
    sendRate: platform.repository(SendRateRepository),
  };
}
