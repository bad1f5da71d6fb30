#!/usr/bin/env python3
# Copyright 2026 The cardinal-cpp authors. SPDX-License-Identifier: Apache-2.0
"""The SDK's primitives (bench_primitives) next to `openssl speed` for the same operation and size.

Both measure CPU time (a shared machine inflates wall time for both, unequally). Each round runs,
operation by operation, `openssl speed` then the SDK's benchmark for that operation, so the two
see the same load; the printed ratio SDK / openssl is the median over the rounds.

Where `openssl speed` does not time the operation the SDK performs, a second reference is printed
next to it: an OpenSSL-only benchmark in bench_primitives doing that operation, run in the same
process as the SDK's (`BM_EvpCbcPerMessage`: one CBC message with its IV and padding;
`BM_EvpRsaOaepEncrypt`: an OAEP encryption, where `openssl speed rsa2048` times the bare public
operation of a PKCS#1 v1.5 verification). Its column is "vs OpenSSL same op".
  bench_primitives_vs_openssl.py <bench_primitives> [rounds=3] [seconds=1] [label prefix, e.g. HMAC]
"""
import json
import statistics
import subprocess
import sys

SIZES = [16, 64, 256, 2048, 1 << 20]
HMAC_SIZES = [16, 64, 256, 2048, 16384]

# (label, openssl speed arguments, bench_primitives name, sizes, OpenSSL-only same-operation reference)
OPS = [
    ("AES-256-CBC encrypt", ["-evp", "aes-256-cbc"], "BM_AesCbcEncrypt", SIZES, "BM_EvpCbcPerMessage/{n}/1"),
    ("AES-256-CBC decrypt", ["-decrypt", "-evp", "aes-256-cbc"], "BM_AesCbcDecrypt", SIZES,
     "BM_EvpCbcPerMessage/{n}/0"),
    ("AES-256-GCM seal", ["-evp", "aes-256-gcm"], "BM_AesGcmSeal", SIZES, None),
    ("AES-256-GCM open", ["-decrypt", "-evp", "aes-256-gcm"], "BM_AesGcmOpen", SIZES, None),
    ("HMAC-SHA512", ["-hmac", "sha512"], "BM_HmacSha512", HMAC_SIZES, "BM_EvpHmacSha512/{n}"),
    ("HMAC-SHA256", ["-hmac", "sha256"], "BM_HmacSha256", HMAC_SIZES, "BM_EvpHmacSha256/{n}"),
    ("SHA-256", ["-evp", "sha256"], "BM_Sha256", HMAC_SIZES, None),
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
    only = sys.argv[4] if len(sys.argv) > 4 else ""  # a label prefix: run only those rows
    ratios = {}  # (label, size) -> ([vs openssl speed], [vs OpenSSL same op])
    for _ in range(rounds):
        for label, args, name, sizes, ref in OPS:
            if not label.startswith(only):
                continue
            ossl = {n: openssl_bps(args, n, secs) for n in sizes}
            regex = f"^{name}/" if ref is None else f"^({name}|{ref.split('/')[0]})/"
            runs = sdk(bench, regex, secs / 2)
            for n in sizes:
                speed, same = ratios.setdefault((label, n), ([], []))
                mine = runs[f"{name}/{n}"]["bytes_per_second"]
                speed.append(mine / ossl[n])
                if ref is not None:
                    same.append(mine / runs[ref.format(n=n)]["bytes_per_second"])
        if not "RSA".startswith(only[:3]):
            continue
        sign, verify = openssl_rsa(secs)
        runs = sdk(bench, "^(BM_RsaOaep(En|De)crypt|BM_EvpRsaOaepEncrypt)/1$", secs / 2)
        cpu_ops = lambda b: 1e9 / b["cpu_time"]  # noqa: E731 (time unit ns)
        speed, _ = ratios.setdefault(("RSA-2048 OAEP-SHA256 decrypt (vs private op)", 0), ([], []))
        speed.append(cpu_ops(runs["BM_RsaOaepDecrypt/1"]) / sign)
        speed, same = ratios.setdefault(("RSA-2048 OAEP-SHA256 encrypt (vs public op)", 0), ([], []))
        speed.append(cpu_ops(runs["BM_RsaOaepEncrypt/1"]) / verify)
        same.append(cpu_ops(runs["BM_RsaOaepEncrypt/1"]) / cpu_ops(runs["BM_EvpRsaOaepEncrypt/1"]))
    print(f"SDK / reference, CPU time, median of {rounds} rounds [each round]")
    print(f"{'operation':46} {'size':>8} {'vs openssl speed':>17} {'vs OpenSSL same op':>19}")
    worst = None
    for (label, n), (speed, same) in ratios.items():
        r = statistics.median(speed)
        size = "" if n == 0 else (f"{n >> 20} MiB" if n >= 1 << 20 else (f"{n >> 10} KiB" if n >= 1024 else f"{n} B"))
        like = statistics.median(same) if same else None
        col = f"{like:19.2f}" if like is not None else f"{'-':>19}"
        print(f"{label:46} {size:>8} {r:17.2f} {col}  [{' '.join(f'{v:.2f}' for v in speed)}]"
              + (f" [{' '.join(f'{v:.2f}' for v in same)}]" if same else ""))
        judged = like if like is not None else r  # the like-for-like reference where there is one
        worst = judged if worst is None else min(worst, judged)
    print(f"lowest like-for-like median ratio: {worst:.2f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
