"""The fairness lab: client -- router -- server, three network namespaces on two veth pairs.

    client 10.77.1.2 (eth0) -- (to-client) router (to-server) -- (eth0) 10.77.2.2 server
                                         tbf on to-server: the bottleneck, client -> server
                   delay stage (a TUN device) on the way back, server -> client

Nothing is created in or attached to the host's namespace and no namespace has a route beyond its
two /24s, so no packet can leave the lab. The kernel has no netem, so the base RTT comes from a
user-space delay stage (delay_stage.py) that holds every packet of the return direction (the
acknowledgements of both TCP and udpx, and ping's replies) for the RTT; the data direction meets
only the tbf queue, whose delay ping measures on top of the base RTT.
"""

import os
import subprocess
import sys
import time

CLIENT_ADDR = "10.77.1.2"
ROUTER_CLIENT_ADDR = "10.77.1.1"
ROUTER_SERVER_ADDR = "10.77.2.1"
SERVER_ADDR = "10.77.2.2"
TUN_NAME = "fair-delay"
DELAY_TABLE = "100"
MTU_FRAME = 1514          # an Ethernet frame as tbf counts it (IP 1500 + 14)
COUNTER_TABLE = "udpx_fair"


def sh(*args, check=True, capture=False):
    r = subprocess.run(list(args), check=False, text=True,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip() or 'exit ' + str(r.returncode)}")
    return r.stdout if capture else r.returncode


def tbf_parameters(rate_bps, buffer_ms):
    """tc tbf's limit (the queue, bytes) and burst (the bucket, bytes) for a rate and a buffer in ms."""
    rate_bytes = rate_bps / 8
    limit = max(2 * MTU_FRAME, int(rate_bytes * buffer_ms / 1000))
    # The bucket: 1 ms of the rate, at least two frames; tbf's hrtimer watchdog paces below that.
    burst = max(2 * MTU_FRAME, int(rate_bytes / 1000))
    return limit, burst


class Topology:
    def __init__(self, prefix, logs):
        self.client = f"{prefix}-fclient"
        self.router = f"{prefix}-frouter"
        self.server = f"{prefix}-fserver"
        self.logs = logs
        self.delay_proc = None
        self.delay_ms = None
        self.created = False

    def namespaces(self):
        return [self.client, self.router, self.server]

    @staticmethod
    def existing():
        out = sh("ip", "netns", "list", capture=True, check=False) or ""
        return {line.split()[0] for line in out.splitlines() if line.strip()}

    def up(self):
        present = self.existing() & set(self.namespaces())
        if present:
            raise RuntimeError(f"namespaces already exist: {' '.join(sorted(present))} "
                               f"(another fairness run, or left behind: gns3/lab.sh fairness --down)")
        self.created = True
        for ns in self.namespaces():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for key in ("all", "default"):
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.disable_ipv6=1", check=False)
        sh("ip", "-n", self.router, "link", "add", "to-client", "type", "veth", "peer", "name", "eth0", "netns", self.client)
        sh("ip", "-n", self.router, "link", "add", "to-server", "type", "veth", "peer", "name", "eth0", "netns", self.server)
        sh("ip", "-n", self.client, "addr", "add", f"{CLIENT_ADDR}/24", "dev", "eth0")
        sh("ip", "-n", self.server, "addr", "add", f"{SERVER_ADDR}/24", "dev", "eth0")
        sh("ip", "-n", self.router, "addr", "add", f"{ROUTER_CLIENT_ADDR}/24", "dev", "to-client")
        sh("ip", "-n", self.router, "addr", "add", f"{ROUTER_SERVER_ADDR}/24", "dev", "to-server")
        for ns, dev in ((self.client, "eth0"), (self.server, "eth0"), (self.router, "to-client"), (self.router, "to-server")):
            # Frames, as on a wire: the sender segments GSO/TSO packets before the veth (as lab.sh up does),
            # so the router forwards, queues and counts single datagrams and segments.
            sh("ip", "-n", ns, "link", "set", "dev", dev, "gso_max_segs", "1")
            sh("ip", "-n", ns, "link", "set", "dev", dev, "up")
        sh("ip", "-n", self.client, "route", "add", "default", "via", ROUTER_CLIENT_ADDR)
        sh("ip", "-n", self.server, "route", "add", "default", "via", ROUTER_SERVER_ADDR)
        sh("ip", "netns", "exec", self.router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        # Packets come back out of the delay stage's TUN device with the server's source address.
        for key in ("all", "default"):
            sh("ip", "netns", "exec", self.router, "sysctl", "-qw", f"net.ipv4.conf.{key}.rp_filter=0")
        self.wait_reachable()

    def wait_reachable(self):
        for _ in range(20):
            if sh("ip", "netns", "exec", self.client, "ping", "-c", "1", "-W", "1", "-q", SERVER_ADDR, check=False) == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the client cannot ping {SERVER_ADDR} through the router")

    def set_bottleneck(self, rate_bps, buffer_ms):
        limit, burst = tbf_parameters(rate_bps, buffer_ms)
        sh("ip", "netns", "exec", self.router, "tc", "qdisc", "replace", "dev", "to-server", "root",
           "tbf", "rate", f"{int(rate_bps)}bit", "burst", str(burst), "limit", str(limit))
        return limit, burst

    def bottleneck_drops(self):
        out = sh("ip", "netns", "exec", self.router, "tc", "-s", "qdisc", "show", "dev", "to-server", capture=True)
        for word_index, word in enumerate(out.split()):
            if word.lstrip("(") == "dropped":
                return int(out.split()[word_index + 1].rstrip(","))
        return 0

    def set_delay(self, rtt_ms):
        """Starts (or restarts, or stops) the delay stage on the return path."""
        if self.delay_ms == rtt_ms:
            return
        self.stop_delay()
        if rtt_ms > 0:
            stage = os.path.join(os.path.dirname(os.path.abspath(__file__)), "delay_stage.py")
            log = open(os.path.join(self.logs, f"delay-stage-{rtt_ms:g}ms.log"), "w")
            # The stage puts itself at real-time priority (delay_stage.py says why).
            self.delay_proc = subprocess.Popen(
                ["ip", "netns", "exec", self.router, sys.executable, stage, TUN_NAME, str(rtt_ms)],
                stdout=subprocess.PIPE, stderr=log, text=True)
            line = self.delay_proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"the delay stage did not start (see {log.name})")
            r = self.router
            sh("ip", "-n", r, "link", "set", "dev", TUN_NAME, "txqueuelen", "10000")
            sh("ip", "-n", r, "link", "set", "dev", TUN_NAME, "up")
            sh("ip", "-n", r, "route", "add", "default", "dev", TUN_NAME, "table", DELAY_TABLE)
            sh("ip", "-n", r, "rule", "add", "iif", "to-server", "lookup", DELAY_TABLE, "priority", "100")
        self.delay_ms = rtt_ms
        self.wait_reachable()

    def stop_delay(self):
        if self.delay_proc is not None:
            sh("ip", "-n", self.router, "rule", "del", "priority", "100", check=False)
            self.delay_proc.terminate()
            try:
                self.delay_proc.wait(5)
            except subprocess.TimeoutExpired:
                self.delay_proc.kill()
                self.delay_proc.wait()
            self.delay_proc = None
        self.delay_ms = None

    def set_counters(self, flows):
        """One named nftables counter per flow in the server's input hook, by destination port:
        what got through the bottleneck (data direction; control bytes included)."""
        lines = [f"table inet {COUNTER_TABLE} {{"]
        lines += [f"  counter {f.counter} {{ }}" for f in flows]
        lines += ["  chain input {", "    type filter hook input priority filter; policy accept;"]
        lines += [f"    iifname \"eth0\" {f.protocol} dport {f.port} counter name \"{f.counter}\"" for f in flows]
        lines += ["  }", "}"]
        sh("ip", "netns", "exec", self.server, "nft", "delete", "table", "inet", COUNTER_TABLE, check=False)
        r = subprocess.run(["ip", "netns", "exec", self.server, "nft", "-f", "-"], input="\n".join(lines) + "\n",
                           text=True, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError(f"nft: {r.stderr.strip()}")

    def kill_processes(self, ns):
        out = sh("ip", "netns", "pids", ns, capture=True, check=False) or ""
        pids = [int(p) for p in out.split()]
        for sig in (15, 9):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            for _ in range(20):
                pids = [p for p in pids if os.path.exists(f"/proc/{p}")]
                if not pids:
                    return
                time.sleep(0.1)

    def down(self):
        self.stop_delay()
        present = self.existing()
        for ns in self.namespaces():
            if ns in present:
                self.kill_processes(ns)
                sh("ip", "netns", "del", ns, check=False)
