/** `abm health`: is the API up, which version. */
import type { Command } from '../command';
import { ExitCode } from '../errors';

export const healthCommand: Command = {
  path: ['health'],
  summary: 'check that the API answers (and its version)',
  examples: ['abm health', 'ABM_ENDPOINT=https://abc.execute-api.eu-west-1.amazonaws.com abm health'],
  async run(ctx) {
    const client = ctx.client();
    const { body } = await client.send<{ status?: string; version?: string }>({
      method: 'GET',
      path: '/health',
    });
    ctx.out.result(body, () => {
      const status = body?.status ?? 'ok';
      return `${ctx.out.paint('green', status)} ${client.endpoint}${body?.version ? ` (version ${body.version})` : ''}`;
    });
    return ExitCode.Ok;
  },
};
