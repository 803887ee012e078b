/**
 * The launch feature's published port: launching a campaign (POST /campaigns), its request and
 * response, and the campaign controls (pause, resume, stop).
 */
export { launchFeature, checkLaunchBody, type LaunchService, type LaunchOptions } from './launch-service';
export {
  controlFeature,
  type ControlAction,
  type ControlResult,
  type ControlService,
} from './control-service';
export { LaunchBody, LaunchForecast, LaunchResult, SKIP_REASONS, SkipReason } from './contract';
export { ACTIVE_CAMPAIGN } from './audience';
export { inProcessLaunch, type InProcessRunnerOptions } from './runners';
