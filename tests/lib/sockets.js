// Sockets of this machine as the kernel lists them.
import { readFileSync } from 'node:fs';

// The local addresses of the listening TCP sockets on port, from /proc
// (what `ss -ltn` shows): e.g. ['127.0.0.1'] or ['::'].
export function listeningOn(port) {
  const found = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]]) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // LISTEN
      const [hexAddr, hexPort] = f[1].split(':');
      if (parseInt(hexPort, 16) !== port) continue;
      found.push(v6 ? ipv6FromProc(hexAddr) : ipv4FromProc(hexAddr));
    }
  }
  return found;
}

const ipv4FromProc = (hex) => [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).reverse().join('.');

function ipv6FromProc(hex) {
  const words = [];
  for (let w = 0; w < 4; w++) {
    const le = hex.slice(w * 8, w * 8 + 8);
    const be = le.match(/../g).reverse().join('');
    words.push(be.slice(0, 4), be.slice(4, 8));
  }
  const text = words.map((x) => parseInt(x, 16).toString(16)).join(':');
  return text === '0:0:0:0:0:0:0:0' ? '::' : text === '0:0:0:0:0:0:0:1' ? '::1' : text;
}
