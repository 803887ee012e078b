/**
 * The sender reputation circuit breaker (docs/architecture.md "Sender reputation"). The SES
 * normaliser counts each hard bounce and complaint here, once per event id, per sending domain;
 * when the domain's window (config.reputation: the last `windowHours` hours, judged from `minSends`
 * sends on) reaches `maxBounceRate` or `maxComplaintRate`, the domain is paused and
 * `email.sending_paused` published (the stack routes it to the alarm topic). The email channel
 * reads the pause and defers the domain's touches (functions/engine/channels/email.ts); an operator
 * resumes with `POST /sending-domains/{domain}/resume` (`abm sending resume DOMAIN`).
 */
import type { Clock } from '../kernel/clock';
import { Conflict } from '../kernel/errors';
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import {
  hourStart,
  judgeWindow,
  reputationConfig,
  windowHoursOf,
  type ReputationConfig,
  type SendingDomainState,
  type SendingDomainView,
  type SendingWindow,
} from '../kernel/reputation';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import { withPorts, type Platform } from '../platform/compose';
import { SendingReputationRepository, type Feedback } from '../platform/store/reputation';

export interface SendingReputationDeps {
  repository: SendingReputationRepository;
  publisher: EventPublisher;
  clock: Clock;
  config: ReputationConfig;
}

export type SendingReputation = ReturnType<typeof createSendingReputation>;

/** The breaker of a platform (`config.reputation`, validated here). */
export function sendingReputationFeature(platform: Platform): SendingReputation {
  return createSendingReputation(
    withPorts(
      platform,
      { publisher: PUBLISHER },
      {
        repository: platform.repository(SendingReputationRepository),
        clock: platform.clock,
        config: reputationConfig(platform.config.reputation),
      },
    ),
  );
}

export function createSendingReputation(deps: SendingReputationDeps) {
  const { repository, config } = deps;

  /** The domain's window at `now`: since the resume when there was one in it. */
  async function windowOf(domain: string, state: SendingDomainState | undefined, now: Date) {
    const resumedAt = state?.status === 'active' && state.resumedAt ? new Date(state.resumedAt) : undefined;
    const hours = windowHoursOf(now, config.windowHours, resumedAt);
    const counts = await repository.counts(domain, hours, resumedAt ? state?.baseline : undefined);
    const judged = judgeWindow(counts, config);
    const window: SendingWindow = {
      hours: config.windowHours,
      from: resumedAt ? resumedAt.toISOString() : hourStart(hours[0]!),
      ...counts,
      bounceRate: judged.bounceRate,
      complaintRate: judged.complaintRate,
    };
    return { window, breach: judged.breach };
  }

  function pausedEvent(state: SendingDomainState) {
    return busEvent(DETAIL_TYPES.sendingPaused, {
      eventId: `sending-paused:${state.domain}:${state.pausedAt}`,
      occurredAt: state.pausedAt!,
      domain: state.domain,
      reason: state.reason!,
      window: state.window!,
      thresholds: {
        minSends: config.minSends,
        maxBounceRate: config.maxBounceRate,
        maxComplaintRate: config.maxComplaintRate,
      },
    });
  }

  /**
   * Counts one hard bounce or complaint of `domain` (its SES event id, its time) and trips the
   * breaker when the window breaches a threshold. A redelivered event is not counted again; it
   * re-runs the rest, so a trip whose pause or event a crash cut short is completed (the event
   * keeps its id: consumers see the same `eventId`).
   */
  async function recordFeedback(
    domain: string,
    kind: Feedback,
    eventId: string,
    at: Date,
  ): Promise<{ counted: boolean; paused: boolean }> {
    const counted = await repository.countFeedback(domain, kind, eventId, at);
    const state = await repository.state(domain);
    if (state?.status === 'paused') {
      if (!counted) await deps.publisher.publish([pausedEvent(state)]);
      return { counted, paused: false };
    }
    const now = deps.clock.now();
    const { window, breach } = await windowOf(domain, state, now);
    if (!breach) return { counted, paused: false };
    const paused: SendingDomainState & { status: 'paused' } = {
      domain,
      status: 'paused',
      reason: breach,
      pausedAt: now.toISOString(),
      window,
      updatedAt: now.toISOString(),
    };
    if (!(await repository.pause(paused))) return { counted, paused: false };
    await deps.publisher.publish([pausedEvent(paused)]);
    return { counted, paused: true };
  }

  /** The domain's breaker, its window (as it was at the trip, while paused) and the thresholds. */
  async function status(domain: string): Promise<SendingDomainView> {
    const state = await repository.state(domain);
    const window =
      state?.status === 'paused' && state.window
        ? state.window
        : (await windowOf(domain, state, deps.clock.now())).window;
    return {
      domain,
      status: state?.status ?? 'active',
      ...(state?.status === 'paused'
        ? { reason: state.reason, pausedAt: state.pausedAt }
        : state?.resumedAt
          ? { resumedAt: state.resumedAt }
          : {}),
      window,
      thresholds: { ...config },
    };
  }

  /** Resumes a paused domain (its window starts afresh); a Conflict when it is not paused. */
  async function resume(domain: string): Promise<SendingDomainView> {
    const result = await repository.resume(domain, deps.clock.now());
    if (!result) throw new Conflict(`sending from ${domain} is not paused`);
    const { paused, resumed } = result;
    await deps.publisher.publish([
      busEvent(DETAIL_TYPES.sendingResumed, {
        eventId: `sending-resumed:${domain}:${resumed.resumedAt}`,
        occurredAt: resumed.resumedAt!,
        domain: resumed.domain,
        pausedAt: paused.pausedAt!,
        ...(paused.reason ? { reason: paused.reason } : {}),
      }),
    ]);
    return status(domain);
  }

  return { recordFeedback, status, resume };
}
