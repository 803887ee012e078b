import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { connectDynamo } from '../../../functions/platform/store';

const hasLogger = (stack: { identify(): string[] }) =>
  stack.identify().some((name) => name.startsWith('loggerMiddleware'));

describe('connectDynamo', () => {
  it('leaves out the SDK logger middleware, which filters every call for a no-op logger', () => {
    const { base, client } = connectDynamo({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    expect(hasLogger(base.middlewareStack)).toBe(false);
    expect(hasLogger(client.middlewareStack)).toBe(false);
    base.destroy();
  });

  it('a client built the default way has it (negative control)', () => {
    const plain = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    expect(hasLogger(plain.middlewareStack)).toBe(true);
    plain.destroy();
  });
});
