/**
 * The CRM adapter port: what the task sync (functions/crm/sync.ts), the completion poll
 * (functions/crm/poll.ts) and the CRM's webhook receivers (functions/crm/receivers.ts) ask of a
 * provider adapter (functions/crm/adapters/<provider>.ts).
 */
import type { CrmProvider } from '../kernel/crm-provider';
import type { SdrOutcome } from '../kernel/model';

/** One SDR task as the CRM gets it. */
export interface CrmTaskRequest {
  /** This product's task id: the CRM record carries it (the idempotency key of the creation). */
  taskId: string;
  /**
   * What the SDR is to do: a call (sequence call steps, hot accounts), an email, or another kind
   * of to-do (a LinkedIn touch, researching the committee's missing roles).
   */
  kind: 'call' | 'email' | 'todo';
  subject: string;
  /** Why now, the talking points, recent engagement (plain text). */
  body: string;
  /** ISO timestamp. */
  dueAt: string;
  /** 1 is the most urgent. */
  priority: 1 | 2 | 3;
  /** The CRM owner id from `owners`; absent when the SDR is not mapped (the CRM's default owner). */
  ownerId?: string;
  /** The person to call, found by email or created. */
  contact?: { email: string; firstName?: string; lastName: string };
  /** The account as the CRM's company/account, found by domain or created. */
  company: { name: string; domain?: string };
}

/** A task completed in the CRM. */
export interface CrmCompletion {
  crmId: string;
  outcome: SdrOutcome;
  notes?: string;
}

export interface CrmAdapter {
  readonly provider: CrmProvider;
  /** Ids per `completed` call. */
  readonly maxPoll: number;
  /**
   * Creates the task (or finds the one an earlier attempt created, by `taskId`) and returns the
   * CRM's id. Retries 429/5xx/timeouts inside the HTTP client; past its budget throws `CrmError`.
   */
  createTask(task: CrmTaskRequest): Promise<string>;
  /** Which of these CRM tasks are completed now (at most `maxPoll` ids). */
  completed(crmIds: readonly string[]): Promise<CrmCompletion[]>;
}

/**
 * What a CRM call ended with when it could not complete: the shared HTTP client's error
 * (`retryable`: 429/5xx/timeouts past the retry budget, a 409 not resolved yet; else refused).
 */
export { ProviderHttpError as CrmError } from '../platform/providers/http';
