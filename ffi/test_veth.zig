//! A veth pair with a unique name (`capz<pid><tag>a` / `...b`) for tests that need an interface of their
//! own; `deinit` deletes it (deleting one end removes both).

const std = @import("std");
const testing = std.testing;

/// Left down; name in `name[0..name_length]`.
pub const Veth = struct {
    name: [16]u8,
    name_length: usize,

    fn ip(argv: []const []const u8) !void {
        const result = try std.process.Child.run(.{ .allocator = testing.allocator, .argv = argv });
        defer testing.allocator.free(result.stdout);
        defer testing.allocator.free(result.stderr);
        if (result.term != .Exited or result.term.Exited != 0) return error.IpFailed;
    }

    pub fn create(tag: u8) !Veth {
        var veth: Veth = .{ .name = undefined, .name_length = 0 };
        const pid = std.os.linux.getpid();
        veth.name_length = (try std.fmt.bufPrint(&veth.name, "capz{d}{c}a", .{ pid, tag })).len;
        var peer: [16]u8 = undefined;
        const peer_name = try std.fmt.bufPrint(&peer, "capz{d}{c}b", .{ pid, tag });
        try ip(&.{ "ip", "link", "add", veth.slice(), "type", "veth", "peer", "name", peer_name });
        return veth;
    }

    pub fn slice(veth: *const Veth) []const u8 {
        return veth.name[0..veth.name_length];
    }

    pub fn deinit(veth: *const Veth) void {
        ip(&.{ "ip", "link", "del", veth.slice() }) catch {};
    }

    /// Brings this end up (the peer stays down, so no traffic arrives).
    pub fn set_up(veth: *const Veth) !void {
        try ip(&.{ "ip", "link", "set", veth.slice(), "up" });
    }

    pub fn flags(veth: *const Veth) !u32 {
        var path_buffer: [64]u8 = undefined;
        const path = try std.fmt.bufPrint(&path_buffer, "/sys/class/net/{s}/flags", .{veth.slice()});
        var text_buffer: [32]u8 = undefined;
        const text = try std.fs.cwd().readFile(path, &text_buffer);
        return std.fmt.parseInt(u32, std.mem.trim(u8, text, " \n"), 0);
    }
};
