// dynalite with the account store's table: shared with local mode.
import type { DynamoClient, DynamoOperation } from '../../functions/platform/store/dynamo-client';

export * from '../../lib/local/dynamo';

/** A client that keeps every operation it sends (name and input), in order, and passes it on to `inner`. */
export function recordingClient(inner: DynamoClient) {
  const sent: { name: DynamoOperation; input: Record<string, unknown> }[] = [];
  const client: DynamoClient = {
    send(operation, input) {
      sent.push({ name: operation, input });
      return inner.send(operation, input);
    },
    destroy: () => inner.destroy(),
  };
  return { client, sent, names: () => sent.map((s) => s.name) };
}
