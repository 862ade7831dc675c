"""`make ha-check`'s driver: load through HAProxy while the primary is lost
twice, then the figures.

Two writers open sessions with the demo agent's key and two readers list
its sessions (a page, its next page by cursor, the same page with its
ETag), all through HAProxy, for the whole run. Meanwhile:

1. round "kill": every process of the primary's node (its pg_autoctl
   keeper and its postgres) gets SIGKILL; once the standby is promoted and
   the service writes again, the node is started again and pg_auto_failover
   brings it back as the new primary's synchronous standby;
2. round "freeze": the new primary's node is cut off the network (iptables
   drops every packet its user sends and every packet sent to its port:
   a partition, the processes still running), then let back in, and
   rejoins as in round 1.

Then every session whose creation answered 200 is looked for in the list.
Prints, per round, the longest window in which creations were refused
(timed from the kill or the cut), the reads refused, and when the new
primary was promoted and both service replicas were back on it. Exits 1
when an acknowledged session is missing, or a request answered 500.
Python's standard library only; every request goes to 127.0.0.1."""
import base64, collections, http.client, json, os, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lb_port, replica_base, token, project, agent, key = sys.argv[1:7]
HOST = "127.0.0.1"
STOP = threading.Event()
lock = threading.Lock()
creations = []  # (sent, done, status, session id or None)
reads = []  # (sent, done, status)
USER = {"X-OTAS-USER-TOKEN": token, "X-OTAS-PROJECT-ID": project}
PAGE = f"/api/agent/v1/sessions/list/?agent_id={agent}&limit=5"
MAX_RUN = 600  # seconds: the load stops by itself whatever happens


def common(script):
    """Runs `script` in bash with ha/common.sh loaded; its stdout."""
    done = subprocess.run(["bash", "-c", f"source ha/common.sh; {script}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip()


def session_id(body):
    """The session id inside the session token UASAM's way (its JWT claims)."""
    jwt = json.loads(body)["response"]["jwt_token"]
    claims = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["agent_session_id"]


def writer(n, started):
    conn = http.client.HTTPConnection(HOST, int(lb_port), timeout=15)
    i = 0
    while not STOP.is_set() and time.time() - started < MAX_RUN:
        i += 1
        sent = time.time()
        sid = None
        try:
            conn.request("POST", "/api/agent/v1/session/create/",
                         body=json.dumps({"meta": {"ha_check": n, "i": i}}),
                         headers={"X-OTAS-AGENT-KEY": key})
            response = conn.getresponse()
            body = response.read()
            status = response.status
            if status == 200:
                sid = session_id(body)
            elif status == 503 and not body.startswith(b"{"):
                status = "503 from HAProxy"
            elif status == 503 and not response.getheader("Retry-After"):
                status = "503 without Retry-After"
        except Exception as error:  # no answer: the connection broke
            status = f"no answer ({type(error).__name__})"
            conn.close()
            conn = http.client.HTTPConnection(HOST, int(lb_port), timeout=15)
        with lock:
            creations.append((sent, time.time(), status, sid))
        time.sleep(0.02 if status == 200 else 0.1)


def reader(started):
    conn = http.client.HTTPConnection(HOST, int(lb_port), timeout=15)
    follow = None
    i = 0
    while not STOP.is_set() and time.time() - started < MAX_RUN:
        i += 1
        path, headers = follow or (PAGE, USER)
        follow = None
        sent = time.time()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            text = response.read()
            status = response.status
            if status == 200 and path == PAGE and "If-None-Match" not in headers:
                cursor = json.loads(text)["response"].get("next_cursor")
                if i % 2 == 0 and cursor:
                    follow = (f"{PAGE}&cursor={cursor}", USER)
                else:
                    etag = {**USER, "If-None-Match": response.getheader("ETag")}
                    follow = (PAGE, etag)
            if status == 503 and not text.startswith(b"{"):
                status = "503 from HAProxy"
        except Exception as error:
            status = f"no answer ({type(error).__name__})"
            conn.close()
            conn = http.client.HTTPConnection(HOST, int(lb_port), timeout=15)
        with lock:
            reads.append((sent, time.time(), status))
        time.sleep(0.01)


def primary_up(replica):
    """Whether service replica `replica` (1 or 2) finds a primary now."""
    try:
        conn = http.client.HTTPConnection(HOST, int(replica_base) + replica, timeout=2)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        return any(line.strip() == "otas_db_primary_up 1" for line in text.splitlines())
    except Exception:
        return False


def wait_for(what, test, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if test():
            return time.time()
        time.sleep(0.2)
    raise SystemExit(f"ha-check: {what} did not happen within {seconds} s")


def other(node):
    return "b" if node == "a" else "a"


def kill(node):
    pids = common(f"node_pids {node}").split()
    for pid in pids:
        try:
            os.kill(int(pid), 9)
        except ProcessLookupError:
            pass
    return f"SIGKILL to the {len(pids)} processes of node {node} (its pg_autoctl and its postgres)"


def cut(node):
    port = common(f"node_port {node}")
    user = common(f"node_user {node}")
    chain = common("echo $CHAIN")
    subprocess.run(["iptables", "-N", chain], capture_output=True)
    subprocess.run(["iptables", "-D", "OUTPUT", "-j", chain], capture_output=True)
    subprocess.run(["iptables", "-I", "OUTPUT", "-j", chain], check=True)
    subprocess.run(["iptables", "-A", chain, "-m", "owner", "--uid-owner", user, "-j", "DROP"], check=True)
    subprocess.run(["iptables", "-A", chain, "-p", "tcp", "--dport", port, "-j", "DROP"], check=True)
    return f"node {node} cut off: iptables drops every packet its user {user} sends and every packet to :{port}"


def uncut():
    chain = common("echo $CHAIN")
    if subprocess.run(["iptables", "-n", "-L", chain], capture_output=True).returncode == 0:
        subprocess.run(["iptables", "-F", chain], check=True)


def round_of(name, fault, undo):
    primary = common("primary_node")
    if primary not in ("a", "b"):
        raise SystemExit(f"ha-check: no primary before round {name}: {common('node_states')}")
    standby = other(primary)
    at = time.time()
    what = fault(primary)
    print(f"round {name}: {what}", flush=True)
    promoted = wait_for("the standby's promotion",
                        lambda: f"node-{standby} wait_primary" in common("node_states")
                        or common("primary_node") == standby, 60)
    back = wait_for("both service replicas on the new primary",
                    lambda: primary_up(1) and primary_up(2), 60)
    wait_for("a creation answered 200", lambda: any(c[0] > back and c[2] == 200 for c in list(creations)), 60)
    # Let the new primary serve alone for a while before the old node returns.
    time.sleep(3)
    returned_at = time.time()
    undo(primary)
    healthy = wait_for("the old primary back as a synchronous standby",
                       lambda: common(f"wait_healthy 1 2>/dev/null && echo ok") == "ok", 240)
    time.sleep(3)
    return {"name": name, "what": what, "at": at, "promoted": promoted - at, "back": back - at,
            "rejoined": healthy - returned_at, "end": time.time(), "old": primary, "new": standby}


def restart(node):
    common(f"start_node {node}")


def rejoin_after_cut(node):
    uncut()


def refusal_runs(window):
    """Stretches of refused creations, each as (first refused sent, first 200
    done after it), in the order of sending."""
    runs, begin = [], None
    for sent, done, status, _ in window:
        if status != 200 and begin is None:
            begin = min(sent, begin or sent)
        elif status == 200 and begin is not None and sent >= begin:
            runs.append((begin, done))
            begin = None
    if begin is not None:
        runs.append((begin, window[-1][1]))
    return runs


def listed_ids():
    conn = http.client.HTTPConnection(HOST, int(lb_port), timeout=60)
    conn.request("GET", f"/api/agent/v1/sessions/list/?agent_id={agent}", headers=USER)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        return None
    return {s["id"] for s in json.loads(body)["response"]["sessions"]}


def report(rounds):
    with lock:
        made, read = list(creations), list(reads)
    acknowledged = {c[3] for c in made if c[2] == 200}
    missing = set(acknowledged)
    for _ in range(30):  # a standby may list a session up to its replay lag later
        listed = listed_ids()
        if listed is not None:
            missing = acknowledged - listed
            if not missing:
                break
        time.sleep(1)
    statuses = collections.Counter(str(c[2]) for c in made)
    read_statuses = collections.Counter(str(r[2]) for r in read)
    span = max(c[1] for c in made + read) - min(c[0] for c in made + read) if made and read else 0
    print(f"load: 2 writers and 2 readers through HAProxy for {span:.0f} s")
    print(f"creations: {len(made)} ({dict(statuses)}); answered 200: {len(acknowledged)}; "
          f"listed afterwards: {len(acknowledged) - len(missing)}; missing: {len(missing)}")
    for sid in sorted(missing)[:20]:
        print(f"  missing: {sid}")
    print(f"reads: {len(read)} ({dict(read_statuses)})")
    for r in rounds:
        window = sorted((c for c in made if r["at"] <= c[0] < r["end"]), key=lambda c: c[0])
        runs = refusal_runs(window)
        after_fault = runs[0] if runs and runs[0][0] <= r["at"] + 1 else None
        others = runs[1:] if after_fault else runs
        refused = [c for c in window if c[2] != 200]
        refused_reads = [x for x in read if r["at"] <= x[0] < r["end"] and x[2] not in (200, 304)]
        print(f"round {r['name']} (node {r['old']} lost, node {r['new']} promoted):")
        print(f"  creations refused: {len(refused)} ({dict(collections.Counter(str(c[2]) for c in refused))})")
        if after_fault:
            print(f"  refused from the fault until +{after_fault[1] - r['at']:.1f} s (the first 200 after it)")
        if others:
            longest = max(end - begin for begin, end in others)
            print(f"  other refusals in the round: {len(others)} stretch(es), the longest {longest:.1f} s")
        print(f"  reads refused: {len(refused_reads)} ({dict(collections.Counter(str(x[2]) for x in refused_reads))})")
        print(f"  new primary promoted at +{r['promoted']:.1f} s; both service replicas on it at +{r['back']:.1f} s; "
              f"node {r['old']} back as synchronous standby {r['rejoined']:.1f} s after it returned")
    outside = [c for c in made if c[2] != 200 and not any(r["at"] <= c[0] < r["end"] for r in rounds)]
    if outside:
        first = rounds[0]["at"] if rounds else made[0][0]
        print(f"creations refused outside the rounds: {len(outside)}, at "
              + ", ".join(f"{c[0] - first:+.1f} s ({c[2]})" for c in outside[:10]) + " from the first fault")
    errors = statuses.get("500", 0) + read_statuses.get("500", 0)
    if missing or errors:
        print(f"FAILED: {len(missing)} acknowledged session(s) missing, {errors} answer(s) 500")
        return 1
    print("no acknowledged session lost")
    return 0


def main():
    started = time.time()
    threads = [threading.Thread(target=writer, args=(n, started)) for n in range(2)]
    threads += [threading.Thread(target=reader, args=(started,)) for _ in range(2)]
    for t in threads:
        t.start()
    rounds, failed = [], None
    try:
        time.sleep(5)
        rounds.append(round_of("kill", kill, restart))
        rounds.append(round_of("freeze", cut, rejoin_after_cut))
    except SystemExit as error:  # a step did not happen in time: report what was seen
        failed = str(error)
    finally:
        uncut_quietly()
        STOP.set()
        for t in threads:
            t.join()
    status = report(rounds)
    if failed:
        print(f"FAILED: {failed}")
        return 1
    return status


def uncut_quietly():
    try:
        uncut()
    except Exception:
        pass


if __name__ == "__main__":
    sys.exit(main())
