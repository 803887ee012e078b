/**
 * The CDK app: validated configuration from cdk.json context, one stack, cdk-nag AwsSolutions.
 * Select a stage with `-c stage=prod`; an invalid context fails synth naming the bad keys.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AbmStack } from '../lib/infra/abm-stack';
import { ConfigError, parseConfig, type AppConfig } from '../lib/infra/config';

function loadConfig(app: App): AppConfig {
  try {
    return parseConfig(app.node.getAllContext(), { account: process.env.CDK_DEFAULT_ACCOUNT });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const app = new App();
const config = loadConfig(app);

new AbmStack(app, `Abm-${config.stage}`, {
  env: config.env,
  config,
  description: `Account-based marketing orchestrator (${config.stage})`,
});

// Any unacknowledged AwsSolutions finding (error or warning) fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
