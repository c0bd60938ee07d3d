// The official TypeScript SDK against a running `mockserver serve` (or any base URL serving the fake).
//
//   ANTHROPIC_BASE_URL=http://127.0.0.1:4010 node tests/typescript/check.mjs
//
// One line per check; exit code 1 and a message naming what differed on the first failure.
// Run by tests/test_typescript.py, after `npm ci --prefix tests/typescript` (or `npm install`).
import assert from 'node:assert/strict';

import Anthropic from '@anthropic-ai/sdk';
import { VERSION } from '@anthropic-ai/sdk/version';

// Releases before 1.3.0 send `?beta=true` for client.beta.models; from 1.3.0 on, the request client.models sends.
const [major, minor] = VERSION.split('.').map(Number);
const SENDS_BETA = major < 1 || (major === 1 && minor < 3);

const base = process.env.ANTHROPIC_BASE_URL?.replace(/\/+$/, '');
if (!base) {
  console.error('check.mjs: set ANTHROPIC_BASE_URL to the fake, e.g. http://127.0.0.1:4010');
  process.exit(2);
}
const client = new Anthropic({ apiKey: 'test-key', baseURL: base });
const API_HEADERS = { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' };

/** A plain HTTP request (no SDK): the JSON body, after checking the status. */
async function http(method, path, { status = 200, headers = {}, body } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, status, `${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** The fake's journal of /v1/ requests since the last clearJournal(). */
const clearJournal = () => http('DELETE', '/_mock/journal');
const journal = async () => (await http('GET', '/_mock/journal')).requests.filter((r) => r.path.startsWith('/v1/'));

const checks = [];
const check = (name, run) => checks.push({ name, run });

// The whole list in one page, fetched without the SDK: what every paging must add up to.
let all;
check('plain fetch of the full list (limit=1000)', async () => {
  const page = await http('GET', '/v1/models?limit=1000', { headers: API_HEADERS });
  assert.equal(page.has_more, false, 'limit=1000 should hold the whole default catalog');
  all = page.data.map((model) => model.id);
  assert.ok(all.length > 5, `only ${all.length} models: too few to page through with limit=5`);
  const created = page.data.map((model) => Date.parse(model.created_at));
  created.forEach((t, n) => assert.ok(n === 0 || created[n - 1] >= t, `not newest first at ${all[n]}`));
  return `${all.length} models`;
});

check('for await over models.list({limit: 5}): every model once, newest first', async () => {
  await clearJournal();
  const ids = [];
  for await (const model of client.models.list({ limit: 5 })) {
    assert.equal(model.type, 'model');
    ids.push(model.id);
  }
  assert.deepEqual(ids, all, 'auto-pagination forwards differs from the full list');
  const pages = (await journal()).map((r) => r.params.after_id?.[0] ?? null);
  const expected = [null];
  for (let n = 5; n < all.length; n += 5) expected.push(all[n - 1]);
  assert.deepEqual(pages, expected, 'the after_id cursors the SDK sent');
  return `${ids.length} models in ${pages.length} pages`;
});

check('for await over models.list({limit: 2, before_id}): backward auto-pagination', async () => {
  const cursor = all.at(-1); // the oldest listed model: every other one is before it
  const expected = []; // the pages the real API gives, nearest the cursor first, each newest first
  for (let end = all.length - 1; end > 0; end -= 2) expected.push(all.slice(Math.max(0, end - 2), end));
  const first = await client.models.list({ limit: 2, before_id: cursor });
  const pages = [];
  for await (const page of first.iterPages()) {
    pages.push(page.data.map((model) => model.id));
    assert.equal(page.first_id, page.data[0].id);
    assert.equal(page.last_id, page.data.at(-1).id);
  }
  assert.deepEqual(pages, expected, 'pages before the oldest model, walked with hasNextPage/getNextPage');
  const ids = [];
  for await (const model of client.models.list({ limit: 2, before_id: cursor })) ids.push(model.id);
  assert.deepEqual(ids, expected.flat(), 'for await over a before_id list');
  assert.deepEqual(new Set(ids), new Set(all.slice(0, -1)), 'the models before the oldest one');
  return `${pages.length} pages back from ${cursor}`;
});

check("models.retrieve('claude-sonnet-4-5'): the alias resolves", async () => {
  const model = await client.models.retrieve('claude-sonnet-4-5');
  assert.equal(model.id, 'claude-sonnet-4-5-20250929');
  assert.equal(model.type, 'model');
  return `${model.id} (${model.display_name})`;
});

check("models.retrieve('claude-nope'): Anthropic.NotFoundError, 404", async () => {
  const error = await client.models.retrieve('claude-nope').then(
    (model) => assert.fail(`expected a 404, got ${JSON.stringify(model)}`),
    (error) => error,
  );
  assert.ok(error instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${error?.stack ?? error}`);
  assert.equal(error.status, 404);
  assert.equal(error.type, 'not_found_error');
  assert.match(error.requestID ?? '', /^req_/);
  return `${error.status} ${error.type}: ${error.apiMessage}`;
});

check('POST /_mock/faults {"sequence": [429, 429]}: the SDK retries to a 200', async () => {
  await clearJournal();
  await http('POST', '/_mock/faults', { status: 201, body: { sequence: [429, 429], retry_after_ms: 10 } });
  const started = performance.now();
  const page = await client.models.list();
  const took = performance.now() - started;
  assert.ok(page.data.length > 0);
  const requests = await journal();
  assert.deepEqual(requests.map((r) => r.status), [429, 429, 200], 'statuses in the journal');
  const retries = requests.map((r) => r.headers['x-stainless-retry-count']);
  assert.deepEqual(retries, ['0', '1', '2'], 'x-stainless-retry-count of the three attempts');
  return `statuses 429, 429, 200 in ${Math.round(took)} ms`;
});

check(`client.beta.models.list() and .retrieve() see the beta keys (SDK ${VERSION} ${SENDS_BETA ? 'sends' : 'does not send'} beta=true)`, async () => {
  await clearJournal();
  const ids = [];
  for await (const model of client.beta.models.list()) ids.push(model.id);
  assert.deepEqual(ids, all, 'beta list differs from the full list');
  const model = await client.beta.models.retrieve('claude-sonnet-4-5');
  assert.equal(model.id, 'claude-sonnet-4-5-20250929');
  const keys = Object.keys(model);
  assert.deepEqual(keys.slice(-2), ['allowed_fallback_models', 'capabilities'], `keys: ${keys}`);
  assert.ok('compaction' in model.capabilities, 'capabilities.compaction is absent');
  const queries = (await journal()).map((r) => r.query);
  assert.ok(queries.length > 0 && queries.every((query) => query.includes('beta=true') === SENDS_BETA), `queries: ${queries}`);
  return `${ids.length} models; ${model.id} with allowed_fallback_models and capabilities.compaction`;
});

check('a fault with details: the SDK names the code and gives its details (OrganizationOnHoldError)', async () => {
  const details = { error_code: 'organization_on_hold', appeal_url: 'https://example.com/appeal' };
  await http('POST', '/_mock/faults', { status: 201, body: { status: 400, details } });
  const error = await client.models.list().then(
    (page) => assert.fail(`expected a 400, got ${JSON.stringify(page.data)}`),
    (error) => error,
  );
  assert.ok(error instanceof Anthropic.BadRequestError, `expected BadRequestError, got ${error?.stack ?? error}`);
  assert.equal(error.status, 400);
  if (!('errorCode' in error)) {  // releases before the typed codes: the envelope carries them all the same
    assert.deepEqual(error.error?.error?.details, details, `the envelope: ${JSON.stringify(error.error)}`);
    return `${error.constructor.name} (SDK ${VERSION} has no errorCode); error.details in the envelope`;
  }
  assert.equal(error.errorCode, 'organization_on_hold');
  assert.deepEqual(error.details, details);
  if (Anthropic.OrganizationOnHoldError) {
    assert.ok(error instanceof Anthropic.OrganizationOnHoldError, `expected OrganizationOnHoldError, got ${error.name}`);
  }
  return `${error.constructor.name}: ${error.errorCode}, appeal_url ${error.details.appeal_url}`;
});

let failed = false;
for (const { name, run } of checks) {
  try {
    const detail = await run();
    console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    console.log(`FAIL ${name}: ${String(error?.message ?? error).split('\n')[0]}`);
    console.error(error?.stack ?? error);
    failed = true;
    break; // later checks lean on earlier ones (the full list)
  }
}
process.exit(failed ? 1 : 0);
