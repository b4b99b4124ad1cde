// A source's state in plain words for the wall (docs/web.md, "The states a
// tile can show"): what is wrong ("Camera offline, retrying", "Wrong
// password", "Data out of date"), since when, and for how long. Shared by
// camera tiles, the widget kit's stale band and the wall's alarm list.

import { formatAge } from './alarms.js';
import { language, t } from './i18n.js';

// The cctv plugin's reasons (plugins/cctv/README.md) start with what went
// wrong; the first pattern that matches names the fault.
const CAMERA_FAULTS = [
  [/^check username and password|401|unauthori[sz]ed/i, 'wrong_password'],
  [/^check the URL|404|not found|invalid camera URL/i, 'wrong_address'],
  [/unsupported video codec|not an RTSP server/i, 'unsupported'],
  [/^no video for/i, 'no_video'],
];

// The kind of camera fault a reason names, or '' when it names none.
export function cameraFault(reason) {
  for (const [pattern, fault] of CAMERA_FAULTS) if (pattern.test(reason || '')) return fault;
  return '';
}

// "06:41" (or "06.41" in Bahasa Indonesia): a wall-clock time in the
// page's language, for ms since the epoch.
export function formatClock(ms) {
  return new Intl.DateTimeFormat(language() === 'id' ? 'id-ID' : 'en-GB',
    { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

// How long ago ms (since the epoch) was, in the page's language ("3 min").
export function sinceText(ms, now = Date.now()) {
  return formatAge(Math.max(0, now - ms));
}

// What a camera tile says about its camera: { state, text, detail }.
// state: 'live', 'connecting' (nothing known yet) or 'fault'. lastFrameMs:
// when the tile last painted a picture (ms since the epoch), or 0.
export function cameraState(source, lastFrameMs = 0, now = Date.now()) {
  const status = source ? source.status : 'error';
  if (status === 'live' && lastFrameMs) return { state: 'live', text: '', detail: '' };
  if (status === 'live' || status === 'idle') return { state: 'connecting', text: t('tile.connecting'), detail: '' };
  const fault = cameraFault(source?.reason);
  const lost = Boolean(lastFrameMs) && (!fault || fault === 'no_video') && (status === 'reconnecting' || status === 'offline');
  // A lost signal counts from the last picture, anything else from the
  // status change.
  const from = lost ? lastFrameMs : source?.status_since || 0;
  return {
    state: 'fault',
    text: lost ? t('tile.camera.no_signal', { time: formatClock(lastFrameMs) }) : cameraFaultText(status, fault),
    detail: from ? t('tile.for', { duration: sinceText(from, now) }) : '',
  };
}

function cameraFaultText(status, fault) {
  if (fault && fault !== 'no_video') return t(`tile.camera.${fault}`);
  if (status === 'offline') return t('tile.camera.offline');
  if (status === 'reconnecting') return t('tile.camera.retrying');
  if (status === 'stale') return t('tile.widget.stale');
  return t('tile.camera.fault');
}

// A short headline for a source that is not live ("Data out of date",
// "Feed error", "Camera offline, retrying"), '' while live.
export function statusHeadline(source) {
  const status = source?.status || 'error';
  if (status === 'live' || status === 'idle') return '';
  if (source?.kind === 'camera') return cameraFaultText(status, cameraFault(source.reason));
  return t(`tile.widget.${status}`);
}
