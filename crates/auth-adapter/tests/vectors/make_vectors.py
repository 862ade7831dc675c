"""Writes django.json: vectors computed by Django itself, for the Rust tests in
crates/auth-adapter/tests/key_issuing.rs (which need no Python to run).

Made with Django 5.0.1, the version UASAM pins (backend/uasam/requirements.txt
of Anirudh-RV/otas): its PBKDF2PasswordHasher writes 720,000 iterations (5.1
writes 870,000 and 5.2 1,000,000, so a later 5.x would not give these vectors).
Run from the repository root:

    python3 -m venv /tmp/djvenv && /tmp/djvenv/bin/pip install 'django==5.0.1'
    cargo test -p otas-auth-adapter --test key_issuing -- --ignored   # writes ours.json
    /tmp/djvenv/bin/python crates/auth-adapter/tests/vectors/make_vectors.py

Last run: Python 3.11.7, Django 5.0.1 (the output records both).

What it records:
- make_password: Django's make_password of fixed keys and salts (and one salt
  Django drew itself, through UASAM's very call, make_password(full_key)).
- scripted_issue: a byte script, and the key, prefix and hash that OTAS's
  issuing rules give from those bytes, written here apart from the Rust code:
  Python's own secrets.token_urlsafe and Django's make_password, fed from the
  script; a prefix holding "_" drawn again; salt bytes from 248 up dropped and
  the rest taken modulo 62 over Django's RANDOM_STRING_CHARS.
- check_password_of_ours: Django's check_password of every hash in ours.json
  (hashes our code made, of fixed keys and of keys it issued).
- uasam_split_of_ours: UASAM's own key parsing (copied below from its
  decorators.py) run on every key our code issued: the prefix it finds, and
  whether its check would accept the key.
"""

import base64
import hashlib
import json
import pathlib
import platform

import django
from django.conf import settings

settings.configure()  # Django's defaults: PASSWORD_HASHERS starts with pbkdf2_sha256, as in UASAM.

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password  # noqa: E402
from django.utils.crypto import RANDOM_STRING_CHARS  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent

assert django.get_version() == "5.0.1", django.get_version()


# --- UASAM's key parsing, copied from backend/uasam/decorators.py of
# Anirudh-RV/otas at 7649ca1 (only the returns are ours: the prefix it would
# look up, or None where UASAM answers "invalid key"). ---
def uasam_agent_authenticator_prefix(full_key):
    parts = full_key.split("_", 2)
    if len(parts) != 3 or parts[0] != "agent":
        return None
    prefix = parts[1]
    return prefix


def uasam_sdk_authenticator_prefix(full_key):
    parts = full_key.split('_', 2)
    if len(parts) != 3:
        return None
    prefix_candidate = parts[1]
    return prefix_candidate
# --- end of UASAM's code ---


def django_make_password_vectors():
    fixed = [
        ("agent_AAECAwQFBgc_Zm9yLXRlc3RzLW9ubHktLWEtZml4ZWQtc2VjcmV0LV8tMDAx", "abcdefghijABCDEFGH0123"),
        ("otas_c2RrLXByZWZpeA_U0RLLWtleS1mb3ItdGVzdHMtb25seS0tLWZpeGVkLXNlY3JldA", "zZ9yY8xX7wW6vV5uU4tT3s"),
        ("agent_ab_cdEFgh-1_Rk9yVGVzdGluZ09ubHktQW5vdGhlclNlY3JldC05ODc2NTQ", "UASAMwroteThisPrefix01"),
    ]
    vectors = [
        {"raw": raw, "salt": salt, "hashed_key": make_password(raw, salt=salt, hasher="pbkdf2_sha256")}
        for raw, salt in fixed
    ]
    # UASAM's own call (AgentKey.hash_key): the default hasher and a salt Django draws.
    raw = "agent_RGphbmdvU2FsdA_a2V5LWhhc2hlZC13aXRoLWRqYW5nb3Mtb3duLXJhbmRvbS1zYWx0"
    hashed = make_password(raw)
    vectors.append({"raw": raw, "salt": hashed.split("$")[2], "hashed_key": hashed})
    for v in vectors:
        assert check_password(v["raw"], v["hashed_key"])
    return vectors


class Script:
    """The bytes of a script in order, starting over after the last: what
    ScriptedRandom hands out."""

    def __init__(self, script):
        self.script = bytes(script)
        self.next = 0

    def token_bytes(self, n):
        out = bytes(self.script[(self.next + i) % len(self.script)] for i in range(n))
        self.next = (self.next + n) % len(self.script)
        return out


def issue_like_otas(tag, script):
    source = Script(script)

    def token_urlsafe(nbytes):
        # Python's secrets.token_urlsafe, its token_bytes taken from the script.
        tok = source.token_bytes(nbytes)
        return base64.urlsafe_b64encode(tok).rstrip(b"=").decode("ascii")

    draws = 0
    while True:
        prefix = token_urlsafe(8)
        draws += 1
        if "_" not in prefix:
            break
    secret = token_urlsafe(32)
    salt = ""
    while len(salt) < 22:
        for b in source.token_bytes(32):
            if b < 248:
                salt += RANDOM_STRING_CHARS[b % 62]
                if len(salt) == 22:
                    break
    raw = f"{tag}_{prefix}_{secret}"
    return raw, prefix, salt, draws


def scripted_issue_vectors():
    def stream(label, n):
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{label} {len(out)}".encode()).digest()
        return bytearray(out[:n])

    # Agent: a first prefix draw of 0xff bytes (`__________8`), drawn again;
    # the salt's bytes include 248 and 255, which are dropped.
    agent = bytearray([0xFF] * 8) + stream("otas key issuing vector: agent", 40)
    salt_chunk = stream("otas key issuing vector: agent salt", 32)
    salt_chunk[0], salt_chunk[5] = 248, 255
    agent += salt_chunk
    # SDK: one draw each.
    sdk = stream("otas key issuing vector: sdk", 72)

    vectors = []
    for kind, tag, script, expect_draws in [("agent", "agent", agent, 2), ("sdk", "otas", sdk, 1)]:
        raw, prefix, salt, draws = issue_like_otas(tag, script)
        assert draws == expect_draws, (kind, draws)
        vectors.append({
            "kind": kind,
            "script": list(script),
            "raw": raw,
            "prefix": prefix,
            "salt": salt,
            "hashed_key": make_password(raw, salt=salt, hasher="pbkdf2_sha256"),
        })
    return vectors


def main():
    ours = json.loads((HERE / "ours.json").read_text())
    made = ours["hashes"] + ours["issued"]
    checks = [
        {"raw": m["raw"], "hashed_key": m["hashed_key"], "accepted": check_password(m["raw"], m["hashed_key"])}
        for m in made
    ]
    splits = []
    for key in ours["issued"]:
        split = uasam_agent_authenticator_prefix if key["kind"] == "agent" else uasam_sdk_authenticator_prefix
        prefix = split(key["raw"])
        splits.append({
            "raw": key["raw"],
            "prefix": prefix,
            # UASAM finds the row by this prefix (agent keys; SDK keys are
            # checked against every active key), then check_password.
            "accepted": prefix == key["prefix"] and check_password(key["raw"], key["hashed_key"]),
        })

    out = {
        "made_by": "crates/auth-adapter/tests/vectors/make_vectors.py",
        "django_version": django.get_version(),
        "python_version": platform.python_version(),
        "pbkdf2_iterations": PBKDF2PasswordHasher.iterations,
        "uasam_split_source": "Anirudh-RV/otas 7649ca1 backend/uasam/decorators.py",
        "make_password": django_make_password_vectors(),
        "scripted_issue": scripted_issue_vectors(),
        "check_password_of_ours": checks,
        "uasam_split_of_ours": splits,
        # The control: Django refuses our hash for another key.
        "check_password_of_ours_with_another_key": check_password(made[0]["raw"] + "x", made[0]["hashed_key"]),
    }
    (HERE / "django.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"django.json: {len(checks)} of our hashes checked, all accepted: {all(c['accepted'] for c in checks)}; "
          f"{len(splits)} keys split, all accepted: {all(s['accepted'] for s in splits)}")


if __name__ == "__main__":
    main()
