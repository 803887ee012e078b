/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { describe, expect, it } from 'vitest';
import { expectErrorShape, SEQUENCE, startHarness, TEMPLATE } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

describe('templates', () => {
  it('PUT creates (201) then updates (200) with a new version; GET reads; list pages', async () => {
    const created = await h.call('PUT', '/templates/intro', { body: TEMPLATE });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ templateId: 'intro', version: 1, byAccount: {} });
    const updated = await h.call('PUT', '/templates/intro', {
      body: { ...TEMPLATE, byAccount: { 'northwind-retail': { html: '<p>Only for you</p>' } } },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.version).toBe(2);
    const read = await h.call('GET', '/templates/intro');
    expect(read.json.byAccount['northwind-retail'].html).toBe('<p>Only for you</p>');
    const list = await h.call('GET', '/templates');
    expect(list.json.items.map((t: any) => t.templateId)).toEqual(['intro']);
  });

  it.each([
    ['a template that does not compile', { ...TEMPLATE, html: '<p>{{#if x}}</p>' }, 'body.html'],
    [
      'a role variant that does not compile',
      { ...TEMPLATE, byRole: { champion: { subject: '{{#each}}' } } },
      'body.byRole.champion.subject',
    ],
    ['a missing field', { subject: 's', html: 'h' }, 'body.text'],
    ['a wrong type', { ...TEMPLATE, subject: 42 }, 'body.subject'],
    ['an unknown role', { ...TEMPLATE, byRole: { janitor: { subject: 'x' } } }, 'body.byRole'],
  ])('400 for %s, with the path', async (_name, body, path) => {
    const e = expectErrorShape(await h.call('PUT', '/templates/bad', { body }), 400);
    expect(e.details.map((d) => d.path)).toContain(path);
    expectErrorShape(await h.call('GET', '/templates/bad'), 404); // nothing half-written
  });
});

describe('sequences', () => {
  it('PUT saves a new version each time; GET reads latest or a version; list', async () => {
    const v1 = await h.call('PUT', '/sequences/tier1', { body: SEQUENCE });
    expect(v1.status).toBe(201);
    expect(v1.json).toMatchObject({ version: 1, sequence: { id: 'tier1', exclusive: false } });
    const v2 = await h.call('PUT', '/sequences/tier1', { body: { ...SEQUENCE, name: 'Tier 1 v2' } });
    expect(v2.json.version).toBe(2);
    expect((await h.call('GET', '/sequences/tier1')).json.sequence.name).toBe('Tier 1 v2');
    expect((await h.call('GET', '/sequences/tier1', { query: { version: '1' } })).json.sequence.name).toBe(
      'Tier 1 strategic',
    );
    expectErrorShape(await h.call('GET', '/sequences/tier1', { query: { version: '9' } }), 404);
    expectErrorShape(await h.call('GET', '/sequences/tier1', { query: { version: 'x' } }), 400);
    const list = await h.call('GET', '/sequences');
    expect(list.json.items).toEqual([expect.objectContaining({ sequenceId: 'tier1', latestVersion: 2 })]);
  });

  it('400 with the paths of every bad field, including a template that does not exist', async () => {
    const body = {
      name: 'Broken',
      steps: [
        { id: 'a', channel: 'email', template: 'missing-template' },
        { id: 'b', channel: 'fax', template: 'intro' },
        { id: 'c', type: 'branch', cases: [{ if: { minScore: 1 }, goto: 'nowhere' }] },
      ],
    };
    const e = expectErrorShape(await h.call('PUT', '/sequences/broken', { body }), 400);
    const paths = e.details.map((d) => d.path);
    expect(paths).toContain('body.steps.1.channel');
    expect(paths).toContain('body.steps.2.cases.0.goto');
    const onlyTemplate = expectErrorShape(
      await h.call('PUT', '/sequences/broken', {
        body: { name: 'B', steps: [{ id: 'a', channel: 'email', template: 'missing-template' }] },
      }),
      400,
    );
    expect(onlyTemplate.details).toEqual([
      { path: 'body.steps.0.template', message: expect.stringMatching(/no template/) },
    ]);
    expectErrorShape(await h.call('GET', '/sequences/broken'), 404);
  });

  it('400 when the body id differs from the path; 400 for a direct-mail step without a budget', async () => {
    expectErrorShape(await h.call('PUT', '/sequences/one', { body: { ...SEQUENCE, id: 'two' } }), 400);
    const e = expectErrorShape(
      await h.call('PUT', '/sequences/mail', {
        body: { name: 'M', steps: [{ id: 'gift', channel: 'direct_mail', piece: 'book' }] },
      }),
      400,
    );
    expect(e.details[0]).toMatchObject({ path: 'body.steps.0.maxCostCents' });
  });
});
