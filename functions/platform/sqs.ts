/** The scorer's FIFO queue behind a port: one message per account and batch, grouped by account. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient, sqsSdk } from './aws-sdk';
import { configuredPort } from './compose';

export interface FifoMessage {
  id: string;
  groupId: string;
  deduplicationId: string;
  body: string;
}

export interface FifoSender {
  /** Sends up to 10 messages; returns the ids of the entries that failed. */
  sendBatch(messages: FifoMessage[]): Promise<string[]>;
}

/** FifoSender over SQS SendMessageBatch. */
export class SqsFifoSender implements FifoSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendBatch(messages: FifoMessage[]): Promise<string[]> {
    const { SendMessageBatchCommand } = sqsSdk();
    const out = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((m) => ({
          Id: m.id,
          MessageBody: m.body,
          MessageGroupId: m.groupId,
          MessageDeduplicationId: m.deduplicationId,
        })),
      }),
    );
    return (out.Failed ?? []).map((f) => f.Id ?? '').filter(Boolean);
  }
}

/** The scorer queue port: the FIFO queue at `config.scorerQueueUrl`. */
export const SCORER_QUEUE = /* @__PURE__ */ configuredPort(
  'fifo',
  'scorerQueueUrl',
  (url) =>
    new SqsFifoSender(
      lazyClient(() => new (sqsSdk().SQSClient)({})),
      url,
    ),
);
