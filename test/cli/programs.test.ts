/** `abm programs ...` against the contract (a fake API that records what it receives). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { abm, cliSuite, type FakeApi } from '../support/cli';

const program = {
  programId: 'surge',
  name: 'Intent surge to nurture',
  sequenceId: 't3-nurture',
  sequenceVersion: 2,
  status: 'active',
  trigger: { type: 'intent.surge', minStrength: 50, topics: ['freight audit'] },
  audience: { tiers: [3], clusters: [], industries: [], minFit: 0 },
  reentry: { after: 'P30D' },
  entries: 4,
  version: 1,
};

describe('abm programs', () => {
  let api: FakeApi;
  let dir: string;
  cliSuite((suite) => ({ api, dir } = suite));

  it('put sends the YAML file as the program and prints what was saved', async () => {
    const file = join(dir, 'surge.yaml');
    await writeFile(
      file,
      'name: Intent surge to nurture\nsequenceId: t3-nurture\ntrigger:\n  type: intent.surge\n  minStrength: 50\n  topics: [freight audit]\nreentry:\n  after: P30D\n',
    );
    api.on('PUT /programs/surge', { status: 201, body: program });
    const { code, stdout } = await abm(api, ['programs', 'put', 'surge', file]);
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.json).toEqual({
      name: 'Intent surge to nurture',
      sequenceId: 't3-nurture',
      trigger: { type: 'intent.surge', minStrength: 50, topics: ['freight audit'] },
      reentry: { after: 'P30D' },
    });
    expect(stdout).toMatch(/trigger:\s+intent\.surge minStrength=50 topics=freight audit/);
    expect(stdout).toMatch(/re-entry:\s+after P30D/);
  });

  it('list prints one row per program; pause and resume post to their paths', async () => {
    api.on('GET /programs', { body: { items: [program] } });
    const listed = await abm(api, ['programs', 'list']);
    expect(listed.stdout).toMatch(/surge\s+active\s+intent\.surge .*t3-nurture\s+4/);
    api.on('POST /programs/surge/pause', { body: { ...program, status: 'paused' } });
    const paused = await abm(api, ['programs', 'pause', 'surge']);
    expect(paused.code).toBe(ExitCode.Ok);
    expect(paused.stdout).toMatch(/status:\s+paused/);
  });
});
