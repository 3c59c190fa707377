/**
 * Estimated listening-quality MOS from the ITU-T G.107 E-model, reduced to what a passive probe can see: packet loss,
 * jitter and codec. R = 93.2 − Id − Ie,eff (Is and A taken as 0); Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)
 * with random loss (BurstR = 1); Id from the one-way delay by the usual simplification of G.107 §7.2
 * (Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)). The delay is the jitter buffer (2 × jitter), one packet time and
 * any known network delay.
 * @module
 */

/** Codec impairment (G.113 Appendix I) as the E-model needs it. */
export interface CodecImpairment {
  /** Equipment impairment factor Ie. */
  ie: number;
  /** Packet-loss robustness factor Bpl. */
  bpl: number;
}

// G.113 Appendix I values. G.711 with packet loss concealment (Appendix I of G.711): Bpl 25.1. G.729A: Ie 11, Bpl 19.
// G.722 and Opus are wideband codecs without narrowband G.113 entries; on the narrowband scale they are given G.711's
// Ie 0 and a concealment-capable Bpl (an approximation: the score cannot exceed the narrowband maximum of 4.41).
const IMPAIRMENTS: Readonly<Record<string, CodecImpairment>> = {
  pcmu: { ie: 0, bpl: 25.1 },
  pcma: { ie: 0, bpl: 25.1 },
  g729: { ie: 11, bpl: 19 },
  g722: { ie: 0, bpl: 25.1 },
  opus: { ie: 0, bpl: 25.1 },
  gsm: { ie: 20, bpl: 10 },
  ilbc: { ie: 10, bpl: 32 },
};

/** G.711 without concealment (Bpl 4.3, G.113): the conservative default for codecs we do not know. */
export const DEFAULT_IMPAIRMENT: CodecImpairment = Object.freeze({ ie: 0, bpl: 4.3 });

/** The impairment of a codec by its rtpmap/static name (any case); `DEFAULT_IMPAIRMENT` when unknown. */
export function codecImpairment(codecName: string): CodecImpairment {
  return IMPAIRMENTS[codecName.toLowerCase()] ?? DEFAULT_IMPAIRMENT;
}

/** Inputs of `estimateMos`. */
export interface MosInput {
  /** Lost / expected packets, 0..1. */
  lossRatio: number;
  /** Interarrival jitter in milliseconds. */
  jitterMs: number;
  /** Packetization time; @default 20 */
  packetMs?: number;
  /** Known one-way network delay (e.g. half the RTCP round trip); @default 0 */
  networkDelayMs?: number;
  impairment: CodecImpairment;
}

/** The E-model R factor for `input` (may be below 0 or above 100; `mosFromR` clamps). */
export function rFactor(input: MosInput): number {
  const lossPercent = Math.min(100, Math.max(0, input.lossRatio * 100));
  const { ie, bpl } = input.impairment;
  const ieEff = ie + (95 - ie) * lossPercent / (lossPercent + bpl);
  const delayMs = Math.max(0, input.networkDelayMs ?? 0) + 2 * Math.max(0, input.jitterMs) + (input.packetMs ?? 20);
  const id = 0.024 * delayMs + (delayMs > 177.3 ? 0.11 * (delayMs - 177.3) : 0);
  return 93.2 - id - ieEff;
}

/** G.107 Annex B: MOS (1..4.5) from R. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  // The polynomial dips below 1 for R < 6.5; clamping keeps MOS monotonic in R.
  return Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}

/** Estimated MOS-CQE for a stream (1..4.5). */
export function estimateMos(input: MosInput): number {
  return mosFromR(rFactor(input));
}
