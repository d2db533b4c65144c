package parse

import (
	"slices"
	"strings"
	"testing"

	"github.com/logsleuth/logsleuth/analyzer/event"
)

// appCases are the application and platform shapes, end to end through
// ParseLine (payload pass included), in Asia/Seoul (KST) with year 2021:
// each asserts program, pid, time (or none), priority and message.
var appCases = []struct {
	name string
	hint string
	line string
	want swant
}{
	// dmesg -T and plain dmesg: kernel lines.
	{"dmesg -T oom", "", "[Thu May 14 23:17:24 2020] Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:3932160kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:8012kB oom_score_adj:0", swant{
		format: FormatDmesg, time: "2020-05-14T14:17:24Z", quality: event.TimeZoneAssumed, program: "kernel", priority: noPrio,
		message: "Out of memory: Killed process 4121 (java) total-vm:8123456kB, anon-rss:3932160kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:8012kB oom_score_adj:0"}},
	{"dmesg -T single-digit day", "", "[Sun Nov  2 01:23:20 2025] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.", swant{
		format: FormatDmesg, time: "2025-11-01T16:23:20Z", quality: event.TimeZoneAssumed, program: "kernel", priority: noPrio,
		message: "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none."}},
	{"dmesg plain", "", "[ 1234.567890] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=java,pid=4121,uid=1000", swant{
		format: FormatDmesg, quality: event.TimeNone, program: "kernel", priority: noPrio,
		message: "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=java,pid=4121,uid=1000",
		fields:  kvs("kernel_time", "1234.567890")}},

	// logrus console (TextFormatter on a terminal)
	{"logrus elapsed", "", "INFO[0000] Starting the docker registry mirror          port=5000", swant{
		format: FormatLogrus, quality: event.TimeNone, priority: 6,
		message: "Starting the docker registry mirror          port=5000",
		fields:  kvs("elapsed", "0000", "level", "INFO", "port", "5000")}},
	{"logrus full timestamp", "", `ERRO[2021-04-06T08:31:05+02:00] error waiting for container: context canceled  container=3f1a error="unexpected EOF"`, swant{
		format: FormatLogrus, time: "2021-04-06T06:31:05Z", quality: event.TimeExact, priority: 3,
		message: `error waiting for container: context canceled  container=3f1a error="unexpected EOF"`,
		fields:  kvs("time", "2021-04-06T08:31:05+02:00", "level", "ERRO", "container", "3f1a", "error", "unexpected EOF")}},
	{"logrus fatal no fields", "", "FATA[0003] failed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid", swant{
		format: FormatLogrus, quality: event.TimeNone, priority: 2,
		message: "failed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid",
		fields:  kvs("elapsed", "0003", "level", "FATA")}},

	// zerolog ConsoleWriter (Traefik v3)
	{"zerolog traefik", "", `2025-11-10T23:03:43Z ERR Provider error, retrying in 8.407447625s error="Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version" providerName=docker`, swant{
		format: FormatZerolog, time: "2025-11-10T23:03:43Z", quality: event.TimeExact, priority: 3,
		message: `Provider error, retrying in 8.407447625s error="Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version" providerName=docker`,
		fields: kvs("time", "2025-11-10T23:03:43Z", "level", "ERR",
			"error", "Error response from daemon: client version 1.24 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version",
			"providerName", "docker")}},
	{"zerolog with caller and offset", "", `2026-04-12T22:09:43+02:00 WRN github.com/traefik/traefik/v3/pkg/server/service/service.go:314 > Service has no endpoint serviceName=whoami@docker`, swant{
		format: FormatZerolog, time: "2026-04-12T20:09:43Z", quality: event.TimeExact, priority: 4,
		message: "Service has no endpoint serviceName=whoami@docker",
		fields: kvs("time", "2026-04-12T22:09:43+02:00", "level", "WRN",
			"caller", "github.com/traefik/traefik/v3/pkg/server/service/service.go:314", "serviceName", "whoami@docker")}},
	{"zerolog info without pairs", "", "2025-11-10T23:03:40Z INF Traefik version 3.6.0 built on 2025-11-06T10:12:23Z version=3.6.0", swant{
		format: FormatZerolog, time: "2025-11-10T23:03:40Z", quality: event.TimeExact, priority: 6,
		message: "Traefik version 3.6.0 built on 2025-11-06T10:12:23Z version=3.6.0",
		fields:  kvs("time", "2025-11-10T23:03:40Z", "level", "INF", "version", "3.6.0")}},

	// Go's log package, and nginx's error log which shares its stamp
	{"go log", "", "2020/04/13 10:00:00 http: TLS handshake error from 203.0.113.9:51234: EOF", swant{
		format: FormatGoLog, time: "2020-04-13T01:00:00Z", quality: event.TimeZoneAssumed, priority: noPrio,
		message: "http: TLS handshake error from 203.0.113.9:51234: EOF"}},
	{"go log micro and shortfile", "", "2020/04/13 10:00:00.250000 server.go:88: listening on :8080", swant{
		format: FormatGoLog, time: "2020-04-13T01:00:00.25Z", quality: event.TimeZoneAssumed, priority: noPrio,
		message: "listening on :8080", fields: kvs("caller", "server.go:88")}},
	{"go log bracket level", "", "2023/02/01 08:15:00 [ERROR] backup job failed: exit status 2", swant{
		format: FormatGoLog, time: "2023-01-31T23:15:00Z", quality: event.TimeZoneAssumed, priority: 3,
		message: "backup job failed: exit status 2", fields: kvs("level", "ERROR")}},
	{"nginx upstream timeout", "", `2024/01/15 10:00:00 [error] 1234#1234: *5 upstream timed out (110: Connection timed out) while connecting to upstream, client: 198.51.100.7, server: shop.example.com, request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop.example.com"`, swant{
		format: FormatNginx, time: "2024-01-15T01:00:00Z", quality: event.TimeZoneAssumed, program: "nginx", pid: 1234, priority: 3,
		message: `*5 upstream timed out (110: Connection timed out) while connecting to upstream, client: 198.51.100.7, server: shop.example.com, request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop.example.com"`,
		fields: kvs("level", "error", "client", "198.51.100.7", "server", "shop.example.com", "request", "GET /api/cart HTTP/1.1",
			"upstream", "http://127.0.0.1:8080/api/cart", "host", "shop.example.com")}},
	{"nginx emerg", "", `2024/01/15 09:59:58 [emerg] 811#811: bind() to 0.0.0.0:80 failed (98: Address already in use)`, swant{
		format: FormatNginx, time: "2024-01-15T00:59:58Z", quality: event.TimeZoneAssumed, program: "nginx", pid: 811, priority: 0,
		message: "bind() to 0.0.0.0:80 failed (98: Address already in use)", fields: kvs("level", "emerg")}},

	// Apache httpd error log, 2.4 and 2.2
	{"apache 2.4", "", "[Wed Oct 11 14:32:52.123456 2023] [proxy:error] [pid 35708:tid 139872] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed", swant{
		format: FormatApache, time: "2023-10-11T05:32:52.123456Z", quality: event.TimeZoneAssumed, program: "httpd", pid: 35708, priority: 3,
		message: "(111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed",
		fields:  kvs("module", "proxy")}},
	{"apache 2.2", "", "[Wed Oct 11 14:32:52 2023] [crit] [client 192.0.2.4] configuration error:  couldn't perform authentication.", swant{
		format: FormatApache, time: "2023-10-11T05:32:52Z", quality: event.TimeZoneAssumed, program: "httpd", priority: 2,
		message: "[client 192.0.2.4] configuration error:  couldn't perform authentication."}},

	// klog on its own (kubectl logs of a Kubernetes component)
	{"klog error", "", `E1202 06:20:21.433183    2741 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \"StartContainer\"" pod="default/web-0"`, swant{
		format: FormatKlog, time: "2021-12-01T21:20:21.433183Z", quality: event.TimeYearInferred, pid: 2741, priority: 3,
		message: `"Error syncing pod, skipping" err="failed to \"StartContainer\"" pod="default/web-0"`,
		fields:  kvs("source", "pod_workers.go:1298", "msg", "Error syncing pod, skipping", "err", `failed to "StartContainer"`, "pod", "default/web-0")}},
	{"klog info plain", "", "I0405 11:00:00.000100       1 leaderelection.go:258] successfully acquired lease kube-system/kube-scheduler", swant{
		format: FormatKlog, time: "2021-04-05T02:00:00.0001Z", quality: event.TimeYearInferred, pid: 1, priority: 6,
		message: "successfully acquired lease kube-system/kube-scheduler", fields: kvs("source", "leaderelection.go:258")}},

	// docker: json-file records, docker logs -t
	{"docker json-file zerolog payload", "", `{"log":"2025-11-10T23:03:43Z ERR Provider error, retrying in 1s providerName=docker\n","stream":"stdout","time":"2025-11-10T23:03:43.118262951Z"}`, swant{
		format: FormatJSONLine, time: "2025-11-10T23:03:43.118262951Z", quality: event.TimeExact, priority: 3,
		message: "2025-11-10T23:03:43Z ERR Provider error, retrying in 1s providerName=docker",
		fields:  kvs("stream", "stdout", "time", "2025-11-10T23:03:43Z", "level", "ERR", "providerName", "docker")}},
	{"docker json-file go panic", "", `{"log":"panic: runtime error: invalid memory address or nil pointer dereference\n","stream":"stderr","time":"2021-10-07T06:20:25.000871223Z"}`, swant{
		format: FormatJSONLine, time: "2021-10-07T06:20:25.000871223Z", quality: event.TimeExact, priority: noPrio,
		message: "panic: runtime error: invalid memory address or nil pointer dereference", fields: kvs("stream", "stderr")}},
	{"docker logs -t", "", "2021-10-07T06:20:21.433183114Z Listening on 0.0.0.0:3000", swant{
		format: FormatDockerTimestamps, time: "2021-10-07T06:20:21.433183114Z", quality: event.TimeExact, priority: noPrio,
		message: "Listening on 0.0.0.0:3000"}},
	{"docker logs -t logrus payload", "", `2021-10-07T06:20:21.433183114Z time="2021-10-07T06:20:21Z" level=error msg="handler failed"`, swant{
		format: FormatDockerTimestamps, time: "2021-10-07T06:20:21.433183114Z", quality: event.TimeExact, priority: 3,
		message: `time="2021-10-07T06:20:21Z" level=error msg="handler failed"`,
		fields:  kvs("time", "2021-10-07T06:20:21Z", "level", "error", "msg", "handler failed")}},

	// docker compose logs, without and with -t, zerolog payload
	{"compose zerolog, no -t", "", `traefik-1  | 2025-11-10T23:03:43Z ERR Provider error, retrying in 8.4s providerName=docker`, swant{
		format: FormatCompose, time: "2025-11-10T23:03:43Z", quality: event.TimeExact, program: "traefik", priority: 3,
		message: "2025-11-10T23:03:43Z ERR Provider error, retrying in 8.4s providerName=docker",
		fields:  kvs("container", "traefik-1", "time", "2025-11-10T23:03:43Z", "level", "ERR", "providerName", "docker")}},
	{"compose -t zerolog", "", `traefik-1  | 2026-04-12T20:09:43.976039085Z 2026-04-12T22:09:43+02:00 ERR github.com/traefik/traefik/v3/pkg/provider/docker/pdocker.go:85 > Failed to retrieve information of the docker client and server host providerName=docker`, swant{
		format: FormatCompose, time: "2026-04-12T20:09:43.976039085Z", quality: event.TimeExact, program: "traefik", priority: 3,
		message: "2026-04-12T22:09:43+02:00 ERR github.com/traefik/traefik/v3/pkg/provider/docker/pdocker.go:85 > Failed to retrieve information of the docker client and server host providerName=docker",
		fields:  kvs("container", "traefik-1", "time", "2026-04-12T22:09:43+02:00", "level", "ERR", "providerName", "docker")}},
	{"compose plain", "", "web-1  | Listening on port 3000", swant{
		format: FormatCompose, program: "web", priority: noPrio, message: "Listening on port 3000", fields: kvs("container", "web-1")}},
	{"compose logrus payload", "", "registry-1  | ERRO[0012] response completed with error  err.code=\"blob unknown\"", swant{
		format: FormatCompose, program: "registry", priority: 3, message: "ERRO[0012] response completed with error  err.code=\"blob unknown\"",
		fields: kvs("container", "registry-1", "level", "ERRO", "err.code", "blob unknown")}},

	// tab-separated container log exports
	{"tsv rfc3339", "", "2021-10-07T06:20:21.433Z\tstderr\tException in thread \"main\" java.lang.OutOfMemoryError: Java heap space", swant{
		format: FormatContainerTSV, time: "2021-10-07T06:20:21.433Z", quality: event.TimeExact, priority: noPrio,
		message: "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", fields: kvs("stream", "stderr")}},
	{"tsv space date", "", "2021-10-07 06:20:21.5\tstdout\tserver started", swant{
		format: FormatContainerTSV, time: "2021-10-06T21:20:21.5Z", quality: event.TimeZoneAssumed, priority: noPrio,
		message: "server started", fields: kvs("stream", "stdout")}},
	{"tsv empty line", "", "2021-10-07T06:20:21Z\tstdout\t", swant{
		format: FormatContainerTSV, time: "2021-10-07T06:20:21Z", quality: event.TimeExact, priority: noPrio,
		fields: kvs("stream", "stdout")}},

	// JVM logging lines, which stack traces follow
	{"spring boot", "", "2024-03-02 10:15:01.123 ERROR 4121 --- [           main] o.s.boot.SpringApplication               : Application run failed", swant{
		format: FormatJavaLog, time: "2024-03-02T01:15:01.123Z", quality: event.TimeZoneAssumed, pid: 4121, priority: 3,
		message: "Application run failed", fields: kvs("level", "ERROR", "thread", "main", "logger", "o.s.boot.SpringApplication")}},
	{"spring boot 3 with app name", "", "2024-03-02T10:15:01.123+09:00  WARN 4121 --- [orders] [nio-8080-exec-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : SQL Error: 0, SQLState: 08001", swant{
		format: FormatJavaLog, time: "2024-03-02T01:15:01.123Z", quality: event.TimeExact, pid: 4121, priority: 4,
		message: "SQL Error: 0, SQLState: 08001", fields: kvs("level", "WARN", "thread", "nio-8080-exec-1", "logger", "o.h.engine.jdbc.spi.SqlExceptionHelper")}},
	{"log4j2 comma, thread first", "", "2024-03-02 10:15:01,123 [kafka-producer-network-thread] ERROR org.apache.kafka.clients.NetworkClient - Connection to node 1 could not be established.", swant{
		format: FormatJavaLog, time: "2024-03-02T01:15:01.123Z", quality: event.TimeZoneAssumed, priority: 3,
		message: "Connection to node 1 could not be established.", fields: kvs("level", "ERROR", "thread", "kafka-producer-network-thread", "logger", "org.apache.kafka.clients.NetworkClient")}},
	{"logback console clock only", "", "10:15:01.123 [main] INFO  com.example.App - Started App in 3.2 seconds", swant{
		format: FormatJavaLog, quality: event.TimeNone, priority: 6,
		message: "Started App in 3.2 seconds", fields: kvs("level", "INFO", "thread", "main", "logger", "com.example.App", "clock", "10:15:01.123")}},
	{"unattended-upgrades stays", "", "2021-10-07 06:25:12,442 INFO Starting unattended upgrades script", swant{
		format: FormatUnattended, time: "2021-10-06T21:25:12.442Z", quality: event.TimeZoneAssumed, program: "unattended-upgrades", priority: 6,
		message: "Starting unattended upgrades script"}},

	// kubectl get events / kubectl events / describe
	{"kubectl get events", "", "2m10s       Warning   FailedScheduling   pod/web-7d4b9c6f5d-x2x9k   0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, priority: 4,
		message: "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
		fields:  kvs("last_seen", "2m10s", "type", "Warning", "reason", "FailedScheduling", "object", "pod/web-7d4b9c6f5d-x2x9k")}},
	{"kubectl get events -A", "", "kube-system   44s         Normal    Pulled             pod/coredns-5d78c9869d-8xq2v   Container image \"registry.k8s.io/coredns/coredns:v1.10.1\" already present on machine", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, priority: 6,
		message: "Container image \"registry.k8s.io/coredns/coredns:v1.10.1\" already present on machine",
		fields:  kvs("namespace", "kube-system", "last_seen", "44s", "type", "Normal", "reason", "Pulled", "object", "pod/coredns-5d78c9869d-8xq2v")}},
	{"kubectl events repeated", "", "3m2s (x4 over 10m)   Warning   BackOff   Pod/api-0   Back-off restarting failed container api in pod api-0_default(6b1c)", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, priority: 4,
		message: "Back-off restarting failed container api in pod api-0_default(6b1c)",
		fields:  kvs("last_seen", "3m2s (x4 over 10m)", "type", "Warning", "reason", "BackOff", "object", "Pod/api-0")}},
	{"kubectl unknown age", "", "<unknown>   Warning   NodeNotReady   node/worker-2   Node worker-2 status is now: NodeNotReady", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, priority: 4, message: "Node worker-2 status is now: NodeNotReady",
		fields: kvs("last_seen", "<unknown>", "type", "Warning", "reason", "NodeNotReady", "object", "node/worker-2")}},
	{"kubectl get events before 1.8", "", "13m        13m         1         nginx-deployment-3392909933-1tfwp   Pod          spec.containers{nginx}            Normal    Pulled              {kubelet kubernetes-minion-group-kcbf}   Successfully pulled image \"nginx\"", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, host: "kubernetes-minion-group-kcbf", program: "kubelet", priority: 6,
		message: "Successfully pulled image \"nginx\"",
		fields:  kvs("last_seen", "13m", "first_seen", "13m", "count", "1", "type", "Normal", "reason", "Pulled", "object", "Pod/nginx-deployment-3392909933-1tfwp")}},
	{"kubectl get events before 1.8, no subobject", "", "13m        13m         1         nginx-deployment-3392909933-1tfwp   Pod                                            Normal    Scheduled           {default-scheduler }                     Successfully assigned nginx-deployment-3392909933-1tfwp to kubernetes-minion-group-kcbf", swant{
		format: FormatKubectlEvents, quality: event.TimeNone, program: "default-scheduler", priority: 6,
		message: "Successfully assigned nginx-deployment-3392909933-1tfwp to kubernetes-minion-group-kcbf",
		fields:  kvs("last_seen", "13m", "first_seen", "13m", "count", "1", "type", "Normal", "reason", "Scheduled", "object", "Pod/nginx-deployment-3392909933-1tfwp")}},
	{"kubectl describe row", "", "  Warning  BackOff    5s (x3 over 30s)   kubelet            Back-off restarting failed container", swant{
		format: FormatKubectlDescribe, quality: event.TimeNone, program: "kubelet", priority: 4,
		message: "Back-off restarting failed container",
		fields:  kvs("age", "5s (x3 over 30s)", "type", "Warning", "reason", "BackOff")}},
	{"kubectl describe old from", "", "  Warning  OOMKilling  12m   kernel-monitor, worker-1  Memory cgroup out of memory: Killed process 4121 (java)", swant{
		format: FormatKubectlDescribe, quality: event.TimeNone, host: "worker-1", program: "kernel-monitor", priority: 4,
		message: "Memory cgroup out of memory: Killed process 4121 (java)",
		fields:  kvs("age", "12m", "type", "Warning", "reason", "OOMKilling")}},
	{"kubectl header", "", "LAST SEEN   TYPE      REASON             OBJECT                     MESSAGE", swant{kind: KindBanner, format: FormatKubectlEvents, priority: noPrio}},
	{"kubectl header before 1.8", "", "LASTSEEN   FIRSTSEEN   COUNT     NAME        KIND      SUBOBJECT   TYPE      REASON       SOURCE            MESSAGE", swant{kind: KindBanner, format: FormatKubectlEvents, priority: noPrio}},
	{"kubectl -A header", "", "NAMESPACE     LAST SEEN   TYPE      REASON   OBJECT   MESSAGE", swant{kind: KindBanner, format: FormatKubectlEvents, priority: noPrio}},
	{"describe header", "", "  Type     Reason     Age                From               Message", swant{kind: KindBanner, format: FormatKubectlDescribe, priority: noPrio}},
	{"describe rule", "", "  ----     ------     ----               ----               -------", swant{kind: KindBanner, format: FormatKubectlDescribe, priority: noPrio}},
	{"describe events none", "", "Events:                      <none>", swant{kind: KindBanner, format: FormatKubectlDescribe, priority: noPrio}},
}

func TestParseLineAppShapes(t *testing.T) {
	for _, tc := range appCases {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Location: kstZone, Year: 2021, Hint: tc.hint}
			ev := freshEvent()
			k := ParseLine([]byte(tc.line), o, ev)
			checkStructured(t, k, ev, tc.want)
			if k == KindEntry && Family(ev.Source.Format) == "text" && ev.Source.Format != FormatText {
				t.Errorf("format %q has no family", ev.Source.Format)
			}
		})
	}
}

// TestParseLineAppNearMisses holds lines shaped almost like the shapes
// above: none may be claimed by them.
func TestParseLineAppNearMisses(t *testing.T) {
	claimed := map[string]bool{
		FormatZerolog: true, FormatLogrus: true, FormatGoLog: true, FormatNginx: true, FormatApache: true, FormatKlog: true,
		FormatDockerTimestamps: true, FormatContainerTSV: true, FormatKubectlEvents: true, FormatKubectlDescribe: true,
	}
	for _, tc := range []struct{ name, line, format string }{
		{"rfc3339 syslog host ERR-like", "2025-11-11T06:20:21.123456+09:00 ERRATA app[1]: x", FormatRFC3339},
		{"rfc3339 syslog", "2025-11-11T06:20:21.123456+09:00 web3 dockerd[901]: level=info", FormatRFC3339},
		{"short-iso-precise", "2025-11-11T06:20:21.123456+0900 web3 kubelet[9]: I1111 x", FormatJournalShortISOPrecise},
		{"zerolog lower-case level", "2025-11-10T23:03:43Z err something", FormatRFC3339},
		{"nano stamp of 8 digits", "2021-10-07T06:20:21.43318311Z message", FormatRFC3339},
		{"logrus unknown level", "NOTE[0000] hello", FormatText},
		{"logrus unterminated", "INFO[0000 hello", FormatText},
		{"slash date without clock", "2020/04/13 starting", FormatText},
		{"slash date bad day", "2020/02/30 10:00:00 x", FormatText},
		{"klog bad month", "E1302 06:20:21.433183    1234 x.go:1] y", FormatText},
		{"klog without source", "E1202 06:20:21.433183    1234 hello world", FormatText},
		{"tsv unknown stream", "2021-10-07T06:20:21Z\tstdin\tx", FormatText},
		{"dmesg -T apache-like without level", "[Thu May 14 23:17:24 2020] [hello] world", FormatDmesg},
		{"age-like word", "5m is enough", FormatText},
		{"kubectl row with odd type", "2m10s       Critical  FailedScheduling   pod/web   msg", FormatText},
		{"kubectl row without object kind", "2m10s   Warning   FailedScheduling   web   msg", FormatText},
		{"indented prose", "  Warning: this is not a table row", FormatText},
		{"namespace-like prose", "default  settings were applied", FormatText},
		{"compose-like table", "Total  | 5", FormatText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &Options{Location: kstZone, Year: 2021}
			ev := freshEvent()
			ParseLine([]byte(tc.line), o, ev)
			if claimed[ev.Source.Format] && ev.Source.Format != tc.format {
				t.Fatalf("claimed as %q: %+v", ev.Source.Format, ev)
			}
			if ev.Source.Format != tc.format {
				t.Errorf("format %q, want %q", ev.Source.Format, tc.format)
			}
		})
	}
}

// TestConsolePayloadInSyslog: a console line written through syslog or
// the journal keeps its message; its level and stamp become priority and
// fields, and a stamp with a zone gives a cut line its time.
func TestConsolePayloadInSyslog(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		prio       event.Priority
		time       string
		fields     []event.Field
	}{
		{"traefik via syslog", `Nov 10 23:03:43 edge traefik[812]: 2025-11-10T23:03:43Z ERR Provider error providerName=docker`, 3, "2021-11-10T14:03:43Z",
			kvs("time", "2025-11-10T23:03:43Z", "level", "ERR", "providerName", "docker")},
		{"nginx via syslog", `Jan 15 10:00:00 web nginx[1234]: 2024/01/15 10:00:00 [crit] 1234#1234: *9 SSL_do_handshake() failed`, 2, "2021-01-15T01:00:00Z",
			kvs("level", "crit")},
		{"go log via syslog keeps no level", `Jan 15 10:00:00 web app[7]: 2024/01/15 10:00:00 listening`, noPrio, "2021-01-15T01:00:00Z", nil},
		{"logrus via syslog", `Jan 15 10:00:00 web registry[7]: WARN[0004] no config file found`, 4, "2021-01-15T01:00:00Z", kvs("level", "WARN")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := freshEvent()
			ParseLine([]byte(tc.line), &Options{Location: kstZone, Year: 2021}, ev)
			if ev.Priority != tc.prio {
				t.Errorf("priority %v, want %v", ev.Priority, tc.prio)
			}
			if got := ev.Time.UTC().Format("2006-01-02T15:04:05Z"); got != tc.time {
				t.Errorf("time %s, want %s", got, tc.time)
			}
			if !slices.Equal(ev.Fields, tc.fields) {
				t.Errorf("fields %q, want %q", ev.Fields, tc.fields)
			}
		})
	}
}

// TestJavaLogKeepsItsTrace: a JVM logging line has a header, so its
// stack trace joins it, the unindented exception and "Caused by:" lines
// included.
func TestJavaLogKeepsItsTrace(t *testing.T) {
	text := "2024-03-02 10:15:01.123 ERROR 4121 --- [           main] o.s.boot.SpringApplication               : Application run failed\n" +
		"java.lang.IllegalStateException: Failed to execute CommandLineRunner\n" +
		"\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:787)\n" +
		"Caused by: java.io.IOException: No space left on device\n" +
		"2024-03-02 10:15:02.001  INFO 4121 --- [           main] o.s.b.a.l.ConditionEvaluationReportLogger : Error starting ApplicationContext."
	got := messages(assemble(t, text, ""))
	want := []string{"1:Application run failed\njava.lang.IllegalStateException: Failed to execute CommandLineRunner\n\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:787)\nCaused by: java.io.IOException: No space left on device",
		"5:Error starting ApplicationContext."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}
