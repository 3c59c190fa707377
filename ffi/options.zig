//! Validation of RingOptions against constants.zig, before any syscall. The message names the field,
//! its value and the limit, e.g. `block_count 1 outside 2..4096`.

const std = @import("std");
const abi = @import("abi.zig");
const constants = @import("constants.zig");
const errno_ = @import("errno.zig");

const op = "validate RingOptions";

fn invalid(err: *abi.ErrorInfo, comptime format: []const u8, args: anytype) error{Failed} {
    errno_.fill(err, .invalid_argument, 0, op, format, args);
    return error.Failed;
}

fn check_range(err: *abi.ErrorInfo, comptime name: []const u8, value: u64, min: u64, max: u64) error{Failed}!void {
    if (value < min or value > max) return invalid(err, name ++ " {d} outside {d}..{d}", .{ value, min, max });
}

/// Checks every field; returns the interface name (without the NUL).
pub fn validate(options: *const abi.RingOptions, err: *abi.ErrorInfo) error{Failed}![]const u8 {
    const ifname = try validate_ifname(options, err);
    try validate_geometry(options, err);
    try check_range(
        err,
        "retire_timeout_ms",
        options.retire_timeout_ms,
        constants.retire_timeout_ms_min,
        constants.retire_timeout_ms_max,
    );
    try check_range(
        err,
        "snaplen_bytes",
        options.snaplen_bytes,
        constants.snaplen_bytes_min,
        constants.snaplen_bytes_max,
    );
    try validate_fanout(options, err);
    if (options.flags & ~abi.ring_flags_all != 0) {
        return invalid(err, "flags 0x{x} has unknown bits (known 0x{x})", .{ options.flags, abi.ring_flags_all });
    }
    for (options.reserved, 0..) |byte, index| {
        if (byte != 0) return invalid(err, "reserved[{d}] is {d}, must be 0", .{ index, byte });
    }
    return ifname;
}

fn validate_ifname(options: *const abi.RingOptions, err: *abi.ErrorInfo) error{Failed}![]const u8 {
    const length = std.mem.indexOfScalar(u8, &options.ifname, 0) orelse {
        return invalid(err, "ifname is not NUL-terminated within {d} bytes", .{constants.ifname_bytes_max});
    };
    if (length == 0) return invalid(err, "ifname is empty", .{});
    const ifname = options.ifname[0..length];
    for (ifname) |char| {
        if (char == '/' or char <= ' ' or char >= 0x7f) return invalid(
            err,
            "ifname \"{s}\" has an invalid character",
            .{ifname},
        );
    }
    return ifname;
}

fn validate_geometry(options: *const abi.RingOptions, err: *abi.ErrorInfo) error{Failed}!void {
    const page_bytes: u32 = @intCast(std.heap.pageSize());
    try check_range(err, "block_bytes", options.block_bytes, constants.block_bytes_min, constants.block_bytes_max);
    if (options.block_bytes % page_bytes != 0) {
        return invalid(
            err,
            "block_bytes {d} is not a multiple of the page size {d}",
            .{ options.block_bytes, page_bytes },
        );
    }
    try check_range(err, "block_count", options.block_count, constants.block_count_min, constants.block_count_max);
    const ring_bytes = @as(u64, options.block_bytes) * options.block_count;
    if (ring_bytes > constants.ring_bytes_max) {
        return invalid(err, "block_bytes * block_count = {d} exceeds {d}", .{ ring_bytes, constants.ring_bytes_max });
    }
    try check_range(err, "frame_bytes", options.frame_bytes, constants.frame_bytes_min, options.block_bytes);
    if (options.frame_bytes % constants.frame_alignment != 0) {
        return invalid(
            err,
            "frame_bytes {d} is not a multiple of {d}",
            .{ options.frame_bytes, constants.frame_alignment },
        );
    }
    if (options.block_bytes % options.frame_bytes != 0) {
        return invalid(
            err,
            "block_bytes {d} is not a multiple of frame_bytes {d}",
            .{ options.block_bytes, options.frame_bytes },
        );
    }
}

fn validate_fanout(options: *const abi.RingOptions, err: *abi.ErrorInfo) error{Failed}!void {
    const mode = std.meta.intToEnum(abi.FanoutMode, options.fanout_mode) catch {
        return invalid(err, "fanout_mode {d} outside 0..6", .{options.fanout_mode});
    };
    if (options.fanout_flags & ~abi.fanout_flags_all != 0) {
        return invalid(
            err,
            "fanout_flags 0x{x} has unknown bits (known 0x{x})",
            .{ options.fanout_flags, abi.fanout_flags_all },
        );
    }
    if (mode == .none and options.fanout_flags != 0) {
        return invalid(err, "fanout_flags 0x{x} set without a fanout_mode", .{options.fanout_flags});
    }
}

/// Options that pass validation; tests start from here.
pub fn default_options(ifname: []const u8) abi.RingOptions {
    var options = std.mem.zeroes(abi.RingOptions);
    errno_.copy_terminated(&options.ifname, ifname);
    options.block_bytes = 1024 * 1024;
    options.block_count = 8;
    options.frame_bytes = 2048;
    options.retire_timeout_ms = 20;
    options.snaplen_bytes = 262_144;
    return options;
}

const testing = std.testing;

fn expect_invalid(options: abi.RingOptions, message: []const u8) !void {
    var err: abi.ErrorInfo = undefined;
    try testing.expectError(error.Failed, validate(&options, &err));
    try testing.expectEqual(abi.Status.invalid_argument.code(), err.status);
    try testing.expectEqualStrings(message, errno_.terminated(&err.message));
}

test "validate() accepts the defaults and the limits themselves" {
    var err: abi.ErrorInfo = undefined;
    var options = default_options("eth0");
    try testing.expectEqualStrings("eth0", try validate(&options, &err));
    options.block_bytes = constants.block_bytes_min * 5; // 80 * 256: both limits at once
    options.frame_bytes = constants.frame_bytes_min;
    options.block_count = constants.block_count_max;
    _ = try validate(&options, &err);
    options.block_bytes = constants.block_bytes_min;
    options.frame_bytes = constants.block_bytes_min;
    options.retire_timeout_ms = constants.retire_timeout_ms_max;
    options.snaplen_bytes = constants.snaplen_bytes_min;
    options.fanout_mode = @intFromEnum(abi.FanoutMode.qm);
    options.fanout_flags = abi.fanout_flags_all;
    options.flags = abi.ring_flag_promiscuous;
    _ = try validate(&options, &err);
    options = default_options("0123456789abcde");
    options.block_bytes = constants.block_bytes_max;
    options.block_count = 32; // exactly 4 GiB
    _ = try validate(&options, &err);
}

test "validate() rejects every field outside its limit" {
    const base = default_options("eth0");
    var o = base;
    o.ifname = [_]u8{'a'} ** 16;
    try expect_invalid(o, "ifname is not NUL-terminated within 16 bytes");
    o = base;
    o.ifname = [_]u8{0} ** 16;
    try expect_invalid(o, "ifname is empty");
    o = default_options("a/b");
    try expect_invalid(o, "ifname \"a/b\" has an invalid character");
    o = base;
    o.block_bytes = 2048;
    try expect_invalid(o, "block_bytes 2048 outside 4096..134217728");
    o.block_bytes = 256 * 1024 * 1024;
    try expect_invalid(o, "block_bytes 268435456 outside 4096..134217728");
    o.block_bytes = 4096 * 3 + 2048;
    try expect_invalid(o, "block_bytes 14336 is not a multiple of the page size 4096");
    o = base;
    o.block_count = 1;
    try expect_invalid(o, "block_count 1 outside 2..4096");
    o.block_count = 4097;
    try expect_invalid(o, "block_count 4097 outside 2..4096");
    o = base;
    o.block_bytes = constants.block_bytes_max;
    o.block_count = 33;
    try expect_invalid(o, "block_bytes * block_count = 4429185024 exceeds 4294967296");
    o = base;
    o.frame_bytes = 64;
    try expect_invalid(o, "frame_bytes 64 outside 80..1048576");
    o.frame_bytes = 2 * 1024 * 1024;
    try expect_invalid(o, "frame_bytes 2097152 outside 80..1048576");
    o.frame_bytes = 100;
    try expect_invalid(o, "frame_bytes 100 is not a multiple of 16");
    o.frame_bytes = 48 * 1024;
    try expect_invalid(o, "block_bytes 1048576 is not a multiple of frame_bytes 49152");
}

test "validate() rejects bad timeouts, snap lengths, fanout, flags and reserved bytes" {
    const base = default_options("eth0");
    var o = base;
    o.retire_timeout_ms = 0;
    try expect_invalid(o, "retire_timeout_ms 0 outside 1..60000");
    o.retire_timeout_ms = 60_001;
    try expect_invalid(o, "retire_timeout_ms 60001 outside 1..60000");
    o = base;
    o.snaplen_bytes = 0;
    try expect_invalid(o, "snaplen_bytes 0 outside 1..262144");
    o.snaplen_bytes = 262_145;
    try expect_invalid(o, "snaplen_bytes 262145 outside 1..262144");
    o = base;
    o.fanout_mode = 7;
    try expect_invalid(o, "fanout_mode 7 outside 0..6");
    o.fanout_mode = 1;
    o.fanout_flags = 4;
    try expect_invalid(o, "fanout_flags 0x4 has unknown bits (known 0x3)");
    o.fanout_mode = 0;
    o.fanout_flags = 1;
    try expect_invalid(o, "fanout_flags 0x1 set without a fanout_mode");
    o = base;
    o.flags = 2;
    try expect_invalid(o, "flags 0x2 has unknown bits (known 0x1)");
    o = base;
    o.reserved[15] = 1;
    try expect_invalid(o, "reserved[15] is 1, must be 0");
}
