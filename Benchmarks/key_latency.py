#!/usr/bin/env python3
"""How fast the console answers a key while a savepoint is in progress.

Drives `sluice --flink URL --view jobs` under tmux: selects the job named NAME, starts a savepoint
with `s` + Enter, and while the status line says it is in progress, toggles the help view with `?`
and Esc, timing each key from send-keys until the screen shows its effect. Prints one JSON line.
"""
import argparse, json, subprocess, time, uuid

p = argparse.ArgumentParser()
p.add_argument("--sluice", required=True)
p.add_argument("--flink", required=True)
p.add_argument("--job", required=True, help="job name to select")
p.add_argument("--state", required=True, help="XDG_STATE_HOME for the console's job ledger")
a = p.parse_args()
sock = "sluice-keys-" + uuid.uuid4().hex[:8]


def tmux(*args):
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "t")


def wait(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = screen()
        if pred(s):
            return s
    return None


tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "40",
     f"env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME={a.state} {a.sluice} --flink {a.flink} --view jobs")
try:
    if not wait(lambda s: a.job in s, 30):
        raise SystemExit("job %s never showed" % a.job)
    # Once backpressure is HIGH the savepoint's barriers queue behind full buffers: it takes seconds.
    if not wait(lambda s: any(a.job in l and "HIGH" in l for l in s.splitlines()), 120):
        raise SystemExit("job %s never showed HIGH backpressure" % a.job)
    tmux("send-keys", "-t", "t", "/")
    for ch in a.job:
        tmux("send-keys", "-t", "t", "-l", ch)
    tmux("send-keys", "-t", "t", "Enter")
    wait(lambda s: "/" + a.job in s.splitlines()[0], 5)
    tmux("send-keys", "-t", "t", "s")
    wait(lambda s: "Savepoint " + a.job in s, 5)
    tmux("send-keys", "-t", "t", "Enter")
    samples, in_progress = [], 0
    end = time.monotonic() + 60
    while time.monotonic() < end and len(samples) < 40:
        before = screen()
        running = "⏳" in before.splitlines()[0]
        if not running and samples:
            break
        for key, shows in (("?", True), ("Escape", False)):
            t0 = time.monotonic()
            tmux("send-keys", "-t", "t", key)
            if wait(lambda s: ("Keys" in s and "Help" in s.splitlines()[0]) == shows, 2) is None:
                raise SystemExit("key %s not answered within 2 s" % key)
            samples.append((time.monotonic() - t0) * 1000)
            in_progress += running
    done = wait(lambda s: "savepoint of " + a.job + ": done" in s or "savepoint of " + a.job + ": failed" in s, 120)
    samples.sort()
    print(json.dumps({"bench": "key_latency_during_savepoint", "keys": len(samples), "keys_while_in_progress": in_progress,
                      "median_ms": samples[len(samples) // 2], "p95_ms": samples[min(len(samples) - 1, -(-len(samples) * 95 // 100) - 1)],
                      "max_ms": samples[-1], "savepoint": "done" if done and ": done" in done else "failed or unfinished"}))
finally:
    tmux("kill-server")
