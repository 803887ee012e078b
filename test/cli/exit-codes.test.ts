import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { abm, closedPortUrl, cliSuite, testIo, type FakeApi } from '../support/cli';

describe('exit codes', () => {
  let api: FakeApi;
  let dir: string;
  cliSuite((suite) => ({ api, dir } = suite));

  it('0: the call succeeded', async () => {
    api.on('GET /health', { body: { status: 'ok', version: '1.2.3' } });
    const { code, stdout } = await abm(api, ['health']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain(`ok ${api.url} (version 1.2.3)`);
  });

  it('1: the server answered an error; prints code, message and field details with file lines', async () => {
    api.on('PUT /sequences/tier1', {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: 'the sequence is not valid',
          details: [
            { path: ['steps', 1, 'after'], message: 'not an ISO 8601 duration' },
            { path: 'steps.0.template', message: 'template "intro" does not exist' },
          ],
        },
      },
    });
    const file = join(dir, 'seq.yaml');
    await writeFile(
      file,
      [
        'id: tier1',
        'name: Tier 1',
        'steps:',
        '  - id: intro',
        '    channel: email',
        '    template: intro',
        '  - id: call',
        '    channel: sdr_task',
        '    after: three days',
        '',
      ].join('\n'),
    );
    const { code, stderr } = await abm(api, ['sequences', 'put', file]);
    expect(code).toBe(ExitCode.ServerError);
    expect(stderr).toContain('validation_failed: the sequence is not valid (PUT /sequences/tier1 -> 400)');
    expect(stderr).toContain(`steps.1.after: not an ISO 8601 duration (${file}:9)`);
    expect(stderr).toContain(`steps.0.template: template "intro" does not exist (${file}:6)`);
  });

  it('1: a non-JSON error body is still reported', async () => {
    api.on('GET /campaigns/x', { status: 502, body: 'Bad Gateway', contentType: 'text/plain' });
    const { code, stderr } = await abm(api, ['campaigns', 'status', 'x', '--once']);
    expect(code).toBe(ExitCode.ServerError);
    expect(stderr).toContain('http_502: Bad Gateway');
  });

  it('1 with --json: the error body goes to stderr as JSON', async () => {
    api.on('GET /accounts/nope', {
      status: 404,
      body: { error: { code: 'not_found', message: 'no account nope' } },
    });
    const { code, stdout, stderr } = await abm(api, ['accounts', 'get', 'nope', '--json']);
    expect(code).toBe(ExitCode.ServerError);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({
      error: { code: 'not_found', message: 'no account nope' },
      status: 404,
      exitCode: 1,
    });
  });

  it.each([
    [['nonsense'], 'unknown command "nonsense"'],
    [['campaigns', 'explode', 'x'], 'unknown command "campaigns explode"'],
    [['campaigns'], '"campaigns" needs a command'],
    [['health', '--bogus'], 'unknown flag --bogus'],
    [['tasks', 'list', '--html', 'x.html'], '--html is not a flag of "abm tasks list"'],
    [['campaigns', 'status'], 'missing CAMPAIGN_ID'],
    [['templates', 'put', 'intro'], 'missing FILE'],
    [['health', 'extra'], 'unexpected argument "extra"'],
    [['campaigns', 'launch', '--tier', '1'], 'missing --sequence'],
    [['campaigns', 'launch', '--sequence', 's'], 'name the audience'],
    [['campaigns', 'launch', '--sequence', 's', '--tier', '7'], '--tier expects a number between 1 and 3'],
    [['tasks', 'complete', 't1'], 'missing --outcome'],
    [['events', 'send', '--type', 'web.visit'], 'name the account'],
    [
      ['events', 'send', '--type', 'web.visit', '--account', 'a', '--prop', 'novalue'],
      '--prop expects key=value',
    ],
    [['events', 'send', 'f.json', '--type', 'web.visit'], 'either a FILE or event flags'],
    [['health', '--endpoint', 'ftp://x'], 'invalid endpoint "ftp://x"'],
    [['health', '--endpoint', 'https://api.example.com'], 'SigV4 signing needs a region'],
    [[], 'Usage: abm <command>'],
  ])('2: usage error for abm %j', async (args, message) => {
    const { code, stdout, stderr } = await abm(undefined, args);
    expect(code).toBe(ExitCode.Usage);
    expect(stdout + stderr).toContain(message);
    expect(api.requests).toHaveLength(0);
  });

  it('3: cannot reach the endpoint; names the URL and hints npm start', async () => {
    const url = await closedPortUrl();
    const { code, stderr } = await abm({ url }, ['health']);
    expect(code).toBe(ExitCode.Unreachable);
    expect(stderr).toContain(`cannot reach ${url} (ECONNREFUSED)`);
    expect(stderr).toContain('npm start');
  });

  it('3: the endpoint comes from ABM_ENDPOINT when no flag is given', async () => {
    const url = await closedPortUrl();
    const { code, stderr } = await abm(undefined, ['health'], testIo({ env: { ABM_ENDPOINT: url } }));
    expect(code).toBe(ExitCode.Unreachable);
    expect(stderr).toContain(url);
  });

  it.each([
    [401, 'unauthorized', 'pass --token'],
    [403, 'forbidden', 'execute-api:Invoke'],
  ])('4: HTTP %i is an authentication/authorisation failure', async (status, code, hint) => {
    api.on('GET /health', { status, body: { error: { code, message: 'no' } } });
    const res = await abm(api, ['health', '--token', 'wrong']);
    expect(res.code).toBe(ExitCode.Auth);
    expect(res.stderr).toContain(`${code}: no`);
    expect(res.stderr).toContain(hint);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer wrong');
  });

  it('4: the token also comes from ABM_API_TOKEN', async () => {
    api.on('GET /health', { body: { status: 'ok' } });
    const { code } = await abm(api, ['health'], testIo({ env: { ABM_API_TOKEN: 'from-env' } }));
    expect(code).toBe(ExitCode.Ok);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer from-env');
  });

  it('5: some events were rejected', async () => {
    api.on('POST /events', {
      status: 202,
      body: {
        accepted: 1,
        rejected: [{ index: 1, eventId: 'e2', errors: [{ path: 'type', message: 'unknown type' }] }],
      },
    });
    const file = join(dir, 'events.json');
    await writeFile(
      file,
      JSON.stringify({
        events: [
          { eventId: 'e1', type: 'web.visit', occurredAt: '2026-11-22T10:00:00Z', accountId: 'a' },
          { eventId: 'e2', type: 'bogus', occurredAt: '2026-11-22T10:00:00Z', accountId: 'a' },
        ],
      }),
    );
    const { code, stdout } = await abm(api, ['events', 'send', file]);
    expect(code).toBe(ExitCode.Partial);
    expect(stdout).toContain('1 accepted, 1 rejected of 2 events');
    expect(stdout).toMatch(/2\s+e2\s+type: unknown type/);
  });

  describe('6: input file problems name the path', () => {
    it.each([
      ['missing.csv', null, 'missing.csv: no such file'],
      ['bad.json', '{\n  "accounts": [\n    { "accountId": "a", }\n  ]\n}\n', 'bad.json:3: invalid JSON'],
      ['bad.csv', 'accountId,name\na,b\nc,"d\n', 'bad.csv:3: invalid CSV'],
      ['noid.csv', 'name,domain\na,b.example\n', 'noid.csv:1: the CSV header has no "accountId" column'],
      [
        'header-only.csv',
        'accountId,name\n',
        'header-only.csv:2: the CSV file has a header but no data rows',
      ],
      ['scalar.json', '42', 'scalar.json: expected {"accounts": [...]} or an array of accounts'],
      ['bad.yaml', 'accounts:\n  - accountId: a\n   name: [unclosed\n', 'bad.yaml:3: invalid YAML'],
    ])('accounts import %s', async (name, content, message) => {
      const file = join(dir, name);
      if (content !== null) await writeFile(file, content);
      const { code, stderr } = await abm(api, ['accounts', 'import', file]);
      expect(code).toBe(ExitCode.InputFile);
      expect(stderr).toContain(join(dir, message));
      expect(api.requests).toHaveLength(0);
    });

    it('relative paths are reported as typed, resolved against the working directory', async () => {
      const { code, stderr } = await abm(api, ['sequences', 'put', 'nope/seq.yaml'], testIo({ cwd: dir }));
      expect(code).toBe(ExitCode.InputFile);
      expect(stderr).toContain('abm: nope/seq.yaml: no such file');
    });

    it('a directory instead of a file', async () => {
      await mkdir(join(dir, 'adir'), { recursive: true });
      const { code, stderr } = await abm(api, ['templates', 'put', 'intro', join(dir, 'adir')]);
      expect(code).toBe(ExitCode.InputFile);
      expect(stderr).toContain('is a directory');
    });

    it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
      const file = join(dir, 'secret.json');
      await writeFile(file, '{}');
      await chmod(file, 0o000);
      const { code, stderr } = await abm(api, ['events', 'send', file]);
      expect(code).toBe(ExitCode.InputFile);
      expect(stderr).toContain('permission denied');
    });

    it('a sequence without an id', async () => {
      const file = join(dir, 'noid.yaml');
      await writeFile(file, 'name: no id\nsteps: []\n');
      const { code, stderr } = await abm(api, ['sequences', 'put', file]);
      expect(code).toBe(ExitCode.InputFile);
      expect(stderr).toContain(`${file}: the sequence has no "id"`);
    });
  });
});
