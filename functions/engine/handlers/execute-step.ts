/**
 * Lambda entry of the ExecuteStep and RecordFailure states (statemachines/account-sequence.asl.json):
 * runs the current step of one enrolled account and returns the next plan.
 */
import type { Plan } from '../../kernel/plan';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { stepFeature } from '..';

const { engine } = composeLambda(
  ['tableName', 'busName', 'senderEmail', 'unsubscribeBaseUrl', 'unsubscribeSecretId'],
  { engine: stepFeature },
);

export const handler = instrument<unknown, Plan>(async (event) => engine.executeStep(event));
