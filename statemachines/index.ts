/**
 * Where the state machine definitions live, for everything that loads them: the CDK constructs,
 * local mode's runner, the tests and the benchmarks. Paths are built from `__dirname`, so they
 * work from any working directory.
 */
import * as path from 'node:path';

/** One AccountSequence execution per enrolled account (docs/architecture.md, "The engine"). */
export const ACCOUNT_SEQUENCE_ASL = path.join(__dirname, 'account-sequence.asl.json');

/** The launcher: a Distributed Map over a large audience in S3. */
export const CAMPAIGN_LAUNCH_ASL = path.join(__dirname, 'campaign-launch.asl.json');
