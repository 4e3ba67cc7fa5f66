#!/usr/bin/env python3
"""Python side of the Go round-trip test (roundtrip_test.go). Standard library only.

Reads JSON lines on stdin and answers with JSON lines on stdout:

  {"op": "echo", "body": B64}
      decode the Neon body as neon_mq_connector does (but with
      ast.literal_eval instead of eval), re-encode it with dict_to_b64 and
      answer {"body": B64} or {"error": "..."}.
  {"op": "generate", "seed": N, "count": N, "exclude": [code points]}
      answer with count lines {"body": B64}: random values made here, with
      everything Python's repr can produce (frozenset, inf, nan, sets in
      hash order), encoded with dict_to_b64. Excluded code points (those
      whose printability depends on the Unicode version) are never used.
"""

import ast
import base64
import json
import random
import struct
import sys


def dict_to_b64(data):
    return base64.b64encode(json.dumps(str(data)).encode("utf-8")).decode("ascii")


def echo(body):
    value = ast.literal_eval(json.loads(base64.b64decode(body).decode("utf-8")))
    return dict_to_b64(value)


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
                print(json.dumps({"body": dict_to_b64(gen.dict(0))}))
            sys.stdout.flush()
        else:
            print(json.dumps({"error": "unknown op %r" % req["op"]}), flush=True)


if __name__ == "__main__":
    main()
