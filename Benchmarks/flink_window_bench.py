"""make bench: Flink 2.3 running the window job of `SluiceBench window-count` (WindowCountBench in
the test job's jar) at parallelism 2: wall time from Flink's job record, CPU from the
TaskManager process (/proc), printed as one JSON line."""
import argparse
import json
import os
import subprocess
import time
import urllib.request
import uuid


def rest(url, path, method="GET", body=None, ctype="application/json"):
    req = urllib.request.Request(url + path, data=body, method=method, headers={"Content-Type": ctype} if body else {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")


def tm_cpu_seconds():
    pids = subprocess.run(["pgrep", "-f", "TaskManagerRunner"], capture_output=True, text=True).stdout.split()
    total = 0.0
    for pid in pids:
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flink", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--events", type=int, default=20_000_000)
    ap.add_argument("--checkpoint-ms", type=int, default=0)
    ap.add_argument("--pair", type=int, help="one of make bench's with/without checkpoints pairs")
    a = ap.parse_args()
    boundary = "b-" + uuid.uuid4().hex
    with open(a.jar, "rb") as f:
        data = f.read()
    body = ("--%s\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"job.jar\"\r\nContent-Type: application/x-java-archive\r\n\r\n"
            % boundary).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
    jar = rest(a.flink, "/jars/upload", "POST", body, "multipart/form-data; boundary=" + boundary)["filename"].split("/")[-1]
    cpu0 = tm_cpu_seconds()
    start = time.time()
    run = {"entryClass": "sluice.testjob.WindowCountBench", "parallelism": 2, "programArgsList": ["--count", str(a.events), "--checkpointMs", str(a.checkpoint_ms)]}
    jid = rest(a.flink, "/jars/%s/run" % jar, "POST", json.dumps(run).encode())["jobid"]
    while True:
        job = rest(a.flink, "/jobs/" + jid)
        if job["state"] in ("FINISHED", "FAILED", "CANCELED"):
            break
        time.sleep(0.2)
    wall = time.time() - start
    cpu = tm_cpu_seconds() - cpu0
    if job["state"] != "FINISHED":
        raise SystemExit("the Flink window job ended " + job["state"])
    running = job.get("duration", wall * 1000) / 1000.0
    checkpoints = rest(a.flink, "/jobs/%s/checkpoints" % jid).get("counts", {}).get("completed", 0) if a.checkpoint_ms else 0
    print(json.dumps({"bench": "window_count", "engine": "flink", "source": "generator", "events": a.events, "seconds": running,
                      "checkpoint_ms": a.checkpoint_ms, "checkpoints": checkpoints, **({"pair": a.pair} if a.pair else {}),
                      "wall_seconds": wall, "cpu_seconds": cpu, "events_per_s": a.events / running, "events_per_cpu_s": a.events / cpu}))


if __name__ == "__main__":
    main()
