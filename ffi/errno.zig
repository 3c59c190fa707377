//! errno → Status, and the human message that goes with it. Every failing syscall on the open path is
//! reported through `report`, so messages read the same everywhere:
//! `EPERM opening AF_PACKET socket on eth0: needs CAP_NET_RAW`.

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;
const abi = @import("abi.zig");
const Status = abi.Status;
const ErrorInfo = abi.ErrorInfo;

/// The one mapping from errno to Status. EINTR means a signal woke a wait: reported as `interrupted`.
pub fn status_from_errno(errno: linux.E) Status {
    return switch (errno) {
        .SUCCESS => .ok,
        .PERM, .ACCES => .permission_denied,
        .NODEV, .NXIO => .no_such_device,
        .NOMEM, .NOBUFS => .out_of_memory,
        .NETDOWN => .interface_down,
        .INTR => .interrupted,
        .AGAIN => .timeout,
        .INVAL, .RANGE, .@"2BIG", .MSGSIZE => .invalid_argument,
        .BADF => .closed,
        else => .unexpected,
    };
}

/// What the failing call was doing, for the message.
pub const Context = struct {
    /// The syscall or library call, e.g. "setsockopt PACKET_RX_RING" (ErrorInfo.op).
    op: []const u8,
    /// What it was for, e.g. "opening AF_PACKET socket".
    action: []const u8,
    ifname: []const u8,
    /// The capability EPERM/EACCES point at.
    capability: []const u8 = "CAP_NET_RAW",
};

/// Fills `err` for a failed syscall and returns the status.
pub fn report(err: *ErrorInfo, errno: linux.E, context: Context) Status {
    assert(errno != .SUCCESS);
    const status = status_from_errno(errno);
    var name_buffer: [24]u8 = undefined;
    const name = errno_name(errno, &name_buffer);
    var hint_buffer: [96]u8 = undefined;
    const hint = errno_hint(errno, context, &hint_buffer);
    fill(err, status, @intCast(@intFromEnum(errno)), context.op, "{s} {s} on {s}: {s}", .{
        name, context.action, context.ifname, hint,
    });
    return status;
}

fn errno_hint(errno: linux.E, context: Context, buffer: []u8) []const u8 {
    return switch (errno) {
        .PERM, .ACCES => std.fmt.bufPrint(buffer, "needs {s}", .{context.capability}) catch "needs privileges",
        .NODEV, .NXIO => std.fmt.bufPrint(buffer, "no such interface \"{s}\"", .{context.ifname}) catch
            "no such interface",
        .NOMEM, .NOBUFS => "not enough kernel memory (reduce block_bytes * block_count)",
        .NETDOWN => "interface is down",
        .INVAL => "the kernel rejected the value",
        .BUSY => "already in use",
        .EXIST => "already exists",
        else => std.fmt.bufPrint(buffer, "errno {d}", .{@intFromEnum(errno)}) catch "unexpected errno",
    };
}

/// "EPERM" for .PERM; "E2BIG" for .@"2BIG".
pub fn errno_name(errno: linux.E, buffer: *[24]u8) []const u8 {
    const tag = std.enums.tagName(linux.E, errno) orelse {
        return std.fmt.bufPrint(buffer, "errno {d}", .{@intFromEnum(errno)}) catch unreachable;
    };
    return std.fmt.bufPrint(buffer, "E{s}", .{tag}) catch buffer[0..];
}

/// Fills every field of `err`; strings are truncated to fit and always NUL-terminated.
pub fn fill(
    err: *ErrorInfo,
    status: Status,
    errno: i32,
    op: []const u8,
    comptime format: []const u8,
    args: anytype,
) void {
    assert(status != .ok);
    err.* = std.mem.zeroes(ErrorInfo);
    err.status = status.code();
    err.errno = errno;
    copy_terminated(&err.op, op);
    const written = std.fmt.bufPrint(err.message[0 .. err.message.len - 1], format, args) catch
        err.message[0 .. err.message.len - 1];
    assert(written.len < err.message.len);
}

/// Copies `source` into `target` with a terminating NUL, truncating if needed.
pub fn copy_terminated(target: []u8, source: []const u8) void {
    assert(target.len > 0);
    const length = @min(source.len, target.len - 1);
    @memcpy(target[0..length], source[0..length]);
    @memset(target[length..], 0);
}

/// The NUL-terminated prefix of a fixed buffer.
pub fn terminated(buffer: []const u8) []const u8 {
    const length = std.mem.indexOfScalar(u8, buffer, 0) orelse buffer.len;
    return buffer[0..length];
}

test "status_from_errno maps every documented errno" {
    const testing = std.testing;
    try testing.expectEqual(Status.permission_denied, status_from_errno(.PERM));
    try testing.expectEqual(Status.permission_denied, status_from_errno(.ACCES));
    try testing.expectEqual(Status.no_such_device, status_from_errno(.NODEV));
    try testing.expectEqual(Status.no_such_device, status_from_errno(.NXIO));
    try testing.expectEqual(Status.out_of_memory, status_from_errno(.NOMEM));
    try testing.expectEqual(Status.out_of_memory, status_from_errno(.NOBUFS));
    try testing.expectEqual(Status.interface_down, status_from_errno(.NETDOWN));
    try testing.expectEqual(Status.interrupted, status_from_errno(.INTR));
    try testing.expectEqual(Status.invalid_argument, status_from_errno(.INVAL));
    try testing.expectEqual(Status.unexpected, status_from_errno(.PIPE));
    try testing.expectEqual(Status.unexpected, status_from_errno(.PROTONOSUPPORT));
}

test "report() writes the errno name, action, interface and hint" {
    const testing = std.testing;
    var err: ErrorInfo = undefined;
    const status = report(&err, .PERM, .{ .op = "socket", .action = "opening AF_PACKET socket", .ifname = "eth0" });
    try testing.expectEqual(Status.permission_denied, status);
    try testing.expectEqual(@as(i32, -6), err.status);
    try testing.expectEqual(@as(i32, 1), err.errno);
    try testing.expectEqualStrings("socket", terminated(&err.op));
    try testing.expectEqualStrings(
        "EPERM opening AF_PACKET socket on eth0: needs CAP_NET_RAW",
        terminated(&err.message),
    );
    _ = report(&err, .NODEV, .{ .op = "ioctl SIOCGIFINDEX", .action = "looking up interface", .ifname = "eth9" });
    try testing.expectEqualStrings(
        "ENODEV looking up interface on eth9: no such interface \"eth9\"",
        terminated(&err.message),
    );
    try testing.expectEqual(@as(i32, -5), err.status);
}

test "fill() truncates long messages and keeps the NUL" {
    var err: ErrorInfo = undefined;
    const long = "x" ** 400;
    fill(&err, .unexpected, 0, "o" ** 40, "{s}", .{long});
    try std.testing.expectEqual(@as(usize, 255), terminated(&err.message).len);
    try std.testing.expectEqual(@as(usize, 31), terminated(&err.op).len);
    try std.testing.expectEqual(@as(u8, 0), err.message[255]);
}
