// The one WebSocket a page keeps to the server (docs/protocol.md).
//
// It reconnects by itself, forever, with exponential backoff, because a wall
// display has no one in front of it to press reload. Every (re)connection
// starts with a snapshot that replaces all state, so nothing from before an
// outage can linger.

import { CodecSupport } from './codecs.js';

const SUBPROTOCOL = 'pantau.v1';
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10000;
// A connection can die without a close (a cable pulled, a laptop asleep):
// ping now and then and give up on it when the reply does not come.
const PING_EVERY_MS = 15000;
const PING_TIMEOUT_MS = 5000;
// In a cluster (docs/cluster.md) a page has other nodes to go to, and its
// video is to be back within 3 s of its node failing: a node that died
// closes its sockets, but a hung one only falls silent. So a page that has
// heard nothing for CLUSTER_SILENT_MS pings, and moves to the next node
// when the reply has not come CLUSTER_PING_TIMEOUT_MS later.
const CLUSTER_CHECK_MS = 100;
const CLUSTER_SILENT_MS = 500;
const CLUSTER_PING_TIMEOUT_MS = 1000;
// A node that takes the connection but sends no snapshot within this is
// left too (a hung node's kernel still accepts connections).
const CLUSTER_OPEN_TIMEOUT_MS = 2000;
// As many data entries per widget as the server keeps (SOURCE_HISTORY_MAX).
const HISTORY_MAX = 240;
// Close reasons (code 1008) that mean the login behind the socket has ended.
const LOGIN_ENDED = new Set(['logged out', 'session expired']);
// The close reason (code 1008) of a node that refused the page's failover
// ticket: the page goes to that node's login.
const TICKET_REFUSED = 'ticket refused';
// A failover ticket goes to another node as a Sec-WebSocket-Protocol entry
// (docs/security.md): never in a URL, which servers and proxies log.
const TICKET_PROTOCOL = 'pantau.ticket.';

const EVENT_NAMES = ['changes', 'cluster', 'snapshot', 'wall', 'presets', 'source', 'source.removed', 'data', 'status', 'history', 'stats', 'event', 'ptz.held'];

// The binary media frame header (docs/protocol.md), little-endian.
export const MEDIA_FLAG_KEYFRAME = 1;
export const MEDIA_FLAG_CONFIG = 2;

// Parses a binary frame: { stream, flags, keyframe, pts, receivedUs, data }
// or null when it is not a frame this page understands.
export function parseMediaFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 24) return null;
  const view = new DataView(buffer);
  const version = view.getUint8(0);
  const headerLength = view.getUint16(2, true);
  if (version !== 1 || headerLength < 24 || headerLength > buffer.byteLength) return null;
  const flags = view.getUint8(1);
  return {
    stream: view.getUint32(4, true),
    flags,
    keyframe: (flags & MEDIA_FLAG_KEYFRAME) !== 0,
    pts: Number(view.getBigInt64(8, true)),
    receivedUs: Number(view.getBigInt64(16, true)),
    data: new Uint8Array(buffer, headerLength),
  };
}

// Replay streams (issue 16, docs/protocol.md "Replay") share the page's
// media routing with live cameras: their listeners and interests are keyed
// by replayKey(id), which no source id can be (source ids have no spaces).
export const replayKey = (id) => `replay ${id}`;

// The replay id a `media` event is about (`"replay": true, "replay_id"`),
// or null for a live stream.
export const replayIdOf = (media) => (media?.replay ? media.replay_id ?? null : null);

// The key media listeners of a stream are registered under.
export const mediaKeyOf = (media) => {
  const replay = replayIdOf(media);
  return replay === null ? media.source : replayKey(replay);
};

// A replay frame's wall-clock time in ms since the epoch: its presentation
// time is the recorded wall-clock time in µs (docs/protocol.md "Replay").
export const frameTimeMs = (frame) => Math.round(frame.pts / 1000);

// A wall display's viewer token (?token=) goes on to the socket.
export function defaultSocketUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(location.search).get('token');
  return `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

// The socket URL of a node's public URL ("http://10.0.0.2:8080"), with the
// page's viewer token: a page moves between nodes with the token it holds
// (docs/cluster.md).
export function nodeSocketUrl(publicUrl) {
  const base = publicUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  const token = globalThis.location ? new URLSearchParams(location.search).get('token') : null;
  return `${base}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

// Whether socket URL url is on the page's own host (its cookies go along).
function sameHost(url) {
  return !globalThis.location || new URL(url).host === globalThis.location.host;
}

// The http(s) origin of socket URL url.
function httpOrigin(url) {
  return new URL(url).origin.replace(/^ws/, 'http');
}

// The nodes a page tries when it loses its own (named self), in order:
// those after it in the list, then those before, then itself again.
export function failoverOrder(nodes, self) {
  const at = nodes.findIndex((node) => node.name === self);
  const order = at < 0 ? nodes : [...nodes.slice(at + 1), ...nodes.slice(0, at + 1)];
  return order.map((node) => nodeSocketUrl(node.url));
}

// Backoff before reconnect attempt `attempt` (0-based): 0.5 s doubling up to
// 10 s, each randomised down to half so that many walls restarting together
// do not all knock at the same instant.
export function backoffDelay(attempt) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function emptyState() {
  return {
    server: null, sources: new Map(), walls: new Map(), presets: [], data: new Map(),
    history: new Map(), // source id -> [{data, time}], oldest first
    stats: {}, // camera source id -> {status, fps, kbps, last_frame_age_ms, ...}
    ptzHeld: new Map(), // camera source id -> {by, mine}: who steers it now (ptz.held)
  };
}

function disconnectedError() {
  return { code: 'disconnected', message: 'not connected to the server' };
}

export class Connection {
  constructor(url = defaultSocketUrl()) {
    this.url = url;
    this.state = emptyState();
    this.connected = false; // true from the snapshot until the socket closes
    this.listeners = new Map(EVENT_NAMES.map((name) => [name, new Set()]));
    this.pending = new Map(); // request id -> { resolve, reject }
    this.nextId = 1;
    this.attempt = 0;
    this.socket = null;
    this.retryTimer = null;
    this.pingTimer = null;
    this.stopped = false;
    this.interests = new Map(); // owner -> Map(source id -> 'main' | 'sub')
    this.page = null; // which page this is, told in subscribe ("console", "wall:main")
    this.subscribed = ''; // the last subscription sent, as JSON
    this.subscribeQueued = false;
    this.streams = new Map(); // media stream id -> { source, kind, codec, width, height }
    this.mediaListeners = new Map(); // source id -> Set of callbacks
    // What this page decodes; a change subscribes again (docs/protocol.md).
    this.codecSupport = new CodecSupport(() => this.sendSubscribe(false));
    this.refusals = new Map(); // camera source id -> its refused media event
    // A cluster's nodes (docs/cluster.md): [{name, url, self}], the one this
    // page is connected to, whether its NATS takes changes, and the nodes
    // still to try after a loss (null: none lost yet).
    this.cluster = { nodes: [], available: true };
    // The failover ticket of this page's login (docs/security.md): held in
    // memory only, shown only to another node (whose host the login's
    // cookie does not reach).
    this.ticket = null;
    this.node = null;
    this.failoverQueue = null;
    this.lastHeard = 0;
    this.pingSentAt = 0;
    // Why the node refuses changes (its cluster's store is unavailable): null
    // when it takes them, '' when it said so without a reason ('changes').
    this.changesRefused = null;
  }

  // Declares what `owner` (a view) shows: a Map or object of source id ->
  // 'main' | 'sub' (cameras) or anything (widgets), and replayKey(id) ->
  // 'replay' for a tile in replay. The union of every
  // owner's interest is sent to the server, which then sends data and media
  // for those sources only. An owner that shows nothing passes null.
  setInterest(owner, sources) {
    if (sources && Object.keys(sources).length + (sources.size || 0) > 0) {
      this.interests.set(owner, sources instanceof Map ? sources : new Map(Object.entries(sources)));
    } else {
      this.interests.delete(owner);
    }
    this.queueSubscribe();
  }

  // Says which page this is ("console", "wall:main"): the console's "who
  // gets what" (media.deliveries) shows it.
  setPage(page) {
    this.page = page;
    this.queueSubscribe();
  }

  queueSubscribe() {
    if (this.subscribeQueued) return;
    this.subscribeQueued = true;
    queueMicrotask(() => {
      this.subscribeQueued = false;
      this.sendSubscribe(false);
    });
  }

  // A camera shown large anywhere gets the main stream.
  wantedSources() {
    const wanted = new Map();
    const replays = new Set();
    for (const sources of this.interests.values()) {
      for (const [id, stream] of sources) {
        if (stream === 'replay') replays.add(id.slice(replayKey('').length));
        else if (wanted.get(id) !== 'main') wanted.set(id, stream === 'sub' ? 'sub' : 'main');
      }
    }
    const byId = ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0);
    return [...wanted].sort(byId).map(([id, stream]) => ({ id, stream }))
      .concat([...replays].sort().map((replay) => ({ replay })));
  }

  sendSubscribe(force) {
    if (!this.connected) return;
    const sources = this.wantedSources();
    const codecs = this.codecSupport.list();
    const text = JSON.stringify([sources, codecs, this.page]);
    if (!force && text === this.subscribed) return;
    this.subscribed = text;
    this.request('subscribe', { sources, codecs, ...(this.page ? { page: this.page } : {}) }).then((ok) => {
      for (const [id, entries] of Object.entries(ok.history || {})) this.state.history.set(id, entries);
      this.emit('history', this.state.history);
    }, (err) => {
      if (err.code !== 'disconnected') console.error('pantau: subscribe refused', err);
    });
  }

  // Calls callback(frame, streamInfo) for each video frame of source id
  // (live), or of replayKey(replay id). Returns a function that stops it.
  onMedia(sourceId, callback) {
    if (!this.mediaListeners.has(sourceId)) this.mediaListeners.set(sourceId, new Set());
    const set = this.mediaListeners.get(sourceId);
    set.add(callback);
    return () => {
      set.delete(callback);
      if (!set.size) this.mediaListeners.delete(sourceId);
    };
  }

  receiveMedia(buffer) {
    const frame = parseMediaFrame(buffer);
    if (!frame) return;
    const info = this.streams.get(frame.stream);
    if (!info) return;
    for (const callback of this.mediaListeners.get(mediaKeyOf(info)) || []) {
      try {
        callback(frame, info);
      } catch (err) {
        console.error('pantau: media listener failed', err);
      }
    }
  }

  // Subscribes to 'snapshot' (state), 'wall' (wall), 'presets' (list),
  // 'source' (source), 'data' ({source, data, time}) or 'status'
  // (connected: boolean). Returns a function that unsubscribes.
  on(name, callback) {
    const set = this.listeners.get(name);
    if (!set) throw new Error(`unknown event '${name}'`);
    set.add(callback);
    return () => set.delete(callback);
  }

  start() {
    this.stopped = false;
    this.open();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.openTimer);
    this.dropSocket();
  }

  // Sends a request; resolves with the reply's `ok` object, rejects with
  // its `error` object ({code, message, field?, current?}).
  request(op, fields = {}) {
    if (!this.connected) return Promise.reject(disconnectedError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ ...fields, op, id }));
    });
  }

  emit(name, value) {
    for (const callback of this.listeners.get(name)) {
      try {
        callback(value);
      } catch (err) {
        // One broken listener must not stop the others (or the socket).
        console.error(`pantau: '${name}' listener failed`, err);
      }
    }
  }

  open() {
    const protocols = this.ticket && !sameHost(this.url) ? [SUBPROTOCOL, TICKET_PROTOCOL + this.ticket] : SUBPROTOCOL;
    const socket = new WebSocket(this.url, protocols);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.lost(socket, event);
    // An error is always followed by a close; the close does the work.
    socket.onerror = () => {};
    clearTimeout(this.openTimer);
    if (this.cluster.nodes.length > 1) this.openTimer = setTimeout(() => this.openTimedOut(socket), CLUSTER_OPEN_TIMEOUT_MS);
  }

  openTimedOut(socket) {
    if (socket !== this.socket || this.connected) return;
    this.dropSocket();
    if (!this.failOver()) this.scheduleReconnect();
  }

  // Forgets the current socket without waiting for its close handshake.
  dropSocket() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.onmessage = socket.onclose = null;
    socket.close();
    this.disconnected();
  }

  lost(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.disconnected();
    if (event?.code === 1008 && event.reason === TICKET_REFUSED && globalThis.location) {
      // That node does not know this page's login: log in there.
      this.stopped = true;
      const { pathname, search } = globalThis.location;
      globalThis.location.assign(`${httpOrigin(this.url)}/login?next=${encodeURIComponent(pathname + search)}`);
      return;
    }
    if (event?.code === 1008 && LOGIN_ENDED.has(event.reason) && globalThis.location) {
      // The login this page ran under is over (logged out elsewhere, or
      // expired): reconnecting would be refused, so ask for a new one.
      this.stopped = true;
      const { pathname, search } = globalThis.location;
      globalThis.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
      return;
    }
    if (this.failOver()) return;
    this.scheduleReconnect();
  }

  // Opens a socket to the next node of the cluster at once: true, or false
  // when every node was tried since the last snapshot (or there is no
  // other), and the usual backoff follows (docs/cluster.md).
  failOver() {
    if (this.stopped) return false;
    if (this.failoverQueue === null) this.failoverQueue = this.cluster.nodes.length > 1 ? failoverOrder(this.cluster.nodes, this.node) : [];
    if (!this.failoverQueue.length) {
      this.failoverQueue = null;
      return false;
    }
    this.url = this.failoverQueue.shift();
    clearTimeout(this.retryTimer);
    this.open();
    return true;
  }

  // A node stopping names the node its clients go to: go at once.
  handOver(node) {
    if (!node?.url || this.stopped) return;
    this.failoverQueue = null;
    this.dropSocket();
    this.url = nodeSocketUrl(node.url);
    clearTimeout(this.retryTimer);
    this.open();
  }

  setChangesRefused(why) {
    if (why === this.changesRefused) return;
    this.changesRefused = why;
    this.emit('changes', why);
  }

  // fresh: from a snapshot, which replaces what an earlier node said.
  applyCluster(cluster, fresh = false) {
    const wasAvailable = this.cluster.available;
    const wasCluster = this.cluster.nodes.length > 1;
    this.cluster = { nodes: cluster?.nodes || [], available: cluster?.available !== false };
    this.node = this.cluster.nodes.find((node) => node.self)?.name ?? null;
    if (!this.cluster.available) {
      if (this.changesRefused === null) this.setChangesRefused('');
    } else if (fresh || !wasAvailable) {
      this.setChangesRefused(null);
    }
    if (this.connected && wasCluster !== this.cluster.nodes.length > 1) this.startPinging();
    this.emit('cluster', this.cluster);
  }

  disconnected() {
    clearInterval(this.pingTimer);
    this.pingSentAt = 0;
    for (const { reject } of this.pending.values()) reject(disconnectedError());
    this.pending.clear();
    if (this.connected) {
      this.connected = false;
      this.emit('status', false);
    }
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  startPinging() {
    clearInterval(this.pingTimer);
    this.pingSentAt = 0;
    this.lastHeard = Date.now();
    if (this.cluster.nodes.length > 1) this.pingTimer = setInterval(() => this.checkNode(), CLUSTER_CHECK_MS);
    else this.pingTimer = setInterval(() => this.checkAlive(), PING_EVERY_MS);
  }

  // In a cluster: a silent node is pinged, and left when it does not answer.
  checkNode() {
    const now = Date.now();
    if (this.pingSentAt) {
      if (now - this.pingSentAt < CLUSTER_PING_TIMEOUT_MS || !this.socket) return;
      this.dropSocket();
      if (!this.failOver()) this.scheduleReconnect();
      return;
    }
    if (now - this.lastHeard < CLUSTER_SILENT_MS) return;
    this.pingSentAt = now;
    const done = () => { this.pingSentAt = 0; };
    this.request('ping').then(done, done);
  }

  checkAlive() {
    const timeout = new Promise((resolve, reject) => setTimeout(reject, PING_TIMEOUT_MS, 'timeout'));
    Promise.race([this.request('ping'), timeout]).catch((why) => {
      if (why !== 'timeout' || !this.socket) return;
      this.dropSocket();
      this.scheduleReconnect();
    });
  }

  receive(text) {
    this.lastHeard = Date.now();
    if (typeof text !== 'string') return this.receiveMedia(text);
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      console.error('pantau: the server sent a frame that is not JSON');
      return;
    }
    if ('re' in message) this.settle(message);
    else if (message.ev) this.handleEvent(message);
  }

  settle(reply) {
    const waiter = this.pending.get(reply.re);
    if (!waiter) return;
    this.pending.delete(reply.re);
    if (reply.error?.code === 'unavailable') this.setChangesRefused(reply.error.message || '');
    else if (Number.isInteger(reply.ok?.version)) this.setChangesRefused(null);
    if (reply.error) waiter.reject(reply.error);
    else waiter.resolve(reply.ok);
  }

  handleEvent(message) {
    switch (message.ev) {
      case 'snapshot': return this.applySnapshot(message);
      case 'wall': return this.applyWall(message.wall);
      case 'preset': return this.applyPreset(message.preset);
      case 'preset.deleted': return this.applyPresetDeleted(message.preset);
      case 'source': return this.applySource(message.source);
      case 'source.removed': return this.applySourceRemoved(message.source);
      case 'data': return this.applyData(message);
      case 'media':
        this.codecSupport.check(message.codec);
        // Refused (an H.265 camera this page cannot decode, past the
        // server's conversions): tiles say why they show nothing.
        // A replay's refusal ("h265") is the replay's, under its key.
        if (message.refused) return this.refusals.set(mediaKeyOf(message), message);
        this.refusals.delete(mediaKeyOf(message));
        return this.streams.set(message.stream, message);
      case 'stats': return this.applyStats(message.sources);
      case 'event': return this.emit('event', message);
      case 'ptz.held': return this.applyPtzHeld(message);
      case 'nodes': return this.applyCluster(message.cluster);
      case 'handover': return this.handOver(message.node);
      case 'ticket':
        this.ticket = typeof message.ticket === 'string' ? message.ticket : null;
        return undefined;
      default: return undefined; // newer servers may send more; ignore them
    }
  }

  applySnapshot(snapshot) {
    const state = emptyState();
    state.server = snapshot.server || null;
    for (const source of snapshot.sources || []) state.sources.set(source.id, source);
    for (const wall of snapshot.walls || []) state.walls.set(wall.id, wall);
    state.presets = snapshot.presets || [];
    for (const [id, entry] of Object.entries(snapshot.data || {})) state.data.set(id, entry);
    // A new connection holds no camera yet.
    this.ptzMine = new Set();
    for (const [id, by] of Object.entries(snapshot.ptz_held || {})) state.ptzHeld.set(id, { by, mine: false });
    this.state = state;
    this.attempt = 0;
    this.failoverQueue = null;
    clearTimeout(this.openTimer);
    this.applyCluster(snapshot.cluster, true);
    const wasConnected = this.connected;
    this.connected = true;
    this.startPinging();
    this.streams.clear();
    this.refusals.clear();
    this.emit('snapshot', state);
    if (!wasConnected) this.emit('status', true);
    // A new connection starts with no subscriptions: send them again.
    this.sendSubscribe(true);
  }

  applyWall(wall) {
    const known = this.state.walls.get(wall.id);
    if (known && known.version > wall.version) return; // never step back
    this.state.walls.set(wall.id, wall);
    this.emit('wall', wall);
  }

  // A saved preset replaces the one with its id, or joins the end of the list.
  applyPreset(preset) {
    const list = this.state.presets;
    const at = list.findIndex((p) => p.id === preset.id);
    if (at >= 0) list[at] = preset;
    else list.push(preset);
    this.emit('presets', list);
  }

  applyPresetDeleted(id) {
    this.state.presets = this.state.presets.filter((p) => p.id !== id);
    this.emit('presets', this.state.presets);
  }

  // Who steers a camera. The holder's own session gets the event first
  // with "you", then the copy every client gets: that copy is skipped.
  applyPtzHeld({ source, by, you }) {
    this.ptzMine ??= new Set();
    if (you) this.ptzMine.add(source);
    else if (this.ptzMine.delete(source)) return;
    if (by) this.state.ptzHeld.set(source, { by, mine: Boolean(you) });
    else this.state.ptzHeld.delete(source);
    this.emit('ptz.held', { source, by, mine: Boolean(you) });
  }

  applyStats(sources) {
    this.state.stats = sources || {};
    for (const camera of Object.values(this.state.stats)) this.codecSupport.check(camera && camera.codec);
    this.emit('stats', this.state.stats);
  }

  applySource(source) {
    this.state.sources.set(source.id, source);
    this.emit('source', source);
  }

  // A source removed from the console (issue 15): tiles that showed it
  // keep its id and say there is no such source.
  applySourceRemoved(id) {
    this.state.sources.delete(id);
    this.state.data.delete(id);
    this.emit('source.removed', id);
  }

  applyData(message) {
    const entry = { data: message.data, time: message.time };
    this.state.data.set(message.source, entry);
    const history = this.state.history.get(message.source) || [];
    history.push(entry);
    if (history.length > HISTORY_MAX) history.shift();
    this.state.history.set(message.source, history);
    this.emit('data', { source: message.source, ...entry });
  }
}
