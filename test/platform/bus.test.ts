import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../functions/platform/bus';
import { DETAIL_TYPES, SOURCES, type BusEvent } from '../../functions/kernel/events';

// The publisher moves events as they are; only the fields it reads matter here.
const event = (i: number) =>
  ({
    source: SOURCES.engine,
    detailType: DETAIL_TYPES.touchSent,
    detail: { eventId: `e${i}`, occurredAt: '2026-11-22T10:00:00Z', accountId: 'acme' },
  }) as unknown as BusEvent;

describe('EventBridgePublisher', () => {
  it('sends in chunks of 10 and retries only the failed entries', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), 'bus', async () => {});
    await publisher.publish(Array.from({ length: 12 }, (_, i) => event(i)));
    const calls = eb
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).eventId));
    expect(calls[0]).toHaveLength(10);
    expect(calls[1]).toEqual(['e1']);
    expect(calls[2]).toEqual(['e10', 'e11']);
    eb.restore();
  });

  it('gives up after bounded attempts with the error codes', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const publisher = new EventBridgePublisher(new EventBridgeClient({}), 'bus', async () => {});
    await expect(publisher.publish([event(1)])).rejects.toThrow(/after 4 attempts \(InternalFailure\)/);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(4);
    eb.restore();
  });
});
