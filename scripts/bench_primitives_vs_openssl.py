#!/usr/bin/env python3
# Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
"""The SDK's primitives (bench_primitives) next to `openssl speed` for the same operation and size.

Both measure CPU time (a shared machine inflates wall time for both, unequally). Each round runs,
operation by operation, `openssl speed` then the SDK's benchmark for that operation, so the two
see the same load; the printed ratio SDK / openssl is the median over the rounds.
  bench_primitives_vs_openssl.py <bench_primitives> [rounds=3] [seconds=1]
"""
import json
import statistics
import subprocess
import sys

SIZES = [16, 64, 256, 2048, 1 << 20]
HMAC_SIZES = [16, 64, 256, 2048, 16384]

# (label, openssl speed arguments, bench_primitives name, sizes)
OPS = [
    ("AES-256-CBC encrypt", ["-evp", "aes-256-cbc"], "BM_AesCbcEncrypt", SIZES),
    ("AES-256-CBC decrypt", ["-decrypt", "-evp", "aes-256-cbc"], "BM_AesCbcDecrypt", SIZES),
    ("AES-256-GCM seal", ["-evp", "aes-256-gcm"], "BM_AesGcmSeal", SIZES),
    ("AES-256-GCM open", ["-decrypt", "-evp", "aes-256-gcm"], "BM_AesGcmOpen", SIZES),
    ("HMAC-SHA512", ["-hmac", "sha512"], "BM_HmacSha512", HMAC_SIZES),
    ("HMAC-SHA256", ["-hmac", "sha256"], "BM_HmacSha256", HMAC_SIZES),
    ("SHA-256", ["-evp", "sha256"], "BM_Sha256", HMAC_SIZES),
]


def openssl_bps(args, size, secs):
    out = subprocess.run(["openssl", "speed", "-seconds", str(secs), "-bytes", str(size)] + args,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1].split()[-1].rstrip("k")) * 1000


def openssl_rsa(secs):
    out = subprocess.run(["openssl", "speed", "-seconds", str(secs), "rsa2048"], capture_output=True, text=True).stdout
    cols = [line for line in out.splitlines() if line.startswith("rsa 2048")][0].split()
    return float(cols[5]), float(cols[6])  # sign/s (private op), verify/s (public op)


def sdk(bench, regex, secs):
    out = subprocess.run([bench, "--benchmark_format=json", f"--benchmark_min_time={secs}",
                          f"--benchmark_filter={regex}"], capture_output=True, text=True).stdout
    return {b["name"]: b for b in json.loads(out)["benchmarks"]}


def main():
    bench = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    secs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    ratios = {}
    for _ in range(rounds):
        for label, args, name, sizes in OPS:
            ossl = {n: openssl_bps(args, n, secs) for n in sizes}
            runs = sdk(bench, f"^{name}/", secs / 2)
            for n in sizes:
                ratios.setdefault((label, n), []).append(runs[f"{name}/{n}"]["bytes_per_second"] / ossl[n])
        sign, verify = openssl_rsa(secs)
        runs = sdk(bench, "^BM_RsaOaep(En|De)crypt/1$", secs / 2)
        cpu_ops = lambda b: 1e9 / b["cpu_time"]  # noqa: E731 (time unit ns)
        ratios.setdefault(("RSA-2048 OAEP-SHA256 decrypt (vs private op)", 0), []).append(
            cpu_ops(runs["BM_RsaOaepDecrypt/1"]) / sign)
        ratios.setdefault(("RSA-2048 OAEP-SHA256 encrypt (vs public op)", 0), []).append(
            cpu_ops(runs["BM_RsaOaepEncrypt/1"]) / verify)
    print(f"{'operation':46} {'size':>8} {'ratio':>6}  (SDK / openssl speed, CPU time, median of {rounds})")
    worst = None
    for (label, n), values in ratios.items():
        r = statistics.median(values)
        size = "" if n == 0 else (f"{n >> 20} MiB" if n >= 1 << 20 else (f"{n >> 10} KiB" if n >= 1024 else f"{n} B"))
        print(f"{label:46} {size:>8} {r:6.2f}  [{' '.join(f'{v:.2f}' for v in values)}]")
        worst = r if worst is None else min(worst, r)
    print(f"lowest median ratio: {worst:.2f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
