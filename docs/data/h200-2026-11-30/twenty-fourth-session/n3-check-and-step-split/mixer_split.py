# What two training steps share and what is each model's own, from two Nsight Compute CSVs (ncu --metrics
# gpu__time_duration.sum --csv of the benchmarks' training verb, one model each, same length):
#   python3 mixer_split.py <transformer.csv.gz> <hyena.csv.gz> <rows to list>
# A step ends after the optimizer's kernels (hyena_adamw_step); the last whole step of each is grouped by kernel name and
# grid. A group in both steps counts as shared for as many calls as the step with fewer of them makes, at the lower of the
# two times per call (the MLPs, the layer norms, the residual adds, AdamW, the embedding and the head); the rest of each
# step is its mixer's (attention, or the Hyena operator) and what only that block runs around it.
import csv, sys, collections, gzip

def last_step(path):
    rows = [r for r in csv.reader(l for l in gzip.open(path, 'rt') if l.startswith('"'))]
    h = rows[0]; ki = h.index("Kernel Name"); vi = h.index("Metric Value"); gi = h.index("Grid Size")
    seq = [(r[ki][:90], float(r[vi].replace(",", "")), r[gi]) for r in rows[1:] if r[vi].replace(",", "").replace(".", "").isdigit()]
    ad = [i for i, (n, _, _) in enumerate(seq) if 'adamw' in n]
    ends = [ad[i] + 1 for i in range(len(ad)) if i == len(ad) - 1 or ad[i + 1] - ad[i] > 1]
    groups = collections.defaultdict(lambda: [0, 0.0])
    for n, v, g in seq[ends[-2]:ends[-1]]:
        groups[(n, g)][0] += 1; groups[(n, g)][1] += v
    return groups

T = last_step(sys.argv[1]); H = last_step(sys.argv[2])
shared = 0.0
for k in set(T) & set(H):
    c = min(T[k][0], H[k][0])
    shared += c * min(T[k][1] / T[k][0], H[k][1] / H[k][0])
tt = sum(v[1] for v in T.values()); ht = sum(v[1] for v in H.values())
print(f"transformer step {tt/1e6:.2f} ms, hyena step {ht/1e6:.2f} ms (kernel time); shared S {shared/1e6:.2f} ms; "
      f"transformer's own A {(tt-shared)/1e6:.2f} ms, hyena's own H {(ht-shared)/1e6:.2f} ms")
print("calls  transformer ns | calls  hyena ns  grid  kernel")
for k in sorted(set(T) | set(H), key=lambda k: -max(T.get(k, [0, 0.0])[1], H.get(k, [0, 0.0])[1]))[:int(sys.argv[3])]:
    t = T.get(k, [0, 0.0]); h = H.get(k, [0, 0.0])
    print(f"{t[0]:4d} {t[1]:11.0f} | {h[0]:4d} {h[1]:11.0f}  {k[1]:>14} {k[0][:80]}")
