/** FifoSender over SQS SendMessageBatch. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FifoMessage, FifoSender } from '../scoring/enqueuer';

export class SqsFifoSender implements FifoSender {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendBatch(messages: FifoMessage[]): Promise<string[]> {
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
