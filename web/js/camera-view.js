// A camera tile: H.264 access units from the page's one WebSocket, decoded
// with WebCodecs' VideoDecoder onto a canvas. Shows the camera's name, a
// status badge and the time since the last frame.
//
// Streams switch (main <-> sub) on a keyframe: the decoder keeps painting
// the old stream until the new one's first keyframe arrives, and the canvas
// is never cleared, so a switch or an outage never shows a black frame.

const AGE_EVERY_MS = 500;
// Beyond this without a frame the age is shown even when the camera is live.
const AGE_VISIBLE_MS = 2000;

function element(tag, className, text = '') {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

export function formatAge(ms) {
  if (ms < 1000) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h`;
}

export const webCodecsAvailable = () => typeof VideoDecoder === 'function';

export class CameraView {
  constructor(container, client, source) {
    this.client = client;
    this.sourceId = source.id;
    this.root = element('div', 'camera');
    this.canvas = element('canvas', 'camera-canvas');
    this.canvas.width = 16;
    this.canvas.height = 9;
    this.label = element('div', 'camera-label', source.name || source.id);
    this.badge = element('div', 'camera-badge');
    this.age = element('div', 'camera-age');
    this.root.append(this.canvas, this.label, this.badge, this.age);
    container.append(this.root);
    this.context = this.canvas.getContext('2d');
    this.decoder = null;
    this.stream = null; // the stream id being decoded
    this.codec = null;
    this.needKeyframe = true;
    this.lastFrameAt = 0; // performance.now() of the last painted frame
    this.framesPainted = 0;
    this.offMedia = client.onMedia(this.sourceId, (frame, info) => this.receive(frame, info));
    this.timer = setInterval(() => this.refresh(), AGE_EVERY_MS);
    if (!webCodecsAvailable()) this.badge.textContent = 'no WebCodecs in this browser';
    this.refresh();
  }

  receive(frame, info) {
    if (!webCodecsAvailable() || !info.codec) return;
    if (frame.stream !== this.stream) {
      // Another stream of this camera (a main/sub switch, or a restart):
      // take it from its first keyframe, keep painting the old one till then.
      if (!frame.keyframe) return;
      this.switchTo(info);
    }
    if (this.needKeyframe && !frame.keyframe) return;
    this.decode(frame);
  }

  switchTo(info) {
    this.stream = info.stream;
    if (this.decoder && this.codec === info.codec) return;
    this.resetDecoder(info.codec);
  }

  resetDecoder(codec) {
    this.closeDecoder();
    this.codec = codec;
    this.decoder = new VideoDecoder({
      output: (picture) => this.paint(picture),
      error: (err) => {
        console.error(`pantau: decoding '${this.sourceId}' failed`, err);
        this.decoder = null; // the next keyframe starts a new decoder
        this.stream = null;
      },
    });
    // No description: the access units are Annex B with SPS/PPS in band.
    this.decoder.configure({ codec, optimizeForLatency: true });
    this.needKeyframe = true;
  }

  decode(frame) {
    if (!this.decoder || this.decoder.state !== 'configured') {
      if (!frame.keyframe || !this.codec) return;
      this.resetDecoder(this.codec);
    }
    // A decoder that falls behind (a hidden tab) skips to the next keyframe.
    if (this.decoder.decodeQueueSize > 30 && !frame.keyframe) {
      this.needKeyframe = true;
      return;
    }
    this.needKeyframe = false;
    this.decoder.decode(new EncodedVideoChunk({
      type: frame.keyframe ? 'key' : 'delta',
      timestamp: frame.pts,
      data: frame.data,
    }));
  }

  paint(picture) {
    const width = picture.displayWidth;
    const height = picture.displayHeight;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context.drawImage(picture, 0, 0, width, height);
    picture.close();
    this.lastFrameAt = performance.now();
    this.framesPainted++;
    this.root.dataset.frames = String(this.framesPainted);
  }

  // Status badge and the time since the last frame.
  refresh() {
    const source = this.client.state.sources.get(this.sourceId);
    const status = source ? source.status : 'error';
    // The status badge itself is the tile's (layout-render.js).
    this.root.dataset.status = status;
    const since = this.lastFrameAt ? performance.now() - this.lastFrameAt : 0;
    const show = this.lastFrameAt && (status !== 'live' || since > AGE_VISIBLE_MS);
    const age = show ? formatAge(since) : '';
    if (this.age.textContent !== age) this.age.textContent = age;
  }

  closeDecoder() {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
  }

  destroy() {
    this.offMedia();
    clearInterval(this.timer);
    this.closeDecoder();
    this.root.remove();
  }
}

// The component interface of layout-render.js, for camera sources.
export function mountCamera(element, source, client) {
  const view = new CameraView(element, client, source);
  return {
    update() {},
    destroy() { view.destroy(); },
  };
}
