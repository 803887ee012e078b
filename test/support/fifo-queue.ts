/**
 * An SQS FIFO queue as its consumers see it, in memory, for benchmarks and tests that drive
 * consumers concurrently:
 *   - a receive returns up to `max` messages, as many of ONE message group as are available
 *     first (the group whose next message is the oldest), then messages of other available
 *     groups, each group in order;
 *   - a group with messages in flight (received, not yet deleted) is not available: nothing of it
 *     is returned until that batch settles (its messages deleted, or the failed ones made visible
 *     again at the head of their group).
 * "Amazon SQS attempts to return as many messages with the same message group ID as possible in a
 * single call [...] If fewer than 10 messages are available for the same message group ID, Amazon
 * SQS may include messages from other message group IDs in the same batch, but each group retains
 * FIFO order":
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
export interface FifoQueueMessage {
  id: string;
  groupId: string;
}

export class FifoQueueModel<M extends FifoQueueMessage> {
  private readonly groups = new Map<string, { seq: number; message: M }[]>();
  private readonly inFlight = new Set<string>();
  private seq = 0;
  private waiters: (() => void)[] = [];
  private readonly receiveCounts = new Map<string, number>();
  /** Receives that returned messages, and the messages they returned. */
  readonly stats = { receives: 0, messages: 0 };
  /** Messages that failed `maxReceiveCount` times (the redrive policy's dead-letter queue). */
  readonly deadLetters: M[] = [];

  constructor(private readonly maxReceiveCount = 5) {}

  send(messages: readonly M[]): void {
    for (const message of messages) {
      const queue = this.groups.get(message.groupId) ?? [];
      queue.push({ seq: this.seq++, message });
      this.groups.set(message.groupId, queue);
    }
    this.wake();
  }

  /** Messages not yet deleted (visible or in flight). */
  get size(): number {
    let n = 0;
    for (const q of this.groups.values()) n += q.length;
    return n;
  }

  /** ReceiveMessage with MaxNumberOfMessages = max; an empty array when no group is available. */
  receive(max = 10): M[] {
    const available = [...this.groups]
      .filter(([group, queue]) => queue.length > 0 && !this.inFlight.has(group))
      .sort((a, b) => a[1][0]!.seq - b[1][0]!.seq);
    const batch: M[] = [];
    for (const [group, queue] of available) {
      if (batch.length >= max) break;
      this.inFlight.add(group);
      for (const { message } of queue.slice(0, max - batch.length)) batch.push(message);
    }
    if (batch.length > 0) {
      this.stats.receives++;
      this.stats.messages += batch.length;
    }
    return batch;
  }

  /**
   * Deletes the batch's messages but the failed ones, which stay at the head of their groups (a
   * message failed `maxReceiveCount` times goes to `deadLetters` instead).
   */
  settle(batch: readonly M[], failedIds: ReadonlySet<string> = new Set()): void {
    for (const message of batch) {
      if (failedIds.has(message.id)) {
        const receives = (this.receiveCounts.get(message.id) ?? 0) + 1;
        this.receiveCounts.set(message.id, receives);
        if (receives < this.maxReceiveCount) continue;
        this.deadLetters.push(message);
      }
      const queue = this.groups.get(message.groupId)!;
      const at = queue.findIndex((q) => q.message === message);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0) this.groups.delete(message.groupId);
    }
    for (const message of batch) this.inFlight.delete(message.groupId);
    this.wake();
  }

  /** Resolves at the next send or settle (a consumer with nothing to receive waits for one). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Runs `consumers` concurrent consumers until the queue is empty; each handles one batch at a time. */
  async drain(
    consumers: number,
    max: number,
    handle: (batch: M[]) => Promise<ReadonlySet<string> | void>,
  ): Promise<void> {
    const consumer = async (): Promise<void> => {
      while (this.size > 0) {
        const batch = this.receive(max);
        if (batch.length === 0) {
          await this.changed();
          continue;
        }
        const failed = await handle(batch);
        this.settle(batch, failed ?? undefined);
      }
      this.wake();
    };
    await Promise.all(Array.from({ length: consumers }, consumer));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
