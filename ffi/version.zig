//! cap_version_string: "libcapture 0.1.0 zig 0.14.1 libbpf 1.1.2 libpcap 1.10.3". libbpf's own API knows
//! only "1.1", so the full version comes from scripts/versions.env through the build (build_options).

const std = @import("std");
const builtin = @import("builtin");
const abi = @import("abi.zig");
const filter_ = @import("filter.zig");
const build_options = @import("build_options");

pub const library_version = "0.1.0";

/// libpcap says "libpcap version 1.10.3 (with TPACKET_V3)": keep the number only.
fn pcap_version_number() []const u8 {
    const line = filter_.library_version();
    const prefix = "libpcap version ";
    const rest = if (std.mem.startsWith(u8, line, prefix)) line[prefix.len..] else line;
    const end = std.mem.indexOfScalar(u8, rest, ' ') orelse rest.len;
    return rest[0..end];
}

/// Writes the NUL-terminated version line; returns its length without the NUL, or invalid_argument if
/// `out` is too small.
pub fn write(out: []u8) i32 {
    const line = std.fmt.bufPrintZ(out, "libcapture {s} zig {s} libbpf {s} libpcap {s}", .{
        library_version, builtin.zig_version_string, build_options.libbpf_version, pcap_version_number(),
    }) catch return abi.Status.invalid_argument.code();
    return @intCast(line.len);
}

test "write() reports zig and libpcap versions" {
    var buffer: [128]u8 = undefined;
    const length = write(&buffer);
    try std.testing.expect(length > 0);
    const line = buffer[0..@intCast(length)];
    try std.testing.expect(std.mem.startsWith(u8, line, "libcapture 0.1.0 zig 0.14.1 libbpf 1."));
    try std.testing.expect(std.mem.indexOf(u8, line, " libpcap 1.") != null);
    var small: [8]u8 = undefined;
    try std.testing.expectEqual(abi.Status.invalid_argument.code(), write(&small));
}
