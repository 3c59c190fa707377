//! Build menu (`zig build --help`):
//!   zig build            libcapture.so for x86_64 and aarch64 + src/native/abi.ts + ref-reader
//!   zig build test       Zig unit and ring tests (ring/eBPF tests need root)
//!   zig build abi-ts     regenerate src/native/abi.ts only
//!   zig build check-deps readelf: NEEDED only libc/ld-linux, exports exactly cap_*
//! Third-party archives come from scripts/third_party.sh (docs/third_party.md).

const std = @import("std");

const arches = [_]std.Target.Cpu.Arch{ .x86_64, .aarch64 };

pub fn build(b: *std.Build) void {
    const optimize = b.standardOptimizeOption(.{});
    const glibc = glibc_version(b);
    const shared = Shared{ .bpf_object = build_bpf_object(b), .options = build_options(b) };
    const steps = .{
        .abi_ts = b.step("abi-ts", "Generate src/native/abi.ts from ffi/abi_ts.zig"),
        .test_ = b.step("test", "Run the Zig tests (ring and eBPF tests need root)"),
        .check_deps = b.step("check-deps", "Check both .so files: NEEDED only libc/ld-linux, exports exactly cap_*"),
    };
    const check_deps = build_check_deps(b, steps.check_deps);
    for (arches) |arch| {
        const target = b.resolveTargetQuery(
            .{ .cpu_arch = arch, .os_tag = .linux, .abi = .gnu, .glibc_version = glibc },
        );
        const lib = build_library(b, shared, target, optimize);
        const install = b.addInstallArtifact(lib, .{
            .dest_dir = .{ .override = .{ .custom = b.fmt("lib/{s}", .{@tagName(arch)}) } },
        });
        b.getInstallStep().dependOn(&install.step);
        check_deps.addFileArg(lib.getEmittedBin());
    }
    b.getInstallStep().dependOn(steps.check_deps);
    const host = b.resolveTargetQuery(.{ .cpu_arch = .x86_64, .os_tag = .linux, .abi = .gnu, .glibc_version = glibc });
    build_abi_ts(b, steps.abi_ts, host);
    b.getInstallStep().dependOn(steps.abi_ts);
    build_tests(b, shared, steps.test_, host, optimize);
    build_ref_reader(b, shared, host, optimize);
}

/// Inputs every target shares: the eBPF object (architecture-neutral bytecode) and build options.
const Shared = struct {
    bpf_object: std.Build.LazyPath,
    options: *std.Build.Step.Options,
};

/// A `KEY=value` line of scripts/versions.env (the one place versions are pinned).
fn pinned_version(b: *std.Build, key: []const u8) []const u8 {
    const text = b.build_root.handle.readFileAlloc(b.allocator, "scripts/versions.env", 64 * 1024) catch
        @panic("cannot read scripts/versions.env");
    var lines = std.mem.tokenizeScalar(u8, text, '\n');
    while (lines.next()) |line| {
        if (!std.mem.startsWith(u8, line, key) or line.len <= key.len or line[key.len] != '=') continue;
        return std.mem.trim(u8, line[key.len + 1 ..], " \r\t\"");
    }
    std.debug.panic("{s} missing from scripts/versions.env", .{key});
}

/// LIBCAPTURE_GLIBC_VERSION: the oldest glibc the .so supports.
fn glibc_version(b: *std.Build) std.SemanticVersion {
    const value = pinned_version(b, "LIBCAPTURE_GLIBC_VERSION");
    return std.SemanticVersion.parse(b.fmt("{s}.0", .{value})) catch @panic("bad LIBCAPTURE_GLIBC_VERSION");
}

fn build_options(b: *std.Build) *std.Build.Step.Options {
    const options = b.addOptions();
    // "1.1.2-0+deb12u1" → "1.1.2"; libbpf's API only reports major.minor.
    const debian = pinned_version(b, "DEB_LIBBPF_SOURCE_VERSION");
    options.addOption(
        []const u8,
        "libbpf_version",
        debian[0 .. std.mem.indexOfScalar(u8, debian, '-') orelse debian.len],
    );
    return options;
}

/// vmlinux.h from the running kernel's BTF (not committed), then bpf/tc_counter.bpf.c with system clang.
fn build_bpf_object(b: *std.Build) std.Build.LazyPath {
    const btf = b.addSystemCommand(&.{ "bpftool", "btf", "dump", "file" });
    btf.addFileArg(.{ .cwd_relative = "/sys/kernel/btf/vmlinux" });
    btf.addArgs(&.{ "format", "c" });
    const headers = b.addWriteFiles();
    _ = headers.addCopyFile(btf.captureStdOut(), "vmlinux.h");
    const clang = b.addSystemCommand(
        &.{ "clang", "-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall", "-Werror" },
    );
    clang.addPrefixedDirectoryArg("-I", headers.getDirectory());
    clang.addPrefixedDirectoryArg("-I", b.path("bpf/include"));
    clang.addPrefixedDirectoryArg("-I", b.path(".tools/third_party/x86_64/include"));
    clang.addArgs(&.{ "-MD", "-MF" });
    _ = clang.addDepFileOutputArg("tc_counter.d");
    clang.addArg("-c");
    clang.addFileArg(b.path("bpf/tc_counter.bpf.c"));
    clang.addArg("-o");
    return clang.addOutputFileArg("tc_counter.bpf.o");
}

/// The ffi/ module with its C dependencies, shared by the library and the test binary.
fn capture_module(
    b: *std.Build,
    shared: Shared,
    root: []const u8,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
) *std.Build.Module {
    const module = b.createModule(.{
        .root_source_file = b.path(root),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .pic = true,
    });
    const dir = b.fmt(".tools/third_party/{s}", .{@tagName(target.result.cpu.arch)});
    module.addIncludePath(b.path(b.fmt("{s}/include", .{dir})));
    module.addIncludePath(b.path("bpf/include"));
    module.addCSourceFile(.{ .file = b.path("ffi/c/third_party_shims.c"), .flags = &.{ "-O2", "-fPIC" } });
    module.addCSourceFile(
        .{ .file = b.path("ffi/glue/bpf_glue.c"), .flags = &.{ "-O2", "-fPIC", "-Wall", "-Werror" } },
    );
    module.addAnonymousImport("tc_counter_bpf", .{ .root_source_file = shared.bpf_object });
    module.addOptions("build_options", shared.options);
    for ([_][]const u8{ "libbpf", "libelf", "libz", "libpcap" }) |name| {
        module.addObjectFile(b.path(b.fmt("{s}/lib/{s}.a", .{ dir, name })));
    }
    return module;
}

fn build_library(
    b: *std.Build,
    shared: Shared,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
) *std.Build.Step.Compile {
    const lib = b.addLibrary(.{
        .linkage = .dynamic,
        .name = "capture",
        .root_module = capture_module(b, shared, "ffi/root.zig", target, optimize),
    });
    lib.setVersionScript(b.path("ffi/exports.map"));
    return lib;
}

fn build_abi_ts(b: *std.Build, step: *std.Build.Step, host: std.Build.ResolvedTarget) void {
    const generator = b.addExecutable(.{
        .name = "abi-ts",
        .root_module = b.createModule(.{
            .root_source_file = b.path("ffi/abi_ts.zig"),
            .target = host,
            .optimize = .Debug,
            .link_libc = true,
        }),
    });
    const run = b.addRunArtifact(generator);
    const output = run.captureStdOut();
    const update = b.addUpdateSourceFiles();
    update.addCopyFileToSource(output, "src/native/abi.ts");
    step.dependOn(&update.step);
}

fn build_tests(
    b: *std.Build,
    shared: Shared,
    step: *std.Build.Step,
    host: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
) void {
    const tests = b.addTest(.{ .root_module = capture_module(b, shared, "ffi/root.zig", host, optimize) });
    const run = b.addRunArtifact(tests);
    run.has_side_effects = true; // ring tests depend on the live kernel, never cache their result
    step.dependOn(&run.step);
}

/// Runs ffi/check_deps.zig over every libcapture.so (files are added by build()).
fn build_check_deps(b: *std.Build, step: *std.Build.Step) *std.Build.Step.Run {
    const checker = b.addExecutable(.{
        .name = "check-deps",
        .root_module = b.createModule(.{
            .root_source_file = b.path("ffi/check_deps.zig"),
            .target = b.graph.host,
            .optimize = .Debug,
        }),
    });
    const run = b.addRunArtifact(checker);
    run.addFileArg(b.path("ffi/root.zig"));
    step.dependOn(&run.step);
    return run;
}

/// zig-out/bin/ref-reader: the ring walked in Zig, the baseline of bench/capture.sh.
fn build_ref_reader(
    b: *std.Build,
    shared: Shared,
    host: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
) void {
    const exe = b.addExecutable(.{
        .name = "ref-reader",
        .root_module = capture_module(b, shared, "ffi/ref_reader.zig", host, optimize),
    });
    b.installArtifact(exe);
}
