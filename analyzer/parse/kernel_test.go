package parse

import (
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// dmesg output in its forms (research §2.6) and the lines it shares a
// stamp with (journalctl -o short-monotonic).
var kernelCases = []lineCase{
	{
		name: "dmesg",
		line: "[    2.572326] EXT4-fs (vda): mounted filesystem 00000000-0000-0000-0000-000000000000 r/w without journal. Quota mode: none.",
		want: want{q: event.TimeNone, prog: "kernel",
			msg:    "EXT4-fs (vda): mounted filesystem 00000000-0000-0000-0000-000000000000 r/w without journal. Quota mode: none.",
			fields: f("kernel_time", "2.572326"), format: FormatDmesg},
	},
	{
		name: "dmesg: driver and device look like host and tag",
		line: "[    1.204511] usb usb1: New USB device found, idVendor=1d6b, idProduct=0002, bcdDevice= 5.04",
		want: want{q: event.TimeNone, prog: "kernel",
			msg:    "usb usb1: New USB device found, idVendor=1d6b, idProduct=0002, bcdDevice= 5.04",
			fields: f("kernel_time", "1.204511"), format: FormatDmesg},
	},
	{
		name: "dmesg: subsystem prefix is no tag",
		line: "[    0.912345] input: AT Translated Set 2 keyboard as /devices/platform/i8042/serio0/input/input0",
		want: want{q: event.TimeNone, prog: "kernel",
			msg:    "input: AT Translated Set 2 keyboard as /devices/platform/i8042/serio0/input/input0",
			fields: f("kernel_time", "0.912345"), format: FormatDmesg},
	},
	{
		name: "dmesg: OOM killer",
		line: "[12345.678901] Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4012345kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0",
		want: want{q: event.TimeNone, prog: "kernel",
			msg:    "Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:4012345kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9000kB oom_score_adj:0",
			fields: f("kernel_time", "12345.678901"), format: FormatDmesg},
	},
	{
		name: "dmesg in a dmesg source: the syslog reading is not tried",
		line: "[    3.100000] systemd[1]: Inserted module 'autofs4'",
		hint: FormatDmesg,
		want: want{q: event.TimeNone, prog: "systemd", pid: 1,
			msg: "Inserted module 'autofs4'", fields: f("kernel_time", "3.100000"), format: FormatDmesg},
	},
	{
		name: "user space tag with pid, no hint: short-monotonic without hostname wins",
		line: "[    3.100000] systemd[1]: Inserted module 'autofs4'",
		want: want{q: event.TimeNone, prog: "systemd", pid: 1,
			msg: "Inserted module 'autofs4'", fields: f("monotonic", "3.100000"), format: FormatJournalShortMonotonic},
	},
	{
		name: "short-monotonic host kernel in a dmesg source stays dmesg",
		line: "[    1.523001] userver kernel: Linux version 5.4.0-88-generic",
		hint: FormatDmesg,
		want: want{q: event.TimeNone, prog: "kernel",
			msg: "userver kernel: Linux version 5.4.0-88-generic", fields: f("kernel_time", "1.523001"), format: FormatDmesg},
	},
	{
		name: "dmesg stamp only",
		line: "[    4.000000]",
		want: want{q: event.TimeNone, prog: "kernel", fields: f("kernel_time", "4.000000"), format: FormatDmesg},
	},
	{
		name: "dmesg -r",
		line: "<6>[    2.572326] EXT4-fs (vda): mounted filesystem with ordered data mode.",
		want: want{q: event.TimeNone, prog: "kernel", pri: "info",
			msg: "EXT4-fs (vda): mounted filesystem with ordered data mode.", fields: f("kernel_time", "2.572326"), format: FormatDmesg},
	},
	{
		name: "dmesg -r err",
		line: "<3>[  812.004410] Buffer I/O error on dev sda1, logical block 0, async page read",
		want: want{q: event.TimeNone, prog: "kernel", pri: "err",
			msg: "Buffer I/O error on dev sda1, logical block 0, async page read", fields: f("kernel_time", "812.004410"), format: FormatDmesg},
	},
	{
		name: "dmesg -T",
		line: "[Sun Nov 22 01:23:20 2026] Linux version 6.18.44-fc-v657 (builder@sandboxing) (gcc 12.2.0)",
		want: want{time: "2026-11-22T01:23:20Z", q: event.TimeZoneAssumed, prog: "kernel",
			msg: "Linux version 6.18.44-fc-v657 (builder@sandboxing) (gcc 12.2.0)", format: FormatDmesg},
	},
	{
		name: "dmesg -T padded day",
		line: "[Mon Nov  2 01:23:20 2026] EXT4-fs (vda): re-mounted. Quota mode: none.",
		want: want{time: "2026-11-02T01:23:20Z", q: event.TimeZoneAssumed, prog: "kernel",
			msg: "EXT4-fs (vda): re-mounted. Quota mode: none.", format: FormatDmesg},
	},
	{
		name: "dmesg -x",
		line: "kern  :info  : [    2.572326] EXT4-fs (vda): mounted filesystem with ordered data mode.",
		want: want{q: event.TimeNone, prog: "kernel", pri: "info",
			msg: "EXT4-fs (vda): mounted filesystem with ordered data mode.", fields: f("kernel_time", "2.572326"), format: FormatDmesg},
	},
	{
		name: "dmesg -x warn",
		line: "kern  :warn  : [  102.000004] TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.",
		want: want{q: event.TimeNone, prog: "kernel", pri: "warning",
			msg: "TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.", fields: f("kernel_time", "102.000004"), format: FormatDmesg},
	},
	{
		name: "dmesg -x user space",
		line: "daemon:info  : [    5.104410] systemd[1]: Started Journal Service.",
		want: want{q: event.TimeNone, prog: "systemd", pid: 1, pri: "info",
			msg: "Started Journal Service.", fields: f("kernel_time", "5.104410"), format: FormatDmesg},
	},
	{
		name: "dmesg iso",
		line: "2026-11-22T01:23:22,572326+00:00 EXT4-fs (vda): mounted filesystem r/w without journal. Quota mode: none.",
		want: want{time: "2026-11-22T01:23:22.572326Z", q: event.TimeExact, prog: "kernel",
			msg: "EXT4-fs (vda): mounted filesystem r/w without journal. Quota mode: none.", format: FormatDmesg},
	},
	{
		name: "dmesg iso, offset",
		line: "2026-11-22T10:23:22,572326+09:00 usb usb1: New USB device found",
		want: want{time: "2026-11-22T01:23:22.572326Z", q: event.TimeExact, prog: "kernel",
			msg: "usb usb1: New USB device found", format: FormatDmesg},
	},
}

func TestKernel(t *testing.T) { runCases(t, kernelCases) }
