import type { BusEvent, DetailBase } from '../../kernel/events';

/** A bus event whose detail carries more than the base fields. */
export function busEvent(
  source: BusEvent['source'],
  detailType: BusEvent['detailType'],
  detail: DetailBase & Record<string, unknown>,
): BusEvent {
  return { source, detailType, detail };
}
