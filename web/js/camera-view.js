// A camera tile: H.264 access units from the page's one WebSocket, decoded
// with WebCodecs' VideoDecoder onto a canvas. Shows the camera's name and,
// when it is not live, its state on the tile itself (docs/web.md, "The
// states a tile can show"): the last picture dimmed, or a dark tile when
// there never was one, with the camera's name, what is wrong in plain words
// and for how long.
//
// Streams switch (main <-> sub) on a keyframe: the decoder keeps painting
// the old stream until the new one's first keyframe arrives, and the canvas
// is never cleared, so a switch or an outage never shows a black frame.
//
// A tile in replay (issue 16: the layout's tile carries `replay`) decodes
// the replay stream instead, the same way, from its first keyframe, and
// shows the replay badge (replay-badge.js) with the time of the frame shown.

import { formatAge } from './alarms.js';
import { onLanguageChange, t } from './i18n.js';
import { cameraState } from './source-state.js';
import { frameTimeMs, replayKey } from './connection.js';
import { ReplayBadge } from './replay-badge.js';

const AGE_EVERY_MS = 500;
// Beyond this without a frame the age is shown even when the camera is live.
const AGE_VISIBLE_MS = 2000;

function element(tag, className, text = '') {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
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
    this.name = source.name || source.id;
    this.label = element('div', 'camera-label', this.name);
    this.age = element('div', 'camera-age');
    this.stateBox = element('div', 'camera-state');
    this.stateName = element('div', 'camera-state-name', this.name);
    this.stateText = element('div', 'camera-state-text');
    this.stateDetail = element('div', 'camera-state-detail');
    this.stateBox.append(this.stateName, this.stateText, this.stateDetail);
    this.root.append(this.canvas, this.label, this.age, this.stateBox);
    this.root.dataset.picture = 'false';
    this.badge = new ReplayBadge(this.root);
    this.replay = null; // the tile's replay ({id, at_ms, rate, paused, ...}) or null: live
    this.modeFrames = 0; // frames painted since the tile went live or into replay
    this.freshDecoder = false; // the next stream gets a decoder of its own
    container.append(this.root);
    this.context = this.canvas.getContext('2d');
    this.decoder = null;
    this.stream = null; // the stream id being decoded
    this.codec = null;
    this.needKeyframe = true;
    this.lastFrameAt = 0; // performance.now() of the last painted frame
    this.lastFrameMs = 0; // the same as ms since the epoch, or from the server's stats
    this.framesPainted = 0;
    this.mediaKey = this.sourceId;
    this.offMedia = client.onMedia(this.mediaKey, (frame, info) => this.receive(frame, info));
    this.offLanguage = onLanguageChange(() => this.refresh());
    this.timer = setInterval(() => this.refresh(), AGE_EVERY_MS);
    this.refresh();
  }

  // Shows the replay `replay` (the layout's tile.replay), or live (null).
  // The last picture stays until the new stream's first keyframe.
  setReplay(replay) {
    replay = replay && typeof replay.id === 'string' ? replay : null;
    const key = replay ? replayKey(replay.id) : this.sourceId;
    this.replay = replay;
    this.badge.set(replay);
    if (replay) this.root.dataset.replay = replay.id;
    else delete this.root.dataset.replay;
    if (key === this.mediaKey) return;
    this.offMedia();
    this.mediaKey = key;
    this.offMedia = this.client.onMedia(key, (frame, info) => this.receive(frame, info));
    this.stream = null; // the next keyframe of the new stream takes over,
    this.freshDecoder = true; // on a decoder of its own (times jump between live and replay)
    this.modeFrames = 0;
    this.root.dataset.modeFrames = '0';
    this.refresh();
  }

  receive(frame, info) {
    if (!webCodecsAvailable() || !info.codec) return;
    if (this.replay) this.badge.frame(frameTimeMs(frame));
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
    const fresh = this.freshDecoder;
    this.freshDecoder = false;
    if (this.decoder && this.codec === info.codec && !fresh) return;
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
    this.lastFrameMs = Date.now();
    this.framesPainted++;
    this.modeFrames++;
    this.root.dataset.frames = String(this.framesPainted);
    this.root.dataset.modeFrames = String(this.modeFrames);
    if (this.framesPainted === 1) this.refresh();
  }

  // The tile's state: live (the picture, and its age when it is late), or
  // the camera's name and what is wrong, over the dimmed last picture.
  refresh() {
    const source = this.client.state.sources.get(this.sourceId);
    const status = source ? source.status : 'error';
    this.root.dataset.status = status;
    this.root.dataset.picture = String(this.framesPainted > 0);
    const shown = this.describe(source);
    this.root.dataset.state = shown.state;
    setText(this.stateText, shown.text);
    setText(this.stateDetail, shown.detail);
    const since = this.lastFrameAt ? performance.now() - this.lastFrameAt : 0;
    // A paused replay sends nothing: that is no late frame.
    const late = shown.state === 'live' && since > AGE_VISIBLE_MS && !this.replay;
    setText(this.age, late ? formatAge(since) : '');
  }

  describe(source) {
    if (!webCodecsAvailable()) return { state: 'fault', text: t('tile.camera.no_webcodecs'), detail: '' };
    const refused = this.client.refusals?.get(this.mediaKey);
    if (refused) {
      const key = { transcode_budget: 'tile.camera.h265_budget', h265: 'tile.camera.h265_replay' }[refused.refused] || 'tile.camera.h265_failed';
      return { state: 'fault', text: t(key, { count: refused.transcodes }), detail: '' };
    }
    // A replay comes from the recording: the camera's state now is not its.
    if (this.replay) return { state: this.framesPainted ? 'live' : 'connecting', text: this.framesPainted ? '' : t('tile.connecting'), detail: '' };
    return cameraState(source, this.lastFrameMs || this.serverLastFrameMs(source));
  }

  // When the server last had a frame of this camera (ms since the epoch),
  // for a page opened during an outage; 0 when unknown.
  serverLastFrameMs(source) {
    if (!source || source.status === 'live') return 0;
    if (!this.serverLastFrame) {
      const age = this.client.state.stats?.[this.sourceId]?.last_frame_age_ms;
      if (typeof age === 'number') this.serverLastFrame = Date.now() - age;
    }
    return this.serverLastFrame || 0;
  }

  closeDecoder() {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
  }

  destroy() {
    this.offMedia();
    this.offLanguage();
    this.badge.destroy();
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
    replay(replay) { view.setReplay(replay); },
    destroy() { view.destroy(); },
  };
}
