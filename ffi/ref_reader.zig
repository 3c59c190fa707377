//! Reference reader for benchmarks: the ring walked in Zig with no FFI, counting packets (no decode).
//!   ref-reader --iface IF [--block-bytes N] [--block-count N] [--frame-bytes N] [--retire-ms N] [--seconds S]
//! Prints one JSON line at exit: {"packets":N,"drops":N,"freezes":N}. Stops on SIGINT/SIGTERM or after S s.

const std = @import("std");
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const ring_ = @import("ring.zig");
const options_ = @import("options.zig");
const errno_ = @import("errno.zig");

var stop = std.atomic.Value(bool).init(false);
var ring_for_signal = std.atomic.Value(?*ring_.Ring).init(null);

fn on_signal(_: c_int) callconv(.c) void {
    stop.store(true, .seq_cst);
    // An eventfd write is async-signal-safe: it wakes the poll in next().
    if (ring_for_signal.load(.seq_cst)) |ring| _ = ring.interrupt();
}

const Arguments = struct { options: abi.RingOptions, seconds: u32 = 0 };

fn parse_arguments(allocator: std.mem.Allocator) !Arguments {
    const args = try std.process.argsAlloc(allocator);
    var parsed: Arguments = .{ .options = options_.default_options("lo") };
    var index: usize = 1;
    var have_iface = false;
    while (index + 1 < args.len) : (index += 2) {
        const name = args[index];
        const value = args[index + 1];
        if (std.mem.eql(u8, name, "--iface")) {
            if (value.len == 0 or value.len >= 16) return error.BadInterface;
            parsed.options.ifname = .{0} ** 16;
            @memcpy(parsed.options.ifname[0..value.len], value);
            have_iface = true;
        } else if (std.mem.eql(u8, name, "--block-bytes")) {
            parsed.options.block_bytes = try std.fmt.parseInt(u32, value, 0);
        } else if (std.mem.eql(u8, name, "--block-count")) {
            parsed.options.block_count = try std.fmt.parseInt(u32, value, 0);
        } else if (std.mem.eql(u8, name, "--frame-bytes")) {
            parsed.options.frame_bytes = try std.fmt.parseInt(u32, value, 0);
        } else if (std.mem.eql(u8, name, "--retire-ms")) {
            parsed.options.retire_timeout_ms = try std.fmt.parseInt(u32, value, 0);
        } else if (std.mem.eql(u8, name, "--seconds")) {
            parsed.seconds = try std.fmt.parseInt(u32, value, 0);
        } else return error.UnknownOption;
    }
    if (index != args.len or !have_iface) return error.Usage;
    return parsed;
}

/// Packets in one block, following tp_next_offset like a real reader does.
fn count_block(block: []const u8) u64 {
    const packets = std.mem.readInt(u32, block[kernel.block.num_pkts..][0..4], .little);
    var offset: usize = std.mem.readInt(u32, block[kernel.block.offset_to_first_pkt..][0..4], .little);
    var counted: u64 = 0;
    for (0..packets) |_| {
        if (offset + @sizeOf(kernel.PacketHeader) > block.len) break;
        counted += 1;
        offset += std.mem.readInt(u32, block[offset + kernel.packet.tp_next_offset ..][0..4], .little);
    }
    return counted;
}

pub fn main() !void {
    var arena = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena.deinit();
    const arguments = parse_arguments(arena.allocator()) catch |err| {
        std.debug.print("usage: ref-reader --iface IF [--block-bytes N] [--block-count N] [--frame-bytes N] " ++
            "[--retire-ms N] [--seconds S] ({s})\n", .{@errorName(err)});
        std.process.exit(2);
    };
    var err: abi.ErrorInfo = undefined;
    const ring = ring_.open(&arguments.options, "", &err) catch {
        std.debug.print("ref-reader: {s}\n", .{errno_.terminated(&err.message)});
        std.process.exit(1);
    };
    ring_for_signal.store(ring, .seq_cst);
    const action: std.posix.Sigaction = .{
        .handler = .{ .handler = on_signal },
        .mask = std.posix.empty_sigset,
        .flags = 0,
    };
    std.posix.sigaction(std.posix.SIG.INT, &action, null);
    std.posix.sigaction(std.posix.SIG.TERM, &action, null);
    const deadline_ms: i64 = if (arguments.seconds == 0) std.math.maxInt(i64) else std.time.milliTimestamp() + @as(
        i64,
        arguments.seconds,
    ) * 1000;
    var packets: u64 = 0;
    while (!stop.load(.seq_cst) and std.time.milliTimestamp() < deadline_ms) {
        const index = ring.next(100);
        if (index < 0) continue;
        const start = @as(usize, @intCast(index)) * ring.block_bytes;
        packets += count_block(ring.map[start..][0..ring.block_bytes]);
        _ = ring.release(@intCast(index));
    }
    var stats: abi.RingStats = undefined;
    _ = ring.stats(&stats);
    const stdout = std.io.getStdOut().writer();
    try stdout.print("{{\"packets\":{d},\"drops\":{d},\"freezes\":{d}}}\n", .{ packets, stats.drops, stats.freezes });
    ring_for_signal.store(null, .seq_cst);
    _ = ring.close();
}
