/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * POST /templates/{id}/preview and /test-send: the engine's render path (role variant, account
 * override, the same context) for a chosen account and contact, the variables it lacks, and a test
 * send through the email port tagged so the SES normaliser never scores it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTemplate } from '../../functions/kernel/template-compile';
import { decodeCompiled, encodeCompiled } from '../../functions/kernel/template-compiled';
import { CatalogRepository } from '../../functions/platform/store/catalog';
import { templateVariables } from '../../functions/kernel/template-render';
import { emailContext } from '../../functions/kernel/templates';
import { SES_TAGS } from '../../functions/kernel/rules';
import { createSesNormaliser } from '../../functions/ingest/ses';
import { account, expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness({ senderEmail: 'sales@seller.example' }));

const TEMPLATE = {
  subject: 'A note for {{account.name}}',
  html: '<p>Hi {{contact.firstName}} ({{contact.title}}), {{acount.name}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a>',
  text: 'Hi {{contact.firstName}}{{#if contact.title}}, {{contact.title}}{{/if}}',
  byRole: { economic_buyer: { subject: 'Payback for {{account.name}}' } },
  byAccount: {
    'acct-00002': { text: 'Dear {{contact.name}} at {{account.name}} {{#each x}}{{this.y}}{{/each}}' },
  },
};

beforeAll(async () => {
  expect((await h.call('PUT', '/templates/intro', { body: TEMPLATE })).status).toBe(201);
  await h.call('POST', '/accounts/import', { body: { accounts: [account(1), account(2)] } });
});

describe('POST /templates/{id}/preview', () => {
  it('renders the role variant for an economic buyer and flags unknown and empty variables', async () => {
    const res = await h.call('POST', '/templates/intro/preview', {
      body: { accountId: 'acct-00001', contactId: 'acct-00001-eb' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      templateId: 'intro',
      version: 1,
      subject: 'Payback for Account 1',
      text: 'Hi Eve',
      unknownVariables: ['acount.name'],
      emptyVariables: ['contact.title'],
      variant: { role: 'economic_buyer', account: null },
      to: 'eve@acct-00001.example',
    });
    expect(res.json.html).toContain('<p>Hi Eve (), </p>');
    // The unsubscribe link is inert: no preview or test send unsubscribes the real contact.
    expect(res.json.html).toContain('href="https://abm.example/unsubscribe?t&#x3D;preview-not-a-token"');
  });

  it('applies the account override and the base subject for another role', async () => {
    const res = await h.call('POST', '/templates/intro/preview', {
      body: { accountId: 'acct-00002', contactId: 'acct-00002-ch' },
    });
    expect(res.json).toMatchObject({
      subject: 'A note for Account 2',
      text: 'Dear Cam Champion at Account 2 ',
      variant: { role: null, account: 'acct-00002' },
    });
  });

  it('renders the compiled form the engine renders: the stored one, while it was compiled from this source', async () => {
    const catalog = h.platform.repository(CatalogRepository);
    // Rendered parts are cached by source hash, so each case is a source never rendered before.
    const preview = (id: string) =>
      h.call('POST', `/templates/${id}/preview`, {
        body: { accountId: 'acct-00002', contactId: 'acct-00002-ch' },
      });
    const doctor = async (id: string, sourceHash?: string) => {
      const source = { ...TEMPLATE, text: `Text of ${id}` }; // a source (and hash) of its own
      expect((await h.call('PUT', `/templates/${id}`, { body: source })).status).toBe(201);
      const stored = (await catalog.getTemplateToRender(id))!;
      const original = decodeCompiled(stored.compiled, stored.template as unknown as typeof source)!;
      expect(original).toBeDefined();
      const doctored = {
        ...compileTemplate({ ...source, subject: 'Stored note for {{account.name}}' }),
        sourceHash: sourceHash ?? original.sourceHash,
      };
      const version = stored.template.version as number;
      expect(await catalog.saveCompiledTemplate(id, version, encodeCompiled(doctored))).toBe(true);
    };
    // A stored form made from this source (its hash) with another subject: the preview shows it.
    await doctor('stored-form');
    expect((await preview('stored-form')).json.subject).toBe('Stored note for Account 2');
    // A stored form made from another source is never rendered: the source is compiled again.
    await doctor('stale-form', 'another-source');
    expect((await preview('stale-form')).json.subject).toBe('A note for Account 2');
  });

  it('answers bad input with a 400 and a missing template, account or contact with a 404', async () => {
    const call = (id: string, body: unknown) => h.call('POST', `/templates/${id}/preview`, { body });
    expect(expectErrorShape(await call('intro', { accountId: 'acct-00001' }), 400).details[0].path).toBe(
      'body.contactId',
    );
    expectErrorShape(await call('intro', { accountId: 'acct-00001', contactId: 'x', extra: 1 }), 400);
    expectErrorShape(await call('intro', { accountId: 'a#b', contactId: 'x' }), 400);
    expectErrorShape(await call('nope', { accountId: 'acct-00001', contactId: 'acct-00001-eb' }), 404);
    expectErrorShape(await call('intro', { accountId: 'nope', contactId: 'acct-00001-eb' }), 404);
    expectErrorShape(await call('intro', { accountId: 'acct-00001', contactId: 'nope' }), 404);
  });
});

describe('POST /templates/{id}/test-send', () => {
  it('sends the rendered email to the address, tagged as a test and in no campaign', async () => {
    const res = await h.call('POST', '/templates/intro/test-send', {
      body: { to: 'Marketer@Seller.example', accountId: 'acct-00001', contactId: 'acct-00001-eb' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      to: 'marketer@seller.example',
      subject: 'Payback for Account 1',
      test: true,
      unknownVariables: ['acount.name'],
    });
    const [sent] = h.mail.sent;
    expect(sent).toMatchObject({
      from: 'sales@seller.example',
      to: 'marketer@seller.example',
      subject: 'Payback for Account 1',
      tags: { [SES_TAGS.test]: 'true', templateId: 'intro' },
    });
    expect(sent.tags.campaignId).toBeUndefined();
    expect(sent.tags.accountId).toBeUndefined();
  });

  it('SES refusing the send is a 409 with its error; a bad address a 400', async () => {
    h.mail.failWith = Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    const refused = await h.call('POST', '/templates/intro/test-send', {
      body: { to: 'x@y.example', accountId: 'acct-00001', contactId: 'acct-00001-eb' },
    });
    expect(expectErrorShape(refused, 409).message).toMatch(/refused the test send: MessageRejected/);
    expect(
      expectErrorShape(
        await h.call('POST', '/templates/intro/test-send', {
          body: { to: 'not-an-address', accountId: 'acct-00001', contactId: 'acct-00001-eb' },
        }),
        400,
      ).details[0].path,
    ).toBe('body.to');
  });

  it("the SES normaliser drops a test send's events: never engagement", async () => {
    const published: unknown[] = [];
    const normalise = createSesNormaliser({
      clock: h.clock,
      publish: async (events: unknown[]) => void published.push(...events),
    } as any);
    const result = await normalise({
      source: 'aws.ses',
      'detail-type': 'Email Clicked',
      detail: {
        eventType: 'Click',
        mail: {
          timestamp: '2026-11-23T09:00:00.000Z',
          messageId: 'm-1',
          source: 'sales@seller.example',
          destination: ['marketer@seller.example'],
          tags: { [SES_TAGS.test]: ['true'], templateId: ['intro'] },
        },
        click: { timestamp: '2026-11-23T09:01:00.000Z', link: 'https://seller.example/x' },
      },
    });
    expect(result.ignored).toBe('a test send (never scored)');
    expect(published).toEqual([]);
  });
});

describe('templateVariables', () => {
  it('checks @root paths inside #each and leaves the loop item alone', () => {
    const context = emailContext({
      account: { accountId: 'a', name: 'A' },
      contact: { contactId: 'c', name: 'Cam Champion', role: 'champion' },
      sender: { email: 's@x.example' },
      unsubscribeUrl: 'u',
    });
    const t = {
      subject: '{{#each list}}{{name}}{{@root.account.nam}}{{/each}}',
      html: '{{#unless contact.title}}{{lastTouch.summary}}{{/unless}}',
      text: '{{sender.email}} {{lookup account "name"}}',
      byRole: {},
      byAccount: {},
    };
    expect(templateVariables(t, compileTemplate(t), context)).toEqual({
      unknown: ['@root.account.nam', 'list'],
      empty: ['contact.title', 'lastTouch.summary'],
    });
  });
});
