/**
 * What the CRM doubles (HubSpot, Salesforce) share: the records they hold (the final state the
 * contract tests and the bench judge by) and the injected faults as responses.
 */
import type { DoubleResponse, DoubleServer, Faults, ProviderSnapshot } from './shared';

export interface CrmRecord {
  type: string;
  id: string;
  properties: Record<string, unknown>;
}

/** Records by type and id, in creation order. */
export class CrmRecords {
  private readonly byType = new Map<string, Map<string, CrmRecord>>();

  put(type: string, id: string, properties: Record<string, unknown>): CrmRecord {
    let m = this.byType.get(type);
    if (!m) this.byType.set(type, (m = new Map()));
    const record = { type, id, properties };
    m.set(id, record);
    return record;
  }

  get(type: string, id: string): CrmRecord | undefined {
    return this.byType.get(type)?.get(id);
  }

  ofType(type: string): CrmRecord[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  snapshot(): CrmRecord[] {
    return [...this.byType.values()]
      .flatMap((m) => [...m.values()])
      .map((r) => ({ ...r, properties: { ...r.properties } }));
  }
}

export interface CrmDoubleServer extends Omit<DoubleServer, 'snapshot'> {
  records: CrmRecords;
  snapshot(names?: Record<string, string>): ProviderSnapshot;
}

/**
 * The fault the next request meets, as a response (`throttle`: 429 with Retry-After, `error`: 500)
 * or `hang` (the caller applies the request and never answers); undefined: no fault.
 */
export function faultResponse(
  faults: Faults,
  provider: 'hubspot' | 'salesforce',
): DoubleResponse | 'hang' | undefined {
  const fault = faults.next(provider);
  if (fault === 'throttle')
    return {
      status: 429,
      headers: { 'retry-after': String(faults.retryAfterSeconds) },
      body:
        provider === 'hubspot'
          ? { status: 'error', category: 'RATE_LIMITS', message: 'You have reached your secondly limit.' }
          : [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }],
    };
  if (fault === 'error') return { status: 500, body: { message: 'internal error' } };
  if (fault === 'hang') return 'hang';
  return undefined;
}
