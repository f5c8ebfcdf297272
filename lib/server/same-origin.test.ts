import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossSiteProblem, mediaTypeOf } from './same-origin';

const request = (headers: Record<string, string>) => ({ method: 'POST', url: 'http://localhost:3000/api/config', headers: new Headers({ host: 'localhost:3000', ...headers }) });

test("Standby's own pages pass, by Origin or by NEXTAUTH_URL", () => {
  assert.equal(crossSiteProblem(request({ origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' }), null), null);
  assert.equal(crossSiteProblem(request({ origin: 'https://standby.example.com', host: 'internal:3000' }), 'https://standby.example.com'), null);
});

test('scripts without browser headers pass: CSRF needs a browser', () => {
  assert.equal(crossSiteProblem(request({}), null), null);
});

test('another site, another port of the same host, and an opaque origin are refused', () => {
  assert.match(crossSiteProblem(request({ origin: 'http://evil.example' }), null) ?? '', /Origin: http:\/\/evil\.example/);
  assert.match(crossSiteProblem(request({ origin: 'http://localhost:8080' }), 'http://localhost:3000') ?? '', /another site/);
  assert.match(crossSiteProblem(request({ 'sec-fetch-site': 'same-site' }), null) ?? '', /Sec-Fetch-Site: same-site/);
  assert.match(crossSiteProblem(request({ 'sec-fetch-site': 'cross-site', origin: 'http://localhost:3000' }), null) ?? '', /another site/);
  assert.match(crossSiteProblem(request({ origin: 'null' }), null) ?? '', /Origin: null/);
  assert.match(crossSiteProblem(request({ origin: 'not a url' }), null) ?? '', /another site/);
});

test('media types are compared without parameters or case', () => {
  assert.equal(mediaTypeOf('Application/YAML; charset=utf-8'), 'application/yaml');
  assert.equal(mediaTypeOf(null), null);
  assert.equal(mediaTypeOf(''), null);
});
