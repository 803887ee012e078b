/**
 * PUT /sequences with a print-and-mail provider configured: a direct-mail step must name a piece
 * the provider maps (`providers.directMail.pieces`), or every touch of it would be skipped; with the
 * default provider (an event on the bus) any piece name goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/api';
import { mailSettings } from '../support/mail';

const sequence = (piece: string) => ({
  name: 'mail',
  steps: [{ id: 'gift', channel: 'direct_mail', to: 'all', piece, maxCostCents: 5000 }],
});

describe('direct-mail pieces at PUT /sequences', () => {
  let lob: Harness;
  let plain: Harness;
  beforeAll(async () => {
    [lob, plain] = await Promise.all([
      startHarness({ directMailProvider: mailSettings('lob') }),
      startHarness(),
    ]);
  });
  afterAll(async () => {
    await lob?.stop();
    await plain?.stop();
  });

  it('refuses a piece the provider does not map, naming the step and the pieces it has', async () => {
    const res = await lob.call('PUT', '/sequences/mail', { body: sequence('calendar') });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([
      { path: 'body.steps.0.piece', message: expect.stringMatching(/no piece "calendar".*roi-booklet/) },
    ]);
    expect((await lob.call('PUT', '/sequences/mail', { body: sequence('roi-booklet') })).status).toBe(201);
  });

  it('takes any piece with the default provider', async () => {
    expect((await plain.call('PUT', '/sequences/mail', { body: sequence('calendar') })).status).toBe(201);
  });
});
