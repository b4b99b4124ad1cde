// codecs.js - which video codecs this page's WebCodecs decoder takes, asked
// with VideoDecoder.isConfigSupported (issue 15). The server sends H.265
// only to pages that say they decode it (subscribe "codecs",
// docs/protocol.md); the others get the camera's H.264 substream.

// An H.265 Main profile string, asked before any camera told its own.
export const H265_PROBE = 'hvc1.1.6.L93.B0';

export const isH265 = (codec) => typeof codec === 'string' && /^(hvc1|hev1)\./.test(codec);

// Resolves to whether VideoDecoder takes codec (false without WebCodecs).
export async function decoderTakes(codec) {
  if (typeof VideoDecoder !== 'function') return false;
  try {
    const answer = await VideoDecoder.isConfigSupported({ codec, optimizeForLatency: true });
    return Boolean(answer && answer.supported);
  } catch {
    return false;
  }
}

// The H.265 strings asked so far (codec -> true/false/undefined while
// asking); calls changed() when the answer for "decodes H.265" changes.
export class CodecSupport {
  constructor(changed) {
    this.answers = new Map();
    this.changed = changed;
    this.check(H265_PROBE);
  }

  // Asks about an H.265 string of a camera (others are ignored).
  check(codec) {
    if (!isH265(codec) || this.answers.has(codec)) return;
    this.answers.set(codec, undefined);
    const before = this.h265();
    decoderTakes(codec).then((ok) => {
      this.answers.set(codec, ok);
      if (this.h265() !== before) this.changed();
    });
  }

  // Whether every H.265 string asked about is decodable (and was answered).
  h265() {
    const answers = [...this.answers.values()];
    return answers.length > 0 && answers.every((ok) => ok === true);
  }

  // The codec families for subscribe.
  list() {
    return this.h265() ? ['avc1', 'hvc1', 'hev1'] : ['avc1'];
  }
}
