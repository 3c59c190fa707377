//! A TPACKET_V3 RX ring: open (all allocation happens here), then a take/release loop over blocks with
//! no allocation and, for `try_next`, no syscall.
//!
//! Threads: one consumer calls next/try_next/release (it may hop between threads, as Deno's
//! `nonblocking` calls do, and release may run while a next is in flight); interrupt, stats and close
//! may come from any thread. `calls_in_flight` and `state` make close refuse (`busy`) instead of
//! freeing memory under a running call.

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;
const abi = @import("abi.zig");
const kernel = @import("kernel.zig");
const socket = @import("socket.zig");
const errno_ = @import("errno.zig");
const Status = abi.Status;

pub const magic_open: u64 = 0x676e_6972_5f70_6163; // "cap_ring"
const State = enum(u8) { open, closing };

/// How long `next` sleeps when poll reports readiness for a block other than ours (the kernel reports
/// POLLIN while the block before its active one is user-owned, i.e. while the caller holds it).
const spurious_wakeup_sleep_ms: i32 = 1;
/// Longest `nap` (one poll on the eventfd); readers nap far less, bounded by their ring's headroom.
pub const nap_ms_max: i32 = 10_000;

/// CLOCK_MONOTONIC in milliseconds: timeouts must not jump with the wall clock.
fn monotonic_ms() i64 {
    var now: linux.timespec = undefined;
    _ = linux.clock_gettime(.MONOTONIC, &now);
    return @as(i64, now.sec) * std.time.ms_per_s + @divTrunc(now.nsec, std.time.ns_per_ms);
}

pub const Ring = struct {
    magic: u64,
    fd: i32,
    event_fd: i32,
    map: []align(std.heap.page_size_min) u8,
    block_bytes: u32,
    block_count: u32,
    frame_bytes: u32,
    snaplen_bytes: u32,
    ifindex: i32,
    filter_instructions: u32,
    link_type: u32,
    promiscuous: bool,
    /// Next block to hand out (consumer only).
    take_index: u32 = 0,
    /// Oldest held block, the only one `release` accepts (consumer only).
    release_index: u32 = 0,
    blocks_held: std.atomic.Value(u32) = .init(0),
    calls_in_flight: std.atomic.Value(u32) = .init(0),
    state: std.atomic.Value(State) = .init(.open),
    packets: std.atomic.Value(u64) = .init(0),
    drops: std.atomic.Value(u64) = .init(0),
    freezes: std.atomic.Value(u64) = .init(0),
    blocks_released: std.atomic.Value(u64) = .init(0),

    fn block_status(ring: *Ring, index: u32) *u32 {
        assert(index < ring.block_count);
        const offset = @as(usize, index) * ring.block_bytes + kernel.block.block_status;
        return @ptrCast(@alignCast(&ring.map[offset]));
    }

    fn enter(ring: *Ring) bool {
        if (ring.magic != magic_open) return false;
        _ = ring.calls_in_flight.fetchAdd(1, .seq_cst);
        if (ring.state.load(.seq_cst) != .open) {
            _ = ring.calls_in_flight.fetchSub(1, .seq_cst);
            return false;
        }
        return true;
    }

    fn leave(ring: *Ring) void {
        const previous = ring.calls_in_flight.fetchSub(1, .seq_cst);
        assert(previous > 0);
    }

    /// Takes the next block if the kernel retired it. No syscall.
    fn take(ring: *Ring) ?u32 {
        if (ring.blocks_held.load(.acquire) >= ring.block_count) return null;
        const index = ring.take_index;
        const status = @atomicLoad(u32, ring.block_status(index), .acquire);
        if (status & kernel.status.user == 0) return null;
        ring.take_index = (index + 1) % ring.block_count;
        _ = ring.blocks_held.fetchAdd(1, .acq_rel);
        return index;
    }

    pub fn try_next(ring: *Ring) i32 {
        if (!ring.enter()) return Status.closed.code();
        defer ring.leave();
        const index = ring.take() orelse return Status.timeout.code();
        return @intCast(index);
    }

    /// Waits up to `timeout_ms` (negative: no limit) for the next retired block.
    pub fn next(ring: *Ring, timeout_ms: i32) i32 {
        if (!ring.enter()) return Status.closed.code();
        defer ring.leave();
        if (ring.take()) |index| return @intCast(index);
        const started_ms = monotonic_ms();
        while (true) {
            const elapsed_ms = monotonic_ms() - started_ms;
            if (timeout_ms >= 0 and elapsed_ms >= timeout_ms) return Status.timeout.code();
            const remaining_ms: i32 = if (timeout_ms < 0) -1 else @intCast(timeout_ms - elapsed_ms);
            const waited = ring.wait(remaining_ms);
            if (ring.take()) |index| return @intCast(index);
            switch (waited) {
                .ok => {},
                .timeout => if (timeout_ms >= 0) return Status.timeout.code(),
                else => return waited.code(),
            }
        }
    }

    /// One poll on the socket and the eventfd. `ok`: the socket looked readable (maybe not our block).
    fn wait(ring: *Ring, timeout_ms: i32) Status {
        var fds = [2]linux.pollfd{
            .{ .fd = ring.fd, .events = linux.POLL.IN | linux.POLL.ERR, .revents = 0 },
            .{ .fd = ring.event_fd, .events = linux.POLL.IN, .revents = 0 },
        };
        const errno = linux.E.init(linux.poll(&fds, fds.len, timeout_ms));
        if (errno != .SUCCESS) return errno_.status_from_errno(errno);
        if (fds[1].revents & linux.POLL.IN != 0) {
            var value: u64 = 0;
            _ = linux.read(ring.event_fd, std.mem.asBytes(&value), @sizeOf(u64));
            return .interrupted;
        }
        if (fds[0].revents & linux.POLL.ERR != 0) {
            const pending = socket.pending_error(ring.fd);
            if (pending != .SUCCESS) return errno_.status_from_errno(pending);
        }
        if (fds[0].revents & linux.POLL.IN == 0) return .timeout;
        // Readable but our block may not be ready (see spurious_wakeup_sleep_ms): nap on the eventfd only.
        if (ring.block_status(ring.take_index).* & kernel.status.user == 0) {
            var interrupt_fd = [1]linux.pollfd{.{ .fd = ring.event_fd, .events = linux.POLL.IN, .revents = 0 }};
            const sleep_ms = if (timeout_ms < 0) spurious_wakeup_sleep_ms else @min(
                timeout_ms,
                spurious_wakeup_sleep_ms,
            );
            _ = linux.poll(&interrupt_fd, 1, sleep_ms);
        }
        return .ok;
    }

    /// Hands `index` back to the kernel; it must be the oldest held block.
    pub fn release(ring: *Ring, index: u32) i32 {
        if (!ring.enter()) return Status.closed.code();
        defer ring.leave();
        if (ring.blocks_held.load(.acquire) == 0 or index != ring.release_index) return Status.invalid_argument.code();
        assert(index < ring.block_count);
        @atomicStore(u32, ring.block_status(index), kernel.status.kernel, .release);
        ring.release_index = (index + 1) % ring.block_count;
        _ = ring.blocks_held.fetchSub(1, .acq_rel);
        _ = ring.blocks_released.fetchAdd(1, .monotonic);
        return Status.ok.code();
    }

    pub fn stats(ring: *Ring, out: *abi.RingStats) i32 {
        if (!ring.enter()) return Status.closed.code();
        defer ring.leave();
        var kernel_stats = std.mem.zeroes(kernel.Stats);
        const errno = socket.get_packet_option(ring.fd, kernel.c.PACKET_STATISTICS, &kernel_stats);
        if (errno != .SUCCESS) return errno_.status_from_errno(errno).code();
        // Each read resets the kernel's counters: add them up here.
        const packets = ring.packets.fetchAdd(kernel_stats.tp_packets, .monotonic) + kernel_stats.tp_packets;
        const drops = ring.drops.fetchAdd(kernel_stats.tp_drops, .monotonic) + kernel_stats.tp_drops;
        const freezes = ring.freezes.fetchAdd(kernel_stats.tp_freeze_q_cnt, .monotonic) + kernel_stats.tp_freeze_q_cnt;
        out.* = .{
            .packets = packets,
            .drops = drops,
            .freezes = freezes,
            .blocks_released = ring.blocks_released.load(.monotonic),
        };
        return Status.ok.code();
    }

    pub fn info(ring: *Ring, out: *abi.RingInfo) i32 {
        if (ring.magic != magic_open) return Status.closed.code();
        out.* = .{
            .map_address = @intFromPtr(ring.map.ptr),
            .map_bytes = ring.map.len,
            .block_bytes = ring.block_bytes,
            .block_count = ring.block_count,
            .frame_bytes = ring.frame_bytes,
            .snaplen_bytes = ring.snaplen_bytes,
            .ifindex = ring.ifindex,
            .fd = ring.fd,
            .filter_instructions = ring.filter_instructions,
            .link_type = ring.link_type,
        };
        return Status.ok.code();
    }

    /// Sleeps `timeout_ms` (0 ..= nap_ms_max) whatever the socket does: a reader that takes several retired blocks
    /// per wake-up pays the wake-up (cold caches on a small VM) once for all of them. `interrupt` and signals
    /// (EINTR) end it early with `interrupted`; else `timeout`.
    pub fn nap(ring: *Ring, timeout_ms: i32) i32 {
        if (timeout_ms < 0 or timeout_ms > nap_ms_max) return Status.invalid_argument.code();
        if (!ring.enter()) return Status.closed.code();
        defer ring.leave();
        var fds = [1]linux.pollfd{.{ .fd = ring.event_fd, .events = linux.POLL.IN, .revents = 0 }};
        const errno = linux.E.init(linux.poll(&fds, fds.len, timeout_ms));
        if (errno != .SUCCESS) return errno_.status_from_errno(errno).code();
        if (fds[0].revents & linux.POLL.IN == 0) return Status.timeout.code();
        var value: u64 = 0;
        _ = linux.read(ring.event_fd, std.mem.asBytes(&value), @sizeOf(u64));
        return Status.interrupted.code();
    }

    /// Wakes a waiter in `next` or `nap`. An interrupt with no waiter makes the next wait return at once.
    pub fn interrupt(ring: *Ring) i32 {
        if (ring.magic != magic_open or ring.state.load(.seq_cst) != .open) return Status.closed.code();
        const value: u64 = 1;
        const errno = linux.E.init(linux.write(ring.event_fd, std.mem.asBytes(&value), @sizeOf(u64)));
        if (errno != .SUCCESS and errno != .AGAIN) return errno_.status_from_errno(errno).code();
        return Status.ok.code();
    }

    /// `busy` while blocks are held or a call is in flight; else releases everything and frees `ring`.
    pub fn close(ring: *Ring) i32 {
        if (ring.magic != magic_open) return Status.closed.code();
        if (ring.blocks_held.load(.seq_cst) != 0) return Status.busy.code();
        if (ring.state.cmpxchgStrong(.open, .closing, .seq_cst, .seq_cst) != null) return Status.closed.code();
        if (ring.calls_in_flight.load(.seq_cst) != 0 or ring.blocks_held.load(.seq_cst) != 0) {
            ring.state.store(.open, .seq_cst);
            return Status.busy.code();
        }
        if (ring.promiscuous) _ = socket.promiscuous(ring.fd, ring.ifindex, false);
        _ = linux.munmap(ring.map.ptr, ring.map.len);
        socket.close(ring.fd);
        socket.close(ring.event_fd);
        ring.magic = 0;
        std.heap.c_allocator.destroy(ring);
        return Status.ok.code();
    }
};

pub const open = @import("ring_open.zig").open;
