/** The SDK clients that adapters make when their first command is sent (functions/platform/aws-sdk.ts). */
import { describe, expect, it } from 'vitest';
import { lazyClient } from '../../functions/platform/aws-sdk';

describe('lazyClient', () => {
  it('makes the client at the first send, once, and sends every command through it', async () => {
    const sent: string[] = [];
    let made = 0;
    const client = lazyClient(() => {
      made++;
      return { send: async (command: never) => sent.push(command as string) };
    });
    expect(made).toBe(0);
    await client.send('a' as never);
    await client.send('b' as never);
    expect(made).toBe(1);
    expect(sent).toEqual(['a', 'b']);
  });
});
