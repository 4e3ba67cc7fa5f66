#!/usr/bin/env python3
"""Python side of the Go round-trip test (roundtrip_test.go). Standard library only.

Reads JSON lines on stdin and answers with JSON lines on stdout:

  {"op": "echo", "body": B64}
      decode the Neon body as neon_mq_connector's b64_to_dict does (eval),
      re-encode it with dict_to_b64 and answer {"body": B64} or
      {"error": "..."}.
  {"op": "generate", "seed": N, "count": N, "exclude": [code points]}
      answer with count lines {"body": B64, "again": B64}: random values
      made here, with everything Python's repr can produce (frozenset, inf,
      nan, sets in hash order), encoded with dict_to_b64, and that body
      decoded with b64_to_dict and encoded again. Excluded code points (those
      whose printability depends on the Unicode version) are never used.
  {"op": "sets", "seed": N, "count": N, "none": bool}
      answer with count lines {"body": B64, "again": B64} as generate does,
      for dicts of sets of ints, floats, bools, tuples and frozensets (and
      None when "none" is true) built by random adds and discards.

The eval is given the names inf and nan, which b64_to_dict's eval lacks
(a real service fails on them with NameError): each use is a new float, as
each non-finite float in a repr was a float of its own.
"""

import base64
import json
import random
import struct
import sys


def dict_to_b64(data):
    return base64.b64encode(json.dumps(str(data)).encode("utf-8")).decode("ascii")


class Names(dict):
    """Locals for eval: inf and nan, a new float at each use."""

    def __missing__(self, key):
        if key in ("inf", "nan"):
            return float(key)
        raise KeyError(key)


def b64_to_dict(body):
    """neon_mq_connector's b64_to_dict, with the names of Names."""
    text = json.loads(base64.b64decode(body).decode("utf-8"))
    return eval(text, {"__builtins__": {"set": set, "frozenset": frozenset}}, Names())


def echo(body):
    return dict_to_b64(b64_to_dict(body))


def built_set(rng, members, frozen):
    """A set of members made by a random history of adds and discards."""
    s = set()
    how = rng.random()
    if how < 0.3:
        s = set(members)
    elif how < 0.5:
        s = {m for m in members}
    else:
        for m in members:
            s.add(m)
            if rng.random() < 0.3:
                s.discard(rng.choice(members))
        for m in members[: rng.randint(0, len(members))]:
            s.add(m)
    return frozenset(s) if frozen else s


def set_member(rng, none, depth=0):
    kind = rng.randint(0, 9 if depth < 2 else 7)
    if kind == 0:
        return rng.randint(-20, 300)
    if kind == 1:
        return rng.randint(-(2**70), 2**70)
    if kind == 2:
        return rng.choice([0, 1, -1, -2, 2**61 - 1, 2**61, -(2**61), 2**63, 5 * (2**61 - 1) + 7])
    if kind == 3:
        return rng.choice([True, False, None if none else 0])
    if kind == 4:
        return rng.choice([0.0, -0.0, 0.5, 1.0, 1e16, float("inf"), -float("inf"), 2.0**70])
    if kind == 5:
        return rng.uniform(-1e6, 1e6)
    if kind in (6, 7):
        return rng.randint(0, 64) * rng.choice([1, 8, 32, 1024])
    if kind == 8:
        return tuple(set_member(rng, none, depth + 1) for _ in range(rng.randint(0, 3)))
    return frozenset(set_member(rng, none, depth + 1) for _ in range(rng.randint(0, 4)))


def sets_value(rng, none):
    value = {}
    for i in range(rng.randint(1, 4)):
        n = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 12, 20, 40, 80])
        members = [set_member(rng, none) for _ in range(n)]
        value[i] = built_set(rng, members, rng.random() < 0.2)
        if rng.random() < 0.3:  # the same members again, another order
            rng.shuffle(members)
            value["again%d" % i] = built_set(rng, members, False)
    return value


class Gen:
    def __init__(self, seed, exclude):
        self.rng = random.Random(seed)
        self.exclude = exclude

    def char(self):
        r = self.rng.random()
        if r < 0.5:
            return chr(self.rng.randint(0x20, 0x7E))
        if r < 0.6:
            return self.rng.choice("'\"\\\n\t\r\x00\x7f")
        if r < 0.7:
            c = self.rng.randint(0, 0xFF)
        elif r < 0.9:
            c = self.rng.randint(0x100, 0xFFFF)
        else:
            c = self.rng.randint(0x10000, 0x10FFFF)
        if 0xD800 <= c < 0xE000 or c in self.exclude:
            return "?"
        return chr(c)

    def str(self):
        return "".join(self.char() for _ in range(self.rng.randint(0, 12)))

    def float(self):
        r = self.rng.random()
        if r < 0.3:
            return struct.unpack("<d", self.rng.getrandbits(64).to_bytes(8, "little"))[0]
        if r < 0.5:
            return self.rng.choice([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e16, 1e-05, 0.1, 1e22])
        if r < 0.8:
            return self.rng.randint(-10**6, 10**6) / 10 ** self.rng.randint(0, 8)
        return self.rng.random() * 10.0 ** self.rng.randint(-30, 30)

    def int(self):
        if self.rng.random() < 0.7:
            return self.rng.randint(-1000, 1000)
        return self.rng.randint(-(10**40), 10**40)

    def key(self, depth):
        kind = self.rng.randint(0, 8 if depth < 3 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return self.rng.random() < 0.5
        if kind == 2:
            return self.int()
        if kind == 3:
            return self.float()
        if kind == 4:
            return self.rng.randbytes(self.rng.randint(0, 6))
        if kind in (5, 6):
            return self.str()
        if kind == 7:
            return tuple(self.key(depth + 1) for _ in range(self.rng.randint(0, 3)))
        return frozenset(self.key(depth + 1) for _ in range(self.rng.randint(0, 3)))

    def value(self, depth):
        kind = self.rng.randint(0, 13 if depth < 4 else 8)
        if kind <= 8:
            return self.key(depth + 3)
        n = self.rng.randint(0, 5)
        if kind == 9:
            return [self.value(depth + 1) for _ in range(n)]
        if kind == 10:
            return tuple(self.value(depth + 1) for _ in range(n))
        if kind == 11:
            return {self.key(depth + 1) for _ in range(n)}
        if kind == 12:
            return frozenset(self.key(depth + 1) for _ in range(n))
        return self.dict(depth + 1)

    def dict(self, depth):
        return {self.key(depth): self.value(depth) for _ in range(self.rng.randint(0, 6))}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "echo":
            try:
                answer = {"body": echo(req["body"])}
            except Exception as e:  # report, the Go side fails the case
                answer = {"error": "%s: %s" % (type(e).__name__, e)}
            print(json.dumps(answer), flush=True)
        elif req["op"] == "generate":
            gen = Gen(req["seed"], set(req["exclude"]))
            for _ in range(req["count"]):
                body = dict_to_b64(gen.dict(0))
                print(json.dumps({"body": body, "again": echo(body)}))
            sys.stdout.flush()
        elif req["op"] == "sets":
            rng = random.Random(req["seed"])
            for _ in range(req["count"]):
                body = dict_to_b64(sets_value(rng, req["none"]))
                print(json.dumps({"body": body, "again": echo(body)}))
            sys.stdout.flush()
        else:
            print(json.dumps({"error": "unknown op %r" % req["op"]}), flush=True)


if __name__ == "__main__":
    main()
