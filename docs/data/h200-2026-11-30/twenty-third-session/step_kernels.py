# The step breakdowns (*-step.txt) of the Nsight Compute CSVs here: python3 step_kernels.py <csv.gz> <how many groups>.
# A step ends after the optimizer's kernels (hyena_adamw_step); the last whole step is grouped by kernel name.
import csv,sys,collections,gzip
f=sys.argv[1]
rows=[r for r in csv.reader(l for l in gzip.open(f,'rt') if l.startswith('"'))]
h=rows[0]; ki=h.index("Kernel Name"); vi=h.index("Metric Value"); gi=h.index("Grid Size"); bi=h.index("Block Size")
seq=[(r[ki], float(r[vi].replace(",","")), r[gi]) for r in rows[1:] if r[vi].replace(",","").replace(".","").isdigit()]
ad=[i for i,(n,_,_) in enumerate(seq) if 'adamw' in n or 'multi_tensor' in n or 'addcdiv' in n]
ends=[ad[i]+1 for i in range(len(ad)) if i==len(ad)-1 or ad[i+1]-ad[i]>1]
print("step ends", ends)
for a,b in zip(ends,ends[1:]): print(f"step {a}-{b}: {b-a} kernels {sum(v for _,v,_ in seq[a:b])/1e6:.2f} ms")
a,b=ends[-2],ends[-1]
if len(sys.argv)>3:
  for i in range(a,b): print(f"{i:5d} {seq[i][1]/1000:8.1f} {seq[i][2]:>16} {seq[i][0][:110]}")
  sys.exit()
agg=collections.defaultdict(lambda:[0,0.0])
for n,v,_ in seq[a:b]:
  k=n[:120]; agg[k][0]+=1; agg[k][1]+=v
for k,(n,t) in sorted(agg.items(), key=lambda kv:-kv[1][1])[:int(sys.argv[2])]:
  print(f"{t/1000:9.1f} us {n:5d}  {k}")
