/**
 * `npm start`: local mode (docs/architecture.md "Local mode"). Reads the settings from the environment, starts
 * everything in this process, prints where everything is, and stops gracefully on Ctrl-C
 * (SIGINT) or SIGTERM: the API stops accepting, accepted engagement is scored, executions are
 * stopped with their journals kept, the simulated clock is saved, dynalite and SES close.
 * Starting again on the same data folder resumes what was in flight.
 *
 *   ABM_PORT=4000 ABM_SES_PORT=8005 ABM_DATA_DIR=.abm-data ABM_CLOCK=interactive npm start
 *
 * The npm script runs Node itself (`node --import tsx`), not a wrapper process: a wrapper that
 * relays the signal and then kills its child can cut the stop short. Ctrl-C reaches this process
 * twice under npm (from the terminal and relayed by npm): a repeat within a second is the same stop.
 */
import '../functions/platform/polyfills';
import { startLocal, type LocalRuntime } from '../lib/local/runtime';
import { readSettings, SettingsError } from '../lib/local/settings';

/** A second signal this soon after the first is the same Ctrl-C relayed (npm forwards it). */
const REPEAT_SIGNAL_MS = 1000;

function describeClock(clock: LocalRuntime['clock']): string {
  if (clock.mode === 'simulate') return 'simulate: time stands still until advanced (abm clock advance P1D)';
  if (clock.mode === 'interactive') return 'interactive: real time; skip ahead with abm clock advance P3D';
  const perSecond = clock.rate;
  if (perSecond >= 86_400)
    return `scaled: ${+(perSecond / 86_400).toFixed(2)} simulated day(s) per real second`;
  if (perSecond >= 3600) return `scaled: ${+(perSecond / 3600).toFixed(2)} simulated hour(s) per real second`;
  return `scaled: ${perSecond} simulated seconds per real second`;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let settings;
  try {
    settings = readSettings(process.env, process.cwd());
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const quiet = process.env.ABM_QUIET === '1';
  const runtime = await startLocal(settings, {
    quiet,
    requestLog: process.env.ABM_REQUEST_LOG !== '0' && !quiet,
    senderEmail: process.env.ABM_SENDER_EMAIL || undefined,
    // Optional: an aws-ses-v2-local already running elsewhere (then ABM_SES_PORT is unused).
    sesEndpoint: process.env.ABM_SES_ENDPOINT || undefined,
  });

  const lines = [
    '',
    `ABM local mode ${runtime.version} is up (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
    '',
    `  Console      ${runtime.consoleUrl}   (sign in with the token below)`,
    `  API          ${runtime.url}            (GET ${runtime.url}/health; OpenAPI at /openapi.json)`,
    `  Sent mail    ${runtime.mailViewerUrl}`,
    `               (${runtime.sentMail.count} kept in the data folder; JSON: GET ${runtime.url}/_local/mail; this run's SES store: ${runtime.sesUrl}/)`,
    `  Data folder  ${runtime.dataDir}`,
    `  Token        ${runtime.token}${settings.tokenGenerated ? '   (generated, kept in the data folder; set ABM_API_TOKEN to choose one)' : ''}`,
    `  Clock        ${describeClock(runtime.clock)}; now ${runtime.clock.now().toISOString()}`,
    `  Unsubscribe  links in mail point at ${runtime.url}/unsubscribe`,
    `  Ad accounts  ${
      settings.adsProviders.length === 0
        ? 'none configured (ads steps publish ads.audience.changed only)'
        : `${settings.adsProviders.map((p) => `${p.provider}${p.baseUrl ? ` -> ${p.baseUrl}` : ' (test double)'}`).join(', ')}; what they received: GET ${runtime.url}/_local/providers`
    }${settings.configSource ? ` (config: ${settings.configSource})` : ''}`,
    `  Direct mail  ${
      !settings.directMail || settings.directMail.provider === 'eventbridge'
        ? 'default provider (direct-mail steps publish direct_mail.requested)'
        : `${settings.directMail.provider}${settings.directMail.baseUrl ? ` -> ${settings.directMail.baseUrl}` : ' (test double)'}; webhooks: POST ${runtime.url}/webhooks/${settings.directMail.provider}`
    }`,
    '',
    '  Use it with the CLI:',
    `    export ABM_ENDPOINT=${runtime.url} ABM_API_TOKEN=${runtime.token}`,
    '    npx abm health',
    '',
    '  Notes: engagement comes in through POST /events and SDR task outcomes (no SES open/click events',
    "  locally); post events with occurredAt at the clock's now (npx abm clock status shows it).",
    runtime.rehydrated.restarted.length > 0
      ? `  Resumed ${runtime.rehydrated.restarted.length} execution(s) from the data folder.`
      : '',
    '  Ctrl-C stops gracefully; starting again on the same data folder resumes where it was.',
    '',
  ];
  process.stdout.write(`${lines.filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n')}\n`);

  let stoppingSince: number | undefined;
  const stop = (signal: string) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < REPEAT_SIGNAL_MS) return;
      process.stderr.write(`[abm] ${signal} again: exiting now\n`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    process.stderr.write(`[abm] ${signal}: stopping (Ctrl-C again to force)\n`);
    runtime.stop().then(
      () => {
        process.stderr.write('[abm] stopped; data saved\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`[abm] error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    process.stderr.write(
      `[abm] a port is already in use (${e.message}). Set ABM_PORT / ABM_SES_PORT to free ports.\n`,
    );
  } else process.stderr.write(`[abm] failed to start: ${String(e?.stack ?? err)}\n`);
  process.exit(1);
});
