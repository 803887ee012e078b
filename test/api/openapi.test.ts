import { describe, expect, it } from 'vitest';
import { lintOpenApi } from '../../functions/api/openapi-lint';
import { startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

describe('GET /openapi.json', () => {
  it('serves an OpenAPI 3.1 document generated from the route table, which lints clean', async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    expect(res.json.info.version).toBe('9.9.9');
    expect(lintOpenApi(res.json)).toEqual([]);
    const launch = res.json.paths['/campaigns'].post;
    expect(launch.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/LaunchRequestInput',
    );
    const importBody = res.json.paths['/accounts/import'].post.requestBody.content;
    expect(Object.keys(importBody).sort()).toEqual(['application/json', 'text/csv']);
    // The launch's 409 is the one error shape with the forecast beside it (over_budget).
    expect(launch.responses['409'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/LaunchConflict',
    );
    expect(res.json.components.schemas.LaunchConflict.properties.forecast.$ref).toBe(
      '#/components/schemas/LaunchForecast',
    );
    expect(res.json.components.schemas.Error.properties.error.properties.code.enum).toContain('over_budget');
    expect(res.json.paths['/unsubscribe'].post.security).toEqual([]);
    expect(res.json.paths['/accounts'].get.security).toEqual([{ sigv4: [] }]);
  });

  it('the lint catches an error response whose error object is not the one error shape', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    doc.components.schemas.LaunchConflict.properties.error = { type: 'string' };
    expect(lintOpenApi(doc)).toEqual(['POST /campaigns 409: errors must use the Error schema']);
  });

  it('the lint catches an undocumented route and a broken $ref', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    delete doc.paths['/tasks'];
    doc.paths['/accounts'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nope',
    };
    const problems = lintOpenApi(doc);
    expect(problems).toContain('route GET /tasks is not documented');
    expect(problems.some((p) => p.includes('unresolvable $ref #/components/schemas/Nope'))).toBe(true);
  });
});
