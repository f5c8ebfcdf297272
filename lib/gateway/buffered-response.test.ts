import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferedResponse } from './buffered-response';
import { sendJson } from './context';

test('an answer sent with sendJson is kept whole: status, every header and the body', () => {
  const res = new BufferedResponse();
  sendJson(res.asServerResponse(), 202, { id: 'q_1', status: 'queued' }, { location: '/api/v1/queued/q_1', 'x-standby-tier': 'emergency' });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.allHeaders(), {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(res.body())),
    location: '/api/v1/queued/q_1',
    'x-standby-tier': 'emergency',
  });
  assert.deepEqual(JSON.parse(res.body()), { id: 'q_1', status: 'queued' });
});

test('headers given to writeHead as an object or as a flat list of names and values are the same headers', () => {
  const asObject = new BufferedResponse().writeHead(200, { 'X-One': '1', 'content-length': 12 });
  const asList = new BufferedResponse().writeHead(200, ['X-One', '1', 'content-length', '12']);
  assert.deepEqual(asList.allHeaders(), asObject.allHeaders());
  assert.deepEqual(asList.allHeaders(), { 'x-one': '1', 'content-length': '12' });
});
