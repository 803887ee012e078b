/**
 * The "outcome published" marker of a completed SDR task, kept as raw attributes of the task item
 * (the SdrTask model does not carry them, and nothing rewrites a task once it is completed):
 * - `outcomePublishClaimAt` (epoch ms): a completion request claimed the publication;
 * - `outcomePublishedAt` (epoch ms): the events were published.
 *
 * A claim succeeds only when nothing was published and no live claim exists, so two requests
 * never publish together; a claim left by a crash expires after `leaseMs` and a retry may claim.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { Table } from './table';

export interface TaskPublication {
  /** True when this caller now owns publishing the task's outcome. */
  claim(accountId: string, taskId: string, now: Date): Promise<boolean>;
  markPublished(accountId: string, taskId: string, now: Date): Promise<void>;
  /** Gives a claim back after a failed publish, so an immediate retry may publish. */
  release(accountId: string, taskId: string): Promise<void>;
}

const isConditionFailed = (err: unknown) =>
  (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

export function dynamoTaskPublication(table: Table, leaseMs = 60_000): TaskPublication {
  const send = (input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) =>
    table.client.send(new UpdateCommand({ TableName: table.tableName, ...input }));
  return {
    async claim(accountId, taskId, now) {
      try {
        await send({
          Key: keys.task(accountId, taskId),
          UpdateExpression: 'SET #claim = :now',
          ConditionExpression:
            'attribute_exists(#pk) AND attribute_not_exists(#done) AND (attribute_not_exists(#claim) OR #claim < :stale)',
          ExpressionAttributeNames: {
            '#pk': 'pk',
            '#claim': 'outcomePublishClaimAt',
            '#done': 'outcomePublishedAt',
          },
          ExpressionAttributeValues: { ':now': now.getTime(), ':stale': now.getTime() - leaseMs },
        });
        return true;
      } catch (err) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async markPublished(accountId, taskId, now) {
      await send({
        Key: keys.task(accountId, taskId),
        UpdateExpression: 'SET #done = :now REMOVE #claim',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': 'pk',
          '#claim': 'outcomePublishClaimAt',
          '#done': 'outcomePublishedAt',
        },
        ExpressionAttributeValues: { ':now': now.getTime() },
      });
    },
    async release(accountId, taskId) {
      await send({
        Key: keys.task(accountId, taskId),
        UpdateExpression: 'REMOVE #claim',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk', '#claim': 'outcomePublishClaimAt' },
      });
    },
  };
}
