/**
 * Lambda entry of the ExecuteStep and RecordFailure states (statemachines/account-sequence.asl.json):
 * runs the current step of one enrolled account and returns the next plan.
 */
import { instrument } from '../../platform/powertools';
import type { Plan } from '../../kernel/plan';
import { engineFromEnvironment } from '../wiring';

const engine = engineFromEnvironment();

export const handler = instrument<unknown, Plan>(async (event) => engine.executeStep(event));
