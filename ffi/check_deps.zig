//! `zig build check-deps`: each libcapture.so may need only libc and the dynamic loader, and must
//! export exactly the `cap_*` functions that ffi/root.zig `@export`s (no libbpf/libpcap/zlib leaks).
//! Usage: check-deps ROOT_ZIG LIB.so...

const std = @import("std");

const needed_allowed = [_][]const u8{ "libc.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1" };

pub fn main() !void {
    var arena = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena.deinit();
    const allocator = arena.allocator();
    const args = try std.process.argsAlloc(allocator);
    if (args.len < 3) return error.Usage;
    const expected = try exports_of_root(allocator, args[1]);
    var failures: u32 = 0;
    for (args[2..]) |path| failures += try check_library(allocator, path, expected);
    if (failures > 0) {
        std.debug.print("check-deps: {d} problem(s)\n", .{failures});
        std.process.exit(1);
    }
}

/// Names in `@export(&f, .{ .name = "cap_..." })` lines of ffi/root.zig, sorted.
fn exports_of_root(allocator: std.mem.Allocator, path: []const u8) ![]const []const u8 {
    const text = try std.fs.cwd().readFileAlloc(allocator, path, 1024 * 1024);
    var names = std.ArrayList([]const u8).init(allocator);
    var lines = std.mem.tokenizeScalar(u8, text, '\n');
    while (lines.next()) |line| {
        const marker = ".name = \"";
        if (std.mem.indexOf(u8, line, "@export(") == null) continue;
        const start = (std.mem.indexOf(u8, line, marker) orelse continue) + marker.len;
        const end = std.mem.indexOfScalarPos(u8, line, start, '"') orelse continue;
        try names.append(line[start..end]);
    }
    std.mem.sort([]const u8, names.items, {}, less_than);
    return names.items;
}

fn contains(names: []const []const u8, name: []const u8) bool {
    for (names) |candidate| {
        if (std.mem.eql(u8, candidate, name)) return true;
    }
    return false;
}

fn less_than(_: void, a: []const u8, b: []const u8) bool {
    return std.mem.order(u8, a, b) == .lt;
}

fn readelf(allocator: std.mem.Allocator, flags: []const u8, path: []const u8) ![]const u8 {
    const result = try std.process.Child.run(.{
        .allocator = allocator,
        .argv = &.{ "readelf", flags, "-W", path },
        .max_output_bytes = 16 * 1024 * 1024,
    });
    if (result.term != .Exited or result.term.Exited != 0) {
        std.debug.print("readelf {s} {s} failed: {s}\n", .{ flags, path, result.stderr });
        return error.ReadelfFailed;
    }
    return result.stdout;
}

fn check_library(allocator: std.mem.Allocator, path: []const u8, expected: []const []const u8) !u32 {
    var failures: u32 = 0;
    const dynamic = try readelf(allocator, "-d", path);
    var lines = std.mem.tokenizeScalar(u8, dynamic, '\n');
    while (lines.next()) |line| {
        if (std.mem.indexOf(u8, line, "(NEEDED)") == null) continue;
        const start = (std.mem.indexOfScalar(u8, line, '[') orelse continue) + 1;
        const end = std.mem.indexOfScalarPos(u8, line, start, ']') orelse continue;
        const name = line[start..end];
        for (needed_allowed) |allowed| {
            if (std.mem.eql(u8, name, allowed)) break;
        } else {
            std.debug.print("{s}: NEEDED {s} (only libc and ld-linux allowed)\n", .{ path, name });
            failures += 1;
        }
    }
    if (std.mem.indexOf(u8, dynamic, "TEXTREL") != null) {
        std.debug.print("{s}: has TEXTREL\n", .{path});
        failures += 1;
    }
    const exported = try defined_dynamic_symbols(allocator, path);
    for (exported) |name| {
        if (!contains(expected, name)) {
            std.debug.print("{s}: exports {s}, which ffi/root.zig does not @export\n", .{ path, name });
            failures += 1;
        }
    }
    for (expected) |name| {
        if (!contains(exported, name)) {
            std.debug.print("{s}: does not export {s}\n", .{ path, name });
            failures += 1;
        }
    }
    if (failures == 0) std.debug.print("{s}: ok ({d} cap_* exports, libc only)\n", .{ path, exported.len });
    return failures;
}

/// GLOBAL/WEAK defined symbols of .dynsym, sorted.
fn defined_dynamic_symbols(allocator: std.mem.Allocator, path: []const u8) ![]const []const u8 {
    const text = try readelf(allocator, "--dyn-syms", path);
    var names = std.ArrayList([]const u8).init(allocator);
    var lines = std.mem.tokenizeScalar(u8, text, '\n');
    while (lines.next()) |line| {
        var fields = std.mem.tokenizeAny(u8, line, " \t");
        var columns: [8][]const u8 = undefined;
        var count: usize = 0;
        while (fields.next()) |field| : (count += 1) {
            if (count == columns.len) break;
            columns[count] = field;
        }
        if (count < 8) continue;
        const binding = columns[4];
        const section = columns[6];
        if (std.mem.eql(u8, section, "UND")) continue;
        if (!std.mem.eql(u8, binding, "GLOBAL") and !std.mem.eql(u8, binding, "WEAK")) continue;
        const name = columns[7];
        const at = std.mem.indexOfScalar(u8, name, '@') orelse name.len;
        try names.append(name[0..at]);
    }
    std.mem.sort([]const u8, names.items, {}, less_than);
    return names.items;
}
