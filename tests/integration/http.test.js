// The HTTP side: pages with a strict Content-Security-Policy, plugin web
// modules, no way out of the served folders, 404 for the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, httpGet, eachCase } from '../lib/harness.js';

let server;
before(async () => { server = await startServer(); });
after(async () => { await stopServer(server); server.cleanup(); });

// The directives of a Content-Security-Policy header, as name -> [values].
function csp(header) {
  const directives = new Map();
  for (const part of String(header || '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

for (const path of ['/wall', '/wall?wall=main', '/console']) {
  test(`GET ${path}: 200 text/html with script-src 'self'`, async () => {
    const res = await httpGet(server, path);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] || '', /^text\/html\b/);
    const header = res.headers['content-security-policy'];
    assert.ok(header, 'a Content-Security-Policy header');
    const policy = csp(header);
    const scripts = policy.get('script-src') || policy.get('default-src');
    assert.ok(scripts, `script-src in ${header}`);
    assert.ok(scripts.includes("'self'"), `script-src 'self' in ${header}`);
    for (const unsafe of ["'unsafe-inline'", "'unsafe-eval'", '*']) assert.ok(!scripts.includes(unsafe), `no ${unsafe} in ${header}`);
    // Pages load their scripts from files: every <script> has a src.
    const tags = res.body.match(/<script\b[^>]*>/gi) || [];
    assert.ok(tags.length > 0, 'the page loads a script');
    for (const tag of tags) assert.match(tag, /\bsrc=/i, `script from a file: ${tag}`);
  });
}

test('GET /plugins/clock/clock.js: 200 JavaScript', async () => {
  const res = await httpGet(server, '/plugins/clock/clock.js');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] || '', /^(text|application)\/javascript\b/);
  assert.ok(res.body.length > 0);
});

const traversals = [
  '/static/../../etc/passwd',
  '/static/../../../../../../etc/passwd',
  '/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/static/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
  '/static/..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/plugins/clock/../../../../../../etc/passwd',
  '/plugins/clock/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/plugins/clock/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
  '/plugins/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd',
  '/plugins/clock/web/../../clock.so',
  '/plugins/clock/%2e%2e/clock.so',
  '/plugins/clock/..%5c..%5c..%5c..%5cetc%5cpasswd',
  '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/../../../../etc/passwd',
  '/static/%252e%252e/%252e%252e/etc/passwd',
  '/static/....//....//etc/passwd',
  '/vendor/../../../../etc/passwd',
  '/vendor/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
];

test('path traversal gets 403 or 404 and never file contents', async () => {
  await eachCase(traversals, async (path) => {
    const res = await httpGet(server, path);
    assert.ok([403, 404].includes(res.status), `status ${res.status}`);
    assert.doesNotMatch(res.body, /root:.*:0:0:/, 'no /etc/passwd');
    assert.doesNotMatch(res.body, /\x7fELF/, 'no shared object');
  });
});

// libwebsockets' URI decoder refuses %00 itself and closes the connection
// before the request reaches pantau; that is a refusal too. What must never
// happen is a 200 with a file.
test('an encoded NUL byte in the path is refused (error status or closed), never a file', async () => {
  await eachCase(['/static/%00../../etc/passwd', '/plugins/clock/clock.js%00.html', '/plugins/clock/clock.js%00', '/static/a%00b'], async (path) => {
    let res;
    try {
      res = await httpGet(server, path);
    } catch (err) {
      assert.match(String(err.message), /socket hang up|ECONNRESET/, 'closed without a response');
      return;
    }
    assert.ok([400, 403, 404].includes(res.status), `status ${res.status}`);
  });
  assert.equal((await httpGet(server, '/plugins/clock/clock.js')).status, 200, 'the server still serves');
});

test('unknown paths get 404', async () => {
  await eachCase(['/nope', '/plugins/nope/x.js', '/plugins/clock/nope.js', '/static/nope.js', '/console.php'], async (path) => {
    const res = await httpGet(server, path);
    assert.equal(res.status, 404);
  });
});
