#!/usr/bin/env python3
"""Who used the machine's CPU during a bench phase's window, for bench/scale.sh.

On 2 shared cores the API server, etcd, kwok, the scheduler, the controller-manager, the bench's player and the
submitter (the controller, or bench/raw_writes) all compete for the same CPU. When the cores are busy through a
window, a phase's rate follows the CPU the whole machine spends per app, so this shows where each phase's time
went, process by process, instead of guessing it from one process's figures.

  cpu_window.py sample FILE [INTERVAL=0.25]   appends a sample to FILE every INTERVAL seconds until killed
  cpu_window.py window FILE START SECONDS N   the window [START, START + SECONDS] (Unix time), N apps in it:
                                              "key value" lines: cores busy (of the machine's), steal, and CPU
                                              ms per app for each process group, most first

A sample is one JSON line: the time, /proc/stat's busy, idle and steal ticks, and each process's user+system
ticks by pid with its group (argv[0]'s base name). A process that starts in the window counts from zero, one
that ends in it counts up to its last sample: processes shorter than the interval (a kubectl) fall in "unseen",
the machine's busy ticks that no sampled process accounts for.
"""
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def machine_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq, idle + iowait, steal


def process_ticks():
    ticks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:  # Ended between listing and reading.
            continue
        after_comm = stat[stat.rindex(")") + 2:].split()
        used = int(after_comm[11]) + int(after_comm[12])  # utime, stime (fields 14 and 15).
        if used:
            ticks[pid] = [os.path.basename(argv0) or "kernel", used]
    return ticks


def sample(path, interval):
    with open(path, "a") as out:
        while True:
            busy, idle, steal = machine_ticks()
            out.write(json.dumps({"t": time.time(), "busy": busy, "idle": idle, "steal": steal,
                                  "pids": process_ticks()}) + "\n")
            out.flush()
            time.sleep(interval)


def window(path, start, seconds, apps):
    end = start + seconds
    inside, before = [], None
    with open(path) as f:
        for line in f:
            s = json.loads(line)
            if s["t"] <= start:
                before = s
            elif s["t"] >= end:
                inside.append(s)
                break
            else:
                inside.append(s)
    if before is None or not inside or inside[-1]["t"] < end:
        sys.exit(f"cpu_window: {path} does not cover [{start}, {end}]")
    last = inside[-1]
    span = last["t"] - before["t"]
    busy = last["busy"] - before["busy"]
    total = busy + last["idle"] - before["idle"] + last["steal"] - before["steal"]
    cores = os.cpu_count()
    print(f"window_seconds {span:.2f}")
    print(f"cores_busy {cores * busy / max(total, 1):.2f} of {cores}")
    print(f"steal_share {(last['steal'] - before['steal']) / max(total, 1):.3f}")
    groups, seen = {}, {}
    for s in inside:
        for pid, (group, used) in s["pids"].items():
            seen[pid] = (group, used)
    for pid, (group, used) in seen.items():
        start_used = before["pids"].get(pid, [group, 0])[1]
        groups[group] = groups.get(group, 0) + used - start_used
    groups["unseen"] = max(0, busy - sum(groups.values()))
    print(f"cpu_ms_per_app_all {1000 * busy / TICK / apps:.2f}")
    for group, used in sorted(groups.items(), key=lambda kv: -kv[1]):
        if used > 0:
            print(f"cpu_ms_per_app {group} {1000 * used / TICK / apps:.2f}")


def main(argv):
    if len(argv) >= 3 and argv[1] == "sample":
        sample(argv[2], float(argv[3]) if len(argv) > 3 else 0.25)
    elif len(argv) == 6 and argv[1] == "window":
        window(argv[2], float(argv[3]), float(argv[4]), int(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
