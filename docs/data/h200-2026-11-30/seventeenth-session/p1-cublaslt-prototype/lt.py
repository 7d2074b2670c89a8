# Prototype: bfloat16 products written in float32 by cublasLt (bias epilogue), against bfloat16 products then widened.
import ctypes, torch, time, sys
torch.backends.cuda.matmul.allow_tf32 = False
dev = torch.device("cuda:0"); torch.cuda.init(); torch.zeros(1, device=dev)
lib = None
for name in ("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11"):
    try:
        lib = ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL); print("loaded", name); break
    except OSError as e: print("no", name, e)
vp = ctypes.c_void_p
def ck(s, what):
    if s != 0: raise RuntimeError(f"{what}: status {s}")
lib.cublasLtMatmulDescSetAttribute.argtypes = [vp, ctypes.c_int, vp, ctypes.c_size_t]
lib.cublasLtMatrixLayoutSetAttribute.argtypes = [vp, ctypes.c_int, vp, ctypes.c_size_t]
lib.cublasLtMatmulPreferenceSetAttribute.argtypes = [vp, ctypes.c_int, vp, ctypes.c_size_t]
lib.cublasLtMatrixLayoutCreate.argtypes = [vp, ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int64]
lib.cublasLtMatmulDescCreate.argtypes = [vp, ctypes.c_int, ctypes.c_int]
lib.cublasLtMatmulAlgoGetHeuristic.argtypes = [vp, vp, vp, vp, vp, vp, vp, ctypes.c_int, vp, vp]
lib.cublasLtMatmul.argtypes = [vp, vp, vp, vp, vp, vp, vp, vp, vp, vp, vp, vp, vp, vp, ctypes.c_size_t, vp]
lib.cublasLtGetVersion.restype = ctypes.c_size_t
h = vp(); ck(lib.cublasLtCreate(ctypes.byref(h)), "create")
print("cublasLt version", lib.cublasLtGetVersion())
ws = torch.empty(32 << 20, dtype=torch.uint8, device=dev)
def i32(v): return ctypes.c_int32(v)
def setd(desc, attr, val):
    ck(lib.cublasLtMatmulDescSetAttribute(desc, attr, ctypes.byref(val), ctypes.sizeof(val)), f"desc attr {attr}")
def layout(dtype, rows, cols, ld, batch=1, stride=0):
    l = vp(); ck(lib.cublasLtMatrixLayoutCreate(ctypes.byref(l), dtype, ctypes.c_uint64(rows), ctypes.c_uint64(cols), ctypes.c_int64(ld)), "layout")
    if batch > 1:
        b = i32(batch); ck(lib.cublasLtMatrixLayoutSetAttribute(l, 5, ctypes.byref(b), 4), "batch")
        s = ctypes.c_int64(stride); ck(lib.cublasLtMatrixLayoutSetAttribute(l, 6, ctypes.byref(s), 8), "stride")
    return l
class Heur(ctypes.Structure):
    _fields_ = [("algo", ctypes.c_uint64 * 8), ("ws", ctypes.c_size_t), ("state", ctypes.c_int), ("waves", ctypes.c_float), ("res", ctypes.c_int * 4)]
print("heuristic struct", ctypes.sizeof(Heur))
BF16, F32 = 14, 0
def plan(transa, transb, m, n, k, a, lda, b, ldb, d, ldd, bias=None, batch=1, sa=0, sb=0, sd=0):
    desc = vp(); ck(lib.cublasLtMatmulDescCreate(ctypes.byref(desc), 68, F32), "desc")
    setd(desc, 3, i32(transa)); setd(desc, 4, i32(transb))
    if bias is not None:
        setd(desc, 7, ctypes.c_uint32(4)); setd(desc, 8, vp(bias.data_ptr())); setd(desc, 26, i32(F32))
    A = layout(BF16, m if transa == 0 else k, k if transa == 0 else m, lda, batch, sa)
    B = layout(BF16, n if transb else k, k if transb else n, ldb, batch, sb)
    D = layout(F32, m, n, ldd, batch, sd)
    pref = vp(); ck(lib.cublasLtMatmulPreferenceCreate(ctypes.byref(pref)), "pref")
    w = ctypes.c_uint64(ws.numel()); ck(lib.cublasLtMatmulPreferenceSetAttribute(pref, 1, ctypes.byref(w), 8), "pref ws")
    res = Heur(); cnt = ctypes.c_int(0)
    ck(lib.cublasLtMatmulAlgoGetHeuristic(h, desc, A, B, D, D, pref, 1, ctypes.byref(res), ctypes.byref(cnt)), "heuristic")
    if cnt.value == 0: raise RuntimeError("no algorithm")
    alpha = ctypes.c_float(1.0); beta = ctypes.c_float(0.0)
    def run():
        ck(lib.cublasLtMatmul(h, desc, ctypes.byref(alpha), vp(a.data_ptr()), A, vp(b.data_ptr()), B, ctypes.byref(beta),
                              vp(d.data_ptr()), D, vp(d.data_ptr()), D, ctypes.byref(res.algo), vp(ws.data_ptr()), ctypes.c_size_t(ws.numel()), vp(0)), "matmul")
    return run, res.ws
def timeit(f, reps=30):
    for _ in range(3): f()
    torch.cuda.synchronize(); ts = []
    for _ in range(reps):
        s = torch.cuda.Event(enable_timing=True); e = torch.cuda.Event(enable_timing=True)
        s.record(); f(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e) * 1000)
    ts.sort(); return ts[len(ts) // 2]
print("torch", torch.__version__, torch.cuda.get_device_name(0))
rows = []
for L in (65536, 131072):
    D = 768; C = 3 * D
    # output projection: v (1, D, L) channels first, read as (L, D); W (D, D); bias float32 -> y (L, D) float32
    v = torch.randn(1, D, L, device=dev).to(torch.bfloat16); W = (torch.randn(D, D, device=dev) / 28).to(torch.bfloat16)
    bias = torch.randn(D, device=dev)
    vt = v.transpose(1, 2)
    y = torch.empty(1, L, D, device=dev)
    # column major: Y^T (D x L) = W (op T of col-major D x D) * V^T: v row-major (D, L) is col-major (L x D) ld L -> op T
    run, need = plan(1, 1, D, L, D, W, D, v, L, y, D, bias=bias)
    ref = (vt.float() @ W.float().t() + bias)
    run(); torch.cuda.synchronize()
    err = ((y - ref).norm() / ref.norm()).item()
    cur = torch.nn.functional.linear(vt, W).float() + bias
    err_cur = ((cur - ref).norm() / ref.norm()).item()
    t_lt = timeit(run)
    t_gemm = timeit(lambda: torch.nn.functional.linear(vt, W))
    yb = torch.nn.functional.linear(vt, W)
    t_widen = timeit(lambda: yb.float())
    rows.append((L, "out-proj fwd", t_lt, t_gemm, t_widen, err, err_cur, need))
    try:
        t_od = timeit(lambda: torch.addmm(bias, vt[0], W.t(), out_dtype=torch.float32)); print(L, "torch addmm out_dtype fp32", round(t_od, 1), "us")
    except Exception as e: print("addmm out_dtype:", type(e).__name__, str(e)[:120])
    # input projection's backward: g (1, C, L) bf16, W (C, D) bf16 -> gx (1, L, D) float32 = g^T W
    g = torch.randn(1, C, L, device=dev).to(torch.bfloat16); Wi = (torch.randn(C, D, device=dev) / 48).to(torch.bfloat16)
    gx = torch.empty(1, L, D, device=dev)
    # col-major: gx^T (D x L) = Wi^T (Wi row-major (C, D) is col-major (D x C) ld D, op N) * g (row-major (C, L) = col-major (L x C) ld L, op T)
    run2, need2 = plan(0, 1, D, L, C, Wi, D, g, L, gx, D)
    ref2 = g[0].float().t() @ Wi.float()
    run2(); torch.cuda.synchronize()
    err2 = ((gx[0] - ref2).norm() / ref2.norm()).item()
    cur2 = torch.bmm(g.transpose(1, 2), Wi.unsqueeze(0)).float()
    err2c = ((cur2[0] - ref2).norm() / ref2.norm()).item()
    t2_lt = timeit(run2)
    t2_gemm = timeit(lambda: torch.bmm(g.transpose(1, 2), Wi.unsqueeze(0)))
    gb = torch.bmm(g.transpose(1, 2), Wi.unsqueeze(0))
    t2_widen = timeit(lambda: gb.float())
    rows.append((L, "in-proj bwd gx", t2_lt, t2_gemm, t2_widen, err2, err2c, need2))
    # batched case: batch 4 at L/4, stride checks
    B4 = 4; L4 = L // 4
    g4 = torch.randn(B4, C, L4, device=dev).to(torch.bfloat16); gx4 = torch.empty(B4, L4, D, device=dev)
    run3, _ = plan(0, 1, D, L4, C, Wi, D, g4, L4, gx4, D, batch=B4, sa=0, sb=C * L4, sd=L4 * D)
    run3(); torch.cuda.synchronize()
    ref3 = g4.float().transpose(1, 2) @ Wi.float()
    print(L, "batched gx rel err", ((gx4 - ref3).norm() / ref3.norm()).item())
    v4 = torch.randn(B4, D, L4, device=dev).to(torch.bfloat16); y4 = torch.empty(B4, L4, D, device=dev)
    run4, _ = plan(1, 1, D, L4, D, W, D, v4, L4, y4, D, bias=bias, batch=B4, sa=0, sb=D * L4, sd=L4 * D)
    run4(); torch.cuda.synchronize()
    ref4 = v4.float().transpose(1, 2) @ W.float().t() + bias
    print(L, "batched out rel err", ((y4 - ref4).norm() / ref4.norm()).item())
print("L, what, lt_fp32_us, torch_bf16_gemm_us, widen_us, lt_err, current_err, ws_needed")
for r in rows: print(*[round(x, 2) if isinstance(x, float) and x > 0.01 else x for x in r], sep=", ")
