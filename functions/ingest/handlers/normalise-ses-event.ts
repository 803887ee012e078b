/**
 * Lambda entry point: SES events (default bus, RULES.sesEngagement) -> engagement.recorded on the
 * engagement bus, plus suppression of hard-bounced and complaining addresses, unsubscribes, and the
 * sender reputation breaker's counts (ABM_REPUTATION, SES_CONFIGURATION_SET). Thin: wiring only.
 */
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { sesNormaliserFeature, type SesEventBridgeEvent, type SesNormaliseResult } from '../ses';

const { normalise } = composeLambda(['tableName', 'busName'], { normalise: sesNormaliserFeature });

export const handler = instrument(async (event: SesEventBridgeEvent): Promise<SesNormaliseResult> =>
  normalise(event),
);
