/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Concurrent writers lose nothing and see no 500 (docs/api.md "Concurrent writes"): 16 workers x 25
 * writes each to the same template, sequence, contact or account, over HTTP on 127.0.0.1 (the API's
 * router behind local mode's node:http server, dynalite on loopback). A PUT without If-Match is
 * never refused (last writer wins, every write gets its own version); a conditional PUT that loses
 * is a 409 in the error shape; the final version is the number of accepted writes.
 */
import { describe, expect, it } from 'vitest';
import { startHttp } from '../../lib/local/http';
import { SEQUENCE, TEMPLATE, startHarness, type Harness } from '../support/api';
import { apiClient } from '../support/local';
import { useHarness } from '../support/suite';

const WORKERS = 16;
const WRITES = 25;

const h = useHarness(async () => {
  const api = await startHarness();
  const http = await startHttp(api.router, { host: '127.0.0.1', port: 0 });
  return {
    ...api,
    url: http.url,
    async stop() {
      await http.close();
      await api.stop();
    },
  } as Harness & { url: string };
});

interface Answer {
  status: number;
  json: any;
  etag: string | null;
  /** The request carried If-Match. */
  conditional: boolean;
}

async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await apiClient(h.url, '').call(method, path, body, { headers });
  return { ...res, etag: res.headers.get('etag'), conditional: 'if-match' in headers };
}

/** `workers` concurrent loops of `writes` calls each; every answer, in no particular order. */
async function storm(
  workers: number,
  writes: number,
  write: (worker: number, i: number) => Promise<Answer>,
): Promise<Answer[]> {
  const answers: Answer[][] = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const mine: Answer[] = [];
      for (let i = 0; i < writes; i++) mine.push(await write(w, i));
      return mine;
    }),
  );
  return answers.flat();
}

const versionOf = (etag: string | null) => Number(/^"(\d+)"$/.exec(etag ?? '')?.[1] ?? NaN);

/** The checks every storm must pass (`before`: versions written before it); returns the number of accepted writes. */
function checkStorm(answers: Answer[], before = 0): number {
  const serverErrors = answers.filter((a) => a.status >= 500);
  expect(serverErrors.map((a) => [a.status, a.json])).toEqual([]);
  const unconditional409 = answers.filter((a) => a.status === 409 && !a.conditional);
  expect(unconditional409.map((a) => a.json)).toEqual([]);
  for (const lost of answers.filter((a) => a.status === 409)) {
    expect(lost.json.error).toMatchObject({ code: 'conflict', details: [{ path: 'headers.if-match' }] });
    expect(typeof lost.json.error.message).toBe('string');
  }
  const unexpected = answers.filter((a) => ![200, 201, 409].includes(a.status));
  expect(unexpected.map((a) => [a.status, a.json])).toEqual([]);
  const accepted = answers.filter((a) => a.status < 300);
  // Every accepted write has a version of its own: the next `accepted` numbers, each once.
  const versions = accepted.map((a) => versionOf(a.etag)).sort((x, y) => x - y);
  expect(versions).toEqual(Array.from({ length: accepted.length }, (_, i) => before + i + 1));
  return accepted.length;
}

/** A conditional writer: read the ETag, write with If-Match; a win is exactly the next version. */
async function conditionalWrite(readPath: string, write: (ifMatch: string) => Promise<Answer>) {
  const read = await send('GET', readPath);
  expect(read.status).toBe(200);
  const answer = await write(read.etag as string);
  if (answer.status < 300) expect(versionOf(answer.etag)).toBe(versionOf(read.etag) + 1);
  return answer;
}

const template = (w: number, i: number) => ({ ...TEMPLATE, subject: `From writer ${w}, write ${i}` });
const sequence = (w: number, i: number) => ({ ...SEQUENCE, name: `From writer ${w}, write ${i}` });
const contact = (w: number, i: number) => ({
  name: `Writer ${w} ${i}`,
  email: `w${w}@storm.example`,
  role: 'champion',
  title: `Title ${i}`,
});

describe(`${WORKERS} workers x ${WRITES} writes to one resource, without If-Match`, () => {
  it('a template: no 5xx, no 409, its version counts every write', async () => {
    const answers = await storm(WORKERS, WRITES, (w, i) => send('PUT', '/templates/storm-t', template(w, i)));
    expect(checkStorm(answers)).toBe(WORKERS * WRITES);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const read = await send('GET', '/templates/storm-t');
    expect(read.json.version).toBe(WORKERS * WRITES);
    expect(read.etag).toBe(`"${WORKERS * WRITES}"`);
    // The last writer wins: the stored template is the one whose write got the last version.
    const last = answers.find((a) => versionOf(a.etag) === WORKERS * WRITES);
    expect(read.json.subject).toBe(last?.json.subject);
  }, 180_000);

  it('a sequence: no 5xx, no 409, one version per write', async () => {
    expect((await send('PUT', '/templates/intro', TEMPLATE)).status).toBeLessThan(300);
    const answers = await storm(WORKERS, WRITES, (w, i) => send('PUT', '/sequences/storm-s', sequence(w, i)));
    expect(checkStorm(answers)).toBe(WORKERS * WRITES);
    for (const a of answers) expect(a.json.version).toBe(versionOf(a.etag));
    const latest = await send('GET', '/sequences/storm-s');
    expect(latest.json.version).toBe(WORKERS * WRITES);
    expect(latest.etag).toBe(`"${WORKERS * WRITES}"`);
    const list = await send('GET', '/sequences');
    expect(list.json.items).toContainEqual(
      expect.objectContaining({ sequenceId: 'storm-s', latestVersion: WORKERS * WRITES }),
    );
  }, 180_000);

  it('a contact: no 5xx, no 409, its version counts every write', async () => {
    const imported = await send('POST', '/accounts/import', {
      accounts: [{ accountId: 'storm-acct', name: 'Storm', domain: 'storm.example', tier: 1 }],
    });
    expect(imported.json).toMatchObject({ imported: 1, rejected: [] });
    const answers = await storm(WORKERS, WRITES, (w, i) =>
      send('PUT', '/accounts/storm-acct/contacts/storm-c', contact(w, i)),
    );
    expect(checkStorm(answers)).toBe(WORKERS * WRITES);
    const read = await send('GET', '/accounts/storm-acct/contacts/storm-c');
    expect(read.etag).toBe(`"${WORKERS * WRITES}"`);
    const last = answers.find((a) => versionOf(a.etag) === WORKERS * WRITES);
    expect(read.json).toEqual(last?.json);
  }, 180_000);

  it('an account (imports of the same account): no 5xx, every import lands and counts', async () => {
    const answers = await storm(WORKERS, WRITES, (w, i) =>
      send('POST', '/accounts/import', {
        accounts: [
          {
            accountId: 'storm-import',
            name: `Writer ${w} ${i}`,
            domain: 'storm-import.example',
            tier: 2,
            contacts: [{ contactId: `c-${w}`, name: `Writer ${w}`, role: 'champion' }],
          },
        ],
      }),
    );
    expect(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.json])).toEqual([]);
    expect(answers.flatMap((a) => a.json.rejected)).toEqual([]);
    expect(answers.reduce((n, a) => n + a.json.imported, 0)).toBe(1);
    expect(answers.reduce((n, a) => n + a.json.updated, 0)).toBe(WORKERS * WRITES - 1);
    const stored = await h.store.accounts.get('storm-import');
    expect(stored?.version).toBe(WORKERS * WRITES);
    expect(stored).toMatchObject({ tier: 2, stage: 'target' });
    expect(await h.store.accounts.listContacts('storm-import')).toHaveLength(WORKERS);
  }, 180_000);
});

describe(`${WORKERS} workers x ${WRITES} writes, half of them with If-Match`, () => {
  const mixed = async (
    readPath: string,
    write: (w: number, i: number, headers: Record<string, string>) => Promise<Answer>,
  ) => {
    const answers = await storm(WORKERS, WRITES, (w, i) =>
      w % 2 === 0 ? write(w, i, {}) : conditionalWrite(readPath, (etag) => write(w, i, { 'if-match': etag })),
    );
    const accepted = checkStorm(answers, 1);
    expect(answers.filter((a) => !a.conditional && a.status < 300)).toHaveLength((WORKERS / 2) * WRITES);
    return accepted;
  };

  it('a template: the final version is the number of accepted writes', async () => {
    await send('PUT', '/templates/mixed-t', TEMPLATE);
    const accepted = await mixed('/templates/mixed-t', (w, i, headers) =>
      send('PUT', '/templates/mixed-t', template(w, i), headers),
    );
    const read = await send('GET', '/templates/mixed-t');
    expect(read.json.version).toBe(accepted + 1);
  }, 180_000);

  it('a sequence: the final version is the number of accepted writes', async () => {
    await send('PUT', '/sequences/mixed-s', sequence(0, 0));
    const accepted = await mixed('/sequences/mixed-s', (w, i, headers) =>
      send('PUT', '/sequences/mixed-s', sequence(w, i), headers),
    );
    const latest = await send('GET', '/sequences/mixed-s');
    expect(latest.json.version).toBe(accepted + 1);
  }, 180_000);

  it('a contact: the final version is the number of accepted writes', async () => {
    await send('PUT', '/accounts/storm-acct/contacts/mixed-c', contact(0, 0));
    const accepted = await mixed('/accounts/storm-acct/contacts/mixed-c', (w, i, headers) =>
      send('PUT', '/accounts/storm-acct/contacts/mixed-c', contact(w, i), headers),
    );
    const read = await send('GET', '/accounts/storm-acct/contacts/mixed-c');
    expect(read.etag).toBe(`"${accepted + 1}"`);
  }, 180_000);
});
