#!/usr/bin/env python3
"""The lab's user-space L2 bridge: a hub over AF_PACKET raw sockets.

Runs inside the lab's middle network namespace (test/lab/lab.ts starts it). Every
frame that arrives on one port is sent out of every other port, so broadcast and
multicast (ARP, mDNS) cross it as they cross a LAN switch. Each copy can be
delayed (delay +- uniform jitter) and dropped (loss probability). Frames leave a
port in the order they arrived (FIFO per port, like a queue on a wire): jitter
spreads them out but does not reorder them.

Why Python: Node cannot open AF_PACKET sockets; python3 (python3-minimal) can,
with the standard library only. Why user space at all: this kernel has no
sch_netem, so `tc netem` cannot add delay or loss.

Usage: bridge.py --port IFACE [--port IFACE ...] [--delay-ms N] [--jitter-ms N]
                 [--loss P] [--seed N]
stdout, one JSON object per line: {"ready": true, ...} once every port is open;
the answer to each command. stdin, one JSON object per line:
  {"set": {"delayMs": 50, "jitterMs": 5, "loss": 0.01}}  change the impairment
  {"stats": true}                                        counters so far
SIGTERM or end of stdin: prints the final counters and exits 0.
"""
import argparse
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4  # a frame this host sent: our own transmissions, seen again
MAX_FRAME = 65535


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def check_impairment(delay_ms, jitter_ms, loss):
    if not (0 <= delay_ms <= 10_000):
        raise ValueError("delayMs must be from 0 to 10000")
    if not (0 <= jitter_ms <= 10_000):
        raise ValueError("jitterMs must be from 0 to 10000")
    if not (0 <= loss <= 1):
        raise ValueError("loss must be from 0 to 1")


def main():
    parser = argparse.ArgumentParser(description="user-space L2 hub with delay, jitter and loss")
    parser.add_argument("--port", action="append", required=True, help="an interface to bridge (repeatable)")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    try:
        check_impairment(args.delay_ms, args.jitter_ms, args.loss)
    except ValueError as err:
        parser.error(str(err))
    if len(args.port) < 2:
        parser.error("a bridge needs at least two ports")

    rng = random.Random(args.seed)
    impairment = {"delayMs": args.delay_ms, "jitterMs": args.jitter_ms, "loss": args.loss}
    socks = []
    for name in args.port:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind((name, 0))
        s.setblocking(False)
        socks.append(s)

    stats = {"received": 0, "forwarded": 0, "dropped": 0, "sendErrors": 0}
    queue = []  # (due, seq, out_index, frame)
    last_due = [0.0] * len(socks)
    seq = 0
    stopping = False

    def on_term(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    def send(index, frame):
        try:
            socks[index].send(frame)
            stats["forwarded"] += 1
        except OSError as err:  # counted and reported in the stats, never silent
            stats["sendErrors"] += 1
            stats["lastSendError"] = f"{args.port[index]}: {err}"

    def forward(in_index, frame):
        nonlocal seq
        now = time.monotonic()
        for out in range(len(socks)):
            if out == in_index:
                continue
            if impairment["loss"] > 0 and rng.random() < impairment["loss"]:
                stats["dropped"] += 1
                continue
            delay = impairment["delayMs"]
            if impairment["jitterMs"] > 0:
                delay += rng.uniform(-impairment["jitterMs"], impairment["jitterMs"])
            due = max(now + max(delay, 0.0) / 1000.0, last_due[out])
            last_due[out] = due
            if due <= now and not queue:
                send(out, frame)
            else:
                seq += 1
                heapq.heappush(queue, (due, seq, out, frame))

    def command(line):
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError("a command is a JSON object")
            if "set" in msg:
                change = msg["set"]
                if not isinstance(change, dict) or not set(change) <= {"delayMs", "jitterMs", "loss"}:
                    raise ValueError('"set" takes delayMs, jitterMs and loss')
                merged = {**impairment, **{k: float(v) for k, v in change.items()}}
                check_impairment(merged["delayMs"], merged["jitterMs"], merged["loss"])
                impairment.update(merged)
                emit({"ok": True, "impairment": impairment})
            elif msg.get("stats"):
                emit({"ok": True, "stats": stats, "impairment": impairment})
            else:
                raise ValueError("unknown command")
        except (ValueError, TypeError) as err:
            emit({"ok": False, "error": str(err), "command": line[:200]})

    emit({"ready": True, "ports": args.port, "impairment": impairment, "pid": os.getpid()})
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    pending = b""
    readable = socks + [stdin]
    while not stopping:
        timeout = None
        if queue:
            timeout = max(0.0, queue[0][0] - time.monotonic())
        try:
            ready, _, _ = select.select(readable, [], [], timeout)
        except InterruptedError:
            continue
        for r in ready:
            if r == stdin:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    stopping = True
                    break
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        command(line.decode("utf-8", "replace"))
                continue
            index = socks.index(r)
            while True:
                try:
                    frame, addr = r.recvfrom(MAX_FRAME)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                stats["received"] += 1
                forward(index, frame)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            send(out, frame)

    emit({"stopped": True, "stats": stats})


if __name__ == "__main__":
    main()
