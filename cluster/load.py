"""Four clients through HAProxy for a given time: lists of the demo agent
(pages and whole lists), a page followed by its next page (the cursor) and
by the same page with If-None-Match (the ETag), each answered by whichever
replica HAProxy picks, and, one request in ten, a session creation. Prints
the answers by status and every failure; exits 1 when any request failed
(no answer, or a status other than 200, and 304 for a conditional one)."""
import collections, http.client, json, sys, threading, time

address, seconds, token, project, agent, key = sys.argv[1:7]
host, port = address.split(":")
deadline = time.monotonic() + float(seconds)
counts = collections.Counter()
failures = []
latencies = []
lock = threading.Lock()
paths = [f"/api/agent/v1/sessions/list/?agent_id={agent}&limit=5",
         f"/api/agent/v1/sessions/list/?agent_id={agent}"]
user = {"X-OTAS-USER-TOKEN": token, "X-OTAS-PROJECT-ID": project}


def client(n):
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    i = 0
    follow = None  # the next request a page asked for: its cursor, its ETag
    while time.monotonic() < deadline:
        i += 1
        allowed = (200,)
        if follow:
            method, path, headers, body, allowed = follow
            follow = None
        elif i % 10 == 0:
            method, path, headers = "POST", "/api/agent/v1/session/create/", {"X-OTAS-AGENT-KEY": key}
            body = json.dumps({"meta": {"client": n}})
        else:
            method, path, headers, body = "GET", paths[i % 2], user, None
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read()
            outcome = response.status
            if outcome == 200 and path == paths[0] and "If-None-Match" not in headers:
                cursor = json.loads(text)["response"].get("next_cursor")
                if i % 4 == 0 and cursor:
                    follow = ("GET", f"{paths[0]}&cursor={cursor}", user, None, (200,))
                elif i % 4 == 2:
                    # 304, or 200 when a creation changed the page meanwhile.
                    etag = {**user, "If-None-Match": response.getheader("ETag")}
                    follow = ("GET", paths[0], etag, None, (200, 304))
        except Exception as error:  # the request got no answer
            outcome = f"no answer ({type(error).__name__})"
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
        with lock:
            counts[outcome] += 1
            latencies.append(time.monotonic() - started)
            if outcome not in allowed:
                failures.append((round(time.monotonic() - (deadline - float(seconds)), 2), method, path[:60], outcome))


threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
latencies.sort()
total = sum(counts.values())
print(f"requests: {total} in {seconds} s through HAProxy ({dict(counts)})")
print(f"p50 {latencies[total // 2] * 1000:.1f} ms, p99 {latencies[int(total * 0.99)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
conditional = counts[304]
print(f"conditional requests answered 304 (the ETag of a page another replica may have served): {conditional}")
print(f"failed: {len(failures)}")
for failure in failures[:20]:
    print(f"  at {failure[0]} s: {failure[1]} {failure[2]} -> {failure[3]}")
sys.exit(1 if failures else 0)
