/**
 * Assembles a `PipelineStats` snapshot from a pipeline's counters and those of its decoder, reassemblers, trackers
 * and parsers. Runs at scrape time (about once a second), not per packet.
 * @module
 */

import { MALFORMED_NAMES } from "../decode/summary.ts";
import { CLOSE_REASON_NAMES } from "../decode/tcp_stream/limits.ts";
import { TUNNEL_ERROR_NAMES, TUNNEL_TYPE_NAMES } from "../decode/tunnel/tunnel_info.ts";
import { namedCounts, numericMembers, type PipelineStats } from "./stats.ts";
import type { Pipeline } from "./pipeline.ts";

function decodeErrors(pipeline: Pipeline): Record<string, number> {
  const { counters, decoder } = pipeline;
  const errors: Record<string, number> = {};
  if (counters.linkUnsupported !== 0) errors.link_unsupported = counters.linkUnsupported;
  namedCounts(errors, counters.malformed, MALFORMED_NAMES);
  namedCounts(errors, decoder.counters.innerMalformed, MALFORMED_NAMES, "inner_");
  namedCounts(errors, decoder.counters.tunnelErrors, TUNNEL_ERROR_NAMES, "tunnel_");
  if (decoder.counters.levelsMax !== 0) errors.tunnel_levels_max = decoder.counters.levelsMax;
  const fragments = decoder.reassemblyCounters;
  for (
    const reason of ["duplicate", "overlap", "timeout", "lengthConflict", "lengthInvalid", "truncated", "malformed"]
  ) {
    const value = fragments[reason as keyof typeof fragments];
    if (value !== 0) errors[`fragment_${reason.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}`] = value;
  }
  return errors;
}

function parserInvalid(pipeline: Pipeline): Record<string, Record<string, number>> {
  const { counters, dispatcher } = pipeline;
  const nonZero = (map: Record<string, number>) => Object.fromEntries(Object.entries(map).filter(([, n]) => n !== 0));
  const invalid: Record<string, Record<string, number>> = {
    sip: nonZero(counters.sipInvalid),
    dns: nonZero(counters.dnsInvalid),
    http: nonZero(dispatcher.httpStats.invalid),
    websocket: nonZero(dispatcher.apps?.wsStats.invalid ?? {}),
    sctp: numericMembers({
      truncated: dispatcher.sctpCounters.truncated,
      length_invalid: dispatcher.sctpCounters.lengthInvalid,
      chunks_max: dispatcher.sctpCounters.chunksMax,
      out_of_sequence: dispatcher.sctpMessages.counters.outOfSequence,
      too_large: dispatcher.sctpMessages.counters.tooLarge,
      evicted: dispatcher.sctpMessages.counters.evicted,
      timed_out: dispatcher.sctpMessages.counters.timedOut,
    }),
  };
  const voip = dispatcher.voip;
  if (voip !== undefined) {
    invalid.rtp = nonZero(voip.stats.rtpInvalid);
    invalid.rtcp = nonZero(voip.stats.rtcpInvalid);
    invalid.sdp = numericMembers({ invalid: voip.stats.sdpInvalid });
  }
  return invalid;
}

function protocols(pipeline: Pipeline): Record<string, Record<string, number>> {
  const { counters, dispatcher } = pipeline;
  const out: Record<string, Record<string, number>> = {
    sip: {
      ...numericMembers(counters.sipMessages, "messages_"),
      ...numericMembers(counters.sipParser, "parser_"),
    },
    sctp: numericMembers({ pieces: counters.sctpFragmented, joined: dispatcher.sctpMessages.counters.joined }),
    tcp_apps: numericMembers(counters.tcpApps),
    websocket: dispatcher.apps === undefined ? {} : numericMembers(dispatcher.apps.wsStats),
    dns: numericMembers({ messages: counters.dnsMessages, ...dispatcher.dns?.stats }),
    http: numericMembers(dispatcher.httpStats),
  };
  const voip = dispatcher.voip;
  if (voip !== undefined) {
    out.calls = numericMembers(voip.calls.stats);
    out.media = {
      ...numericMembers(voip.bindings.stats, "bindings_"),
      ...numericMembers({
        rtp_packets: voip.stats.rtpPackets,
        rtcp_packets: voip.stats.rtcpPackets,
        streams_dropped: voip.stats.streamsDropped,
      }),
    };
  }
  return out;
}

/** A snapshot of every counter of `pipeline`. */
export function pipelineStats(pipeline: Pipeline): PipelineStats {
  const { counters, decoder, dispatcher } = pipeline;
  const tcp: Record<string, number> = {};
  if (dispatcher.tcp !== undefined) {
    const tcpCounters = dispatcher.tcp.counters;
    Object.assign(tcp, numericMembers(tcpCounters));
    namedCounts(tcp, tcpCounters.connectionsClosed, CLOSE_REASON_NAMES, "closed_");
    tcp.connections = dispatcher.tcp.connections;
    tcp.bufferedBytes = dispatcher.tcp.bufferedBytes;
  }
  const tunnels = namedCounts({}, decoder.counters.tunnels, TUNNEL_TYPE_NAMES);
  return {
    packets: counters.packets,
    bytes: counters.bytes,
    decodeErrors: decodeErrors(pipeline),
    records: { ...pipeline.emitter.counts },
    parserInvalid: parserInvalid(pipeline),
    queueDepth: pipeline.queue.depth,
    queueDrops: pipeline.queue.drops,
    protocols: protocols(pipeline),
    tcp,
    fragments: { ...numericMembers(decoder.reassemblyCounters), pending: counters.fragmentsPending },
    tunnels,
  };
}
