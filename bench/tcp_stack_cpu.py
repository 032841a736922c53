#!/usr/bin/python3
"""Measures the CPU the Linux TCP stack spends per byte and per message on
this machine: the defaults of a scenario's `stack = { ... }` (models/specs.hpp).

    bench/tcp_stack_cpu.py [--bytes 2GiB] [--messages 100000] [--repeat 3]

As root: two network namespaces joined by a veth pair (MTU 1500), one TCP
stream of 1 MiB send()/recv() calls, then 64-byte ping-pong messages; the CPU
seconds of sender and receiver (getrusage, user + system) per byte and per
message. Prints the medians and the cycles at the clock given (--ghz, default
this machine's TSC rate from /proc/cpuinfo bogomips / 2). Removes what it made.
"""
import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys

NS = ("offload-tcpA", "offload-tcpB")
ADDR = "10.231.0.2"


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def serve(kind, count):
    """In namespace B: accept one connection, receive (stream) or echo (ping), print CPU seconds."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ADDR, 5999))
    srv.listen(1)
    print("ready", flush=True)
    conn, _ = srv.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start, view = cpu_s(), memoryview(bytearray(1 << 20))
    if kind == "stream":
        got = 0
        while got < count:
            n = conn.recv_into(view, 1 << 20)
            if n == 0:
                break
            got += n
    else:
        for _ in range(count):
            conn.sendall(conn.recv(64))
    print(cpu_s() - start, flush=True)


def client(kind, count):
    """In namespace A: the sender (stream) or the pinger; returns its CPU seconds."""
    conn = socket.create_connection((ADDR, 5999))
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = cpu_s()
    if kind == "stream":
        data = b"\x5a" * (1 << 20)
        for _ in range(count // len(data)):
            conn.sendall(data)
    else:
        for _ in range(count):
            conn.sendall(b"x" * 64)
            conn.recv(64)
    used = cpu_s() - start
    conn.close()
    return used


def run(kind, count):
    me = [sys.executable, os.path.abspath(__file__)]
    server = subprocess.Popen(["ip", "netns", "exec", NS[1]] + me + ["--serve", kind, str(count)],
                              stdout=subprocess.PIPE, text=True)
    server.stdout.readline()  # "ready"
    sender = subprocess.run(["ip", "netns", "exec", NS[0]] + me + ["--client", kind, str(count)],
                            capture_output=True, text=True, check=True)
    receiver = float(server.stdout.readline())
    server.wait()
    return float(sender.stdout) + receiver


def sh(*args):
    subprocess.run(args, check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bytes", type=int, default=2 << 30)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ghz", type=float)
    parser.add_argument("--serve", nargs=2)
    parser.add_argument("--client", nargs=2)
    a = parser.parse_args()
    if a.serve:
        return serve(a.serve[0], int(a.serve[1]))
    if a.client:
        return print(client(a.client[0], int(a.client[1])))
    ghz = a.ghz or next(float(line.split(":")[1]) for line in open("/proc/cpuinfo") if line.startswith("bogomips")) / 2000
    try:
        for ns in NS:
            sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", "offtcp-a", "netns", NS[0], "type", "veth", "peer", "name", "offtcp-b", "netns", NS[1])
        sh("ip", "-n", NS[0], "addr", "add", "10.231.0.1/24", "dev", "offtcp-a")
        sh("ip", "-n", NS[1], "addr", "add", ADDR + "/24", "dev", "offtcp-b")
        for ns, dev in zip(NS, ("offtcp-a", "offtcp-b")):
            sh("ip", "-n", ns, "link", "set", dev, "mtu", "1500", "up")
        stream = statistics.median(run("stream", a.bytes) for _ in range(a.repeat)) / a.bytes
        ping = statistics.median(run("ping", a.messages) for _ in range(a.repeat)) / (2 * a.messages) / 2
    finally:
        for ns in NS:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    print(f"stream: {stream * 1e9:.3f} ns of CPU per byte, sender + receiver "
          f"= {stream * ghz * 1e9:.2f} cycles/byte at {ghz:.2f} GHz ({stream * ghz * 1e9 / 2:.2f} each side)")
    print(f"ping-pong: {ping * 1e6:.2f} us of CPU per message per end = {ping * ghz * 1e9:.0f} cycles at {ghz:.2f} GHz")


if __name__ == "__main__":
    sys.exit(main())
