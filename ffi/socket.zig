//! Thin AF_PACKET syscall wrappers. Each returns the errno (`.SUCCESS` on success) so the caller can
//! report exactly which step failed; none allocates.

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;
const kernel = @import("kernel.zig");

pub const Errno = linux.E;

/// A packet socket that receives nothing until bind (protocol 0), so the filter is in place first.
pub fn open() union(enum) { fd: i32, errno: Errno } {
    const rc = linux.socket(linux.AF.PACKET, linux.SOCK.RAW | linux.SOCK.CLOEXEC, 0);
    const errno = linux.E.init(rc);
    if (errno != .SUCCESS) return .{ .errno = errno };
    return .{ .fd = @intCast(rc) };
}

pub fn close(fd: i32) void {
    assert(fd >= 0);
    _ = linux.close(fd);
}

pub fn set_option(fd: i32, level: i32, name: u32, value: anytype) Errno {
    const bytes = std.mem.asBytes(value);
    return linux.E.init(linux.setsockopt(fd, level, name, bytes.ptr, @intCast(bytes.len)));
}

pub fn set_packet_option(fd: i32, name: u32, value: anytype) Errno {
    return set_option(fd, linux.SOL.PACKET, name, value);
}

pub fn get_packet_option(fd: i32, name: u32, value: anytype) Errno {
    const bytes = std.mem.asBytes(value);
    var length: linux.socklen_t = @intCast(bytes.len);
    return linux.E.init(linux.getsockopt(fd, linux.SOL.PACKET, name, bytes.ptr, &length));
}

/// Pending socket error (SO_ERROR), e.g. ENETDOWN after the interface went down.
pub fn pending_error(fd: i32) Errno {
    var value: i32 = 0;
    var length: linux.socklen_t = @sizeOf(i32);
    const errno = linux.E.init(
        linux.getsockopt(fd, linux.SOL.SOCKET, linux.SO.ERROR, std.mem.asBytes(&value), &length),
    );
    if (errno != .SUCCESS) return errno;
    return @enumFromInt(@as(u16, @intCast(value)));
}

pub fn ifreq_for(ifname: []const u8) linux.ifreq {
    assert(ifname.len > 0 and ifname.len < linux.IFNAMESIZE);
    var request = std.mem.zeroes(linux.ifreq);
    @memcpy(request.ifrn.name[0..ifname.len], ifname);
    return request;
}

pub fn interface_index(fd: i32, ifname: []const u8) union(enum) { ifindex: i32, errno: Errno } {
    var request = ifreq_for(ifname);
    const errno = linux.E.init(linux.ioctl(fd, linux.SIOCGIFINDEX, @intFromPtr(&request)));
    if (errno != .SUCCESS) return .{ .errno = errno };
    assert(request.ifru.ivalue > 0);
    return .{ .ifindex = request.ifru.ivalue };
}

/// ARPHRD_* of the interface (sa_family of its hardware address).
pub fn hardware_type(fd: i32, ifname: []const u8) union(enum) { arphrd: u16, errno: Errno } {
    var request = ifreq_for(ifname);
    const errno = linux.E.init(linux.ioctl(fd, linux.SIOCGIFHWADDR, @intFromPtr(&request)));
    if (errno != .SUCCESS) return .{ .errno = errno };
    return .{ .arphrd = request.ifru.hwaddr.family };
}

pub fn bind(fd: i32, ifindex: i32) Errno {
    assert(ifindex > 0);
    var address = std.mem.zeroes(linux.sockaddr.ll);
    address.family = linux.AF.PACKET;
    address.protocol = std.mem.nativeToBig(u16, kernel.c.ETH_P_ALL);
    address.ifindex = ifindex;
    const rc = linux.bind(fd, @ptrCast(&address), @sizeOf(linux.sockaddr.ll));
    return linux.E.init(rc);
}

/// PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP with PACKET_MR_PROMISC.
pub fn promiscuous(fd: i32, ifindex: i32, enable: bool) Errno {
    var membership = std.mem.zeroes(kernel.Membership);
    membership.mr_ifindex = ifindex;
    membership.mr_type = kernel.c.PACKET_MR_PROMISC;
    const name: u32 = if (enable) kernel.c.PACKET_ADD_MEMBERSHIP else kernel.c.PACKET_DROP_MEMBERSHIP;
    return set_packet_option(fd, name, &membership);
}
