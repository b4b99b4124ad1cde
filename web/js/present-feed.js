// Presentations as the server tells every client (docs/protocol.md,
// "Presentations"): the snapshot's `presentations` ({available, running}),
// then one `presentation` event per change. Live runs reach everyone,
// without notes; a rehearsal reaches only the session that runs it.
//
// The Connection knows nothing of presentations, so the feed looks at the
// messages before the Connection handles them. Create it before
// client.start().

export class PresentationFeed {
  constructor(client) {
    this.available = []; // [{id, name, steps}]
    this.live = new Map(); // wall id -> public state
    this.rehearsal = null; // this session's rehearsal state, or null
    this.listeners = new Set();
    this.receivedAt = 0; // Date.now() when the last state arrived
    const handleEvent = client.handleEvent.bind(client);
    client.handleEvent = (message) => {
      if (message.ev === 'snapshot') this.replace(message.presentations);
      else if (message.ev === 'presentation') this.update(message);
      return handleEvent(message);
    };
  }

  // Calls callback(feed, change) after every change. Returns an unsubscribe function.
  on(callback) {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  replace(presentations) {
    this.available = presentations?.available || [];
    this.live = new Map((presentations?.running || []).map((state) => [state.wall, state]));
    this.rehearsal = null; // a new connection is a new session
    this.emit({ kind: 'snapshot' });
  }

  update(message) {
    if (message.mode === 'rehearsal') this.rehearsal = message.state || null;
    else if (message.state) this.live.set(message.wall, message.state);
    else this.live.delete(message.wall);
    this.emit({ kind: message.mode, wall: message.wall, state: message.state || null });
  }

  emit(change) {
    for (const callback of this.listeners) {
      try {
        callback(this, change);
      } catch (err) {
        console.error('pantau: presentation listener failed', err);
      }
    }
  }
}

// Milliseconds as "m:ss" (or "h:mm:ss").
export function formatClock(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
