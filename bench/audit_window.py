#!/usr/bin/env python3
"""Writes per app in a bench/scale.sh submission window, by client, verb and resource, from the local cluster's
API server audit log (tools/cluster/up.sh writes it, Metadata level): from the namespace's first SparkApplication
create to its last driver pod create. bench/scale.sh counts writes over a whole phase; this shows what the server
did while the drivers were being created, which is what bounds the native rate.

    bench/audit_window.py NAMESPACE N [AUDIT_LOG=.local/cluster/logs/audit.log]

Reads the rotated logs beside AUDIT_LOG too. Prints the window's length, one line per kind of request (per app,
mean server time) and the total.
"""
import collections
import glob
import json
import os
import sys
from datetime import datetime


def seconds(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def events(audit_log, namespace):
    for path in sorted(glob.glob(os.path.join(os.path.dirname(audit_log), "audit*.log"))):
        with open(path) as f:
            for line in f:
                if namespace not in line:
                    continue
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if e.get("stage") == "ResponseComplete" and e.get("objectRef", {}).get("namespace") == namespace:
                    yield e


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    namespace, apps = sys.argv[1], int(sys.argv[2])
    audit_log = sys.argv[3] if len(sys.argv) > 3 else ".local/cluster/logs/audit.log"
    all_events = list(events(audit_log, namespace))
    created = [seconds(e["requestReceivedTimestamp"]) for e in all_events
               if e["objectRef"].get("resource") == "sparkapplications" and e["verb"] == "create"]
    drivers = [seconds(e["requestReceivedTimestamp"]) for e in all_events
               if e["objectRef"].get("resource") == "pods" and e["verb"] == "create"
               and e["objectRef"].get("name", "").endswith("-driver")]
    if not created or not drivers:
        sys.exit(f"audit_window: no app or driver creates of namespace {namespace} in {audit_log}")
    first, last = min(created), max(drivers)
    count = collections.Counter()
    server_seconds = collections.defaultdict(float)
    for e in all_events:
        received = seconds(e["requestReceivedTimestamp"])
        if not first <= received <= last or e["verb"] in ("get", "list", "watch"):
            continue
        ref = e["objectRef"]
        resource = ref.get("resource", "") + ("/" + ref["subresource"] if ref.get("subresource") else "")
        client = e.get("userAgent", "").split("/")[0].split(" ")[0]
        key = (client, e["verb"], resource)
        count[key] += 1
        server_seconds[key] += seconds(e["stageTimestamp"]) - received
    print(f"window {last - first:.1f} s")
    for (client, verb, resource), n in count.most_common():
        print(f"{client:32s} {verb:7s} {resource:28s} {n / apps:6.2f}/app  mean "
              f"{server_seconds[(client, verb, resource)] / n * 1000:6.0f} ms")
    print(f"all {sum(count.values()) / apps:.2f}/app")


if __name__ == "__main__":
    main()
