/**
 * Errors the state machine matches by name (Retry and Catch in statemachines/account-sequence.asl.json).
 */

/** Throttling or a transient fault of a downstream service: the state machine retries the task. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * The park task found nothing to park for (the enrollment was resumed, or the awaited condition
 * already holds): the state machine catches it and re-plans at once instead of waiting.
 */
export class NotParkedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotParked';
  }
}
