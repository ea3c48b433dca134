"""The flows of one run: a udpx server and `udpx send`, or an iperf3 server and client, each on a
port of its own so that the router's counters can tell them apart; and ping beside them."""

import math
import os
import re
import subprocess
import time

from topology import SERVER_ADDR

UDPX_PORT_BASE = 9000
IPERF_PORT_BASE = 5201


class Flow:
    def __init__(self, kind, index, opts, bin_cmd, logs, server_out):
        self.kind = kind
        self.index = index
        self.name = f"{kind}#{index + 1}"
        self.counter = f"flow{index}"
        self.is_udpx = kind.startswith("udpx")
        self.protocol = "udp" if self.is_udpx else "tcp"
        self.port = (UDPX_PORT_BASE if self.is_udpx else IPERF_PORT_BASE) + index
        self.opts = opts
        self.bin_cmd = bin_cmd
        self.logs = logs
        self.server_out = os.path.join(server_out, f"flow{index}")
        self.server = None
        self.client = None
        self.started_at = None
        self.client_rc = None

    def log(self, what):
        return open(os.path.join(self.logs, f"{self.counter}-{self.kind}-{what}.log"), "w")

    def start_server(self, topo):
        if self.is_udpx:
            os.makedirs(self.server_out, exist_ok=True)
            args = self.bin_cmd + ["serve", "--bind", f"{SERVER_ADDR}:{self.port}", "--out", self.server_out,
                                   "--headless", "--overwrite", "--min-free", "0"]
            ready = f"listening on {SERVER_ADDR}:{self.port}"
        else:
            args = ["iperf3", "-s", "-1", "--forceflush", "-B", SERVER_ADDR, "-p", str(self.port)]
            ready = "Server listening"
        path = os.path.join(self.logs, f"{self.counter}-{self.kind}-server.log")
        with open(path, "w") as out:
            self.server = subprocess.Popen(["ip", "netns", "exec", topo.server] + args, stdout=out,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        for _ in range(150):
            with open(path, errors="replace") as f:
                if ready in f.read():
                    return
            if self.server.poll() is not None:
                raise RuntimeError(f"{self.name}: its server exited early (see {path})")
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: its server did not print '{ready}' within 15 s (see {path})")

    def start_client(self, topo, seconds, input_file):
        if self.is_udpx:
            args = self.bin_cmd + ["send", input_file, "--to", f"{SERVER_ADDR}:{self.port}",
                                   "--mode", "thread", "--headless"] + self.opts.udpx_args.split()
            if self.kind == "udpx-bg":
                args += self.opts.background_args.split()
        else:
            # iperf3's -t is whole seconds; the run stops it at its end in any case.
            args = ["iperf3", "-c", SERVER_ADDR, "-p", str(self.port), "-C", "cubic",
                    "-t", str(math.ceil(seconds) + 1), "-i", "0"]
        with self.log("client") as out:
            out.write("+ " + " ".join(args) + "\n")
            out.flush()
            self.client = subprocess.Popen(["ip", "netns", "exec", topo.client] + args, stdout=out,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started_at = time.time()

    def early_exit(self):
        """The client's exit code if it ended before the run did (a failed start, a refused offer)."""
        return self.client.poll() if self.client is not None else None

    def stop(self):
        for attr in ("client", "server"):
            proc = getattr(self, attr)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if attr == "client":
                self.client_rc = proc.returncode


class Ping:
    """ping beside the flows, 10 per second, timestamped (-D); RTTs read back from its output."""

    LINE = re.compile(r"^\[(\d+\.\d+)\].*time=([\d.]+) ms")

    def __init__(self, topo, logs, name, interval=0.1):
        self.path = os.path.join(logs, f"ping-{name}.log")
        with open(self.path, "w") as out:
            self.proc = subprocess.Popen(["ip", "netns", "exec", topo.client, "ping", "-n", "-D", "-i", str(interval),
                                          SERVER_ADDR], stdout=out, stderr=subprocess.STDOUT)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        samples = []
        with open(self.path, errors="replace") as f:
            for line in f:
                m = self.LINE.match(line)
                if m:
                    samples.append((float(m.group(1)), float(m.group(2))))
        return samples


def idle_rtt(topo, logs, count=20):
    """The base RTT: the median of `count` pings on the idle path (the delay stage included)."""
    ping = Ping(topo, logs, "idle", interval=0.05)
    time.sleep(count * 0.05 + 0.2)
    rtts = sorted(r for _, r in ping.stop())
    if not rtts:
        raise RuntimeError("no ping reply on the idle path")
    return rtts[len(rtts) // 2]


def sparse_input(logs, size):
    """A sparse file that outlasts the run: read as zeros, costs no disk, never finishes early.

    It is read through once when made, so that every run reads it from the page cache. A hole read
    cold costs the reader a page-sized memset per page in ext4's readahead: at 1 Gbit/s that was a
    quarter of the sender thread's time (perf), and it fell on whichever run read the file first."""
    path = os.path.join(logs, f"input-{size}.bin")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.truncate(size)
        with open(path, "rb", buffering=0) as f:
            chunk = bytearray(4 << 20)
            while f.readinto(chunk):
                pass
    return path
