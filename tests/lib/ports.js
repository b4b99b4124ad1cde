// TCP ports for tests on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Listens on `port` (0: any) and closes again; resolves to the port that was
// bound, or null when it is taken.
function bindOnce(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const bound = srv.address().port;
      srv.close(() => resolve(bound));
    });
  });
}

// A free TCP port on 127.0.0.1, for a server the test starts next. It comes
// from the kernel's ephemeral range, so it is free only for a moment.
export async function freePort() {
  const port = await bindOnce(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

// The kernel's ephemeral range [low, high] (ports it hands out for port 0).
function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: fall through to the Linux default
  }
  return [32768, 60999];
}

// A port where nothing listens, and nothing will: it lies outside the kernel's
// ephemeral range, so neither a server bound to port 0 (pantau, other tests)
// nor an outgoing connection can take it while the test relies on it being
// closed. (A port from freePort() may be handed out again, to the server
// under test for one, turning "camera offline" into something else.) A test
// may also open it later itself, as a camera that comes back.
export async function closedPort() {
  const [low, high] = ephemeralRange();
  const [from, to] = low > 12000 ? [10000, low] : [high + 1, 65536];
  for (let i = 0; i < 50; i++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if ((await bindOnce(port)) === port) return port;
  }
  throw new Error(`no closed TCP port found in ${from}-${to - 1}`);
}
